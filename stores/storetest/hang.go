package storetest

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// HangTimeout is the jwtkit.Config.StoreTimeout Hang runs core with: short, so a backend's
	// hang test takes a few seconds.
	HangTimeout = 300 * time.Millisecond
	// HangMargin is how late past HangTimeout an answer may come on a loaded two-core machine.
	HangMargin = 500 * time.Millisecond
	// hangGuard stops waiting for an answer that never comes, so a store that ignores its
	// deadline fails the test instead of hanging it.
	hangGuard = 15 * time.Second
	// hangRounds is how many times each request is made during the hang: the first round meets
	// the pool's open connections, the second the connections dialled into the hang after the
	// first round's deadlines closed them.
	hangRounds = 2
	// hangCrowd is how many protected requests Hang makes at once during the hang: more than any
	// backend's pool holds, so some wait for a connection rather than on one.
	hangCrowd = 64
	// hangPassword is every hang user's password.
	hangPassword = "storetest-hang-password"
)

// HangHooks are what Hang needs from a backend to make its store hang: stop answering without
// closing anything, as a paused server (SIGSTOP), a link that drops every packet, an overloaded
// server, or a database file another process holds locked do.
type HangHooks struct {
	// Hang makes the store stop answering: connections stay open or are still accepted, and
	// nothing comes back. Required.
	Hang func()
	// Resume ends the hang. The store must then answer again by itself. Required.
	Resume func()
	// ReadsAnswer says that reads still answer during the hang and only writes wait: SQLite in
	// write-ahead-log mode behind another connection's write lock. Requests that only read
	// (a protected request, verify) must then answer as usual, a revoked token included, and
	// every write must still fail closed in time.
	ReadsAnswer bool
	// Recovery bounds how long the store may take after Resume to answer again by itself.
	// Optional. Default: 20 s.
	Recovery time.Duration
}

// hangUsers accepts every username with hangPassword, as the user of that id.
type hangUsers struct{}

func (hangUsers) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	if password != hangPassword {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.StringUserID(name), Active: true}, nil
}

func (hangUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	return jwtkit.User{ID: id, Active: true}, nil
}

// hangRequest is one request Hang makes, with a context that has no deadline.
type hangRequest struct {
	name  string
	read  bool // needs only reads from the store
	call  func(ctx context.Context) jwtkit.Response
	after func(t *testing.T, r jwtkit.Response) // checks the answer once the store is back
}

// Hang proves through core that a store which stops answering without closing anything costs a
// request no more than core's per-call deadline, whatever the caller's context says. It runs core
// on store with StoreTimeout HangTimeout (rotation with blacklist-after-rotation, login rate
// limiting on the store when it implements jwtkit.LoginLimiter) and:
//
//  1. with the store up, fills the client's pool and revokes one session at logout;
//  2. calls Hang, then makes each request that needs the store twice, with a context without
//     deadline: a protected request (Authenticate, answered by ErrorResponse), refresh, verify,
//     logout (blacklist), log out everywhere (revoke-all) and a login with the right password.
//     Each answers the contract's 503 store_unavailable within HangTimeout + HangMargin; never
//     a pass, never another status. So does a protected request with the revoked session's
//     token, and so do hangCrowd protected requests made at once. With ReadsAnswer, the
//     requests that only read answer as usual instead (200, the revoked token 401);
//  3. calls Resume and waits (up to Recovery) until the same store instance answers reads
//     and writes again;
//  4. makes every request again: each succeeds, and the session revoked before the hang is
//     still revoked.
//
// Hang calls Hang and Resume once each, and Resume even when a check during the hang failed.
// It logs how long each request took to answer.
func Hang(t *testing.T, store jwtkit.Store, h HangHooks) {
	t.Helper()
	require.NotNil(t, h.Hang, "HangHooks.Hang")
	require.NotNil(t, h.Resume, "HangHooks.Resume")
	ctx := t.Context()
	cfg := jwtkit.Config{SigningKey: coreKey(t), Store: store, Users: hangUsers{}, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true, StoreTimeout: HangTimeout, Audit: jwtkit.NoAudit}
	_, limits := store.(jwtkit.LoginLimiter)
	if limits {
		cfg.LoginRate = jwtkit.Rate{Limit: 1000, Per: time.Minute}
	}
	auth, err := jwtkit.New(cfg)
	require.NoError(t, err)

	// The store answers: fill the pool, and revoke a session the hang must not revive.
	warmUser := newUser()
	warm := issue(t, auth, warmUser)
	for range 4 {
		assertAuthenticated(t, auth, warm.Access, warmUser, "before the hang")
	}
	revoked := issue(t, auth, newUser())
	require.True(t, assertStatus(t, logout(ctx, auth, revoked.Refresh, revoked.Access), http.StatusOK, bodyEmpty,
		"logout before the hang"))

	requests := hangRequests(t, auth, limits, revoked)
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			h.Resume()
		}
	}
	defer resume()

	h.Hang()
	bound := HangTimeout + HangMargin
	for round := range hangRounds {
		for _, rq := range requests {
			r, took, ok := answer(t, rq.call)
			if !ok {
				continue
			}
			t.Logf("hang: round %d: %s answered %d after %v", round, rq.name, r.Status, took.Round(time.Millisecond))
			if rq.read && h.ReadsAnswer {
				assert.NotEqual(t, http.StatusServiceUnavailable, r.Status, "round %d: %s reads only, and reads answer", round, rq.name)
			} else {
				assertUnavailable(t, r, "round %d: %s while the store hangs", round, rq.name)
			}
			assert.Less(t, took, bound, "round %d: %s took %v with StoreTimeout %v", round, rq.name, took, HangTimeout)
		}
	}
	crowd(t, auth, warm.Access, h.ReadsAnswer, bound)

	resume()
	awaitRecovery(t, ctx, auth, warm.Access, cmp.Or(h.Recovery, outageRecovery), "hang", "Resume")

	for _, rq := range requests {
		r, _, ok := answer(t, rq.call)
		if ok {
			rq.after(t, r)
		}
	}
	assertProtectedBlacklisted(t, auth, revoked.Access, "an access token revoked at logout before the hang")
	assertBlacklisted(t, refresh(ctx, auth, revoked.Refresh), "a refresh token revoked at logout before the hang")
}

