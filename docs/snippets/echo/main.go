// snippet:gettingstarted-echo

// Command echo serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Echo.
package main

import (
	"log"
	"net/http"

	"github.com/labstack/echo/v4"

	jwtecho "github.com/jwtkit/jwtkit/adapters/echo"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	e, err := newEcho()
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(e.Start("127.0.0.1:8000"))
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
	e.HideBanner = true
	api := e.Group("/api")
	jwtecho.Mount(api, auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	api.GET("/health", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"status": "ok"})
	})
	api.GET("/me", func(c echo.Context) error {
		id, _ := jwtecho.Identity(c) // always there behind Middleware
		return c.JSON(http.StatusOK, map[string]any{"user_id": id.User.ID, "username": id.User.Value})
	}, jwtecho.Middleware(auth))
	return e, nil
}

// endsnippet
