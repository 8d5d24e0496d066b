package tokencache

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the shard's open-addressed table: chosen hashes put entries at chosen positions, so
// the probe runs collide, merge and wrap around the end of the table.

// homeIn8 is a hash whose home is home in a table of 8 slots; id tells hashes apart.
func homeIn8(home, id int) uint64 { return uint64(home)<<61 | uint64(id) }

// layout returns the token of each slot of the shard's table, "" for an empty slot.
func layout(c *Cache[string]) []string {
	t := c.shards[0].table.Load()
	out := make([]string, len(t.slots))
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil {
			out[i] = e.raw
		}
	}
	return out
}

// TestCacheTableBackwardShift follows removals slot by slot: the entries after a removed one
// move back as far as their homes allow, around the end of the table, and no further.
func TestCacheTableBackwardShift(t *testing.T) {
	c := oneShard(64, 1<<20)
	now := time.Unix(1000, 0)
	put := func(raw string, h uint64) { putRaw(c, h, raw, sizeFor(400), window, now) }
	drop := func(raw string, h uint64) {
		e := c.shards[0].table.Load().lookup(h, raw)
		require.NotNil(t, e, raw)
		c.Drop(e)
	}
	a, b, cc, d, e := homeIn8(6, 1), homeIn8(6, 2), homeIn8(7, 3), homeIn8(7, 4), homeIn8(0, 5)

	put("A", a)
	put("B", b)
	put("C", cc) // home 7 is taken by B: C wraps to 0
	require.Equal(t, []string{"C", "", "", "", "", "", "A", "B"}, layout(c))

	drop("A", a) // B moves back home, then C moves back to 7
	require.Equal(t, []string{"", "", "", "", "", "", "B", "C"}, layout(c))

	put("D", d)
	drop("C", cc) // D wrapped to 0 and moves back to its home 7
	require.Equal(t, []string{"", "", "", "", "", "", "B", "D"}, layout(c))

	put("E", e)
	drop("B", b) // D is at its home and E at its own: neither may move before it
	require.Equal(t, []string{"E", "", "", "", "", "", "", "D"}, layout(c))

	for raw, h := range map[string]uint64{"D": d, "E": e} {
		assert.NotNil(t, c.Get(h, raw), raw)
	}
	for raw, h := range map[string]uint64{"A": a, "B": b, "C": cc} {
		assert.Nil(t, c.Get(h, raw), raw)
	}
	entries, bytes := c.Len()
	assert.Equal(t, 2, entries)
	assert.Equal(t, 2*(1+sizeFor(400)+EntryOverhead), bytes)
}

// TestCacheClockHandAfterShift: when the hand evicts an entry, the shift can move the next
// entry of the run into the freed slot; the hand looks at that slot again rather than skip the
// entry, so unused entries still go in the order the hand meets them.
func TestCacheClockHandAfterShift(t *testing.T) {
	c := oneShard(3, 1<<20)
	now := time.Unix(1000, 0)
	for i, raw := range []string{"A", "B", "C"} {
		putRaw(c, homeIn8(0, i), raw, sizeFor(400), window, now)
	}
	require.Equal(t, []string{"A", "B", "C", "", "", "", "", ""}, layout(c))

	putRaw(c, homeIn8(0, 3), "D", sizeFor(400), window, now) // the hand takes A at 0
	require.Equal(t, []string{"B", "C", "D", "", "", "", "", ""}, layout(c))
	putRaw(c, homeIn8(0, 4), "E", sizeFor(400), window, now)
	assert.Equal(t, []string{"C", "D", "E", "", "", "", "", ""}, layout(c), "B, moved under the hand, goes next")
}

