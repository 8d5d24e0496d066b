package jwtkit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func TestCacheServesACopyAndStillAsksTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	p, err := e.auth.IssuePair(ctx, jwtkit.IntUserID(7), map[string]string{"tenant": "acme"})
	require.NoError(t, err)
	assert.Equal(t, jwtkit.DefaultTokenCacheSize, e.auth.Config().TokenCacheSize, "on by default")

	first, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	require.True(t, jwtkit.CacheHolds(e.auth, p.Access), "a validated token is cached")
	want := *first

	// The caller owns what it gets, from the parser or from the cache: changing it changes
	// nothing for the next caller.
	first.Type, first.ID, first.UserID, first.ExpiresAt = jwtkit.TypeRefresh, "forged", jwtkit.IntUserID(1), time.Time{}
	calls := e.store.calls
	second, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.Equal(t, want, *second)
	assert.Equal(t, calls+1, e.store.calls, "a hit still asks the store")
	second.Type, second.ID, second.UserID, second.KeyID = jwtkit.TypeRefresh, "forged", jwtkit.IntUserID(1), "k"
	third, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.Equal(t, want, *third)
	assert.NotSame(t, second, third)
	claims, err := jwtkit.CustomClaims[map[string]any](third)
	require.NoError(t, err)
	assert.Equal(t, "acme", claims["tenant"])
}

func TestCachedTokenIsStillRevoked(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(e *env, p jwtkit.Pair) error{
		"log out everywhere": func(e *env, _ jwtkit.Pair) error { return e.auth.RevokeUser(ctx, jwtkit.IntUserID(1)) },
		"blacklisted by jti": func(e *env, p jwtkit.Pair) error {
			tok, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
			if err != nil {
				return err
			}
			return e.store.Revoke(ctx, tok.ID, tok.ExpiresAt)
		},
		"logout with the access token": func(e *env, p jwtkit.Pair) error {
			r := e.auth.Serve(ctx, jwtkit.EndpointBlacklist, jwtkit.Request{Method: "POST", ContentType: "application/json",
				Authorization: "Bearer " + p.Access, Body: strings.NewReader(`{"refresh":"` + p.Refresh + `"}`)})
			if r.Status != 200 {
				return fmt.Errorf("logout answered %d %s", r.Status, r.Body)
			}
			return nil
		},
	}
	for name, revoke := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			p := e.pair(t, jwtkit.IntUserID(1))
			_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
			require.NoError(t, err)
			require.True(t, jwtkit.CacheHolds(e.auth, p.Access))
			require.NoError(t, revoke(e, p))
			require.True(t, jwtkit.CacheHolds(e.auth, p.Access), "the entry is still there: the next call is a hit")
			_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
			assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
			_, err = e.auth.Validate(ctx, p.Access, jwtkit.TypeAny)
			assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
		})
	}

	// A cached refresh token that is blacklisted cannot refresh or be blacklisted again.
	e := newEnv(t)
	p := e.pair(t, jwtkit.IntUserID(1))
	_, err := e.auth.Validate(ctx, p.Refresh, jwtkit.TypeRefresh)
	require.NoError(t, err)
	require.NoError(t, e.auth.Blacklist(ctx, p.Refresh))
	require.True(t, jwtkit.CacheHolds(e.auth, p.Refresh))
	_, err = e.auth.Refresh(ctx, p.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
	assert.ErrorIs(t, e.auth.Blacklist(ctx, p.Refresh), jwtkit.ErrBlacklisted)
}

func TestCachedTokenExpires(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, func(c *jwtkit.Config) { c.Leeway = 10 * time.Second })
	p := e.pair(t, jwtkit.IntUserID(1))
	_, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)

	// exp is issue time + 5 minutes in whole seconds; the clock is 0.25 s past a second.
	e.clock.Advance(5*time.Minute + 10*time.Second - 250*time.Millisecond - time.Nanosecond)
	_, err = e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err, "a nanosecond before exp + leeway")
	require.True(t, jwtkit.CacheHolds(e.auth, p.Access))
	e.clock.Advance(time.Nanosecond)
	_, err = e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.ErrorIs(t, err, jwtkit.ErrTokenExpired, "at exp + leeway, as the parser decides")
	assert.False(t, jwtkit.CacheHolds(e.auth, p.Access), "an expired entry is dropped")
	_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
}

