package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Features says what a backend can do, so the suite runs only what applies.
type Features struct {
	// Purge: the store implements jwtkit.Purger. A background purge of the store's own, if it
	// has one, must not run during a subtest (an interval of a minute or more is fine), or
	// Expiry/After/Purge may find fewer expired entries than it left behind.
	Purge bool
	// Shared: two stores from newStore share state (one server, or one SQLite file):
	// revocations made through one are seen by the other, as between replicas or across a
	// restart. Leave it off for a store whose state is per process by design (memstore): the
	// Restart subtest, which closes one store and expects a new one to remember, cannot apply,
	// and the Replicas and Respelled subtests put both of their Auths on one instance.
	Shared bool
	// Rotation: the store implements jwtkit.RotationStore. The rotation subtests run for any
	// store that implements it; with Rotation set, a store that does not fails them instead
	// of skipping them, so a backend cannot lose the interface unnoticed.
	Rotation bool
	// Limiter: the store implements jwtkit.LoginLimiter, with the same meaning as Rotation for
	// the login limiter subtests.
	Limiter bool
}

const (
	// tick is how often the Expiry subtests poll the store.
	tick = 50 * time.Millisecond
	// expiryWait bounds how long an entry revoked until now+1s may stay visible: one second of
	// lifetime, one second a store may round up, and one second of slack for a loaded machine.
	expiryWait = 3 * time.Second
	// racers and raceRounds size the RevokeOnce races.
	racers     = 100
	raceRounds = 20
)

// Run runs every behaviour of the store contract as subtests of t.
//
// newStore is called once per subtest (twice in the Shared subtests) with that subtest as tb,
// so it can register cleanup with tb.Cleanup. The stores it returns may share state with each
// other and with other runs (a real server): every subtest uses fresh random keys and never
// assumes an empty store. The Expiry subtests share one store and wait once, about two seconds,
// for all of their short-lived revocations to expire.
func Run(t *testing.T, newStore func(tb testing.TB) jwtkit.Store, f Features) {
	t.Helper()
	s := suite{newStore: newStore}

	t.Run("UnknownKeys", s.unknownKeys)
	t.Run("EmptyKeys", s.emptyKeys)
	t.Run("OpaqueKeys", s.opaqueKeys)
	t.Run("SeparateNamespaces", s.separateNamespaces)
	t.Run("Revoke", s.revoke)
	t.Run("RevokeIdempotent", s.revokeIdempotent)
	t.Run("PastExpiry", s.pastExpiry)
	t.Run("RevokeOnce", s.revokeOnce)
	t.Run("RevokeOnceRace", s.revokeOnceRace)
	t.Run("UserCutoff", s.userCutoff)
	t.Run("UserCutoffMonotonic", s.userCutoffMonotonic)
	t.Run("Family", s.family)
	t.Run("RevokedCombines", s.revokedCombines)
	t.Run("CancelledContext", func(t *testing.T) { s.cancelledContext(t, f.Purge) })
	t.Run("RotationThroughCore", func(t *testing.T) { s.rotationThroughCore(t, false) })
	t.Run("ReplicasThroughCore", func(t *testing.T) { s.replicasThroughCore(t, f.Shared) })
	t.Run("RespelledThroughCore", func(t *testing.T) { s.respelledThroughCore(t, f.Shared) })
	t.Run("ReuseThroughCore", func(t *testing.T) { s.reuseThroughCore(t, f.Shared, f.Rotation) })

	t.Run("RotateOnce", func(t *testing.T) { s.rotateOnce(t, f.Rotation) })
	t.Run("RotatedAnswerWindow", func(t *testing.T) { s.rotatedAnswerWindow(t, f.Rotation) })
	t.Run("RotateOnceRace", func(t *testing.T) { s.rotateOnceRace(t, f.Rotation) })
	t.Run("RotationCancelledContext", func(t *testing.T) { s.rotationCancelledContext(t, f.Rotation) })

	t.Run("LoginLimit", func(t *testing.T) { s.loginLimit(t, f.Limiter) })
	t.Run("LoginForget", func(t *testing.T) { s.loginForget(t, f.Limiter) })
	t.Run("LoginKeys", func(t *testing.T) { s.loginKeys(t, f.Limiter) })
	t.Run("LoginBadInput", func(t *testing.T) { s.loginBadInput(t, f.Limiter) })
	t.Run("LoginLimitRace", func(t *testing.T) { s.loginLimitRace(t, f.Limiter) })
	t.Run("LoginCancelledContext", func(t *testing.T) { s.loginCancelledContext(t, f.Limiter) })

	t.Run("Expiry", func(t *testing.T) { s.expiry(t, f.Purge) })

	if f.Shared {
		t.Run("Shared", s.shared)
		t.Run("SharedRevokeOnceRace", s.sharedRevokeOnceRace)
		t.Run("SharedRotationThroughCore", func(t *testing.T) { s.rotationThroughCore(t, true) })
		t.Run("RestartThroughCore", s.restartThroughCore)
		t.Run("SharedRotation", func(t *testing.T) { s.sharedRotation(t, f.Rotation) })
		t.Run("SharedRotateOnceRace", func(t *testing.T) { s.sharedRotateOnceRace(t, f.Rotation) })
		t.Run("SharedLoginLimit", func(t *testing.T) { s.sharedLoginLimit(t, f.Limiter) })
	}
}

