// Command echov5 is jwtkit's example server on Echo v5: the simplejwt-compatible token endpoints
// under /api/token/ (with log out everywhere at /api/token/revoke-all/), the public keys at
// /.well-known/jwks.json, a public GET /api/health and a protected GET /api/me, configured by
// JWTKIT_* variables (see examples/README.md). From the repository root:
//
//	go run ./examples/echov5
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/frontend"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func main() { os.Exit(run()) }

func run() int {
	// Every log line, net/http's and Echo's own included, as slog text on stderr.
	slog.SetDefault(demo.Logger("echov5"))
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

	// Echo v5 logs JSON on stdout unless given a logger. Its router matches paths exactly: no
	// case folding, and no redirect or match for a missing or extra trailing slash.
	e := echo.NewWithConfig(echo.Config{Logger: slog.Default()})
	if len(s.CORSOrigins) > 0 {
		// Pages on the JWTKIT_CORS_ORIGINS origins may call the API with cookies; other
		// origins' answers get no CORS header, so their pages cannot read them.
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: s.CORSOrigins,
			AllowMethods: demo.CORSMethods, AllowHeaders: demo.CORSHeaders, AllowCredentials: true}))
	}
	// The browser front end (examples/frontend), on the API's own origin.
	e.GET("/", func(c *echo.Context) error { return c.Blob(http.StatusOK, frontend.ContentType, frontend.Page) })
	api := e.Group(jwtkit.DefaultPrefix)
	jwtechov5.Mount(api, auth)                   // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	e.Any(jwtkit.JWKSPath, jwtechov5.JWKS(auth)) // the public keys; 404 with an HS key
	api.GET("/health", func(c *echo.Context) error { return c.Blob(http.StatusOK, demo.JSON, demo.Health) })
	api.GET("/me", func(c *echo.Context) error {
		id, _ := jwtechov5.Identity(c)
		return c.Blob(http.StatusOK, demo.JSON, demo.Me(id))
	}, jwtechov5.Middleware(auth))

	// Served by an http.Server below rather than echo.StartConfig: the same limits, ready line
	// and graceful shutdown as the other examples. Every limit bounds what one client can hold:
	// without them a client that sends slowly, or not at all, keeps its connection and its file
	// descriptor for as long as it likes.
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
