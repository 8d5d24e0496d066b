package adaptertest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// WalkOptions describe the server Walk runs against.
type WalkOptions struct {
	// SigningKey is the key the server signs with. Walk mints with it the tokens a server never
	// hands out over HTTP: for a user that does not exist, for the inactive user, and expired
	// ones. Required.
	SigningKey *jwtkit.Key
	// Rotation says the server rotates refresh tokens and blacklists the one it rotated
	// (RotateRefreshTokens and BlacklistAfterRotation). Walk then checks rotation, including
	// concurrent refreshes, instead of the tables, whose refresh rows assume no rotation.
	// Optional. Default: false.
	Rotation bool
}

// Walk runs the wire contract over HTTP against a server that is already running at baseURL,
// such as an example server started as its own process, with nothing of it in process: the
// same tables Run checks, with revocation through the endpoints themselves (logging out with
// the access token in the Authorization header revokes it too).
//
// The server is the contract's example server: the token endpoints at /api (sliding tokens
// off), GET /api/health, and GET /api/me behind the middleware answering
// {"user_id":1,"username":"demo"}, with the users demo / demo-password (id 1, active) and
// inactive / demo-password (id 2, inactive), and no user 404, and core's default body limit
// (jwtkit.DefaultMaxBodyBytes).
func Walk(t *testing.T, baseURL string, opts WalkOptions) {
	require.NotNil(t, opts.SigningKey, "adaptertest.Walk needs WalkOptions.SigningKey")
	s := &server{t: t, base: strings.TrimSuffix(baseURL, "/"), client: newClient(t)}
	// Idle keep-alive connections would hold up the server's graceful shutdown, which the
	// caller may start as soon as Walk returns.
	defer s.client.CloseIdleConnections()
	mint := minter(t, opts.SigningKey, nil)

	if opts.Rotation {
		t.Run("rotation", func(t *testing.T) { runRotation(t, s) })
		t.Run("rotated tokens work", func(t *testing.T) { walkRotated(t, s) })
		return
	}
	t.Run("contract", func(t *testing.T) { runContract(t, s, walkFixtures(t, s, mint)) })
	t.Run("methods", func(t *testing.T) { runMethods(t, s, pairPaths) })
	t.Run("declared body", func(t *testing.T) { runDeclaredBody(t, s.base, jwtkit.DefaultMaxBodyBytes) })
	t.Run("tokens signed elsewhere with the key", func(t *testing.T) { walkMinted(t, s, mint, opts.SigningKey) })
}

// minter is an Auth with the server's key and the demo users, to issue tokens the server
// accepts; clock, when set, is its clock.
func minter(t *testing.T, key *jwtkit.Key, clock func() time.Time) *jwtkit.Auth {
	t.Helper()
	mem, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = mem.Close() })
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: mem, Users: newUsers(), Clock: clock, Audit: jwtkit.NoAudit})
	require.NoError(t, err)
	return auth
}

func mintPair(t *testing.T, mint *jwtkit.Auth, id int64) jwtkit.Pair {
	t.Helper()
	pair, err := mint.IssuePair(context.Background(), jwtkit.IntUserID(id), nil)
	require.NoError(t, err)
	return pair
}

// walkFixtures revokes a pair through the blacklist endpoint, with the access token in the
// Authorization header, and mints the tokens of the users login cannot reach.
func walkFixtures(t *testing.T, s *server, mint *jwtkit.Auth) fixtures {
	revokedAccess, revokedRefresh := s.login()
	expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+revokedRefresh+`"}`, "Authorization", "Bearer "+revokedAccess),
		http.StatusOK, `{}`, true)
	return fixtures{revokedAccess: revokedAccess, revokedRefresh: revokedRefresh,
		ghost: mintPair(t, mint, 404).Access, inactive: mintPair(t, mint, 2).Access}
}

// walkMinted checks that the server takes the key as given: a token minted elsewhere with it
// is accepted, and one that has expired is refused.
func walkMinted(t *testing.T, s *server, mint *jwtkit.Auth, key *jwtkit.Key) {
	pair := mintPair(t, mint, 1)
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+pair.Access), 200, bodyDemo, false)
	expect(t, s.postJSON("/api/token/verify/", `{"token":"`+pair.Refresh+`"}`), 200, `{}`, true)
	a := s.postJSON("/api/token/refresh/", `{"refresh":"`+pair.Refresh+`"}`)
	expect(t, a, 200, "", true)
	assert.Regexp(t, `^\{"access":"[\w.-]+"\}$`, a.body)

	// Two days ago: past both the access and the refresh token's default lifetime.
	past := minter(t, key, func() time.Time { return time.Now().Add(-48 * time.Hour) })
	expired := mintPair(t, past, 1)
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+expired.Access), 401,
		protectedBody("Token is invalid or expired"), false)
	expect(t, s.postJSON("/api/token/refresh/", `{"refresh":"`+expired.Refresh+`"}`), 401, bodyInvalid, true)
	expect(t, s.postJSON("/api/token/verify/", `{"token":"`+expired.Access+`"}`), 401, bodyInvalid, true)
	expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+expired.Refresh+`"}`), 401, bodyInvalid, true)
}

// walkRotated follows a rotated pair: the new access token reaches /api/me, the new refresh
// token refreshes once more, and logging out with it works.
func walkRotated(t *testing.T, s *server) {
	_, refresh := s.login()
	a := s.postJSON("/api/token/refresh/", `{"refresh":"`+refresh+`"}`)
	expect(t, a, 200, "", true)
	var rotated map[string]string
	require.NoError(t, json.Unmarshal([]byte(a.body), &rotated))
	expect(t, s.do(http.MethodGet, "/api/me", "", "", "Authorization", "Bearer "+rotated["access"]), 200, bodyDemo, false)
	a = s.postJSON("/api/token/refresh/", `{"refresh":"`+rotated["refresh"]+`"}`)
	expect(t, a, 200, "", true)
	var again map[string]string
	require.NoError(t, json.Unmarshal([]byte(a.body), &again))
	expect(t, s.postJSON("/api/token/refresh/", `{"refresh":"`+rotated["refresh"]+`"}`), 401, bodyBlacklisted, true)
	expect(t, s.postJSON("/api/token/blacklist/", `{"refresh":"`+again["refresh"]+`"}`), 200, `{}`, true)
	expect(t, s.postJSON("/api/token/refresh/", `{"refresh":"`+again["refresh"]+`"}`), 401, bodyBlacklisted, true)
}
