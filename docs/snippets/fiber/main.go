// snippet:gettingstarted-fiber

// Command fiber serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Fiber v2.
package main

import (
	"log"

	"github.com/gofiber/fiber/v2"

	jwtfiber "github.com/jwtkit/jwtkit/adapters/fiber"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	app, err := newApp()
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(app.Listen("127.0.0.1:8000"))
}

func newApp() (*fiber.App, error) {
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

	app := fiber.New()
	app.Server().SecureErrorLogMessage = true // keep tokens out of fasthttp's 400 answers
	api := app.Group("/api")
	jwtfiber.Mount(api, auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	api.Get("/health", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	api.Get("/me", jwtfiber.Middleware(auth), func(c *fiber.Ctx) error {
		id, _ := jwtfiber.Identity(c) // always there behind Middleware
		return c.JSON(fiber.Map{"user_id": id.User.ID, "username": id.User.Value})
	})
	return app, nil
}

// endsnippet
