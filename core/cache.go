package jwtkit

import (
	"hash/maphash"
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tokenCache remembers tokens that passed a complete validation, keyed by their exact bytes, so
// a token presented again skips the signature check and the JSON work. An entry can only be
// made by a token this Auth's keys verified, so an attacker cannot fill the cache without valid
// tokens. It is bounded by entries and by bytes and evicts with CLOCK (second chance): a hit
// marks its entry, and the sweep that makes room spares marked entries once. There is no
// goroutine; the work of eviction is done by the insertion that needs the room.
//
// The cache answers for the token's signature, claims and time window only. Its users check
// the window against the clock, the wanted type and the store's revocation answer on every
// call, so serving a token from the cache never changes an answer.
type tokenCache struct {
	seed   maphash.Seed
	mask   uint64
	shards []cacheShard
}

const (
	cacheMaxShards = 16
	// cacheBytesPerEntry is the average room of an entry: the byte bound is the entry bound
	// times this, so a cache of large tokens holds fewer of them.
	cacheBytesPerEntry = 1024
	// cacheEntryOverhead is what an entry costs beyond its token and payload bytes: the entry
	// with its Token, the index and slot that point to it.
	cacheEntryOverhead = 256
)

// cacheShard is a CLOCK ring of entries with an index by hash.
type cacheShard struct {
	mu       sync.RWMutex
	index    map[uint64]int32 // hash of the raw token -> slot
	slots    []*cacheEntry    // grows to maxSlots; nil is a free slot
	free     []int32          // free slots below len(slots)
	maxSlots int
	hand     int
	bytes    int
	maxBytes int
	_        [64]byte // keeps neighbouring shards' locks off one cache line
}

// cacheEntry is immutable once inserted, except for its CLOCK mark.
type cacheEntry struct {
	raw  string
	hash uint64
	tok  Token
	// key is the key whose signature check admitted the token. Keys are fixed at New today;
	// when key sets can change, removing a key must drop the entries it admitted (design.md).
	key         *Key
	from, until time.Time // the token is current in [from, until)
	cost        int
	used        atomic.Bool
}

// current reports whether now is inside the entry's time window, with the comparisons parse
// makes: not before nbf/iat minus the leeway, and before exp plus the leeway.
func (e *cacheEntry) current(now time.Time) bool {
	return !now.Before(e.from) && now.Before(e.until)
}

// newTokenCache returns a cache of at most size entries (size > 0).
func newTokenCache(size int) *tokenCache {
	// A power of two no larger than size, so every shard holds at least one entry and the
	// shards together never more than size.
	n := min(cacheMaxShards, 1<<(bits.Len(uint(size))-1))
	c := &tokenCache{seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]cacheShard, n)}
	for i := range c.shards {
		s := &c.shards[i]
		s.index = map[uint64]int32{}
		s.maxSlots = size / n
		s.maxBytes = s.maxSlots * cacheBytesPerEntry
	}
	return c
}

func (c *tokenCache) hash(raw string) uint64 { return maphash.String(c.seed, raw) }

func (c *tokenCache) shard(h uint64) *cacheShard { return &c.shards[h&c.mask] }

// getHashed returns the entry of exactly raw, whose hash is h, or nil, and marks it used.
func (c *tokenCache) getHashed(h uint64, raw string) *cacheEntry {
	s := c.shard(h)
	s.mu.RLock()
	var e *cacheEntry
	if i, ok := s.index[h]; ok && s.slots[i].raw == raw {
		e = s.slots[i]
	}
	s.mu.RUnlock()
	if e != nil && !e.used.Load() {
		e.used.Store(true)
	}
	return e
}

// putHashed inserts raw, whose hash is h, with a copy of its token, unless it is already there
// or larger than a shard's whole byte budget. now lets the sweep drop expired entries first.
func (c *tokenCache) putHashed(h uint64, raw string, tok *Token, v validity, now time.Time) {
	s := c.shard(h)
	cost := len(raw) + len(tok.payload) + cacheEntryOverhead
	if cost > s.maxBytes {
		return
	}
	// raw is often a slice of a larger request string (the whole header); the clone keeps only
	// the token's own bytes alive.
	e := &cacheEntry{raw: strings.Clone(raw), hash: h, tok: *tok, key: v.key, from: v.from, until: v.until, cost: cost}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[h]; ok {
		if s.slots[i].raw == raw {
			return // another goroutine validated the same token first
		}
		s.remove(i) // two tokens with one 64-bit hash: the newer one takes the place
	}
	for (len(s.free) == 0 && len(s.slots) == s.maxSlots) || s.bytes+cost > s.maxBytes {
		s.evict(now)
	}
	var i int32
	if n := len(s.free); n > 0 {
		i, s.free = s.free[n-1], s.free[:n-1]
	} else {
		i = int32(len(s.slots))
		s.slots = append(s.slots, nil)
	}
	s.slots[i] = e
	s.index[h] = i
	s.bytes += cost
}

// drop removes e if it is still cached (an entry found outside its time window).
func (c *tokenCache) drop(e *cacheEntry) {
	s := c.shard(e.hash)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[e.hash]; ok && s.slots[i] == e {
		s.remove(i)
	}
}

// len returns the number of entries and the bytes they are charged.
func (c *tokenCache) len() (entries, bytes int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		entries += len(s.index)
		bytes += s.bytes
		s.mu.RUnlock()
	}
	return entries, bytes
}

// evict removes one entry; the shard must hold at least one. The hand spares an entry that
// was used since it last passed, unless it has expired, and gives up sparing after two turns
// so that concurrent hits cannot keep it going.
func (s *cacheShard) evict(now time.Time) {
	for step := 0; ; step++ {
		i := s.hand
		s.hand = (s.hand + 1) % len(s.slots)
		e := s.slots[i]
		if e == nil {
			continue
		}
		if step < 2*len(s.slots) && now.Before(e.until) && e.used.Swap(false) {
			continue
		}
		s.remove(int32(i)) //nolint:gosec // i indexes slots, whose length fits an int32 slot number
		return
	}
}

func (s *cacheShard) remove(i int32) {
	e := s.slots[i]
	delete(s.index, e.hash)
	s.slots[i] = nil
	s.free = append(s.free, i)
	s.bytes -= e.cost
}
