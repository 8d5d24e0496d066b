package adaptertest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// The features beyond simplejwt (the contract's table "Features beyond simplejwt"), over
// HTTP, each on a server of its own with the feature on.

const (
	pathObtain    = "/api/token/"
	pathRefresh   = "/api/token/refresh/"
	pathVerify    = "/api/token/verify/"
	pathBlacklist = "/api/token/blacklist/"
	pathRevokeAll = "/api/token/revoke-all/"

	bodyCSRF            = `{"detail":"CSRF Failed: CSRF token missing or incorrect.","code":"csrf_failed"}`
	bodyPasswordChanged = `{"detail":"The user's password has been changed.","code":"password_changed"}`
	bodyNotFoundDetail  = `{"detail":"Not found."}`
	demoLogin           = `{"username":"demo","password":"demo-password"}`

	cookieRefresh = "__Secure-jwtkit-refresh"
	cookieAccess  = "__Host-jwtkit-access"
	cookieCSRF    = "jwtkit-csrf"
	headerCSRF    = "X-CSRF-Token"
)

func runFeatures(t *testing.T, start Start, base Options) {
	reuse := func(grace time.Duration) func(*jwtkit.Config) {
		return func(c *jwtkit.Config) { c.ReuseDetection, c.ReuseGrace = true, grace }
	}
	t.Run("reuse detection", func(t *testing.T) { runReuse(t, newServer(t, start, base, reuse(0))) })
	t.Run("reuse detection, concurrent refreshes", func(t *testing.T) { runReuseRace(t, newServer(t, start, base, reuse(0))) })
	t.Run("reuse grace, concurrent refreshes", func(t *testing.T) {
		runReuseGrace(t, newServer(t, start, base, reuse(5*time.Second)))
	})
	t.Run("revoke all", func(t *testing.T) { runRevokeAll(t, newServer(t, start, base, nil)) })
	t.Run("check revoke token", func(t *testing.T) {
		runCheckRevokeToken(t, newServer(t, start, base, func(c *jwtkit.Config) { c.CheckRevokeToken = true }))
	})
	t.Run("cookie mode", func(t *testing.T) {
		runCookieMode(t, newServer(t, start, base, func(c *jwtkit.Config) {
			c.Cookies.Enabled, c.RotateRefreshTokens, c.BlacklistAfterRotation = true, true, true
		}))
	})
	t.Run("cookie mode, cross-site requests", func(t *testing.T) {
		runCrossSite(t, newServer(t, start, base, func(c *jwtkit.Config) {
			c.Cookies.Enabled, c.Cookies.Access = true, true
			c.Cookies.TrustedOrigins = []string{trustedOrigin}
		}), true)
	})
	t.Run("no cookie mode, cross-site requests", func(t *testing.T) {
		runCrossSite(t, newServer(t, start, base, nil), false)
	})
	t.Run("cookie mode, access cookie", func(t *testing.T) {
		runAccessCookie(t, newServer(t, start, base, func(c *jwtkit.Config) { c.Cookies.Enabled, c.Cookies.Access = true, true }))
	})
	t.Run("jwks", func(t *testing.T) { runJWKS(t, start, base) })
	t.Run("login rate", func(t *testing.T) { runLoginRate(t, start, base) })
}

// tokensOf decodes a token answer's body.
func tokensOf(t *testing.T, a answer) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(a.body), &m), a.body)
	return m
}

func refreshBody(tok string) string { return `{"refresh":"` + tok + `"}` }

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// me is GET /api/me with the given headers.
func (s *server) me(headers ...string) answer {
	s.t.Helper()
	return s.do(http.MethodGet, "/api/me", "", "", headers...)
}

// race sends n copies of one POST, released together, and returns every answer.
func (s *server) race(n int, path, body string) []answer {
	s.t.Helper()
	answers := make([]answer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	startLine := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startLine
			answers[i], errs[i] = s.send(http.MethodPost, path, "application/json", body)
		}()
	}
	close(startLine)
	wg.Wait()
	for _, err := range errs {
		require.NoError(s.t, err)
	}
	return answers
}