type suite struct {
	newStore func(tb testing.TB) jwtkit.Store
}

// newJTI returns a jti shaped like the suite's own: 32 lowercase hex characters (uuid4 hex).
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

func newUser() string   { return "storetest-user-" + rand.Text() }
func newFamily() string { return "storetest-family-" + rand.Text() }

// wholeSecond returns the current time truncated to the second, so tests can place issue
// times and cutoffs on either side of a second boundary.
func wholeSecond() time.Time { return time.Now().Truncate(time.Second) }

func inAnHour() time.Time { return time.Now().Add(time.Hour) }

// isRevoked asks the store and fails the test on an error.
func isRevoked(t *testing.T, s jwtkit.Store, ref jwtkit.TokenRef) bool {
	t.Helper()
	revoked, err := s.Revoked(t.Context(), ref)
	require.NoError(t, err, "Revoked(%+v)", ref)
	return revoked
}

func assertRevoked(t *testing.T, s jwtkit.Store, ref jwtkit.TokenRef, msgAndArgs ...any) {
	t.Helper()
	assert.True(t, isRevoked(t, s, ref), msgAndArgs...)
}

func assertNotRevoked(t *testing.T, s jwtkit.Store, ref jwtkit.TokenRef, msgAndArgs ...any) {
	t.Helper()
	assert.False(t, isRevoked(t, s, ref), msgAndArgs...)
}

// eventuallyNotRevoked waits until every ref has stopped being revoked.
func eventuallyNotRevoked(t *testing.T, s jwtkit.Store, refs ...jwtkit.TokenRef) {
	t.Helper()
	assert.Eventually(t, func() bool {
		for _, ref := range refs {
			revoked, err := s.Revoked(context.Background(), ref)
			if err != nil || revoked {
				return false
			}
		}
		return true
	}, expiryWait, tick, "revocations with expiry now+1s must be gone within %v", expiryWait)
}

func (s suite) unknownKeys(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	now := time.Now()

	for name, ref := range map[string]jwtkit.TokenRef{
		"jti":            {JTI: newJTI()},
		"foreign jti":    {JTI: "storetest-jti-" + rand.Text()},
		"jti and user":   {JTI: newJTI(), UserID: newUser(), IssuedAt: now},
		"jti and family": {JTI: newJTI(), Family: newFamily(), IssuedAt: now},
		"all three":      {JTI: newJTI(), UserID: newUser(), Family: newFamily(), IssuedAt: now},
		"old iat":        {JTI: newJTI(), UserID: newUser(), IssuedAt: time.Unix(0, 0)},
	} {
		revoked, err := st.Revoked(ctx, ref)
		require.NoError(t, err, name)
		assert.False(t, revoked, "%s: a key the store has never seen is not revoked", name)
	}

	assert.NoError(t, st.RevokeUser(ctx, newUser(), now, inAnHour()), "RevokeUser of an unknown user")
	assert.NoError(t, st.RevokeFamily(ctx, newFamily(), inAnHour()), "RevokeFamily of an unknown family")
}

