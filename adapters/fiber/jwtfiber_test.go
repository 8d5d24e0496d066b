package jwtfiber_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtfiber "github.com/jwtkit/jwtkit/adapters/fiber"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// testSecret is a 40-byte HS256 secret that passes core's weak-key checks.
var testSecret = []byte("jwtfiber-tests-secret-0123456789-ABCDEFG")

// testUsers has a user "user<N>" with id N and password "user<N>-password" for every N ≥ 1.
// It records every username and password it was asked about, so a test can check after the
// fact that the strings core handed it were not rewritten by a later request.
type testUsers struct {
	mu   sync.Mutex
	seen [][2]string
}

func (u *testUsers) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	u.mu.Lock()
	u.seen = append(u.seen, [2]string{name, password})
	u.mu.Unlock()
	n, err := strconv.ParseInt(strings.TrimPrefix(name, "user"), 10, 64)
	if err != nil || n < 1 || !strings.HasPrefix(name, "user") || password != name+"-password" {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(n), Active: true, Value: name}, nil
}

func (u *testUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	n, ok := id.Int()
	if !ok || n < 1 {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return jwtkit.User{ID: id, Active: true, Value: "user" + strconv.FormatInt(n, 10)}, nil
}

func newAuth(t testing.TB, edit func(*jwtkit.Config)) *jwtkit.Auth {
	t.Helper()
	store, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, testSecret, "")
	require.NoError(t, err)
	cfg := jwtkit.Config{SigningKey: key, Store: store, Users: &testUsers{}}
	if edit != nil {
		edit(&cfg)
	}
	auth, err := jwtkit.New(cfg)
	require.NoError(t, err)
	return auth
}

// me answers with adaptertest.Me of the request's identity (nil when anonymous).
func me(c *fiber.Ctx) error {
	id, _ := jwtfiber.Identity(c)
	c.Set(fiber.HeaderContentType, "application/json")
	return c.Send(adaptertest.Me(id))
}

// serve runs app on a loopback listener until the test ends and returns its base URL. It
// serves through jwtfiber.Listener, as the package documents for every app: its lingering close
// lets a client still sending a refused body read the 413.
func serve(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = app.Listener(jwtfiber.Listener(ln)) }()
	t.Cleanup(func() {
		// app.Shutdown with a deadline: fasthttp waits for keep-alive connections the client
		// still holds, which it does not close itself (see fasthttp's Server.Shutdown).
		_ = app.ShutdownWithTimeout(2 * time.Second)
		_ = ln.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// newApp is a Fiber app as the tests build it. ReadBufferSize is raised from fasthttp's 4 KiB
// so that a header carrying a token up to core's MaxTokenLength (8 KiB) reaches the adapter.
func newApp() *fiber.App {
	return fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: 16 << 10, DisablePreParseMultipartForm: true})
}

// conformanceApp is the suite's app; opts.MaxHeaderBytes is fasthttp's read buffer, which
// bounds the request's header block. BodyLimit is the endpoints' own limit, so that fasthttp
// refuses a larger declared body before it allocates it, and ErrorHandler gives that refusal
// the contract's JSON 413.
//
// SecureErrorLogMessage keeps fasthttp from quoting the request's bytes, Authorization header
// included, in the 400 it answers to a malformed header (a bare LF inside a token): Fiber
// sends that error text as the body, so without it the answer echoes the token.
func conformanceApp(auth *jwtkit.Auth, opts adaptertest.Options) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: opts.MaxHeaderBytes, DisablePreParseMultipartForm: true,
		BodyLimit: int(auth.Config().MaxBodyBytes), ErrorHandler: jwtfiber.ErrorHandler(auth)})
	app.Server().SecureErrorLogMessage = true
	jwtfiber.Mount(app.Group(jwtkit.DefaultPrefix), auth)
	app.Get("/api/me", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: opts.Sources}), me)
	app.Post("/api/me", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: opts.Sources}), me)
	app.All(jwtkit.JWKSPath, jwtfiber.JWKS(auth))
	app.Get("/api/optional", jwtfiber.Optional(auth, jwtfiber.Config{Sources: opts.Sources}), me)
	app.Get("/api/health", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/json")
		return c.SendString(`{"status":"ok"}`)
	})
	return app
}

func start(t testing.TB, auth *jwtkit.Auth, opts adaptertest.Options) string {
	return serve(t, conformanceApp(auth, opts))
}