func runReuse(t *testing.T, s *server) {
	access0, refresh0 := s.login()
	otherAccess, otherRefresh := s.login()

	a := s.postJSON(pathRefresh, refreshBody(refresh0))
	expect(t, a, 200, "", true)
	next := tokensOf(t, a)
	require.NotEmpty(t, next["refresh"], "reuse detection rotates refresh tokens")
	expect(t, s.me(bearer(next["access"])...), 200, bodyDemo, false)

	// The rotated token again: a replay, which ends the whole login.
	expect(t, s.postJSON(pathRefresh, refreshBody(refresh0)), 401, bodyBlacklisted, true)
	expect(t, s.postJSON(pathRefresh, refreshBody(next["refresh"])), 401, bodyBlacklisted, true)
	for name, tok := range map[string]string{"first access": access0, "rotated access": next["access"]} {
		t.Run(name, func(t *testing.T) {
			expect(t, s.me(bearer(tok)...), 401, protectedBody("Token is blacklisted"), false)
		})
	}

	// Another login of the same user is another family.
	expect(t, s.me(bearer(otherAccess)...), 200, bodyDemo, false)
	a = s.postJSON(pathRefresh, refreshBody(otherRefresh))
	expect(t, a, 200, "", true)
	expect(t, s.me(bearer(tokensOf(t, a)["access"])...), 200, bodyDemo, false)
}

func runReuseRace(t *testing.T, s *server) {
	_, refresh := s.login()
	var winner *answer
	for i, a := range s.race(16, pathRefresh, refreshBody(refresh)) {
		if a.status == http.StatusOK {
			require.Nil(t, winner, "exactly one concurrent refresh wins")
			winner = &a
			expect(t, a, 200, "", true)
			continue
		}
		t.Run("loser "+strconv.Itoa(i), func(t *testing.T) { expect(t, a, 401, bodyBlacklisted, true) })
	}
	require.NotNil(t, winner, "one concurrent refresh wins")
	// Without a grace window a loser looks like a thief: the family, the winner's tokens
	// included, is revoked.
	won := tokensOf(t, *winner)
	expect(t, s.postJSON(pathRefresh, refreshBody(won["refresh"])), 401, bodyBlacklisted, true)
	expect(t, s.me(bearer(won["access"])...), 401, protectedBody("Token is blacklisted"), false)
}

func runReuseGrace(t *testing.T, s *server) {
	_, refresh := s.login()
	answers := s.race(16, pathRefresh, refreshBody(refresh))
	for i, a := range answers {
		expect(t, a, 200, "", true)
		assert.Equal(t, answers[0].body, a.body, "answer %d: every presentation within the window gets the first rotation's pair", i)
	}
	next := tokensOf(t, answers[0])
	expect(t, s.me(bearer(next["access"])...), 200, bodyDemo, false)
	a := s.postJSON(pathRefresh, refreshBody(next["refresh"]))
	expect(t, a, 200, "", true)
	assert.NotEqual(t, answers[0].body, a.body, "the family goes on with a new pair")
}