func (s suite) emptyKeys(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	now := time.Now()

	assert.ErrorIs(t, st.Revoke(ctx, "", inAnHour()), jwtkit.ErrEmptyKey, "Revoke with an empty jti")
	won, err := st.RevokeOnce(ctx, "", inAnHour())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey, "RevokeOnce with an empty jti")
	assert.False(t, won, "RevokeOnce with an empty jti must not win")
	assert.ErrorIs(t, st.RevokeUser(ctx, "", now.Add(time.Hour), inAnHour()), jwtkit.ErrEmptyKey, "RevokeUser with an empty user id")
	assert.ErrorIs(t, st.RevokeFamily(ctx, "", inAnHour()), jwtkit.ErrEmptyKey, "RevokeFamily with an empty family")

	// Whatever the store did above, an empty UserID or Family in a ref is never looked up.
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), IssuedAt: now.Add(-time.Hour)},
		"an empty UserID must not match a cutoff for the user \"\"")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: "", Family: "", IssuedAt: now},
		"an empty Family must not match a revoked family \"\"")
}

// opaqueKeys checks that keys are compared byte for byte: a store may store the suite's hex
// jtis compactly, but an upper-case or otherwise foreign jti is a different key.
func (s suite) opaqueKeys(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()

	lower := newJTI()
	upper := strings.ToUpper(newJTI())
	require.NoError(t, st.Revoke(ctx, lower, inAnHour()))
	require.NoError(t, st.Revoke(ctx, upper, inAnHour()))
	assertRevoked(t, st, jwtkit.TokenRef{JTI: lower})
	assertRevoked(t, st, jwtkit.TokenRef{JTI: upper})
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: strings.ToUpper(lower)}, "jtis are case-sensitive")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: strings.ToLower(upper)}, "jtis are case-sensitive")

	hexPrefix := newJTI()
	for name, jti := range map[string]string{
		"31 hex chars":  hexPrefix[:31],
		"33 hex chars":  hexPrefix + "0",
		"non-hex char":  hexPrefix[:31] + "g",
		"uuid with '-'": hexPrefix[:8] + "-" + hexPrefix[8:12] + "-" + hexPrefix[12:16] + "-" + hexPrefix[16:20] + "-" + hexPrefix[20:],
		"long":          strings.Repeat(newJTI(), 8),
		"unicode":       "jti-ünïcödé-" + rand.Text(),
	} {
		require.NoError(t, st.Revoke(ctx, jti, inAnHour()), name)
		assertRevoked(t, st, jwtkit.TokenRef{JTI: jti}, name)
		won, err := st.RevokeOnce(ctx, jti, inAnHour())
		require.NoError(t, err, name)
		assert.False(t, won, "%s: RevokeOnce of a revoked jti", name)
	}
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: hexPrefix}, "revoking look-alikes must not revoke the 32-char jti")
}

// separateNamespaces checks that jtis, user ids and family ids live apart: a jti and a family
// with the same text are different things.
func (s suite) separateNamespaces(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	key := newJTI()
	iat := time.Now().Add(-time.Hour)

	require.NoError(t, st.Revoke(ctx, key, inAnHour()))
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: key, Family: key, IssuedAt: iat},
		"a revoked jti is not a revoked user or family")

	other := newJTI()
	require.NoError(t, st.RevokeFamily(ctx, other, inAnHour()))
	require.NoError(t, st.RevokeUser(ctx, other, time.Now(), inAnHour()))
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: other}, "a revoked family or user is not a revoked jti")
	won, err := st.RevokeOnce(ctx, other, inAnHour())
	require.NoError(t, err)
	assert.True(t, won, "RevokeOnce of a jti that is only a family and user id must win")
}

