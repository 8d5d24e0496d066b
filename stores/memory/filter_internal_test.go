package memstore

import (
	"context"
	"hash/maphash"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testClock is a Config.Clock that moves only when told to.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func newTestStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	cfg.PurgeInterval = -1
	s, err := New(cfg)
	require.NoError(t, err)
	return s
}

func isRevoked(t *testing.T, s *Store, ref jwtkit.TokenRef) bool {
	t.Helper()
	ok, err := s.Revoked(context.Background(), ref)
	require.NoError(t, err)
	return ok
}

// mayHold reports what the filter of key's shard says about key, as Revoked would ask it.
func (s *Store) mayHold(kind int, key string) bool {
	h := s.hash(key)
	return s.shardAt(h).filters[kind].Load().mayHold(h)
}

// TestFilterHashesMatchRevoked: the hash a write marks (from the decoded 16 bytes when the jti
// is hex) is the hash Revoked checks (from the jti string). Were they different, Revoked would
// skip the lock for revoked hex jtis.
func TestFilterHashesMatchRevoked(t *testing.T) {
	seed := maphash.MakeSeed()
	for range 100 {
		jti := randomHexJTI()
		key, ok := parseHexJTI(jti)
		require.True(t, ok)
		assert.Equal(t, maphash.String(seed, jti), hexHash(seed, key))
		assert.Equal(t, maphash.String(seed, jti), jtiHash(seed, key))
		assert.Equal(t, maphash.String(seed, jti), jtiHash(seed, jti))
	}
}

// TestFilterFalsePositivesStayExact fills one shard with enough keys of each kind that its
// filters answer "may hold" for keys never recorded, checks that those keys still read as not
// revoked while the recorded ones read as revoked, then does the same with filters whose every
// bit is set, where every check takes the locked path.
func TestFilterFalsePositivesStayExact(t *testing.T) {
	clock := newTestClock()
	s := newTestStore(t, Config{Shards: 1, Clock: clock.Now})
	ctx := context.Background()
	now := clock.Now()
	soon, later := now.Add(time.Minute), now.Add(time.Hour)

	const n = 3000
	var jtis, users, families []string
	for i := range n {
		jti := randomHexJTI()
		if i%4 == 0 {
			jti = "foreign-" + strconv.Itoa(i)
		}
		jtis = append(jtis, jti)
		users = append(users, "user-"+strconv.Itoa(i))
		families = append(families, "family-"+strconv.Itoa(i))
		exp := later
		if i%10 == 0 {
			exp = soon // expires first: its bits stay set while the entry no longer counts
		}
		require.NoError(t, s.Revoke(ctx, jti, exp))
		require.NoError(t, s.RevokeUser(ctx, users[i], now, exp))
		require.NoError(t, s.RevokeFamily(ctx, families[i], exp))
	}
	// Never recorded: half of the jtis hex, half foreign.
	var otherJTIs, otherUsers, otherFamilies []string
	for i := range 20 * n {
		jti := randomHexJTI()
		if i%2 == 0 {
			jti = "other-foreign-" + strconv.Itoa(i)
		}
		otherJTIs = append(otherJTIs, jti)
		otherUsers = append(otherUsers, "other-user-"+strconv.Itoa(i))
		otherFamilies = append(otherFamilies, "other-family-"+strconv.Itoa(i))
	}

	// check stops at the first wrong answer of a stage: one says what is wrong, and thousands
	// would bury it.
	check := func(stage string) {
		t.Helper()
		for i := range n {
			want := i%10 != 0 || clock.Now().Before(soon)
			if !assert.Equal(t, want, isRevoked(t, s, jwtkit.TokenRef{JTI: jtis[i]}), "%s: jti %q", stage, jtis[i]) ||
				!assert.Equal(t, want, isRevoked(t, s, jwtkit.TokenRef{UserID: users[i], IssuedAt: now}), "%s: user %q", stage, users[i]) ||
				!assert.False(t, isRevoked(t, s, jwtkit.TokenRef{UserID: users[i], IssuedAt: now.Add(time.Second)}), "%s: user %q issued after the cutoff", stage, users[i]) ||
				!assert.Equal(t, want, isRevoked(t, s, jwtkit.TokenRef{Family: families[i]}), "%s: family %q", stage, families[i]) {
				return
			}
		}
		for i := range otherJTIs {
			ref := jwtkit.TokenRef{JTI: otherJTIs[i], UserID: otherUsers[i], Family: otherFamilies[i], IssuedAt: now}
			if !assert.False(t, isRevoked(t, s, ref), "%s: %+v was never revoked", stage, ref) {
				return
			}
		}
	}
	falsePositives := func(kind int, keys []string) int {
		n := 0
		for _, key := range keys {
			if s.mayHold(kind, key) {
				n++
			}
		}
		return n
	}

	check("filters as built")
	assert.Positive(t, falsePositives(jtiKeys, otherJTIs), "no jti false positive was exercised")
	assert.Positive(t, falsePositives(userKeys, otherUsers), "no user false positive was exercised")
	assert.Positive(t, falsePositives(familyKeys, otherFamilies), "no family false positive was exercised")
	clock.Advance(time.Minute)
	check("some entries expired, their bits still set")

	sh := &s.shards[0]
	for kind := range keyKinds {
		full := newFilter(1)
		for i := range full.words {
			full.words[i].Store(^uint64(0))
		}
		sh.filters[kind].Store(full)
	}
	assert.Len(t, otherJTIs, falsePositives(jtiKeys, otherJTIs), "every check must now take the lock")
	check("filters with every bit set")
}