func runRevokeAll(t *testing.T, s *server) {
	access1, refresh1 := s.login()
	access2, refresh2 := s.login()

	expect(t, s.do(http.MethodPost, pathRevokeAll, "", ""), 401, bodyNotProvided, true)
	expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", bearer(refresh1)...), 401, protectedBody("Token has wrong type"), true)
	expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", "Authorization", "Bearer"), 401, bodyBadHeader, true)
	expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", append(bearer(access1), bearer(access1)...)...), 401, bodyBadHeader, true)
	expect(t, s.me(bearer(access2)...), 200, bodyDemo, false)

	expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", bearer(access1)...), 200, `{}`, true)
	// A login right after log-out-everywhere answered is a new session, in the same second or not.
	fresh, freshRefresh := s.login()
	expect(t, s.me(bearer(fresh)...), 200, bodyDemo, false)
	expect(t, s.postJSON(pathRefresh, refreshBody(freshRefresh)), 200, "", true)
	for name, tok := range map[string]string{"session 1": access1, "session 2": access2} {
		t.Run(name, func(t *testing.T) {
			expect(t, s.me(bearer(tok)...), 401, protectedBody("Token is blacklisted"), false)
		})
	}
	for name, tok := range map[string]string{"session 1": refresh1, "session 2": refresh2} {
		t.Run(name+" refresh", func(t *testing.T) {
			expect(t, s.postJSON(pathRefresh, refreshBody(tok)), 401, bodyBlacklisted, true)
		})
	}
	expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", bearer(access2)...), 401, protectedBody("Token is blacklisted"), true)

	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		a := s.do(m, pathRevokeAll, "", "")
		expect(t, a, http.StatusMethodNotAllowed, `{"detail":"Method \"`+m+`\" not allowed."}`, true)
		assert.Equal(t, "POST, OPTIONS", a.header.Get("Allow"), m)
	}
	a := s.do(http.MethodOptions, pathRevokeAll, "", "")
	expect(t, a, http.StatusOK, "", true)
	assert.Equal(t, "POST, OPTIONS", a.header.Get("Allow"))
	assert.Contains(t, a.body, `"name":"Token Revoke All"`)
}

func runCheckRevokeToken(t *testing.T, s *server) {
	access, refresh := s.login()
	expect(t, s.me(bearer(access)...), 200, bodyDemo, false)

	s.users.setPassword("demo", "new-password")
	expect(t, s.me(bearer(access)...), 401, bodyPasswordChanged, false)
	expect(t, s.postJSON(pathRefresh, refreshBody(refresh)), 401, bodyPasswordChanged, true)
	expect(t, s.postJSON(pathObtain, demoLogin), 401, bodyCredentials, true)

	a := s.postJSON(pathObtain, `{"username":"demo","password":"new-password"}`)
	expect(t, a, 200, "", true)
	fresh := tokensOf(t, a)
	expect(t, s.me(bearer(fresh["access"])...), 200, bodyDemo, false)
	expect(t, s.postJSON(pathRefresh, refreshBody(fresh["refresh"])), 200, "", true)
}

// cookiesOf parses an answer's Set-Cookie lines by name; every line must parse, and no name
// may come twice.
func cookiesOf(t *testing.T, a answer) map[string]*http.Cookie {
	t.Helper()
	out := map[string]*http.Cookie{}
	for _, line := range a.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		require.NoError(t, err, line)
		require.NotContains(t, out, c.Name, "one Set-Cookie per cookie")
		out[c.Name] = c
	}
	return out
}

// cookieWant is what a cookie of cookie mode must carry besides its name and value.
type cookieWant struct {
	path     string
	httpOnly bool
	maxAge   int
}

// checkCookie checks every attribute of c: Secure and SameSite=Strict always, no Domain (so
// the browser keeps it to this host), no Expires (Max-Age says it).
func checkCookie(t *testing.T, c *http.Cookie, w cookieWant) {
	t.Helper()
	require.NotNil(t, c)
	assert.Equal(t, w.path, c.Path, "%s Path", c.Name)
	assert.Equal(t, w.httpOnly, c.HttpOnly, "%s HttpOnly", c.Name)
	assert.Equal(t, w.maxAge, c.MaxAge, "%s Max-Age", c.Name)
	assert.True(t, c.Secure, "%s Secure", c.Name)
	assert.Equal(t, http.SameSiteStrictMode, c.SameSite, "%s SameSite", c.Name)
	assert.Empty(t, c.Domain, "%s Domain", c.Name)
	assert.True(t, c.Expires.IsZero(), "%s Expires", c.Name)
	assert.False(t, c.Partitioned, "%s Partitioned", c.Name)
}

