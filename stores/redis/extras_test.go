package redisstore_test

import (
	"crypto/rand"
	"encoding/binary"
	"net/url"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRotationKeyLayout pins the answer key doc.go documents: next to the jti's key, in the
// same hash tag, holding graceUntil and the answer, and living until graceUntil (rounded up to
// the millisecond) while the jti's key lives until its expiry.
func TestRotationKeyLayout(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	jti, answer := `r}`+rand8(), []byte("sealed\x00pair")
	exp := time.Now().Add(time.Hour)
	grace := time.Now().Add(30*time.Second + 300*time.Millisecond)

	won, err := s.RotateOnce(ctx, jti, exp, answer, grace)
	require.NoError(t, err)
	require.True(t, won)
	jtiKey, answerKey := prefix+`j:{r\)`+jti[2:]+"}", prefix+`a:{r\)`+jti[2:]+"}"
	all, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{jtiKey, answerKey}, all)

	ttl := c.PTTL(ctx, answerKey).Val()
	assert.LessOrEqual(t, ttl, 30*time.Second+301*time.Millisecond, "the answer outlives graceUntil")
	assert.Greater(t, ttl, 25*time.Second, "the answer's TTL is short of graceUntil")
	assert.Greater(t, c.PTTL(ctx, jtiKey).Val(), 59*time.Minute, "the jti lives until its expiry")
	record, err := c.Get(ctx, answerKey).Bytes()
	require.NoError(t, err)
	require.Len(t, record, 8+len(answer))
	assert.Equal(t, grace.UnixNano(), int64(binary.BigEndian.Uint64(record)), "the record starts with graceUntil")
	assert.Equal(t, answer, record[8:])

	// A win whose window has already closed leaves no answer key, and removes a stale one.
	closed := rand8()
	require.NoError(t, c.Set(ctx, prefix+"a:{"+closed+"}", record, time.Hour).Err())
	won, err = s.RotateOnce(ctx, closed, exp, answer, time.Now().Add(-time.Second))
	require.NoError(t, err)
	require.True(t, won)
	assert.Zero(t, c.Exists(ctx, prefix+"a:{"+closed+"}").Val(), "a stale answer must not stand for a new rotation")
}

// TestAnswerKeyExpires: Redis forgets the answer by itself once its window has closed, and
// the jti stays revoked.
func TestAnswerKeyExpires(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	jti := rand8()

	won, err := s.RotateOnce(ctx, jti, inAnHour(), []byte("answer"), time.Now().Add(200*time.Millisecond))
	require.NoError(t, err)
	require.True(t, won)
	assert.Eventually(t, func() bool { return c.Exists(ctx, prefix+"a:{"+jti+"}").Val() == 0 },
		3*time.Second, 20*time.Millisecond, "the answer key must expire with its window")
	revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	require.NoError(t, err)
	assert.True(t, revoked)
}

// TestLoginKeyLayout pins the limiter's sorted set: one key per login key, members the attempt
// ids, scores their times in Unix microseconds, alive for a window after the latest attempt
// and never shortened by a call with a shorter window.
func TestLoginKeyLayout(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	now := time.Now()

	retry, err := s.LoginAttempt(ctx, "user{1}", "first", 5, time.Hour, now)
	require.NoError(t, err)
	require.Zero(t, retry)
	key := prefix + `l:{user{1\)}`
	members, err := c.ZRangeWithScores(ctx, key, 0, -1).Result()
	require.NoError(t, err)
	assert.Equal(t, []redis.Z{{Score: float64(now.UnixMicro()), Member: "first"}}, members)
	assert.Greater(t, c.PTTL(ctx, key).Val(), 59*time.Minute)

	retry, err = s.LoginAttempt(ctx, "user{1}", "second", 5, time.Minute, now)
	require.NoError(t, err)
	require.Zero(t, retry)
	assert.Greater(t, c.PTTL(ctx, key).Val(), 59*time.Minute, "a shorter window must not shorten the key's life")

	short := "short-" + rand8()
	_, err = s.LoginAttempt(ctx, short, "only", 5, 200*time.Millisecond, time.Now())
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return c.Exists(ctx, prefix+"l:{"+short+"}").Val() == 0 },
		3*time.Second, 20*time.Millisecond, "the key must expire a window after its latest attempt")
}

// TestRotateOnceRetried: like TestRevokeOnceRetried, a RotateOnce whose script ran but whose
// reply was lost, and which go-redis therefore ran again, still wins with its own answer.
func TestRotateOnceRetried(t *testing.T) {
	needRedis(t)
	target, err := url.Parse(redisURL())
	require.NoError(t, err)
	marker := []byte("marker-" + rand.Text())
	proxy := newReplyDropper(t, target.Host, marker)
	target.Host = proxy.addr()
	s, err := redisstore.NewFromURL(target.String(), redisstore.Config{Prefix: testPrefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()
	grace := time.Now().Add(time.Hour)

	// Load the script first, so the dropped command is the EVALSHA that runs it.
	_, err = s.RotateOnce(ctx, rand8()+rand8(), inAnHour(), []byte("warm-up"), grace)
	require.NoError(t, err)
	jti := rand8() + rand8()
	won, err := s.RotateOnce(ctx, jti, inAnHour(), marker, grace)
	require.NoError(t, err)
	assert.EqualValues(t, 1, proxy.dropped.Load(), "the proxy must have dropped one reply")
	assert.True(t, won, "a retried RotateOnce whose first run landed must win")
	answer, err := s.RotatedAnswer(ctx, jti, time.Now())
	require.NoError(t, err)
	assert.Equal(t, marker, answer)
}

// TestMalformedAnswer: a value under an answer key that this package did not write is an
// error, never an answer.
func TestMalformedAnswer(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	jti := rand8()
	require.NoError(t, c.Set(t.Context(), prefix+"a:{"+jti+"}", "short", time.Minute).Err())
	answer, err := s.RotatedAnswer(t.Context(), jti, time.Now())
	assert.ErrorIs(t, err, redisstore.ErrMalformedAnswer)
	assert.Nil(t, answer)
}

// TestLoginAttemptInvalid: bad arguments are refused with the sentinels the package documents,
// before any round trip.
func TestLoginAttemptInvalid(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = client.Close() })
	s, err := redisstore.New(client)
	require.NoError(t, err)
	ctx := t.Context()
	_, err = s.LoginAttempt(ctx, "", "id", 1, time.Minute, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
	_, err = s.LoginAttempt(ctx, "key", "", 1, time.Minute, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
	_, err = s.LoginAttempt(ctx, "key", "id", 0, time.Minute, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = s.LoginAttempt(ctx, "key", "id", 1, time.Nanosecond, time.Now())
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	_, err = s.RotateOnce(ctx, "", inAnHour(), nil, inAnHour())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
}