// TestPurgeRebuildKeepsLiveEntries: a purge that removes most of a shard's keys rebuilds its
// filters from what is left, and every live entry still reads as revoked afterwards, as does
// every entry recorded into the rebuilt filters. A purge that removes every key of a kind
// leaves no filter for it, and the next write of that kind makes one again.
func TestPurgeRebuildKeepsLiveEntries(t *testing.T) {
	clock := newTestClock()
	s := newTestStore(t, Config{Shards: 1, Clock: clock.Now})
	ctx := context.Background()
	now := clock.Now()
	soon, later := now.Add(time.Second), now.Add(time.Hour)

	liveHex, liveForeign := randomHexJTI(), "foreign-live"
	require.NoError(t, s.Revoke(ctx, liveHex, later))
	require.NoError(t, s.Revoke(ctx, liveForeign, later))
	require.NoError(t, s.RevokeUser(ctx, "user-live", now, later))
	require.NoError(t, s.RevokeFamily(ctx, "family-live", later))
	for i := range 200 {
		require.NoError(t, s.Revoke(ctx, randomHexJTI(), soon))
		require.NoError(t, s.RevokeUser(ctx, "user-"+strconv.Itoa(i), now, soon))
		require.NoError(t, s.RevokeFamily(ctx, "family-"+strconv.Itoa(i), soon))
	}
	sh := &s.shards[0]
	var before [keyKinds]*filter
	for kind := range keyKinds {
		before[kind] = sh.filters[kind].Load()
		require.NotNil(t, before[kind], "kind %d: a shard with keys must have a filter", kind)
		require.Greater(t, len(before[kind].words), filterMinWords, "kind %d: the filter should have grown", kind)
	}

	clock.Advance(time.Second)
	removed, err := s.Purge(ctx)
	require.NoError(t, err)
	require.Equal(t, 600, removed)
	for kind := range keyKinds {
		after := sh.filters[kind].Load()
		assert.NotSame(t, before[kind], after, "kind %d: a purge of nearly every key should rebuild", kind)
		assert.Len(t, after.words, filterMinWords, "kind %d: the rebuilt filter is sized for what is left", kind)
	}
	assert.Equal(t, [keyKinds]int{2, 1, 1}, sh.marked)
	assert.Equal(t, [keyKinds]int{}, sh.dropped)

	lateJTI := randomHexJTI()
	require.NoError(t, s.Revoke(ctx, lateJTI, later))
	require.NoError(t, s.RevokeUser(ctx, "user-late", now, later))
	require.NoError(t, s.RevokeFamily(ctx, "family-late", later))
	for _, ref := range []jwtkit.TokenRef{
		{JTI: liveHex}, {JTI: liveForeign}, {JTI: lateJTI},
		{UserID: "user-live", IssuedAt: now}, {UserID: "user-late", IssuedAt: now},
		{Family: "family-live"}, {Family: "family-late"},
	} {
		assert.True(t, isRevoked(t, s, ref), "%+v was lost by the rebuild", ref)
	}
	assert.False(t, isRevoked(t, s, jwtkit.TokenRef{UserID: "user-0", IssuedAt: now}), "a purged cutoff")

	clock.Advance(time.Hour)
	_, err = s.Purge(ctx)
	require.NoError(t, err)
	for kind := range keyKinds {
		assert.Nil(t, sh.filters[kind].Load(), "kind %d: an empty shard needs no filter", kind)
	}
	require.NoError(t, s.Revoke(ctx, liveHex, clock.Now().Add(time.Hour)))
	assert.True(t, isRevoked(t, s, jwtkit.TokenRef{JTI: liveHex}), "a write into an empty shard makes a filter again")
}