// TestCacheTableMixedOperations runs thousands of insertions, hits, collisions, evictions and
// drops in random order on hashes of four homes, two pairs of neighbours one of which wraps
// around the end, so every probe run is long and shared. After each step the table must hold
// exactly the entries it counts, each found by the lock-free probe from its home, and no
// token that left it.
func TestCacheTableMixedOperations(t *testing.T) {
	const maxSlots = 24
	c := oneShard(maxSlots, maxSlots*600)
	s := &c.shards[0]
	rng := rand.New(rand.NewPCG(1, 2))
	// The top byte chooses the home at every table size up to 256 slots: the first slot, the
	// last one, and the two in the middle.
	prefixes := []uint64{0x00, 0xFF, 0x7F, 0x80}
	now := time.Unix(1000, 0)

	type token struct {
		raw string
		h   uint64
	}
	var known []token
	dropped := map[string]bool{}
	var puts, hits, drops, replaced, evicted, wrapped int
	for step := range 1500 {
		switch op := rng.IntN(10); {
		case op < 4 || len(known) == 0: // a new token, now and then with the hash of another
			tk := token{raw: "t" + strconv.Itoa(step), h: prefixes[rng.IntN(len(prefixes))]<<56 | rng.Uint64()>>8}
			if op == 0 && len(known) > 0 {
				old := known[rng.IntN(len(known))]
				if s.table.Load().lookup(old.h, old.raw) != nil {
					replaced++
				}
				tk.h = old.h
			}
			v := window
			if rng.IntN(4) == 0 {
				v.until = now.Add(time.Duration(rng.IntN(20)) * time.Second)
			}
			before, _ := c.Len()
			putRaw(c, tk.h, tk.raw, sizeFor(300+rng.IntN(500)), v, now)
			after, _ := c.Len()
			evicted += before + 1 - after
			known = append(known, tk)
			delete(dropped, tk.raw)
			puts++
			require.NotNil(t, s.table.Load().lookup(tk.h, tk.raw), "step %d: the token just put", step)
		case op < 7: // a hit, which marks the entry for the CLOCK hand
			tk := known[rng.IntN(len(known))]
			if c.Get(tk.h, tk.raw) != nil {
				hits++
			}
		case op < 9: // a drop of a cached token
			tk := known[rng.IntN(len(known))]
			if e := s.table.Load().lookup(tk.h, tk.raw); e != nil {
				c.Drop(e)
				dropped[tk.raw] = true
				drops++
			}
		default:
			now = now.Add(time.Second)
		}

		tab := s.table.Load()
		mask := len(tab.slots) - 1
		present := map[string]bool{}
		cost := 0
		for i := range tab.slots {
			e := tab.slots[i].Load()
			if e == nil {
				continue
			}
			require.False(t, present[e.raw], "step %d: %s twice", step, e.raw)
			present[e.raw] = true
			cost += e.cost
			require.Same(t, e, tab.lookup(e.hash, e.raw), "step %d: %s at %d", step, e.raw, i)
			require.Equal(t, i, tab.position(e.hash), "step %d: %s", step, e.raw)
			if i < tab.home(e.hash) {
				wrapped++
			}
			for j := tab.home(e.hash); j != i; j = (j + 1) & mask {
				require.NotNil(t, tab.slots[j].Load(), "step %d: a hole in %s's probe run", step, e.raw)
			}
		}
		require.Equal(t, s.n, len(present), "step %d", step)
		require.Equal(t, s.bytes, cost, "step %d", step)
		require.LessOrEqual(t, s.n, maxSlots)
		require.LessOrEqual(t, s.bytes, s.maxBytes)
		require.LessOrEqual(t, 2*s.n, len(tab.slots), "at most half full")
		for _, tk := range known {
			if !present[tk.raw] {
				require.Nil(t, tab.lookup(tk.h, tk.raw), "step %d: %s left", step, tk.raw)
				if i := tab.position(tk.h); i >= 0 {
					require.NotEqual(t, tk.raw, tab.slots[i].Load().raw, "step %d", step)
				}
			}
			if dropped[tk.raw] {
				require.False(t, present[tk.raw], "step %d: %s was dropped", step, tk.raw)
			}
		}
	}
	// The run went through every path it claims to test.
	assert.Len(t, s.table.Load().slots, 64, "grew to twice the bound")
	for name, n := range map[string]int{"puts": puts, "hits": hits, "drops": drops, "replaced": replaced, "evicted": evicted, "wrapped": wrapped} {
		assert.Greater(t, n, 20, name)
	}
}

