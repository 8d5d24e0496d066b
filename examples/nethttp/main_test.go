package main

import (
	"testing"

	"github.com/jwtkit/jwtkit/examples/internal/servertest"
)

// TestServer builds this example, runs it as a process and walks the wire contract against it.
func TestServer(t *testing.T) { servertest.Run(t, "nethttp") }
