package jwthttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
)

// BenchmarkMiddleware compares a protected route with the same route unprotected, so the
// middleware's own cost per request is the difference.
func BenchmarkMiddleware(b *testing.B) {
	auth, access := newAuth(b)
	route := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	for name, h := range map[string]http.Handler{"protected": jwthttp.Middleware(auth)(route), "unprotected": route} {
		b.Run(name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/api/me", nil)
			r.Header.Set("Authorization", "Bearer "+access)
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
}
