package tokencache

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneShard is a cache of a single shard, so tests can follow the CLOCK hand. Its values are
// the tokens' own bytes, so a reader can tell an entry handed out for another token.
func oneShard(slots, bytes int) *Cache[string] {
	c := &Cache[string]{shards: make([]shard[string], 1)}
	c.shards[0].init(slots)
	c.shards[0].maxBytes = bytes
	return c
}

// sizeFor is the size to declare for an entry that costs exactly cost bytes, for a raw token
// of 16 bytes.
func sizeFor(cost int) int { return cost - 16 - EntryOverhead }

// span is the window in which an entry is current.
type span struct{ from, until time.Time }

var window = span{from: time.Unix(0, 0), until: time.Unix(2000, 0)}

// putRaw puts raw with itself as value, declaring size bytes, current in w.
func putRaw(c *Cache[string], h uint64, raw string, size int, w span, now time.Time) {
	c.Put(h, raw, raw, size, w.from, w.until, now)
}

func rawOf(i int) string { return "token-" + strconv.Itoa(1_000_000_000+i) } // 16 bytes

func TestCacheHashCollisionIsNotAHit(t *testing.T) {
	c := oneShard(4, 1<<20)
	now := time.Unix(1000, 0)
	putRaw(c, 42, rawOf(1), sizeFor(400), window, now)
	require.NotNil(t, c.Get(42, rawOf(1)))
	assert.Nil(t, c.Get(42, rawOf(2)), "same hash, other bytes: a miss")

	// The newer token takes the slot; the older one is gone, not confused with it.
	putRaw(c, 42, rawOf(2), sizeFor(400), window, now)
	assert.Nil(t, c.Get(42, rawOf(1)))
	require.NotNil(t, c.Get(42, rawOf(2)))
	entries, bytes := c.Len()
	assert.Equal(t, 1, entries)
	assert.Equal(t, 400, bytes)
}

func TestCacheClockEviction(t *testing.T) {
	c := oneShard(4, 1<<20)
	now := time.Unix(1000, 0)
	for i := range 4 {
		putRaw(c, uint64(i), rawOf(i), sizeFor(400), window, now)
	}
	require.NotNil(t, c.Get(0, rawOf(0))) // used: spared once
	require.NotNil(t, c.Get(2, rawOf(2)))

	putRaw(c, 4, rawOf(4), sizeFor(400), window, now)
	assert.NotNil(t, c.Get(0, rawOf(0)))
	assert.Nil(t, c.Get(1, rawOf(1)), "the first unused entry under the hand goes")
	putRaw(c, 5, rawOf(5), sizeFor(400), window, now)
	assert.Nil(t, c.Get(3, rawOf(3)), "2 was used, 3 was not")
	assert.NotNil(t, c.Get(2, rawOf(2)))
	entries, _ := c.Len()
	assert.Equal(t, 4, entries)

	// An expired entry goes first even when it was used.
	expiring := span{until: now.Add(time.Second)}
	c2 := oneShard(2, 1<<20)
	putRaw(c2, 1, rawOf(1), sizeFor(400), window, now)
	putRaw(c2, 2, rawOf(2), sizeFor(400), expiring, now)
	c2.Get(1, rawOf(1))
	c2.Get(2, rawOf(2))
	putRaw(c2, 3, rawOf(3), sizeFor(400), window, now.Add(time.Second))
	assert.NotNil(t, c2.Get(1, rawOf(1)))
	assert.Nil(t, c2.Get(2, rawOf(2)))
}

func TestCacheByteBound(t *testing.T) {
	c := oneShard(100, 1000)
	now := time.Unix(1000, 0)
	for i := range 3 {
		putRaw(c, uint64(i), rawOf(i), sizeFor(300), window, now)
	}
	entries, bytes := c.Len()
	require.Equal(t, 3, entries)
	require.Equal(t, 900, bytes)

	putRaw(c, 10, rawOf(10), sizeFor(700), window, now) // needs two of the three to go
	entries, bytes = c.Len()
	assert.Equal(t, 2, entries)
	assert.Equal(t, 1000, bytes)

	putRaw(c, 11, rawOf(11), sizeFor(1001), window, now) // larger than the shard
	assert.Nil(t, c.Get(11, rawOf(11)))
	entries, _ = c.Len()
	assert.Equal(t, 2, entries, "an entry that can never fit evicts nothing")

	// Room freed by the byte bound is reused: with at most three entries at a time the table
	// keeps its first size, however many come and go.
	for i := range 1000 {
		putRaw(c, uint64(100+i), rawOf(100+i), sizeFor(300+i%700), window, now)
		_, bytes := c.Len()
		require.LessOrEqual(t, bytes, 1000)
		require.Len(t, c.shards[0].table.Load().slots, firstTable)
	}
}

func TestCacheShardsStayWithinSize(t *testing.T) {
	for _, size := range []int{1, 2, 3, 10, 16, 17, 100, 10_000} {
		c := New[string](size)
		total := 0
		for i := range c.shards {
			require.Positive(t, c.shards[i].maxSlots)
			total += c.shards[i].maxSlots
		}
		assert.LessOrEqual(t, total, size, "size %d", size)
		assert.Greater(t, total, size/2, "size %d", size)
	}
}
