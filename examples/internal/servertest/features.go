package servertest

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// The contract's bodies for the features beyond simplejwt, byte for byte.
const (
	blacklisted          = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	protectedBlacklisted = `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is blacklisted"}]}`
	noCredentials        = `{"detail":"Authentication credentials were not provided."}`
	csrfFailed           = `{"detail":"CSRF Failed: CSRF token missing or incorrect.","code":"csrf_failed"}`
	notFound             = `{"detail":"Not found."}`
	demoLogin            = `{"username":"demo","password":"demo-password"}`
	meBody               = `{"user_id":1,"username":"demo"}`
)

// runFeatures walks each feature beyond simplejwt on a server that has it switched on by its
// variable, on the default SQLite store, with exact answers.
func runFeatures(t *testing.T, bin string) {
	t.Run("always on: revoke-all, no JWKS with an HS key", func(t *testing.T) { runRevokeAll(t, bin) })
	t.Run("reuse detection", func(t *testing.T) { runReuseDetection(t, bin) })
	t.Run("reuse grace", func(t *testing.T) { runReuseGrace(t, bin) })
	t.Run("ES256 with a generated key", func(t *testing.T) { runGeneratedES256(t, bin) })
	t.Run("EdDSA from a key file", func(t *testing.T) { runEdDSAKeyFile(t, bin) })
	t.Run("cookie mode", func(t *testing.T) { runCookieMode(t, bin) })
	t.Run("login rate", func(t *testing.T) { runLoginRate(t, bin) })
}

// pair logs demo in and returns the access and refresh tokens.
func pair(t *testing.T, base string) (access, refresh string) {
	t.Helper()
	e := do(t, call{method: http.MethodPost, url: base + "/api/token/", body: demoLogin})
	require.Equal(t, http.StatusOK, e.Status, e.Body)
	m := e.fields(t, "access", "refresh")
	return m["access"], m["refresh"]
}

func refreshWith(t *testing.T, base, refresh string) exchange {
	t.Helper()
	return do(t, call{method: http.MethodPost, url: base + "/api/token/refresh/", body: `{"refresh":"` + refresh + `"}`})
}

func me(t *testing.T, base, access string) exchange {
	t.Helper()
	return do(t, call{method: http.MethodGet, url: base + "/api/me", bearer: access})
}

// expect checks an answer's status and exact body, and that every 401, and only a 401, carries
// the contract's challenge.
func expect(t *testing.T, e exchange, status int, body string, what string) {
	t.Helper()
	assert.Equal(t, status, e.Status, what)
	assert.Equal(t, body, e.Body, what)
	if status == http.StatusUnauthorized {
		assert.Equal(t, `Bearer realm="api"`, e.Header.Get("WWW-Authenticate"), what)
	} else {
		assert.Empty(t, e.Header.Get("WWW-Authenticate"), what)
	}
}

// With every variable unset: the JWKS path answers 404, and POST /api/token/revoke-all/ logs
// the caller out on every device.
func runRevokeAll(t *testing.T, bin string) {
	s := Start(t, bin, sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key)...)
	expect(t, do(t, call{method: http.MethodGet, url: s.URL + jwtkit.JWKSPath}), http.StatusNotFound, notFound, "jwks with an HS key")

	access1, _ := pair(t, s.URL)        // a laptop
	access2, refresh2 := pair(t, s.URL) // a phone
	revokeAll := s.URL + "/api/token/revoke-all/"
	expect(t, do(t, call{method: http.MethodPost, url: revokeAll}), http.StatusUnauthorized, noCredentials, "revoke-all without a token")
	e := do(t, call{method: http.MethodPost, url: revokeAll, bearer: access1})
	expect(t, e, http.StatusOK, `{}`, "revoke-all")
	assert.Equal(t, "no-store", e.Header.Get("Cache-Control"))

	expect(t, me(t, s.URL, access1), http.StatusUnauthorized, protectedBlacklisted, "the caller's access token")
	expect(t, me(t, s.URL, access2), http.StatusUnauthorized, protectedBlacklisted, "the other device's access token")
	expect(t, refreshWith(t, s.URL, refresh2), http.StatusUnauthorized, blacklisted, "the other device's refresh token")

	// Revocation covers tokens issued up to the revoking second (iat has whole seconds), so a
	// new login works from the next second on.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
	access3, _ := pair(t, s.URL)
	expect(t, me(t, s.URL, access3), http.StatusOK, meBody, "a login after revoke-all")

	stderr := s.Stop(t)
	assert.Regexp(t, `level=INFO msg="jwtkit: revoked_all" framework=\S+ user_id=1\n`, stderr, "the audit log")
}

