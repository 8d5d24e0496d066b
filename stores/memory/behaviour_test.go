package memstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a Config.Clock that moves only when told to; safe for the purge goroutine.
type fakeClock struct{ ns atomic.Int64 }

func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func hexJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func mustNew(t testing.TB, cfg memstore.Config) *memstore.Store {
	t.Helper()
	s, err := memstore.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func revoked(t *testing.T, s *memstore.Store, ref jwtkit.TokenRef) bool {
	t.Helper()
	ok, err := s.Revoked(context.Background(), ref)
	require.NoError(t, err)
	return ok
}

func TestNewInvalidConfig(t *testing.T) {
	for name, cfgs := range map[string][]memstore.Config{
		"negative Shards":     {{Shards: -1}},
		"too many Shards":     {{Shards: 1<<16 + 1}},
		"negative MaxEntries": {{MaxEntries: -1}},
		"negative attempts":   {{MaxLoginAttempts: -1}},
		"two configs":         {{}, {}},
	} {
		s, err := memstore.New(cfgs...)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
		assert.Nil(t, s, name)
	}
	for name, cfgs := range map[string][]memstore.Config{
		"none":          nil,
		"zero":          {{}},
		"default":       {memstore.ConfigDefault},
		"odd Shards":    {{Shards: 3}},
		"max Shards":    {{Shards: 1 << 16}},
		"purge off":     {{PurgeInterval: -1}},
		"one MaxEntry":  {{MaxEntries: 1}},
		"custom clock":  {{Clock: newClock().Now}},
		"short purging": {{PurgeInterval: time.Millisecond}},
	} {
		s, err := memstore.New(cfgs...)
		require.NoError(t, err, name)
		assert.NoError(t, s.Close(), name)
		assert.NoError(t, s.Close(), "%s: Close is idempotent", name)
	}
}

func TestEmptyKeys(t *testing.T) {
	s := mustNew(t, memstore.Config{})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)

	assert.ErrorIs(t, s.Revoke(ctx, "", exp), jwtkit.ErrEmptyKey)
	_, err := s.RevokeOnce(ctx, "", exp)
	assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
	assert.ErrorIs(t, s.RevokeUser(ctx, "", time.Now(), exp), jwtkit.ErrEmptyKey)
	assert.ErrorIs(t, s.RevokeFamily(ctx, "", exp), jwtkit.ErrEmptyKey)
	assert.Zero(t, s.Len())
}

func TestFullAcrossShards(t *testing.T) {
	s := mustNew(t, memstore.Config{MaxEntries: 100})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for range 100 {
		require.NoError(t, s.Revoke(ctx, hexJTI(), exp))
	}
	assert.ErrorIs(t, s.Revoke(ctx, hexJTI(), exp), memstore.ErrFull, "the cap is for the whole store, not a shard")
	assert.Equal(t, 100, s.Len())
}

