package storetest

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

const (
	// limiterRacers goroutines race LoginAttempt on one key with a limit of limiterLimit, for
	// limiterRounds rounds.
	limiterRacers = 50
	limiterLimit  = 5
	limiterRounds = 5
	// loginWindow is the window of every limiter subtest.
	loginWindow = time.Minute
)

// loginLimiter returns a store from newStore as a jwtkit.LoginLimiter. A store that does not
// implement it skips the subtest, unless Features.Limiter promised it, which fails the test.
func (s suite) loginLimiter(t *testing.T, promised bool) jwtkit.LoginLimiter {
	t.Helper()
	st := s.newStore(t)
	l, ok := st.(jwtkit.LoginLimiter)
	if !ok {
		if promised {
			t.Fatalf("Features.Limiter is set but %T does not implement jwtkit.LoginLimiter", st)
		}
		t.Skipf("%T does not implement jwtkit.LoginLimiter", st)
	}
	return l
}

func newLoginKey() string  { return "storetest-login-" + rand.Text() }
func newAttemptID() string { return rand.Text() }

// attempt calls LoginAttempt with loginWindow under a fresh id and fails the test on an error.
func attempt(t *testing.T, l jwtkit.LoginLimiter, key string, limit int, now time.Time) time.Duration {
	t.Helper()
	return attemptID(t, l, key, newAttemptID(), limit, now)
}

func attemptID(t *testing.T, l jwtkit.LoginLimiter, key, id string, limit int, now time.Time) time.Duration {
	t.Helper()
	retryAfter, err := l.LoginAttempt(t.Context(), key, id, limit, loginWindow, now)
	require.NoError(t, err, "LoginAttempt(%s, %s, %d, %v, %v)", key, id, limit, loginWindow, now)
	return retryAfter
}

// loginLimit walks one key through an exact sliding window of a minute with a limit of 3, at
// fixed times: attempts are counted until the limit, then refused with the exact time until
// the attempt that blocks leaves the window, and refusals count nothing.
func (s suite) loginLimit(t *testing.T, promised bool) {
	l := s.loginLimiter(t, promised)
	key, t0 := newLoginKey(), wholeSecond()
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	assert.Zero(t, attempt(t, l, key, 3, at(0)), "1st attempt at t0")
	assert.Zero(t, attempt(t, l, key, 3, at(10*time.Second)), "2nd attempt at t0+10s")
	assert.Zero(t, attempt(t, l, key, 3, at(20*time.Second)), "3rd attempt at t0+20s")
	assert.Equal(t, 30*time.Second, attempt(t, l, key, 3, at(30*time.Second)),
		"at t0+30s the attempt of t0 blocks until t0+60s")
	assert.Equal(t, 30*time.Second, attempt(t, l, key, 3, at(30*time.Second)), "a refusal counts nothing")
	assert.Equal(t, time.Second, attempt(t, l, key, 3, at(59*time.Second)), "at t0+59s")
	assert.Equal(t, time.Millisecond, attempt(t, l, key, 3, at(59999*time.Millisecond)), "at t0+59.999s")
	assert.Zero(t, attempt(t, l, key, 3, at(60*time.Second)),
		"at t0+60s the attempt of t0 has left the window (now-window, now], and no refusal was counted")
	assert.Equal(t, 9*time.Second, attempt(t, l, key, 3, at(61*time.Second)),
		"at t0+61s the window holds t0+10s, t0+20s and t0+60s: the one of t0+10s blocks until t0+70s")
	assert.Zero(t, attempt(t, l, key, 3, at(130*time.Second)), "long after, the window is empty again")

	// More attempts in the window than the limit (the limit was lowered): the one that must
	// leave for an attempt to pass is the (count-limit+1)-th oldest, not the oldest.
	lowered := newLoginKey()
	for i := range 5 {
		require.Zero(t, attempt(t, l, lowered, 5, at(time.Duration(i)*time.Second)), "attempt %d of 5", i+1)
	}
	assert.Equal(t, 58*time.Second, attempt(t, l, lowered, 2, at(5*time.Second)),
		"5 attempts at t0..t0+4s, limit 2: the 4th oldest (t0+3s) must leave, at t0+63s")
	assert.Zero(t, attempt(t, l, lowered, 5, at(60*time.Second)),
		"at t0+60s, limit 5: t0 has left, t0+1s..t0+4s remain, the refusal was not counted")
	assert.Equal(t, time.Second, attempt(t, l, lowered, 5, at(60*time.Second)),
		"now t0+1s..t0+4s and t0+60s fill the limit: t0+1s blocks until t0+61s")
}