// TestPurgeKeepsFilterWhileFewGo: a purge that removes only a few of a shard's keys leaves
// their bits set rather than rescanning the shard, and rebuilds once a quarter have gone.
func TestPurgeKeepsFilterWhileFewGo(t *testing.T) {
	clock := newTestClock()
	s := newTestStore(t, Config{Shards: 1, Clock: clock.Now})
	ctx := context.Background()
	now := clock.Now()
	for i := range 100 {
		require.NoError(t, s.Revoke(ctx, randomHexJTI(), now.Add(time.Duration(i+1)*time.Second)))
	}
	sh := &s.shards[0]
	built := sh.filters[jtiKeys].Load()

	clock.Advance(10 * time.Second)
	_, err := s.Purge(ctx)
	require.NoError(t, err)
	assert.Same(t, built, sh.filters[jtiKeys].Load(), "10 of 100 keys gone: not worth a rebuild")
	assert.Equal(t, 10, sh.dropped[jtiKeys])

	clock.Advance(15 * time.Second)
	_, err = s.Purge(ctx)
	require.NoError(t, err)
	assert.NotSame(t, built, sh.filters[jtiKeys].Load(), "25 of 100 keys gone: rebuilt")
	assert.Equal(t, 75, sh.marked[jtiKeys])
	assert.Zero(t, sh.dropped[jtiKeys])
}

// TestFilterGrowsWithShard: as a shard takes more keys its filter is rebuilt larger, keeping
// between 12 and 32 bits (1.5 to 4 bytes) a key, and every key is still found after each
// growth.
func TestFilterGrowsWithShard(t *testing.T) {
	s := newTestStore(t, Config{Shards: 1})
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	sh := &s.shards[0]
	var jtis []string
	grew := 0
	last := sh.filters[jtiKeys].Load()
	for i := range 20_000 {
		jti := randomHexJTI()
		jtis = append(jtis, jti)
		require.NoError(t, s.Revoke(ctx, jti, exp))
		f := sh.filters[jtiKeys].Load()
		require.NotNil(t, f, "a shard with keys must have a filter")
		bitsPerKey := float64(len(f.words)*64) / float64(i+1)
		if len(f.words) > filterMinWords {
			require.GreaterOrEqual(t, bitsPerKey, float64(filterMinBitsPerKey), "after %d keys", i+1)
			require.Less(t, bitsPerKey, 2.0*filterBitsPerKey, "after %d keys", i+1)
		}
		if f != last {
			grew++
			last = f
			for _, jti := range jtis {
				require.True(t, s.mayHold(jtiKeys, jti), "growing after %d keys lost %q", i+1, jti)
			}
		}
	}
	assert.Greater(t, grew, 8, "the filter should have been rebuilt at each doubling")
	for _, jti := range jtis {
		require.True(t, isRevoked(t, s, jwtkit.TokenRef{JTI: jti}), "%q", jti)
	}
}

// TestNotRevokedWithoutLock: a check whose keys the filters rule out answers while every
// shard is locked for writing, so it takes no lock; a check of a revoked jti waits for the lock
// and then answers true.
func TestNotRevokedWithoutLock(t *testing.T) {
	s := newTestStore(t, Config{Shards: 4})
	ctx := context.Background()
	now := time.Now()
	exp := now.Add(time.Hour)
	revokedJTI := randomHexJTI()
	require.NoError(t, s.Revoke(ctx, revokedJTI, exp))
	for i := range 1000 {
		require.NoError(t, s.Revoke(ctx, randomHexJTI(), exp))
		require.NoError(t, s.RevokeUser(ctx, "user-"+strconv.Itoa(i), now, exp))
		require.NoError(t, s.RevokeFamily(ctx, "family-"+strconv.Itoa(i), exp))
	}
	// A token none of whose keys the filters may hold: at about 1% false positives per key,
	// the first few candidates do.
	var miss jwtkit.TokenRef
	for i := 0; ; i++ {
		miss = jwtkit.TokenRef{JTI: randomHexJTI(), UserID: "other-user-" + strconv.Itoa(i), Family: "other-family-" + strconv.Itoa(i), IssuedAt: now}
		if !s.mayHold(jtiKeys, miss.JTI) && !s.mayHold(userKeys, miss.UserID) && !s.mayHold(familyKeys, miss.Family) {
			break
		}
	}

	for i := range s.shards {
		s.shards[i].mu.Lock()
	}
	answer := func(ref jwtkit.TokenRef) <-chan bool {
		c := make(chan bool, 1)
		go func() {
			ok, err := s.Revoked(ctx, ref)
			assert.NoError(t, err)
			c <- ok
		}()
		return c
	}
	missed, hit := answer(miss), answer(jwtkit.TokenRef{JTI: revokedJTI})
	missAnswered, hitAnswered := false, false
	select {
	case ok := <-missed:
		missAnswered = true
		assert.False(t, ok)
	case <-time.After(5 * time.Second):
		t.Error("Revoked of a token the filters rule out waited for a lock")
	}
	select {
	case ok := <-hit:
		hitAnswered = true
		t.Errorf("Revoked of a revoked jti answered %v without the shard's lock", ok)
	case <-time.After(50 * time.Millisecond):
	}
	for i := range s.shards {
		s.shards[i].mu.Unlock()
	}
	// Both goroutines must end before the test does.
	if !hitAnswered {
		assert.True(t, <-hit)
	}
	if !missAnswered {
		<-missed
	}
}
