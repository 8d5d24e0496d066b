package jwtfiber_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtfiber "github.com/jwtkit/jwtkit/adapters/fiber"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// TestClientAddrFollowsFiber: the token endpoints take the client address from c.IP(): the
// connection's unless the app names a ProxyHeader, and then the header's only from a trusted
// proxy when EnableTrustedProxyCheck is on.
func TestClientAddrFollowsFiber(t *testing.T) {
	rows := []struct {
		name string
		cfg  fiber.Config
		want string
	}{
		{"default: the connection", fiber.Config{}, "127.0.0.1"},
		{"ProxyHeader from a trusted proxy", fiber.Config{ProxyHeader: fiber.HeaderXForwardedFor,
			EnableTrustedProxyCheck: true, TrustedProxies: []string{"127.0.0.1"}}, "203.0.113.9"},
		{"ProxyHeader from an untrusted peer", fiber.Config{ProxyHeader: fiber.HeaderXForwardedFor,
			EnableTrustedProxyCheck: true, TrustedProxies: []string{"198.51.100.1"}}, "127.0.0.1"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			var mu sync.Mutex
			var addrs []string
			auth := newAuth(t, func(c *jwtkit.Config) {
				c.Audit = func(_ context.Context, e jwtkit.AuditEvent) {
					mu.Lock()
					defer mu.Unlock()
					addrs = append(addrs, e.ClientAddr)
				}
			})
			row.cfg.DisableStartupMessage = true
			app := fiber.New(row.cfg)
			jwtfiber.Mount(app.Group(jwtkit.DefaultPrefix), auth)
			base := serve(t, app)

			req, err := http.NewRequest(http.MethodPost, base+"/api/token/", strings.NewReader(`{"username":"user1","password":"x"}`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{row.want}, addrs)
		})
	}
}