// TestCacheStableEntriesUnderChurn: readers hit a stable set of entries while a writer puts,
// replaces and drops other entries of the same probe run through the same shard, growing its
// table on the way. Each round starts with the stable entries behind forty others in one run
// that wraps around the end of the table, so every drop of one of those shifts every stable
// entry back one slot, in the direction the readers probe. A reader never gets an entry of
// another token, and it always finds a stable entry: the probe without the lock may miss one
// that a shift is moving past it, and the confirmation under the mutex finds it.
func TestCacheStableEntriesUnderChurn(t *testing.T) {
	// Homes: the last slot and the first, at every table size up to 256 slots.
	hashOf := func(i int) uint64 { return uint64(i%2)*0xFF<<56 | uint64(i)<<8 }
	now := time.Unix(1000, 0)
	put := func(c *Cache[string], raw string, h uint64) {
		putRaw(c, h, raw, 100, window, now)
	}
	const stable, front = 12, 40
	readerCount := max(1, runtime.GOMAXPROCS(0)-1)
	var lockFreeMisses, reads atomic.Int64
	for round := range 200 {
		c := oneShard(128, 1<<30) // under the entry bound throughout: nothing is evicted
		s := &c.shards[0]
		for j := range front {
			put(c, "churn-"+strconv.Itoa(stable+j), hashOf(stable+j))
		}
		for i := range stable {
			put(c, "stable-"+strconv.Itoa(i), hashOf(i))
		}
		require.Len(t, s.table.Load().slots, 128)

		readers := startReaders(readerCount, func(n int) bool {
			i := n % stable
			raw, h := "stable-"+strconv.Itoa(i), hashOf(i)
			if s.table.Load().lookup(h, raw) == nil {
				lockFreeMisses.Add(1)
			}
			e := c.Get(h, raw)
			if !assert.NotNil(t, e, "round %d: %s missed", round, raw) ||
				!assert.Equal(t, raw, e.raw) || !assert.Equal(t, raw, e.Value) {
				return false
			}
			// A churn token is there or not; if it is, it is that very token.
			j := stable + n%(2*front)
			raw = "churn-" + strconv.Itoa(j)
			if e := c.Get(hashOf(j), raw); e != nil && (!assert.Equal(t, raw, e.raw) || !assert.Equal(t, raw, e.Value)) {
				return false
			}
			// A token never put, with a stable entry's hash: never a hit.
			if !assert.Nil(t, c.Get(hashOf(i), "absent-"+strconv.Itoa(i))) {
				return false
			}
			reads.Add(1)
			return true
		})
		// Twenty new entries first, so the table grows under the readers; then the forty in
		// front of the stable entries leave in random order while forty more come, some of
		// them replacing a new entry of the same hash.
		rng := rand.New(rand.NewPCG(uint64(round), 7))
		for k := range 20 {
			j := stable + front + k
			put(c, "churn-"+strconv.Itoa(j), hashOf(j))
		}
		for _, k := range rng.Perm(front) {
			j := stable + k
			raw := "churn-" + strconv.Itoa(j)
			c.Drop(s.table.Load().lookup(hashOf(j), raw))
			j = stable + front + rng.IntN(front)
			if rng.IntN(4) == 0 {
				put(c, "churn-"+strconv.Itoa(j)+"-twin", hashOf(j))
			} else {
				put(c, "churn-"+strconv.Itoa(j), hashOf(j))
			}
		}
		require.True(t, readers.stop())
		require.Len(t, s.table.Load().slots, 256, "round %d: the table grew under the readers", round)
	}
	assert.Positive(t, reads.Load())
	t.Logf("%d reads; the probe without the lock missed a stable entry %d times, each found under the mutex", reads.Load(), lockFreeMisses.Load())
}