func (s suite) revoke(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	jti, foreign := newJTI(), "storetest-jti-"+rand.Text()

	require.NoError(t, st.Revoke(ctx, jti, inAnHour()))
	require.NoError(t, st.Revoke(ctx, foreign, inAnHour()))
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti})
	assertRevoked(t, st, jwtkit.TokenRef{JTI: foreign})
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti, UserID: newUser(), Family: newFamily(), IssuedAt: time.Now()},
		"a revoked jti is revoked whatever its user and family")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI()}, "another jti is unaffected")
}

func (s suite) revokeIdempotent(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	jti := newJTI()

	require.NoError(t, st.Revoke(ctx, jti, inAnHour()))
	require.NoError(t, st.Revoke(ctx, jti, inAnHour()), "revoking twice is not an error")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti})

	// The later expiry wins even when the earlier one arrives last; an expiry already past
	// must not shorten a live revocation either. (Expiry/After/KeepsLaterExpiry waits it out.)
	require.NoError(t, st.Revoke(ctx, jti, time.Now().Add(-time.Minute)))
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "a past expiry must not end a live revocation")
}

// pastExpiry: revoking with an expiry already passed succeeds and leaves nothing revoked,
// because the token it describes fails its own exp check anyway. Whether RevokeOnce reports
// such a call as won is left to the store.
func (s suite) pastExpiry(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	past := time.Now().Add(-time.Minute)
	jti, onceJTI, user, family := newJTI(), newJTI(), newUser(), newFamily()

	require.NoError(t, st.Revoke(ctx, jti, past))
	_, err := st.RevokeOnce(ctx, onceJTI, past)
	require.NoError(t, err)
	require.NoError(t, st.RevokeUser(ctx, user, time.Now(), past))
	require.NoError(t, st.RevokeFamily(ctx, family, past))

	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "Revoke with a past expiry")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: onceJTI}, "RevokeOnce with a past expiry")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: time.Now().Add(-time.Hour)},
		"RevokeUser with a past expiry")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), Family: family}, "RevokeFamily with a past expiry")
}

func (s suite) revokeOnce(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()

	jti := newJTI()
	won, err := st.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.True(t, won, "the first RevokeOnce wins")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "RevokeOnce revokes")
	won, err = st.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "the second RevokeOnce loses")
	require.NoError(t, st.Revoke(ctx, jti, inAnHour()), "Revoke after RevokeOnce")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti})

	revoked := newJTI()
	require.NoError(t, st.Revoke(ctx, revoked, inAnHour()))
	won, err = st.RevokeOnce(ctx, revoked, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "RevokeOnce of a jti already revoked by Revoke loses")

	foreign := "storetest-jti-" + rand.Text()
	won, err = st.RevokeOnce(ctx, foreign, inAnHour())
	require.NoError(t, err)
	assert.True(t, won, "the first RevokeOnce of a foreign jti wins")
	won, err = st.RevokeOnce(ctx, foreign, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "the second RevokeOnce of a foreign jti loses")
}

