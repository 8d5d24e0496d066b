package jwtkit_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

const (
	// hangTimeout is the StoreTimeout of the hang tests: short, so they stay fast.
	hangTimeout = 300 * time.Millisecond
	// hangMargin is how late past StoreTimeout an answer may come on a loaded two-core machine.
	hangMargin = 400 * time.Millisecond
	// hangGuard ends the wait for an answer that never comes (a hang the deadline did not end).
	hangGuard = 5 * time.Second
)

// seenCall is one store call as stallStore saw it: which method, and the deadline of its
// context (ok false: none) as time left when the call began.
type seenCall struct {
	method string
	ok     bool
	left   time.Duration
}

// stallStore is the test store in front of a server that can stop answering without closing
// anything: once stall is called, every call from the stallAt-th on waits until its context
// ends (the store honours deadlines, as real stores must) or resume is called. It records the
// deadline of every call's context.
type stallStore struct {
	*testStore
	mu      sync.Mutex
	stalled chan struct{} // nil: calls answer
	stallAt int           // calls before this many answer even while stalled
	n       int
	seen    []seenCall
}

func newStallStore() *stallStore { return &stallStore{testStore: newTestStore()} }

// stall makes calls wait from the after-th call on (0: the next one).
func (s *stallStore) stall(after int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stalled == nil {
		s.stalled = make(chan struct{})
	}
	s.stallAt = s.n + after
}

// resume lets every waiting and later call through.
func (s *stallStore) resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stalled != nil {
		close(s.stalled)
		s.stalled = nil
	}
}

func (s *stallStore) calls() []seenCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenCall(nil), s.seen...)
}

func (s *stallStore) wait(ctx context.Context, method string) error {
	d, ok := ctx.Deadline()
	s.mu.Lock()
	s.seen = append(s.seen, seenCall{method: method, ok: ok, left: time.Until(d)})
	stalled := s.stalled
	if s.n < s.stallAt {
		stalled = nil
	}
	s.n++
	s.mu.Unlock()
	if stalled == nil {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stalled:
		return nil
	}
}

func (s *stallStore) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if err := s.wait(ctx, "Revoke"); err != nil {
		return err
	}
	return s.testStore.Revoke(ctx, jti, exp)
}

func (s *stallStore) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if err := s.wait(ctx, "RevokeOnce"); err != nil {
		return false, err
	}
	return s.testStore.RevokeOnce(ctx, jti, exp)
}

func (s *stallStore) RevokeUser(ctx context.Context, user string, before, exp time.Time) error {
	if err := s.wait(ctx, "RevokeUser"); err != nil {
		return err
	}
	return s.testStore.RevokeUser(ctx, user, before, exp)
}

func (s *stallStore) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if err := s.wait(ctx, "RevokeFamily"); err != nil {
		return err
	}
	return s.testStore.RevokeFamily(ctx, family, exp)
}

func (s *stallStore) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := s.wait(ctx, "Revoked"); err != nil {
		return false, err
	}
	return s.testStore.Revoked(ctx, ref)
}

func (s *stallStore) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, until time.Time) (bool, error) {
	if err := s.wait(ctx, "RotateOnce"); err != nil {
		return false, err
	}
	return s.testStore.RotateOnce(ctx, jti, exp, answer, until)
}

func (s *stallStore) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if err := s.wait(ctx, "RotatedAnswer"); err != nil {
		return nil, err
	}
	return s.testStore.RotatedAnswer(ctx, jti, now)
}

func (s *stallStore) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if err := s.wait(ctx, "LoginAttempt"); err != nil {
		return 0, err
	}
	return s.testStore.LoginAttempt(ctx, key, id, limit, window, now)
}

func (s *stallStore) LoginForget(ctx context.Context, key, id string) error {
	if err := s.wait(ctx, "LoginForget"); err != nil {
		return err
	}
	return s.testStore.LoginForget(ctx, key, id)
}

// inProcessStall is a stallStore that says it answers from memory.
type inProcessStall struct{ *stallStore }

func (inProcessStall) InProcess() {}