// hangRequests are the requests Hang makes, each on a session of its own, so that every one of
// them succeeds once the store is back (revoke-all on a user of its own spares the others).
func hangRequests(t *testing.T, auth *jwtkit.Auth, limits bool, revoked jwtkit.Pair) []hangRequest {
	t.Helper()
	protected, rotated, verified, loggedOut := issue(t, auth, newUser()), issue(t, auth, newUser()),
		issue(t, auth, newUser()), issue(t, auth, newUser())
	everywhere := issue(t, auth, newUser())
	ok := func(what string) func(t *testing.T, r jwtkit.Response) {
		return func(t *testing.T, r jwtkit.Response) {
			assertStatus(t, r, http.StatusOK, bodyEmpty, "%s once the store is back", what)
		}
	}
	protect := func(access string) func(ctx context.Context) jwtkit.Response {
		return func(ctx context.Context) jwtkit.Response {
			if _, err := auth.Authenticate(ctx, bearer(access)); err != nil {
				return auth.ErrorResponse(err)
			}
			return jwtkit.Response{Status: http.StatusOK, Body: []byte(bodyEmpty)}
		}
	}
	rqs := []hangRequest{
		{name: "protected request", read: true, call: protect(protected.Access), after: ok("the protected request")},
		{name: "protected request with a revoked token", read: true, call: protect(revoked.Access),
			after: func(t *testing.T, r jwtkit.Response) {
				assertStatus(t, r, http.StatusUnauthorized, bodyProtectedBlacklisted, "the revoked token once the store is back")
			}},
		{name: "refresh", call: func(ctx context.Context) jwtkit.Response { return refresh(ctx, auth, rotated.Refresh) },
			after: func(t *testing.T, r jwtkit.Response) {
				assertRefreshed(t, r, "the refresh once the store is back")
			}},
		{name: "verify", read: true, call: func(ctx context.Context) jwtkit.Response { return verify(ctx, auth, verified.Access) },
			after: ok("verify")},
		{name: "logout", call: func(ctx context.Context) jwtkit.Response {
			return logout(ctx, auth, loggedOut.Refresh, loggedOut.Access)
		}, after: ok("the logout")},
		{name: "revoke-all", call: func(ctx context.Context) jwtkit.Response {
			return auth.Serve(ctx, jwtkit.EndpointRevokeAll, jwtkit.Request{Method: http.MethodPost, Authorization: bearer(everywhere.Access)})
		}, after: ok("revoke-all")},
	}
	if limits {
		login := newUser()
		rqs = append(rqs, hangRequest{name: "login (rate limited)", call: func(ctx context.Context) jwtkit.Response {
			return auth.Serve(ctx, jwtkit.EndpointObtain, jwtkit.Request{Method: http.MethodPost, ContentType: "application/json",
				Body: strings.NewReader(`{"username":"` + login + `","password":"` + hangPassword + `"}`), ClientAddr: "192.0.2.1"})
		}, after: func(t *testing.T, r jwtkit.Response) {
			assert.Equal(t, http.StatusOK, r.Status, "the login once the store is back: %s", r.Body)
		}})
	}
	return rqs
}

// answer makes a request with a context that has no deadline (only a cancellation, to end a
// request the guard gave up on), and returns the answer and how long it took. A request still
// unanswered after hangGuard fails the test (ok false).
func answer(t *testing.T, call func(ctx context.Context) jwtkit.Response) (r jwtkit.Response, took time.Duration, ok bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan jwtkit.Response, 1)
	start := time.Now()
	go func() { done <- call(ctx) }()
	select {
	case r = <-done:
		return r, time.Since(start), true
	case <-time.After(hangGuard):
		t.Errorf("no answer after %v while the store hangs: the store ignores its context's deadline", hangGuard)
		return jwtkit.Response{}, hangGuard, false
	}
}

// crowd makes hangCrowd protected requests at once, each with a context without deadline, and
// checks that every one answers within bound: the 503, or, when reads answer, a pass or the 503.
func crowd(t *testing.T, auth *jwtkit.Auth, access string, readsAnswer bool, bound time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, hangCrowd)
	start := time.Now()
	for range hangCrowd {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := auth.Authenticate(ctx, bearer(access))
			errs <- err
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(hangGuard):
		t.Fatalf("%d protected requests at once: not all answered within %v", hangCrowd, hangGuard)
	}
	took := time.Since(start)
	close(errs)
	for err := range errs {
		// Where reads answer, a crowd may still outrun the pool's new connections within the
		// deadline (SQLite opening dozens under the race detector): the 503 is then the right
		// answer too. Anything else, a pass above all, is not.
		switch {
		case err == nil && !readsAnswer:
			t.Errorf("a protected request of the crowd passed while the store hangs")
		case err != nil && !errors.Is(err, jwtkit.ErrStoreUnavailable):
			t.Errorf("a protected request of the crowd: %v, want ErrStoreUnavailable", err)
		}
	}
	t.Logf("hang: %d protected requests at once all answered within %v", hangCrowd, took.Round(time.Millisecond))
	assert.Less(t, took, bound, "%d protected requests at once took %v with StoreTimeout %v", hangCrowd, took, HangTimeout)
}
