package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/examples/internal/servertest"
)

// TestServer builds this example, runs it as a process and walks the wire contract against it.
func TestServer(t *testing.T) { servertest.Run(t, "echov5") }

// TestExactRoutes: a path is served only as the contract spells it. Echo v5's router folds no
// case and neither redirects nor matches a path with a trailing slash missing or added, so
// each near miss is a 404 with no Location, even with a valid token, while the exact paths
// answer.
func TestExactRoutes(t *testing.T) {
	s := servertest.Start(t, servertest.Build(t),
		"JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=memory", "JWTKIT_SIGNING_KEY="+servertest.Key)
	// The client follows no redirect, so a 301 or 308 would show as such.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, body, access string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if access != "" {
			req.Header.Set("Authorization", "Bearer "+access)
		}
		req.Close = true // an idle kept-alive connection would hold up the graceful shutdown
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	const creds = `{"username":"demo","password":"demo-password"}`

	resp, body := send(http.MethodPost, "/api/token/", creds, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var pair struct{ Access, Refresh string }
	require.NoError(t, json.Unmarshal([]byte(body), &pair))
	resp, body = send(http.MethodGet, "/api/me", "", pair.Access)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, `{"user_id":1,"username":"demo"}`, body)
	resp, _ = send(http.MethodGet, "/api/health", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/api/token"},
		{http.MethodPost, "/api/Token/"},
		{http.MethodPost, "/API/token/"},
		{http.MethodPost, "/api/token//"},
		{http.MethodPost, "/api/token/refresh"},
		{http.MethodPost, "/api/token/Refresh/"},
		{http.MethodPost, "/api/token/verify"},
		{http.MethodPost, "/api/token/blacklist"},
		{http.MethodPost, "/api/token/revoke-all"},
		{http.MethodPost, "/api/token/refresh/x"},
		{http.MethodGet, "/api/me/"},
		{http.MethodGet, "/api/Me"},
		{http.MethodGet, "/api/health/"},
		{http.MethodGet, "/.well-known/jwks.json/"},
	} {
		resp, body := send(c.method, c.path, creds, pair.Access)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s %s: %s", c.method, c.path, body)
		assert.Empty(t, resp.Header.Get("Location"), "%s %s", c.method, c.path)
		assert.NotContains(t, body, "access", "%s %s", c.method, c.path)
	}
	s.Stop(t)
}
