package redisstore_test

import (
	"bytes"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newPrefixed is a store on the shared server under a prefix of its own (inside this run's, so
// TestMain cleans it up), for tests that look at the keys.
func newPrefixed(t *testing.T) (*redisstore.Store, string) {
	t.Helper()
	needRedis(t)
	prefix := testPrefix + rand8() + ":"
	s, err := redisstore.NewFromURL(redisURL(), redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, prefix
}

func TestInvalidConfig(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = client.Close() })
	for name, cfgs := range map[string][]redisstore.Config{
		"two configs":    {{}, {}},
		"opening brace":  {{Prefix: "app{x}:"}},
		"closing brace":  {{Prefix: "app}:"}},
		"only one brace": {{Prefix: "{"}},
	} {
		s, err := redisstore.New(client, cfgs...)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
		assert.Nil(t, s, name)
		s, err = redisstore.NewFromURL("redis://127.0.0.1:1/0", cfgs...)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
		assert.Nil(t, s, name)
	}

	s, err := redisstore.New(nil)
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "nil client")
	assert.Nil(t, s)

	for _, u := range []string{
		"", "http://127.0.0.1:6379/0", "redis://user:hunter2@127.0.0.1:6379/x",
		"redis://user:hunter2@127.0.0.1:port/0", "redis://user:hunter2@bad host/0",
		"redis://user:hunter2@127.0.0.1:6379/0?no_such_option=1",
	} {
		s, err := redisstore.NewFromURL(u)
		if assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, u) {
			assert.NotContains(t, err.Error(), "hunter2", "the error must not repeat the password")
		}
		assert.Nil(t, s, u)
	}

	for name, cfgs := range map[string][]redisstore.Config{
		"none": nil, "zero": {{}}, "default": {redisstore.ConfigDefault}, "custom": {{Prefix: "myapp:jwt:"}},
	} {
		s, err := redisstore.New(client, cfgs...)
		require.NoError(t, err, name)
		assert.NoError(t, s.Close(), name)
		s, err = redisstore.NewFromURL("redis://user:pw@127.0.0.1:1/3?dial_timeout=1s", cfgs...)
		require.NoError(t, err, name)
		assert.NoError(t, s.Close(), name)
	}
}

// TestClose: Close closes only a client the store made itself, and is idempotent.
func TestClose(t *testing.T) {
	needRedis(t)
	ctx := t.Context()

	client := newRawClient(t)
	borrowed, err := redisstore.New(client)
	require.NoError(t, err)
	require.NoError(t, borrowed.Close())
	require.NoError(t, borrowed.Close())
	assert.NoError(t, client.Ping(ctx).Err(), "Close must leave a caller's client open")
	_, err = borrowed.Revoked(ctx, jwtkit.TokenRef{JTI: rand8()})
	assert.NoError(t, err, "a store on a caller's client keeps working after Close")

	owned, err := redisstore.NewFromURL(redisURL(), redisstore.Config{Prefix: testPrefix})
	require.NoError(t, err)
	_, err = owned.Revoked(ctx, jwtkit.TokenRef{JTI: rand8()})
	require.NoError(t, err)
	require.NoError(t, owned.Close())
	assert.NoError(t, owned.Close(), "Close is idempotent")
	_, err = owned.Revoked(ctx, jwtkit.TokenRef{JTI: rand8()})
	assert.Error(t, err, "a store whose own client is closed cannot answer")
	assert.Error(t, owned.Revoke(ctx, rand8(), inAnHour()))
}

