package memstore

import (
	"encoding/hex"
	"hash/maphash"
	"sync/atomic"
)

// The kinds of key a shard keeps a filter for, indexing shard.filters, shard.marked and
// shard.dropped. A kind of its own each, so that a store full of revoked jtis does not send the
// user check of every request to the lock, and a shard that has never seen a user cutoff or a
// family answers for them without even reading a filter.
const (
	jtiKeys = iota // sh.hexJTIs and sh.jtis, hashed as the jti string
	userKeys
	familyKeys
	keyKinds
)

const (
	// filterBitsPerKey is what a filter is sized for when it is built: three bits of one word
	// per key at 16 bits a key give about 0.8% false positives.
	filterBitsPerKey = 16
	// filterMinBitsPerKey is how crowded a filter may get before it is rebuilt twice the size:
	// about 1.5% false positives. Between the two a filter costs 1.5 to 4 bytes a key.
	filterMinBitsPerKey = 12
	// filterMinWords is one cache line, the least a shard that has recorded anything holds.
	filterMinWords = 8
	// filterMaxWords caps a filter at 8 GiB: the word index is hash bits 16 to 45 (above the
	// shard index, below the bit positions), so more words would reuse the shard's bits. A
	// filter at the cap keeps working, with more false positives.
	filterMaxWords = 1 << 30
)

// filter is a shard's negative filter for one kind of key: a Bloom filter blocked to 64-bit
// words, written under the shard's write lock and read by Revoked with atomic loads and no
// lock. A key sets three bits of one word, the word and the bits picked by the hash that also
// picks its shard, so a check is one load of memory that is only written when a key is
// recorded.
//
// A clear bit proves the key is in none of the shard's maps, because a write sets a new key's
// bits under the lock after the map insert, and a rebuild starts from the maps under the same
// lock. All bits set (the key's own, or a purged key's, or other keys')
// sends Revoked to the locked lookup: the filter only ever decides how fast the answer comes,
// never what it is.
type filter struct {
	words []atomic.Uint64 // a power of two of them; the slice itself never changes
}

func newFilter(keys int) *filter {
	words := filterMinWords
	for words < filterMaxWords && words*64 < keys*filterBitsPerKey {
		words *= 2
	}
	return &filter{words: make([]atomic.Uint64, words)}
}

// slot returns the word of hash h and the key's bits in it.
func (f *filter) slot(h uint64) (*atomic.Uint64, uint64) {
	bits := uint64(1)<<(h>>58) | uint64(1)<<(h>>52&63) | uint64(1)<<(h>>46&63)
	return &f.words[h>>16&uint64(len(f.words)-1)], bits
}

// mayHold reports whether a key of hash h may have been recorded. A nil filter stands for a
// shard that holds no key of the kind.
func (f *filter) mayHold(h uint64) bool {
	if f == nil {
		return false
	}
	w, bits := f.slot(h)
	return w.Load()&bits == bits
}

// add sets the bits of hash h. It skips the atomic write when they are already set, so a key
// recorded again does not take the cache line away from the cores reading it.
func (f *filter) add(h uint64) {
	if w, bits := f.slot(h); w.Load()&bits != bits {
		w.Or(bits)
	}
}

// crowded reports whether a filter that has had keys marked in it is due to grow.
func (f *filter) crowded(keys int) bool {
	return keys*filterMinBitsPerKey > len(f.words)*64 && len(f.words) < filterMaxWords
}

// mark records in the shard's filter of kind that a key of hash h has just gone into one of
// its maps, growing the filter when it has become crowded (a rebuild from the maps, which
// already hold the key). The caller holds sh.mu for writing and calls it only for a key that
// was not in the map: a key already there has its bits set, which rebuilds keep.
func (sh *shard) mark(seed maphash.Seed, kind int, h uint64) {
	f := sh.filters[kind].Load()
	if f == nil || f.crowded(sh.marked[kind]+1) {
		sh.rebuild(seed, kind)
		return
	}
	f.add(h)
	sh.marked[kind]++
}

// unmarked is called for keys of kind that were deleted from the shard's maps. Their bits stay
// set (false positives only) until enough have gone that a rebuild is worth its scan: a
// quarter of the keys the filter has marked, or all of them. The caller holds sh.mu for
// writing.
func (sh *shard) unmarked(seed maphash.Seed, kind, n int) {
	if n == 0 {
		return
	}
	sh.dropped[kind] += n
	if sh.dropped[kind]*4 >= sh.marked[kind] || sh.keys(kind) == 0 {
		sh.rebuild(seed, kind)
	}
}

// rebuild replaces the shard's filter of kind with one built from the keys its maps hold now,
// sized for them, or with nil when there are none, and publishes it with one atomic store. A
// Revoked that loaded the old filter before the store may still answer from it, which is
// linearizable: the old filter has the bits of every key recorded before the rebuild took the
// lock, and a key recorded after it is recorded by a write that ends after that Revoked
// started. The caller holds sh.mu for writing.
func (sh *shard) rebuild(seed maphash.Seed, kind int) {
	n := sh.keys(kind)
	var f *filter
	if n > 0 {
		f = newFilter(n)
		switch kind {
		case jtiKeys:
			for k := range sh.hexJTIs {
				f.add(hexHash(seed, k))
			}
			for k := range sh.jtis {
				f.add(maphash.String(seed, k))
			}
		case userKeys:
			for k := range sh.users {
				f.add(maphash.String(seed, k))
			}
		case familyKeys:
			for k := range sh.families {
				f.add(maphash.String(seed, k))
			}
		}
	}
	sh.filters[kind].Store(f)
	sh.marked[kind], sh.dropped[kind] = n, 0
}

// keys reports how many keys of kind the shard's maps hold; the caller holds sh.mu.
func (sh *shard) keys(kind int) int {
	switch kind {
	case jtiKeys:
		return len(sh.hexJTIs) + len(sh.jtis)
	case userKeys:
		return len(sh.users)
	default:
		return len(sh.families)
	}
}

// hexHash is the hash of a decoded hex jti as Revoked computes it from the jti string: the
// lowercase hex spelling, which is the only one parseHexJTI decodes, hashed as bytes (maphash
// gives a byte slice and a string of the same bytes one hash).
func hexHash(seed maphash.Seed, key [16]byte) uint64 {
	var buf [32]byte
	hex.Encode(buf[:], key[:])
	return maphash.Bytes(seed, buf[:])
}

// jtiHash is the hash of a jti map key, decoded or not.
func jtiHash[K [16]byte | string](seed maphash.Seed, key K) uint64 {
	if k, ok := any(key).([16]byte); ok {
		return hexHash(seed, k)
	}
	jti, _ := any(key).(string) // the only other type K can be
	return maphash.String(seed, jti)
}
