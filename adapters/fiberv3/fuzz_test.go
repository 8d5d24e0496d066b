package jwtfiberv3_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
)

// FuzzMiddleware sends arbitrary Authorization header, access_token cookie and token query
// values to the conformance app's GET /api/me (Middleware) and /api/optional (Optional)
// reading all three sources. The app's fasthttp handler is called on a RequestCtx built here,
// in the fuzzing goroutine: every answer is one the contract allows, and one request stays
// within the allocation budget. The seeds are the attack table's.
func FuzzMiddleware(f *testing.F) {
	app := conformanceApp(adaptertest.FuzzAuth(f), adaptertest.Options{Sources: adaptertest.FuzzSources(), MaxHeaderBytes: 16 << 10})
	h := app.Handler()
	for _, s := range adaptertest.Seeds() {
		f.Add(s.Header, s.Cookie, s.Query)
	}
	f.Fuzz(func(t *testing.T, header, cookie, query string) {
		in := adaptertest.Seed{Header: header, Cookie: cookie, Query: query}
		for _, path := range []string{"/api/me", "/api/optional"} {
			ctx := newRequestCtx(path, in)
			h(ctx)
			adaptertest.CheckAnswer(t, in, path == "/api/optional", ctx.Response.StatusCode(), responseHeader(&ctx.Response), ctx.Response.Body())

			ctx = newRequestCtx(path, in)
			adaptertest.CheckAllocs(t, in, func() { h(ctx) })
		}
	})
}

// newRequestCtx carries in's values as given: in process, nothing checks or trims the header.
func newRequestCtx(path string, in adaptertest.Seed) *fasthttp.RequestCtx {
	var req fasthttp.Request
	req.Header.SetMethod(http.MethodGet)
	req.SetRequestURI(path + "?token=" + url.QueryEscape(in.Query))
	if in.Header != "" {
		req.Header.Set("Authorization", in.Header)
	}
	if in.Cookie != "" {
		req.Header.Set("Cookie", "access_token="+in.Cookie)
	}
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, nil, nil)
	return ctx
}

func responseHeader(r *fasthttp.Response) http.Header {
	h := http.Header{}
	r.Header.VisitAll(func(k, v []byte) { h.Add(string(k), string(v)) })
	return h
}