// race makes racers goroutines call RevokeOnce on one jti at the same moment, each on the
// store storeFor(i) picks, and returns how many won.
func race(t *testing.T, jti string, storeFor func(i int) jwtkit.Store) int {
	t.Helper()
	var (
		wins  atomic.Int32
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, racers)
	)
	exp := inAnHour()
	for i := range racers {
		st := storeFor(i)
		wg.Go(func() {
			<-start
			won, err := st.RevokeOnce(context.Background(), jti, exp)
			if err != nil {
				errs <- err
				return
			}
			if won {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("RevokeOnce during the race: %v", err)
	}
	return int(wins.Load())
}

func (s suite) revokeOnceRace(t *testing.T) {
	st := s.newStore(t)
	for round := range raceRounds {
		jti := newJTI()
		wins := race(t, jti, func(int) jwtkit.Store { return st })
		require.Equal(t, 1, wins, "round %d: %d concurrent RevokeOnce calls, exactly one must win", round, racers)
		assertRevoked(t, st, jwtkit.TokenRef{JTI: jti})
	}
}

func (s suite) userCutoff(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	sec := wholeSecond()
	user, other := newUser(), newUser()

	require.NoError(t, st.RevokeUser(ctx, user, sec.Add(500*time.Millisecond), inAnHour()))
	ref := func(u string, iat time.Time) jwtkit.TokenRef {
		return jwtkit.TokenRef{JTI: newJTI(), UserID: u, IssuedAt: iat}
	}
	assertRevoked(t, st, ref(user, sec.Add(-time.Second)), "issued a second before the cutoff")
	assertRevoked(t, st, ref(user, sec), "issued at .000 of the cutoff's second (cutoff at .500)")
	assertRevoked(t, st, ref(user, sec.Add(999*time.Millisecond)), "issued at .999 of the cutoff's second (cutoff at .500)")
	assertRevoked(t, st, ref(user, sec.Add(-24*time.Hour)), "issued long before the cutoff")
	assertNotRevoked(t, st, ref(user, sec.Add(time.Second)), "issued the second after the cutoff")
	assertNotRevoked(t, st, ref(user, sec.Add(time.Hour)), "issued long after the cutoff")
	assertNotRevoked(t, st, ref(other, sec.Add(-time.Second)), "another user is unaffected")
}

func (s suite) userCutoffMonotonic(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	sec := wholeSecond()
	user := newUser()
	ref := func(iat time.Time) jwtkit.TokenRef {
		return jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: iat}
	}

	require.NoError(t, st.RevokeUser(ctx, user, sec, inAnHour()))
	require.NoError(t, st.RevokeUser(ctx, user, sec.Add(-10*time.Second), inAnHour()))
	assertRevoked(t, st, ref(sec), "an earlier cutoff must not lower a later one")
	assertRevoked(t, st, ref(sec.Add(-5*time.Second)), "an earlier cutoff must not lower a later one")
	assertNotRevoked(t, st, ref(sec.Add(time.Second)))

	require.NoError(t, st.RevokeUser(ctx, user, sec.Add(10*time.Second), inAnHour()))
	assertRevoked(t, st, ref(sec.Add(10*time.Second)), "a later cutoff raises the earlier one")
	assertRevoked(t, st, ref(sec.Add(5*time.Second)), "a later cutoff raises the earlier one")
	assertNotRevoked(t, st, ref(sec.Add(11*time.Second)))
}

func (s suite) family(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	family := newFamily()
	now := time.Now()

	require.NoError(t, st.RevokeFamily(ctx, family, inAnHour()))
	require.NoError(t, st.RevokeFamily(ctx, family, inAnHour()), "revoking a family twice is not an error")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), Family: family, IssuedAt: now}, "any jti of the family")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), Family: family, IssuedAt: now}, "any other jti of the family")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: newUser(), Family: family, IssuedAt: now.Add(time.Hour)},
		"whatever its user and issue time")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), Family: newFamily(), IssuedAt: now}, "another family")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), IssuedAt: now}, "no family")
}

func (s suite) revokedCombines(t *testing.T) {
	st := s.newStore(t)
	ctx := t.Context()
	sec := wholeSecond()
	user, family, jti := newUser(), newFamily(), newJTI()

	require.NoError(t, st.RevokeUser(ctx, user, sec, inAnHour()))
	require.NoError(t, st.RevokeFamily(ctx, family, inAnHour()))
	require.NoError(t, st.Revoke(ctx, jti, inAnHour()))

	after := sec.Add(time.Minute)
	assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: user, Family: newFamily(), IssuedAt: sec},
		"jti not revoked, family not revoked, user cutoff covers it")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: user, Family: family, IssuedAt: after},
		"jti not revoked, user cutoff does not cover it, family revoked")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti, UserID: user, Family: newFamily(), IssuedAt: after},
		"jti revoked, user cutoff does not cover it, family not revoked")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: user, Family: newFamily(), IssuedAt: after},
		"nothing covers it")
}

