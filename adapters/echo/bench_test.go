package jwtecho_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	jwtecho "github.com/jwtkit/jwtkit/adapters/echo"
)

// BenchmarkMiddleware serves the same GET in process with and without Middleware, so the
// difference between the two is the middleware's own cost (token check, user lookup, store
// lookup in the memory store, c.Set).
func BenchmarkMiddleware(b *testing.B) {
	auth := newAuth(b)
	e := echo.New()
	ok := func(c echo.Context) error { return c.Blob(http.StatusOK, "application/json", []byte(`{"ok":true}`)) }
	e.GET("/protected", ok, jwtecho.Middleware(auth))
	e.GET("/unprotected", ok)
	access := login(b, auth, nil)

	for _, path := range []string{"/protected", "/unprotected"} {
		b.Run(path[1:], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+access)
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
}
