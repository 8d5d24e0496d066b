package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The contract's exact bodies (docs/http-api.md) that the subtests through core
// compare answers with.
const (
	bodyEmpty = `{}`
	// bodyBlacklisted is a token endpoint's answer for a revoked token.
	bodyBlacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	// bodyInvalid is a token endpoint's answer for a token that does not parse or verify.
	bodyInvalid = `{"detail":"Token is invalid or expired","code":"token_not_valid"}`
	// bodyProtectedBlacklisted is a protected route's answer for a revoked access token.
	bodyProtectedBlacklisted = `{"detail":"Given token not valid for any token type","code":"token_not_valid",` +
		`"messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is blacklisted"}]}`
	challenge = `Bearer realm="api"`
)

// coreKey is an HS256 key with a random secret. Every Auth a subtest builds with it accepts the
// others' tokens, as the replicas and the restarted processes of one service do.
func coreKey(tb testing.TB) *jwtkit.Key {
	tb.Helper()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, secret, "")
	require.NoError(tb, err)
	return key
}

// coreAuth is core on st as a service that blacklists would run it: rotation with
// blacklist-after-rotation, stateless (no user lookup, so only the store decides), and every
// other setting at its default, the verified-token cache included.
func coreAuth(tb testing.TB, key *jwtkit.Key, st jwtkit.Store) *jwtkit.Auth {
	tb.Helper()
	a, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: st, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	require.NoError(tb, err)
	return a
}

func issue(tb testing.TB, a *jwtkit.Auth, user string) jwtkit.Pair {
	tb.Helper()
	p, err := a.IssuePair(context.Background(), jwtkit.StringUserID(user), nil)
	require.NoError(tb, err)
	return p
}

func bearer(token string) string { return "Bearer " + token }

// post sends {"<field>": token} to a token endpoint through Serve, as an adapter would.
func post(ctx context.Context, a *jwtkit.Auth, ep jwtkit.Endpoint, field, token, authorization string) jwtkit.Response {
	body, _ := json.Marshal(map[string]string{field: token}) // a map of strings always marshals
	return a.Serve(ctx, ep, jwtkit.Request{Method: http.MethodPost, ContentType: "application/json",
		Authorization: authorization, Body: bytes.NewReader(body)})
}

func refresh(ctx context.Context, a *jwtkit.Auth, token string) jwtkit.Response {
	return post(ctx, a, jwtkit.EndpointRefresh, "refresh", token, "")
}

func verify(ctx context.Context, a *jwtkit.Auth, token string) jwtkit.Response {
	return post(ctx, a, jwtkit.EndpointVerify, "token", token, "")
}

// logout blacklists refresh, and access too when it is not empty (the contract's
// access-token revocation: the access token rides in the Authorization header).
func logout(ctx context.Context, a *jwtkit.Auth, refresh, access string) jwtkit.Response {
	auth := ""
	if access != "" {
		auth = bearer(access)
	}
	return post(ctx, a, jwtkit.EndpointBlacklist, "refresh", refresh, auth)
}

// assertStatus checks an answer's status and body, byte for byte, and that a 401 carries the
// challenge.
func assertStatus(t *testing.T, r jwtkit.Response, status int, body string, msgAndArgs ...any) bool {
	t.Helper()
	ok := assert.Equal(t, status, r.Status, msgAndArgs...) && assert.Equal(t, body, string(r.Body), msgAndArgs...)
	if status == http.StatusUnauthorized {
		ok = assert.Equal(t, challenge, r.Header.Get("WWW-Authenticate"), msgAndArgs...) && ok
	}
	return ok
}

func assertBlacklisted(t *testing.T, r jwtkit.Response, msgAndArgs ...any) bool {
	t.Helper()
	return assertStatus(t, r, http.StatusUnauthorized, bodyBlacklisted, msgAndArgs...)
}

// assertRefreshed checks a 200 from refresh with rotation on and returns the new pair.
func assertRefreshed(t *testing.T, r jwtkit.Response, msgAndArgs ...any) jwtkit.Pair {
	t.Helper()
	var p struct{ Access, Refresh string }
	if assert.Equal(t, http.StatusOK, r.Status, msgAndArgs...) && assert.NoError(t, json.Unmarshal(r.Body, &p), msgAndArgs...) {
		assert.NotEmpty(t, p.Access, msgAndArgs...)
		assert.NotEmpty(t, p.Refresh, msgAndArgs...)
	}
	return jwtkit.Pair{Access: p.Access, Refresh: p.Refresh}
}

// assertAuthenticated checks that a protected request with access passes on a, as user.
func assertAuthenticated(t *testing.T, a *jwtkit.Auth, access, user string, msgAndArgs ...any) {
	t.Helper()
	id, err := a.Authenticate(context.Background(), bearer(access))
	if assert.NoError(t, err, msgAndArgs...) {
		assert.Equal(t, user, id.User.ID.String(), msgAndArgs...)
	}
}

