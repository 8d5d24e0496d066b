package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/redis/go-redis/v9"
)

var _ jwtkit.Store = (*Store)(nil)

// The kinds of record, each a namespace of its own under the prefix (see doc.go).
const (
	jtiKind    = "j:"
	userKind   = "u:"
	familyKind = "f:"
)

// Store is a jwtkit.Store kept in Redis. It is safe for concurrent use, and every Store on the
// same Redis with the same Prefix shares its state.
type Store struct {
	client redis.UniversalClient
	prefix string
	owned  bool // built by NewFromURL: Close closes the client

	// RevokeOnce writes nonceBase plus a counter, so a call that go-redis retried after its
	// first attempt did land recognises its own write instead of reporting a loss.
	nonceBase string
	nonces    atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// New returns a Store on a client the caller owns: a single node, Cluster, Sentinel (failover)
// or Ring client. The store never closes it; Close on this store does nothing.
//
// The client must have ContextTimeoutEnabled: true. Without it go-redis does not put the
// context's deadline on the socket, and a server that stops answering holds each call for the
// client's ReadTimeout and its retries (over 30 s with the defaults) whatever deadline core
// set (jwtkit.Config.StoreTimeout), so New refuses a *redis.Client, *redis.ClusterClient or
// *redis.Ring without it. Another implementation of redis.UniversalClient (a wrapper) is taken
// as it is: make sure it honours its context's deadline. An invalid configuration returns an
// error wrapping jwtkit.ErrInvalidConfig.
func New(client redis.UniversalClient, cfg ...Config) (*Store, error) {
	if client == nil {
		return nil, invalid("New needs a client")
	}
	if enabled, known := contextTimeouts(client); known && !enabled {
		return nil, invalid("New needs a client with ContextTimeoutEnabled: true in its options: without it a Redis " +
			"that stops answering holds every call past its deadline")
	}
	c, err := configDefault(cfg)
	if err != nil {
		return nil, err
	}
	return newStore(client, c, false), nil
}

// NewFromURL returns a Store with a client of its own for one Redis server, made from rawURL by
// redis.ParseURL (redis://[user:password@]host:port/db?options, rediss:// for TLS, or
// unix://), with ContextTimeoutEnabled on. Close closes that client.
//
// It does not connect: a server that is down now makes calls fail (and core answer 503) until
// it is up, which the store then notices by itself. A malformed rawURL, or an invalid
// configuration, returns an error wrapping jwtkit.ErrInvalidConfig.
func NewFromURL(rawURL string, cfg ...Config) (*Store, error) {
	c, err := configDefault(cfg)
	if err != nil {
		return nil, err
	}
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: redisstore: NewFromURL: %w", jwtkit.ErrInvalidConfig, urlError(err))
	}
	opt.ContextTimeoutEnabled = true
	return newStore(redis.NewClient(opt), c, true), nil
}

// contextTimeouts reports whether client puts its context's deadline on the socket
// (ContextTimeoutEnabled); known is false for a client type whose options it cannot see.
func contextTimeouts(client redis.UniversalClient) (enabled, known bool) {
	switch c := client.(type) {
	case *redis.Client: // NewFailoverClient's too
		return c.Options().ContextTimeoutEnabled, true
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled, true
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled, true
	}
	return false, false
}

func newStore(client redis.UniversalClient, c Config, owned bool) *Store {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &Store{client: client, prefix: c.Prefix, owned: owned, nonceBase: hex.EncodeToString(b[:]) + "-"}
}

// Close closes the client of a store built by NewFromURL, and does nothing for one built by New,
// whose client belongs to the caller. It is idempotent.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	s.closeOnce.Do(func() { s.closeErr = s.client.Close() })
	return s.closeErr
}

// revokeScript creates a jti or family key with a lifetime of ARGV[1] ms, or lengthens the
// lifetime of the key that is there; it never shortens one (PTTL -1: no expiry, longer still).
var revokeScript = redis.NewScript(`
local left = redis.call('PTTL', KEYS[1])
if left == -2 then
	return redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
if left >= 0 and left < tonumber(ARGV[1]) then
	return redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0
`)

// userScript records a user's cutoff ARGV[1] (Unix seconds) with a lifetime of ARGV[2] ms,
// keeping the later cutoff and the longer lifetime of the record already there. Strings are
// passed through untouched: Lua would print a large number in exponent form.
var userScript = redis.NewScript(`
local cutoff = ARGV[1]
local old = redis.call('GET', KEYS[1])
if old and tonumber(old) and tonumber(old) > tonumber(cutoff) then
	cutoff = old
end
local left = redis.call('PTTL', KEYS[1])
if left == -1 or left >= tonumber(ARGV[2]) then
	return redis.call('SET', KEYS[1], cutoff, 'KEEPTTL')
end
return redis.call('SET', KEYS[1], cutoff, 'PX', ARGV[2])
`)

// Revoke records jti as revoked until expires; revoking it again keeps the later expiry, in
// one Lua script. An expiry already past records nothing.
func (s *Store) Revoke(ctx context.Context, jti string, expires time.Time) error {
	if err := jwtkit.CheckKey(ctx, "jti", jti); err != nil {
		return err
	}
	return s.extend(ctx, "Revoke", s.key(jtiKind, jti), expires)
}

