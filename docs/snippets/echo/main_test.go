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
	srv := httptest.NewServer(e)
	defer srv.Close()
	walkthrough.Run(t, srv.URL)
}