func TestCachedTokenOfAnotherType(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, func(c *jwtkit.Config) { c.SlidingTokens = true })
	p := e.pair(t, jwtkit.IntUserID(1))
	_, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	_, err = e.auth.Validate(ctx, p.Refresh, jwtkit.TypeAny)
	require.NoError(t, err)
	require.True(t, jwtkit.CacheHolds(e.auth, p.Access))
	require.True(t, jwtkit.CacheHolds(e.auth, p.Refresh))

	_, err = e.auth.Validate(ctx, p.Access, jwtkit.TypeRefresh)
	assert.ErrorIs(t, err, jwtkit.ErrWrongType)
	_, err = e.auth.Refresh(ctx, p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrWrongType)
	assert.ErrorIs(t, e.auth.Blacklist(ctx, p.Access), jwtkit.ErrWrongType)
	_, err = e.auth.RefreshSliding(ctx, p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrWrongType)
	_, err = e.auth.Authenticate(ctx, "Bearer "+p.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrWrongType)
	r := e.auth.Serve(ctx, jwtkit.EndpointRefresh, jwtkit.Request{Method: "POST", ContentType: "application/json", Body: strings.NewReader(`{"refresh":"` + p.Access + `"}`)})
	assertResponse(t, r, 401, bodyWrongType)
}

func TestCacheNeedsTheExactBytes(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t)
	tok := e.pair(t, jwtkit.IntUserID(1)).Access
	_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAccess)
	require.NoError(t, err)
	entries, _ := jwtkit.CacheLen(e.auth)
	for i := range len(tok) {
		for _, c := range []byte{'A', 'g', '-', '.', '='} {
			if tok[i] == c {
				continue
			}
			other := tok[:i] + string(c) + tok[i+1:]
			_, err := e.auth.Validate(ctx, other, jwtkit.TypeAccess)
			require.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "byte %d set to %q", i, c)
			require.False(t, jwtkit.CacheHolds(e.auth, other))
		}
	}
	for _, other := range []string{tok + "A", tok[:len(tok)-1], " " + tok, strings.ToUpper(tok[:1]) + tok[1:]} {
		if other == tok {
			continue
		}
		_, err := e.auth.Validate(ctx, other, jwtkit.TypeAccess)
		require.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
	}
	after, _ := jwtkit.CacheLen(e.auth)
	assert.Equal(t, entries, after, "no rejected variant was cached")
}