// TestConformance runs the suite with a 16 KiB read buffer, room for a header carrying a token
// of core's MaxTokenLength (fasthttp's default of 4 KiB is not).
func TestConformance(t *testing.T) {
	adaptertest.Run(t, start, adaptertest.Options{Server: fasthttpServer(t), MaxHeaderBytes: 16 << 10})
}

// fasthttpServer is the kind of the fasthttp this test runs on, found by asking it. This module
// requires an older fasthttp, but a build list may select v1.69 or later (the repository's
// workspace does, for the Fiber v3 adapter beside this one, and so does an application's go.mod
// that also requires Fiber v3), and from v1.69 fasthttp refuses a control byte in a header
// value itself, before the app sees the request.
func fasthttpServer(t *testing.T) adaptertest.Server {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendStatus(http.StatusNoContent) })
	base := serve(t, app)
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Probe: a\x01b\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusBadRequest {
		return adaptertest.FastHTTPStrict
	}
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	return adaptertest.FastHTTP
}

// call sends one request to app in process; headers are name/value pairs.
func call(t *testing.T, app *fiber.App, method, target, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://example.test"+target, r)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

const notProvided = `{"detail":"Authentication credentials were not provided."}`

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func pair(t *testing.T, auth *jwtkit.Auth, id int64, custom any) jwtkit.Pair {
	t.Helper()
	p, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(id), custom)
	require.NoError(t, err)
	return p
}

func TestSkip(t *testing.T) {
	auth := newAuth(t, nil)
	app := newApp()
	app.Get("/p", jwtfiber.Middleware(auth, jwtfiber.Config{Skip: func(c *fiber.Ctx) bool { return c.Get("X-Internal") == "yes" }}), me)

	status, _, body := call(t, app, "GET", "/p", "", "X-Internal", "yes")
	assert.Equal(t, 200, status)
	assert.Equal(t, `{"user_id":null}`, body, "a skipped request is anonymous")

	status, _, body = call(t, app, "GET", "/p", "", "X-Internal", "no")
	assert.Equal(t, 401, status)
	assert.Equal(t, notProvided, body)

	status, _, body = call(t, app, "GET", "/p", "", bearer(pair(t, auth, 3, nil).Access)...)
	assert.Equal(t, 200, status)
	assert.Equal(t, `{"user_id":3,"username":"user3"}`, body)
}

func TestErrorHandler(t *testing.T) {
	auth := newAuth(t, nil)
	var gotErr error
	var gotResp jwtkit.Response
	app := newApp()
	app.Get("/p", jwtfiber.Middleware(auth, jwtfiber.Config{ErrorHandler: func(c *fiber.Ctx, err error, resp jwtkit.Response) error {
		gotErr, gotResp = err, resp
		return c.Status(fiber.StatusForbidden).JSON(fiber.Map{"error": "login required", "was": resp.Status})
	}}), me)

	status, header, body := call(t, app, "GET", "/p", "")
	assert.Equal(t, 403, status)
	assert.JSONEq(t, `{"error":"login required","was":401}`, body)
	assert.Empty(t, header.Get("WWW-Authenticate"), "the custom answer replaces the default one")
	assert.ErrorIs(t, gotErr, jwtkit.ErrNoCredentials)
	assert.Equal(t, notProvided, string(gotResp.Body))

	status, _, _ = call(t, app, "GET", "/p", "", bearer("abc.def.ghi")...)
	assert.Equal(t, 403, status)
	assert.ErrorIs(t, gotErr, jwtkit.ErrTokenInvalid)
	assert.Equal(t, 401, gotResp.Status)

	status, _, _ = call(t, app, "GET", "/p", "", bearer(pair(t, auth, 1, nil).Refresh)...)
	assert.Equal(t, 403, status)
	assert.ErrorIs(t, gotErr, jwtkit.ErrWrongType)

	status, _, _ = call(t, app, "GET", "/p", "", "Authorization", "Bearer")
	assert.Equal(t, 403, status)
	assert.ErrorIs(t, gotErr, jwtkit.ErrBadAuthHeader)
}

