package storetest

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// outageDeadline is the context deadline of every request made during an outage.
	outageDeadline = 5 * time.Second
	// outageSlack is how late past its deadline such a request may return on a loaded machine.
	outageSlack = 2 * time.Second
	// outageRounds is how many times each endpoint request is made during an outage: after
	// the first round a client has dropped its broken connections and dials again.
	outageRounds = 2
	// outageRecovery is the default of OutageHooks.Recovery: go-redis backs off for up to a
	// second after refused dials, and a pool may need a few tries.
	outageRecovery = 20 * time.Second
)

// OutageHooks are what Outage needs from a backend to take its store away and give it back.
type OutageHooks struct {
	// Cut makes the store unable to answer, as a real outage would: a cut network link
	// (a Proxy's Cut), a killed server, a database file gone. Required.
	Cut func()
	// Restore ends the outage. The store must then recover by itself. Required.
	Restore func()
	// During, when set, runs while the store is cut, after Outage's own checks: the place for
	// the backend's own methods (Purge, Migrate) to be checked too.
	During func(t *testing.T)
	// Recovery bounds how long the store may take after Restore to answer again by itself.
	// Optional. Default: 20 s.
	Recovery time.Duration
}

// Outage proves through core that store fails closed while it cannot answer and recovers by
// itself afterwards. It runs core on store (HS256, rotation with blacklist-after-rotation) and:
//
//  1. with the store up, revokes one session at logout and another with RevokeUser;
//  2. calls Cut, then makes the three requests that need the store, each twice (the second
//     time the client has dropped its broken connections and dials afresh) and under a 5 s
//     deadline: a protected request (Authenticate must return ErrStoreUnavailable, which
//     ErrorResponse answers with the contract's 503 store_unavailable), a refresh and a logout
//     through Serve (the same 503); never a pass, never another status, and each returns by
//     its deadline. Requests with the revoked session's tokens get the same 503 (the store
//     cannot say they are revoked; they still must not pass), and so do verify and
//     RevokeUser. When the store implements jwtkit.RotationStore or jwtkit.LoginLimiter,
//     RotateOnce (which must not win), RotatedAnswer, LoginAttempt (which must not allow)
//     and LoginForget must fail too;
//  3. runs During, then Restore, and waits (up to Recovery) until the same store instance answers
//     reads and writes again;
//  4. makes the same three requests again: each succeeds (the refresh rotates, the logout
//     takes effect), and the sessions revoked before the outage are still revoked; RotateOnce
//     and RotatedAnswer, LoginAttempt and LoginForget work again, where implemented.
//
// Outage calls Cut and Restore once each, and Restore even when a check during the outage
// failed, so the backend is back for the test's cleanups.
func Outage(t *testing.T, store jwtkit.Store, h OutageHooks) {
	t.Helper()
	require.NotNil(t, h.Cut, "OutageHooks.Cut")
	require.NotNil(t, h.Restore, "OutageHooks.Restore")
	ctx := t.Context()
	auth := coreAuth(t, coreKey(t), store)

	// The store answers: fill the client's pool so the cut has connections to break, and
	// revoke two sessions.
	warmUser := newUser()
	warmPair := issue(t, auth, warmUser)
	assertAuthenticated(t, auth, warmPair.Access, warmUser, "before the outage")
	assertRefreshed(t, refresh(ctx, auth, warmPair.Refresh), "before the outage")
	loggedOut := issue(t, auth, newUser())
	require.True(t, assertStatus(t, logout(ctx, auth, loggedOut.Refresh, loggedOut.Access), http.StatusOK, bodyEmpty,
		"logout before the outage"))
	revokedUser := newUser()
	userRevoked := issue(t, auth, revokedUser)
	require.NoError(t, auth.RevokeUser(ctx, jwtkit.StringUserID(revokedUser)), "RevokeUser before the outage")

	// The session the requests during the outage carry: valid and not revoked, so the only
	// reason to refuse them is the store.
	user := newUser()
	session := issue(t, auth, user)
	other := issue(t, auth, user) // a second refresh token, for the logout

	h.Cut()
	cutAt := time.Now()
	for round := range outageRounds {
		failsClosed(t, round, "protected request", func(ctx context.Context) jwtkit.Response {
			id, err := auth.Authenticate(ctx, bearer(session.Access))
			assert.Nil(t, id, "protected request during the outage")
			assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable, "protected request during the outage")
			return auth.ErrorResponse(err)
		})
		failsClosed(t, round, "refresh", func(ctx context.Context) jwtkit.Response {
			return refresh(ctx, auth, session.Refresh)
		})
		failsClosed(t, round, "logout", func(ctx context.Context) jwtkit.Response {
			return logout(ctx, auth, other.Refresh, other.Access)
		})
	}
	failsClosed(t, 0, "verify", func(ctx context.Context) jwtkit.Response {
		return verify(ctx, auth, session.Access)
	})
	failsClosed(t, 0, "protected request with a revoked token", func(ctx context.Context) jwtkit.Response {
		id, err := auth.Authenticate(ctx, bearer(loggedOut.Access))
		assert.Nil(t, id, "protected request with a revoked token during the outage")
		assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable, "protected request with a revoked token during the outage")
		return auth.ErrorResponse(err)
	})
	failsClosed(t, 0, "refresh with a revoked token", func(ctx context.Context) jwtkit.Response {
		return refresh(ctx, auth, userRevoked.Refresh)
	})
	callCtx, cancel := context.WithTimeout(ctx, outageDeadline)
	assert.ErrorIs(t, auth.RevokeUser(callCtx, jwtkit.StringUserID(user)), jwtkit.ErrStoreUnavailable, "RevokeUser during the outage")
	cancel()
	outageExtrasFailClosed(t, store)
	t.Logf("outage: every request failed closed; all of them took %v", time.Since(cutAt).Round(time.Millisecond))
	if h.During != nil {
		t.Run("During", h.During) // a subtest, so a failure there cannot skip Restore
	}

	h.Restore()
	awaitRecovery(t, ctx, auth, warmPair.Access, cmp.Or(h.Recovery, outageRecovery), "outage", "Restore")

	assertAuthenticated(t, auth, session.Access, user, "the protected request after the outage")
	outageExtrasRecover(t, store)
	assertRefreshed(t, refresh(ctx, auth, session.Refresh), "the refresh after the outage")
	assertBlacklisted(t, refresh(ctx, auth, session.Refresh), "the refresh token that rotated after the outage is used up")
	assertStatus(t, logout(ctx, auth, other.Refresh, other.Access), http.StatusOK, bodyEmpty, "the logout after the outage")
	assertProtectedBlacklisted(t, auth, other.Access, "the access token of the logout after the outage")

	assertBlacklisted(t, refresh(ctx, auth, loggedOut.Refresh), "a refresh token logged out before the outage")
	assertProtectedBlacklisted(t, auth, loggedOut.Access, "an access token revoked at logout before the outage")
	assertBlacklisted(t, refresh(ctx, auth, userRevoked.Refresh), "a refresh token under a RevokeUser from before the outage")
	assertProtectedBlacklisted(t, auth, userRevoked.Access, "an access token under a RevokeUser from before the outage")
}

