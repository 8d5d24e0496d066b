package jwtecho_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtecho "github.com/jwtkit/jwtkit/adapters/echo"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// loginAddrs is an Auth whose audit hook records the client address of every login, and a
// function returning the addresses recorded so far.
func loginAddrs(t *testing.T) (*jwtkit.Auth, func() []string) {
	t.Helper()
	store, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("jwtecho-tests-Qx7!vR2#mK9$wP4&zL6*nB8^"), "")
	require.NoError(t, err)
	var mu sync.Mutex
	var addrs []string
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{},
		Audit: func(_ context.Context, e jwtkit.AuditEvent) {
			mu.Lock()
			defer mu.Unlock()
			addrs = append(addrs, e.ClientAddr)
		}})
	require.NoError(t, err)
	return auth, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), addrs...)
	}
}

// TestClientAddrNeedsAnIPExtractor: the token endpoints believe forwarding headers only through
// an IPExtractor the application set; without one they take the connection's address, not
// c.RealIP()'s fallback, which would take X-Forwarded-For from anyone.
func TestClientAddrNeedsAnIPExtractor(t *testing.T) {
	_, testNet, err := net.ParseCIDR("192.0.2.0/24")
	require.NoError(t, err)
	rows := []struct {
		name      string
		extractor echo.IPExtractor
		want      string
	}{
		{"no extractor: the connection", nil, "192.0.2.1"},
		{"ExtractIPDirect", echo.ExtractIPDirect(), "192.0.2.1"},
		{"X-Forwarded-For from a trusted proxy", echo.ExtractIPFromXFFHeader(echo.TrustIPRange(testNet)), "203.0.113.9"},
		{"X-Forwarded-For from an untrusted peer", echo.ExtractIPFromXFFHeader(), "192.0.2.1"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			auth, addrs := loginAddrs(t)
			e := echo.New()
			e.IPExtractor = row.extractor
			jwtecho.Mount(e.Group(jwtkit.DefaultPrefix), auth)
			req := httptest.NewRequest(http.MethodPost, "/api/token/", strings.NewReader(`{"username":"demo","password":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.Header.Set("X-Real-IP", "203.0.113.10")
			req.RemoteAddr = "192.0.2.1:4711"
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, []string{row.want}, addrs())
		})
	}
}