func TestEmptyKeys(t *testing.T) {
	s, err := redisstore.NewFromURL("redis://127.0.0.1:1/0") // never reached: refused before any I/O
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()

	assert.ErrorIs(t, s.Revoke(ctx, "", inAnHour()), jwtkit.ErrEmptyKey)
	won, err := s.RevokeOnce(ctx, "", inAnHour())
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
	assert.False(t, won)
	assert.ErrorIs(t, s.RevokeUser(ctx, "", time.Now(), inAnHour()), jwtkit.ErrEmptyKey)
	assert.ErrorIs(t, s.RevokeFamily(ctx, "", inAnHour()), jwtkit.ErrEmptyKey)
	revoked, err := s.Revoked(ctx, jwtkit.TokenRef{IssuedAt: time.Now()})
	assert.NoError(t, err, "a ref with nothing to look up needs no server")
	assert.False(t, revoked)
}

// TestKeyLayout pins the keys and values doc.go documents, and that every TTL matches the
// expiry it was given (rounded up to the millisecond), so nothing needs purging.
func TestKeyLayout(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	jti, user, family := rand8(), rand8(), rand8()
	exp := time.Now().Add(time.Hour + 300*time.Millisecond)
	cutoff := time.Unix(1_800_000_000, 700_000_000)

	require.NoError(t, s.Revoke(ctx, jti, exp))
	require.NoError(t, s.RevokeUser(ctx, user, cutoff, exp))
	require.NoError(t, s.RevokeFamily(ctx, family, exp))
	won, err := s.RevokeOnce(ctx, "once-"+jti, exp)
	require.NoError(t, err)
	require.True(t, won)
	require.NoError(t, s.Revoke(ctx, `a}b\c`, exp))

	keys := []string{prefix + "j:{" + jti + "}", prefix + "u:{" + user + "}", prefix + "f:{" + family + "}",
		prefix + "j:{once-" + jti + "}", prefix + `j:{a\)b\\c}`}
	for _, key := range keys {
		ttl, err := c.PTTL(ctx, key).Result()
		require.NoError(t, err, key)
		assert.LessOrEqual(t, ttl, time.Hour+301*time.Millisecond, "%s: TTL beyond the expiry", key)
		assert.Greater(t, ttl, time.Hour+300*time.Millisecond-5*time.Second, "%s: TTL short of the expiry", key)
	}
	all, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, keys, all, "the store writes exactly one key per record")
	assert.Equal(t, "1800000000", c.Get(ctx, prefix+"u:{"+user+"}").Val(), "a user record holds its cutoff in Unix seconds")
}

// TestLaterExpiryKept checks the TTLs the scripts leave: the later expiry and the later cutoff
// always win, whichever order the calls come in.
func TestLaterExpiryKept(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	soon, later := time.Now().Add(time.Minute), time.Now().Add(time.Hour)
	ttl := func(key string) time.Duration { return c.PTTL(ctx, prefix+key).Val() }

	require.NoError(t, s.Revoke(ctx, "up", soon))
	require.NoError(t, s.Revoke(ctx, "up", later))
	require.NoError(t, s.Revoke(ctx, "down", later))
	require.NoError(t, s.Revoke(ctx, "down", soon))
	require.NoError(t, s.RevokeFamily(ctx, "fam", later))
	require.NoError(t, s.RevokeFamily(ctx, "fam", soon))
	won, err := s.RevokeOnce(ctx, "once", soon)
	require.NoError(t, err)
	require.True(t, won)
	require.NoError(t, s.Revoke(ctx, "once", later))
	for _, key := range []string{"j:{up}", "j:{down}", "f:{fam}", "j:{once}"} {
		assert.Greater(t, ttl(key), 59*time.Minute, key)
	}
	won, err = s.RevokeOnce(ctx, "down", later.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, won)
	assert.Less(t, ttl("j:{down}"), 61*time.Minute, "a lost RevokeOnce changes nothing")

	sec := time.Now().Truncate(time.Second)
	require.NoError(t, s.RevokeUser(ctx, "u", sec, later))
	require.NoError(t, s.RevokeUser(ctx, "u", sec.Add(-time.Hour), soon))
	assert.Equal(t, strconv.FormatInt(sec.Unix(), 10), c.Get(ctx, prefix+"u:{u}").Val(), "an earlier cutoff must not lower it")
	assert.Greater(t, ttl("u:{u}"), 59*time.Minute, "a shorter expiry must not shorten the record")
	require.NoError(t, s.RevokeUser(ctx, "u", sec.Add(time.Minute), soon))
	assert.Equal(t, strconv.FormatInt(sec.Unix()+60, 10), c.Get(ctx, prefix+"u:{u}").Val(), "a later cutoff raises it")
	assert.Greater(t, ttl("u:{u}"), 59*time.Minute, "raising the cutoff keeps the later expiry")
	require.NoError(t, s.RevokeUser(ctx, "u", sec, later.Add(time.Hour)))
	assert.Greater(t, ttl("u:{u}"), 119*time.Minute, "a later expiry lengthens the record")

	// A record someone made persistent stays persistent.
	require.NoError(t, c.Persist(ctx, prefix+"u:{u}").Err())
	require.NoError(t, s.RevokeUser(ctx, "u", sec, soon))
	require.NoError(t, c.Persist(ctx, prefix+"j:{up}").Err())
	require.NoError(t, s.Revoke(ctx, "up", soon))
	assert.Equal(t, time.Duration(-1), ttl("u:{u}"))
	assert.Equal(t, time.Duration(-1), ttl("j:{up}"))
}

