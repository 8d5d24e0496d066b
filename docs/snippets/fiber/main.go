// snippet:gettingstarted-fiber

// Command fiber serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Fiber v2.
package main

import (
	"log"
	"net"
	"time"

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
	ln, err := net.Listen("tcp", "127.0.0.1:8000")
	if err != nil {
		log.Fatal(err)
	}
	// app.Listen would end when the process runs out of file descriptors; jwtfiber.Listener
	// waits and accepts again, as net/http does.
	log.Fatal(app.Listener(jwtfiber.Listener(ln)))
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

	// The limits bound what one client can hold: without them a client that sends its request
	// slowly, or not at all, keeps a connection and a file descriptor for as long as it likes.
	app := fiber.New(fiber.Config{
		ReadTimeout:    10 * time.Second, // header and body
		WriteTimeout:   15 * time.Second, // the answer
		IdleTimeout:    60 * time.Second, // a kept-alive connection between requests
		ReadBufferSize: 16 << 10,         // the header limit: room for a token and cookies
		// Fasthttp allocates a declared body's whole length before any handler runs; past
		// BodyLimit it refuses the body from its header, and ErrorHandler gives that refusal
		// the token endpoints' JSON 413.
		BodyLimit:    jwtkit.DefaultMaxBodyBytes,
		ErrorHandler: jwtfiber.ErrorHandler(auth),
		// Paths are exact, as simplejwt's are: /api/Token/ and /api/token are not /api/token/.
		CaseSensitive: true,
		StrictRouting: true,
		// fasthttp would parse a multipart body itself and answer a malformed one with its own
		// text; the token endpoints parse it as DRF does.
		DisablePreParseMultipartForm: true,
	})
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