// TestFullNeverForgetsLiveRevocation fills a store, checks that every kind of new write fails
// with ErrFull while writes to existing keys and every live revocation keep working, then lets
// some entries expire and checks that exactly their room is reused.
func TestFullNeverForgetsLiveRevocation(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{MaxEntries: 8, Shards: 1, PurgeInterval: -1, Clock: clock.Now})
	ctx := context.Background()
	now := clock.Now()
	soon, later := now.Add(time.Minute), now.Add(time.Hour)

	shortJTIs := []string{hexJTI(), hexJTI(), "foreign-short"}
	for _, jti := range shortJTIs {
		require.NoError(t, s.Revoke(ctx, jti, soon))
	}
	require.NoError(t, s.RevokeUser(ctx, "user-short", now, soon))
	longJTI, longForeign := hexJTI(), "foreign-long"
	require.NoError(t, s.Revoke(ctx, longJTI, later))
	require.NoError(t, s.Revoke(ctx, longForeign, later))
	require.NoError(t, s.RevokeUser(ctx, "user-long", now, later))
	require.NoError(t, s.RevokeFamily(ctx, "family-long", later))
	require.Equal(t, 8, s.Len())

	assert.ErrorIs(t, s.Revoke(ctx, hexJTI(), later), memstore.ErrFull)
	assert.ErrorIs(t, s.Revoke(ctx, "foreign-new", later), memstore.ErrFull)
	won, err := s.RevokeOnce(ctx, hexJTI(), later)
	assert.ErrorIs(t, err, memstore.ErrFull)
	assert.False(t, won, "a RevokeOnce that could not record must not win")
	assert.ErrorIs(t, s.RevokeUser(ctx, "user-new", now, later), memstore.ErrFull)
	assert.ErrorIs(t, s.RevokeFamily(ctx, "family-new", later), memstore.ErrFull)

	// Existing keys need no room.
	assert.NoError(t, s.Revoke(ctx, longJTI, later.Add(time.Hour)))
	won, err = s.RevokeOnce(ctx, longForeign, later)
	assert.NoError(t, err)
	assert.False(t, won)
	assert.NoError(t, s.RevokeUser(ctx, "user-long", now.Add(time.Second), later))
	assert.NoError(t, s.RevokeFamily(ctx, "family-long", later.Add(time.Hour)))

	iat := now.Add(-time.Hour)
	long := []jwtkit.TokenRef{
		{JTI: longJTI}, {JTI: longForeign},
		{JTI: hexJTI(), UserID: "user-long", IssuedAt: now.Add(time.Second)},
		{JTI: hexJTI(), Family: "family-long"},
	}
	all := append([]jwtkit.TokenRef{{JTI: hexJTI(), UserID: "user-short", IssuedAt: iat}}, long...)
	for _, jti := range shortJTIs {
		all = append(all, jwtkit.TokenRef{JTI: jti})
	}
	for _, ref := range all {
		assert.True(t, revoked(t, s, ref), "a full store forgot %+v", ref)
	}

	// Four entries expire; a write at the cap purges them and reuses exactly their room.
	clock.Advance(2 * time.Minute)
	for i := range 4 {
		require.NoError(t, s.Revoke(ctx, hexJTI(), later), "write %d after the short entries expired", i)
	}
	assert.ErrorIs(t, s.RevokeFamily(ctx, "family-new", later), memstore.ErrFull)
	clock.Advance(time.Second)
	assert.ErrorIs(t, s.RevokeUser(ctx, "user-new", now, later), memstore.ErrFull, "nothing more expired")
	assert.Equal(t, 8, s.Len())
	for _, ref := range long {
		assert.True(t, revoked(t, s, ref), "a full store forgot %+v", ref)
	}
}

