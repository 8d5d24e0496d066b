package memstore

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// This file and filter.go are the store's machinery, kept apart from the contract
// (memstore.go) because every piece of it is here for speed, and measured
// (filter_bench_test.go, storetest.Bench):
//   - Lock striping: the table is Config.Shards shards, each under its own sync.RWMutex,
//     picked by the low bits of a maphash with a seed per store.
//   - Negative filters: each shard keeps a Bloom filter per kind of key (filter.go), so a key
//     that was never revoked, the common case, is answered with one atomic load and no lock.
//   - Compact jtis: a jti of 32 lowercase hex characters, every jti jwtkit issues, is kept as
//     16 decoded bytes, its expiry as uint32 seconds.
//   - Padding: the fields every Revoked reads (the filters, the shard table) are kept off the
//     cache lines that writers and readers' lock counts bounce between cores.
// Everything a write does to a shard (map, entry count, filter mark) happens under its write
// lock, in record (revokeUser for cutoffs); everything a lookup does is in the *Revoked
// methods.

// forever is the expiry of entries whose expires lies beyond what a uint32 of Unix seconds
// holds (2106-02-07): they are kept until the process ends rather than rounded down.
const forever = math.MaxUint32

// table holds a Store's revocations, rotation answers and login attempts.
type table struct {
	shards     []shard
	mask       uint64
	seed       maphash.Seed
	clock      func() time.Time
	maxEntries int64

	// logins are the login limiter's shards, as many as shards, under locks of their own.
	logins      []loginShard
	maxAttempts int64

	// The counters are written by every new entry and login attempt; the padding keeps them
	// off the cache line of the fields above, which every Revoked reads.
	_        [64]byte
	entries  atomic.Int64
	attempts atomic.Int64
}

// shard is one lock's worth of the store. Expiries are Unix seconds rounded up.
type shard struct {
	// filters are the shard's negative filters by kind of key (see filter), nil while the
	// shard holds no key of the kind. Revoked reads them without the lock, so the padding
	// keeps them off the cache line of mu, whose reader count bounces between cores.
	filters [keyKinds]atomic.Pointer[filter]
	_       [64]byte

	mu sync.RWMutex
	// hexJTIs holds jtis of exactly 32 lowercase hex characters (every jti jwtkit issues)
	// decoded to 16 bytes, which keeps a revoked jti at a few dozen bytes.
	hexJTIs map[[16]byte]uint32
	// jtis holds every other jti (tokens from foreign issuers) as given.
	jtis     map[string]uint32
	users    map[string]cutoff
	families map[string]uint32
	// answers holds the answers of won rotations (RotateOnce) by jti. They are apart from the
	// jti maps, which keep their compact form, but under the same lock, which is what makes a
	// rotation and its answer one atomic step.
	answers map[string]rotation
	// marked counts by kind the keys marked in the filter since it was built, and dropped
	// those of them deleted from the maps since, which decide when it is rebuilt.
	marked, dropped [keyKinds]int
	// lastFullPurge is the second of the last purge a write at the cap ran on this shard.
	lastFullPurge int64

	_ [64]byte // keeps each shard's lock on its own cache line
}

type cutoff struct {
	issuedBefore int64 // Unix seconds
	expires      uint32
}

// init sizes the table for c, which configDefault has validated.
func (t *table) init(c Config) {
	t.shards = make([]shard, c.Shards)
	t.mask = uint64(c.Shards - 1)
	t.seed = maphash.MakeSeed()
	t.clock = c.Clock
	t.maxEntries = int64(c.MaxEntries)
	t.logins = make([]loginShard, c.Shards)
	t.maxAttempts = int64(c.MaxLoginAttempts)
	for i := range t.shards {
		sh := &t.shards[i]
		sh.hexJTIs = make(map[[16]byte]uint32)
		sh.jtis = make(map[string]uint32)
		sh.users = make(map[string]cutoff)
		sh.families = make(map[string]uint32)
		sh.answers = make(map[string]rotation)
		t.logins[i].keys = make(map[string][]attempt)
	}
}