func (s suite) cancelledContext(t *testing.T, purge bool) {
	st := s.newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	jti, onceJTI, user, family := newJTI(), newJTI(), newUser(), newFamily()
	old := time.Now().Add(-time.Hour)

	assert.ErrorIs(t, st.Revoke(ctx, jti, inAnHour()), context.Canceled, "Revoke")
	won, err := st.RevokeOnce(ctx, onceJTI, inAnHour())
	assert.ErrorIs(t, err, context.Canceled, "RevokeOnce")
	assert.False(t, won, "RevokeOnce with a cancelled context must not win")
	assert.ErrorIs(t, st.RevokeUser(ctx, user, time.Now(), inAnHour()), context.Canceled, "RevokeUser")
	assert.ErrorIs(t, st.RevokeFamily(ctx, family, inAnHour()), context.Canceled, "RevokeFamily")

	_, err = st.Revoked(ctx, jwtkit.TokenRef{JTI: newJTI(), UserID: newUser(), Family: newFamily(), IssuedAt: old})
	assert.ErrorIs(t, err, context.Canceled, "Revoked on a miss must not answer (false, nil)")
	hit := newJTI()
	require.NoError(t, st.Revoke(t.Context(), hit, inAnHour()))
	_, err = st.Revoked(ctx, jwtkit.TokenRef{JTI: hit})
	assert.ErrorIs(t, err, context.Canceled, "Revoked on a hit")

	if purge {
		p, ok := st.(jwtkit.Purger)
		require.True(t, ok, "Features.Purge is set but the store does not implement jwtkit.Purger")
		_, err = p.Purge(ctx)
		assert.ErrorIs(t, err, context.Canceled, "Purge")
	}

	// Nothing the cancelled calls asked for happened.
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "Revoke with a cancelled context changed state")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: old},
		"RevokeUser with a cancelled context changed state")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: newJTI(), Family: family}, "RevokeFamily with a cancelled context changed state")
	won, err = st.RevokeOnce(t.Context(), onceJTI, inAnHour())
	require.NoError(t, err)
	assert.True(t, won, "RevokeOnce with a cancelled context changed state")
}

// An expiryCase records revocations, some of them with expiry now+1s. It returns the refs that
// must stop being revoked once those expire, and a check to run after they have.
type expiryCase func(t *testing.T, st jwtkit.Store) (gone []jwtkit.TokenRef, after func(t *testing.T))

// expiry runs every case's set-up, waits once until everything short-lived has expired, then
// runs every case's check: the suite waits about two seconds in all, whatever -parallel is.
func (s suite) expiry(t *testing.T, purge bool) {
	cases := []struct {
		name string
		run  expiryCase
	}{
		{"JTI", expiryJTI},
		{"RevokeOnce", expiryRevokeOnce},
		{"User", expiryUser},
		{"Family", expiryFamily},
		{"KeepsLaterExpiry", expiryKeepsLater},
	}
	if purge {
		cases = append(cases, struct {
			name string
			run  expiryCase
		}{"Purge", expiryPurge})
	}

	st := s.newStore(t)
	var gone []jwtkit.TokenRef
	after := make([]func(*testing.T), len(cases))
	t.Run("Before", func(t *testing.T) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				g, a := c.run(t, st)
				gone = append(gone, g...)
				after[i] = a
			})
		}
	})
	eventuallyNotRevoked(t, st, gone...)
	t.Run("After", func(t *testing.T) {
		for i, c := range cases {
			if after[i] != nil { // nil when the case's set-up failed
				t.Run(c.name, after[i])
			}
		}
	})
}

func expiryJTI(t *testing.T, st jwtkit.Store) ([]jwtkit.TokenRef, func(*testing.T)) {
	jti, foreign := newJTI(), "storetest-jti-"+rand.Text()
	exp := time.Now().Add(time.Second)

	require.NoError(t, st.Revoke(t.Context(), jti, exp))
	require.NoError(t, st.Revoke(t.Context(), foreign, exp))
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti})
	assertRevoked(t, st, jwtkit.TokenRef{JTI: foreign})
	return []jwtkit.TokenRef{{JTI: jti}, {JTI: foreign}}, func(*testing.T) {}
}

