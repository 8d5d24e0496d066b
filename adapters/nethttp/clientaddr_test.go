package jwthttp_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// noUsers refuses every login.
type noUsers struct{}

func (noUsers) Authenticate(context.Context, string, string) (jwtkit.User, error) {
	return jwtkit.User{}, jwtkit.ErrBadCredentials
}

func (noUsers) LookupUser(context.Context, jwtkit.UserID) (jwtkit.User, error) {
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

// TestClientAddrIsTheConnection: the token endpoints take the client address from
// r.RemoteAddr, without its port, and believe no forwarding header.
func TestClientAddrIsTheConnection(t *testing.T) {
	store, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("jwthttp-tests-secret-0123456789-abcdefgh"), "")
	require.NoError(t, err)
	var mu sync.Mutex
	var addrs []string
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: noUsers{},
		Audit: func(_ context.Context, e jwtkit.AuditEvent) {
			mu.Lock()
			defer mu.Unlock()
			addrs = append(addrs, e.ClientAddr)
		}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	jwthttp.Mount(mux, jwtkit.DefaultPrefix, auth)
	for _, remote := range []string{"192.0.2.1:4711", "[2001:db8::1]:443"} {
		req := httptest.NewRequest(http.MethodPost, "/api/token/", strings.NewReader(`{"username":"demo","password":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		req.RemoteAddr = remote
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		assert.Equal(t, http.StatusUnauthorized, w.Code)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"192.0.2.1", "2001:db8::1"}, addrs)
}
