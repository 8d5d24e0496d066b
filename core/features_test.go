package jwtkit_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// The features beyond simplejwt (docs/design.md, "Beyond simplejwt"), through the shared
// endpoint logic. The adapter and store conformance suites prove them again over HTTP and on
// every backend.

func reuseEnv(t *testing.T, grace time.Duration) *env {
	return newEnv(t, func(c *jwtkit.Config) { c.ReuseDetection, c.ReuseGrace = true, grace })
}

func (e *env) refresh(t *testing.T, raw string) (jwtkit.Pair, error) {
	t.Helper()
	return e.auth.Refresh(context.Background(), raw)
}

func TestReuseDetectionRevokesTheFamily(t *testing.T) {
	e := reuseEnv(t, 0)
	ctx := context.Background()
	p := e.pair(t, jwtkit.IntUserID(1))
	first, err := e.auth.Validate(ctx, p.Refresh, jwtkit.TypeRefresh)
	require.NoError(t, err)
	require.NotEmpty(t, first.Family, "a login starts a family")

	r1, err := e.refresh(t, p.Refresh)
	require.NoError(t, err)
	require.NotEmpty(t, r1.Refresh, "reuse detection implies rotation")
	next, err := e.auth.Validate(ctx, r1.Refresh, jwtkit.TypeRefresh)
	require.NoError(t, err)
	assert.Equal(t, first.Family, next.Family, "a rotation stays in the family")
	access, err := e.auth.Validate(ctx, r1.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.Equal(t, first.Family, access.Family, "access tokens carry the family")

	other := e.pair(t, jwtkit.IntUserID(1)) // another login of the same user: another family

	_, err = e.refresh(t, p.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "the rotated token presented again")
	for name, tok := range map[string]string{"newest refresh": r1.Refresh, "first access": p.Access, "minted access": r1.Access} {
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAny)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, name)
	}
	_, err = e.refresh(t, r1.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "the newest refresh token of the family is dead")
	_, err = e.refresh(t, other.Refresh)
	assert.NoError(t, err, "another login's family is untouched")
	assert.Contains(t, e.audit.kinds(), jwtkit.AuditReuseDetected)

	resp := e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`)
	assertResponse(t, resp, 401, `{"detail":"Token is blacklisted","code":"token_not_valid"}`)
}

func TestReuseDetectionConcurrentRefreshes(t *testing.T) {
	e := reuseEnv(t, 0)
	p := e.pair(t, jwtkit.IntUserID(1))
	const n = 16
	var wg sync.WaitGroup
	results := make([]jwtkit.Pair, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = e.refresh(t, p.Refresh) }()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, won, "exactly one rotation wins")
			won = i
		} else {
			assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
		}
	}
	require.NotEqual(t, -1, won)
	// Without a grace window the losers are indistinguishable from a thief: the family ends.
	_, err := e.refresh(t, results[won].Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
}

func TestReuseGraceAnswersLikeTheFirstRotation(t *testing.T) {
	e := reuseEnv(t, 10*time.Second)
	p := e.pair(t, jwtkit.IntUserID(1))
	first, err := e.refresh(t, p.Refresh)
	require.NoError(t, err)

	e.clock.Advance(9 * time.Second)
	again, err := e.refresh(t, p.Refresh)
	require.NoError(t, err, "within the grace window a lost response can be fetched again")
	assert.Equal(t, first, again, "the same pair as the first rotation: the family does not fork")

	resp := e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`)
	require.Equal(t, 200, resp.Status)
	assert.JSONEq(t, `{"access":"`+first.Access+`","refresh":"`+first.Refresh+`"}`, string(resp.Body))

	e.clock.Advance(2 * time.Second) // past the window
	_, err = e.refresh(t, p.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
	_, err = e.refresh(t, first.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "after the window the replay revoked the family")
}

func TestReuseGraceConcurrentRefreshesAllGetTheWinnersAnswer(t *testing.T) {
	e := reuseEnv(t, 5*time.Second)
	p := e.pair(t, jwtkit.IntUserID(1))
	const n = 16
	var wg sync.WaitGroup
	results := make([]jwtkit.Pair, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = e.refresh(t, p.Refresh) }()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, results[0], results[i])
	}
	_, err := e.refresh(t, results[0].Refresh)
	assert.NoError(t, err, "the family goes on")
}