func expiryRevokeOnce(t *testing.T, st jwtkit.Store) ([]jwtkit.TokenRef, func(*testing.T)) {
	jti := newJTI()
	won, err := st.RevokeOnce(t.Context(), jti, time.Now().Add(time.Second))
	require.NoError(t, err)
	require.True(t, won)
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti})
	return []jwtkit.TokenRef{{JTI: jti}}, func(*testing.T) {}
}

func expiryUser(t *testing.T, st jwtkit.Store) ([]jwtkit.TokenRef, func(*testing.T)) {
	ctx := t.Context()
	now := time.Now()
	short, long := newUser(), newUser()
	iat := now.Add(-time.Minute)

	require.NoError(t, st.RevokeUser(ctx, short, now, now.Add(time.Second)))
	// An earlier cutoff arriving with an earlier expiry shortens neither.
	require.NoError(t, st.RevokeUser(ctx, long, now, inAnHour()))
	require.NoError(t, st.RevokeUser(ctx, long, now.Add(-time.Hour), now.Add(time.Second)))

	shortRef := jwtkit.TokenRef{JTI: newJTI(), UserID: short, IssuedAt: iat}
	longRef := jwtkit.TokenRef{JTI: newJTI(), UserID: long, IssuedAt: iat}
	assertRevoked(t, st, shortRef)
	assertRevoked(t, st, longRef)
	return []jwtkit.TokenRef{shortRef}, func(t *testing.T) {
		assertRevoked(t, st, longRef, "a cutoff recorded until +1h must outlive a later call with expiry +1s")
	}
}

func expiryFamily(t *testing.T, st jwtkit.Store) ([]jwtkit.TokenRef, func(*testing.T)) {
	ctx := t.Context()
	short, long := newFamily(), newFamily()

	require.NoError(t, st.RevokeFamily(ctx, short, time.Now().Add(time.Second)))
	require.NoError(t, st.RevokeFamily(ctx, long, inAnHour()))
	require.NoError(t, st.RevokeFamily(ctx, long, time.Now().Add(time.Second)))

	shortRef := jwtkit.TokenRef{JTI: newJTI(), Family: short}
	longRef := jwtkit.TokenRef{JTI: newJTI(), Family: long}
	assertRevoked(t, st, shortRef)
	return []jwtkit.TokenRef{shortRef}, func(t *testing.T) {
		assertRevoked(t, st, longRef, "a family revoked until +1h must outlive a later call with expiry +1s")
	}
}

// expiryKeepsLater revokes jtis twice with a short and a long expiry, in both orders; a control
// revoked only with the short expiry shows the wait was long enough to matter.
func expiryKeepsLater(t *testing.T, st jwtkit.Store) ([]jwtkit.TokenRef, func(*testing.T)) {
	ctx := t.Context()
	shortFirst, longFirst, once, control := newJTI(), newJTI(), newJTI(), newJTI()
	soon := time.Now().Add(time.Second)

	require.NoError(t, st.Revoke(ctx, shortFirst, soon))
	require.NoError(t, st.Revoke(ctx, shortFirst, inAnHour()))
	require.NoError(t, st.Revoke(ctx, longFirst, inAnHour()))
	require.NoError(t, st.Revoke(ctx, longFirst, soon))
	won, err := st.RevokeOnce(ctx, once, soon)
	require.NoError(t, err)
	require.True(t, won)
	require.NoError(t, st.Revoke(ctx, once, inAnHour()))
	require.NoError(t, st.Revoke(ctx, control, soon))

	return []jwtkit.TokenRef{{JTI: control}}, func(t *testing.T) {
		assertRevoked(t, st, jwtkit.TokenRef{JTI: shortFirst}, "Revoke +1s then +1h must keep +1h")
		assertRevoked(t, st, jwtkit.TokenRef{JTI: longFirst}, "Revoke +1h then +1s must keep +1h")
		assertRevoked(t, st, jwtkit.TokenRef{JTI: once}, "RevokeOnce +1s then Revoke +1h must keep +1h")
	}
}