// checkCleared checks that a answers with the named cookies deleted: empty value, Max-Age=0,
// the path they were set with.
func checkCleared(t *testing.T, a answer, paths map[string]string) {
	t.Helper()
	cleared := cookiesOf(t, a)
	require.Len(t, cleared, len(paths))
	for name, path := range paths {
		c := cleared[name]
		require.NotNil(t, c, name)
		assert.Empty(t, c.Value, name)
		assert.Contains(t, c.Raw, "Max-Age=0", name)
		checkCookie(t, c, cookieWant{path: path, httpOnly: name != cookieCSRF, maxAge: -1})
	}
}

var csrfValue = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// wrongCSRF is a CSRF token of the same length that differs from v in its first byte.
func wrongCSRF(v string) string {
	if v[0] == 'A' {
		return "B" + v[1:]
	}
	return "A" + v[1:]
}

func runCookieMode(t *testing.T, s *server) {
	a := s.postJSON(pathObtain, demoLogin)
	expect(t, a, 200, "", true)
	assert.Regexp(t, `^\{"access":"[\w.-]+"\}$`, a.body, "the refresh token is left out of the body")
	cs := cookiesOf(t, a)
	require.Len(t, cs, 2)
	ref, csrf := cs[cookieRefresh], cs[cookieCSRF]
	checkCookie(t, ref, cookieWant{path: "/api/token/", httpOnly: true, maxAge: 86400})
	checkCookie(t, csrf, cookieWant{path: "/", httpOnly: false, maxAge: 86400})
	assert.Regexp(t, csrfValue, csrf.Value)
	expect(t, s.postJSON(pathVerify, `{"token":"`+ref.Value+`"}`), 200, `{}`, true)

	jar := func(refresh string) string {
		return cookieRefresh + "=" + refresh + "; " + cookieCSRF + "=" + csrf.Value
	}
	wrong := wrongCSRF(csrf.Value)
	refused := map[string][]string{
		"no header":              {"Cookie", jar(ref.Value)},
		"incorrect header":       {"Cookie", jar(ref.Value), headerCSRF, wrong},
		"empty header":           {"Cookie", jar(ref.Value), headerCSRF, ""},
		"header, no CSRF cookie": {"Cookie", cookieRefresh + "=" + ref.Value, headerCSRF, csrf.Value},
	}
	for name, headers := range refused {
		t.Run("refresh, "+name, func(t *testing.T) {
			a := s.do(http.MethodPost, pathRefresh, "", "", headers...)
			expect(t, a, 403, bodyCSRF, true)
			assert.Empty(t, a.header.Values("Set-Cookie"))
		})
	}

	a = s.do(http.MethodPost, pathRefresh, "", "", "Cookie", jar(ref.Value), headerCSRF, csrf.Value)
	expect(t, a, 200, "", true)
	assert.Regexp(t, `^\{"access":"[\w.-]+"\}$`, a.body)
	cs = cookiesOf(t, a)
	require.Len(t, cs, 2)
	rotated := cs[cookieRefresh]
	checkCookie(t, rotated, cookieWant{path: "/api/token/", httpOnly: true, maxAge: 86400})
	assert.NotEqual(t, ref.Value, rotated.Value, "rotation sets the new refresh token")
	checkCookie(t, cs[cookieCSRF], cookieWant{path: "/", httpOnly: false, maxAge: 86400})
	assert.Equal(t, csrf.Value, cs[cookieCSRF].Value, "the CSRF token stays across refreshes")
	expect(t, s.do(http.MethodPost, pathRefresh, "", "", "Cookie", jar(ref.Value), headerCSRF, csrf.Value), 401, bodyBlacklisted, true)

	// A refresh token in the body works as before, with neither cookie nor header.
	a = s.postJSON(pathRefresh, refreshBody(rotated.Value))
	expect(t, a, 200, "", true)
	latest := cookiesOf(t, a)[cookieRefresh]
	require.NotNil(t, latest)
	expect(t, s.postJSON(pathRefresh, `{}`), 400, `{"refresh":["This field is required."]}`, true)

	expect(t, s.do(http.MethodPost, pathBlacklist, "", "", "Cookie", jar(latest.Value)), 403, bodyCSRF, true)
	a = s.do(http.MethodPost, pathBlacklist, "", "", "Cookie", jar(latest.Value), headerCSRF, csrf.Value)
	expect(t, a, 200, `{}`, true)
	checkCleared(t, a, map[string]string{cookieRefresh: "/api/token/", cookieCSRF: "/"})
	expect(t, s.postJSON(pathRefresh, refreshBody(latest.Value)), 401, bodyBlacklisted, true)
}