// assertProtectedBlacklisted checks that a protected request with access is refused as
// revoked: ErrBlacklisted from Authenticate and the contract's 401 from ErrorResponse.
func assertProtectedBlacklisted(t *testing.T, a *jwtkit.Auth, access string, msgAndArgs ...any) {
	t.Helper()
	id, err := a.Authenticate(context.Background(), bearer(access))
	assert.Nil(t, id, msgAndArgs...)
	if assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, msgAndArgs...) {
		assertStatus(t, a.ErrorResponse(err), http.StatusUnauthorized, bodyProtectedBlacklisted, msgAndArgs...)
	}
}

// replicas returns two Auths with one key, each on a store instance of its own from newStore
// when shared (two replicas of a service on one server), else both on one instance (a store
// that is per process by design: two Auths in one process).
func (s suite) replicas(t *testing.T, shared bool) (a, b *jwtkit.Auth) {
	key := coreKey(t)
	stA := s.newStore(t)
	stB := stA
	if shared {
		stB = s.newStore(t)
	}
	return coreAuth(t, key, stA), coreAuth(t, key, stB)
}

// warm makes b validate access through every path that may cache a verified token, so the
// revocation that follows must get past b's cache.
func warm(t *testing.T, b *jwtkit.Auth, access, user string) {
	t.Helper()
	for range 3 {
		assertAuthenticated(t, b, access, user, "before the revocation")
		_, err := b.Validate(context.Background(), access, jwtkit.TypeAccess)
		require.NoError(t, err, "before the revocation")
	}
}

// replicasThroughCore: what one replica revokes, the other refuses at once, through the
// endpoints and the protected-route check, even for an access token it validated (and may
// have cached) before the revocation.
func (s suite) replicasThroughCore(t *testing.T, shared bool) {
	a, b := s.replicas(t, shared)
	ctx := t.Context()

	t.Run("Logout", func(t *testing.T) {
		user := newUser()
		pair := issue(t, a, user)
		warm(t, b, pair.Access, user)

		assertStatus(t, logout(ctx, a, pair.Refresh, pair.Access), http.StatusOK, bodyEmpty, "logout on A")
		assertBlacklisted(t, refresh(ctx, b, pair.Refresh), "refresh on B after logout on A")
		assertBlacklisted(t, verify(ctx, b, pair.Refresh), "verify on B after logout on A")
		assertBlacklisted(t, logout(ctx, b, pair.Refresh, ""), "a second logout, on B")
		assertProtectedBlacklisted(t, b, pair.Access, "B, the access token A's logout revoked")
		assertBlacklisted(t, verify(ctx, b, pair.Access), "verify on B of the access token A's logout revoked")
	})

	t.Run("RevokeUser", func(t *testing.T) {
		user, other := newUser(), newUser()
		pair, otherPair := issue(t, a, user), issue(t, a, other)
		warm(t, b, pair.Access, user)
		warm(t, b, otherPair.Access, other)

		require.NoError(t, a.RevokeUser(ctx, jwtkit.StringUserID(user)))
		assertProtectedBlacklisted(t, b, pair.Access, "B, an access token validated before RevokeUser on A")
		assertBlacklisted(t, refresh(ctx, b, pair.Refresh), "refresh on B after RevokeUser on A")
		assertAuthenticated(t, b, otherPair.Access, other, "another user's session is untouched")
		assertRefreshed(t, refresh(ctx, b, otherPair.Refresh), "another user's refresh is untouched")

		// A login right after the call answered, most likely in the same second as the cutoff
		// on the wire, is a new session: valid on both replicas, and refreshable.
		fresh := issue(t, b, user)
		assertAuthenticated(t, a, fresh.Access, user, "A, a login on B right after RevokeUser answered")
		assertAuthenticated(t, b, fresh.Access, user, "B, a login on B right after RevokeUser answered")
		assertRefreshed(t, refresh(ctx, a, fresh.Refresh), "refresh on A of a login right after RevokeUser")
	})

	t.Run("RevokeUserEverySpelling", func(t *testing.T) {
		// An integer id may reach the user in several spellings (a JSON number, a string with
		// leading zeros or a plus sign): one user, one cutoff.
		n := mrand.Int64N(1 << 40)
		spellings := []jwtkit.UserID{jwtkit.IntUserID(n), jwtkit.StringUserID(strconv.FormatInt(n, 10)),
			jwtkit.StringUserID("0" + strconv.FormatInt(n, 10)), jwtkit.StringUserID("+" + strconv.FormatInt(n, 10)),
			jwtkit.StringUserID("000" + strconv.FormatInt(n, 10))}
		pairs := make([]jwtkit.Pair, len(spellings))
		for i, id := range spellings {
			p, err := a.IssuePair(ctx, id, nil)
			require.NoError(t, err)
			pairs[i] = p
		}
		require.NoError(t, a.RevokeUser(ctx, jwtkit.StringUserID("00"+strconv.FormatInt(n, 10))))
		for i, p := range pairs {
			assertProtectedBlacklisted(t, b, p.Access, "B, user_id spelled %q", spellings[i])
			assertBlacklisted(t, refresh(ctx, b, p.Refresh), "refresh on B, user_id spelled %q", spellings[i])
		}
	})

	t.Run("Rotation", func(t *testing.T) {
		user := newUser()
		pair := issue(t, a, user)
		next := assertRefreshed(t, refresh(ctx, a, pair.Refresh), "rotation on A")
		assertBlacklisted(t, refresh(ctx, b, pair.Refresh), "the refresh token A rotated, on B")
		assertRefreshed(t, refresh(ctx, b, next.Refresh), "the refresh token A's rotation minted, on B")
	})
}

