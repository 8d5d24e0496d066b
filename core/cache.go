package jwtkit

import "github.com/jwtkit/jwtkit/core/internal/tokencache"

// The verified-token cache (core/internal/tokencache) remembers tokens that passed a complete
// parse, so a token presented again skips the signature check and the JSON work. Each entry
// is current in the window parse computed (validity: not before nbf/iat minus the leeway,
// before exp plus the leeway). validateAs checks that window against the clock, the remote
// key, the wanted type and the store's revocation answer on every hit, so serving a token from
// the cache never changes an answer.

// cachedToken is what the cache keeps with a token's bytes.
type cachedToken struct {
	tok Token
	// key is the key whose signature check admitted the token. A remote key set can drop a
	// key after New, so a hit on an entry whose key is remote asks keySource.holds first.
	key *Key
}

// tokenCache is the cache of an Auth.
type tokenCache = tokencache.Cache[cachedToken]
