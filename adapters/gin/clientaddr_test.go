package jwtgin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
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
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("gin-adapter-test-k3y-9f2c81d7e64ab05c3e7Q"), "")
	require.NoError(t, err)
	var mu sync.Mutex
	var addrs []string
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{},
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

// TestClientAddrFollowsTrustedProxies: the token endpoints take the client address from
// c.ClientIP(), so the engine's trusted proxies decide whether X-Forwarded-For is believed.
func TestClientAddrFollowsTrustedProxies(t *testing.T) {
	rows := []struct {
		name    string
		proxies []string
		set     bool
		want    string
	}{
		{"gin's default trusts every peer", nil, false, "203.0.113.9"},
		{"no trusted proxy", nil, true, "192.0.2.1"},
		{"the peer is a trusted proxy", []string{"192.0.2.0/24"}, true, "203.0.113.9"},
		{"the peer is not a trusted proxy", []string{"198.51.100.1"}, true, "192.0.2.1"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			auth, addrs := loginAddrs(t)
			r := gin.New()
			if row.set {
				require.NoError(t, r.SetTrustedProxies(row.proxies))
			}
			jwtgin.Mount(r.Group(jwtkit.DefaultPrefix), auth)
			req := httptest.NewRequest(http.MethodPost, "/api/token/", strings.NewReader(`{"username":"demo","password":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.RemoteAddr = "192.0.2.1:4711"
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			assert.Equal(t, []string{row.want}, addrs())
		})
	}
}

// TestJWKSHandler: the JWKS handler mounted with Any answers every method as core's
// ServeJWKS does.
func TestJWKSHandler(t *testing.T) {
	key, err := jwtkit.GenerateKey(jwtkit.ES256, "k1")
	require.NoError(t, err)
	store, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{}, Audit: jwtkit.NoAudit})
	require.NoError(t, err)
	r := gin.New()
	r.Any(jwtkit.JWKSPath, jwtgin.JWKS(auth))
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodOptions} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(m, jwtkit.JWKSPath, nil))
		want := auth.ServeJWKS(m)
		assert.Equal(t, want.Status, w.Code, m)
		assert.Equal(t, string(want.Body), w.Body.String(), m)
		assert.Equal(t, want.Header.Get("Cache-Control"), w.Header().Get("Cache-Control"), m)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, jwtkit.JWKSPath, nil))
	assert.Contains(t, w.Body.String(), `"kid":"k1"`)
}