// respelling is a token written differently. sameSignature marks the spellings whose
// signature a lenient base64 decoder reads as the original bytes: a verifier that decoded so
// and keyed revocation on the token string would take them for a new, valid token.
type respelling struct {
	name, token   string
	sameSignature bool
}

const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// respellings returns other spellings of a compact JWS: the unused low bits of the
// signature's last base64url character set every other way, CR and LF inside and after the
// signature, '=' padding on the signature and on the payload, and surrounding blanks.
// Re-ordering the payload's members is not among them: it changes the signed bytes.
func respellings(t *testing.T, token string) []respelling {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a compact JWS")
	head, payload, sig := parts[0], parts[1], parts[2]
	signed := head + "." + payload + "."
	var out []respelling

	unused := 6 * len(sig) % 8 // bits of the last character beyond the signature's last byte
	require.NotZero(t, unused, "a signature of %d characters has no unused bits", len(sig))
	last := strings.IndexByte(base64URL, sig[len(sig)-1])
	require.GreaterOrEqual(t, last, 0)
	for flip := 1; flip < 1<<unused; flip++ {
		out = append(out, respelling{
			name:          fmt.Sprintf("unused low bits of the signature's last character xor %0*b", unused, flip),
			token:         signed + sig[:len(sig)-1] + string(base64URL[last^flip]),
			sameSignature: true,
		})
	}
	mid := len(sig) / 2
	out = append(out,
		respelling{"CR LF inside the signature", signed + sig[:mid] + "\r\n" + sig[mid:], true},
		respelling{"LF inside the signature", signed + sig[:mid] + "\n" + sig[mid:], true},
		respelling{"CR inside the signature", signed + sig[:mid] + "\r" + sig[mid:], true},
		respelling{"CR LF after the signature", token + "\r\n", true},
		respelling{"blanks around the token", " \t" + token + " ", false},
	)
	if pad := strings.Repeat("=", (4-len(sig)%4)%4); pad != "" {
		out = append(out, respelling{"signature padded with '='", token + pad, true})
	}
	if pad := strings.Repeat("=", (4-len(payload)%4)%4); pad != "" {
		out = append(out, respelling{"payload padded with '='", head + "." + payload + pad + "." + sig, false})
	}

	want, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	require.NoError(t, err)
	for _, r := range out {
		require.NotEqual(t, token, r.token, r.name)
		if r.sameSignature {
			got := lenientSignature(r.token)
			require.Equal(t, want, got, "%s: must be the same signature to a lenient decoder", r.name)
		}
	}
	return out
}

// lenientSignature decodes a token's signature the way a lenient verifier might: CR and LF
// skipped, unused bits ignored, padding accepted.
func lenientSignature(token string) []byte {
	sig := token[strings.LastIndexByte(token, '.')+1:]
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding} {
		if b, err := enc.DecodeString(sig); err == nil {
			return b
		}
	}
	return nil
}