// JWTKIT_REUSE_DETECTION=true: a replayed refresh token revokes its whole family.
func runReuseDetection(t *testing.T, bin string) {
	s := Start(t, bin, sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key, "JWTKIT_REUSE_DETECTION=true")...)
	access0, refresh0 := pair(t, s.URL)
	e := refreshWith(t, s.URL, refresh0)
	require.Equal(t, http.StatusOK, e.Status, e.Body)
	next := e.fields(t, "access", "refresh") // rotation is implied
	expect(t, me(t, s.URL, next["access"]), http.StatusOK, meBody, "before the replay")
	otherAccess, otherRefresh := pair(t, s.URL) // another login: another family

	expect(t, refreshWith(t, s.URL, refresh0), http.StatusUnauthorized, blacklisted, "the replayed refresh token")
	expect(t, refreshWith(t, s.URL, next["refresh"]), http.StatusUnauthorized, blacklisted, "the family's newest refresh token")
	expect(t, me(t, s.URL, next["access"]), http.StatusUnauthorized, protectedBlacklisted, "the family's newest access token")
	expect(t, me(t, s.URL, access0), http.StatusUnauthorized, protectedBlacklisted, "the family's first access token")

	expect(t, me(t, s.URL, otherAccess), http.StatusOK, meBody, "another family")
	e = refreshWith(t, s.URL, otherRefresh)
	assert.Equal(t, http.StatusOK, e.Status, e.Body)

	stderr := s.Stop(t)
	assert.Regexp(t, `level=WARN msg="jwtkit: reuse_detected" framework=\S+ user_id=1 jti=[0-9a-f]{32} family=\S+\n`, stderr)
}

// JWTKIT_REUSE_GRACE=5s: the same rotated refresh token presented again within the window gets
// the first answer again, byte for byte, and the family goes on.
func runReuseGrace(t *testing.T, bin string) {
	s := Start(t, bin, sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key, "JWTKIT_REUSE_DETECTION=true", "JWTKIT_REUSE_GRACE=5s")...)
	_, refresh0 := pair(t, s.URL)
	first := refreshWith(t, s.URL, refresh0)
	require.Equal(t, http.StatusOK, first.Status, first.Body)
	next := first.fields(t, "access", "refresh")

	again := refreshWith(t, s.URL, refresh0) // the client lost the first answer
	assert.Equal(t, http.StatusOK, again.Status)
	assert.Equal(t, first.Body, again.Body, "the same answer within the grace window")

	expect(t, me(t, s.URL, next["access"]), http.StatusOK, meBody, "the family goes on")
	e := refreshWith(t, s.URL, next["refresh"])
	assert.Equal(t, http.StatusOK, e.Status, e.Body)
	s.Stop(t)
}

