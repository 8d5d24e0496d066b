// Command fiberv3 is jwtkit's example server on Fiber v3: the simplejwt-compatible token
// endpoints under /api/token/ (with log out everywhere at /api/token/revoke-all/), the public
// keys at /.well-known/jwks.json, a public GET /api/health and a protected GET /api/me,
// configured by JWTKIT_* variables (see examples/README.md). From the repository root:
//
//	go run ./examples/fiberv3
package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/cors"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/frontend"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func main() { os.Exit(run()) }

func run() int {
	// Every log line as slog text on stderr.
	slog.SetDefault(demo.Logger("fiberv3"))
	// Ctrl-C sends SIGINT; docker stop, Kubernetes and systemd send SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Every setting comes from JWTKIT_* variables (examples/README.md lists them).
	s, err := demo.FromEnv()
	if err != nil {
		return demo.CannotStart(err)
	}
	// The signing key: JWTKIT_SIGNING_KEY (HS256), or a PEM file for JWTKIT_ALGORITHM.
	key, err := s.Key()
	if err != nil {
		return demo.CannotStart(err)
	}
	// The revocation store JWTKIT_STORE and JWTKIT_STORE_DSN name; SQL tables are created.
	store, err := storeopen.Open(ctx, s.Store)
	if err != nil {
		return demo.CannotStart(err)
	}
	defer func() { _ = store.Close() }()
	// Your users: the demo accounts, or the Django database's with JWTKIT_USERS=django.
	users, err := s.OpenUsers(store)
	if err != nil {
		return demo.CannotStart(err)
	}
	// Your key, your store, your users; Apply adds the lifetimes and features JWTKIT_* turn on.
	auth, err := jwtkit.New(s.Apply(jwtkit.Config{SigningKey: key, Store: store.Store, Users: users}))
	if err != nil {
		return demo.CannotStart(err)
	}

	// Every limit bounds what one client can hold: without them a client that sends slowly, or
	// not at all, keeps its connection and its file descriptor for as long as it likes.
	router := fiber.New(fiber.Config{
		// Exact paths, as the other frameworks route: Fiber alone would take /api/Token/ and
		// /api/token for /api/token/.
		CaseSensitive: true,
		StrictRouting: true,
		ReadTimeout:   10 * time.Second, // header and body: fasthttp has no header timeout of its own
		WriteTimeout:  15 * time.Second, // the answer; well above the store's deadline
		IdleTimeout:   60 * time.Second, // a kept-alive connection between requests
		// The header limit. With fasthttp's 4 KiB default, a header carrying a token near
		// core's 8 KiB cap is refused (431) before jwtfiber sees it.
		ReadBufferSize: 16 << 10,
		// Fasthttp allocates a declared body's whole length before any handler runs: past the
		// token endpoints' own limit, it refuses the body from its header instead, and
		// ErrorHandler makes that refusal the contract's JSON 413, and keeps the header lines
		// fasthttp quotes when it cannot parse a request out of its 400.
		BodyLimit:    jwtkit.DefaultMaxBodyBytes,
		ErrorHandler: jwtfiberv3.ErrorHandler(auth),
		// fasthttp would parse a multipart body itself and answer a malformed one with its own
		// text; the token endpoints parse it as DRF does.
		DisablePreParseMultipartForm: true,
	})
	// fasthttp quotes the raw request, Authorization header included, in the errors it logs and
	// answers for some malformed requests; this leaves it out of those ErrorHandler does not see.
	router.Server().SecureErrorLogMessage = true
	if len(s.CORSOrigins) > 0 {
		// Pages on the JWTKIT_CORS_ORIGINS origins may call the API with cookies; other
		// origins' answers get no CORS header, so their pages cannot read them.
		router.Use(cors.New(cors.Config{AllowOrigins: s.CORSOrigins, AllowMethods: demo.CORSMethods,
			AllowHeaders: demo.CORSHeaders, AllowCredentials: true}))
	}
	// The browser front end (examples/frontend), on the API's own origin.
	router.Get("/", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, frontend.ContentType)
		return c.Send(frontend.Page)
	})
	api := router.Group(jwtkit.DefaultPrefix)
	jwtfiberv3.Mount(api, auth)                        // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	router.All(jwtkit.JWKSPath, jwtfiberv3.JWKS(auth)) // the public keys; 404 with an HS key
	api.Get("/health", func(c fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, demo.JSON)
		return c.Send(demo.Health)
	})
	api.Get("/me", jwtfiberv3.Middleware(auth), func(c fiber.Ctx) error {
		id, _ := jwtfiberv3.Identity(c)
		c.Set(fiber.HeaderContentType, demo.JSON)
		return c.Send(demo.Me(id))
	})

	// Fiber serves on fasthttp, not net/http: its own listener loop and graceful shutdown.
	// jwtfiberv3.Listener keeps that loop accepting when the process runs out of descriptors;
	// fasthttp alone would return the error and end the server. No startup banner: the ready
	// line is the server's only output.
	quiet := fiber.ListenConfig{DisableStartupMessage: true}
	serve := func(ln net.Listener) error { return router.Listener(jwtfiberv3.Listener(ln), quiet) }
	return demo.Serve(ctx, s.Addr, store.Kind, serve, router.ShutdownWithContext)
}
