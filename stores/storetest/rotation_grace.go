package storetest

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

const (
	// answerSize is the size of the answers the suite records: about what core's sealed pair
	// of tokens weighs at its largest.
	answerSize = 8 << 10
	// rotateRounds is how many RotateOnce races each race subtest runs; each moves racers
	// answers of answerSize.
	rotateRounds = 5
)

// rotationStore returns a store from newStore as a jwtkit.RotationStore. A store that does not
// implement it skips the subtest, unless Features.Rotation promised it, which fails the test.
func (s suite) rotationStore(t *testing.T, promised bool) (jwtkit.Store, jwtkit.RotationStore) {
	t.Helper()
	st := s.newStore(t)
	rs, ok := st.(jwtkit.RotationStore)
	if !ok {
		if promised {
			t.Fatalf("Features.Rotation is set but %T does not implement jwtkit.RotationStore", st)
		}
		t.Skipf("%T does not implement jwtkit.RotationStore", st)
	}
	return st, rs
}

// newAnswer returns answerSize random bytes, so no two answers of a race are alike.
func newAnswer() []byte {
	b := make([]byte, answerSize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

// rotatedAnswer asks the store and fails the test on an error.
func rotatedAnswer(t *testing.T, rs jwtkit.RotationStore, jti string, now time.Time) []byte {
	t.Helper()
	answer, err := rs.RotatedAnswer(t.Context(), jti, now)
	require.NoError(t, err, "RotatedAnswer(%s)", jti)
	return answer
}

func (s suite) rotateOnce(t *testing.T, promised bool) {
	st, rs := s.rotationStore(t, promised)
	ctx := t.Context()
	now := time.Now()
	grace := now.Add(time.Hour)

	jti, answer := newJTI(), newAnswer()
	won, err := rs.RotateOnce(ctx, jti, inAnHour(), answer, grace)
	require.NoError(t, err)
	assert.True(t, won, "the first RotateOnce wins")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "a won RotateOnce revokes the jti")
	assert.Equal(t, answer, rotatedAnswer(t, rs, jti, now), "the winner's answer")

	won, err = rs.RotateOnce(ctx, jti, inAnHour(), newAnswer(), grace)
	require.NoError(t, err)
	assert.False(t, won, "a second RotateOnce loses")
	assert.Equal(t, answer, rotatedAnswer(t, rs, jti, now), "a loser must not replace the winner's answer")
	won, err = st.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "RevokeOnce after a won RotateOnce loses")
	require.NoError(t, st.Revoke(ctx, jti, inAnHour()), "Revoke after RotateOnce")
	assert.Equal(t, answer, rotatedAnswer(t, rs, jti, now), "Revoke keeps the answer")

	other := newJTI()
	assert.Nil(t, rotatedAnswer(t, rs, other, now), "a jti never rotated has no answer")
	otherAnswer := newAnswer()
	won, err = rs.RotateOnce(ctx, other, inAnHour(), otherAnswer, grace)
	require.NoError(t, err)
	assert.True(t, won, "RotateOnce of another jti wins")
	assert.Equal(t, otherAnswer, rotatedAnswer(t, rs, other, now), "answers of different jtis are independent")
	assert.Equal(t, answer, rotatedAnswer(t, rs, jti, now), "answers of different jtis are independent")

	for name, revoke := range map[string]func(jti string) error{
		"Revoke": func(jti string) error { return st.Revoke(ctx, jti, inAnHour()) },
		"RevokeOnce": func(jti string) error {
			_, err := st.RevokeOnce(ctx, jti, inAnHour())
			return err
		},
	} {
		revoked := newJTI()
		require.NoError(t, revoke(revoked), name)
		won, err := rs.RotateOnce(ctx, revoked, inAnHour(), newAnswer(), grace)
		require.NoError(t, err, name)
		assert.False(t, won, "RotateOnce of a jti revoked by %s loses", name)
		assert.Nil(t, rotatedAnswer(t, rs, revoked, now), "RotateOnce of a jti revoked by %s records nothing", name)
	}

	past := newJTI()
	won, err = rs.RotateOnce(ctx, past, now.Add(-time.Minute), newAnswer(), grace)
	require.NoError(t, err)
	assert.False(t, won, "RotateOnce with an expiry already past does not win: an expired token must not rotate")
	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: past}, "RotateOnce with a past expiry")
	assert.Nil(t, rotatedAnswer(t, rs, past, now), "RotateOnce with a past expiry records no answer")

	closed := newJTI()
	won, err = rs.RotateOnce(ctx, closed, inAnHour(), newAnswer(), now.Add(-time.Second))
	require.NoError(t, err)
	assert.True(t, won, "RotateOnce with a grace window already closed still rotates")
	assertRevoked(t, st, jwtkit.TokenRef{JTI: closed})
	assert.Nil(t, rotatedAnswer(t, rs, closed, now), "an answer whose window has closed is not handed out")

	won, err = rs.RotateOnce(ctx, "", inAnHour(), newAnswer(), grace)
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey, "RotateOnce with an empty jti")
	assert.False(t, won, "RotateOnce with an empty jti must not win")
}