// jwks fetches the published key set and checks its caching headers; it returns each key as
// its raw members and as a jwtkit.JWK.
func jwks(t *testing.T, base string) ([]map[string]any, []jwtkit.JWK) {
	t.Helper()
	e := do(t, call{method: http.MethodGet, url: base + jwtkit.JWKSPath})
	require.Equal(t, http.StatusOK, e.Status, e.Body)
	assert.Equal(t, "application/json", e.Header.Get("Content-Type"))
	assert.Equal(t, "public, max-age=300", e.Header.Get("Cache-Control"))
	var raw struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(e.Body), &raw))
	var set struct{ Keys []jwtkit.JWK }
	require.NoError(t, json.Unmarshal([]byte(e.Body), &set))
	for _, k := range raw.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			assert.NotContains(t, k, private, "a JWKS publishes public members only")
		}
	}
	return raw.Keys, set.Keys
}

// tokenParts splits a token into its decoded header, its signing input and its signature.
func tokenParts(t *testing.T, token string) (header map[string]string, signingInput string, sig []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(h, &header))
	sig, err = base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	return header, parts[0] + "." + parts[1], sig
}

var kidPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// JWTKIT_ALGORITHM=ES256 without a key file: a random key with a warning, tokens with a kid,
// and the JWKS publishes the key that verifies them.
func runGeneratedES256(t *testing.T, bin string) {
	s := Start(t, bin, sqliteEnv(t, "JWTKIT_ALGORITHM=ES256")...)
	lines := strings.Split(strings.TrimSuffix(s.Stderr(), "\n"), "\n")
	require.Len(t, lines, 2, "a warning, then the ready line")
	assert.Regexp(t, `^time=\S+ level=WARN msg="JWTKIT_PRIVATE_KEY_FILE is not set: signing with a random key, so tokens stop working when the server restarts" framework=\S+ alg=ES256$`, lines[0])

	access, refresh := pair(t, s.URL)
	raw, keys := jwks(t, s.URL)
	require.Len(t, keys, 1)
	assert.Equal(t, "EC", raw[0]["kty"])
	assert.Equal(t, "P-256", raw[0]["crv"])
	assert.Equal(t, "ES256", raw[0]["alg"])
	assert.Equal(t, "sig", raw[0]["use"])
	assert.Regexp(t, kidPattern, keys[0].Kid)

	key, err := keys[0].Key()
	require.NoError(t, err)
	pub, ok := key.PublicKey().(*ecdsa.PublicKey)
	require.True(t, ok)
	for _, token := range []string{access, refresh} {
		header, input, sig := tokenParts(t, token)
		assert.Equal(t, map[string]string{"alg": "ES256", "kid": keys[0].Kid, "typ": "JWT"}, header)
		require.Len(t, sig, 64, "ES256 signatures are r||s, 32 bytes each")
		digest := sha256.Sum256([]byte(input))
		r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		assert.True(t, ecdsa.Verify(pub, digest[:], r, sv), "the published key verifies the token")
	}
	expect(t, me(t, s.URL, access), http.StatusOK, meBody, "an ES256 access token")
	s.Stop(t)
}

// JWTKIT_ALGORITHM=EdDSA with JWTKIT_PRIVATE_KEY_FILE: the file's key signs, its kid is the
// documented hash of its public key, and a restart keeps both, so earlier tokens still work.
func runEdDSAKeyFile(t *testing.T, bin string) {
	pubKey, privKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(privKey)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "ed25519.pem")
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	pkix, err := x509.MarshalPKIXPublicKey(pubKey)
	require.NoError(t, err)
	sum := sha256.Sum256(pkix)
	kid := hex.EncodeToString(sum[:8])

	env := sqliteEnv(t, "JWTKIT_ALGORITHM=EdDSA", "JWTKIT_PRIVATE_KEY_FILE="+file)
	s := Start(t, bin, env...)
	assert.Equal(t, s.ReadyLine+"\n", s.Stderr(), "no warning with a key file")
	raw, _ := jwks(t, s.URL)
	require.Len(t, raw, 1)
	assert.Equal(t, map[string]any{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid,
		"x": base64.RawURLEncoding.EncodeToString(pubKey)}, raw[0])
	access, _ := pair(t, s.URL)
	header, input, sig := tokenParts(t, access)
	assert.Equal(t, kid, header["kid"])
	assert.True(t, ed25519.Verify(pubKey, []byte(input), sig), "the file's key signed the token")
	s.Stop(t)

	s = Start(t, bin, env...)
	again, _ := jwks(t, s.URL)
	assert.Equal(t, raw, again, "the same key and kid after a restart")
	expect(t, me(t, s.URL, access), http.StatusOK, meBody, "a token from before the restart")
	s.Stop(t)
}