// hangEnv is an Auth on a stallStore with every feature that calls the store on: rotation with
// reuse detection and a grace window (RotationStore), and login rate limiting (LoginLimiter).
func hangEnv(t *testing.T, timeout time.Duration, edit ...func(*jwtkit.Config)) (*jwtkit.Auth, *stallStore) {
	t.Helper()
	s := newStallStore()
	t.Cleanup(s.resume) // calls a failed test left waiting end with it
	cfg := jwtkit.Config{SigningKey: hsKey(t, ""), Store: s, Users: newTestUsers(), Audit: jwtkit.NoAudit,
		StoreTimeout: timeout, ReuseDetection: true, ReuseGrace: time.Minute,
		LoginRate: jwtkit.Rate{Limit: 100, Per: time.Minute}}
	for _, f := range edit {
		f(&cfg)
	}
	a, err := jwtkit.New(cfg)
	require.NoError(t, err)
	return a, s
}

func jsonPost(a *jwtkit.Auth, ctx context.Context, ep jwtkit.Endpoint, body string, authz string) jwtkit.Response {
	return a.Serve(ctx, ep, jwtkit.Request{Method: "POST", ContentType: "application/json", Body: strings.NewReader(body),
		Authorization: authz, ClientAddr: "192.0.2.7"})
}

func tokenBody(field, tok string) string {
	b, _ := json.Marshal(map[string]string{field: tok})
	return string(b)
}

// hangCase is one request made while the store hangs, with a context that has no deadline.
type hangCase struct {
	name string
	call func(ctx context.Context) jwtkit.Response
}

// hangCases are the requests that need the store, each on tokens of its own so that every one
// of them succeeds once the store answers again. A replayed refresh token (reuse detection)
// and a login with the right password are among them.
func hangCases(t *testing.T, a *jwtkit.Auth) []hangCase {
	t.Helper()
	ctx := context.Background()
	issue := func(user jwtkit.UserID) jwtkit.Pair {
		p, err := a.IssuePair(ctx, user, nil)
		require.NoError(t, err)
		return p
	}
	demo := jwtkit.IntUserID(1)
	protected, refresh, verify, logout, replay := issue(demo), issue(demo), issue(demo), issue(demo), issue(demo)
	revokeAll := issue(jwtkit.StringUserID("5f0c8a4e-uuid")) // another user: its log out everywhere spares the rest
	_, err := a.Refresh(ctx, replay.Refresh)                 // rotated: presenting it again is a replay
	require.NoError(t, err)
	return []hangCase{
		{"protected route", func(ctx context.Context) jwtkit.Response {
			_, err := a.Authenticate(ctx, "Bearer "+protected.Access)
			if err != nil {
				return a.ErrorResponse(err)
			}
			return jwtkit.Response{Status: http.StatusOK}
		}},
		{"refresh", func(ctx context.Context) jwtkit.Response {
			return jsonPost(a, ctx, jwtkit.EndpointRefresh, tokenBody("refresh", refresh.Refresh), "")
		}},
		{"verify", func(ctx context.Context) jwtkit.Response {
			return jsonPost(a, ctx, jwtkit.EndpointVerify, tokenBody("token", verify.Access), "")
		}},
		{"blacklist", func(ctx context.Context) jwtkit.Response {
			return jsonPost(a, ctx, jwtkit.EndpointBlacklist, tokenBody("refresh", logout.Refresh), "Bearer "+logout.Access)
		}},
		{"revoke-all", func(ctx context.Context) jwtkit.Response {
			return jsonPost(a, ctx, jwtkit.EndpointRevokeAll, "", "Bearer "+revokeAll.Access)
		}},
		{"replayed refresh within the grace window", func(ctx context.Context) jwtkit.Response {
			return jsonPost(a, ctx, jwtkit.EndpointRefresh, tokenBody("refresh", replay.Refresh), "")
		}},
		{"login", func(ctx context.Context) jwtkit.Response {
			return jsonPost(a, ctx, jwtkit.EndpointObtain, `{"username":"demo","password":"demo-password"}`, "")
		}},
	}
}