func TestReuseGraceEndsWhenTheChainMovedOn(t *testing.T) {
	e := reuseEnv(t, 10*time.Second)
	p := e.pair(t, jwtkit.IntUserID(1))
	r1, err := e.refresh(t, p.Refresh)
	require.NoError(t, err)
	r2, err := e.refresh(t, r1.Refresh)
	require.NoError(t, err)
	// r1 has been rotated by its holder, so whoever presents p again did not lose r1's
	// response: that is reuse, inside the window or not.
	_, err = e.refresh(t, p.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
	_, err = e.refresh(t, r2.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "the family was revoked")
}

func TestReuseGraceAnswerIsSealed(t *testing.T) {
	e := reuseEnv(t, 10*time.Second)
	p := e.pair(t, jwtkit.IntUserID(1))
	first, err := e.refresh(t, p.Refresh)
	require.NoError(t, err)
	e.store.mu.Lock()
	var stored []byte
	for _, a := range e.store.answers {
		stored = a.answer
	}
	e.store.mu.Unlock()
	require.NotEmpty(t, stored)
	for _, tok := range []string{first.Access, first.Refresh} {
		for _, part := range strings.Split(tok, ".") {
			assert.NotContains(t, string(stored), part, "the store never holds a usable token")
		}
	}
}

func TestReuseDetectionOffWritesNoFamily(t *testing.T) {
	e := newEnv(t)
	p := e.pair(t, jwtkit.IntUserID(1))
	assert.NotContains(t, decodeSegment(t, p.Refresh, 1), "family")
	tok, err := e.auth.Validate(context.Background(), p.Refresh, jwtkit.TypeRefresh)
	require.NoError(t, err)
	assert.Empty(t, tok.Family)
	_, err = jwtkit.CustomClaims[map[string]any](tok)
	require.NoError(t, err)

	// And a custom claim named "family" is the application's own while the feature is off.
	p2, err := e.auth.IssuePair(context.Background(), jwtkit.IntUserID(1), map[string]string{"family": "smiths"})
	require.NoError(t, err)
	assert.Contains(t, decodeSegment(t, p2.Access, 1), `"family":"smiths"`)
}

func TestBlacklistOfARotatedTokenRevokesTheFamily(t *testing.T) {
	e := reuseEnv(t, 0)
	p := e.pair(t, jwtkit.IntUserID(1))
	r1, err := e.refresh(t, p.Refresh)
	require.NoError(t, err)
	assert.ErrorIs(t, e.auth.Blacklist(context.Background(), p.Refresh), jwtkit.ErrBlacklisted)
	_, err = e.auth.Validate(context.Background(), r1.Access, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
}

func TestReuseGraceNeedsARotationStore(t *testing.T) {
	_, err := jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: plainStore{newTestStore()}, Users: newTestUsers(),
		ReuseDetection: true, ReuseGrace: time.Second})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: newTestStore(), Users: newTestUsers(), ReuseGrace: time.Second})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "grace without reuse detection")
}

// plainStore hides the optional interfaces of the test store.
type plainStore struct{ s *testStore }

func (p plainStore) Revoke(ctx context.Context, j string, e time.Time) error {
	return p.s.Revoke(ctx, j, e)
}
func (p plainStore) RevokeOnce(ctx context.Context, j string, e time.Time) (bool, error) {
	return p.s.RevokeOnce(ctx, j, e)
}
func (p plainStore) RevokeUser(ctx context.Context, u string, b, e time.Time) error {
	return p.s.RevokeUser(ctx, u, b, e)
}
func (p plainStore) RevokeFamily(ctx context.Context, f string, e time.Time) error {
	return p.s.RevokeFamily(ctx, f, e)
}
func (p plainStore) Revoked(ctx context.Context, r jwtkit.TokenRef) (bool, error) {
	return p.s.Revoked(ctx, r)
}

func TestRevokeAllEndpoint(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.pair(t, jwtkit.IntUserID(1)), e.pair(t, jwtkit.IntUserID(1))
	other := e.pair(t, jwtkit.IntUserID(3))
	call := func(header string) jwtkit.Response {
		return e.auth.Serve(ctx, jwtkit.EndpointRevokeAll, jwtkit.Request{Method: "POST", Authorization: header})
	}
	assertResponse(t, call(""), 401, `{"detail":"Authentication credentials were not provided."}`)
	assertResponse(t, call("Bearer "+a.Refresh), 401, protectedBodyWrongType())
	r := call("Bearer " + a.Access)
	assertResponse(t, r, 200, `{}`)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	for _, tok := range []string{a.Access, a.Refresh, b.Access, b.Refresh} {
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAny)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "every device of the user")
	}
	_, err := e.auth.Validate(ctx, other.Access, jwtkit.TypeAccess)
	assert.NoError(t, err, "other users keep their sessions")
	e.clock.Advance(time.Second)
	_, err = e.auth.Validate(ctx, e.pair(t, jwtkit.IntUserID(1)).Access, jwtkit.TypeAccess)
	assert.NoError(t, err, "a login after the revocation works")
	assertResponse(t, call("Bearer "+a.Access), 401, protectedBody("Token is blacklisted"))

	r = e.auth.Serve(ctx, jwtkit.EndpointRevokeAll, jwtkit.Request{Method: "GET"})
	assert.Equal(t, 405, r.Status)
	e.store.setDown(true)
	r = call("Bearer " + e.pair(t, jwtkit.IntUserID(1)).Access)
	assert.Equal(t, 503, r.Status, "fail closed")
}

