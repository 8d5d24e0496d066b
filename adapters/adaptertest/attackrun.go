package adaptertest

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// tableConfig is the main table server's configuration on top of newServer's: the table's
// fixed clock and leeway, so that every hand-built token means the same on every run.
func tableConfig(c *jwtkit.Config) {
	c.Clock = func() time.Time { return time.Unix(tableNow, 0) }
	c.Leeway = tableLeeway * time.Second
}

// rsaKey is srvRSA's key, generated once per test binary: RSA key generation is slow.
var rsaKey = sync.OnceValues(func() (*jwtkit.Key, error) { return jwtkit.GenerateKey(jwtkit.RS256, "") })

func runAttacks(t *testing.T, start Start, base Options) {
	var fetched atomic.Int32
	lure := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetched.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(lure.Close)

	rsa, err := rsaKey()
	require.NoError(t, err)
	esKey256, err := jwtkit.NewPrivateKey(jwtkit.ES256, esKey, "")
	require.NoError(t, err)
	servers := map[serverKind]*server{
		srvMain: newServer(t, start, base, tableConfig),
		srvAudIss: newServer(t, start, base, func(c *jwtkit.Config) {
			tableConfig(c)
			c.Audience, c.Issuer = tableAudience, tableIssuer
		}),
		srvRSA:     newServer(t, start, base, func(c *jwtkit.Config) { tableConfig(c); c.SigningKey = rsa }),
		srvES:      newServer(t, start, base, func(c *jwtkit.Config) { tableConfig(c); c.SigningKey = esKey256 }),
		srvSources: newServer(t, start, withSources(base, FuzzSources()), tableConfig),
	}
	rsaPair, err := servers[srvRSA].auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	rsaPEM, err := rsa.PublicPEM()
	require.NoError(t, err)
	rsaDER, err := x509.MarshalPKIXPublicKey(rsa.PublicKey())
	require.NoError(t, err)
	env := attackEnv{lure: lure.URL, rsaPEM: rsaPEM, rsaDER: rsaDER, rsaToken: rsaPair.Access,
		maxHeaderBytes: base.MaxHeaderBytes}
	keyMaterial := []string{string(secret), b64.EncodeToString(secret), base64.StdEncoding.EncodeToString(secret)}
	for _, line := range strings.Split(string(rsaPEM), "\n") {
		if !strings.HasPrefix(line, "-----") {
			keyMaterial = append(keyMaterial, line)
		}
	}

	for _, a := range attacks(env) {
		t.Run(a.group+"/"+a.name, func(t *testing.T) {
			w := a.want
			if a.fast != nil && (base.Server == FastHTTP || base.Server == FastHTTPStrict && !a.ctlByte) {
				w = *a.fast
			}
			got, err := send(servers[a.srv].base, a.req)
			require.NoError(t, err)
			if w.server {
				assert.Equal(t, w.status, got.status, "the HTTP server's own answer; body %q", clip(got.body))
			} else {
				expect(t, got, w.status, w.body, strings.HasPrefix(a.req.path, "/api/token/"))
			}
			assertClean(t, got.body, a.secrets, keyMaterial)
		})
	}
	assert.Zero(t, fetched.Load(), "a header made a server fetch a URL")
}

// send writes r to a new connection to the server at base exactly as given, so a header may
// hold bytes an HTTP client refuses to send, and reads the answer.
func send(base string, r request) (answer, error) {
	u, err := url.Parse(base)
	if err != nil {
		return answer{}, err
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))

	var b strings.Builder
	target := r.path
	if r.query != "" {
		target += "?" + r.query
	}
	b.WriteString(r.method + " " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\n")
	for _, v := range r.auth {
		b.WriteString("Authorization: " + v + "\r\n")
	}
	if r.cookie != "" {
		b.WriteString("Cookie: " + r.cookie + "\r\n")
	}
	if r.method == http.MethodPost {
		b.WriteString("Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(r.body)) + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n" + r.body)

	// Written from another goroutine: a server that answers an oversized header early stops
	// reading, and the answer is read while the rest is still being written.
	written := make(chan struct{})
	go func() {
		defer close(written)
		_, _ = io.WriteString(conn, b.String())
	}()
	defer func() { _ = conn.Close(); <-written }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(body)}, nil
}

// internalTexts are fragments of the error strings of core, golang-jwt, encoding/json and the
// runtime: an answer holding one leaked an internal error.
var internalTexts = []string{
	"token is malformed", "signature is invalid", "token has invalid", "signing method", "illegal base64",
	"duplicate claim", "crit", "kid", "invalid character", "unexpected end", "cannot unmarshal",
	"goroutine", "runtime error", "panic", "6379", "connection refused",
}

// assertClean checks an answer's body for what it must never hold: the request's tokens or any
// segment of them, key material, or an internal error text.
func assertClean(t *testing.T, body string, secrets, keyMaterial []string) {
	t.Helper()
	for _, s := range secrets {
		for _, frag := range append([]string{s}, strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r <= ' ' || r == 0x7f })...) {
			if len(frag) >= 8 {
				assert.NotContains(t, body, frag, "the answer echoes the token")
			}
		}
	}
	for _, k := range keyMaterial {
		if len(k) >= 8 {
			assert.NotContains(t, body, k, "the answer holds key material")
		}
	}
	lower := strings.ToLower(body)
	for _, s := range internalTexts {
		assert.NotContains(t, lower, s, "the answer holds an internal error text")
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