// rotatedAnswerWindow: the answer is handed out while graceUntil is after the now given, and
// never once it is not, whatever the store still holds.
func (s suite) rotatedAnswerWindow(t *testing.T, promised bool) {
	_, rs := s.rotationStore(t, promised)
	now := time.Now()
	grace := now.Add(30 * time.Second)
	jti, answer := newJTI(), newAnswer()

	won, err := rs.RotateOnce(t.Context(), jti, inAnHour(), answer, grace)
	require.NoError(t, err)
	require.True(t, won)
	assert.Equal(t, answer, rotatedAnswer(t, rs, jti, now), "within the window")
	assert.Equal(t, answer, rotatedAnswer(t, rs, jti, grace.Add(-time.Millisecond)), "a millisecond before the window closes")
	assert.Nil(t, rotatedAnswer(t, rs, jti, grace), "at graceUntil the window has closed")
	assert.Nil(t, rotatedAnswer(t, rs, jti, grace.Add(time.Second)), "after graceUntil")
	assert.Nil(t, rotatedAnswer(t, rs, jti, grace.Add(time.Hour)), "long after graceUntil")
}

// rotateRace makes racers goroutines call RotateOnce on one jti at once, each with an answer of
// its own and on the store storeFor(i) picks; every loser asks RotatedAnswer right after losing
// and must get the winner's answer, byte for byte.
func rotateRace(t *testing.T, storeFor func(i int) jwtkit.RotationStore) {
	t.Helper()
	for round := range rotateRounds {
		jti := newJTI()
		exp, grace := inAnHour(), time.Now().Add(time.Hour)
		answers := make([][]byte, racers)
		for i := range answers {
			answers[i] = newAnswer()
		}
		won := make([]bool, racers)
		seen := make([][]byte, racers)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			rs := storeFor(i)
			wg.Go(func() {
				<-start
				won[i], errs[i] = rs.RotateOnce(context.Background(), jti, exp, answers[i], grace)
				if errs[i] == nil && !won[i] {
					seen[i], errs[i] = rs.RotatedAnswer(context.Background(), jti, time.Now())
				}
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		for i := range racers {
			require.NoError(t, errs[i], "round %d, racer %d", round, i)
			if won[i] {
				require.Equal(t, -1, winner, "round %d: racers %d and %d both won RotateOnce", round, winner, i)
				winner = i
			}
		}
		require.NotEqual(t, -1, winner, "round %d: nobody won RotateOnce", round)
		for i := range racers {
			if i != winner && !assert.Equal(t, answers[winner], seen[i],
				"round %d: racer %d lost and must read the winner's answer at once", round, i) {
				return
			}
		}
	}
}

func (s suite) rotateOnceRace(t *testing.T, promised bool) {
	_, rs := s.rotationStore(t, promised)
	rotateRace(t, func(int) jwtkit.RotationStore { return rs })
}

func (s suite) sharedRotateOnceRace(t *testing.T, promised bool) {
	_, a := s.rotationStore(t, promised)
	_, b := s.rotationStore(t, promised)
	rotateRace(t, func(i int) jwtkit.RotationStore { return [2]jwtkit.RotationStore{a, b}[i%2] })
}

func (s suite) rotationCancelledContext(t *testing.T, promised bool) {
	st, rs := s.rotationStore(t, promised)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	now := time.Now()
	jti := newJTI()

	won, err := rs.RotateOnce(ctx, jti, inAnHour(), newAnswer(), now.Add(time.Hour))
	assert.ErrorIs(t, err, context.Canceled, "RotateOnce")
	assert.False(t, won, "RotateOnce with a cancelled context must not win")
	_, err = rs.RotatedAnswer(ctx, jti, now)
	assert.ErrorIs(t, err, context.Canceled, "RotatedAnswer on a miss")

	assertNotRevoked(t, st, jwtkit.TokenRef{JTI: jti}, "RotateOnce with a cancelled context changed state")
	assert.Nil(t, rotatedAnswer(t, rs, jti, now), "RotateOnce with a cancelled context recorded an answer")
	answer := newAnswer()
	won, err = rs.RotateOnce(t.Context(), jti, inAnHour(), answer, now.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, won, "RotateOnce with a cancelled context changed state")
	_, err = rs.RotatedAnswer(ctx, jti, now)
	assert.ErrorIs(t, err, context.Canceled, "RotatedAnswer on a hit")
}

// sharedRotation: an answer recorded through one store is handed out by the other, and the
// rotation it came with is a loss there.
func (s suite) sharedRotation(t *testing.T, promised bool) {
	_, a := s.rotationStore(t, promised)
	b, rb := s.rotationStore(t, promised)
	now := time.Now()
	jti, answer := newJTI(), newAnswer()

	won, err := a.RotateOnce(t.Context(), jti, inAnHour(), answer, now.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, won)
	assertRevoked(t, b, jwtkit.TokenRef{JTI: jti}, "a rotation through one store revokes the jti for the other")
	assert.Equal(t, answer, rotatedAnswer(t, rb, jti, now), "the answer is shared")
	won, err = rb.RotateOnce(t.Context(), jti, inAnHour(), newAnswer(), now.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, won, "RotateOnce through the other store after a win must lose")
}