// answerWithin makes the request with a context without deadline and returns its answer and
// how long it took; a request still unanswered after hangGuard fails the test.
func answerWithin(t *testing.T, c hangCase) (jwtkit.Response, time.Duration) {
	t.Helper()
	done := make(chan jwtkit.Response, 1)
	start := time.Now()
	go func() { done <- c.call(context.Background()) }()
	select {
	case r := <-done:
		return r, time.Since(start)
	case <-time.After(hangGuard):
		t.Fatalf("%s: no answer after %v while the store hangs", c.name, hangGuard)
		return jwtkit.Response{}, 0
	}
}

func assertStoreUnavailable(t *testing.T, r jwtkit.Response, msgAndArgs ...any) {
	t.Helper()
	if assert.Equal(t, http.StatusServiceUnavailable, r.Status, msgAndArgs...) {
		var body map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &body))
		assert.Equal(t, "store_unavailable", body["code"], msgAndArgs...)
	}
}

// TestHungStoreAnswers503InTime: with a store that accepts calls and never answers, and callers
// whose contexts have no deadline, every request that needs the store answers the 503 once
// StoreTimeout has passed, not before (the deadline ended it, not a quick failure) and not
// much later; never a pass. When the store answers again, the same Auth serves every request
// normally, with nothing to reset.
func TestHungStoreAnswers503InTime(t *testing.T) {
	a, s := hangEnv(t, hangTimeout)
	cases := hangCases(t, a)
	s.stall(0)
	for _, c := range cases {
		r, took := answerWithin(t, c)
		assertStoreUnavailable(t, r, c.name)
		assert.GreaterOrEqual(t, took, hangTimeout, "%s answered before the deadline: not the hang's answer", c.name)
		assert.Less(t, took, hangTimeout+hangMargin, "%s took %v with StoreTimeout %v", c.name, took, hangTimeout)
	}
	s.resume()
	for _, c := range cases {
		r, _ := answerWithin(t, c)
		assert.Equal(t, http.StatusOK, r.Status, "%s after the store answers again: %s", c.name, r.Body)
	}
}

// TestHungStoreLoginAdmission: a login whose first count answers and whose second hangs gets the
// 503 within one StoreTimeout: taking back the first count shares the admission's deadline
// rather than waiting a second StoreTimeout on the hung store.
func TestHungStoreLoginAdmission(t *testing.T) {
	const timeout = time.Second // long enough that a second one would show past the margin
	a, s := hangEnv(t, timeout)
	login := hangCase{"login", func(ctx context.Context) jwtkit.Response {
		return jsonPost(a, ctx, jwtkit.EndpointObtain, `{"username":"demo","password":"wrong"}`, "")
	}}
	s.stall(1) // the username's count answers, the client address's hangs
	r, took := answerWithin(t, login)
	assertStoreUnavailable(t, r)
	assert.Less(t, took, timeout+hangMargin, "login took %v with StoreTimeout %v", took, timeout)
	var methods []string
	for _, c := range s.calls() {
		methods = append(methods, c.method)
	}
	assert.Equal(t, []string{"LoginAttempt", "LoginAttempt", "LoginForget"}, methods, "the first count is taken back")
}