func runAccessCookie(t *testing.T, s *server) {
	a := s.postJSON(pathObtain, demoLogin)
	expect(t, a, 200, "", true)
	body := tokensOf(t, a)
	assert.NotContains(t, body, "refresh")
	cs := cookiesOf(t, a)
	require.Len(t, cs, 3)
	access, csrf := cs[cookieAccess], cs[cookieCSRF]
	checkCookie(t, access, cookieWant{path: "/", httpOnly: true, maxAge: 300})
	checkCookie(t, cs[cookieRefresh], cookieWant{path: "/api/token/", httpOnly: true, maxAge: 86400})
	checkCookie(t, csrf, cookieWant{path: "/", httpOnly: false, maxAge: 86400})
	assert.Equal(t, body["access"], access.Value, "the access token is in the body too")

	only := cookieAccess + "=" + access.Value
	both := only + "; " + cookieCSRF + "=" + csrf.Value
	expect(t, s.me("Cookie", only), 200, bodyDemo, false)
	post := func(headers ...string) answer {
		return s.do(http.MethodPost, "/api/me", "", "", headers...)
	}
	expect(t, post("Cookie", only), 403, bodyCSRF, false)
	expect(t, post("Cookie", both), 403, bodyCSRF, false)
	expect(t, post("Cookie", both, headerCSRF, wrongCSRF(csrf.Value)), 403, bodyCSRF, false)
	expect(t, post("Cookie", only, headerCSRF, csrf.Value), 403, bodyCSRF, false)
	expect(t, post("Cookie", both, headerCSRF, csrf.Value), 200, bodyDemo, false)
	expect(t, post(bearer(access.Value)...), 200, bodyDemo, false)
	expect(t, post("Cookie", cookieAccess+"=bad; "+cookieCSRF+"="+csrf.Value, headerCSRF, csrf.Value), 401,
		protectedBody("Token is invalid or expired"), false)

	// Log out everywhere with the access cookie: the header is needed, and every cookie goes.
	expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", "Cookie", both), 403, bodyCSRF, true)
	a = s.do(http.MethodPost, pathRevokeAll, "", "", "Cookie", both, headerCSRF, csrf.Value)
	expect(t, a, 200, `{}`, true)
	checkCleared(t, a, map[string]string{cookieRefresh: "/api/token/", cookieAccess: "/", cookieCSRF: "/"})
	expect(t, s.me("Cookie", only), 401, protectedBody("Token is blacklisted"), false)
}

// rsaKid is the table's RSA key under a kid, as a verifying key being rotated out.
var rsaKid = sync.OnceValues(func() (*jwtkit.Key, error) {
	k, err := rsaKey()
	if err != nil {
		return nil, err
	}
	pem, err := k.PrivatePEM()
	if err != nil {
		return nil, err
	}
	return jwtkit.ParsePEMKey(jwtkit.RS256, pem, "rs-old")
})

