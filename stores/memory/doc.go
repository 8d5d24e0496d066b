// Package memstore is the in-memory jwtkit.Store: blacklisted jtis, per-user "log out
// everywhere" cutoffs and revoked token families, held in the process's memory. It is also a
// jwtkit.RotationStore (the answers of reuse detection's grace window) and a
// jwtkit.LoginLimiter (login attempts in an exact sliding window), per process too.
//
// The module lives in the folder stores/memory, but the package is named memstore so call
// sites read memstore.New() and never clash with another package called memory.
//
//	store, err := memstore.New() // or memstore.New(memstore.Config{MaxEntries: 1_000_000})
//	if err != nil { … }
//	defer store.Close()
//	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
//
// State is per process and forgotten on restart: a token revoked before a restart is valid
// again afterwards, and replicas do not see each other's revocations. Use it for a single
// instance, for development and for tests; use a Redis or SQL store where revocations must
// survive restarts or be shared.
//
// A reader meets the contract first: memstore.go is the Store as jwtkit.Store sees it, each
// method a check of its context and key and one call into the table. table.go (shards,
// compact jtis, padding) and filter.go (the Bloom filters) are the machinery behind it, there
// only for speed and documented at the top of table.go; limiter.go and rotation.go are the
// LoginLimiter and RotationStore on the same shards.
//
// How it is built, and why:
//   - Lock striping: entries are spread over Config.Shards shards, each with its own
//     sync.RWMutex, picked by hash/maphash with a seed per store. RevokeOnce is atomic under
//     its shard's write lock.
//   - Lock-free "not revoked": each shard keeps a Bloom filter per kind of key (jti, user,
//     family), written under the write lock after the map insert and read with one atomic
//     load. Revoked answers a key the filter rules out without any lock, and looks up under
//     the read lock only a key the filter may hold. It does not allocate.
//   - Compact jtis: a jti of exactly 32 lowercase hex characters (what jwtkit issues) is kept as
//     16 decoded bytes with its expiry as uint32 Unix seconds: about 47 bytes of heap an entry
//     at a million entries, the filter included. Other jtis (tokens from foreign issuers) are kept as strings.
//   - Whole seconds: expiries are rounded up to the second, which the store contract allows.
//     An expiry beyond 2106-02-07, where uint32 seconds end, is kept until the process ends.
//   - Expired entries are treated as absent at once (by Config.Clock) and removed by a
//     background purge every Config.PurgeInterval, or by Purge.
//   - Fail closed when full: at Config.MaxEntries entries a write returns an error wrapping
//     ErrFull rather than evicting a live revocation, which would make a revoked token valid.
//   - Empty keys are refused with jwtkit.ErrEmptyKey, so a cutoff for the user "" can never exist.
//   - Rotation answers live in a map of their own in the jti's shard, written under the same
//     lock as the revocation, so a RotateOnce and its answer are one atomic step; they do not
//     count towards MaxEntries and are purged once their grace window has closed.
//   - Login attempts live in shards of their own (one mutex each, apart from the revocation
//     shards), each key's attempts oldest first, capped by Config.MaxLoginAttempts.
package memstore
