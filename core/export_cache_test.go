package jwtkit

// Test hooks for the external tests of the verified-token cache (cache_test.go).

// CacheHolds reports whether a's cache has an entry for exactly raw, without marking it used.
func CacheHolds(a *Auth, raw string) bool {
	return a.cache != nil && a.cache.Holds(raw)
}

// CacheLen returns the number of entries in a's cache and the bytes they are charged.
func CacheLen(a *Auth) (entries, bytes int) {
	if a.cache == nil {
		return 0, 0
	}
	return a.cache.Len()
}

// CacheBudget is the byte bound of a's cache.
func CacheBudget(a *Auth) int {
	if a.cache == nil {
		return 0
	}
	return a.cache.Budget()
}