// RevokeFamily records family as revoked until expires, keeping the later expiry like Revoke.
func (s *Store) RevokeFamily(ctx context.Context, family string, expires time.Time) error {
	if err := jwtkit.CheckKey(ctx, "family", family); err != nil {
		return err
	}
	return s.extend(ctx, "RevokeFamily", s.key(familyKind, family), expires)
}

func (s *Store) extend(ctx context.Context, op, key string, expires time.Time) error {
	ms := ttlMillis(expires)
	if ms <= 0 {
		return nil
	}
	return s.fail(ctx, op, revokeScript.Run(ctx, s.client, []string{key}, ms).Err())
}

// RevokeOnce revokes jti unless it is already revoked, with one SET NX GET, and reports whether
// this call revoked it. A call with an expiry already past records nothing and does not win: a
// token that has expired must not be rotated.
func (s *Store) RevokeOnce(ctx context.Context, jti string, expires time.Time) (won bool, err error) {
	if err := jwtkit.CheckKey(ctx, "jti", jti); err != nil {
		return false, err
	}
	ms := ttlMillis(expires)
	if ms <= 0 {
		return false, nil
	}
	nonce := s.nonceBase + strconv.FormatUint(s.nonces.Add(1), 36)
	old, err := s.client.SetArgs(ctx, s.key(jtiKind, jti), nonce,
		redis.SetArgs{Mode: "NX", Get: true, TTL: time.Duration(ms) * time.Millisecond}).Result()
	switch {
	case errors.Is(err, redis.Nil): // no key was there: this call set it
		return true, nil
	case err != nil:
		return false, s.fail(ctx, "RevokeOnce", err)
	}
	return old == nonce, nil
}

// RevokeUser records that every token of userID issued at or before issuedBefore (whole
// seconds) is revoked, until expires. One Lua script keeps the later cutoff and the later
// expiry of the old and the new record.
func (s *Store) RevokeUser(ctx context.Context, userID string, issuedBefore, expires time.Time) error {
	if err := jwtkit.CheckKey(ctx, "user id", userID); err != nil {
		return err
	}
	ms := ttlMillis(expires)
	if ms <= 0 {
		return nil
	}
	err := userScript.Run(ctx, s.client, []string{s.key(userKind, userID)}, issuedBefore.Unix(), ms).Err()
	return s.fail(ctx, "RevokeUser", err)
}

// Revoked reports whether the token is revoked by its jti, its user's cutoff or its family. The
// lookups go out as one pipeline: one round trip to a single server; on Cluster go-redis sends
// each node its share at the same time. Empty fields of ref are not looked up.
func (s *Store) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	pipe := s.client.Pipeline()
	var jti, family *redis.IntCmd
	var user *redis.StringCmd
	if ref.JTI != "" {
		jti = pipe.Exists(ctx, s.key(jtiKind, ref.JTI))
	}
	if ref.UserID != "" {
		user = pipe.Get(ctx, s.key(userKind, ref.UserID))
	}
	if ref.Family != "" {
		family = pipe.Exists(ctx, s.key(familyKind, ref.Family))
	}
	if pipe.Len() == 0 {
		return false, nil
	}
	_, _ = pipe.Exec(ctx) // each command's own error is read below (a user without a cutoff is redis.Nil)

	// Any answer that the token is revoked stands even if another lookup failed; only a token
	// that nothing revokes needs every lookup to have answered.
	var failed error
	if jti != nil {
		if n, err := jti.Result(); err != nil {
			failed = err
		} else if n > 0 {
			return true, nil
		}
	}
	if family != nil {
		if n, err := family.Result(); err != nil {
			failed = err
		} else if n > 0 {
			return true, nil
		}
	}
	if user != nil {
		cutoff, err := user.Int64()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			failed = err
		case jwtkit.IssuedAtOrBefore(ref.IssuedAt, time.Unix(cutoff, 0)):
			return true, nil
		}
	}
	return false, s.fail(ctx, "Revoked", failed)
}

// key is the Redis key of a record: prefix, kind, and the id as the Cluster hash tag, so every
// record about one id lands in one slot. A '}' in the id would end the tag early, so '}' and
// the escape character '\' are escaped (injectively: distinct ids keep distinct keys).
func (s *Store) key(kind, id string) string {
	if strings.ContainsAny(id, `\}`) {
		id = tagEscaper.Replace(id)
	}
	return s.prefix + kind + "{" + id + "}"
}

var tagEscaper = strings.NewReplacer(`\`, `\\`, `}`, `\)`)

// ttlMillis is how long a record revoked until expires must live, in whole milliseconds rounded
// up (the contract allows up, never down); zero or less when expires has passed. time.Until
// saturates, so an expiry beyond about 292 years is kept for that long.
func ttlMillis(expires time.Time) int64 {
	d := time.Until(expires)
	ms := int64(d / time.Millisecond)
	if d%time.Millisecond > 0 {
		ms++
	}
	return ms
}

// fail wraps a driver error. When the context ended during the call it names the context's
// error too, so callers can tell a deadline from an outage with errors.Is.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("redisstore: %s: %w (%w)", op, cerr, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// urlError is a redis.ParseURL error without the URL that url.Error repeats, password included.
func urlError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}
