package main

import (
	"net"
	"testing"

	"github.com/gofiber/fiber/v3"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
	"github.com/jwtkit/jwtkit/docs/internal/walkthrough"
)

func TestGettingStarted(t *testing.T) {
	app, err := newApp()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Config()
	if cfg.ReadTimeout <= 0 || cfg.WriteTimeout <= 0 || cfg.IdleTimeout <= 0 {
		t.Errorf("timeouts read %v, write %v, idle %v: set each, to seconds", cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout)
	}
	if cfg.ReadBufferSize <= 0 || cfg.BodyLimit <= 0 || cfg.BodyLimit >= fiber.DefaultBodyLimit {
		t.Errorf("ReadBufferSize %d, BodyLimit %d: set the header limit, and the body limit below fasthttp's 4 MiB default",
			cfg.ReadBufferSize, cfg.BodyLimit)
	}
	if !cfg.CaseSensitive || !cfg.StrictRouting {
		t.Errorf("CaseSensitive %v, StrictRouting %v: set both, so only the contract's paths answer", cfg.CaseSensitive, cfg.StrictRouting)
	}
	served := make(chan error, 1)
	go func() {
		served <- app.Listener(jwtfiberv3.Listener(ln), fiber.ListenConfig{DisableStartupMessage: true})
	}()
	defer func() {
		if err := app.Shutdown(); err != nil {
			t.Error(err)
		}
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	walkthrough.Run(t, "http://"+ln.Addr().String())
}