func runJWKS(t *testing.T, start Start, base Options) {
	hs := newServer(t, start, base, nil)
	expect(t, hs.do(http.MethodGet, jwtkit.JWKSPath, "", ""), 404, bodyNotFoundDetail, false)

	es, err := jwtkit.GenerateKey(jwtkit.ES256, "es-new")
	require.NoError(t, err)
	rs, err := rsaKid()
	require.NoError(t, err)
	s := newServer(t, start, base, func(c *jwtkit.Config) {
		c.SigningKey, c.VerifyingKeys = es, []*jwtkit.Key{rs.Public()}
	})
	a := s.do(http.MethodGet, jwtkit.JWKSPath, "", "")
	expect(t, a, 200, "", false)
	assert.Equal(t, []string{"public, max-age=300"}, a.header.Values("Cache-Control"))

	var raw struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(a.body), &raw))
	require.Len(t, raw.Keys, 2)
	public := map[string]bool{"kty": true, "use": true, "alg": true, "kid": true, "crv": true, "x": true, "y": true, "n": true, "e": true}
	for _, k := range raw.Keys {
		for member := range k {
			assert.True(t, public[member], "member %q of a published key", member)
		}
	}
	var set struct{ Keys []jwtkit.JWK }
	require.NoError(t, json.Unmarshal([]byte(a.body), &set))
	assert.Equal(t, [2]string{"es-new", "ES256"}, [2]string{set.Keys[0].Kid, set.Keys[0].Alg})
	assert.Equal(t, [2]string{"rs-old", "RS256"}, [2]string{set.Keys[1].Kid, set.Keys[1].Alg})

	// A consumer of the document verifies what the server issues, and what the key being
	// rotated out signed.
	mem, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = mem.Close() })
	var keys []*jwtkit.Key
	for _, j := range set.Keys {
		k, err := j.Key()
		require.NoError(t, err)
		keys = append(keys, k)
	}
	verifier, err := jwtkit.New(jwtkit.Config{VerifyingKeys: keys, Store: mem, Stateless: true, Audit: jwtkit.NoAudit})
	require.NoError(t, err)
	access, _ := s.login()
	_, err = verifier.Validate(context.Background(), access, jwtkit.TypeAccess)
	require.NoError(t, err, "a token from the server verifies with the published key")
	old, err := minter(t, rs, nil).IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	_, err = verifier.Validate(context.Background(), old.Access, jwtkit.TypeAccess)
	require.NoError(t, err, "a token of the key being rotated out verifies with its published key")
	expect(t, s.me(bearer(old.Access)...), 200, bodyDemo, false)

	// A resource server on the same framework follows the issuer's JWKS by URL (RemoteKeys):
	// the issuer's tokens pass its protected route, a token of a key the issuer never published
	// does not.
	remote, err := jwtkit.NewRemoteKeySet(context.Background(), jwtkit.RemoteKeySetConfig{URL: s.base + jwtkit.JWKSPath})
	require.NoError(t, err)
	rsrv := newServer(t, start, base, func(c *jwtkit.Config) { c.SigningKey, c.RemoteKeys = nil, remote })
	expect(t, rsrv.me(bearer(access)...), 200, bodyDemo, false)
	expect(t, rsrv.me(bearer(old.Access)...), 200, bodyDemo, false)
	stranger, err := jwtkit.GenerateKey(jwtkit.ES256, "es-stranger")
	require.NoError(t, err)
	forged, err := minter(t, stranger, nil).IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	expect(t, rsrv.me(bearer(forged.Access)...), 401, protectedBody("Token is invalid or expired"), false)

	a = s.do(http.MethodPost, jwtkit.JWKSPath, "application/json", `{}`)
	expect(t, a, 405, `{"detail":"Method \"POST\" not allowed."}`, false)
	assert.Equal(t, "GET, HEAD", a.header.Get("Allow"))
	a = s.do(http.MethodHead, jwtkit.JWKSPath, "", "")
	assert.Equal(t, 200, a.status)
	assert.Empty(t, a.body)
	assert.Equal(t, "public, max-age=300", a.header.Get("Cache-Control"))
}

// auditLog records the audit events of a server.
type auditLog struct {
	mu     sync.Mutex
	events []jwtkit.AuditEvent
}

func (l *auditLog) record(_ context.Context, e jwtkit.AuditEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *auditLog) all() []jwtkit.AuditEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]jwtkit.AuditEvent(nil), l.events...)
}