func TestClockExpiry(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{PurgeInterval: -1, Clock: clock.Now})
	ctx := context.Background()
	t0 := clock.Now()

	exact, rounded, kept, user, family := hexJTI(), "foreign-jti", hexJTI(), "user", "family"
	require.NoError(t, s.Revoke(ctx, exact, t0.Add(10*time.Second)))
	require.NoError(t, s.Revoke(ctx, rounded, t0.Add(10300*time.Millisecond)))
	require.NoError(t, s.Revoke(ctx, kept, t0.Add(time.Hour)))
	require.NoError(t, s.Revoke(ctx, kept, t0.Add(time.Second)))
	require.NoError(t, s.RevokeUser(ctx, user, t0.Add(5500*time.Millisecond), t0.Add(20*time.Second)))
	require.NoError(t, s.RevokeFamily(ctx, family, t0.Add(10*time.Second)))
	userRef := func(iat time.Duration) jwtkit.TokenRef {
		return jwtkit.TokenRef{JTI: hexJTI(), UserID: user, IssuedAt: t0.Add(iat)}
	}
	familyRef := jwtkit.TokenRef{JTI: hexJTI(), Family: family}

	assert.True(t, revoked(t, s, userRef(5900*time.Millisecond)), "same second as the cutoff")
	assert.False(t, revoked(t, s, userRef(6*time.Second)), "the second after the cutoff")

	clock.Advance(10*time.Second - time.Millisecond)
	assert.True(t, revoked(t, s, jwtkit.TokenRef{JTI: exact}), "1ms before expiry")
	assert.True(t, revoked(t, s, familyRef), "1ms before expiry")

	clock.Advance(time.Millisecond)
	assert.False(t, revoked(t, s, jwtkit.TokenRef{JTI: exact}), "at expiry")
	assert.False(t, revoked(t, s, familyRef), "at expiry")
	assert.True(t, revoked(t, s, jwtkit.TokenRef{JTI: rounded}), "expiry +10.3s is rounded up to +11s")
	assert.True(t, revoked(t, s, jwtkit.TokenRef{JTI: kept}), "the later expiry is kept")

	clock.Advance(time.Second)
	assert.False(t, revoked(t, s, jwtkit.TokenRef{JTI: rounded}), "at the rounded-up expiry")
	won, err := s.RevokeOnce(ctx, exact, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.True(t, won, "an expired revocation is absent, so RevokeOnce wins again")

	assert.True(t, revoked(t, s, userRef(0)))
	clock.Advance(9 * time.Second)
	assert.False(t, revoked(t, s, userRef(0)), "the user cutoff is forgotten after its expiry")

	// An expiry already past records nothing, and neither wins nor errors.
	n := s.Len()
	past := clock.Now().Add(-time.Second)
	require.NoError(t, s.Revoke(ctx, hexJTI(), past))
	won, err = s.RevokeOnce(ctx, hexJTI(), past)
	require.NoError(t, err)
	assert.False(t, won, "a RevokeOnce with a past expiry does not win")
	require.NoError(t, s.RevokeUser(ctx, "user-past", clock.Now(), past))
	require.NoError(t, s.RevokeFamily(ctx, "family-past", time.Unix(-100, 0)))
	assert.Equal(t, n, s.Len())

	// Beyond 2106 uint32 seconds end: kept rather than rounded down.
	far := hexJTI()
	require.NoError(t, s.Revoke(ctx, far, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)))
	clock.Advance(time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC).Sub(clock.Now()))
	assert.True(t, revoked(t, s, jwtkit.TokenRef{JTI: far}))
	assert.False(t, revoked(t, s, jwtkit.TokenRef{JTI: kept}))
}

func TestPurge(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{PurgeInterval: -1, Clock: clock.Now})
	ctx := context.Background()
	soon, later := clock.Now().Add(time.Second), clock.Now().Add(time.Hour)

	for range 10 {
		require.NoError(t, s.Revoke(ctx, hexJTI(), soon))
		require.NoError(t, s.Revoke(ctx, hexJTI(), later))
	}
	require.NoError(t, s.Revoke(ctx, "foreign", soon))
	require.NoError(t, s.RevokeUser(ctx, "user", clock.Now(), soon))
	require.NoError(t, s.RevokeFamily(ctx, "family", soon))
	require.Equal(t, 23, s.Len())

	removed, err := s.Purge(ctx)
	require.NoError(t, err)
	assert.Zero(t, removed, "nothing has expired yet")

	clock.Advance(time.Second)
	removed, err = s.Purge(ctx)
	require.NoError(t, err)
	assert.Equal(t, 13, removed)
	assert.Equal(t, 10, s.Len())
	removed, err = s.Purge(ctx)
	require.NoError(t, err)
	assert.Zero(t, removed)
}

func TestBackgroundPurge(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{PurgeInterval: 5 * time.Millisecond, Clock: clock.Now})
	ctx := context.Background()
	soon, later := clock.Now().Add(time.Second), clock.Now().Add(time.Hour)

	var long []string
	for range 50 {
		require.NoError(t, s.Revoke(ctx, hexJTI(), soon))
	}
	for range 5 {
		jti := hexJTI()
		long = append(long, jti)
		require.NoError(t, s.Revoke(ctx, jti, later))
	}
	require.NoError(t, s.RevokeUser(ctx, "user", clock.Now(), soon))
	require.NoError(t, s.RevokeFamily(ctx, "family", soon))

	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, 57, s.Len(), "the background purge must not remove live entries")

	clock.Advance(2 * time.Second)
	assert.Eventually(t, func() bool { return s.Len() == 5 }, 2*time.Second, 5*time.Millisecond,
		"the background purge should remove the 52 expired entries")
	for _, jti := range long {
		assert.True(t, revoked(t, s, jwtkit.TokenRef{JTI: jti}))
	}
}