// failsClosed makes one request under the outage deadline and checks its answer is the
// contract's 503 store_unavailable, by the deadline.
func failsClosed(t *testing.T, round int, what string, call func(ctx context.Context) jwtkit.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), outageDeadline)
	defer cancel()
	start := time.Now()
	r := call(ctx)
	took := time.Since(start)
	assertUnavailable(t, r, "round %d: %s during the outage", round, what)
	assert.Less(t, took, outageDeadline+outageSlack, "round %d: %s took %v with a deadline of %v", round, what, took, outageDeadline)
}

// assertUnavailable checks an answer is the contract's 503: {"detail":"...","code":"store_unavailable"},
// JSON, with a detail and nothing else.
func assertUnavailable(t *testing.T, r jwtkit.Response, msgAndArgs ...any) {
	t.Helper()
	if !assert.Equal(t, http.StatusServiceUnavailable, r.Status, msgAndArgs...) {
		return
	}
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"), msgAndArgs...)
	var body map[string]any
	if assert.NoError(t, json.Unmarshal(r.Body, &body), msgAndArgs...) {
		assert.Equal(t, "store_unavailable", body["code"], msgAndArgs...)
		assert.NotEmpty(t, body["detail"], msgAndArgs...)
		assert.Len(t, body, 2, msgAndArgs...)
	}
}

// awaitRecovery waits until the store answers core again by itself, reads and writes both (go-redis,
// for one, keeps a pool for each, and they may come back separately), within recovery of the
// call that ended the failure (named by ended).
func awaitRecovery(t *testing.T, ctx context.Context, auth *jwtkit.Auth, access string, recovery time.Duration, what, ended string) {
	t.Helper()
	endedAt := time.Now()
	require.Eventually(t, func() bool {
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		probe, err := auth.IssuePair(callCtx, jwtkit.StringUserID(newUser()), nil)
		if err != nil {
			return false
		}
		_, err = auth.Validate(callCtx, access, jwtkit.TypeAccess)
		return err == nil && auth.Blacklist(callCtx, probe.Refresh) == nil
	}, recovery, 50*time.Millisecond, "%s: the store did not answer again by itself within %v of %s", what, recovery, ended)
	t.Logf("%s: the store answered again %v after %s", what, time.Since(endedAt).Round(time.Millisecond), ended)
}
