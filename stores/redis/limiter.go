package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/redis/go-redis/v9"
)

var _ jwtkit.LoginLimiter = (*Store)(nil)

// loginKind is the namespace of login limiter keys: one sorted set per key, its members the
// attempt ids, their scores the attempt times in Unix microseconds.
const loginKind = "l:"

// attemptScript is one LoginAttempt on the sorted set KEYS[1]. ARGV[1] is now and ARGV[2] the
// start of the window (now - window), both in Unix microseconds as decimal strings (Lua
// would print a number of that size in exponent form, losing digits); ARGV[3] the window in
// microseconds, ARGV[4] the limit, ARGV[5] the attempt id, ARGV[6] the key's TTL in ms.
// Attempts at or before the start have left the window and are removed; if limit attempts
// remain, the limit-th newest is the one that must leave, and the script returns how many
// microseconds until it does; otherwise it records the attempt, keeps the key alive for a
// window, and returns 0. Redis runs the script whole, so concurrent attempts are counted one
// after the other.
var attemptScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local n = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[4])
if n >= limit then
	local blocker = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
	return tonumber(blocker[2]) + tonumber(ARGV[3]) - tonumber(ARGV[1])
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
local left = redis.call('PTTL', KEYS[1])
if left >= 0 and left < tonumber(ARGV[6]) or left == -1 then
	redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return 0
`)

// LoginAttempt counts one attempt against key in the exact sliding window (now-window, now],
// in one Lua script on a sorted set, unless limit attempts already fall within it: then it
// counts nothing and returns how long until the attempt that blocks leaves the window. Times
// are now as given, in whole microseconds; the key expires a window after its latest attempt
// (rounded up to the millisecond), never sooner than before.
//
// An empty key or id wraps jwtkit.ErrEmptyKey; a limit below 1 or a window below a microsecond wraps
// jwtkit.ErrInvalidConfig (it comes from Config.LoginRate).
func (s *Store) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (retryAfter time.Duration, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	switch {
	case key == "":
		return 0, fmt.Errorf("%w: login key", jwtkit.ErrEmptyKey)
	case id == "":
		return 0, fmt.Errorf("%w: login attempt id", jwtkit.ErrEmptyKey)
	case limit < 1 || window < time.Microsecond:
		return 0, invalid("LoginAttempt needs a limit of at least 1 and a window of at least 1µs, got %d and %v", limit, window)
	}
	at, win := now.UnixMicro(), window.Microseconds()
	ttl := (window + time.Millisecond - 1).Milliseconds()
	micros, err := attemptScript.Run(ctx, s.client, []string{s.key(loginKind, key)},
		strconv.FormatInt(at, 10), strconv.FormatInt(at-win, 10), win, limit, id, ttl).Int64()
	if err != nil {
		return 0, s.fail(ctx, "LoginAttempt", err)
	}
	return time.Duration(micros) * time.Microsecond, nil
}

// LoginForget removes the attempt id from key's count, with one ZREM.
func (s *Store) LoginForget(ctx context.Context, key, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.fail(ctx, "LoginForget", s.client.ZRem(ctx, s.key(loginKind, key), id).Err())
}