// TestCacheShiftRaceNeverMissesAStableEntry sets the trap where a probe without the lock
// misses: a stable entry sits behind a long block of entries that are at their homes, and the
// entry in front of the block is dropped. The shift skips the block quickly and moves the
// stable entry back to the front, and then the entry behind it into its old place; a reader
// that read the front before the move and walks the block meanwhile finds neither. Get
// must find the entry all the same.
func TestCacheShiftRaceNeverMissesAStableEntry(t *testing.T) {
	const traps, block = 3, 30
	// at is a hash whose home is home in a table of 256 slots; id tells hashes apart.
	at := func(home, id int) uint64 { return uint64(home)<<56 | uint64(id) }
	readerCount := max(1, runtime.GOMAXPROCS(0)-1)
	var lockFreeMisses, reads atomic.Int64
	for round := range 300 {
		c := oneShard(128, 1<<30)
		s := &c.shards[0]
		s.table.Store(newTable[string](256))
		add := func(raw string, h uint64) *Entry[string] {
			e := &Entry[string]{raw: raw, hash: h, Value: raw, until: window.until, cost: 1}
			s.table.Load().insert(e)
			s.n++
			s.bytes++
			return e
		}
		var fronts, stables []*Entry[string]
		for k := range traps {
			base := 64 * k
			fronts = append(fronts, add("front-"+strconv.Itoa(k), at(base, 0)))
			for i := 1; i <= block; i++ {
				add("block-"+strconv.Itoa(k)+"-"+strconv.Itoa(i), at(base+i, 0))
			}
			stables = append(stables, add("stable-"+strconv.Itoa(k), at(base, 1)))
			add("behind-"+strconv.Itoa(k), at(base, 2))
		}
		for k, e := range stables {
			require.Equal(t, 64*k+block+1, s.table.Load().position(e.hash), "the trap is set")
		}

		readers := startReaders(readerCount, func(n int) bool {
			want := stables[n%traps]
			if s.table.Load().lookup(want.hash, want.raw) == nil {
				lockFreeMisses.Add(1)
			}
			if e := c.Get(want.hash, want.raw); !assert.Same(t, want, e, "round %d: %s", round, want.raw) {
				return false
			}
			reads.Add(1)
			return true
		})
		for _, front := range fronts {
			// Drop each front entry while the readers are busy probing.
			for r := reads.Load(); reads.Load() < r+20 && !readers.failed.Load(); {
				runtime.Gosched()
			}
			c.Drop(front)
		}
		require.True(t, readers.stop())
		for k, e := range stables {
			require.Equal(t, 64*k, s.table.Load().position(e.hash), "the stable entry moved to its home")
		}
	}
	t.Logf("%d reads; the probe without the lock missed a stable entry %d times, each found under the mutex", reads.Load(), lockFreeMisses.Load())
}

// readerGroup is goroutines reading a cache while a test writes to it.
type readerGroup struct {
	failed atomic.Bool
	done   chan struct{}
	wg     sync.WaitGroup
}

// startReaders starts n goroutines that each call read(0), read(1), ... until read returns
// false or stop is called, and returns once all of them are running.
func startReaders(n int, read func(n int) bool) *readerGroup {
	g := &readerGroup{done: make(chan struct{})}
	var ready sync.WaitGroup
	ready.Add(n)
	for range n {
		g.wg.Go(func() {
			ready.Done()
			for i := 0; !g.failed.Load(); i++ {
				select {
				case <-g.done:
					return
				default:
				}
				if !read(i) {
					g.failed.Store(true)
					return
				}
			}
		})
	}
	ready.Wait()
	return g
}

// stop ends the readers and reports whether every read succeeded.
func (g *readerGroup) stop() bool {
	close(g.done)
	g.wg.Wait()
	return !g.failed.Load()
}
