// Package walkthrough is the getting-started guide's curl session as a test: each
// getting-started program is started in-process and walked through the same requests, with
// the answers the guide shows.
package walkthrough

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Step is one request of the guide and the answer it shows.
type step struct {
	name        string
	method      string
	path        string
	contentType string
	body        string
	bearer      string
	status      int
	want        string // exact body, after trimming a trailing newline; "" checks only the status
}

// Run walks the program serving at baseURL ("http://127.0.0.1:port") through the guide.
func Run(t *testing.T, baseURL string) {
	t.Helper()
	run(t, baseURL, true)
}

// RunTokenEndpoints is Run without GET /api/health and GET /api/me, for a program whose HTTP
// server has only the token endpoints (the gRPC program: its public and protected calls are
// gRPC methods).
func RunTokenEndpoints(t *testing.T, baseURL string) {
	t.Helper()
	run(t, baseURL, false)
}

func run(t *testing.T, baseURL string, routes bool) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(s step) (int, http.Header, string) {
		t.Helper()
		var body io.Reader
		if s.body != "" {
			body = strings.NewReader(s.body)
		}
		req, err := http.NewRequest(s.method, baseURL+s.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if s.contentType != "" {
			req.Header.Set("Content-Type", s.contentType)
		}
		if s.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+s.bearer)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got := strings.TrimSuffix(string(b), "\n")
		if resp.StatusCode != s.status {
			t.Errorf("%s: status %d, want %d (body %s)", s.name, resp.StatusCode, s.status, got)
		}
		if s.want != "" && got != s.want {
			t.Errorf("%s: body\n got %s\nwant %s", s.name, got, s.want)
		}
		if s.status == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") != `Bearer realm="api"` {
			t.Errorf("%s: WWW-Authenticate %q", s.name, resp.Header.Get("WWW-Authenticate"))
		}
		return resp.StatusCode, resp.Header, got
	}
	tokens := func(body string) map[string]string {
		t.Helper()
		var m map[string]string
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("not a token body: %s", body)
		}
		return m
	}
	const (
		jsonType = "application/json"
		formType = "application/x-www-form-urlencoded"
		login    = `{"username":"demo","password":"demo-password"}`
	)

	if routes {
		do(step{name: "health", method: "GET", path: "/api/health", status: 200, want: `{"status":"ok"}`})
	}

	_, header, body := do(step{name: "obtain", method: "POST", path: "/api/token/", contentType: jsonType, body: login, status: 200})
	pair := tokens(body)
	if pair["access"] == "" || pair["refresh"] == "" || len(pair) != 2 {
		t.Fatalf("obtain answered %s", body)
	}
	if header.Get("Cache-Control") != "no-store" {
		t.Errorf("obtain: Cache-Control %q", header.Get("Cache-Control"))
	}
	do(step{name: "obtain with a form", method: "POST", path: "/api/token/", contentType: formType,
		body: "username=demo&password=demo-password", status: 200})
	do(step{name: "wrong password", method: "POST", path: "/api/token/", contentType: jsonType,
		body: `{"username":"demo","password":"nope"}`, status: 401,
		want: `{"detail":"No active account found with the given credentials"}`})
	do(step{name: "inactive user", method: "POST", path: "/api/token/", contentType: jsonType,
		body: `{"username":"inactive","password":"demo-password"}`, status: 401,
		want: `{"detail":"No active account found with the given credentials"}`})
	do(step{name: "missing field", method: "POST", path: "/api/token/", contentType: jsonType,
		body: `{"username":"demo"}`, status: 400, want: `{"password":["This field is required."]}`})

	if routes {
		do(step{name: "me without a token", method: "GET", path: "/api/me", status: 401,
			want: `{"detail":"Authentication credentials were not provided."}`})
		do(step{name: "me", method: "GET", path: "/api/me", bearer: pair["access"], status: 200,
			want: `{"user_id":1,"username":"demo"}`})
		do(step{name: "me with the refresh token", method: "GET", path: "/api/me", bearer: pair["refresh"], status: 401,
			want: `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"}]}`})
	}

	_, _, body = do(step{name: "refresh", method: "POST", path: "/api/token/refresh/", contentType: jsonType,
		body: `{"refresh":"` + pair["refresh"] + `"}`, status: 200})
	if fresh := tokens(body); fresh["access"] == "" || len(fresh) != 1 {
		t.Errorf("refresh answered %s", body)
	}
	do(step{name: "verify", method: "POST", path: "/api/token/verify/", contentType: formType,
		body: "token=" + url.QueryEscape(pair["access"]), status: 200, want: `{}`})
	do(step{name: "blacklist", method: "POST", path: "/api/token/blacklist/", contentType: jsonType,
		body: `{"refresh":"` + pair["refresh"] + `"}`, status: 200, want: `{}`})
	do(step{name: "refresh after logout", method: "POST", path: "/api/token/refresh/", contentType: jsonType,
		body: `{"refresh":"` + pair["refresh"] + `"}`, status: 401,
		want: `{"detail":"Token is blacklisted","code":"token_not_valid"}`})
	_, header, _ = do(step{name: "GET on a token endpoint", method: "GET", path: "/api/token/", status: 405,
		want: `{"detail":"Method \"GET\" not allowed."}`})
	if header.Get("Allow") != "POST, OPTIONS" {
		t.Errorf("405: Allow %q", header.Get("Allow"))
	}
	declaredBody(t, strings.TrimPrefix(baseURL, "http://"))
}

// declaredBody sends only the header of a login whose Content-Length is 4 MB: the program
// answers the 413 the guide's security notes promise from the header alone, without waiting
// for (or allocating) the body.
func declaredBody(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	_, err = io.WriteString(c, "POST /api/token/ HTTP/1.1\r\nHost: "+addr+
		"\r\nContent-Type: application/json\r\nContent-Length: 4000000\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("declared body: no answer from the header alone: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge || string(b) != `{"detail":"Request body is too large."}` {
		t.Errorf("declared body: %d %s", resp.StatusCode, b)
	}
}

// CheckServer checks that srv bounds every connection: header, whole-request, write and idle
// timeouts and a header size limit, none left at net/http's zero (no limit) or 1 MiB default.
func CheckServer(t *testing.T, srv *http.Server) {
	t.Helper()
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout,
		"ReadTimeout": srv.ReadTimeout, "WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s is %v: set it, to seconds", name, d)
		}
	}
	if srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Errorf("ReadHeaderTimeout %v is longer than ReadTimeout %v, which bounds the header too", srv.ReadHeaderTimeout, srv.ReadTimeout)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes >= http.DefaultMaxHeaderBytes {
		t.Errorf("MaxHeaderBytes is %d: set it below net/http's 1 MiB default", srv.MaxHeaderBytes)
	}
}
