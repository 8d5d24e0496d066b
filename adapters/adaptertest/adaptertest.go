package adaptertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// Options are what Start builds a server with: the adapter settings the suite varies, and the
// HTTP server's own limits, which the adapter's test states and Start applies.
type Options struct {
	// Sources is the adapter Config's Sources (nil: the adapter's default, the header only).
	// Run varies it; its value in Run's Options is ignored.
	Sources []jwtkit.TokenSource
	// Server is the HTTP server Start serves the app with. Some hostile requests are answered
	// by the server itself, differently by each (see the attack table).
	//
	// Optional. Default: NetHTTP.
	Server Server
	// MaxHeaderBytes is the server's own limit on a request's header block, which Start must
	// apply: http.Server.MaxHeaderBytes on net/http, fiber.Config.ReadBufferSize on Fiber. The
	// attack table sends headers on both sides of it and expects the server's 431 above it.
	//
	// Required by Run.
	MaxHeaderBytes int
}

// Server names the HTTP server implementation in front of an adapter.
type Server int

const (
	// NetHTTP is net/http's http.Server (the net/http, Gin and Echo adapters). It answers 400
	// itself to a header value holding a control byte other than TAB, and 431 to a header
	// block more than 4 KiB over MaxHeaderBytes.
	NetHTTP Server = iota
	// FastHTTP is valyala/fasthttp before v1.69 (Fiber v2). It passes control bytes other than
	// LF to the app and answers 431 to a header block over its read buffer.
	FastHTTP
	// FastHTTPStrict is valyala/fasthttp from v1.69 on (Fiber v3, which requires it). It
	// answers 400 itself to a header value holding a control byte other than TAB, as net/http
	// does, and otherwise reads a request as FastHTTP does.
	FastHTTPStrict
)

// Start builds the adapter's test app around auth and serves it on a loopback listener; it
// returns the base URL ("http://127.0.0.1:port") and stops the server in t.Cleanup. The app:
//
//   - the token endpoints mounted at /api (the adapter's Mount);
//   - GET /api/me behind Middleware: 200, Content-Type application/json, body Me(identity);
//   - GET /api/optional behind Optional: the same, with Me(nil) for an anonymous request;
//   - GET /api/health, public: 200 {"status":"ok"};
//   - POST /api/me behind Middleware, answering as GET /api/me does, so that the CSRF check of
//     a cookie-authenticated request of an unsafe method can be seen;
//   - jwtkit.JWKSPath served by the adapter's JWKS handler, for every method.
type Start func(t testing.TB, auth *jwtkit.Auth, opts Options) (baseURL string)

// Me is the body of GET (and POST) /api/me: {"user_id":1,"username":"demo"}, or
// {"user_id":null} for an anonymous request.
func Me(id *jwtkit.Identity) []byte {
	if id == nil {
		return []byte(`{"user_id":null}`)
	}
	name, _ := id.User.Value.(string)
	b, _ := json.Marshal(struct {
		UserID   jwtkit.UserID `json:"user_id"`
		Username string        `json:"username"`
	}{id.User.ID, name})
	return b
}

// The contract's bodies.
const (
	bodyInvalid     = `{"detail":"Token is invalid or expired","code":"token_not_valid"}`
	bodyWrongType   = `{"detail":"Token has wrong type","code":"token_not_valid"}`
	bodyBlacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	bodyCredentials = `{"detail":"No active account found with the given credentials"}`
	bodyUnavailable = `{"detail":"Service temporarily unavailable, try again later.","code":"store_unavailable"}`
	bodyNotProvided = `{"detail":"Authentication credentials were not provided."}`
	bodyBadHeader   = `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`
	bodyDemo        = `{"user_id":1,"username":"demo"}`
)