func expiryPurge(t *testing.T, st jwtkit.Store) ([]jwtkit.TokenRef, func(*testing.T)) {
	p, ok := st.(jwtkit.Purger)
	require.True(t, ok, "Features.Purge is set but the store does not implement jwtkit.Purger")
	ctx := t.Context()
	soon := time.Now().Add(time.Second)
	iat := time.Now().Add(-time.Minute)

	var short, long []jwtkit.TokenRef
	for range 3 {
		jti := newJTI()
		require.NoError(t, st.Revoke(ctx, jti, soon))
		short = append(short, jwtkit.TokenRef{JTI: jti})
		jti = newJTI()
		require.NoError(t, st.Revoke(ctx, jti, inAnHour()))
		long = append(long, jwtkit.TokenRef{JTI: jti})
	}
	shortUser, longUser := newUser(), newUser()
	require.NoError(t, st.RevokeUser(ctx, shortUser, time.Now(), soon))
	require.NoError(t, st.RevokeUser(ctx, longUser, time.Now(), inAnHour()))
	short = append(short, jwtkit.TokenRef{JTI: newJTI(), UserID: shortUser, IssuedAt: iat})
	long = append(long, jwtkit.TokenRef{JTI: newJTI(), UserID: longUser, IssuedAt: iat})
	shortFamily, longFamily := newFamily(), newFamily()
	require.NoError(t, st.RevokeFamily(ctx, shortFamily, soon))
	require.NoError(t, st.RevokeFamily(ctx, longFamily, inAnHour()))
	short = append(short, jwtkit.TokenRef{JTI: newJTI(), Family: shortFamily})
	long = append(long, jwtkit.TokenRef{JTI: newJTI(), Family: longFamily})

	return short, func(t *testing.T) {
		removed, err := p.Purge(t.Context())
		require.NoError(t, err)
		// Other cases and other runs share the store, so more may have expired; never fewer.
		assert.GreaterOrEqual(t, removed, len(short), "Purge must remove every expired entry (3 jtis, a user, a family)")
		for _, ref := range long {
			assertRevoked(t, st, ref, "Purge removed a live entry")
		}

		_, err = p.Purge(t.Context())
		require.NoError(t, err, "a second Purge")
		for _, ref := range long {
			assertRevoked(t, st, ref, "a second Purge removed a live entry")
		}
		for _, ref := range short {
			assertNotRevoked(t, st, ref, "a purged entry came back")
		}
	}
}

func (s suite) shared(t *testing.T) {
	a, b := s.newStore(t), s.newStore(t)
	ctx := t.Context()
	jti, user, family := newJTI(), newUser(), newFamily()
	sec := wholeSecond()

	require.NoError(t, a.Revoke(ctx, jti, inAnHour()))
	require.NoError(t, a.RevokeUser(ctx, user, sec, inAnHour()))
	require.NoError(t, a.RevokeFamily(ctx, family, inAnHour()))
	assertRevoked(t, b, jwtkit.TokenRef{JTI: jti}, "a jti revoked through one store is revoked through the other")
	assertRevoked(t, b, jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: sec}, "a user cutoff is shared")
	assertNotRevoked(t, b, jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: sec.Add(time.Second)})
	assertRevoked(t, b, jwtkit.TokenRef{JTI: newJTI(), Family: family}, "a family revocation is shared")

	require.NoError(t, b.RevokeUser(ctx, user, sec.Add(-time.Minute), inAnHour()))
	assertRevoked(t, a, jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: sec},
		"an earlier cutoff through the other store must not lower the cutoff")

	once := newJTI()
	won, err := a.RevokeOnce(ctx, once, inAnHour())
	require.NoError(t, err)
	require.True(t, won)
	won, err = b.RevokeOnce(ctx, once, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "RevokeOnce through the other store after a win must lose")
}

func (s suite) sharedRevokeOnceRace(t *testing.T) {
	stores := [2]jwtkit.Store{s.newStore(t), s.newStore(t)}
	for round := range raceRounds {
		jti := newJTI()
		wins := race(t, jti, func(i int) jwtkit.Store { return stores[i%2] })
		require.Equal(t, 1, wins, "round %d: %d RevokeOnce calls split across two stores, exactly one must win", round, racers)
	}
}
