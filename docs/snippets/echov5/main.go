// snippet:gettingstarted-echov5

// Command echov5 serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Echo v5.
package main

import (
	"log"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	e, err := newEcho()
	if err != nil {
		log.Fatal(err)
	}
	log.Println("listening on http://127.0.0.1:8000")
	log.Fatal(newServer(e).ListenAndServe())
}

// newServer bounds what one client can hold: without these limits a client that sends its
// request slowly, or not at all, keeps a connection and a file descriptor for as long as it
// likes (e.Start sets only a read timeout).
func newServer(handler http.Handler) *http.Server {
	return &http.Server{
		Addr:              "127.0.0.1:8000",
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,  // a header sent a byte at a time
		ReadTimeout:       10 * time.Second, // header and body
		WriteTimeout:      15 * time.Second, // the answer
		IdleTimeout:       60 * time.Second, // a kept-alive connection between requests
		MaxHeaderBytes:    16 << 10,         // room for a token and cookies; the default is 1 MiB
	}
}

func newEcho() (*echo.Echo, error) {
	key, err := signingKey()
	if err != nil {
		return nil, err
	}
	store, err := memstore.New() // one process, forgotten on restart: see docs/stores.md
	if err != nil {
		return nil, err
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{}})
	if err != nil {
		return nil, err
	}

	e := echo.New()
	api := e.Group("/api")
	jwtechov5.Mount(api, auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	api.GET("/health", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"status": "ok"})
	})
	api.GET("/me", func(c *echo.Context) error {
		id, _ := jwtechov5.Identity(c) // always there behind Middleware
		return c.JSON(http.StatusOK, map[string]any{"user_id": id.User.ID, "username": id.User.Value})
	}, jwtechov5.Middleware(auth))
	return e, nil
}

// endsnippet