var throttledBody = regexp.MustCompile(`^\{"detail":"Request was throttled\. Expected available in (\d+) seconds?\.","code":"throttled"\}$`)

// expectThrottled checks a 429 of the login rate: the wait S in 1..60 seconds, the same in
// Retry-After and in the body, whose wording is DRF's (1 second, S seconds).
func expectThrottled(t *testing.T, a answer) {
	t.Helper()
	expect(t, a, http.StatusTooManyRequests, "", true)
	m := throttledBody.FindStringSubmatch(a.body)
	require.NotNil(t, m, a.body)
	wait, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.GreaterOrEqual(t, wait, 1)
	assert.LessOrEqual(t, wait, 60)
	assert.Equal(t, []string{m[1]}, a.header.Values("Retry-After"))
	unit := "seconds"
	if wait == 1 {
		unit = "second"
	}
	assert.Equal(t, `{"detail":"Request was throttled. Expected available in `+m[1]+` `+unit+`.","code":"throttled"}`, a.body)
}

func runLoginRate(t *testing.T, start Start, base Options) {
	limited := func(log *auditLog) func(*jwtkit.Config) {
		return func(c *jwtkit.Config) {
			c.LoginRate = jwtkit.Rate{Limit: 3, Per: time.Minute}
			c.Audit = log.record
		}
	}
	login := func(s *server, name, password string) answer {
		return s.postJSON(pathObtain, `{"username":"`+name+`","password":"`+password+`"}`)
	}

	t.Run("existing user", func(t *testing.T) {
		var log auditLog
		s := newServer(t, start, base, limited(&log))
		for range 5 {
			expect(t, login(s, "demo", "demo-password"), 200, "", true)
		}
		for range 3 {
			expect(t, login(s, "demo", "wrong"), 401, bodyCredentials, true)
		}
		expectThrottled(t, login(s, "demo", "demo-password"))
		expectThrottled(t, login(s, "demo", "wrong"))

		// The adapter hands core the client's address: every login event carries the
		// loopback address the suite connects from.
		u, err := url.Parse(s.base)
		require.NoError(t, err)
		host, _, err := net.SplitHostPort(u.Host)
		require.NoError(t, err)
		events := log.all()
		require.NotEmpty(t, events)
		for _, e := range events {
			assert.Equal(t, host, e.ClientAddr, "%s", e.Kind)
		}
	})
	// One client-address rule on every framework, whatever the framework's own client-IP
	// settings: a forwarding header counts only from a proxy of Config.TrustedProxies.
	t.Run("forwarding header from a peer that is not a trusted proxy", func(t *testing.T) {
		var log auditLog
		s := newServer(t, start, base, limited(&log))
		for i := range 3 {
			expect(t, s.postJSON(pathObtain, `{"username":"nobody`+strconv.Itoa(i)+`","password":"x"}`,
				"X-Forwarded-For", "203.0.113."+strconv.Itoa(i+1)), 401, bodyCredentials, true)
		}
		// A fourth address in the header changes nothing: the peer's address is over the limit.
		expectThrottled(t, s.postJSON(pathObtain, `{"username":"nobody9","password":"x"}`, "X-Forwarded-For", "203.0.113.9"))
		for _, e := range log.all() {
			assert.NotContains(t, e.ClientAddr, "203.0.113.", "%s: the header was believed", e.Kind)
		}
	})
	t.Run("forwarding header from a trusted proxy", func(t *testing.T) {
		var log auditLog
		s := newServer(t, start, base, func(c *jwtkit.Config) {
			limited(&log)(c)
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		})
		// The peer is the suite's loopback "proxy"; the client is the rightmost hop it does not
		// trust, whatever the client wrote further left.
		for i := range 3 {
			expect(t, s.postJSON(pathObtain, `{"username":"nobody`+strconv.Itoa(i)+`","password":"x"}`,
				"X-Forwarded-For", "198.51.100."+strconv.Itoa(i)+", 203.0.113.7, 127.0.0.1"), 401, bodyCredentials, true)
		}
		expectThrottled(t, s.postJSON(pathObtain, `{"username":"nobody9","password":"x"}`, "X-Forwarded-For", "203.0.113.7"))
		expect(t, s.postJSON(pathObtain, `{"username":"nobody9","password":"x"}`, "X-Forwarded-For", "203.0.113.8"), 401, bodyCredentials, true)
		events := log.all()
		require.NotEmpty(t, events)
		assert.Equal(t, "203.0.113.7", events[0].ClientAddr)
		assert.Equal(t, "203.0.113.8", events[len(events)-1].ClientAddr)
	})
	t.Run("unknown user", func(t *testing.T) {
		s := newServer(t, start, base, limited(&auditLog{}))
		for range 3 {
			expect(t, login(s, "nobody", "demo-password"), 401, bodyCredentials, true)
		}
		expectThrottled(t, login(s, "nobody", "demo-password"))
		// demo has no failed login: only the client address, which the adapter passed on, is
		// over the limit.
		expectThrottled(t, login(s, "demo", "demo-password"))
	})
}

