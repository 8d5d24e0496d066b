// Package redisstore is the Redis jwtkit.Store: blacklisted jtis, per-user "log out
// everywhere" cutoffs and revoked token families, shared by every replica of a service that
// talks to the same Redis, and kept across restarts of the service.
//
// The module lives in the folder stores/redis, but the package is named redisstore so call
// sites read redisstore.New(…) and never clash with go-redis's own package redis, which the
// same file usually imports.
//
//	store, err := redisstore.NewFromURL("redis://127.0.0.1:6379/0") // owns its client
//	// or, on a client you own (single node, Cluster, Sentinel):
//	store, err := redisstore.New(client, redisstore.Config{Prefix: "myapp:jwt:"})
//	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
//
// # Key layout
//
// Every record is one key (a string; a login key's attempts a sorted set) with a TTL equal to
// its expiry, so Redis forgets it when the token it describes has expired anyway, or the
// window it counts in has passed, and nothing needs purging (the store is no jwtkit.Purger):
//
//	<prefix>j:{<jti>}     a revoked jti; value: "1", or the nonce of the RevokeOnce (or
//	                      RotateOnce) that won
//	<prefix>u:{<user id>} a user's cutoff; value: the cutoff in Unix seconds, e.g. "1800000000"
//	<prefix>f:{<family>}  a revoked token family; value: "1"
//	<prefix>a:{<jti>}     the answer of the RotateOnce that won; value: graceUntil as 8 bytes of
//	                      big-endian Unix nanoseconds, then the answer; TTL: until graceUntil
//	<prefix>l:{<key>}     a login key's attempts; a sorted set of attempt ids scored by their
//	                      time in Unix microseconds; TTL: a window after the latest attempt
//
// The prefix is Config.Prefix ("jwtkit:" by default). The id in braces is the key's Cluster
// hash tag: every record about one id (a jti's revocation and its rotation answer, say) lands
// in one slot, so a script over them stays Cluster-safe,
// while different ids spread over the whole cluster. A '}' in an id would end the tag early, so
// ids are escaped inside the braces ('\' becomes `\\`, '}' becomes `\)`); for that reason, too,
// a prefix may not contain braces.
//
// # Atomicity
//
// Every operation but RotateOnce touches one key, and each is atomic in Redis itself:
//   - RevokeOnce is one SET key nonce NX GET PX ttl. Its value is a nonce unique to the call, so
//     a call that go-redis retried after its first attempt landed (a reply lost to a broken
//     connection) finds its own nonce and still wins, where a plain SET NX would report a loss
//     nobody won; of any number of callers exactly one wins.
//   - Revoke and RevokeFamily run a Lua script that creates the key or lengthens its TTL, never
//     shortens it. (SET has no GT option; SET NX then PEXPIRE GT in a MULTI would do the same on
//     Redis 7 in four commands where the script is one.)
//   - RevokeUser runs a Lua script that keeps the later cutoff and the longer TTL of the old and
//     the new record.
//   - RotateOnce runs one Lua script over the jti's key and its answer's key, which share the
//     jti's hash tag and so one slot: it claims the jti like RevokeOnce (nonce included) and
//     writes the answer in the same step, so nobody can see the jti revoked without its answer.
//   - LoginAttempt runs one Lua script on the key's sorted set: drop attempts at or before
//     now-window, count the rest, then record the attempt or return how long until the
//     limit-th newest leaves the window. Times come from the caller's now, not Redis's clock.
//
// Revoked reads up to three keys in different slots. It sends them as one pipeline (EXISTS,
// GET, EXISTS): one round trip to a single server, and on Cluster go-redis sends each node its
// share at the same time. A single Lua script over the three keys would fail with CROSSSLOT on
// Cluster, and the keys cannot share a tag: Revoke sees only a jti, not the token's user or
// family.
//
// # Expiry and clocks
//
// The store turns each absolute expiry into a TTL with the application's clock (time.Until,
// rounded up to the millisecond) and writes it with PX, rather than sending the absolute time
// with PXAT. A token's exp is judged by the application's clock, so the revocation lasts exactly
// as long as the application thinks it must, whatever the Redis server's clock says; network
// latency only lengthens it, which the store contract allows. An expiry already past records
// nothing (RevokeOnce then reports won == false: an expired token must not be rotated), and an
// expiry more than about 292 years away is kept for 292 years.
//
// # Failures and deadlines
//
// There is no operation timeout in Config: each call's context carries the deadline, and core
// gives each call it makes one (jwtkit.Config.StoreTimeout). A client made by NewFromURL has
// go-redis's ContextTimeoutEnabled on, so a server that stops answering fails each call by that
// deadline (go-redis's retries, dial retries and pool waits all give way to it). New refuses a
// *redis.Client, *redis.ClusterClient or *redis.Ring without the option, which would hold calls
// to a hung server for its ReadTimeout and retries. Any failure is an error,
// never a "not revoked": core turns it into jwtkit.ErrStoreUnavailable (a 503), and the store
// answers again by itself once Redis is back.
//
// Durability is Redis's: with the default of no persistence a Redis restart forgets every
// revocation. Run Redis with appendonly yes (appendfsync always or everysec) where revocations
// must survive a Redis crash, and note that a Sentinel or Cluster failover may lose the last
// writes a master acknowledged but had not yet replicated. Do not point Revoked at replicas
// (ReadOnly, RouteByLatency or RouteRandomly on a Cluster client): a replica that lags behind
// answers "not revoked" for a token revoked a moment ago.
//
// Requires Redis 7.0 or later (SET with both NX and GET).
package redisstore