func protectedBodyWrongType() string { return protectedBody("Token has wrong type") }

func TestCheckRevokeToken(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.CheckRevokeToken = true })
	ctx := context.Background()
	p := e.pair(t, jwtkit.IntUserID(1))
	// simplejwt's claim: the upper-case hex MD5 of the password hash ("hash:demo-password").
	assert.Contains(t, decodeSegment(t, p.Access, 1), `"hash_password":"`)
	var claims map[string]any
	require.NoError(t, json.Unmarshal([]byte(decodeSegment(t, p.Access, 1)), &claims))
	// hashlib.md5(b"hash:demo-password").hexdigest().upper(), computed with Python.
	assert.Equal(t, "5FED7683767EC02FA8D3262F6E32669F", claims["hash_password"])

	_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
	require.NoError(t, err)
	_, err = e.refresh(t, p.Refresh)
	require.NoError(t, err)

	e.users.mu.Lock()
	u := e.users.users["demo"]
	u.password = "new-password"
	e.users.users["demo"] = u
	e.users.mu.Unlock()

	_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrPasswordChanged)
	assertResponse(t, e.auth.ErrorResponse(err), 401, `{"detail":"The user's password has been changed.","code":"password_changed"}`)
	resp := e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`)
	assertResponse(t, resp, 401, `{"detail":"The user's password has been changed.","code":"password_changed"}`)
	fresh := e.post(jwtkit.EndpointObtain, `{"username":"demo","password":"new-password"}`)
	require.Equal(t, 200, fresh.Status)
	_, err = e.auth.Authenticate(ctx, "Bearer "+jsonBody(t, fresh)["access"])
	assert.NoError(t, err, "tokens issued after the change work")

	_, err = jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: newTestStore(), Stateless: true, CheckRevokeToken: true})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
}

// cookieReq is a token-endpoint request with cookies and headers.
func cookieReq(body string, cookies, headers map[string]string) jwtkit.Request {
	return jwtkit.Request{Method: "POST", ContentType: "application/json", Body: strings.NewReader(body),
		Cookie: func(n string) string { return cookies[n] }, Header: func(n string) string { return headers[n] }}
}

// setCookies parses a response's Set-Cookie headers by name.
func setCookies(r jwtkit.Response) map[string]*http.Cookie {
	m := map[string]*http.Cookie{}
	for _, line := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil {
			m[c.Name] = c
		}
	}
	return m
}

func TestCookieMode(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.Cookies.Enabled = true; c.RotateRefreshTokens = true })
	ctx := context.Background()
	r := e.auth.Serve(ctx, jwtkit.EndpointObtain, cookieReq(`{"username":"demo","password":"demo-password"}`, nil, nil))
	require.Equal(t, 200, r.Status)
	body := jsonBody(t, r)
	assert.NotEmpty(t, body["access"])
	assert.NotContains(t, body, "refresh", "the refresh token is left out of the body")
	cs := setCookies(r)
	ref, csrf := cs["__Secure-jwtkit-refresh"], cs["jwtkit-csrf"]
	require.NotNil(t, ref)
	require.NotNil(t, csrf)
	assert.True(t, ref.HttpOnly && ref.Secure)
	assert.Equal(t, http.SameSiteStrictMode, ref.SameSite)
	assert.Equal(t, "/api/token/", ref.Path)
	assert.Equal(t, int((24 * time.Hour).Seconds()), ref.MaxAge)
	assert.False(t, csrf.HttpOnly, "scripts read the CSRF cookie")
	assert.True(t, csrf.Secure)
	assert.Equal(t, "/", csrf.Path)
	assert.Equal(t, http.SameSiteStrictMode, csrf.SameSite)
	assert.Len(t, csrf.Value, 43)
	_, err := e.auth.Validate(ctx, ref.Value, jwtkit.TypeRefresh)
	require.NoError(t, err)

	jar := map[string]string{ref.Name: ref.Value, csrf.Name: csrf.Value}
	const csrfFailed = `{"detail":"CSRF Failed: CSRF token missing or incorrect.","code":"csrf_failed"}`
	for name, headers := range map[string]map[string]string{
		"no header":    nil,
		"wrong header": {"X-CSRF-Token": "x" + csrf.Value[1:]},
		"empty header": {"X-CSRF-Token": ""},
	} {
		r := e.auth.Serve(ctx, jwtkit.EndpointRefresh, cookieReq(``, jar, headers))
		assertResponse(t, r, 403, csrfFailed)
		assert.Empty(t, r.Header.Values("Set-Cookie"), name)
	}
	noCSRFCookie := map[string]string{ref.Name: ref.Value}
	assertResponse(t, e.auth.Serve(ctx, jwtkit.EndpointRefresh, cookieReq(``, noCSRFCookie, map[string]string{"X-CSRF-Token": csrf.Value})), 403, csrfFailed)

	r = e.auth.Serve(ctx, jwtkit.EndpointRefresh, cookieReq(``, jar, map[string]string{"X-CSRF-Token": csrf.Value}))
	require.Equal(t, 200, r.Status, string(r.Body))
	assert.NotContains(t, jsonBody(t, r), "refresh")
	rotated := setCookies(r)["__Secure-jwtkit-refresh"]
	require.NotNil(t, rotated)
	assert.NotEqual(t, ref.Value, rotated.Value, "rotation sets the new refresh token")
	assert.Equal(t, csrf.Value, setCookies(r)["jwtkit-csrf"].Value, "the CSRF token stays the same across refreshes")

	// A refresh token in the body works as before, with no CSRF header (it is not ambient).
	r = e.auth.Serve(ctx, jwtkit.EndpointRefresh, cookieReq(`{"refresh":"`+rotated.Value+`"}`, nil, nil))
	require.Equal(t, 200, r.Status)
	latest := setCookies(r)["__Secure-jwtkit-refresh"].Value

	// Neither body nor cookie: the field error.
	assertResponse(t, e.auth.Serve(ctx, jwtkit.EndpointRefresh, cookieReq(`{}`, nil, nil)), 400, `{"refresh":["This field is required."]}`)

	// Blacklist from the cookie, with the header, clears both cookies.
	jar = map[string]string{ref.Name: latest, csrf.Name: csrf.Value}
	assertResponse(t, e.auth.Serve(ctx, jwtkit.EndpointBlacklist, cookieReq(``, jar, nil)), 403, csrfFailed)
	r = e.auth.Serve(ctx, jwtkit.EndpointBlacklist, cookieReq(``, jar, map[string]string{"X-CSRF-Token": csrf.Value}))
	assertResponse(t, r, 200, `{}`)
	cleared := setCookies(r)
	for _, n := range []string{"__Secure-jwtkit-refresh", "jwtkit-csrf"} {
		require.NotNil(t, cleared[n], n)
		assert.Equal(t, -1, cleared[n].MaxAge, "%s deleted", n)
		assert.Empty(t, cleared[n].Value)
	}
	_, err = e.auth.Validate(ctx, latest, jwtkit.TypeRefresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
}

func TestCookieModeOffIsTheContract(t *testing.T) {
	e := newEnv(t)
	r := e.auth.Serve(context.Background(), jwtkit.EndpointObtain, cookieReq(`{"username":"demo","password":"demo-password"}`, nil, nil))
	require.Equal(t, 200, r.Status)
	assert.Empty(t, r.Header.Values("Set-Cookie"))
	assert.Contains(t, jsonBody(t, r), "refresh")
	// A refresh cookie is not read when cookie mode is off.
	p := e.pair(t, jwtkit.IntUserID(1))
	r = e.auth.Serve(context.Background(), jwtkit.EndpointRefresh, cookieReq(`{}`,
		map[string]string{"__Secure-jwtkit-refresh": p.Refresh, "jwtkit-csrf": "a"}, map[string]string{"X-CSRF-Token": "a"}))
	assertResponse(t, r, 400, `{"refresh":["This field is required."]}`)
}

func TestAccessCookieAndCSRFOnProtectedRoutes(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.Cookies.Enabled, c.Cookies.Access = true, true })
	ctx := context.Background()
	r := e.auth.Serve(ctx, jwtkit.EndpointObtain, cookieReq(`{"username":"demo","password":"demo-password"}`, nil, nil))
	require.Equal(t, 200, r.Status)
	cs := setCookies(r)
	access := cs["__Host-jwtkit-access"]
	require.NotNil(t, access)
	assert.Equal(t, "/", access.Path)
	assert.True(t, access.HttpOnly && access.Secure)
	assert.Equal(t, jsonBody(t, r)["access"], access.Value, "the access token stays in the body too")
	csrf := cs["jwtkit-csrf"].Value

	sources := e.auth.DefaultSources()
	require.Equal(t, []jwtkit.TokenSource{jwtkit.FromHeader("Authorization"), jwtkit.FromCookie("__Host-jwtkit-access")}, sources)
	get := func(cookies, headers map[string]string) func(jwtkit.TokenSource) string {
		return func(s jwtkit.TokenSource) string {
			if s.Kind == jwtkit.SourceCookie {
				return cookies[s.Name]
			}
			return headers[s.Name]
		}
	}
	jar := map[string]string{access.Name: access.Value, "jwtkit-csrf": csrf}
	_, err := e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, get(jar, nil))
	assert.NoError(t, err, "a safe method needs no CSRF header")
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		_, err = e.auth.AuthenticateFrom(ctx, m, sources, get(jar, nil))
		assert.ErrorIs(t, err, jwtkit.ErrCSRF, m)
		_, err = e.auth.AuthenticateFrom(ctx, m, sources, get(jar, map[string]string{"X-CSRF-Token": csrf}))
		assert.NoError(t, err, m)
	}
	_, err = e.auth.AuthenticateFrom(ctx, http.MethodPost, sources, get(jar, map[string]string{"Authorization": "Bearer " + access.Value}))
	assert.NoError(t, err, "a header token is not ambient: no CSRF check")
	assertResponse(t, e.auth.ErrorResponse(jwtkit.ErrCSRF), 403, `{"detail":"CSRF Failed: CSRF token missing or incorrect.","code":"csrf_failed"}`)

	// Revoke-all authenticated by the access cookie needs the header too, and clears the cookies.
	r = e.auth.Serve(ctx, jwtkit.EndpointRevokeAll, cookieReq(``, jar, nil))
	assert.Equal(t, 403, r.Status)
	r = e.auth.Serve(ctx, jwtkit.EndpointRevokeAll, cookieReq(``, jar, map[string]string{"X-CSRF-Token": csrf}))
	assertResponse(t, r, 200, `{}`)
	assert.Len(t, setCookies(r), 3)
}

func TestCookieSourceNeedsCSRFWithoutCookieMode(t *testing.T) {
	// An application reading tokens from its own cookie gets the same defence.
	e := newEnv(t)
	p := e.pair(t, jwtkit.IntUserID(1))
	sources := []jwtkit.TokenSource{jwtkit.FromCookie("session")}
	get := func(s jwtkit.TokenSource) string {
		if s.Kind == jwtkit.SourceCookie && s.Name == "session" {
			return p.Access
		}
		return ""
	}
	_, err := e.auth.AuthenticateFrom(context.Background(), http.MethodDelete, sources, get)
	assert.ErrorIs(t, err, jwtkit.ErrCSRF)
	_, err = e.auth.AuthenticateFrom(context.Background(), http.MethodHead, sources, get)
	assert.NoError(t, err)
}

func TestJWKSPublish(t *testing.T) {
	e := newEnv(t)
	r := e.auth.ServeJWKS(http.MethodGet)
	assertResponse(t, r, 404, `{"detail":"Not found."}`)
	assert.Nil(t, e.auth.JWKS(), "an HMAC secret is never published")

	signer, err := jwtkit.GenerateKey(jwtkit.ES256, "k2")
	require.NoError(t, err)
	old, err := jwtkit.GenerateKey(jwtkit.RS256, "k1")
	require.NoError(t, err)
	e = newEnv(t, func(c *jwtkit.Config) {
		c.SigningKey, c.VerifyingKeys = signer, []*jwtkit.Key{old.Public(), hsKey(t, "shared")}
		c.JWKSMaxAge = time.Hour
	})
	r = e.auth.ServeJWKS(http.MethodGet)
	require.Equal(t, 200, r.Status)
	assert.Equal(t, "public, max-age=3600", r.Header.Get("Cache-Control"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var set struct{ Keys []jwtkit.JWK }
	require.NoError(t, json.Unmarshal(r.Body, &set))
	require.Len(t, set.Keys, 2, "the signing key and the RSA key being rotated out; never the HMAC secret")
	assert.Equal(t, "k2", set.Keys[0].Kid)
	assert.Equal(t, "ES256", set.Keys[0].Alg)
	assert.Equal(t, "k1", set.Keys[1].Kid)
	for _, k := range set.Keys {
		assert.Empty(t, k.D, "no private member")
		assert.Empty(t, k.K)
	}
	assert.NotContains(t, string(r.Body), `"d"`)
	pub, err := set.Keys[0].Key()
	require.NoError(t, err)
	tok := e.pair(t, jwtkit.IntUserID(1)).Access
	verifier, err := jwtkit.New(jwtkit.Config{VerifyingKeys: []*jwtkit.Key{pub}, Store: newTestStore(), Stateless: true, Clock: e.clock.Now})
	require.NoError(t, err)
	_, err = verifier.Validate(context.Background(), tok, jwtkit.TypeAccess)
	assert.NoError(t, err, "the published key verifies the issuer's tokens")

	r = e.auth.ServeJWKS(http.MethodPost)
	assert.Equal(t, 405, r.Status)
	assert.Equal(t, "GET, HEAD", r.Header.Get("Allow"))
	assert.Equal(t, 200, e.auth.ServeJWKS(http.MethodHead).Status)
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.LoginRate = jwtkit.Rate{Limit: 3, Per: time.Minute} })
	ctx := context.Background()
	login := func(user, pass, addr string) jwtkit.Response {
		req := cookieReq(`{"username":"`+user+`","password":"`+pass+`"}`, nil, nil)
		req.ClientAddr = addr
		return e.auth.Serve(ctx, jwtkit.EndpointObtain, req)
	}
	const bad = `{"detail":"No active account found with the given credentials"}`
	// Successes are never counted.
	for range 5 {
		require.Equal(t, 200, login("demo", "demo-password", "192.0.2.1").Status)
	}
	for i := range 3 {
		assertResponse(t, login("demo", "wrong", "192.0.2.1"), 401, bad)
		e.clock.Advance(10 * time.Second)
		_ = i
	}
	// t0, t0+10s, t0+20s failed; now t0+30s: the oldest leaves at t0+60s.
	r := login("demo", "demo-password", "192.0.2.1")
	assertResponse(t, r, 429, `{"detail":"Request was throttled. Expected available in 30 seconds.","code":"throttled"}`)
	assert.Equal(t, "30", r.Header.Get("Retry-After"))
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	// Same answer for a username that does not exist, once it is over its own limit.
	for range 3 {
		assertResponse(t, login("nobody", "x", "198.51.100.7"), 401, bad)
	}
	r = login("nobody", "x", "198.51.100.7")
	assert.Equal(t, 429, r.Status)
	assert.Equal(t, "60", r.Header.Get("Retry-After"))
	// Per address: the address that failed three times is refused for other usernames too.
	r = login("uuid", "demo-password", "192.0.2.1")
	assert.Equal(t, 429, r.Status, "the address is over its limit")
	assert.Equal(t, 200, login("uuid", "demo-password", "203.0.113.9").Status, "another address, another username")
	// The window slides: at t0+60s+ the first failure has left.
	e.clock.Advance(31 * time.Second)
	assert.Equal(t, 200, login("demo", "demo-password", "192.0.2.1").Status)
	assert.Equal(t, 401, login("demo", "wrong", "192.0.2.1").Status)
	assert.Equal(t, 429, login("demo", "wrong", "192.0.2.1").Status)
	e.clock.Advance(8 * time.Second) // failures at t0+10s, t0+20s, t0+61s: one second before t0+10s leaves
	r = login("demo", "demo-password", "192.0.2.1")
	assertResponse(t, r, 429, `{"detail":"Request was throttled. Expected available in 1 second.","code":"throttled"}`)
	kinds := e.audit.kinds()
	assert.Contains(t, kinds, jwtkit.AuditLoginThrottled)
	assert.Contains(t, kinds, jwtkit.AuditLoginFailed)
	for _, ev := range e.audit.events {
		assert.NotContains(t, ev.Username+ev.ClientAddr+ev.TokenID, "wrong", "no password in audit events")
	}

	e.store.setDown(true)
	r = login("demo", "demo-password", "192.0.2.50")
	assert.Equal(t, 503, r.Status, "a limiter that cannot answer never lets guesses through")
}

func TestLoginRateLimitConcurrentGuesses(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.LoginRate = jwtkit.Rate{Limit: 5, Per: time.Hour} })
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := cookieReq(`{"username":"demo","password":"guess"}`, nil, nil)
			statuses[i] = e.auth.Serve(context.Background(), jwtkit.EndpointObtain, req).Status
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	assert.Equal(t, map[int]int{401: 5, 429: 45}, counts, "attempts are counted before the password is checked")
}

func TestLoginRateNeedsALimiter(t *testing.T) {
	_, err := jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: plainStore{newTestStore()}, Users: newTestUsers(),
		LoginRate: jwtkit.Rate{Limit: 5, Per: time.Minute}})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: newTestStore(), Users: newTestUsers(),
		LoginRate: jwtkit.Rate{Limit: 5}})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
}

func TestAuditEvents(t *testing.T) {
	e := reuseEnv(t, 0)
	ctx := context.Background()
	type key struct{}
	var seen []any
	var mu sync.Mutex
	e2 := newEnv(t, func(c *jwtkit.Config) {
		c.ReuseDetection = true
		c.Audit = func(ctx context.Context, ev jwtkit.AuditEvent) {
			mu.Lock()
			seen = append(seen, ctx.Value(key{}))
			mu.Unlock()
			e.audit.record(ctx, ev)
		}
	})
	rctx := context.WithValue(ctx, key{}, "req-42")
	r := e2.auth.Serve(rctx, jwtkit.EndpointObtain, cookieReq(`{"username":"demo","password":"demo-password"}`, nil, nil))
	require.Equal(t, 200, r.Status)
	_ = e2.auth.Serve(rctx, jwtkit.EndpointObtain, cookieReq(`{"username":"demo","password":"nope"}`, nil, nil))
	p := e2.pair(t, jwtkit.IntUserID(1))
	r1, err := e2.auth.Refresh(rctx, p.Refresh)
	require.NoError(t, err)
	_, _ = e2.auth.Refresh(rctx, p.Refresh)
	require.Error(t, e2.auth.Blacklist(rctx, r1.Refresh))
	q := e2.pair(t, jwtkit.IntUserID(1))
	require.NoError(t, e2.auth.Blacklist(rctx, q.Refresh))
	require.NoError(t, e2.auth.RevokeUser(rctx, jwtkit.IntUserID(1)))
	assert.Equal(t, []jwtkit.AuditKind{jwtkit.AuditLoginSucceeded, jwtkit.AuditLoginFailed, jwtkit.AuditRefreshed,
		jwtkit.AuditReuseDetected, jwtkit.AuditBlacklisted, jwtkit.AuditRevokedAll}, e.audit.kinds())
	for _, v := range seen {
		assert.Equal(t, "req-42", v, "the request's context reaches the hook")
	}
	for _, ev := range e.audit.events {
		if ev.Kind == jwtkit.AuditReuseDetected {
			assert.NotEmpty(t, ev.Family)
			assert.Equal(t, "1", ev.UserID.String())
		}
	}
}

func TestBlacklistRevokesTheAccessTokenInTheBody(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.pair(t, jwtkit.IntUserID(1))
	assertResponse(t, e.post(jwtkit.EndpointBlacklist, `{"refresh":"`+p.Refresh+`","access":"`+p.Access+`"}`), 200, `{}`)
	_, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)

	q := e.pair(t, jwtkit.IntUserID(1))
	for _, extra := range []string{`,"access":null`, `,"access":7`, `,"access":"garbage"`, `,"access":"` + e.pair(t, jwtkit.IntUserID(3)).Access + `"`} {
		r := e.post(jwtkit.EndpointBlacklist, `{"refresh":"`+e.pair(t, jwtkit.IntUserID(1)).Refresh+`"`+extra+`}`)
		assertResponse(t, r, 200, `{}`)
	}
	_, err = e.auth.Validate(ctx, q.Access, jwtkit.TypeAccess)
	assert.NoError(t, err)
}

func TestLoginNeverKeepsAPlantedCSRFToken(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.Cookies.Enabled = true; c.RotateRefreshTokens = true })
	planted := strings.Repeat("A", 43)
	r := e.auth.Serve(context.Background(), jwtkit.EndpointObtain,
		cookieReq(`{"username":"demo","password":"demo-password"}`, map[string]string{"jwtkit-csrf": planted}, nil))
	require.Equal(t, 200, r.Status)
	assert.NotEqual(t, planted, setCookies(r)["jwtkit-csrf"].Value)
}

func TestSlogAudit(t *testing.T) {
	var buf strings.Builder
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	hook := jwtkit.SlogAudit(l)
	hook(context.Background(), jwtkit.AuditEvent{Kind: jwtkit.AuditLoginFailed, Username: "demo", ClientAddr: "192.0.2.1"})
	hook(context.Background(), jwtkit.AuditEvent{Kind: jwtkit.AuditRefreshed, UserID: jwtkit.IntUserID(1)})
	hook(context.Background(), jwtkit.AuditEvent{Kind: jwtkit.AuditReuseDetected, UserID: jwtkit.IntUserID(1), Family: "f1", TokenID: "j1"})
	out := buf.String()
	assert.Contains(t, out, `level=WARN msg="jwtkit: login_failed" username=demo client=192.0.2.1`)
	assert.NotContains(t, out, "refreshed", "refreshes log at Debug")
	assert.Contains(t, out, `level=WARN msg="jwtkit: reuse_detected" user_id=1 jti=j1 family=f1`)
}

func TestAccessCookieNeedsCookieMode(t *testing.T) {
	_, err := jwtkit.New(jwtkit.Config{SigningKey: hsKey(t, ""), Store: newTestStore(), Users: newTestUsers(),
		Cookies: jwtkit.CookieConfig{Access: true}})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
}

// TestCrossSiteLogin: the origin rule over the Request fields, as every adapter fills them; a
// trusted origin is compared as browsers send Origin (lower case, no trailing slash).
func TestCrossSiteLogin(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) {
		c.Cookies.Enabled, c.Cookies.TrustedOrigins = true, []string{"HTTPS://App.Example.test/"}
	})
	ctx := context.Background()
	login := func(host string, headers map[string]string) int {
		req := cookieReq(`{"username":"demo","password":"demo-password"}`, nil, nil)
		req.Host = host
		req.Header = func(name string) string { return headers[name] }
		return e.auth.Serve(ctx, jwtkit.EndpointObtain, req).Status
	}
	assert.Equal(t, 200, login("api.example.test", nil), "not a browser")
	assert.Equal(t, 200, login("api.example.test", map[string]string{"Origin": "https://api.example.test"}), "own origin")
	assert.Equal(t, 200, login("api.example.test", map[string]string{"Origin": "https://app.example.test", "Sec-Fetch-Site": "same-site"}), "trusted")
	assert.Equal(t, 403, login("api.example.test", map[string]string{"Origin": "https://evil.example"}), "another site")
	assert.Equal(t, 403, login("api.example.test", map[string]string{"Origin": "https://api.example.test", "Sec-Fetch-Site": "cross-site"}),
		"Sec-Fetch-Site decides when a browser sends it")
	assert.Equal(t, 403, login("api.example.test", map[string]string{"Origin": "https://app.example.test\nhttps://evil.example", "Sec-Fetch-Site": "cross-site"}),
		"two Origin lines match nothing")
}

// Revoke-all finds and refuses its access token exactly as a protected route does
// (AuthenticateFrom over DefaultSources): one answer to "why was this token refused" on every
// route, including a header of another scheme beside a good access cookie.
func TestRevokeAllAnswersAsAProtectedRoute(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		header string // the auth header, "" for none
		cookie bool   // the access cookie is sent
		csrf   bool   // the double-submit header is sent
	}{
		{"nothing", "", false, false},
		{"good header", "Bearer {access}", false, false},
		{"other scheme, good cookie", "Basic ZGVtbzpkZW1v", true, true},
		{"blank header, good cookie", "   ", true, true},
		{"scheme alone, good cookie", "Bearer", true, true},
		{"two header lines", "Bearer {access}\nBearer {access}", false, false},
		{"bad header token, good cookie", "Bearer x.y.z", true, true},
		{"good cookie without the CSRF header", "", true, false},
		{"good cookie with the CSRF header", "", true, true},
	}
	for _, tc := range cases {
		e := newEnv(t, func(c *jwtkit.Config) { c.Cookies.Enabled, c.Cookies.Access = true, true })
		r := e.auth.Serve(ctx, jwtkit.EndpointObtain, cookieReq(`{"username":"demo","password":"demo-password"}`, nil, nil))
		require.Equal(t, 200, r.Status)
		cs := setCookies(r)
		access, csrf := cs["__Host-jwtkit-access"].Value, cs["jwtkit-csrf"].Value
		jar := map[string]string{"jwtkit-csrf": csrf}
		if tc.cookie {
			jar["__Host-jwtkit-access"] = access
		}
		headers := map[string]string{}
		if tc.csrf {
			headers["X-CSRF-Token"] = csrf
		}
		req := cookieReq(``, jar, headers)
		req.Authorization = strings.ReplaceAll(tc.header, "{access}", access)
		headers["Authorization"] = req.Authorization

		_, err := e.auth.AuthenticateFrom(ctx, http.MethodPost, e.auth.DefaultSources(), func(s jwtkit.TokenSource) string {
			if s.Kind == jwtkit.SourceCookie {
				return jar[s.Name]
			}
			return headers[s.Name]
		})
		e.clock.Advance(740 * time.Millisecond) // near the end of the second: RevokeUser waits it out
		got := e.auth.Serve(ctx, jwtkit.EndpointRevokeAll, req)
		if err != nil {
			want := e.auth.ErrorResponse(err)
			assert.Equal(t, want.Status, got.Status, tc.name)
			assert.Equal(t, string(want.Body), string(got.Body), tc.name)
			continue
		}
		assertResponse(t, got, 200, `{}`)
	}
}

// TestCheckKey: the one start every store gives a method that takes a key.
func TestCheckKey(t *testing.T) {
	ctx := context.Background()
	require.NoError(t, jwtkit.CheckKey(ctx, "jti", "abc"))
	assert.ErrorIs(t, jwtkit.CheckKey(ctx, "user id", ""), jwtkit.ErrEmptyKey)
	assert.ErrorContains(t, jwtkit.CheckKey(ctx, "user id", ""), "user id")
	done, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, jwtkit.CheckKey(done, "jti", ""), context.Canceled, "a done context first, before the key")
}