// loginForget: a forgotten attempt frees its slot; forgetting what was never counted (an
// unknown id, an unknown key, an attempt under another key) is not an error and frees nothing.
func (s suite) loginForget(t *testing.T, promised bool) {
	l := s.loginLimiter(t, promised)
	ctx := t.Context()
	key, other, t0 := newLoginKey(), newLoginKey(), wholeSecond()
	first, second := newAttemptID(), newAttemptID()

	require.Zero(t, attemptID(t, l, key, first, 2, t0))
	require.Zero(t, attemptID(t, l, key, second, 2, t0.Add(time.Second)))
	require.Zero(t, attemptID(t, l, other, second, 2, t0), "the same id under another key is another attempt")
	require.Equal(t, 58*time.Second, attempt(t, l, key, 2, t0.Add(2*time.Second)))

	assert.NoError(t, l.LoginForget(ctx, key, newAttemptID()), "forgetting an unknown attempt")
	assert.NoError(t, l.LoginForget(ctx, newLoginKey(), first), "forgetting under an unknown key")
	assert.NoError(t, l.LoginForget(ctx, other, second), "forgetting the attempt of another key")
	assert.Equal(t, 58*time.Second, attempt(t, l, key, 2, t0.Add(2*time.Second)), "nothing of key was forgotten")

	require.NoError(t, l.LoginForget(ctx, key, first))
	assert.Zero(t, attempt(t, l, key, 2, t0.Add(3*time.Second)), "the forgotten attempt's slot is free")
	assert.Equal(t, 58*time.Second, attempt(t, l, key, 2, t0.Add(3*time.Second)),
		"t0+1s now blocks until t0+61s: the forgotten t0 no longer counts")
	require.NoError(t, l.LoginForget(ctx, key, first), "forgetting twice")
}

