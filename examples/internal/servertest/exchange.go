package servertest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// exchange is one request to a running server and its complete answer.
type exchange struct {
	Status  int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
}

// call describes a request: JSON body (POST) or none (GET), and what else it carries.
type call struct {
	method, url, body string
	bearer            string
	header            map[string]string
	cookies           []*http.Cookie
	// from is the local address to connect from (127.0.0.2, …): the server then sees another
	// client address, which is what per-address login limits count. Default: the system's.
	from string
}

// do sends c without keep-alive (an idle connection would hold up graceful shutdown).
func do(t *testing.T, c call) exchange {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, c.url, body)
	require.NoError(t, err)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if c.from != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(c.from)}
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return exchange{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Cookies: resp.Cookies()}
}

// cookie returns the cookie named name that the answer set, or fails the test.
func (e exchange) cookie(t *testing.T, name string) *http.Cookie {
	t.Helper()
	for _, c := range e.Cookies {
		if c.Name == name {
			return c
		}
	}
	require.Failf(t, "no such cookie", "%s in %v", name, e.Header.Values("Set-Cookie"))
	return nil
}

// fields decodes a JSON object body into its string members, and fails unless the object has
// exactly the names given: a body with one member too many (a refresh token where cookie mode
// leaves it out) is caught.
func (e exchange) fields(t *testing.T, names ...string) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(e.Body), &m), e.Body)
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	require.ElementsMatch(t, names, got, e.Body)
	return m
}