func protectedBody(messages ...string) string {
	var parts []string
	for i, m := range messages {
		class, typ := "AccessToken", "access"
		if i == 1 {
			class, typ = "SlidingToken", "sliding"
		}
		parts = append(parts, `{"token_class":"`+class+`","token_type":"`+typ+`","message":"`+m+`"}`)
	}
	return `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[` + strings.Join(parts, ",") + `]}`
}

// userStore holds the example servers' demo users, demo / demo-password (id 1, active) and
// inactive / demo-password (id 2, inactive). Each server has its own, so that a test can
// change a password (CheckRevokeToken) without touching another server's users.
type userStore struct {
	mu    sync.Mutex
	users map[string]demoUser
}

type demoUser struct {
	id       int64
	active   bool
	password string
}

func newUsers() *userStore {
	return &userStore{users: map[string]demoUser{
		"demo":     {id: 1, active: true, password: "demo-password"},
		"inactive": {id: 2, active: false, password: "demo-password"},
	}}
}

// user is u as core sees it; PasswordHash stands for a stored hash: it changes with the
// password.
func (u demoUser) user(name string) jwtkit.User {
	sum := sha256.Sum256([]byte(u.password))
	return jwtkit.User{ID: jwtkit.IntUserID(u.id), Active: u.active, Value: name,
		PasswordHash: "sha256$" + hex.EncodeToString(sum[:])}
}

func (s *userStore) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok || password != u.password {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return u.user(name), nil
}

func (s *userStore) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, u := range s.users {
		if n, ok := id.Int(); ok && n == u.id {
			return u.user(name), nil
		}
	}
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

// setPassword changes a user's password, and with it the hash core fingerprints.
func (s *userStore) setPassword(name, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[name]
	u.password = password
	s.users[name] = u
}

// outage wraps a real store and fails every call while down is set, as an unreachable server
// would; the store behind it is the real memory store, whose optional interfaces
// (RotationStore, LoginLimiter) it passes on, failing as well while down.
type outage struct {
	*memstore.Store
	down atomic.Bool
}

var errOutage = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func (o *outage) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if o.down.Load() {
		return errOutage
	}
	return o.Store.Revoke(ctx, jti, exp)
}

func (o *outage) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if o.down.Load() {
		return false, errOutage
	}
	return o.Store.RevokeOnce(ctx, jti, exp)
}

func (o *outage) RevokeUser(ctx context.Context, userID string, issuedBefore, exp time.Time) error {
	if o.down.Load() {
		return errOutage
	}
	return o.Store.RevokeUser(ctx, userID, issuedBefore, exp)
}

func (o *outage) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if o.down.Load() {
		return errOutage
	}
	return o.Store.RevokeFamily(ctx, family, exp)
}

func (o *outage) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if o.down.Load() {
		return false, errOutage
	}
	return o.Store.Revoked(ctx, ref)
}

func (o *outage) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, graceUntil time.Time) (bool, error) {
	if o.down.Load() {
		return false, errOutage
	}
	return o.Store.RotateOnce(ctx, jti, exp, answer, graceUntil)
}

func (o *outage) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if o.down.Load() {
		return nil, errOutage
	}
	return o.Store.RotatedAnswer(ctx, jti, now)
}

func (o *outage) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if o.down.Load() {
		return 0, errOutage
	}
	return o.Store.LoginAttempt(ctx, key, id, limit, window, now)
}

func (o *outage) LoginForget(ctx context.Context, key, id string) error {
	if o.down.Load() {
		return errOutage
	}
	return o.Store.LoginForget(ctx, key, id)
}

// secret is the suite's HS256 key material.
var secret = []byte("adaptertest-secret-0123456789-abcdefghij")

// server is one running app with its Auth.
type server struct {
	t      *testing.T
	base   string
	auth   *jwtkit.Auth
	store  *outage
	users  *userStore
	client *http.Client
}

