// snippet:gettingstarted-fiberv3

// Command fiberv3 serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Fiber v3.
package main

import (
	"log"
	"net"
	"time"

	"github.com/gofiber/fiber/v3"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
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
	// app.Listen would end when the process runs out of file descriptors; jwtfiberv3.Listener
	// waits and accepts again, as net/http does.
	log.Fatal(app.Listener(jwtfiberv3.Listener(ln), fiber.ListenConfig{DisableStartupMessage: true}))
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
		CaseSensitive:  true,             // exact paths, as on the other frameworks: no /api/Token/...
		StrictRouting:  true,             // ...and no /api/token without its slash
		ReadTimeout:    10 * time.Second, // header and body
		WriteTimeout:   15 * time.Second, // the answer
		IdleTimeout:    60 * time.Second, // a kept-alive connection between requests
		ReadBufferSize: 16 << 10,         // the header limit: room for a token and cookies
		// Fasthttp allocates a declared body's whole length before any handler runs; past
		// BodyLimit it refuses the body from its header, and ErrorHandler gives that refusal
		// the token endpoints' JSON 413; it also keeps the header lines fasthttp quotes in its
		// 400 to a request it cannot parse, tokens included, out of the answer.
		BodyLimit:    jwtkit.DefaultMaxBodyBytes,
		ErrorHandler: jwtfiberv3.ErrorHandler(auth),
		// fasthttp would parse a multipart body itself and answer a malformed one with its own
		// text; the token endpoints parse it as DRF does.
		DisablePreParseMultipartForm: true,
	})
	app.Server().SecureErrorLogMessage = true // and out of fasthttp's logs
	api := app.Group("/api")
	jwtfiberv3.Mount(api, auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	api.Get("/health", func(c fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	api.Get("/me", jwtfiberv3.Middleware(auth), func(c fiber.Ctx) error {
		id, _ := jwtfiberv3.Identity(c) // always there behind Middleware
		return c.JSON(fiber.Map{"user_id": id.User.ID, "username": id.User.Value})
	})
	return app, nil
}

// endsnippet