// trustedOrigin is the cross-site test's trusted front end.
const trustedOrigin = "https://app.example.test"

// runCrossSite: in cookie mode, a browser request from another site to an endpoint that sets or
// uses the cookies is refused before any work (no login CSRF: a page elsewhere cannot log the
// visitor in to the attacker's account), unless its origin is trusted; without cookie mode the
// endpoints answer every origin as simplejwt does.
func runCrossSite(t *testing.T, s *server, cookieMode bool) {
	own := strings.TrimSuffix(s.base, "/")
	allowed := map[string][]string{
		"no Origin (not a browser)":               nil,
		"Sec-Fetch-Site same-origin":              {"Sec-Fetch-Site", "same-origin", "Origin", "https://evil.example"},
		"Sec-Fetch-Site none (a typed URL)":       {"Sec-Fetch-Site", "none"},
		"the trusted origin, cross-site":          {"Sec-Fetch-Site", "cross-site", "Origin", trustedOrigin},
		"the API's own origin, no Sec-Fetch-Site": {"Origin", own},
	}
	refused := map[string][]string{
		"another site":                       {"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
		"a sibling subdomain":                {"Sec-Fetch-Site", "same-site", "Origin", "https://evil.app.example.test"},
		"another site, no Sec-Fetch-Site":    {"Origin", "https://evil.example"},
		"an opaque origin":                   {"Sec-Fetch-Site", "cross-site", "Origin", "null"},
		"the trusted origin over plain http": {"Sec-Fetch-Site", "cross-site", "Origin", "http://app.example.test"},
	}
	for name, h := range allowed {
		t.Run("allowed, "+name, func(t *testing.T) {
			expect(t, s.postJSON(pathObtain, demoLogin, h...), 200, "", true)
		})
	}
	for name, h := range refused {
		t.Run("refused, "+name, func(t *testing.T) {
			access, refresh := s.login()
			if !cookieMode {
				expect(t, s.postJSON(pathObtain, demoLogin, h...), 200, "", true)
				expect(t, s.postJSON(pathRefresh, refreshBody(refresh), h...), 200, "", true)
				return
			}
			for path, body := range map[string]string{pathObtain: demoLogin, pathRefresh: refreshBody(refresh), pathBlacklist: refreshBody(refresh)} {
				a := s.postJSON(path, body, h...)
				expect(t, a, 403, bodyCSRF, true)
				assert.Empty(t, a.header.Values("Set-Cookie"), path)
			}
			expect(t, s.do(http.MethodPost, pathRevokeAll, "", "", append(bearer(access), h...)...), 403, bodyCSRF, true)
			// Verify neither sets nor uses a cookie, and the refused calls changed nothing.
			expect(t, s.postJSON(pathVerify, `{"token":"`+access+`"}`, h...), 200, `{}`, true)
			expect(t, s.me(bearer(access)...), 200, bodyDemo, false)
		})
	}
}
