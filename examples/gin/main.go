// Command gin is jwtkit's example server on Gin: the simplejwt-compatible token endpoints under
// /api/token/ (with log out everywhere at /api/token/revoke-all/), the public keys at
// /.well-known/jwks.json, a public GET /api/health and a protected GET /api/me, configured by
// JWTKIT_* variables (see examples/README.md). From the repository root:
//
//	go run ./examples/gin
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/frontend"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func main() { os.Exit(run()) }

func run() int {
	// Every log line, net/http's own included, as slog text on stderr.
	slog.SetDefault(demo.Logger("gin"))
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

	// Release mode: Gin prints no route list; the ready line is the server's only output.
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	// Paths are exact, as simplejwt's are: no redirect of /api/token to /api/token/ (a client
	// following it would resend its password), nor of a path in other letter case.
	router.RedirectTrailingSlash, router.RedirectFixedPath = false, false
	// Gin trusts every proxy's X-Forwarded-For by default; the server is reached directly, so
	// c.ClientIP() in your own handlers should be the connection's address. (jwtkit never reads
	// c.ClientIP(): its login rate limit believes only jwtkit.Config.TrustedProxies.)
	_ = router.SetTrustedProxies(nil)
	if len(s.CORSOrigins) > 0 {
		// Pages on the JWTKIT_CORS_ORIGINS origins may call the API with cookies. gin-contrib/cors
		// answers a request from any other origin with a bare 403.
		router.Use(cors.New(cors.Config{AllowOrigins: s.CORSOrigins, AllowMethods: demo.CORSMethods,
			AllowHeaders: demo.CORSHeaders, AllowCredentials: true}))
	}
	// The browser front end (examples/frontend), on the API's own origin.
	router.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, frontend.ContentType, frontend.Page) })
	api := router.Group(jwtkit.DefaultPrefix)
	jwtgin.Mount(api, auth)                        // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	router.Any(jwtkit.JWKSPath, jwtgin.JWKS(auth)) // the public keys; 404 with an HS key
	api.GET("/health", func(c *gin.Context) { c.Data(http.StatusOK, demo.JSON, demo.Health) })
	api.GET("/me", jwtgin.Middleware(auth), func(c *gin.Context) {
		id, _ := jwtgin.Identity(c)
		c.Data(http.StatusOK, demo.JSON, demo.Me(id))
	})

	// Every limit bounds what one client can hold: without them a client that sends slowly, or
	// not at all, keeps its connection and its file descriptor for as long as it likes.
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 5 * time.Second,  // a header sent a byte at a time
		ReadTimeout:       10 * time.Second, // header and body
		WriteTimeout:      15 * time.Second, // the answer; well above the store's deadline
		IdleTimeout:       60 * time.Second, // a kept-alive connection between requests
		MaxHeaderBytes:    16 << 10,         // a token at core's 8 KiB cap, with room for cookies
	}
	return demo.Serve(ctx, s.Addr, store.Kind, srv.Serve, srv.Shutdown)
}
