package jwthttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
)

// BenchmarkMiddleware compares a protected route with the same route unprotected, and with
// core's check alone (auth.AuthenticateRequest, what the middleware calls): protected minus
// unprotected minus core is the adapter's own cost per request.
func BenchmarkMiddleware(b *testing.B) {
	auth, access := newAuth(b)
	route := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	newRequest := func() *http.Request {
		r := httptest.NewRequest("GET", "/api/me", nil)
		r.Header.Set("Authorization", "Bearer "+access)
		return r
	}
	for name, h := range map[string]http.Handler{"protected": jwthttp.Middleware(auth)(route), "unprotected": route} {
		b.Run(name, func(b *testing.B) {
			r := newRequest()
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
	b.Run("core", func(b *testing.B) {
		r, sources := newRequest(), auth.DefaultSources()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := auth.AuthenticateRequest(r, sources); err != nil {
				b.Fatal(err)
			}
		}
	})
}