func TestErrorHandlerReturnedError(t *testing.T) {
	auth := newAuth(t, nil)
	app := newApp()
	app.Get("/p", jwtfiber.Middleware(auth, jwtfiber.Config{ErrorHandler: func(*fiber.Ctx, error, jwtkit.Response) error {
		return fiber.NewError(fiber.StatusTeapot, "handed to fiber")
	}}), me)
	status, _, body := call(t, app, "GET", "/p", "")
	assert.Equal(t, fiber.StatusTeapot, status, "the ErrorHandler's error goes to fiber's error handler")
	assert.Equal(t, "handed to fiber", body)
}

func TestSources(t *testing.T) {
	auth := newAuth(t, nil)
	access := pair(t, auth, 7, nil).Access
	const user7 = `{"user_id":7,"username":"user7"}`
	app := newApp()
	app.Get("/default", jwtfiber.Middleware(auth), me)
	app.Get("/cookie", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: []jwtkit.TokenSource{jwtkit.FromCookie("jwt")}}), me)
	app.Get("/query", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: []jwtkit.TokenSource{jwtkit.FromQuery("t")}}), me)
	app.Get("/header", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: []jwtkit.TokenSource{jwtkit.FromHeader("X-Token")}}), me)

	rows := []struct {
		name, target string
		headers      []string
		status       int
		body         string
	}{
		{"default: header", "/default", bearer(access), 200, user7},
		{"default: query ignored", "/default?t=" + access, nil, 401, notProvided},
		{"default: cookie ignored", "/default", []string{"Cookie", "jwt=" + access}, 401, notProvided},
		{"cookie", "/cookie", []string{"Cookie", "other=1; jwt=" + access}, 200, user7},
		{"cookie: header ignored", "/cookie", bearer(access), 401, notProvided},
		{"cookie: query ignored", "/cookie?jwt=" + access, nil, 401, notProvided},
		{"query", "/query?a=1&t=" + url.QueryEscape(access), nil, 200, user7},
		{"query: header ignored", "/query", bearer(access), 401, notProvided},
		{"query: empty value is absent", "/query?t=", nil, 401, notProvided},
		{"custom header", "/header", []string{"X-Token", "Bearer " + access}, 200, user7},
		{"custom header: Authorization ignored", "/header", bearer(access), 401, notProvided},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			status, header, body := call(t, app, "GET", row.target, "", row.headers...)
			assert.Equal(t, row.status, status)
			assert.Equal(t, row.body, body)
			assert.Equal(t, "application/json", header.Get("Content-Type"))
		})
	}
}

type tenantClaims struct {
	Tenant string   `json:"tenant"`
	Roles  []string `json:"roles"`
}

func TestIdentityAndClaims(t *testing.T) {
	auth := newAuth(t, nil)
	type result struct {
		ok     bool
		id     string
		claims tenantClaims
		err    error
	}
	var got result
	inspect := func(c *fiber.Ctx) error {
		id, ok := jwtfiber.Identity(c)
		got = result{ok: ok}
		if ok {
			got.id = id.User.ID.String()
		}
		got.claims, got.err = jwtfiber.Claims[tenantClaims](c)
		return c.SendStatus(fiber.StatusNoContent)
	}
	app := newApp()
	app.Get("/required", jwtfiber.Middleware(auth), inspect)
	app.Get("/optional", jwtfiber.Optional(auth), inspect)

	tok := pair(t, auth, 42, tenantClaims{Tenant: "acme", Roles: []string{"admin", "ops"}}).Access
	for _, path := range []string{"/required", "/optional"} {
		status, _, _ := call(t, app, "GET", path, "", bearer(tok)...)
		require.Equal(t, 204, status, path)
		assert.True(t, got.ok, path)
		assert.Equal(t, "42", got.id, path)
		require.NoError(t, got.err, path)
		assert.Equal(t, tenantClaims{Tenant: "acme", Roles: []string{"admin", "ops"}}, got.claims, path)
	}

	status, _, _ := call(t, app, "GET", "/optional", "")
	require.Equal(t, 204, status)
	assert.False(t, got.ok, "anonymous: no identity")
	assert.ErrorIs(t, got.err, jwtkit.ErrNoCredentials)
	assert.Zero(t, got.claims)

	status, _, body := call(t, app, "GET", "/optional", "", bearer("abc")...)
	assert.Equal(t, 401, status, "Optional still rejects a bad token")
	assert.Contains(t, body, `"code":"token_not_valid"`)
}

