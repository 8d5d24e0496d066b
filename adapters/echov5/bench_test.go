package jwtechov5_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"

	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
)

// BenchmarkMiddleware serves the same GET in process with and without Middleware, and runs
// core's check alone (auth.AuthenticateRequest, what the middleware calls): protected minus
// unprotected minus core is the middleware's own cost (c.Set; echo v5 chains a route's
// middleware once, when the route is added).
func BenchmarkMiddleware(b *testing.B) {
	auth := newAuth(b)
	e := echo.New()
	ok := func(c *echo.Context) error { return c.Blob(http.StatusOK, "application/json", []byte(`{"ok":true}`)) }
	e.GET("/protected", ok, jwtechov5.Middleware(auth))
	e.GET("/unprotected", ok)
	access := login(b, auth, nil)
	newRequest := func(path string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		return req
	}

	for _, path := range []string{"/protected", "/unprotected"} {
		b.Run(path[1:], func(b *testing.B) {
			req := newRequest(path)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
				}
			}
		})
	}
	b.Run("core", func(b *testing.B) {
		req, sources := newRequest("/protected"), auth.DefaultSources()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := auth.AuthenticateRequest(req, sources); err != nil {
				b.Fatal(err)
			}
		}
	})
}
