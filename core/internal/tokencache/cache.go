// Package tokencache is jwtkit's verified-token cache: tokens that passed a complete
// validation, keyed by their exact bytes, with what the validation learnt about them (V), so a
// token presented again skips the signature check and the JSON work. It knows nothing of
// tokens beyond their bytes, a value, a cost in bytes and the window in which they are
// current; what may be cached, and what is checked again on every hit, is jwtkit's to decide.
package tokencache

import (
	"hash/maphash"
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cache remembers tokens that passed a complete validation, keyed by their exact bytes, each
// with a value of type V. Its user puts only tokens its keys verified, so an attacker cannot
// fill the cache without valid tokens. It is bounded by entries and by bytes and evicts with CLOCK (second chance): a hit
// marks its entry, and the sweep that makes room spares marked entries once. There is no
// goroutine; the work of eviction is done by the insertion that needs the room.
//
// A hit takes no lock and writes nothing shared but the entry's mark, and that only when it is
// unset: every CPU checking the same token reads the same cache lines, which can then stay in
// all their caches at once. Each shard is an open-addressed table of atomic pointers to
// entries with linear probing from the top bits of the hash (the shard is chosen by the bottom
// ones), filled at most half, so a probe ends at an empty slot after a few steps. Writers
// (insertion, drop, eviction) hold the shard's mutex. An entry is immutable once stored in the
// table, except for its mark, so a reader that loads a pointer sees a whole entry, and a
// reader compares the hash and the exact bytes, so it never takes one token for another.
// Removal closes its gap by backward shift (the later entries of the probe run that may live
// in the gap move back, each stored at its new place before its old place is overwritten), so no
// tombstones build up. While entries move, a probe without the lock can miss one that is
// there; a miss is therefore confirmed under the mutex, where nothing moves, so an entry that
// stays in the cache is always found. The table starts small and doubles as entries come, never
// past the smallest power of two at least twice the shard's entry bound: a new table is filled
// before it is published, and a reader still probing the old one misses at worst. The CLOCK
// hand sweeps table positions.
//
// The cache answers for the token's signature, claims and time window only. Its user checks
// the window against the clock (Entry.Current), the wanted type and the store's revocation
// answer on every call, so serving a token from the cache never changes an answer.
type Cache[V any] struct {
	seed   maphash.Seed
	mask   uint64
	shards []shard[V]
}

const (
	maxShards = 16
	// bytesPerEntry is the average room of an entry: the byte bound is the entry bound
	// times this, so a cache of large tokens holds fewer of them.
	bytesPerEntry = 1024
	// EntryOverhead is what an entry costs beyond its token bytes and the size its user
	// declares: the entry with its value, and its share of the table (two to four 8-byte slots
	// in a full shard).
	EntryOverhead = 256
	// firstTable is the number of slots of a shard's first table.
	firstTable = 8
)

// shard is one table of entries with its CLOCK hand.
type shard[V any] struct {
	// table is all that a hit reads of the shard. It has a cache line of its own, so a writer
	// that takes the mutex and updates the counters does not take that line from readers.
	table atomic.Pointer[table[V]]
	_     [64]byte
	mu    sync.Mutex
	n     int // entries in the table
	hand  int // the CLOCK hand: a position in the table
	bytes int
	// maxSlots is the entry bound, maxBytes the byte bound.
	maxSlots int
	maxBytes int
	_        [64]byte // keeps the next shard's table off this shard's mutex
}

// table is an open-addressed table: the entry of hash h is at h's home position
// (h >> shift) or after it, with no empty slot between. Its length is a power of two. Writers
// change slots only under the shard's mutex; readers load them without it.
type table[V any] struct {
	slots []atomic.Pointer[Entry[V]]
	shift uint
}

// Entry is a cached token with its value. It is immutable once inserted, except for its
// CLOCK mark.
type Entry[V any] struct {
	// raw and hash come first and together: a probe compares them, and they share a cache
	// line however large V is.
	raw  string
	hash uint64
	// Value is what the user put with the token; a hit hands out the entry itself, so the
	// user copies what it may change.
	Value       V
	from, until time.Time // the token is current in [from, until)
	cost        int
	used        atomic.Bool
}

// Current reports whether now is inside the entry's time window [from, until), the window
// given to Put.
func (e *Entry[V]) Current(now time.Time) bool {
	return !now.Before(e.from) && now.Before(e.until)
}

// New returns a cache of at most size entries (size > 0), and at most size times an average
// entry's room in bytes.
func New[V any](size int) *Cache[V] {
	// A power of two no larger than size, so every shard holds at least one entry and the
	// shards together never more than size.
	n := min(maxShards, 1<<(bits.Len(uint(size))-1))
	c := &Cache[V]{seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]shard[V], n)}
	for i := range c.shards {
		c.shards[i].init(size / n)
	}
	return c
}