func TestCacheKeepsOnlyFullyValidatedTokens(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, func(c *jwtkit.Config) { c.SlidingTokens = true })
	now := e.clock.Now().Unix()
	good := e.pair(t, jwtkit.IntUserID(1))
	revoked := e.pair(t, jwtkit.IntUserID(3))
	revokedFirst := e.pair(t, jwtkit.IntUserID(4))
	require.NoError(t, e.auth.RevokeUser(ctx, jwtkit.IntUserID(4)))
	tok, err := e.auth.Validate(ctx, revoked.Access, jwtkit.TypeAny)
	require.NoError(t, err)
	_, err = e.auth.Validate(ctx, revoked.Refresh, jwtkit.TypeAny)
	require.NoError(t, err)
	entriesBefore, _ := jwtkit.CacheLen(e.auth)
	require.NoError(t, e.store.Revoke(ctx, tok.ID, tok.ExpiresAt))
	sliding, err := e.auth.IssueSliding(ctx, jwtkit.IntUserID(1), nil)
	require.NoError(t, err)

	rejected := map[string]struct {
		tok  string
		want jwtkit.TokenType
		err  error
	}{
		"forged signature":   {forgeWith([]byte("another-secret-of-forty-bytes-0123456789"), hs256Header, e.claimsAt("access", "")), jwtkit.TypeAccess, jwtkit.ErrTokenInvalid},
		"expired":            {forge(hs256Header, `{"token_type":"access","exp":`+itoa(now-1)+`,"jti":"ab","user_id":1}`), jwtkit.TypeAccess, jwtkit.ErrTokenExpired},
		"no jti":             {forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"user_id":1}`), jwtkit.TypeAccess, jwtkit.ErrNoID},
		"no user":            {forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"jti":"ab"}`), jwtkit.TypeAccess, jwtkit.ErrNoUserID},
		"wrong type wanted":  {good.Refresh, jwtkit.TypeAccess, jwtkit.ErrWrongType},
		"revoked":            {revokedFirst.Access, jwtkit.TypeAccess, jwtkit.ErrBlacklisted},
		"not a token":        {"a.b.c", jwtkit.TypeAccess, jwtkit.ErrTokenInvalid},
		"duplicate claim":    {forge(hs256Header, strings.TrimSuffix(e.claimsAt("access", ""), "}")+`,"jti":"x"}`), jwtkit.TypeAccess, jwtkit.ErrTokenInvalid},
		"future iat":         {forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+600)+`,"iat":`+itoa(now+60)+`,"jti":"ab","user_id":1}`), jwtkit.TypeAccess, jwtkit.ErrTokenInvalid},
		"sliding at refresh": {sliding, jwtkit.TypeSliding, nil}, // the refresh window never fills the cache
	}
	for name, c := range rejected {
		if name == "sliding at refresh" {
			_, err = e.auth.RefreshSliding(ctx, c.tok)
			require.NoError(t, err)
		} else {
			_, err := e.auth.Validate(ctx, c.tok, c.want)
			require.ErrorIs(t, err, c.err, name)
		}
		assert.False(t, jwtkit.CacheHolds(e.auth, c.tok), name)
	}

	e.store.setDown(true)
	_, err = e.auth.Validate(ctx, good.Access, jwtkit.TypeAccess)
	require.ErrorIs(t, err, jwtkit.ErrStoreUnavailable)
	assert.False(t, jwtkit.CacheHolds(e.auth, good.Access), "without the store's word nothing is cached")
	entries, _ := jwtkit.CacheLen(e.auth)
	assert.Equal(t, entriesBefore, entries)
	assert.True(t, jwtkit.CacheHolds(e.auth, revoked.Access), "cached before it was revoked")
}

func TestCachedTokenWithTheStoreDown(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t)
	p := e.pair(t, jwtkit.IntUserID(1))
	_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
	require.NoError(t, err)
	require.True(t, jwtkit.CacheHolds(e.auth, p.Access))

	e.store.setDown(true)
	_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
	require.ErrorIs(t, err, jwtkit.ErrStoreUnavailable, "a hit never answers without the store")
	assert.Equal(t, 503, e.auth.ErrorResponse(err).Status)
	e.store.setDown(false)
	_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
	require.NoError(t, err)
}

func TestCacheBound(t *testing.T) {
	ctx := t.Context()
	const size = 64
	e := newEnv(t, func(c *jwtkit.Config) { c.TokenCacheSize = size })
	var toks []string
	for i := range 5 * size {
		tok := e.pair(t, jwtkit.IntUserID(int64(i+1))).Access
		toks = append(toks, tok)
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAccess)
		require.NoError(t, err)
		entries, bytes := jwtkit.CacheLen(e.auth)
		require.LessOrEqual(t, entries, size)
		require.LessOrEqual(t, bytes, jwtkit.CacheBudget(e.auth))
		require.True(t, jwtkit.CacheHolds(e.auth, tok), "the token just validated is cached")
	}
	entries, _ := jwtkit.CacheLen(e.auth)
	assert.Greater(t, entries, size/2, "the shards together hold most of the size")
	for _, tok := range toks { // evicted tokens validate again from scratch
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAccess)
		require.NoError(t, err)
	}

	// Large tokens: the byte budget binds before the entry count. With 64 entries of 1 KiB
	// average, a 3 KiB token and payload fits a shard's 4 KiB once.
	big := strings.Repeat("x", 1000)
	for i := range size {
		p, err := e.auth.IssuePair(ctx, jwtkit.IntUserID(int64(i+1)), map[string]string{"blob": big})
		require.NoError(t, err)
		_, err = e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
		require.NoError(t, err)
		entries, bytes := jwtkit.CacheLen(e.auth)
		require.LessOrEqual(t, bytes, jwtkit.CacheBudget(e.auth))
		require.LessOrEqual(t, entries, size)
	}
	entries, _ = jwtkit.CacheLen(e.auth)
	assert.LessOrEqual(t, entries, size/2, "a %d KiB budget holds few 3 KiB tokens", jwtkit.CacheBudget(e.auth)>>10)

	// A token larger than a shard's whole budget is validated but never cached.
	huge, err := e.auth.IssuePair(ctx, jwtkit.IntUserID(1), map[string]string{"blob": strings.Repeat("x", 4096)})
	require.NoError(t, err)
	_, err = e.auth.Validate(ctx, huge.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.False(t, jwtkit.CacheHolds(e.auth, huge.Access))
}

