package jwtkit

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneShard is a cache of a single shard, so tests can follow the CLOCK hand.
func oneShard(slots, bytes int) *tokenCache {
	c := &tokenCache{shards: make([]cacheShard, 1)}
	c.shards[0].init(slots)
	c.shards[0].maxBytes = bytes
	return c
}

// entryToken is a token whose entry costs exactly cost bytes, for a raw token of 16 bytes.
func entryToken(cost int) *Token {
	return &Token{ID: "x", payload: make([]byte, cost-16-cacheEntryOverhead)}
}

var window = validity{from: time.Unix(0, 0), until: time.Unix(2000, 0)}

func rawOf(i int) string { return "token-" + strconv.Itoa(1_000_000_000+i) } // 16 bytes

func TestCacheHashCollisionIsNotAHit(t *testing.T) {
	c := oneShard(4, 1<<20)
	now := time.Unix(1000, 0)
	c.putHashed(42, rawOf(1), entryToken(400), window, now)
	require.NotNil(t, c.getHashed(42, rawOf(1)))
	assert.Nil(t, c.getHashed(42, rawOf(2)), "same hash, other bytes: a miss")

	// The newer token takes the slot; the older one is gone, not confused with it.
	c.putHashed(42, rawOf(2), entryToken(400), window, now)
	assert.Nil(t, c.getHashed(42, rawOf(1)))
	require.NotNil(t, c.getHashed(42, rawOf(2)))
	entries, bytes := c.len()
	assert.Equal(t, 1, entries)
	assert.Equal(t, 400, bytes)
}

func TestCacheClockEviction(t *testing.T) {
	c := oneShard(4, 1<<20)
	now := time.Unix(1000, 0)
	for i := range 4 {
		c.putHashed(uint64(i), rawOf(i), entryToken(400), window, now)
	}
	require.NotNil(t, c.getHashed(0, rawOf(0))) // used: spared once
	require.NotNil(t, c.getHashed(2, rawOf(2)))

	c.putHashed(4, rawOf(4), entryToken(400), window, now)
	assert.NotNil(t, c.getHashed(0, rawOf(0)))
	assert.Nil(t, c.getHashed(1, rawOf(1)), "the first unused entry under the hand goes")
	c.putHashed(5, rawOf(5), entryToken(400), window, now)
	assert.Nil(t, c.getHashed(3, rawOf(3)), "2 was used, 3 was not")
	assert.NotNil(t, c.getHashed(2, rawOf(2)))
	entries, _ := c.len()
	assert.Equal(t, 4, entries)

	// An expired entry goes first even when it was used.
	expiring := validity{until: now.Add(time.Second)}
	c2 := oneShard(2, 1<<20)
	c2.putHashed(1, rawOf(1), entryToken(400), window, now)
	c2.putHashed(2, rawOf(2), entryToken(400), expiring, now)
	c2.getHashed(1, rawOf(1))
	c2.getHashed(2, rawOf(2))
	c2.putHashed(3, rawOf(3), entryToken(400), window, now.Add(time.Second))
	assert.NotNil(t, c2.getHashed(1, rawOf(1)))
	assert.Nil(t, c2.getHashed(2, rawOf(2)))
}

func TestCacheByteBound(t *testing.T) {
	c := oneShard(100, 1000)
	now := time.Unix(1000, 0)
	for i := range 3 {
		c.putHashed(uint64(i), rawOf(i), entryToken(300), window, now)
	}
	entries, bytes := c.len()
	require.Equal(t, 3, entries)
	require.Equal(t, 900, bytes)

	c.putHashed(10, rawOf(10), entryToken(700), window, now) // needs two of the three to go
	entries, bytes = c.len()
	assert.Equal(t, 2, entries)
	assert.Equal(t, 1000, bytes)

	c.putHashed(11, rawOf(11), entryToken(1001), window, now) // larger than the shard
	assert.Nil(t, c.getHashed(11, rawOf(11)))
	entries, _ = c.len()
	assert.Equal(t, 2, entries, "an entry that can never fit evicts nothing")

	// Room freed by the byte bound is reused: with at most three entries at a time the table
	// keeps its first size, however many come and go.
	for i := range 1000 {
		c.putHashed(uint64(100+i), rawOf(100+i), entryToken(300+i%700), window, now)
		_, bytes := c.len()
		require.LessOrEqual(t, bytes, 1000)
		require.Len(t, c.shards[0].table.Load().slots, cacheFirstTable)
	}
}

func TestCacheShardsStayWithinSize(t *testing.T) {
	for _, size := range []int{1, 2, 3, 10, 16, 17, 100, 10_000} {
		c := newTokenCache(size)
		total := 0
		for i := range c.shards {
			require.Positive(t, c.shards[i].maxSlots)
			total += c.shards[i].maxSlots
		}
		assert.LessOrEqual(t, total, size, "size %d", size)
		assert.Greater(t, total, size/2, "size %d", size)
	}
}

// TestCacheEntryRecordsItsKey: the entry knows which key verified its token, the hook a
// future key removal needs. With two keys without kid, a token of the second is recorded
// with the second.
func TestCacheEntryRecordsItsKey(t *testing.T) {
	s := newDiffSetup(t)
	a := s.auths[0]
	claims := `{"token_type":"access","exp":` + strconv.FormatInt(diffNow.Unix()+60, 10) + `,"jti":"a","user_id":1}`
	for signer, want := range map[uint8]*Key{1: a.noKID[0], 2: a.noKID[1], 3: a.byKID["b"]} {
		header := `{"alg":"HS256"}`
		if signer == 3 {
			header = `{"alg":"HS256","kid":"b"}`
		}
		raw := s.token(t, header, claims, nil, signer, false)
		_, err := a.Validate(context.Background(), raw, TypeAccess)
		require.NoError(t, err)
		e := a.cache.get(raw)
		require.NotNil(t, e)
		assert.Same(t, want, e.key, "signer %d", signer)
	}
}