func newServer(t *testing.T, start Start, opts Options, edit func(*jwtkit.Config)) *server {
	t.Helper()
	mem, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = mem.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, secret, "")
	require.NoError(t, err)
	s := &server{t: t, store: &outage{Store: mem}, users: newUsers()}
	// Audit events would go to slog.Default() and flood the test output; a test that looks
	// at them sets its own hook in edit.
	cfg := jwtkit.Config{SigningKey: key, Store: s.store, Users: s.users, Audit: jwtkit.NoAudit}
	if edit != nil {
		edit(&cfg)
	}
	s.auth, err = jwtkit.New(cfg)
	require.NoError(t, err)
	s.base = start(t, s.auth, opts)
	s.client = newClient(t)
	return s
}

// newClient returns the suite's HTTP client. It has a transport of its own, closed first at
// cleanup, so a server's graceful shutdown never waits on the suite's idle keep-alive
// connections.
func newClient(t *testing.T) *http.Client {
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{
		Transport:     transport,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// answer is a response as the suite compares it.
type answer struct {
	status int
	header http.Header
	body   string
}

// do sends one request; headers are name/value pairs, repeated names send repeated headers.
func (s *server) do(method, path, contentType, body string, headers ...string) answer {
	s.t.Helper()
	a, err := s.send(method, path, contentType, body, headers...)
	require.NoError(s.t, err)
	return a
}

// send is do for any goroutine: it returns the error instead of failing the test.
func (s *server) send(method, path, contentType, body string, headers ...string) (answer, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, r)
	if err != nil {
		return answer{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

func (s *server) postJSON(path, body string, headers ...string) answer {
	s.t.Helper()
	return s.do(http.MethodPost, path, "application/json", body, headers...)
}

func (s *server) login() (access, refresh string) {
	s.t.Helper()
	a := s.postJSON("/api/token/", `{"username":"demo","password":"demo-password"}`)
	require.Equal(s.t, http.StatusOK, a.status, a.body)
	var m map[string]string
	require.NoError(s.t, json.Unmarshal([]byte(a.body), &m))
	return m["access"], m["refresh"]
}

// expect checks an answer against the contract: status, exact body, JSON content type, the
// challenge on every 401 and only there, no-store on every token-endpoint answer.
func expect(t *testing.T, a answer, status int, body string, tokenEndpoint bool) {
	t.Helper()
	assert.Equal(t, status, a.status, "status; body %s", a.body)
	if body != "" {
		assert.Equal(t, body, a.body)
	}
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	if status == http.StatusUnauthorized {
		assert.Equal(t, `Bearer realm="api"`, a.header.Get("WWW-Authenticate"))
	} else {
		assert.Empty(t, a.header.Values("WWW-Authenticate"))
	}
	if tokenEndpoint {
		assert.Equal(t, "no-store", a.header.Get("Cache-Control"))
		// A DRF view names its methods on every answer, whatever the status.
		assert.Equal(t, "POST, OPTIONS", a.header.Get("Allow"))
	}
	assert.NotContains(t, a.body, "6379", "no internal error text in a body")
}

// Run runs the whole contract, a body refused from its declared length alone, the attack
// table and the features beyond simplejwt (reuse
// detection, revoke-all, CheckRevokeToken, cookie mode and CSRF, JWKS, login rate) against the
// adapter that start builds.
// opts describes the server Start builds (Server, MaxHeaderBytes); Run passes it to every
// Start call, with Sources set as each part of the suite needs.
func Run(t *testing.T, start Start, opts Options) {
	require.Positive(t, opts.MaxHeaderBytes, "adaptertest.Run: state the server's header limit in Options.MaxHeaderBytes")
	base := opts
	base.Sources = nil
	t.Run("contract", func(t *testing.T) {
		s := newServer(t, start, base, nil)
		runContract(t, s, s.fixtures(t))
	})
	t.Run("methods", func(t *testing.T) {
		runMethods(t, newServer(t, start, base, func(c *jwtkit.Config) { c.SlidingTokens = true }),
			slices.Concat(pairPaths, slidingPaths))
	})
	t.Run("rotation", func(t *testing.T) {
		runRotation(t, newServer(t, start, base, func(c *jwtkit.Config) {
			c.RotateRefreshTokens = true
			c.BlacklistAfterRotation = true
		}))
	})
	t.Run("sliding", func(t *testing.T) {
		runSliding(t, newServer(t, start, base, func(c *jwtkit.Config) { c.SlidingTokens = true }))
	})
	t.Run("store outage", func(t *testing.T) { runOutage(t, newServer(t, start, base, nil)) })
	t.Run("declared body", func(t *testing.T) {
		s := newServer(t, start, base, nil)
		runDeclaredBody(t, s.base, s.auth.Config().MaxBodyBytes)
	})
	t.Run("sources", func(t *testing.T) {
		runSources(t, newServer(t, start, withSources(base, FuzzSources()), nil), newServer(t, start, base, nil))
	})
	t.Run("attacks", func(t *testing.T) { runAttacks(t, start, base) })
	t.Run("features", func(t *testing.T) { runFeatures(t, start, base) })
}

// withSources is opts with the sources set.
func withSources(opts Options, sources []jwtkit.TokenSource) Options {
	opts.Sources = sources
	return opts
}

// fixtures are the tokens runContract needs besides a fresh login, and what the app serves
// besides the token endpoints, /api/me and /api/health.
type fixtures struct {
	// revokedAccess and revokedRefresh are a pair whose tokens are both revoked.
	revokedAccess, revokedRefresh string
	// ghost is an access token of user 404, who does not exist; inactive one of user 2.
	ghost, inactive string
	// optional says the app serves GET /api/optional behind Optional.
	optional bool
}

// fixtures makes them with the Auth and the store of an in-process server.
func (s *server) fixtures(t *testing.T) fixtures {
	revokedAccess, revokedRefresh := s.login()
	require.Equal(t, http.StatusOK, s.postJSON("/api/token/blacklist/", `{"refresh":"`+revokedRefresh+`"}`).status)
	ctx := context.Background()
	tok, err := s.auth.Validate(ctx, revokedAccess, jwtkit.TypeAccess)
	require.NoError(t, err)
	require.NoError(t, s.store.Revoke(ctx, tok.ID, tok.ExpiresAt))
	ghost, err := s.auth.IssuePair(ctx, jwtkit.IntUserID(404), nil)
	require.NoError(t, err)
	inactive, err := s.auth.IssuePair(ctx, jwtkit.IntUserID(2), nil)
	require.NoError(t, err)
	return fixtures{revokedAccess: revokedAccess, revokedRefresh: revokedRefresh,
		ghost: ghost.Access, inactive: inactive.Access, optional: true}
}

func runContract(t *testing.T, s *server, fx fixtures) {
	access, refresh := s.login()
	revokedAccess, revokedRefresh := fx.revokedAccess, fx.revokedRefresh
	forged := access[:len(access)-4] + "AAAA"
	if forged == access {
		forged = access[:len(access)-4] + "BBBB"
	}

	rows := []struct {
		name, path, contentType, body string
		status                        int
		want                          string
	}{
		{"obtain", "/api/token/", "application/json", `{"username":"demo","password":"demo-password"}`, 200, ""},
		{"obtain form", "/api/token/", "application/x-www-form-urlencoded", "username=demo&password=demo-password", 200, ""},
		{"obtain wrong password", "/api/token/", "application/json", `{"username":"demo","password":"x"}`, 401, bodyCredentials},
		{"obtain unknown user", "/api/token/", "application/json", `{"username":"nobody","password":"demo-password"}`, 401, bodyCredentials},
		{"obtain inactive user", "/api/token/", "application/json", `{"username":"inactive","password":"demo-password"}`, 401, bodyCredentials},
		{"obtain missing fields", "/api/token/", "application/json", `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"obtain missing password, form", "/api/token/", "application/x-www-form-urlencoded", "username=demo", 400, `{"password":["This field is required."]}`},
		{"obtain blank", "/api/token/", "application/json", `{"username":"","password":"x"}`, 400, `{"username":["This field may not be blank."]}`},
		{"obtain unsupported type", "/api/token/", "text/plain", `username=demo`, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"obtain oversized body", "/api/token/", "application/json", `{"username":"` + strings.Repeat("x", 100<<10) + `"}`, 413, `{"detail":"Request body is too large."}`},
		// DRF's three default parsers, as a browser's FormData and other clients send them.
		{"obtain multipart", "/api/token/", multipartType, multipartBody("username", "demo", "password", "demo-password"), 200, ""},
		{"obtain multipart, an epilogue after the closing delimiter", "/api/token/", multipartType, multipartBody("username", "demo", "password", "demo-password") +
			"\r\n", 200, ""},
		{"obtain multipart without boundary", "/api/token/", "multipart/form-data", multipartBody("username", "demo"), 400,
			`{"detail":"Multipart form parse error - Invalid boundary in multipart: None"}`},
		{"obtain any media type", "/api/token/", "*/*", `{"username":"demo","password":"demo-password"}`, 200, ""},
		// DRF CharField's answers, in its order.
		{"obtain NUL and lone surrogate", "/api/token/", "application/json", `{"username":"a\u0000\ud800","password":1e999}`, 400,
			`{"username":["Null characters are not allowed.","Surrogate characters are not allowed: U+D800."]}`},
		{"obtain not strings", "/api/token/", "application/json", `{"username":["demo"],"password":true}`, 400,
			`{"username":["Not a valid string."],"password":["Not a valid string."]}`},
		{"obtain null field and blank after Python's strip", "/api/token/", "application/json", `{"username":null,"password":"\u001c "}`, 400,
			`{"username":["This field may not be null."],"password":["This field may not be blank."]}`},
		{"obtain number as text", "/api/token/", "application/json", `{"username":1e999,"password":"x"}`, 401, bodyCredentials},
		{"obtain null body", "/api/token/", "application/json", `null`, 400, `{"non_field_errors":["No data provided"]}`},
		{"obtain list body", "/api/token/", "application/json", `[]`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"refresh", "/api/token/refresh/", "application/json", `{"refresh":"` + refresh + `"}`, 200, ""},
		{"refresh multipart", "/api/token/refresh/", multipartType, multipartBody("refresh", refresh), 200, ""},
		{"refresh form", "/api/token/refresh/", "application/x-www-form-urlencoded", "refresh=" + url.QueryEscape(refresh), 200, ""},
		{"refresh missing", "/api/token/refresh/", "application/json", `{}`, 400, `{"refresh":["This field is required."]}`},
		{"refresh blank", "/api/token/refresh/", "application/json", `{"refresh":""}`, 400, `{"refresh":["This field may not be blank."]}`},
		{"refresh malformed", "/api/token/refresh/", "application/json", `{"refresh":"abc"}`, 401, bodyInvalid},
		{"refresh forged", "/api/token/refresh/", "application/json", `{"refresh":"` + forged + `"}`, 401, bodyInvalid},
		{"refresh oversized token", "/api/token/refresh/", "application/json", `{"refresh":"` + strings.Repeat("a", 9000) + `.b.c"}`, 401, bodyInvalid},
		{"refresh with access", "/api/token/refresh/", "application/json", `{"refresh":"` + access + `"}`, 401, bodyWrongType},
		{"refresh blacklisted", "/api/token/refresh/", "application/json", `{"refresh":"` + revokedRefresh + `"}`, 401, bodyBlacklisted},
		{"verify access", "/api/token/verify/", "application/json", `{"token":"` + access + `"}`, 200, `{}`},
		{"verify refresh, form", "/api/token/verify/", "application/x-www-form-urlencoded", "token=" + refresh, 200, `{}`},
		{"verify missing", "/api/token/verify/", "application/json", `{}`, 400, `{"token":["This field is required."]}`},
		{"verify malformed", "/api/token/verify/", "application/json", `{"token":"a.b.c"}`, 401, bodyInvalid},
		{"verify blacklisted", "/api/token/verify/", "application/json", `{"token":"` + revokedRefresh + `"}`, 401, bodyBlacklisted},
		{"verify revoked access", "/api/token/verify/", "application/json", `{"token":"` + revokedAccess + `"}`, 401, bodyBlacklisted},
		{"blacklist with access", "/api/token/blacklist/", "application/json", `{"refresh":"` + access + `"}`, 401, bodyWrongType},
		{"blacklist blacklisted", "/api/token/blacklist/", "application/json", `{"refresh":"` + revokedRefresh + `"}`, 401, bodyBlacklisted},
		{"blacklist malformed", "/api/token/blacklist/", "application/json", `{"refresh":"x.y"}`, 401, bodyInvalid},
		{"blacklist missing", "/api/token/blacklist/", "application/json", `{}`, 400, `{"refresh":["This field is required."]}`},
	}
	file := "--" + multipartBoundary + "\r\nContent-Disposition: form-data; name=\"username\"; filename=\"u.txt\"\r\n\r\ndemo\r\n" +
		multipartBody("password", "demo-password")
	rows = append(rows, struct {
		name, path, contentType, body string
		status                        int
		want                          string
	}{"obtain multipart, a file as a field", "/api/token/", multipartType, file, 400, `{"username":["Not a valid string."]}`})
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			a := s.do(http.MethodPost, row.path, row.contentType, row.body)
			expect(t, a, row.status, row.want, true)
			if row.status == 200 && row.want == "" {
				assert.Regexp(t, `^\{("refresh":"[\w.-]+",)?"access":"[\w.-]+"\}$`, a.body)
			}
		})
	}
	t.Run("obtain not JSON", func(t *testing.T) {
		// DRF's message after the dash is the parser's own text: only its start is the contract's.
		a := s.do(http.MethodPost, "/api/token/", "application/json", `{"username":`)
		expect(t, a, 400, "", true)
		assert.True(t, strings.HasPrefix(a.body, `{"detail":"JSON parse error - `), a.body)
	})
	t.Run("obtain malformed multipart", func(t *testing.T) {
		// No closing delimiter: refused whole, with DRF's prefix (the text after it is free),
		// by core and not by the framework (fasthttp parses multipart itself unless told not to).
		body := strings.TrimSuffix(multipartBody("username", "demo"), "--"+multipartBoundary+"--\r\n")
		a := s.do(http.MethodPost, "/api/token/", multipartType, body)
		expect(t, a, 400, "", true)
		assert.True(t, strings.HasPrefix(a.body, `{"detail":"Multipart form parse error - `), a.body)
	})
	t.Run("sliding disabled", func(t *testing.T) {
		// Not mounted: the router's own 404, whatever its body.
		assert.Equal(t, http.StatusNotFound, s.do(http.MethodPost, "/api/token/sliding/", "application/json", `{}`).status)
	})

	protected := []struct {
		name    string
		headers []string
		status  int
		want    string
	}{
		{"valid", []string{"Authorization", "Bearer " + access}, 200, bodyDemo},
		{"no header", nil, 401, bodyNotProvided},
		{"other scheme", []string{"Authorization", "Basic ZGVtbzpkZW1v"}, 401, bodyNotProvided},
		{"bearer alone", []string{"Authorization", "Bearer"}, 401, bodyBadHeader},
		{"three parts", []string{"Authorization", "Bearer " + access + " x"}, 401, bodyBadHeader},
		{"malformed", []string{"Authorization", "Bearer abc"}, 401, protectedBody("Token is invalid or expired")},
		{"forged", []string{"Authorization", "Bearer " + forged}, 401, protectedBody("Token is invalid or expired")},
		{"oversized", []string{"Authorization", "Bearer " + strings.Repeat("a", 9000) + ".b.c"}, 401, protectedBody("Token is invalid or expired")},
		{"refresh as access", []string{"Authorization", "Bearer " + refresh}, 401, protectedBody("Token has wrong type")},
		{"revoked access", []string{"Authorization", "Bearer " + revokedAccess}, 401, protectedBody("Token is blacklisted")},
		{"user not found", []string{"Authorization", "Bearer " + fx.ghost}, 401, `{"detail":"User not found","code":"user_not_found"}`},
		{"user inactive", []string{"Authorization", "Bearer " + fx.inactive}, 401, `{"detail":"User is inactive","code":"user_inactive"}`},
	}
	for _, row := range protected {
		t.Run("me "+row.name, func(t *testing.T) {
			expect(t, s.do(http.MethodGet, "/api/me", "", "", row.headers...), row.status, row.want, false)
		})
	}
	if fx.optional {
		t.Run("optional", func(t *testing.T) {
			expect(t, s.do(http.MethodGet, "/api/optional", "", ""), 200, `{"user_id":null}`, false)
			expect(t, s.do(http.MethodGet, "/api/optional", "", "", "Authorization", "Bearer "+access), 200, bodyDemo, false)
			expect(t, s.do(http.MethodGet, "/api/optional", "", "", "Authorization", "Bearer "+forged), 401, protectedBody("Token is invalid or expired"), false)
			expect(t, s.do(http.MethodGet, "/api/optional", "", "", "Authorization", "Bearer"), 401, bodyBadHeader, false)
		})
	}
	t.Run("health", func(t *testing.T) {
		a := s.do(http.MethodGet, "/api/health", "", "")
		assert.Equal(t, 200, a.status)
		assert.Equal(t, `{"status":"ok"}`, a.body)
	})
	t.Run("logout with the access token revokes it too", func(t *testing.T) {
		a, r := s.login()
		expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+r+`"}`, "Authorization", "Bearer "+a), 200, `{}`, true)
		expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+a), 401, protectedBody("Token is blacklisted"), false)
	})
	t.Run("logout then the refresh token is refused", func(t *testing.T) {
		_, r := s.login()
		expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+r+`"}`), 200, `{}`, true)
		expect(t, s.postJSON("/api/token/refresh/", `{"refresh":"`+r+`"}`), 401, bodyBlacklisted, true)
	})
}