// init makes an empty shard of at most slots entries and slots times the average entry size
// in bytes.
func (s *shard[V]) init(slots int) {
	s.maxSlots = slots
	s.maxBytes = slots * bytesPerEntry
	s.table.Store(newTable[V](firstTable))
}

// newTable returns an empty table of size slots, a power of two.
func newTable[V any](size int) *table[V] {
	return &table[V]{slots: make([]atomic.Pointer[Entry[V]], size), shift: uint(65 - bits.Len(uint(size)))}
}

// Hash returns the hash of raw that Get and Put take, so a miss followed by a Put hashes once.
func (c *Cache[V]) Hash(raw string) uint64 { return maphash.String(c.seed, raw) }

func (c *Cache[V]) shardOf(h uint64) *shard[V] { return &c.shards[h&c.mask] }

// Get returns the entry of exactly raw, whose hash is h, or nil, and marks it used. It does
// not look at the entry's window: the caller checks Current and drops a stale entry.
func (c *Cache[V]) Get(h uint64, raw string) *Entry[V] {
	s := c.shardOf(h)
	e := s.table.Load().lookup(h, raw)
	if e == nil {
		// A writer moving entries may have moved this one past the probe; under the mutex
		// nothing moves. A miss costs a full validation, next to which the lock is cheap.
		s.mu.Lock()
		e = s.table.Load().lookup(h, raw)
		s.mu.Unlock()
		if e == nil {
			return nil
		}
	}
	if !e.used.Load() {
		e.used.Store(true)
	}
	return e
}

// Put inserts raw, whose hash is h, with value v, current in [from, until), unless it is
// already there or larger than a shard's whole byte budget. The entry is charged len(raw),
// size (the bytes v holds on to) and EntryOverhead. now lets the sweep drop expired entries
// first.
func (c *Cache[V]) Put(h uint64, raw string, v V, size int, from, until, now time.Time) {
	s := c.shardOf(h)
	cost := len(raw) + size + EntryOverhead
	if cost > s.maxBytes {
		return
	}
	// raw is often a slice of a larger request string (the whole header); the clone keeps only
	// the token's own bytes alive.
	e := &Entry[V]{raw: strings.Clone(raw), Value: v, hash: h, from: from, until: until, cost: cost}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.table.Load()
	if i := t.position(h); i >= 0 {
		if t.slots[i].Load().raw == raw {
			return // another goroutine validated the same token first
		}
		s.remove(t, i) // two tokens with one 64-bit hash: the newer one takes the place
	}
	for s.n == s.maxSlots || s.bytes+cost > s.maxBytes {
		s.evict(t, now)
	}
	if 2*(s.n+1) > len(t.slots) {
		t = s.grow(t)
	}
	t.insert(e)
	s.n++
	s.bytes += cost
}

// Drop removes e, an entry Get returned, if it is still cached (an entry found outside its
// time window, or one its user no longer trusts).
func (c *Cache[V]) Drop(e *Entry[V]) {
	s := c.shardOf(e.hash)
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.table.Load()
	if i := t.position(e.hash); i >= 0 && t.slots[i].Load() == e {
		s.remove(t, i)
	}
}

// Len returns the number of entries and the bytes they are charged.
func (c *Cache[V]) Len() (entries, bytes int) {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		entries += s.n
		bytes += s.bytes
		s.mu.Unlock()
	}
	return entries, bytes
}