func TestCacheOff(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, func(c *jwtkit.Config) { c.TokenCacheSize = -1 })
	assert.Equal(t, -1, e.auth.Config().TokenCacheSize)
	p := e.pair(t, jwtkit.IntUserID(1))
	for range 3 {
		_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
		require.NoError(t, err)
	}
	assert.False(t, jwtkit.CacheHolds(e.auth, p.Access))
	entries, _ := jwtkit.CacheLen(e.auth)
	assert.Zero(t, entries)
	require.NoError(t, e.auth.RevokeUser(ctx, jwtkit.IntUserID(1)))
	_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)

	small := newEnv(t, func(c *jwtkit.Config) { c.TokenCacheSize = 1 })
	tok := small.pair(t, jwtkit.IntUserID(1)).Access
	_, err = small.auth.Validate(ctx, tok, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.True(t, jwtkit.CacheHolds(small.auth, tok), "a cache of one holds one")
}

// TestCacheSlidingAndRefreshPaths: the paths that need more than a cached token's registered
// claims (the refresh window, the payload's custom claims) give the same answers with the
// token cached.
func TestCacheSlidingAndRefreshPaths(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, func(c *jwtkit.Config) { c.SlidingTokens = true })
	sliding, err := e.auth.IssueSliding(ctx, jwtkit.IntUserID(1), map[string]string{"tenant": "acme"})
	require.NoError(t, err)
	_, err = e.auth.Authenticate(ctx, "Bearer "+sliding)
	require.NoError(t, err)
	require.True(t, jwtkit.CacheHolds(e.auth, sliding))

	e.clock.Advance(10 * time.Minute) // past exp, inside refresh_exp
	_, err = e.auth.Authenticate(ctx, "Bearer "+sliding)
	require.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
	renewed, err := e.auth.RefreshSliding(ctx, sliding)
	require.NoError(t, err, "the refresh window is checked by the parser, not by the cache")
	tok, err := e.auth.Validate(ctx, renewed, jwtkit.TypeSliding)
	require.NoError(t, err)
	c, err := jwtkit.CustomClaims[map[string]any](tok)
	require.NoError(t, err)
	assert.Equal(t, "acme", c["tenant"])

	p, err := e.auth.IssuePair(ctx, jwtkit.IntUserID(1), map[string]string{"tenant": "acme"})
	require.NoError(t, err)
	_, err = e.auth.Validate(ctx, p.Refresh, jwtkit.TypeRefresh)
	require.NoError(t, err)
	require.True(t, jwtkit.CacheHolds(e.auth, p.Refresh))
	res, err := e.auth.Refresh(ctx, p.Refresh)
	require.NoError(t, err)
	access, err := e.auth.Validate(ctx, res.Access, jwtkit.TypeAccess)
	require.NoError(t, err)
	c, err = jwtkit.CustomClaims[map[string]any](access)
	require.NoError(t, err)
	assert.Equal(t, "acme", c["tenant"], "custom claims copied from the cached refresh token's payload")
}