// loginKeys: keys are independent and opaque (compared byte for byte, up to 200 bytes of any
// text), and so are ids.
func (s suite) loginKeys(t *testing.T, promised bool) {
	l := s.loginLimiter(t, promised)
	now := time.Now()
	key := newLoginKey()

	require.Zero(t, attempt(t, l, key, 1, now))
	require.Equal(t, loginWindow, attempt(t, l, key, 1, now), "the key is at its limit")
	long := strings.Repeat("ü", 40) + rand.Text() + strings.Repeat("k", 200)
	for name, other := range map[string]string{
		"another key":       newLoginKey(),
		"upper case":        strings.ToUpper(key),
		"a prefix":          key[:len(key)-1],
		"an extension":      key + "x",
		"200 bytes of text": long[:200],
		"braces":            "{" + key + "}",
		"a backslash":       key + `\`,
	} {
		assert.Zero(t, attempt(t, l, other, 1, now), "%s is counted apart", name)
		assert.Equal(t, loginWindow, attempt(t, l, other, 1, now), "%s keeps its own count", name)
	}
	longID := strings.Repeat("i", 180) + rand.Text()
	idKey := newLoginKey()
	require.Zero(t, attemptID(t, l, idKey, longID[:200], 1, now), "an id of 200 bytes")
	require.NoError(t, l.LoginForget(t.Context(), idKey, longID[:200]))
	assert.Zero(t, attempt(t, l, idKey, 1, now), "an id of 200 bytes is forgotten")
}

// loginBadInput: a limit below 1, a window not above zero, an empty key or id are errors (a
// caller's bug must never read as "allowed"), and count nothing.
func (s suite) loginBadInput(t *testing.T, promised bool) {
	l := s.loginLimiter(t, promised)
	ctx := t.Context()
	key, now := newLoginKey(), time.Now()

	for name, call := range map[string]func() (time.Duration, error){
		"limit 0":         func() (time.Duration, error) { return l.LoginAttempt(ctx, key, newAttemptID(), 0, loginWindow, now) },
		"negative limit":  func() (time.Duration, error) { return l.LoginAttempt(ctx, key, newAttemptID(), -1, loginWindow, now) },
		"window 0":        func() (time.Duration, error) { return l.LoginAttempt(ctx, key, newAttemptID(), 1, 0, now) },
		"negative window": func() (time.Duration, error) { return l.LoginAttempt(ctx, key, newAttemptID(), 1, -time.Second, now) },
	} {
		_, err := call()
		assert.Error(t, err, name)
	}
	for name, call := range map[string]func() (time.Duration, error){
		"empty key": func() (time.Duration, error) { return l.LoginAttempt(ctx, "", newAttemptID(), 1, loginWindow, now) },
		"empty id":  func() (time.Duration, error) { return l.LoginAttempt(ctx, key, "", 1, loginWindow, now) },
	} {
		_, err := call()
		assert.ErrorIs(t, err, jwtkit.ErrEmptyKey, name)
	}
	assert.Zero(t, attempt(t, l, key, 1, now), "the refused calls counted nothing")
}

// limiterRace makes limiterRacers goroutines call LoginAttempt on one key at the same now, each
// on the limiter limiterFor(i) picks: exactly limiterLimit are counted, and every other one is
// refused for the whole window (the attempts that block it were all made at now).
func limiterRace(t *testing.T, limiterFor func(i int) jwtkit.LoginLimiter) {
	t.Helper()
	for round := range limiterRounds {
		key, now := newLoginKey(), time.Now()
		retries := make([]time.Duration, limiterRacers)
		errs := make([]error, limiterRacers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range limiterRacers {
			l := limiterFor(i)
			wg.Go(func() {
				<-start
				retries[i], errs[i] = l.LoginAttempt(context.Background(), key, newAttemptID(), limiterLimit, loginWindow, now)
			})
		}
		close(start)
		wg.Wait()
		counted := 0
		for i := range limiterRacers {
			require.NoError(t, errs[i], "round %d, racer %d", round, i)
			if retries[i] == 0 {
				counted++
			} else {
				assert.Equal(t, loginWindow, retries[i], "round %d, racer %d: refused for the whole window", round, i)
			}
		}
		require.Equal(t, limiterLimit, counted,
			"round %d: %d concurrent attempts with a limit of %d", round, limiterRacers, limiterLimit)
		assert.Equal(t, loginWindow, attempt(t, limiterFor(0), key, limiterLimit, now), "round %d: the key is full", round)
	}
}

func (s suite) loginLimitRace(t *testing.T, promised bool) {
	l := s.loginLimiter(t, promised)
	limiterRace(t, func(int) jwtkit.LoginLimiter { return l })
}

// sharedLoginLimit: two stores on one backend share every key's count, as the replicas of a
// service must, in turn and in a race.
func (s suite) sharedLoginLimit(t *testing.T, promised bool) {
	a, b := s.loginLimiter(t, promised), s.loginLimiter(t, promised)
	ctx := t.Context()
	key, t0, id := newLoginKey(), wholeSecond(), newAttemptID()

	require.Zero(t, attemptID(t, a, key, id, 2, t0))
	require.Zero(t, attempt(t, b, key, 2, t0.Add(time.Second)))
	assert.Equal(t, 58*time.Second, attempt(t, a, key, 2, t0.Add(2*time.Second)), "attempts through both stores count")
	assert.Equal(t, 58*time.Second, attempt(t, b, key, 2, t0.Add(2*time.Second)), "attempts through both stores count")
	require.NoError(t, b.LoginForget(ctx, key, id), "forgetting through the other store")
	assert.Zero(t, attempt(t, a, key, 2, t0.Add(2*time.Second)), "a forget through one store frees the slot for the other")

	limiterRace(t, func(i int) jwtkit.LoginLimiter { return [2]jwtkit.LoginLimiter{a, b}[i%2] })
}

func (s suite) loginCancelledContext(t *testing.T, promised bool) {
	l := s.loginLimiter(t, promised)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key, now, id := newLoginKey(), time.Now(), newAttemptID()

	_, err := l.LoginAttempt(ctx, key, newAttemptID(), 1, loginWindow, now)
	assert.ErrorIs(t, err, context.Canceled, "LoginAttempt")
	require.Zero(t, attemptID(t, l, key, id, 1, now), "LoginAttempt with a cancelled context counted an attempt")

	assert.ErrorIs(t, l.LoginForget(ctx, key, id), context.Canceled, "LoginForget")
	assert.Equal(t, loginWindow, attempt(t, l, key, 1, now), "LoginForget with a cancelled context forgot the attempt")
	_, err = l.LoginAttempt(ctx, key, newAttemptID(), 1, loginWindow, now)
	assert.ErrorIs(t, err, context.Canceled, "LoginAttempt on a full key")
}
