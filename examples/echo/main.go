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

	jwtecho "github.com/jwtkit/jwtkit/adapters/echo"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
)

func main() { os.Exit(run()) }

func run() int {
	// Every log line, net/http's own included, as slog text on stderr.
	slog.SetDefault(demo.Logger("echo"))
	// Ctrl-C sends SIGINT; docker stop, Kubernetes and systemd send SIGTERM.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Every setting comes from JWTKIT_* variables: the key, the store, lifetimes, rotation and
	// the features beyond simplejwt.
	app, err := demo.Open(ctx)
	if err != nil {
		slog.Error("cannot start", "err", err)
		return demo.ExitCode(err)
	}
	defer app.Close()

	// Served by an http.Server below rather than e.Start: no banner, and the same graceful
	// shutdown as the other examples.
	e := echo.New()
	api := e.Group(jwtkit.DefaultPrefix)
	jwtecho.Mount(api, app.Auth)                   // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	e.Any(jwtkit.JWKSPath, jwtecho.JWKS(app.Auth)) // the public keys; 404 with an HS key
	api.GET("/health", func(c echo.Context) error { return c.Blob(http.StatusOK, demo.JSON, demo.Health) })
	api.GET("/me", func(c echo.Context) error {
		id, _ := jwtecho.Identity(c)
		return c.Blob(http.StatusOK, demo.JSON, demo.Me(id))
	}, jwtecho.Middleware(app.Auth))

	// ReadHeaderTimeout: a client that never finishes its headers cannot hold a connection.
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	return app.Serve(ctx, srv.Serve, srv.Shutdown)
}