// multipartBoundary delimits the multipart bodies of the contract table.
const (
	multipartBoundary = "----jwtkitContract7MA4YWxkTrZu0gW"
	multipartType     = "multipart/form-data; boundary=" + multipartBoundary
)

// multipartBody lays out name/value pairs as a browser's FormData sends them.
func multipartBody(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString("--" + multipartBoundary + "\r\nContent-Disposition: form-data; name=\"" + pairs[i] + "\"\r\n\r\n" + pairs[i+1] + "\r\n")
	}
	return b.String() + "--" + multipartBoundary + "--\r\n"
}

// The token endpoints' paths; the sliding ones are served only with SlidingTokens on.
var (
	pairPaths    = []string{"/api/token/", "/api/token/refresh/", "/api/token/verify/", "/api/token/blacklist/"}
	slidingPaths = []string{"/api/token/sliding/", "/api/token/sliding/refresh/"}
)

func runMethods(t *testing.T, s *server, paths []string) {
	for _, path := range paths {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			a := s.do(m, path, "", "")
			expect(t, a, http.StatusMethodNotAllowed, `{"detail":"Method \"`+m+`\" not allowed."}`, true)
			assert.Equal(t, "POST, OPTIONS", a.header.Get("Allow"), "%s %s", m, path)
		}
		a := s.do(http.MethodOptions, path, "", "")
		expect(t, a, http.StatusOK, "", true)
		assert.Equal(t, "POST, OPTIONS", a.header.Get("Allow"), path)
		assert.Contains(t, a.body, `"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"],"actions":{"POST":{`)
	}
}

