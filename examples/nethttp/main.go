// Command nethttp is jwtkit's example server on the standard library's net/http: the
// simplejwt-compatible token endpoints under /api/token/ (with log out everywhere at
// /api/token/revoke-all/), the public keys at /.well-known/jwks.json, a public GET /api/health
// and a protected GET /api/me, configured by JWTKIT_* variables (see examples/README.md). From
// the repository root:
//
//	go run ./examples/nethttp
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/examples/frontend"
	"github.com/jwtkit/jwtkit/examples/internal/demo"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
	"github.com/rs/cors"
)

func main() { os.Exit(run()) }

func run() int {
	// Every log line, net/http's own included, as slog text on stderr.
	slog.SetDefault(demo.Logger("nethttp"))
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

	mux := http.NewServeMux()
	jwthttp.Mount(mux, jwtkit.DefaultPrefix, auth)  // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	mux.Handle(jwtkit.JWKSPath, jwthttp.JWKS(auth)) // the public keys; 404 with an HS key
	// The browser front end (examples/frontend), on the API's own origin.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", frontend.ContentType)
		_, _ = w.Write(frontend.Page)
	})
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", demo.JSON)
		_, _ = w.Write(demo.Health)
	})
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		w.Header().Set("Content-Type", demo.JSON)
		_, _ = w.Write(demo.Me(id))
	})))

	handler := jwthttp.ExactPaths(mux) // /api//token/ is a 404, not a redirect
	if len(s.CORSOrigins) > 0 {
		// Pages on the JWTKIT_CORS_ORIGINS origins may call the API with cookies; other
		// origins' answers get no CORS header, so their pages cannot read them.
		handler = cors.New(cors.Options{AllowedOrigins: s.CORSOrigins, AllowedMethods: demo.CORSMethods,
			AllowedHeaders: demo.CORSHeaders, AllowCredentials: true}).Handler(handler)
	}

	// Every limit bounds what one client can hold: without them a client that sends slowly, or
	// not at all, keeps its connection and its file descriptor for as long as it likes.
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,  // a header sent a byte at a time
		ReadTimeout:       10 * time.Second, // header and body
		WriteTimeout:      15 * time.Second, // the answer; well above the store's deadline
		IdleTimeout:       60 * time.Second, // a kept-alive connection between requests
		MaxHeaderBytes:    16 << 10,         // a token at core's 8 KiB cap, with room for cookies
	}
	return demo.Serve(ctx, s.Addr, store.Kind, srv.Serve, srv.Shutdown)
}
