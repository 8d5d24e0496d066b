package jwtkit

// Test hooks for the external tests of the verified-token cache (cache_test.go).

// get returns the entry of exactly raw, or nil, as a hit would.
func (c *tokenCache) get(raw string) *cacheEntry { return c.getHashed(c.hash(raw), raw) }

// CacheHolds reports whether a's cache has an entry for exactly raw, without marking it used.
func CacheHolds(a *Auth, raw string) bool {
	if a.cache == nil {
		return false
	}
	h := a.cache.hash(raw)
	s := a.cache.shard(h)
	s.mu.Lock() // nothing moves under the mutex, so the answer is exact
	defer s.mu.Unlock()
	return s.table.Load().lookup(h, raw) != nil
}

// CacheLen returns the number of entries in a's cache and the bytes they are charged.
func CacheLen(a *Auth) (entries, bytes int) {
	if a.cache == nil {
		return 0, 0
	}
	return a.cache.len()
}

// CacheBudget is the byte bound of a's cache.
func CacheBudget(a *Auth) int {
	if a.cache == nil {
		return 0
	}
	total := 0
	for i := range a.cache.shards {
		total += a.cache.shards[i].maxBytes
	}
	return total
}
