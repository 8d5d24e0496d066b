package jwtfiberv3_test

import (
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// BenchmarkMiddleware serves GET /p in process through app.Handler() with one reused
// fasthttp.RequestCtx (no network), with and without the middleware in front of the same
// handler, and runs core's check alone (auth.AuthenticateFrom on a header value the benchmark
// owns, what the middleware calls): protected minus unprotected minus core is the adapter's
// own cost, the copy of the header value included.
func BenchmarkMiddleware(b *testing.B) {
	auth := newAuth(b, nil)
	p, err := auth.IssuePair(b.Context(), jwtkit.IntUserID(1), nil)
	if err != nil {
		b.Fatal(err)
	}
	ok := func(c fiber.Ctx) error { return c.SendString("ok") }
	app := fiber.New(fiber.Config{})
	app.Get("/protected", jwtfiberv3.Middleware(auth), ok)
	app.Get("/unprotected", ok)
	handler := app.Handler()

	for _, path := range []string{"/protected", "/unprotected"} {
		b.Run(path[1:], func(b *testing.B) {
			var fctx fasthttp.RequestCtx
			fctx.Request.Header.SetMethod(fiber.MethodGet)
			fctx.Request.SetRequestURI(path)
			fctx.Request.Header.Set(fiber.HeaderAuthorization, "Bearer "+p.Access)
			b.ReportAllocs()
			for b.Loop() {
				fctx.Response.Reset()
				handler(&fctx)
			}
			if got := fctx.Response.StatusCode(); got != 200 {
				b.Fatalf("status %d: %s", got, fctx.Response.Body())
			}
		})
	}
	b.Run("core", func(b *testing.B) {
		header, sources := "Bearer "+p.Access, auth.DefaultSources()
		get := func(jwtkit.TokenSource) string { return header }
		b.ReportAllocs()
		for b.Loop() {
			if _, err := auth.AuthenticateFrom(b.Context(), "GET", sources, get); err != nil {
				b.Fatal(err)
			}
		}
	})
}