// TestForeignUserRecord: a user record that does not hold a number makes Revoked fail (closed)
// instead of answering "not revoked"; RevokeUser overwrites it with a valid record.
func TestForeignUserRecord(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	require.NoError(t, c.Set(ctx, prefix+"u:{mallory}", "not a number", time.Hour).Err())

	_, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: rand8(), UserID: "mallory", IssuedAt: time.Now()})
	assert.Error(t, err)
	require.NoError(t, s.RevokeUser(ctx, "mallory", time.Now(), inAnHour()))
	revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: rand8(), UserID: "mallory", IssuedAt: time.Now().Add(-time.Minute)})
	require.NoError(t, err)
	assert.True(t, revoked)
}

// TestPrefixIsolation: stores with different prefixes on one server share nothing.
func TestPrefixIsolation(t *testing.T) {
	a, _ := newPrefixed(t)
	b, _ := newPrefixed(t)
	ctx := t.Context()
	jti, user, family := rand8(), rand8(), rand8()
	require.NoError(t, a.Revoke(ctx, jti, inAnHour()))
	require.NoError(t, a.RevokeUser(ctx, user, time.Now(), inAnHour()))
	require.NoError(t, a.RevokeFamily(ctx, family, inAnHour()))

	revoked, err := b.Revoked(ctx, jwtkit.TokenRef{JTI: jti, UserID: user, Family: family, IssuedAt: time.Now().Add(-time.Hour)})
	require.NoError(t, err)
	assert.False(t, revoked)
	won, err := b.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.True(t, won)
}