// TestUnexportedKey: no string key a handler sets can be mistaken for the identity, nor
// overwrite it.
func TestUnexportedKey(t *testing.T) {
	auth := newAuth(t, nil)
	fake := &jwtkit.Identity{User: jwtkit.User{ID: jwtkit.IntUserID(666), Active: true, Value: "mallory"}}
	keys := []string{"localsKey", "jwtfiber.localsKey", "jwtfiber.localsKey{}", "identity", "user", "jwt", ""}
	plant := func(c *fiber.Ctx) error {
		for _, k := range keys {
			c.Locals(k, fake)
		}
		return c.Next()
	}
	app := newApp()
	app.Get("/public", plant, me)
	app.Get("/optional", plant, jwtfiber.Optional(auth), plant, me)
	app.Get("/required", plant, jwtfiber.Middleware(auth), plant, me)

	_, _, body := call(t, app, "GET", "/public", "")
	assert.Equal(t, `{"user_id":null}`, body, "string keys are not the identity")
	_, _, body = call(t, app, "GET", "/optional", "")
	assert.Equal(t, `{"user_id":null}`, body)
	_, _, body = call(t, app, "GET", "/optional", "", bearer(pair(t, auth, 5, nil).Access)...)
	assert.Equal(t, `{"user_id":5,"username":"user5"}`, body)
	_, _, body = call(t, app, "GET", "/required", "", bearer(pair(t, auth, 6, nil).Access)...)
	assert.Equal(t, `{"user_id":6,"username":"user6"}`, body)
}

// TestWriteExact: token endpoints and errors go out exactly as core built them, replacing any
// header an earlier handler set, and the shared error body is not exposed to later handlers.
func TestWriteExact(t *testing.T) {
	auth := newAuth(t, nil)
	app := newApp()
	app.Use(func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
		c.Set(fiber.HeaderCacheControl, "public, max-age=600")
		err := c.Next()
		if b := c.Response().Body(); len(b) > 0 {
			b[0] = 'X' // a careless outer middleware rewriting the body in place
		}
		return err
	})
	jwtfiber.Mount(app.Group("/api"), auth)
	app.Get("/p", jwtfiber.Middleware(auth), me)

	for range 2 {
		status, header, body := call(t, app, "GET", "/p", "")
		assert.Equal(t, 401, status)
		assert.Equal(t, "X"+notProvided[1:], body)
		assert.Equal(t, []string{"application/json"}, header.Values("Content-Type"))
		assert.Equal(t, []string{`Bearer realm="api"`}, header.Values("WWW-Authenticate"))
		assert.Equal(t, notProvided, string(auth.ErrorResponse(jwtkit.ErrNoCredentials).Body), "core's shared answer is intact")
	}

	status, header, body := call(t, app, "POST", "/api/token/", `{"username":"user9","password":"user9-password"}`, "Content-Type", "application/json")
	assert.Equal(t, 200, status)
	assert.True(t, strings.HasPrefix(body, `X"refresh":"`), body)
	assert.Equal(t, []string{"application/json"}, header.Values("Content-Type"))
	assert.Equal(t, []string{"no-store"}, header.Values("Cache-Control"))

	status, header, _ = call(t, app, "GET", "/api/token/refresh/", "")
	assert.Equal(t, 405, status)
	assert.Equal(t, []string{"POST, OPTIONS"}, header.Values("Allow"))
	assert.Equal(t, []string{"application/json"}, header.Values("Content-Type"))
}