// TestCacheUnderConcurrency hammers one small cache from many goroutines with valid, revoked,
// expiring and invalid tokens while the clock moves and users are revoked: every answer is the
// one that token deserves at that moment, never a pass it does not deserve.
func TestCacheUnderConcurrency(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, func(c *jwtkit.Config) { c.TokenCacheSize = 16 })
	var valid, revoked []string
	for i := range 40 {
		valid = append(valid, e.pair(t, jwtkit.IntUserID(int64(100+i))).Access)
		revoked = append(revoked, e.pair(t, jwtkit.IntUserID(int64(200+i))).Access)
	}
	start := e.clock.Now()
	// Expiring tokens: access tokens of a 2 s lifetime, through a second Auth on the same store,
	// key and clock.
	short := newEnv(t, func(c *jwtkit.Config) {
		c.AccessTokenLifetime = 2 * time.Second
		c.Clock = e.clock.Now
		c.Store = e.store
	})
	var expiring []string
	for i := range 40 {
		expiring = append(expiring, short.pair(t, jwtkit.IntUserID(int64(300+i))).Access)
	}
	expiringExp := time.Unix(start.Unix()+2, 0)
	invalid := []string{"a.b.c", valid[0][:len(valid[0])-2] + "AA", forge(hs256Header, `{"token_type":"access","jti":"ab","user_id":1}`)}

	var revokedAll atomic.Bool
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() { // the clock and the revocations move while validations run
		for i := range 30 {
			if i == 5 {
				for j := range 40 {
					assert.NoError(t, e.auth.RevokeUser(ctx, jwtkit.IntUserID(int64(200+j))))
				}
				revokedAll.Store(true)
			}
			e.clock.Advance(100 * time.Millisecond)
			time.Sleep(time.Millisecond)
		}
		close(stop)
	})
	var checks atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := (g*7 + i) % 40
				_, err := e.auth.Validate(ctx, valid[k], jwtkit.TypeAccess)
				assert.NoError(t, err, "valid")

				done := revokedAll.Load()
				_, err = e.auth.Validate(ctx, revoked[k], jwtkit.TypeAccess)
				if done {
					assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "revoked")
				} else if err != nil {
					assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "revoked or not yet")
				}

				expired := !e.clock.Now().Before(expiringExp)
				_, err = e.auth.Validate(ctx, expiring[k], jwtkit.TypeAccess)
				if expired {
					assert.ErrorIs(t, err, jwtkit.ErrTokenExpired, "expiring")
				} else if err != nil {
					assert.ErrorIs(t, err, jwtkit.ErrTokenExpired, "expired or not yet")
				}

				_, err = e.auth.Validate(ctx, invalid[i%len(invalid)], jwtkit.TypeAccess)
				assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "invalid")
				checks.Add(4)
			}
		})
	}
	wg.Wait()
	assert.Greater(t, checks.Load(), int64(100))
	entries, bytes := jwtkit.CacheLen(e.auth)
	assert.LessOrEqual(t, entries, 16)
	assert.LessOrEqual(t, bytes, jwtkit.CacheBudget(e.auth))
	for _, tok := range expiring {
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAccess)
		require.ErrorIs(t, err, jwtkit.ErrTokenExpired)
		assert.False(t, jwtkit.CacheHolds(e.auth, tok))
	}
}

// BenchmarkAuthenticateParallel is BenchmarkAuthenticate on every CPU at once with one token, as
// in a load test where every connection sends the same token: all the hits read one entry of
// one shard. With -cpu 1,2 it shows whether the hit path scales; BenchmarkProtectedCheck does
// the same through the test store, whose mutex hides the cache.
func BenchmarkAuthenticateParallel(b *testing.B) {
	bk := newBenchKey(b, jwtkit.HS256)
	a := benchAuth(b, bk.key, 0)
	header := "Bearer " + benchTokens(b, a, 1)[0]
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Authenticate(ctx, header); err != nil {
				b.Fatal(err)
			}
		}
	})
}
