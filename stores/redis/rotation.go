package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/redis/go-redis/v9"
)

var _ jwtkit.RotationStore = (*Store)(nil)

// ErrMalformedAnswer: a rotation answer key holds a value this package did not write (shorter
// than its 8-byte header). RotatedAnswer fails rather than guess.
var ErrMalformedAnswer = errors.New("redisstore: malformed rotation answer")

// answerKind is the namespace of rotation answers; the jti is the hash tag, as for jtiKind, so
// a jti's revocation and its answer share a slot.
const answerKind = "a:"

// rotateScript is RevokeOnce and the answer in one step. KEYS[1] is the jti's key, KEYS[2] its
// answer's; ARGV[1] the call's nonce, ARGV[2] the jti's TTL in ms, ARGV[3] the answer record,
// ARGV[4] its TTL in ms (0: record no answer). A jti key already there is a loss, unless it
// holds this call's own nonce (go-redis ran the script again after the first run landed).
// Redis runs a script whole, so nobody sees the jti revoked without its answer.
var rotateScript = redis.NewScript(`
local old = redis.call('GET', KEYS[1])
if old then
	if old == ARGV[1] then
		return 1
	end
	return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[4] ~= '0' then
	redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
else
	redis.call('DEL', KEYS[2])
end
return 1
`)

// RotateOnce is RevokeOnce that, when it wins, also records answer for jti until graceUntil,
// in one Lua script over the jti's key and its answer's key (one slot, so Cluster-safe). The
// answer key lives until graceUntil (PX, rounded up to the millisecond) and holds graceUntil
// too, so RotatedAnswer never hands it out late. A call with an expiry already past records
// nothing and does not win; a winning call whose graceUntil has passed records no answer.
func (s *Store) RotateOnce(ctx context.Context, jti string, expires time.Time, answer []byte, graceUntil time.Time) (won bool, err error) {
	if err := jwtkit.CheckKey(ctx, "jti", jti); err != nil {
		return false, err
	}
	ms := ttlMillis(expires)
	if ms <= 0 {
		return false, nil
	}
	graceMs := max(ttlMillis(graceUntil), 0)
	record := make([]byte, 8, 8+len(answer))
	binary.BigEndian.PutUint64(record, uint64(unixNano(graceUntil)))
	record = append(record, answer...)
	nonce := s.nonceBase + strconv.FormatUint(s.nonces.Add(1), 36)
	n, err := rotateScript.Run(ctx, s.client, []string{s.key(jtiKind, jti), s.key(answerKind, jti)},
		nonce, ms, record, graceMs).Int()
	if err != nil {
		return false, s.fail(ctx, "RotateOnce", err)
	}
	return n == 1, nil
}

// RotatedAnswer returns the answer recorded for jti while its graceUntil is after now, and nil
// otherwise, with one GET.
func (s *Store) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	record, err := s.client.Get(ctx, s.key(answerKind, jti)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, s.fail(ctx, "RotatedAnswer", err)
	case len(record) < 8:
		return nil, fmt.Errorf("%w: %d bytes under %s", ErrMalformedAnswer, len(record), s.key(answerKind, jti))
	}
	if int64(binary.BigEndian.Uint64(record)) <= unixNano(now) {
		return nil, nil
	}
	return record[8:], nil
}

// unixNano is t.UnixNano saturated to the years 1678 to 2262, outside which UnixNano is
// undefined.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}
