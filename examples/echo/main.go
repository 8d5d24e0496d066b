// Command echo is jwtkit's example server on Echo: the simplejwt-compatible token endpoints
// under /api/token/ (with log out everywhere at /api/token/revoke-all/), the public keys at
// /.well-known/jwks.json, a public GET /api/health and a protected GET /api/me, configured by
// JWTKIT_* variables (see examples/README.md). From the repository root:
//
//	go run ./examples/echo
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	jwtecho "github.com/jwtkit/jwtkit/adapters/echo"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/frontend"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func main() { os.Exit(run()) }

func run() int {
	// Every log line, net/http's own included, as slog text on stderr.
	slog.SetDefault(demo.Logger("echo"))
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

	// Served by an http.Server below rather than e.Start: no banner, and the same graceful
	// shutdown as the other examples.
	e := echo.New()
	if len(s.CORSOrigins) > 0 {
		// Pages on the JWTKIT_CORS_ORIGINS origins may call the API with cookies; other
		// origins' answers get no CORS header, so their pages cannot read them. Echo v4's CORS
		// takes every OPTIONS for a preflight and answers it with an empty 204; the Skipper
		// leaves an OPTIONS that is not one (no Access-Control-Request-Method) to the token
		// endpoints, which describe themselves as simplejwt's do.
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: s.CORSOrigins,
			AllowMethods: demo.CORSMethods, AllowHeaders: demo.CORSHeaders, AllowCredentials: true,
			Skipper: func(c echo.Context) bool {
				r := c.Request()
				return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") == ""
			}}))
	}
	// The browser front end (examples/frontend), on the API's own origin.
	e.GET("/", func(c echo.Context) error { return c.Blob(http.StatusOK, frontend.ContentType, frontend.Page) })
	api := e.Group(jwtkit.DefaultPrefix)
	jwtecho.Mount(api, auth)                   // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	e.Any(jwtkit.JWKSPath, jwtecho.JWKS(auth)) // the public keys; 404 with an HS key
	api.GET("/health", func(c echo.Context) error { return c.Blob(http.StatusOK, demo.JSON, demo.Health) })
	api.GET("/me", func(c echo.Context) error {
		id, _ := jwtecho.Identity(c)
		return c.Blob(http.StatusOK, demo.JSON, demo.Me(id))
	}, jwtecho.Middleware(auth))

	// Every limit bounds what one client can hold: without them a client that sends slowly, or
	// not at all, keeps its connection and its file descriptor for as long as it likes.
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,  // a header sent a byte at a time
		ReadTimeout:       10 * time.Second, // header and body
		WriteTimeout:      15 * time.Second, // the answer; well above the store's deadline
		IdleTimeout:       60 * time.Second, // a kept-alive connection between requests
		MaxHeaderBytes:    16 << 10,         // a token at core's 8 KiB cap, with room for cookies
	}
	return demo.Serve(ctx, s.Addr, store.Kind, srv.Serve, srv.Shutdown)
}
