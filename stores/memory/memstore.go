package memstore

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

var (
	// ErrFull: the store holds Config.MaxEntries entries, none of which could be purged, and
	// cannot record another revocation. Callers fail closed on it like on any store error.
	ErrFull = errors.New("memstore: store is full")
)

var (
	_ jwtkit.Store          = (*Store)(nil)
	_ jwtkit.Purger         = (*Store)(nil)
	_ jwtkit.InProcessStore = (*Store)(nil)
)

// forever is the expiry of entries whose expires lies beyond what a uint32 of Unix seconds
// holds (2106-02-07): they are kept until the process ends rather than rounded down.
const forever = math.MaxUint32

// Store is an in-memory jwtkit.Store. It is safe for concurrent use. Create it with New and
// Close it when done, which stops its background purge.
type Store struct {
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

	stop      chan struct{} // nil when the background purge is disabled
	done      chan struct{} // closed when the background purge goroutine has returned
	closeOnce sync.Once
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

// New returns a Store configured by cfg (at most one; none means ConfigDefault) and starts its
// background purge unless cfg.PurgeInterval is negative. An invalid configuration returns an
// error wrapping jwtkit.ErrInvalidConfig.
func New(cfg ...Config) (*Store, error) {
	c, err := configDefault(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{
		shards:      make([]shard, c.Shards),
		mask:        uint64(c.Shards - 1),
		seed:        maphash.MakeSeed(),
		clock:       c.Clock,
		maxEntries:  int64(c.MaxEntries),
		logins:      make([]loginShard, c.Shards),
		maxAttempts: int64(c.MaxLoginAttempts),
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.hexJTIs = make(map[[16]byte]uint32)
		sh.jtis = make(map[string]uint32)
		sh.users = make(map[string]cutoff)
		sh.families = make(map[string]uint32)
		sh.answers = make(map[string]rotation)
		s.logins[i].keys = make(map[string][]attempt)
	}
	if c.PurgeInterval > 0 {
		s.stop = make(chan struct{})
		s.done = make(chan struct{})
		go s.purgeEvery(c.PurgeInterval)
	}
	return s, nil
}

// Close stops the background purge and waits for it to return. It is idempotent and always
// returns nil. The store keeps working after Close; it only stops purging by itself.
func (s *Store) Close() error {
	if s.stop == nil {
		return nil
	}
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}

func (s *Store) purgeEvery(interval time.Duration) {
	defer close(s.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
			_, _ = s.Purge(context.Background()) // cannot fail with a context that never ends
		}
	}
}

// Len reports how many entries the store holds, expired ones not yet purged included; compare
// it with Config.MaxEntries to watch how full the store is.
func (s *Store) Len() int { return int(s.entries.Load()) }

// InProcess tells core (jwtkit.InProcessStore) that the store answers from memory and never
// hangs, so core's per-call deadline (jwtkit.Config.StoreTimeout), whose timer would cost more
// than a Revoked check, is left off.
func (*Store) InProcess() {}

// Revoke records jti as revoked until expires (rounded up to the whole second). Revoking it
// again keeps the later expiry; an expiry already past records nothing.
func (s *Store) Revoke(ctx context.Context, jti string, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if jti == "" {
		return fmt.Errorf("%w: jti", jwtkit.ErrEmptyKey)
	}
	_, err := s.revokeJTI(jti, expires, false)
	return err
}

// RevokeOnce revokes jti unless it is already revoked, atomically under the shard's lock, and
// reports whether this call revoked it. A call with an expiry already past records nothing and
// does not win: a token that has expired must not be rotated.
func (s *Store) RevokeOnce(ctx context.Context, jti string, expires time.Time) (won bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if jti == "" {
		return false, fmt.Errorf("%w: jti", jwtkit.ErrEmptyKey)
	}
	return s.revokeJTI(jti, expires, true)
}

func (s *Store) revokeJTI(jti string, expires time.Time, once bool) (bool, error) {
	exp, now := expirySeconds(expires), s.now()
	sh := s.shardFor(jti)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if key, ok := parseHexJTI(jti); ok {
		return put(s, sh, sh.hexJTIs, key, exp, now, once, nil)
	}
	return put(s, sh, sh.jtis, jti, exp, now, once, strings.Clone)
}

// RevokeFamily records family as revoked until expires (rounded up to the whole second),
// keeping the later expiry if it is already revoked.
func (s *Store) RevokeFamily(ctx context.Context, family string, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if family == "" {
		return fmt.Errorf("%w: family", jwtkit.ErrEmptyKey)
	}
	exp, now, h := expirySeconds(expires), s.now(), s.hash(family)
	sh := s.shardAt(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, err := record(s, sh, sh.families, family, exp, now, false, strings.Clone, familyKeys, h)
	return err
}

// put records the jti key in m (sh.hexJTIs or sh.jtis) until exp, as record does. It is the
// one way a jti goes into a map, so that none misses its mark in the jti filter.
func put[K [16]byte | string](s *Store, sh *shard, m map[K]uint32, key K, exp uint32, now int64, once bool, own func(K) K) (bool, error) {
	return record(s, sh, m, key, exp, now, once, own, jtiKeys, jtiHash(s.seed, key))
}

// record records key in m until exp. When the key is already live it keeps the later expiry,
// or with once reports a loss and changes nothing. own, when not nil, copies a key before it
// is stored so the map never pins the caller's memory. A new key is marked in the shard's
// filter of kind, under its hash h, after it is in the map. The caller holds sh.mu for
// writing.
func record[K comparable](s *Store, sh *shard, m map[K]uint32, key K, exp uint32, now int64, once bool, own func(K) K, kind int, h uint64) (bool, error) {
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
		if err := s.reserve(sh, now); err != nil {
			return false, err
		}
		if own != nil {
			key = own(key)
		}
	}
	m[key] = exp
	if !found {
		sh.mark(s.seed, kind, h)
	}
	return true, nil
}

// RevokeUser revokes every token of userID issued at or before issuedBefore (whole seconds),
// until expires. The cutoff and the expiry each only ever rise.
func (s *Store) RevokeUser(ctx context.Context, userID string, issuedBefore, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if userID == "" {
		return fmt.Errorf("%w: user id", jwtkit.ErrEmptyKey)
	}
	exp, cut, now, h := expirySeconds(expires), issuedBefore.Unix(), s.now(), s.hash(userID)
	sh := s.shardAt(h)
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
		if err := s.reserve(sh, now); err != nil {
			return err
		}
		userID = strings.Clone(userID)
	}
	sh.users[userID] = cutoff{issuedBefore: cut, expires: exp}
	if !found {
		sh.mark(s.seed, userKeys, h)
	}
	return nil
}

