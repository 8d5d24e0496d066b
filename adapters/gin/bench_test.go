package jwtgin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
)

// BenchmarkMiddleware compares a GET through Middleware with the same route unprotected, in
// process, and with core's check alone (auth.AuthenticateRequest, what the middleware calls):
// protected minus unprotected minus core is the adapter's own cost per request.
func BenchmarkMiddleware(b *testing.B) {
	auth := newAuth(b)
	access := issue(b, auth, nil)
	r := gin.New()
	handler := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	r.GET("/protected", jwtgin.Middleware(auth), handler)
	r.GET("/unprotected", handler)

	newRequest := func(path, authorization string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		return req
	}
	run := func(path, authorization string) func(*testing.B) {
		return func(b *testing.B) {
			req := newRequest(path, authorization)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				r.ServeHTTP(w, req)
				if w.Code != http.StatusNoContent {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		}
	}
	b.Run("protected", run("/protected", "Bearer "+access))
	b.Run("unprotected", run("/unprotected", ""))
	b.Run("core", func(b *testing.B) {
		req, sources := newRequest("/protected", "Bearer "+access), auth.DefaultSources()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := auth.AuthenticateRequest(req, sources); err != nil {
				b.Fatal(err)
			}
		}
	})
}