// evict removes one entry of t, the shard's table; the shard must hold at least one. The hand
// spares an entry that was used since it last passed, unless it has expired, and gives up
// sparing after two turns so that concurrent hits cannot keep it going.
func (s *shard[V]) evict(t *table[V], now time.Time) {
	mask := len(t.slots) - 1
	for step := 0; ; step++ {
		i := s.hand
		s.hand = (i + 1) & mask
		e := t.slots[i].Load()
		if e == nil {
			continue
		}
		if step < 2*len(t.slots) && now.Before(e.until) && e.used.Swap(false) {
			continue
		}
		s.remove(t, i)
		// The shift may have moved the next entry of the run into i: the hand looks at it
		// next rather than skipping it.
		s.hand = i
		return
	}
}

// grow publishes a table twice the size of t, the shard's table, holding the same entries.
// Readers that loaded t still probe it: t is never written again, so they find what it held
// or miss. The entries keep their marks; the hand keeps its number, as good a place to go on
// from as any now that every entry has a new position.
func (s *shard[V]) grow(t *table[V]) *table[V] {
	bigger := newTable[V](2 * len(t.slots))
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil {
			bigger.insert(e)
		}
	}
	s.table.Store(bigger)
	return bigger
}

// remove deletes the entry at position i of t, the shard's table, and closes the gap by
// backward shift: each later entry of the probe run whose home is not between the gap and
// itself moves back into the gap, which moves to where it was. A moved entry is stored at its
// new place before its old place is overwritten, so it is never out of the table; a reader
// probing meanwhile may still pass both places at the wrong moments and miss it.
func (s *shard[V]) remove(t *table[V], i int) {
	e := t.slots[i].Load()
	s.n--
	s.bytes -= e.cost
	mask := len(t.slots) - 1
	gap := i
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		m := t.slots[j].Load()
		if m == nil {
			break
		}
		// m's distance from its home against the gap's distance behind m, both going back
		// from j around the end: m may move back only as far as its home.
		if (j-t.home(m.hash))&mask >= (j-gap)&mask {
			t.slots[gap].Store(m)
			gap = j
		}
	}
	t.slots[gap].Store(nil)
}

func (t *table[V]) home(h uint64) int { return int(h >> t.shift) } //nolint:gosec // h >> shift < len(slots)

// lookup returns the entry of exactly raw, whose hash is h, or nil. It takes no lock: it may
// miss an entry a writer is moving, never return another one.
func (t *table[V]) lookup(h uint64, raw string) *Entry[V] {
	// At most one turn: a writer moving entries cannot keep a reader going. (Written as a
	// range over the slots to stay within the inliner's budget in the generic body: Get
	// calls this on every hit.)
	mask, i := len(t.slots)-1, t.home(h)
	for range t.slots {
		e := t.slots[i].Load()
		if e == nil || e.hash == h && e.raw == raw {
			return e
		}
		i = (i + 1) & mask
	}
	return nil
}

// position returns the position of the entry of hash h, or -1. Under the shard's mutex
// there is at most one: Put replaces an entry of the same hash.
func (t *table[V]) position(h uint64) int {
	mask := len(t.slots) - 1
	for i := t.home(h); ; i = (i + 1) & mask {
		e := t.slots[i].Load()
		if e == nil {
			return -1
		}
		if e.hash == h {
			return i
		}
	}
}

// insert stores e in the first empty slot from its home; t must have one.
func (t *table[V]) insert(e *Entry[V]) {
	mask := len(t.slots) - 1
	i := t.home(e.hash)
	for t.slots[i].Load() != nil {
		i = (i + 1) & mask
	}
	t.slots[i].Store(e)
}

// Holds reports whether the cache has an entry for exactly raw, without marking it used. The
// answer is exact (it is taken under the shard's mutex), for tests and diagnostics.
func (c *Cache[V]) Holds(raw string) bool {
	h := c.Hash(raw)
	s := c.shardOf(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.table.Load().lookup(h, raw) != nil
}

// Budget returns the cache's byte bound.
func (c *Cache[V]) Budget() int {
	total := 0
	for i := range c.shards {
		total += c.shards[i].maxBytes
	}
	return total
}