// respelledThroughCore: a blacklisted refresh token and the access token revoked with it stay
// refused on the other replica under every other spelling, because revocation is keyed on
// the jti and a token has one spelling; a fresh token of the same user is still accepted.
func (s suite) respelledThroughCore(t *testing.T, shared bool) {
	a, b := s.replicas(t, shared)
	ctx := t.Context()
	user := newUser()
	pair := issue(t, a, user)
	warm(t, b, pair.Access, user)
	assertStatus(t, logout(ctx, a, pair.Refresh, pair.Access), http.StatusOK, bodyEmpty, "logout on A")

	refused := func(t *testing.T, r jwtkit.Response, what string) {
		t.Helper()
		if assert.Equal(t, http.StatusUnauthorized, r.Status, "%s: must be refused, never a pass", what) {
			assert.Contains(t, []string{bodyBlacklisted, bodyInvalid}, string(r.Body), what)
			assert.Equal(t, challenge, r.Header.Get("WWW-Authenticate"), what)
		}
	}
	for _, r := range respellings(t, pair.Refresh) {
		refused(t, refresh(ctx, b, r.token), "refresh on B: "+r.name)
		refused(t, verify(ctx, b, r.token), "verify on B: "+r.name)
		refused(t, logout(ctx, b, r.token, ""), "logout on B: "+r.name)
	}
	for _, r := range respellings(t, pair.Access) {
		id, err := b.Authenticate(ctx, bearer(r.token))
		assert.Nil(t, id, "protected request on B: %s", r.name)
		if assert.Error(t, err, "protected request on B: %s must be refused, never a pass", r.name) {
			assert.Equal(t, http.StatusUnauthorized, b.ErrorResponse(err).Status, "protected request on B: %s", r.name)
		}
		_, err = b.Validate(ctx, r.token, jwtkit.TypeAccess)
		assert.Error(t, err, "Validate on B: %s", r.name)
		refused(t, verify(ctx, b, r.token), "verify on B: "+r.name)
	}

	assertBlacklisted(t, refresh(ctx, b, pair.Refresh), "the original spelling, on B")
	fresh := issue(t, a, user)
	assertAuthenticated(t, b, fresh.Access, user, "a fresh access token of the same user: revocation is per jti")
	assertRefreshed(t, refresh(ctx, b, fresh.Refresh), "a fresh refresh token of the same user: revocation is per jti")
}

// restartThroughCore revokes through one store and one Auth, lets both go (the store is
// closed by the cleanup newStore registered on the subtest that made it, as when a process
// exits), then checks with a brand-new store and a brand-new Auth with the same key, as a
// restarted process would have.
func (s suite) restartThroughCore(t *testing.T) {
	key := coreKey(t)
	var (
		loggedOut, userRevoked, rotated, kept jwtkit.Pair
		revokedUser, keptUser                 string
		jti, cutUser, family                  string
		iat                                   = wholeSecond().Add(-time.Minute)
	)
	before := t.Run("Before", func(t *testing.T) {
		st := s.newStore(t)
		a := coreAuth(t, key, st)
		ctx := t.Context()

		loggedOut = issue(t, a, newUser())
		assertStatus(t, logout(ctx, a, loggedOut.Refresh, loggedOut.Access), http.StatusOK, bodyEmpty, "logout")
		revokedUser = newUser()
		userRevoked = issue(t, a, revokedUser)
		require.NoError(t, a.RevokeUser(ctx, jwtkit.StringUserID(revokedUser)))
		rotated = issue(t, a, newUser())
		assertRefreshed(t, refresh(ctx, a, rotated.Refresh), "rotation")
		keptUser = newUser()
		kept = issue(t, a, keptUser)

		jti, cutUser, family = newJTI(), newUser(), newFamily()
		require.NoError(t, st.Revoke(ctx, jti, inAnHour()))
		require.NoError(t, st.RevokeUser(ctx, cutUser, iat, inAnHour()))
		require.NoError(t, st.RevokeFamily(ctx, family, inAnHour()))
	})
	require.True(t, before, "the revocations before the restart failed")

	t.Run("After", func(t *testing.T) {
		st := s.newStore(t)
		b := coreAuth(t, key, st)
		ctx := t.Context()

		assertBlacklisted(t, refresh(ctx, b, loggedOut.Refresh), "a refresh token logged out before the restart")
		assertProtectedBlacklisted(t, b, loggedOut.Access, "an access token revoked at logout before the restart")
		assertBlacklisted(t, refresh(ctx, b, userRevoked.Refresh), "a refresh token under a RevokeUser from before the restart")
		assertProtectedBlacklisted(t, b, userRevoked.Access, "an access token under a RevokeUser from before the restart")
		assertBlacklisted(t, refresh(ctx, b, rotated.Refresh), "a refresh token rotated before the restart")
		assertAuthenticated(t, b, kept.Access, keptUser, "a session nobody revoked survives the restart")
		assertRefreshed(t, refresh(ctx, b, kept.Refresh), "a session nobody revoked survives the restart")

		assertRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "a jti revoked before the restart")
		assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: cutUser, IssuedAt: iat}, "a user cutoff from before the restart")
		assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: cutUser, IssuedAt: iat.Add(time.Second)})
		assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), Family: family}, "a family revoked before the restart")
		won, err := st.RevokeOnce(ctx, jti, inAnHour())
		require.NoError(t, err)
		assert.False(t, won, "RevokeOnce after the restart of a jti revoked before it")
	})
}