// JWTKIT_COOKIE_MODE=true: the refresh token travels in an HttpOnly cookie, and a request that
// a cookie authenticates must repeat the CSRF cookie in X-CSRF-Token.
func runCookieMode(t *testing.T, bin string) {
	s := Start(t, bin, sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key, "JWTKIT_COOKIE_MODE=true")...)
	login := do(t, call{method: http.MethodPost, url: s.URL + "/api/token/", body: demoLogin})
	require.Equal(t, http.StatusOK, login.Status, login.Body)
	access := login.fields(t, "access")["access"] // no refresh token a script could read
	expect(t, me(t, s.URL, access), http.StatusOK, meBody, "the access token from a cookie-mode login")

	refreshCookie := login.cookie(t, "__Secure-jwtkit-refresh")
	assert.Regexp(t, `^eyJ`, refreshCookie.Value)
	assert.Equal(t, "/api/token/", refreshCookie.Path)
	assert.Equal(t, 86400, refreshCookie.MaxAge)
	assert.True(t, refreshCookie.HttpOnly)
	assert.True(t, refreshCookie.Secure)
	assert.Equal(t, http.SameSiteStrictMode, refreshCookie.SameSite)
	csrf := login.cookie(t, "jwtkit-csrf")
	assert.Len(t, csrf.Value, 43)
	assert.Equal(t, "/", csrf.Path)
	assert.False(t, csrf.HttpOnly, "a script reads it to fill X-CSRF-Token")
	assert.True(t, csrf.Secure)
	assert.Equal(t, http.SameSiteStrictMode, csrf.SameSite)

	refreshURL, blacklistURL := s.URL+"/api/token/refresh/", s.URL+"/api/token/blacklist/"
	both := []*http.Cookie{refreshCookie, csrf}
	for _, c := range []call{
		{method: http.MethodPost, url: refreshURL, cookies: both},
		{method: http.MethodPost, url: refreshURL, cookies: both, header: map[string]string{"X-CSRF-Token": "not-" + csrf.Value}},
		{method: http.MethodPost, url: refreshURL, cookies: []*http.Cookie{refreshCookie}, header: map[string]string{"X-CSRF-Token": csrf.Value}},
		{method: http.MethodPost, url: blacklistURL, cookies: both},
	} {
		expect(t, do(t, c), http.StatusForbidden, csrfFailed, "without the double-submit header: "+c.url)
	}
	withHeader := map[string]string{"X-CSRF-Token": csrf.Value}
	e := do(t, call{method: http.MethodPost, url: refreshURL, cookies: both, header: withHeader})
	require.Equal(t, http.StatusOK, e.Status, e.Body)
	expect(t, me(t, s.URL, e.fields(t, "access")["access"]), http.StatusOK, meBody, "the refreshed access token")
	assert.Equal(t, csrf.Value, e.cookie(t, "jwtkit-csrf").Value, "the CSRF cookie stays, so other tabs keep working")

	e = refreshWith(t, s.URL, refreshCookie.Value)
	assert.Equal(t, http.StatusOK, e.Status, "a refresh token in the body still works: %s", e.Body)

	e = do(t, call{method: http.MethodPost, url: blacklistURL, cookies: both, header: withHeader})
	expect(t, e, http.StatusOK, `{}`, "blacklist from the cookie")
	for _, name := range []string{"__Secure-jwtkit-refresh", "jwtkit-csrf"} {
		c := e.cookie(t, name)
		assert.Empty(t, c.Value, name)
		assert.Negative(t, c.MaxAge, "%s is cleared (Max-Age=0)", name)
	}
	e = do(t, call{method: http.MethodPost, url: refreshURL, cookies: both, header: withHeader})
	expect(t, e, http.StatusUnauthorized, blacklisted, "the cookie's refresh token after logout")
	s.Stop(t)
}

