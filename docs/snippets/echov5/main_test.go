package main

import (
	"net/http/httptest"
	"testing"

	"github.com/jwtkit/jwtkit/docs/internal/walkthrough"
)

func TestGettingStarted(t *testing.T) {
	e, err := newEcho()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = newServer(e) // the program's own limits, on the test's loopback listener
	walkthrough.CheckServer(t, srv.Config)
	srv.Start()
	defer srv.Close()
	walkthrough.Run(t, srv.URL)
}
