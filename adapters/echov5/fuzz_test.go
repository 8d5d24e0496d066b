package jwtechov5_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
)

// FuzzMiddleware sends arbitrary Authorization header, access_token cookie and token query
// values, in process, to the conformance app's GET /api/me (Middleware) and /api/optional
// (Optional) reading all three sources: every answer is one the contract allows, and one
// request stays within the allocation budget. The seeds are the attack table's.
func FuzzMiddleware(f *testing.F) {
	h := newApp(adaptertest.FuzzAuth(f), jwtechov5.Config{Sources: adaptertest.FuzzSources()})
	for _, s := range adaptertest.Seeds() {
		f.Add(s.Header, s.Cookie, s.Query)
	}
	f.Fuzz(func(t *testing.T, header, cookie, query string) {
		in := adaptertest.Seed{Header: header, Cookie: cookie, Query: query}
		for _, path := range []string{"/api/me", "/api/optional"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newRequest(path, in))
			adaptertest.CheckAnswer(t, in, path == "/api/optional", rec.Code, rec.Header(), rec.Body.Bytes())

			req, rec := newRequest(path, in), httptest.NewRecorder()
			adaptertest.CheckAllocs(t, in, func() { h.ServeHTTP(rec, req) })
		}
	})
}

// newRequest carries in's values as given: in process, nothing checks or trims the header.
func newRequest(path string, in adaptertest.Seed) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path+"?token="+url.QueryEscape(in.Query), nil)
	if in.Header != "" {
		req.Header["Authorization"] = []string{in.Header}
	}
	if in.Cookie != "" {
		req.Header["Cookie"] = []string{"access_token=" + in.Cookie}
	}
	return req
}
