package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/examples/internal/servertest"
)

// TestServer builds this example, runs it as a process and walks the wire contract against it.
func TestServer(t *testing.T) { servertest.Run(t, "fiberv3") }

// TestExactRoutes: Fiber matches paths case-insensitively and ignores a trailing slash unless
// told otherwise; the server answers only the contract's paths, as the other frameworks do.
func TestExactRoutes(t *testing.T) {
	s := servertest.Start(t, servertest.Build(t), "JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=memory", "JWTKIT_SIGNING_KEY="+servertest.Key)
	call := func(method, path string) (int, string) {
		req, err := http.NewRequest(method, s.URL+path, strings.NewReader(`{"username":"demo","password":"demo-password"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Close = true // no idle connection to hold up the shutdown
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/api/Token/"},
		{http.MethodPost, "/api/token"},
		{http.MethodPost, "/API/token/"},
		{http.MethodPost, "/api/token/refresh"},
		{http.MethodGet, "/api/me/"},
		{http.MethodGet, "/api/Me"},
		{http.MethodGet, "/api/health/"},
	} {
		status, body := call(r.method, r.path)
		assert.Equal(t, http.StatusNotFound, status, "%s %s: %s", r.method, r.path, body)
	}
	status, body := call(http.MethodPost, "/api/token/")
	assert.Equal(t, http.StatusOK, status, "the contract's own path: %s", body)
	status, _ = call(http.MethodGet, "/api/me")
	assert.Equal(t, http.StatusUnauthorized, status)
	s.Stop(t)
}