// TestRevokeOnceRetried plays the network failure that makes go-redis send a command twice:
// the first SET NX lands, its reply is lost with the connection, go-redis retries on a new
// connection and finds the key there. The retry must still win, because that write was its
// own; reporting a loss would turn a legitimate refresh into a "replay".
func TestRevokeOnceRetried(t *testing.T) {
	needRedis(t)
	target, err := url.Parse(redisURL())
	require.NoError(t, err)
	proxy := newReplyDropper(t, target.Host, []byte("$2\r\nNX\r\n"))
	target.Host = proxy.addr()
	s, err := redisstore.NewFromURL(target.String(), redisstore.Config{Prefix: testPrefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	other, err := redisstore.NewFromURL(redisURL(), redisstore.Config{Prefix: testPrefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	ctx := t.Context()

	jti := rand8() + rand8()
	won, err := s.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.EqualValues(t, 1, proxy.dropped.Load(), "the proxy must have dropped one reply")
	assert.True(t, won, "a retried RevokeOnce whose first attempt landed must win")

	won, err = s.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "a second call loses")
	won, err = other.RevokeOnce(ctx, jti, inAnHour())
	require.NoError(t, err)
	assert.False(t, won, "another store loses")
}

// replyDropper is a TCP proxy that, once, forwards a client write containing marker to the
// server, waits for the server's reply, and then closes the client connection instead of
// passing the reply on.
type replyDropper struct {
	ln      net.Listener
	target  string
	marker  []byte
	dropped atomic.Int32
	wg      sync.WaitGroup
}

func newReplyDropper(t *testing.T, target string, marker []byte) *replyDropper {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &replyDropper{ln: ln, target: target, marker: marker}
	p.wg.Go(p.accept)
	t.Cleanup(func() { _ = ln.Close(); p.wg.Wait() })
	return p
}

func (p *replyDropper) addr() string { return p.ln.Addr().String() }

func (p *replyDropper) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.wg.Go(func() {
			defer client.Close()
			defer server.Close()
			_, _ = io.Copy(client, server)
		})
		p.wg.Go(func() {
			defer client.Close()
			defer server.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := client.Read(buf)
				if err != nil {
					return
				}
				if bytes.Contains(buf[:n], p.marker) && p.dropped.CompareAndSwap(0, 1) {
					// Let the server execute the command, then cut before the reply gets back.
					_ = client.SetWriteDeadline(time.Now())
					if _, err := server.Write(buf[:n]); err != nil {
						return
					}
					time.Sleep(100 * time.Millisecond)
					return
				}
				if _, err := server.Write(buf[:n]); err != nil {
					return
				}
			}
		})
	}
}

// TestRevokedNeedsEveryLookup: when one lookup of Revoked fails and another finds the token
// revoked, the answer is "revoked"; a token nothing revokes needs every lookup to answer.
func TestRevokedNeedsEveryLookup(t *testing.T) {
	s, prefix := newPrefixed(t)
	c := newRawClient(t)
	ctx := t.Context()
	jti := rand8()
	require.NoError(t, s.Revoke(ctx, jti, inAnHour()))
	require.NoError(t, c.RPush(ctx, prefix+"u:{listy}", "x").Err()) // GET on a list fails: WRONGTYPE
	require.NoError(t, c.Expire(ctx, prefix+"u:{listy}", time.Hour).Err())

	revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti, UserID: "listy", IssuedAt: time.Now()})
	require.NoError(t, err)
	assert.True(t, revoked)
	revoked, err = s.Revoked(ctx, jwtkit.TokenRef{JTI: rand8(), UserID: "listy", IssuedAt: time.Now()})
	assert.Error(t, err)
	assert.False(t, revoked)
}

// wrappedClient is an application's own redis.UniversalClient (instrumentation, say), whose
// options New cannot see.
type wrappedClient struct{ redis.UniversalClient }

// TestNewNeedsContextTimeouts: New refuses a go-redis client that would hold calls past their
// context's deadline when Redis hangs (ContextTimeoutEnabled off), of every kind, and takes the
// same clients with it on, and a wrapper it cannot look into.
func TestNewNeedsContextTimeouts(t *testing.T) {
	clients := func(enabled bool) map[string]redis.UniversalClient {
		return map[string]redis.UniversalClient{
			"single": redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: enabled}),
			"failover": redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"},
				ContextTimeoutEnabled: enabled}),
			"cluster": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: enabled}),
			"ring": redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"},
				ContextTimeoutEnabled: enabled}),
		}
	}
	for name, c := range clients(false) {
		s, err := redisstore.New(c)
		if assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name) {
			assert.Contains(t, err.Error(), "ContextTimeoutEnabled", name)
		}
		assert.Nil(t, s, name)
		s, err = redisstore.New(wrappedClient{c})
		assert.NoError(t, err, "%s in a wrapper", name)
		assert.NotNil(t, s, name)
		_ = c.Close()
	}
	for name, c := range clients(true) {
		s, err := redisstore.New(c)
		assert.NoError(t, err, name)
		assert.NotNil(t, s, name)
		_ = c.Close()
	}
}