// revokeJTI records jti until exp (or with once only if it is not live), under its shard's
// lock.
func (t *table) revokeJTI(jti string, exp uint32, once bool) (bool, error) {
	now := t.now()
	sh := t.shardFor(jti)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if key, ok := parseHexJTI(jti); ok {
		return put(t, sh, sh.hexJTIs, key, exp, now, once, nil)
	}
	return put(t, sh, sh.jtis, jti, exp, now, once, strings.Clone)
}

func (t *table) revokeFamily(family string, exp uint32) error {
	now, h := t.now(), t.hash(family)
	sh := t.shardAt(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, err := record(t, sh, sh.families, family, exp, now, false, strings.Clone, familyKeys, h)
	return err
}

// revokeUser records the cutoff cut for userID until exp; a live record keeps the later cutoff
// and the later expiry.
func (t *table) revokeUser(userID string, cut int64, exp uint32) error {
	now, h := t.now(), t.hash(userID)
	sh := t.shardAt(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, found := sh.users[userID]
	if found && live(old.expires, now) {
		sh.users[userID] = cutoff{issuedBefore: max(old.issuedBefore, cut), expires: max(old.expires, exp)}
		return nil
	}
	if !live(exp, now) {
		return nil
	}
	if !found {
		if err := t.reserve(sh, now); err != nil {
			return err
		}
		userID = strings.Clone(userID)
	}
	sh.users[userID] = cutoff{issuedBefore: cut, expires: exp}
	if !found {
		sh.mark(t.seed, userKeys, h)
	}
	return nil
}

// put records the jti key in m (sh.hexJTIs or sh.jtis) until exp, as record does. It is the
// one way a jti goes into a map, so that none misses its mark in the jti filter.
func put[K [16]byte | string](t *table, sh *shard, m map[K]uint32, key K, exp uint32, now int64, once bool, own func(K) K) (bool, error) {
	return record(t, sh, m, key, exp, now, once, own, jtiKeys, jtiHash(t.seed, key))
}

// record records key in m until exp. When the key is already live it keeps the later expiry,
// or with once reports a loss and changes nothing. own, when not nil, copies a key before it
// is stored so the map never pins the caller's memory. A new key is marked in the shard's
// filter of kind, under its hash h, after it is in the map. The caller holds sh.mu for
// writing.
func record[K comparable](t *table, sh *shard, m map[K]uint32, key K, exp uint32, now int64, once bool, own func(K) K, kind int, h uint64) (bool, error) {
	old, found := m[key]
	if found && live(old, now) {
		if once {
			return false, nil
		}
		m[key] = max(old, exp)
		return true, nil
	}
	if !live(exp, now) {
		return false, nil
	}
	if !found {
		if err := t.reserve(sh, now); err != nil {
			return false, err
		}
		if own != nil {
			key = own(key)
		}
	}
	m[key] = exp
	if !found {
		sh.mark(t.seed, kind, h)
	}
	return true, nil
}

// The lookups below are the whole of Revoked. Each first checks its key against the shard's
// filter, without the lock: most tokens checked are not revoked, and for them the filter's
// clear bit is the whole answer. Only a key the filter may hold is looked up under the shard's
// read lock. The clock is read only once an entry is found, because reading it costs as much
// as a lookup.

func (t *table) jtiRevoked(jti string) bool {
	h := t.hash(jti)
	sh := t.shardAt(h)
	if !sh.filters[jtiKeys].Load().mayHold(h) {
		return false
	}
	key, isHex := parseHexJTI(jti)
	var (
		exp uint32
		ok  bool
	)
	sh.mu.RLock()
	if isHex {
		exp, ok = sh.hexJTIs[key]
	} else {
		exp, ok = sh.jtis[jti]
	}
	sh.mu.RUnlock()
	return ok && live(exp, t.now())
}

func (t *table) userRevoked(userID string, iat time.Time) bool {
	h := t.hash(userID)
	sh := t.shardAt(h)
	if !sh.filters[userKeys].Load().mayHold(h) {
		return false
	}
	sh.mu.RLock()
	c, ok := sh.users[userID]
	sh.mu.RUnlock()
	return ok && jwtkit.IssuedAtOrBefore(iat, time.Unix(c.issuedBefore, 0)) && live(c.expires, t.now())
}

func (t *table) familyRevoked(family string) bool {
	h := t.hash(family)
	sh := t.shardAt(h)
	if !sh.filters[familyKeys].Load().mayHold(h) {
		return false
	}
	sh.mu.RLock()
	exp, ok := sh.families[family]
	sh.mu.RUnlock()
	return ok && live(exp, t.now())
}

// purgeShards removes the expired entries and closed rotation answers of every shard, one
// shard lock at a time, and rebuilds a shard's filters under the same lock once enough of the
// keys they marked are gone.
func (t *table) purgeShards(ctx context.Context) (int, error) {
	removed := 0
	for i := range t.shards {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		sh, now := &t.shards[i], t.clock()
		sh.mu.Lock()
		n := sh.purge(t.seed, now.Unix())
		answers := sh.purgeAnswers(now)
		sh.mu.Unlock()
		t.entries.Add(-int64(n))
		removed += n + answers
	}
	return removed, nil
}

// purge deletes the shard's expired entries and rebuilds the filters that have lost enough of
// their keys; the caller holds sh.mu for writing and adjusts the store's entry count.
func (sh *shard) purge(seed maphash.Seed, now int64) int {
	jtis, families, users := purgeMap(sh.hexJTIs, now)+purgeMap(sh.jtis, now), purgeMap(sh.families, now), 0
	for k, c := range sh.users {
		if !live(c.expires, now) {
			delete(sh.users, k)
			users++
		}
	}
	sh.unmarked(seed, jtiKeys, jtis)
	sh.unmarked(seed, userKeys, users)
	sh.unmarked(seed, familyKeys, families)
	return jtis + users + families
}

func purgeMap[K comparable](m map[K]uint32, now int64) int {
	n := 0
	for k, exp := range m {
		if !live(exp, now) {
			delete(m, k)
			n++
		}
	}
	return n
}

// reserve counts one more entry, or fails with ErrFull at the cap. At the cap it first purges
// the shard being written to, at most once a second so a full store does not rescan a shard on
// every write. The caller holds sh.mu for writing.
func (t *table) reserve(sh *shard, now int64) error {
	for {
		n := t.entries.Load()
		if n < t.maxEntries {
			if t.entries.CompareAndSwap(n, n+1) {
				return nil
			}
			continue
		}
		if now <= sh.lastFullPurge {
			return fmt.Errorf("%w: %d entries (Config.MaxEntries)", ErrFull, t.maxEntries)
		}
		sh.lastFullPurge = now
		t.entries.Add(-int64(sh.purge(t.seed, now)))
	}
}

func (t *table) shardFor(key string) *shard { return t.shardAt(t.hash(key)) }

// hash is a key's hash: its low bits pick its shard, higher ones its place in the shard's
// filter.
func (t *table) hash(key string) uint64 { return maphash.String(t.seed, key) }

func (t *table) shardAt(h uint64) *shard { return &t.shards[h&t.mask] }

func (t *table) now() int64 { return t.clock().Unix() }

// live reports whether an entry expiring at exp (Unix seconds) is still in force at now. An
// entry expiring at second E lives while now < E, exactly like a token whose exp is E.
func live(exp uint32, now int64) bool { return exp == forever || int64(exp) > now }

// expirySeconds converts an expiry to Unix seconds rounded up, as the contract allows (never
// down): before 1970 becomes 0 (long past), beyond 2106 becomes forever.
func expirySeconds(t time.Time) uint32 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	switch {
	case sec <= 0:
		return 0
	case sec >= forever:
		return forever
	}
	return uint32(sec)
}

// parseHexJTI decodes a jti of exactly 32 lowercase hex characters. Upper-case hex is not
// decoded: keys are opaque, so "AB…" and "ab…" must stay different jtis. It looks each
// character up in a table and checks validity once at the end, because a branch per character
// mispredicts on random hex and cost more than the map lookup it precedes.
func parseHexJTI(jti string) (key [16]byte, ok bool) {
	if len(jti) != 32 {
		return key, false
	}
	var bad byte
	for i := range key {
		hi, lo := hexTable[jti[2*i]], hexTable[jti[2*i+1]]
		bad |= hi | lo
		key[i] = hi<<4 | lo&0x0f
	}
	return key, bad&0xf0 == 0
}

// hexTable maps a lowercase hex digit to its value and every other byte to 0xff.
var hexTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()