func runRotation(t *testing.T, s *server) {
	_, refresh := s.login()
	a := s.postJSON("/api/token/refresh/", `{"refresh":"`+refresh+`"}`)
	expect(t, a, 200, "", true)
	assert.Regexp(t, `^\{"access":"[\w.-]+","refresh":"[\w.-]+"\}$`, a.body)
	expect(t, s.postJSON("/api/token/refresh/", `{"refresh":"`+refresh+`"}`), 401, bodyBlacklisted, true)

	_, refresh = s.login()
	const n = 16
	var wins, losses atomic.Int32
	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startLine
			req, _ := http.NewRequest(http.MethodPost, s.base+"/api/token/refresh/", strings.NewReader(`{"refresh":"`+refresh+`"}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := s.client.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			switch {
			case resp.StatusCode == 200:
				wins.Add(1)
			case resp.StatusCode == 401 && string(b) == bodyBlacklisted:
				losses.Add(1)
			}
		}()
	}
	close(startLine)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load(), "exactly one concurrent refresh wins")
	assert.Equal(t, int32(n-1), losses.Load())
}

func runSliding(t *testing.T, s *server) {
	a := s.postJSON("/api/token/sliding/", `{"username":"demo","password":"demo-password"}`)
	expect(t, a, 200, "", true)
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(a.body), &m))
	require.Regexp(t, `^\{"token":"[\w.-]+"\}$`, a.body)
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+m["token"]), 200, bodyDemo, false)
	a = s.postJSON("/api/token/sliding/refresh/", `{"token":"`+m["token"]+`"}`)
	expect(t, a, 200, "", true)
	expect(t, s.postJSON("/api/token/sliding/refresh/", `{}`), 400, `{"token":["This field is required."]}`, true)
	_, refresh := s.login()
	expect(t, s.postJSON("/api/token/sliding/refresh/", `{"token":"`+refresh+`"}`), 401, bodyWrongType, true)
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+refresh), 401,
		protectedBody("Token has wrong type", "Token has wrong type"), false)
}

func runOutage(t *testing.T, s *server) {
	access, refresh := s.login()
	s.store.down.Store(true)
	expect(t, s.postJSON("/api/token/refresh/", `{"refresh":"`+refresh+`"}`), 503, bodyUnavailable, true)
	expect(t, s.postJSON("/api/token/verify/", `{"token":"`+access+`"}`), 503, bodyUnavailable, true)
	expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+refresh+`"}`), 503, bodyUnavailable, true)
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+access), 503, bodyUnavailable, false)
	expect(t, s.do(http.MethodGet, "/api/optional", "", "", "Authorization", "Bearer "+access), 503, bodyUnavailable, false)
	s.store.down.Store(false)
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+access), 200, bodyDemo, false)
	expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+refresh+`"}`), 200, `{}`, true)
}

func runSources(t *testing.T, all, defaults *server) {
	access, _ := all.login()
	expect(t, all.do(http.MethodGet, "/api/me", "", "", "Cookie", "access_token="+access), 200, bodyDemo, false)
	expect(t, all.do(http.MethodGet, "/api/me?token="+access, "", ""), 200, bodyDemo, false)
	expect(t, all.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer bad", "Cookie", "access_token="+access), 401,
		protectedBody("Token is invalid or expired"), false)
	expect(t, all.do(http.MethodGet, "/api/me", "", "", "Cookie", "access_token=bad"), 401, protectedBody("Token is invalid or expired"), false)

	access, _ = defaults.login()
	expect(t, defaults.do(http.MethodGet, "/api/me?token="+access, "", ""), 401, bodyNotProvided, false)
	expect(t, defaults.do(http.MethodGet, "/api/me", "", "", "Cookie", "access_token="+access), 401, bodyNotProvided, false)
}