func TestRevokedDoesNotAllocate(t *testing.T) {
	s := mustNew(t, memstore.Config{})
	ctx := context.Background()
	now := time.Now()
	exp := now.Add(time.Hour)
	jti, foreign, user, family := hexJTI(), "foreign-jti", "user-7", "family-7"
	require.NoError(t, s.Revoke(ctx, jti, exp))
	require.NoError(t, s.Revoke(ctx, foreign, exp))
	require.NoError(t, s.RevokeUser(ctx, user, now, exp))
	require.NoError(t, s.RevokeFamily(ctx, family, exp))

	for name, tc := range map[string]struct {
		ref  jwtkit.TokenRef
		want bool
	}{
		"hex jti hit":                   {jwtkit.TokenRef{JTI: jti}, true},
		"hex jti miss":                  {jwtkit.TokenRef{JTI: hexJTI()}, false},
		"foreign jti hit":               {jwtkit.TokenRef{JTI: foreign}, true},
		"foreign jti miss":              {jwtkit.TokenRef{JTI: "foreign-other"}, false},
		"user and family miss":          {jwtkit.TokenRef{JTI: hexJTI(), UserID: user, Family: "other", IssuedAt: now.Add(time.Hour)}, false},
		"user hit":                      {jwtkit.TokenRef{JTI: hexJTI(), UserID: user, Family: "other", IssuedAt: now.Add(-time.Hour)}, true},
		"family hit":                    {jwtkit.TokenRef{JTI: hexJTI(), UserID: "other", Family: family, IssuedAt: now}, true},
		"unknown user and family, miss": {jwtkit.TokenRef{JTI: hexJTI(), UserID: "other", Family: "other", IssuedAt: now}, false},
	} {
		var got bool
		var err error
		allocs := testing.AllocsPerRun(1000, func() { got, err = s.Revoked(ctx, tc.ref) })
		require.NoError(t, err, name)
		assert.Equal(t, tc.want, got, name)
		assert.Zero(t, allocs, "%s: Revoked allocated", name)
	}
}

// heapPerJTI revokes n random 32-hex jtis in a fresh store and returns the live heap it grew
// by, per jti. The jti strings are garbage once revoked, so only the store is counted.
func heapPerJTI(tb testing.TB, n int, sample []string) (float64, *memstore.Store) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	s, err := memstore.New(memstore.Config{PurgeInterval: -1})
	require.NoError(tb, err)
	for _, jti := range sample {
		require.NoError(tb, s.Revoke(ctx, jti, exp))
	}
	var raw [16]byte
	buf := make([]byte, 32)
	for range n - len(sample) {
		_, _ = rand.Read(raw[:])
		hex.Encode(buf, raw[:])
		if err := s.Revoke(ctx, string(buf), exp); err != nil {
			tb.Fatal(err)
		}
	}
	require.Equal(tb, n, s.Len())

	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n), s
}

func TestMemoryPerJTI(t *testing.T) {
	perJTI, _ := heapPerJTI(t, 100_000, nil)
	t.Logf("%.1f bytes/jti at 100k entries", perJTI)
	assert.Less(t, perJTI, 100.0, "bytes per revoked jti at 100k entries")
}

// BenchmarkMemoryPerJTI reports the heap a revoked jti costs at a million entries, then
// measures Revoked hits in that store. The million inserts run once, whatever b.N; run it
// with -benchtime=1x.
func BenchmarkMemoryPerJTI(b *testing.B) {
	const n = 1_000_000
	sample := make([]string, 1024)
	for i := range sample {
		sample[i] = hexJTI()
	}
	perJTI, s := heapPerJTI(b, n, sample)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if ok, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: sample[i%len(sample)]}); !ok || err != nil {
			b.Fatalf("Revoked = %v, %v", ok, err)
		}
		i++
	}
	b.ReportMetric(perJTI, "bytes/jti")
	if perJTI >= 100 {
		b.Errorf("%.1f bytes/jti at %d entries, want < 100", perJTI, n)
	}
}