var throttledBody = regexp.MustCompile(`^\{"detail":"Request was throttled\. Expected available in (\d+) seconds?\.","code":"throttled"\}$`)

// expectThrottled checks the 429: DRF's body and a Retry-After that says the same number of
// seconds, within the one-minute window.
func expectThrottled(t *testing.T, e exchange, what string) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, e.Status, "%s: %s", what, e.Body)
	m := throttledBody.FindStringSubmatch(e.Body)
	require.NotNil(t, m, "%s: %s", what, e.Body)
	assert.Equal(t, m[1], e.Header.Get("Retry-After"), what)
	seconds, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.True(t, seconds >= 1 && seconds <= 60, "%s: %d seconds", what, seconds)
	assert.Empty(t, e.Header.Get("WWW-Authenticate"), what)
}

// JWTKIT_LOGIN_RATE=2/m: a third failed login within the minute, for one username or from one
// client address, is refused before the password is checked. Requests come from different
// loopback addresses, so the two limits are seen apart.
func runLoginRate(t *testing.T, bin string) {
	s := Start(t, bin, sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key, "JWTKIT_LOGIN_RATE=2/m")...)
	obtain := s.URL + "/api/token/"
	login := func(from, username, password string, header map[string]string) exchange {
		return do(t, call{method: http.MethodPost, url: obtain, from: from, header: header,
			body: `{"username":"` + username + `","password":"` + password + `"}`})
	}
	const badCredentials = `{"detail":"No active account found with the given credentials"}`

	for range 3 {
		assert.Equal(t, http.StatusOK, login("127.0.0.2", "demo", "demo-password", nil).Status, "a success is never counted")
	}
	// An unknown username is limited as a known one is.
	expect(t, login("127.0.0.2", "nobody", "guess-1", nil), http.StatusUnauthorized, badCredentials, "1st failure")
	expect(t, login("127.0.0.2", "nobody", "guess-2", nil), http.StatusUnauthorized, badCredentials, "2nd failure")
	expectThrottled(t, login("127.0.0.2", "nobody", "guess-3", nil), "3rd failure")
	expectThrottled(t, login("127.0.0.3", "nobody", "guess-4", nil), "the username, from another address")
	expectThrottled(t, login("127.0.0.2", "demo", "demo-password", nil), "the address, even with the right password")
	assert.Equal(t, http.StatusOK, login("127.0.0.3", "demo", "demo-password", nil).Status, "another address and username")

	// The address is the connection's: a client cannot pick its own with X-Forwarded-For.
	for i, want := range []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusTooManyRequests} {
		e := login("127.0.0.4", "user-"+strconv.Itoa(i), "guess", map[string]string{
			"X-Forwarded-For": "203.0.113." + strconv.Itoa(i+1), "X-Real-IP": "203.0.113." + strconv.Itoa(i+1)})
		assert.Equal(t, want, e.Status, "attempt %d from 127.0.0.4: %s", i+1, e.Body)
	}

	// An existing username, failing from several addresses.
	expect(t, login("127.0.0.5", "demo", "wrong", nil), http.StatusUnauthorized, badCredentials, "demo, 1st failure")
	expect(t, login("127.0.0.6", "demo", "wrong", nil), http.StatusUnauthorized, badCredentials, "demo, 2nd failure")
	expectThrottled(t, login("127.0.0.7", "demo", "demo-password", nil), "demo's username, from a third address")

	stderr := s.Stop(t)
	assert.Regexp(t, `level=WARN msg="jwtkit: login_throttled" framework=\S+ username=nobody client=127\.0\.0\.2 retry_after=\S+\n`, stderr)
}