func TestMount(t *testing.T) {
	auth := newAuth(t, nil)
	app := newApp()
	jwtfiber.Mount(app.Group("/auth/v1/"), auth)
	p := pair(t, auth, 4, nil)
	for _, m := range []string{"GET", "HEAD", "PUT", "PATCH", "DELETE", "CONNECT", "TRACE"} {
		status, header, _ := call(t, app, m, "/auth/v1/token/verify/", "")
		assert.Equal(t, 405, status, m)
		assert.Equal(t, "POST, OPTIONS", header.Get("Allow"), m)
	}
	status, _, _ := call(t, app, "OPTIONS", "/auth/v1/token/verify/", "")
	assert.Equal(t, 200, status)
	status, _, body := call(t, app, "POST", "/auth/v1/token/verify/", `{"token":"`+p.Access+`"}`, "Content-Type", "application/json")
	assert.Equal(t, 200, status)
	assert.Equal(t, `{}`, body)
	status, _, body = call(t, app, "POST", "/auth/v1/token/refresh/", "refresh="+p.Refresh, "Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `"access":"`)
	status, _, _ = call(t, app, "POST", "/api/token/verify/", `{"token":"`+p.Access+`"}`, "Content-Type", "application/json")
	assert.Equal(t, 404, status, "only under the group's prefix")

	status, _, body = call(t, app, "POST", "/auth/v1/token/blacklist/", `{"refresh":"`+p.Refresh+`"}`, "Content-Type", "application/json")
	assert.Equal(t, 200, status)
	assert.Equal(t, `{}`, body)
	_, err := auth.Refresh(context.Background(), p.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)

	// The raw body reaches core: a gzip Content-Encoding is not decoded by the adapter.
	status, _, body = call(t, app, "POST", "/auth/v1/token/verify/", "\x1f\x8b\x08\x00", "Content-Type", "application/json", "Content-Encoding", "gzip")
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "JSON parse error")

	stateless := newAuth(t, func(c *jwtkit.Config) { c.Users = nil; c.Stateless = true })
	app = newApp()
	jwtfiber.Mount(app.Group("/api"), stateless)
	status, _, _ = call(t, app, "POST", "/api/token/", `{}`, "Content-Type", "application/json")
	assert.Equal(t, 404, status, "no Users: obtain is not mounted")
	status, _, _ = call(t, app, "POST", "/api/token/verify/", `{}`, "Content-Type", "application/json")
	assert.Equal(t, 400, status)
}

// TestConcurrentRequestsKeepTheirOwnValues: fasthttp reuses request buffers between requests
// of a connection. Many clients, as different users, log in, refresh, verify and call
// protected routes through every token source at once over shared keep-alive connections;
// every answer, and every identity and credential the handlers kept, must still belong to its
// own request once all requests are over and the buffers have been reused many times.
func TestConcurrentRequestsKeepTheirOwnValues(t *testing.T) {
	users := &testUsers{}
	auth := newAuth(t, func(c *jwtkit.Config) { c.Users = users })
	type kept struct {
		want string // "user<N>/<jti>" as the client sent it
		id   *jwtkit.Identity
	}
	var mu sync.Mutex
	var stash []kept
	keep := func(c *fiber.Ctx) error {
		id, ok := jwtfiber.Identity(c)
		if !ok {
			return c.SendStatus(500)
		}
		mu.Lock()
		stash = append(stash, kept{want: strings.Clone(c.Get("X-Want")), id: id})
		mu.Unlock()
		return me(c)
	}
	app := newApp()
	jwtfiber.Mount(app.Group("/api"), auth)
	app.Get("/api/me", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: []jwtkit.TokenSource{
		jwtkit.FromHeader("Authorization"), jwtkit.FromCookie("access"), jwtkit.FromQuery("access"),
	}}), keep)
	base := serve(t, app)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8, MaxConnsPerHost: 8}}

	const workers, rounds = 32, 12
	do := func(method, target, contentType, body string, headers ...string) (int, string, error) {
		req, err := http.NewRequest(method, base+target, strings.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n := int64(w + 1)
			name := "user" + strconv.FormatInt(n, 10)
			wantMe := fmt.Sprintf(`{"user_id":%d,"username":%q}`, n, name)
			for r := range rounds {
				var status int
				var body string
				var err error
				if r%2 == 0 {
					status, body, err = do("POST", "/api/token/", "application/json", `{"username":"`+name+`","password":"`+name+`-password"}`)
				} else {
					status, body, err = do("POST", "/api/token/", "application/x-www-form-urlencoded", "username="+name+"&password="+name+"-password")
				}
				if !assert.NoError(t, err) || !assert.Equal(t, 200, status, body) {
					return
				}
				var p struct{ Access, Refresh string }
				if !assert.NoError(t, json.Unmarshal([]byte(body), &p)) {
					return
				}
				tok, err := auth.Validate(context.Background(), p.Access, jwtkit.TypeAccess)
				if !assert.NoError(t, err) || !assert.Equal(t, name, "user"+tok.UserID.String(), "obtain answered for its own user") {
					return
				}

				status, body, err = do("POST", "/api/token/refresh/", "application/json", `{"refresh":"`+p.Refresh+`"}`)
				if !assert.NoError(t, err) || !assert.Equal(t, 200, status, body) {
					return
				}
				var refreshed struct{ Access string }
				if !assert.NoError(t, json.Unmarshal([]byte(body), &refreshed)) {
					return
				}
				rtok, err := auth.Validate(context.Background(), refreshed.Access, jwtkit.TypeAccess)
				if !assert.NoError(t, err) || !assert.Equal(t, tok.UserID, rtok.UserID, "refresh answered for its own user") {
					return
				}

				status, body, err = do("POST", "/api/token/verify/", "application/json", `{"token":"`+refreshed.Access+`"}`)
				if !assert.NoError(t, err) || !assert.Equal(t, 200, status, body) {
					return
				}

				want := name + "/" + rtok.ID
				var headers []string
				target := "/api/me"
				switch r % 3 {
				case 0:
					headers = []string{"Authorization", "Bearer " + refreshed.Access}
				case 1:
					headers = []string{"Cookie", "access=" + refreshed.Access}
				default:
					target += "?access=" + refreshed.Access
				}
				status, body, err = do("GET", target, "", "", append(headers, "X-Want", want)...)
				if !assert.NoError(t, err) || !assert.Equal(t, 200, status, body) || !assert.Equal(t, wantMe, body) {
					return
				}
			}
		})
	}
	wg.Wait()

	require.Len(t, stash, workers*rounds)
	for _, k := range stash {
		assert.Equal(t, k.want, k.id.User.Value.(string)+"/"+k.id.Token.ID, "a kept identity still belongs to its request")
	}
	users.mu.Lock()
	defer users.mu.Unlock()
	require.Len(t, users.seen, workers*rounds)
	for _, s := range users.seen {
		assert.Equal(t, s[0]+"-password", s[1], "a kept username/password pair still belongs to its request")
	}
}

// TestMiddlewareIdentityOutlivesRequestBuffers: the middleware hands core the token as a view
// of fasthttp's request buffers, which a reused RequestCtx overwrites in place. For each token
// source, an identity a handler kept from one request must still name its own user and token
// after the same RequestCtx served another user's request, and the first token must still be
// accepted afterwards (its cache entry was not made from the overwritten bytes).
func TestMiddlewareIdentityOutlivesRequestBuffers(t *testing.T) {
	auth := newAuth(t, nil)
	ctx := context.Background()
	tokens := make([]string, 3)
	for i := range tokens {
		p, err := auth.IssuePair(ctx, jwtkit.IntUserID(int64(i+1)), nil)
		require.NoError(t, err)
		tokens[i] = p.Access
	}
	var kept []*jwtkit.Identity
	app := newApp()
	app.Get("/p", jwtfiber.Middleware(auth, jwtfiber.Config{Sources: []jwtkit.TokenSource{
		jwtkit.FromHeader("Authorization"), jwtkit.FromCookie("access"), jwtkit.FromQuery("access"),
	}}), func(c *fiber.Ctx) error {
		id, _ := jwtfiber.Identity(c)
		kept = append(kept, id)
		return c.SendStatus(200)
	})
	handler := app.Handler()
	var fctx fasthttp.RequestCtx
	send := func(source string, tok string) {
		t.Helper()
		fctx.Request.Reset()
		fctx.Response.Reset()
		fctx.Request.Header.SetMethod(fiber.MethodGet)
		fctx.Request.SetRequestURI("/p")
		switch source {
		case "header":
			fctx.Request.Header.Set(fiber.HeaderAuthorization, "Bearer "+tok)
		case "cookie":
			fctx.Request.Header.SetCookie("access", tok)
		case "query":
			fctx.Request.SetRequestURI("/p?access=" + tok)
		}
		handler(&fctx)
		require.Equal(t, 200, fctx.Response.StatusCode(), "%s: %s", source, fctx.Response.Body())
	}
	for _, source := range []string{"header", "cookie", "query"} {
		kept = kept[:0]
		for _, tok := range append(tokens, tokens...) { // the second pass is served from the cache
			send(source, tok)
		}
		for i, id := range kept[:2*len(tokens)] {
			n, ok := id.User.ID.Int()
			assert.True(t, ok)
			assert.Equal(t, int64(i%len(tokens)+1), n, "%s: identity %d", source, i)
			want, err := auth.Validate(ctx, tokens[i%len(tokens)], jwtkit.TypeAccess)
			require.NoError(t, err)
			assert.Equal(t, want.ID, id.Token.ID, "%s: identity %d", source, i)
		}
	}
}
