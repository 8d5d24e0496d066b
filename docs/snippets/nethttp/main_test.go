package main

import (
	"net/http/httptest"
	"testing"

	"github.com/jwtkit/jwtkit/docs/internal/walkthrough"
)

func TestGettingStarted(t *testing.T) {
	for name, secret := range map[string]string{"random key": "", "JWTKIT_SIGNING_KEY": "Q2hhbmdlIG1lOiBtYWtlIG9uZSB3aXRoIGp3dGtpdCBrZXlnZW4"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("JWTKIT_SIGNING_KEY", secret)
			handler, err := newHandler()
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(nil)
			srv.Config = newServer(handler) // the program's own limits, on the test's loopback listener
			walkthrough.CheckServer(t, srv.Config)
			srv.Start()
			defer srv.Close()
			walkthrough.Run(t, srv.URL)
		})
	}
}
