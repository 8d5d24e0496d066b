package memstore_test

import (
	"context"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPurgeForgetsAnswersAndAttempts: Purge removes rotation answers once their window has
// closed and login attempts once theirs has passed, and counts each; it keeps the live ones.
// Asking with a now from before the purge shows they are gone, not just out of the window.
func TestPurgeForgetsAnswersAndAttempts(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{PurgeInterval: -1, Clock: clock.Now})
	ctx := context.Background()
	t0 := clock.Now()

	short, long := hexJTI(), hexJTI()
	won, err := s.RotateOnce(ctx, short, t0.Add(time.Hour), []byte("short"), t0.Add(5*time.Second))
	require.NoError(t, err)
	require.True(t, won)
	won, err = s.RotateOnce(ctx, long, t0.Add(time.Hour), []byte("long"), t0.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, won)
	for _, key := range []string{"a", "b", "c"} {
		retry, err := s.LoginAttempt(ctx, key, "1", 1, time.Minute, t0)
		require.NoError(t, err)
		require.Zero(t, retry)
	}
	retry, err := s.LoginAttempt(ctx, "late", "1", 1, time.Minute, t0.Add(30*time.Second))
	require.NoError(t, err)
	require.Zero(t, retry)

	removed, err := s.Purge(ctx)
	require.NoError(t, err)
	assert.Zero(t, removed, "nothing has expired yet")

	clock.Advance(5 * time.Second)
	removed, err = s.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, removed, "the answer whose window closed")
	answer, err := s.RotatedAnswer(ctx, short, t0)
	require.NoError(t, err)
	assert.Nil(t, answer, "the purged answer is gone, even for a now inside its old window")
	answer, err = s.RotatedAnswer(ctx, long, t0)
	require.NoError(t, err)
	assert.Equal(t, []byte("long"), answer)

	clock.Advance(55 * time.Second) // t0+60s: the attempts of t0 have left their window
	removed, err = s.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, removed, "the three attempts of t0")
	retry, err = s.LoginAttempt(ctx, "a", "2", 1, time.Minute, t0.Add(time.Second))
	require.NoError(t, err)
	assert.Zero(t, retry, "the purged attempt no longer counts, even for a now inside its old window")
	retry, err = s.LoginAttempt(ctx, "late", "2", 1, time.Minute, t0.Add(31*time.Second))
	require.NoError(t, err)
	assert.Equal(t, 59*time.Second, retry, "the live attempt was kept")
	assert.True(t, revoked(t, s, jwtkit.TokenRef{JTI: short}), "purging the answer keeps the revocation")
}

// TestMaxLoginAttempts: at the cap a new attempt fails with ErrFull (never "allowed"), a
// refusal still answers, forgetting frees room, and attempts whose window has passed are
// purged to make room at most once a second.
func TestMaxLoginAttempts(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{PurgeInterval: -1, Shards: 1, MaxLoginAttempts: 3, Clock: clock.Now})
	ctx := context.Background()
	now := clock.Now()

	for _, key := range []string{"a", "b", "c"} {
		_, err := s.LoginAttempt(ctx, key, "1", 2, time.Minute, now)
		require.NoError(t, err)
	}
	_, err := s.LoginAttempt(ctx, "d", "1", 2, time.Minute, now)
	assert.ErrorIs(t, err, memstore.ErrFull)
	_, err = s.LoginAttempt(ctx, "a", "2", 2, time.Minute, now)
	assert.ErrorIs(t, err, memstore.ErrFull, "a key with room under its limit still needs room in the store")
	retry, err := s.LoginAttempt(ctx, "a", "3", 1, time.Minute, now)
	require.NoError(t, err, "a refusal records nothing, so it needs no room")
	assert.Equal(t, time.Minute, retry)

	require.NoError(t, s.LoginForget(ctx, "b", "1"))
	_, err = s.LoginAttempt(ctx, "d", "1", 2, time.Minute, now)
	require.NoError(t, err, "a forgotten attempt frees its room")

	clock.Advance(time.Minute) // every attempt has left its window
	_, err = s.LoginAttempt(ctx, "e", "1", 2, time.Minute, clock.Now())
	require.NoError(t, err, "at the cap, expired attempts are purged to make room")
	_, err = s.LoginAttempt(ctx, "f", "1", 2, time.Minute, clock.Now())
	require.NoError(t, err)
	_, err = s.LoginAttempt(ctx, "g", "1", 2, time.Minute, clock.Now())
	require.NoError(t, err)
	_, err = s.LoginAttempt(ctx, "h", "1", 2, time.Minute, clock.Now())
	assert.ErrorIs(t, err, memstore.ErrFull, "only live attempts are left")
}

// TestRotationAnswerIsACopy: the store keeps its own copy of an answer and hands out copies,
// so neither the caller that recorded it nor one that read it can change what others read.
func TestRotationAnswerIsACopy(t *testing.T) {
	s := mustNew(t, memstore.Config{})
	ctx := context.Background()
	jti, now := hexJTI(), time.Now()
	answer := []byte("sealed pair")

	won, err := s.RotateOnce(ctx, jti, now.Add(time.Hour), answer, now.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, won)
	answer[0] = 'X'
	got, err := s.RotatedAnswer(ctx, jti, now)
	require.NoError(t, err)
	assert.Equal(t, []byte("sealed pair"), got)
	got[0] = 'Y'
	got, err = s.RotatedAnswer(ctx, jti, now)
	require.NoError(t, err)
	assert.Equal(t, []byte("sealed pair"), got)
	assert.Equal(t, 1, s.Len(), "the answer is not an entry; the revocation is")
}

// TestLoginAttemptInvalid: bad arguments are refused with the sentinels the package documents.
func TestLoginAttemptInvalid(t *testing.T) {
	s := mustNew(t, memstore.Config{})
	ctx := context.Background()
	_, err := s.LoginAttempt(ctx, "", "id", 1, time.Minute, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
	_, err = s.LoginAttempt(ctx, "key", "", 1, time.Minute, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
	_, err = s.LoginAttempt(ctx, "key", "id", 0, time.Minute, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = s.LoginAttempt(ctx, "key", "id", 1, 0, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = s.RotateOnce(ctx, "", time.Now().Add(time.Hour), nil, time.Now().Add(time.Hour))
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
}
