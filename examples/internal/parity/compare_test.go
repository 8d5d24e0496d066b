package parity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// answer is a server's complete answer to one request.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) String() string {
	var hs []string
	for k, v := range a.header {
		if !slices.Contains([]string{"Date", "Server", "Content-Length"}, k) {
			hs = append(hs, fmt.Sprintf("%s: %q", k, v))
		}
	}
	slices.Sort(hs)
	return fmt.Sprintf("%d\n%s\n%s", a.status, strings.Join(hs, "\n"), a.body)
}

var client = &http.Client{
	Timeout:       30 * time.Second,
	Transport:     &http.Transport{DisableKeepAlives: true, DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// send makes r against base and reads the whole answer.
func send(t *testing.T, base string, r request) answer {
	t.Helper()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(context.Background(), r.method, base+r.path, body)
	require.NoError(t, err)
	for _, h := range r.header {
		req.Header[h[0]] = append(req.Header[h[0]], h[1])
	}
	resp, err := client.Do(req)
	require.NoError(t, err, "%s", r)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

var (
	jwtString  = regexp.MustCompile(`"(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)"`)
	parseError = regexp.MustCompile(`("(?:JSON|Multipart form) parse error - )(?:[^"\\]|\\.)*"`)
)

// comparable is an answer as the contract compares it: the status, the headers the contract
// speaks of (on the token endpoints Allow too), and the body with every token replaced by what
// it carries (type, user, lifetime, claim names) and the free text of a parse error dropped.
func comparable(a answer, tokenEndpoint bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", a.status)
	names := []string{"Content-Type", "WWW-Authenticate", "Retry-After", "Set-Cookie"}
	if tokenEndpoint {
		names = append(names, "Allow")
	}
	for _, n := range names {
		if v := a.header.Values(n); len(v) > 0 {
			fmt.Fprintf(&b, "%s: %q\n", n, v)
		}
	}
	body := jwtString.ReplaceAllStringFunc(string(a.body), func(s string) string {
		return `"` + describe(strings.Trim(s, `"`)) + `"`
	})
	body = parseError.ReplaceAllString(body, `$1…"`)
	b.WriteString(body)
	return b.String()
}

// describe is what an issued token carries, without what differs between two issues of it.
func describe(raw string) string {
	c := claimsOf(raw)
	if c == nil {
		return "<not a token>"
	}
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	slices.Sort(names)
	uid, _ := json.Marshal(c["user_id"])
	exp, _ := c["exp"].(float64)
	iat, _ := c["iat"].(float64)
	// The two servers mint a second or two apart: lifetimes are compared to ten seconds.
	now := float64(time.Now().Unix())
	issued := "now"
	if now-iat > 10 {
		issued = "earlier"
	}
	return fmt.Sprintf("<%v user_id=%s lifetime≈%v iat=%s claims=%s>", c["token_type"], uid,
		math.Round((exp-now)/10)*10, issued, strings.Join(names, ","))
}

// tokensIn are the tokens an answer's body holds.
func tokensIn(body []byte, from string) []token {
	var ts []token
	for _, m := range jwtString.FindAllStringSubmatch(string(body), -1) {
		ts = append(ts, issued(m[1], from))
	}
	return ts
}
