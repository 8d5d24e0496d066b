package storetest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refStore is the simplest correct store: one mutex over three maps. Every refStore made by
// one newRefStore shares its state, like clients of one server.
type refStore struct{ *refState }

type refState struct {
	mu       sync.Mutex
	jtis     map[string]time.Time
	users    map[string][2]time.Time // cutoff, expiry
	families map[string]time.Time
	answers  map[string]refAnswer
	attempts map[string]map[string]time.Time // key -> attempt id -> when
}

func newRefStore() func(testing.TB) jwtkit.Store {
	st := &refState{jtis: map[string]time.Time{}, users: map[string][2]time.Time{}, families: map[string]time.Time{},
		answers: map[string]refAnswer{}, attempts: map[string]map[string]time.Time{}}
	return func(testing.TB) jwtkit.Store { return refStore{st} }
}

func check(ctx context.Context, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, k := range keys {
		if k == "" {
			return jwtkit.ErrEmptyKey
		}
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s refStore) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if err := check(ctx, jti); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jtis[jti] = later(s.jtis[jti], exp)
	return nil
}

func (s refStore) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if err := check(ctx, jti); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.jtis[jti]) {
		return false, nil
	}
	s.jtis[jti] = exp
	return true, nil
}

func (s refStore) RevokeUser(ctx context.Context, user string, cutoff, exp time.Time) error {
	if err := check(ctx, user); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.users[user]
	s.users[user] = [2]time.Time{later(old[0], cutoff), later(old[1], exp)}
	return nil
}

func (s refStore) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if err := check(ctx, family); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.families[family] = later(s.families[family], exp)
	return nil
}

func (s refStore) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	u, hasUser := s.users[ref.UserID]
	return now.Before(s.jtis[ref.JTI]) ||
		(ref.UserID != "" && hasUser && now.Before(u[1]) && jwtkit.IssuedAtOrBefore(ref.IssuedAt, u[0])) ||
		(ref.Family != "" && now.Before(s.families[ref.Family])), nil
}

func (s refStore) Purge(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now, n := time.Now(), 0
	for k, exp := range s.jtis {
		if !now.Before(exp) {
			delete(s.jtis, k)
			n++
		}
	}
	for k, u := range s.users {
		if !now.Before(u[1]) {
			delete(s.users, k)
			n++
		}
	}
	for k, exp := range s.families {
		if !now.Before(exp) {
			delete(s.families, k)
			n++
		}
	}
	return n, nil
}

// TestReferenceStore runs the suite on the reference store, with every subtest sharing one
// state, which also proves that no subtest assumes an empty store.
func TestReferenceStore(t *testing.T) {
	Run(t, newRefStore(), Features{Purge: true, Shared: true, Rotation: true, Limiter: true})
}

func BenchmarkReferenceStore(b *testing.B) {
	Bench(b, newRefStore())
}

// Mutants are reference stores with one bug each; the suite must fail on every one of them,
// in the subtest named.
type (
	racyOnce   struct{ refStore }
	lowerable  struct{ refStore }
	subsecond  struct{ refStore }
	shortening struct{ refStore }
	deaf       struct{ refStore }
	emptyOK    struct{ refStore }
	lazyPurge  struct{ refStore }
	noFamily   struct{ refStore }
	noUser     struct{ refStore }
)

func (s racyOnce) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti}); err != nil || revoked {
		return false, err
	}
	time.Sleep(time.Millisecond)
	return true, s.Revoke(ctx, jti, exp)
}

func (s lowerable) RevokeUser(ctx context.Context, user string, cutoff, exp time.Time) error {
	s.mu.Lock()
	delete(s.users, user)
	s.mu.Unlock()
	return s.refStore.RevokeUser(ctx, user, cutoff, exp)
}

func (s subsecond) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	s.mu.Lock()
	u, ok := s.users[ref.UserID]
	s.mu.Unlock()
	if ok && ref.IssuedAt.After(u[0]) {
		ref.UserID = ""
	}
	return s.refStore.Revoked(ctx, ref)
}

func (s shortening) Revoke(ctx context.Context, jti string, exp time.Time) error {
	s.mu.Lock()
	delete(s.jtis, jti)
	s.mu.Unlock()
	return s.refStore.Revoke(ctx, jti, exp)
}

func (s deaf) Revoked(_ context.Context, ref jwtkit.TokenRef) (bool, error) {
	return s.refStore.Revoked(context.Background(), ref)
}

func (s emptyOK) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if family == "" {
		return nil
	}
	return s.refStore.RevokeFamily(ctx, family, exp)
}

func (s lazyPurge) Purge(context.Context) (int, error) { return 0, nil }

func (s noFamily) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	ref.Family = ""
	return s.refStore.Revoked(ctx, ref)
}

func (s noUser) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	ref.UserID = ""
	return s.refStore.Revoked(ctx, ref)
}

