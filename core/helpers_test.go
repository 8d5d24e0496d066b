package jwtkit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// testSecret is a 40-byte HS256 secret that passes the weak-key checks.
var testSecret = []byte("jwtkit-core-tests-0123456789-abcdefghijk")

// testStore is the smallest Store that keeps the contract, so the endpoint logic can be tested
// with failures injected at will. Real backends are proven by the storetest conformance suite.
type testStore struct {
	mu       sync.Mutex
	jtis     map[string]time.Time
	users    map[string]time.Time
	families map[string]time.Time
	answers  map[string]graceAnswer
	attempts map[string][]loginTry
	down     bool // every call fails, as an unreachable server would
	calls    int
}

type graceAnswer struct {
	answer []byte
	until  time.Time
}

type loginTry struct {
	id string
	at time.Time
}

var errStoreDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func newTestStore() *testStore {
	return &testStore{jtis: map[string]time.Time{}, users: map[string]time.Time{}, families: map[string]time.Time{},
		answers: map[string]graceAnswer{}, attempts: map[string][]loginTry{}}
}

func (s *testStore) setDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

func (s *testStore) enter(ctx context.Context) error {
	s.calls++
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.down {
		return errStoreDown
	}
	return nil
}

func (s *testStore) Revoke(ctx context.Context, jti string, exp time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return err
	}
	if exp.After(s.jtis[jti]) {
		s.jtis[jti] = exp
	}
	return nil
}

func (s *testStore) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return false, err
	}
	if _, ok := s.jtis[jti]; ok {
		return false, nil
	}
	s.jtis[jti] = exp
	return true, nil
}

func (s *testStore) RevokeUser(ctx context.Context, user string, before, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return err
	}
	if before.After(s.users[user]) {
		s.users[user] = before
	}
	return nil
}

func (s *testStore) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.families[family] = exp
	return nil
}

func (s *testStore) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return false, err
	}
	_, jti := s.jtis[ref.JTI]
	cutoff, user := s.users[ref.UserID]
	_, family := s.families[ref.Family]
	return jti || (user && jwtkit.IssuedAtOrBefore(ref.IssuedAt, cutoff)) || (ref.Family != "" && family), nil
}

func (s *testStore) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, until time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return false, err
	}
	if _, ok := s.jtis[jti]; ok {
		return false, nil
	}
	s.jtis[jti] = exp
	s.answers[jti] = graceAnswer{answer: append([]byte(nil), answer...), until: until}
	return true, nil
}

func (s *testStore) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	if a, ok := s.answers[jti]; ok && a.until.After(now) {
		return a.answer, nil
	}
	return nil, nil
}

func (s *testStore) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	var live []loginTry
	for _, a := range s.attempts[key] {
		if a.at.After(now.Add(-window)) {
			live = append(live, a)
		}
	}
	s.attempts[key] = live
	if len(live) >= limit {
		return live[len(live)-limit].at.Add(window).Sub(now), nil
	}
	s.attempts[key] = append(live, loginTry{id: id, at: now})
	return 0, nil
}

func (s *testStore) LoginForget(ctx context.Context, key, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.enter(ctx); err != nil {
		return err
	}
	tries := s.attempts[key]
	for i, a := range tries {
		if a.id == id {
			s.attempts[key] = append(tries[:i:i], tries[i+1:]...)
			break
		}
	}
	return nil
}

// testUsers is the application's user store of the contract's example servers.
type testUsers struct {
	mu    sync.Mutex
	users map[string]testUser
	down  bool
}

type testUser struct {
	id       jwtkit.UserID
	password string
	active   bool
	tenant   string
}

func newTestUsers() *testUsers {
	return &testUsers{users: map[string]testUser{
		"demo":     {id: jwtkit.IntUserID(1), password: "demo-password", active: true, tenant: "acme"},
		"inactive": {id: jwtkit.IntUserID(2), password: "demo-password", active: false},
		"uuid":     {id: jwtkit.StringUserID("5f0c8a4e-uuid"), password: "demo-password", active: true},
	}}
}

func (u *testUsers) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.down {
		return jwtkit.User{}, errStoreDown
	}
	rec, ok := u.users[name]
	if !ok || rec.password != password {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: rec.id, Active: rec.active, Value: name, PasswordHash: "hash:" + rec.password}, nil
}

func (u *testUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.down {
		return jwtkit.User{}, errStoreDown
	}
	for name, rec := range u.users {
		if rec.id.String() == id.String() {
			return jwtkit.User{ID: rec.id, Active: rec.active, Value: name, PasswordHash: "hash:" + rec.password}, nil
		}
	}
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_800_000_000, 250_000_000)} }

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// env is one Auth with its collaborators.
type env struct {
	auth  *jwtkit.Auth
	store *testStore
	users *testUsers
	clock *clock
	audit *auditLog
}

// auditLog records audit events, so tests can see them and the default logger stays quiet.
type auditLog struct {
	mu     sync.Mutex
	events []jwtkit.AuditEvent
}

func (l *auditLog) record(_ context.Context, e jwtkit.AuditEvent) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *auditLog) kinds() []jwtkit.AuditKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ks []jwtkit.AuditKind
	for _, e := range l.events {
		ks = append(ks, e.Kind)
	}
	return ks
}

func hsKey(t testing.TB, kid string) *jwtkit.Key {
	t.Helper()
	k, err := jwtkit.NewHMACKey(jwtkit.HS256, testSecret, kid)
	require.NoError(t, err)
	return k
}

// newEnv builds an Auth on the test store and users; edit adjusts the Config.
func newEnv(t testing.TB, edit ...func(*jwtkit.Config)) *env {
	t.Helper()
	e := &env{store: newTestStore(), users: newTestUsers(), clock: newClock(), audit: &auditLog{}}
	cfg := jwtkit.Config{SigningKey: hsKey(t, ""), Store: e.store, Users: e.users, Clock: e.clock.Now, Audit: e.audit.record}
	for _, f := range edit {
		f(&cfg)
	}
	a, err := jwtkit.New(cfg)
	require.NoError(t, err)
	e.auth = a
	return e
}

func (e *env) pair(t testing.TB, id jwtkit.UserID) jwtkit.Pair {
	t.Helper()
	p, err := e.auth.IssuePair(context.Background(), id, nil)
	require.NoError(t, err)
	return p
}

// post calls an endpoint with a JSON body.
func (e *env) post(ep jwtkit.Endpoint, body string) jwtkit.Response {
	return e.auth.Serve(context.Background(), ep, jwtkit.Request{Method: "POST", ContentType: "application/json", Body: strings.NewReader(body)})
}