// storeFlows makes every kind of store call core makes, with ctx: a login (counted, then taken
// back), a refresh (Revoked, RotateOnce), a replay within the grace window (RotatedAnswer), a
// replay after the family moved on (RevokeFamily), a logout with its access token (RevokeOnce,
// Revoke) and a log out everywhere (RevokeUser).
func storeFlows(t *testing.T, a *jwtkit.Auth, ctx context.Context) {
	t.Helper()
	r := jsonPost(a, ctx, jwtkit.EndpointObtain, `{"username":"demo","password":"demo-password"}`, "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var pair struct{ Access, Refresh string }
	require.NoError(t, json.Unmarshal(r.Body, &pair))
	next, err := a.Refresh(ctx, pair.Refresh)
	require.NoError(t, err)
	_, err = a.Refresh(ctx, pair.Refresh) // within the grace window: the same answer
	require.NoError(t, err)
	_, err = a.Refresh(ctx, next.Refresh)
	require.NoError(t, err)
	_, err = a.Refresh(ctx, pair.Refresh) // its family moved on: reuse
	require.ErrorIs(t, err, jwtkit.ErrBlacklisted)
	other, err := a.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	r = jsonPost(a, ctx, jwtkit.EndpointBlacklist, tokenBody("refresh", other.Refresh), "Bearer "+other.Access)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	require.NoError(t, a.RevokeUser(ctx, jwtkit.IntUserID(1)))
}

var everyStoreMethod = []string{"Revoke", "RevokeOnce", "RevokeUser", "RevokeFamily", "Revoked",
	"RotateOnce", "RotatedAnswer", "LoginAttempt", "LoginForget"}

func methodsOf(calls []seenCall) []string {
	var ms []string
	for _, c := range calls {
		ms = append(ms, c.method)
	}
	return ms
}

// TestEveryStoreCallHasADeadline: every call core makes to the Store, its RotationStore and the
// LoginLimiter carries a deadline of at most StoreTimeout, the default's 2 s included, though
// the caller's context has none; an earlier deadline of the caller's stays.
func TestEveryStoreCallHasADeadline(t *testing.T) {
	for name, tc := range map[string]struct {
		timeout time.Duration
		callers time.Duration // the caller's deadline, 0 for none
		want    time.Duration // the longest deadline a call may get
	}{
		"default":                 {0, 0, jwtkit.DefaultStoreTimeout},
		"set":                     {hangTimeout, 0, hangTimeout},
		"earlier caller deadline": {time.Minute, 10 * time.Second, 10 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			a, s := hangEnv(t, tc.timeout)
			ctx := context.Background()
			if tc.callers > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.callers)
				defer cancel()
			}
			storeFlows(t, a, ctx)
			calls := s.calls()
			assert.Subset(t, methodsOf(calls), everyStoreMethod, "the flows reach every store method")
			for _, c := range calls {
				if assert.True(t, c.ok, "%s had no deadline", c.method) {
					assert.LessOrEqual(t, c.left, tc.want, c.method)
					assert.Greater(t, c.left, tc.want-time.Second, "%s: a deadline much shorter than StoreTimeout", c.method)
				}
			}
		})
	}
}

// TestStoreDeadlineOff: a negative StoreTimeout, and a store that answers from the process's
// memory (InProcessStore), get the caller's context as it is. A LoginLimiter of its own is
// judged on its own.
func TestStoreDeadlineOff(t *testing.T) {
	assertNoDeadline := func(t *testing.T, calls []seenCall) {
		t.Helper()
		assert.NotEmpty(t, calls)
		for _, c := range calls {
			assert.False(t, c.ok, "%s got a deadline", c.method)
		}
	}
	t.Run("negative", func(t *testing.T) {
		a, s := hangEnv(t, -1)
		storeFlows(t, a, context.Background())
		assert.Subset(t, methodsOf(s.calls()), everyStoreMethod)
		assertNoDeadline(t, s.calls())
	})
	t.Run("in process", func(t *testing.T) {
		a, s := hangEnv(t, hangTimeout, func(c *jwtkit.Config) { c.Store = inProcessStall{c.Store.(*stallStore)} })
		storeFlows(t, a, context.Background())
		assert.Subset(t, methodsOf(s.calls()), everyStoreMethod)
		assertNoDeadline(t, s.calls())
	})
	t.Run("in-process store, networked limiter", func(t *testing.T) {
		limiter := newStallStore()
		a, s := hangEnv(t, hangTimeout, func(c *jwtkit.Config) {
			c.Store = inProcessStall{c.Store.(*stallStore)}
			c.LoginLimiter = limiter
		})
		storeFlows(t, a, context.Background())
		assertNoDeadline(t, s.calls())
		calls := limiter.calls()
		assert.Equal(t, []string{"LoginAttempt", "LoginAttempt", "LoginForget", "LoginForget"}, methodsOf(calls))
		for _, c := range calls {
			assert.True(t, c.ok, "%s of the limiter had no deadline", c.method)
		}
	})
}