// separate gives every store a state of its own, as stores that do not share a server would.
func separate(refStore) jwtkit.Store { return refStore{newRefStore()(nil).(refStore).refState} }

var mutants = map[string]struct {
	wrap     func(refStore) jwtkit.Store
	features Features
	fails    string // the subtest of Run that must fail
}{
	"racyOnce":          {func(s refStore) jwtkit.Store { return racyOnce{s} }, Features{}, "RevokeOnceRace"},
	"lowerable":         {func(s refStore) jwtkit.Store { return lowerable{s} }, Features{}, "UserCutoffMonotonic"},
	"subsecond":         {func(s refStore) jwtkit.Store { return subsecond{s} }, Features{}, "UserCutoff"},
	"shortening":        {func(s refStore) jwtkit.Store { return shortening{s} }, Features{}, "RevokeIdempotent"},
	"deaf":              {func(s refStore) jwtkit.Store { return deaf{s} }, Features{}, "CancelledContext"},
	"emptyOK":           {func(s refStore) jwtkit.Store { return emptyOK{s} }, Features{}, "EmptyKeys"},
	"lazyPurge":         {func(s refStore) jwtkit.Store { return lazyPurge{s} }, Features{Purge: true}, "Expiry"},
	"noFamily":          {func(s refStore) jwtkit.Store { return noFamily{s} }, Features{}, "Family"},
	"separate":          {separate, Features{Shared: true}, "Shared"},
	"separateReplicas":  {separate, Features{Shared: true}, "ReplicasThroughCore"},
	"separateRespelled": {separate, Features{Shared: true}, "RespelledThroughCore"},
	"separateRestart":   {separate, Features{Shared: true}, "RestartThroughCore"},
	"noUser":            {func(s refStore) jwtkit.Store { return noUser{s} }, Features{}, "ReplicasThroughCore"},

	"noRotation":       {func(s refStore) jwtkit.Store { return plainStore{s} }, Features{Rotation: true}, "RotateOnce"},
	"racyRotate":       {func(s refStore) jwtkit.Store { return racyRotate{s} }, Features{}, "RotateOnceRace"},
	"loserOverwrites":  {func(s refStore) jwtkit.Store { return loserOverwrites{s} }, Features{}, "RotateOnce"},
	"endlessGrace":     {func(s refStore) jwtkit.Store { return endlessGrace{s} }, Features{}, "RotatedAnswerWindow"},
	"deafRotation":     {func(s refStore) jwtkit.Store { return deafRotation{s} }, Features{}, "RotationCancelledContext"},
	"separateRotation": {separate, Features{Shared: true}, "SharedRotation"},
	"noLimiter":        {func(s refStore) jwtkit.Store { return plainStore{s} }, Features{Limiter: true}, "LoginLimit"},
	"oldestBlocks":     {func(s refStore) jwtkit.Store { return oldestBlocks{s} }, Features{}, "LoginLimit"},
	"countsRefusals":   {func(s refStore) jwtkit.Store { return countsRefusals{s} }, Features{}, "LoginLimit"},
	"fixedWindow":      {func(s refStore) jwtkit.Store { return fixedWindow{s} }, Features{}, "LoginLimit"},
	"racyLimiter":      {func(s refStore) jwtkit.Store { return racyLimiter{s} }, Features{}, "LoginLimitRace"},
	"forgetNothing":    {func(s refStore) jwtkit.Store { return forgetNothing{s} }, Features{}, "LoginForget"},
	"foldedKeys":       {func(s refStore) jwtkit.Store { return foldedKeys{s} }, Features{}, "LoginKeys"},
	"lenientLimiter":   {func(s refStore) jwtkit.Store { return lenientLimiter{s} }, Features{}, "LoginBadInput"},
	"deafLimiter":      {func(s refStore) jwtkit.Store { return deafLimiter{s} }, Features{}, "LoginCancelledContext"},
	"separateLimiter":  {separate, Features{Shared: true}, "SharedLoginLimit"},
}

// TestMutant runs the suite on the mutant named by STORETEST_MUTANT; TestSuiteCatchesMutants
// starts it in a child process, because a failing Run cannot be observed from inside.
func TestMutant(t *testing.T) {
	name := os.Getenv("STORETEST_MUTANT")
	if name == "" {
		t.Skip("run by TestSuiteCatchesMutants")
	}
	m := mutants[name]
	ref := newRefStore()
	Run(t, func(tb testing.TB) jwtkit.Store { return m.wrap(ref(tb).(refStore)) }, m.features)
}

func TestSuiteCatchesMutants(t *testing.T) {
	for name, m := range mutants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutant$/^"+m.fails+"$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_MUTANT="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the suite passed a store with a bug:\n%s", out)
			assert.True(t, strings.Contains(string(out), "--- FAIL: TestMutant/"+m.fails+" "),
				"the suite failed, but not in %s:\n%s", m.fails, out)
		})
	}
}