// Revoked reports whether the token is revoked by its jti, its user's cutoff or its family.
// Empty fields of ref are not looked up. It does not allocate.
//
// Each key is first checked against its shard's filter, without the lock: most tokens checked
// are not revoked, and for them the filter's clear bit is the whole answer. Only a key the
// filter may hold is looked up under the shard's read lock.
func (s *Store) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	// The clock is read only once an entry is found: most tokens checked are not revoked, and
	// reading the clock costs as much as a lookup.
	if ref.JTI != "" && s.jtiRevoked(ref.JTI) {
		return true, nil
	}
	if ref.UserID != "" {
		h := s.hash(ref.UserID)
		if sh := s.shardAt(h); sh.filters[userKeys].Load().mayHold(h) {
			sh.mu.RLock()
			c, ok := sh.users[ref.UserID]
			sh.mu.RUnlock()
			if ok && jwtkit.IssuedAtOrBefore(ref.IssuedAt, time.Unix(c.issuedBefore, 0)) && live(c.expires, s.now()) {
				return true, nil
			}
		}
	}
	if ref.Family != "" {
		h := s.hash(ref.Family)
		if sh := s.shardAt(h); sh.filters[familyKeys].Load().mayHold(h) {
			sh.mu.RLock()
			exp, ok := sh.families[ref.Family]
			sh.mu.RUnlock()
			if ok && live(exp, s.now()) {
				return true, nil
			}
		}
	}
	return false, nil
}

func (s *Store) jtiRevoked(jti string) bool {
	h := s.hash(jti)
	sh := s.shardAt(h)
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
	return ok && live(exp, s.now())
}

// Purge removes every expired entry, every rotation answer whose grace window has closed and
// every login attempt whose window has passed, and reports how many it removed (each is one).
// It locks one shard at a time, and stops early with ctx's error when ctx ends. A shard's
// filter is rebuilt under the same lock once enough of the keys it marked are gone.
func (s *Store) Purge(ctx context.Context) (int, error) {
	removed := 0
	for i := range s.shards {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		sh, now := &s.shards[i], s.clock()
		sh.mu.Lock()
		n := sh.purge(s.seed, now.Unix())
		answers := sh.purgeAnswers(now)
		sh.mu.Unlock()
		s.entries.Add(-int64(n))
		removed += n + answers
	}
	n, err := s.purgeLogins(ctx)
	return removed + n, err
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
func (s *Store) reserve(sh *shard, now int64) error {
	for {
		n := s.entries.Load()
		if n < s.maxEntries {
			if s.entries.CompareAndSwap(n, n+1) {
				return nil
			}
			continue
		}
		if now <= sh.lastFullPurge {
			return fmt.Errorf("%w: %d entries (Config.MaxEntries)", ErrFull, s.maxEntries)
		}
		sh.lastFullPurge = now
		s.entries.Add(-int64(sh.purge(s.seed, now)))
	}
}

func (s *Store) shardFor(key string) *shard { return s.shardAt(s.hash(key)) }

// hash is a key's hash: its low bits pick its shard, higher ones its place in the shard's
// filter.
func (s *Store) hash(key string) uint64 { return maphash.String(s.seed, key) }

func (s *Store) shardAt(h uint64) *shard { return &s.shards[h&s.mask] }

func (s *Store) now() int64 { return s.clock().Unix() }

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
