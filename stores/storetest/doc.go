// Package storetest is the conformance suite for jwtkit.Store backends: one exported test
// function that every store runs, so each backend proves the same contract instead of copying
// tests (the model is watermill's pub/sub test suite and gofiber/storage's tck).
//
// The module lives in stores/storetest and depends on core and testify only; a backend imports
// it from its tests, never from its library code.
//
// A backend's test file is its constructor plus one Run and one Bench call:
//
//	func newStore(tb testing.TB) jwtkit.Store {
//		s, err := memstore.New()
//		require.NoError(tb, err)
//		tb.Cleanup(func() { _ = s.Close() })
//		return s
//	}
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, newStore, storetest.Features{Purge: true, Rotation: true, Limiter: true})
//	}
//
//	func BenchmarkStore(b *testing.B) { storetest.Bench(b, newStore) }
//
// A networked backend connects to a real server in newStore (skipping, or failing under
// CI=true, when the server is missing) and sets Features.Shared, so the suite also checks that
// two stores on one server see each other's revocations and race fairly on RevokeOnce. The
// suite never assumes an empty store: every subtest uses fresh random jtis, user ids and family
// ids, so it can run against a server shared with other runs.
//
// Beyond the doc comments of jwtkit.Store, the suite pins down five points the interfaces
// leave open, and every backend must keep them:
//   - An empty jti, user id or family id is refused: Revoke, RevokeOnce, RevokeUser and
//     RevokeFamily return an error wrapping jwtkit.ErrEmptyKey, so a cutoff for the user ""
//     can never exist.
//   - A context that is already cancelled makes every method return an error for which
//     errors.Is(err, context.Canceled) holds, and changes nothing.
//   - Purge counts entries: each revoked jti, user cutoff and family it removes is one (and a
//     store may count its rotation answers, login attempts and bookkeeping rows too).
//   - RotateOnce with an expiry already past does not win and records nothing; a winning
//     RotateOnce whose graceUntil has passed records no answer; RotateOnce of an empty jti is
//     an error wrapping jwtkit.ErrEmptyKey.
//   - LoginAttempt with a limit below 1, a window not above zero, an empty key or an empty id
//     is an error (jwtkit.ErrEmptyKey for the empty ones) and counts nothing; keys and ids are
//     opaque strings of up to 200 bytes.
//
// The RotationStore subtests (RotateOnce, RotatedAnswerWindow, RotateOnceRace,
// RotationCancelledContext, and with Shared SharedRotation and SharedRotateOnceRace) and the
// LoginLimiter subtests (LoginLimit, LoginForget, LoginKeys, LoginBadInput, LoginLimitRace,
// LoginCancelledContext, and with Shared SharedLoginLimit) run for every store that implements
// the interface; Features.Rotation and Features.Limiter make them fail rather than skip when it
// does not. The limiter subtests use fixed times a whole second apart from a t0 near now.
//
// RotationThroughCore drives the store from core itself: 64 goroutines refresh one refresh
// token with rotation and blacklist-after-rotation, and exactly one may win (split across two
// store instances when Shared is set, as two replicas would be).
//
// Three more subtests go through core's public API (IssuePair, Serve, Authenticate,
// RevokeUser) with a real HS256 key and compare answers with the wire contract's exact bodies:
//   - ReplicasThroughCore: two Auths, each on a store instance of its own when Shared is set.
//     A logout on one makes the other answer 401 "Token is blacklisted" at refresh, verify
//     and logout, and refuse the access token the logout carried; RevokeUser on one makes the
//     other refuse that user's access and refresh tokens; a rotation on one uses the token up
//     on the other. Each revoked access token was validated on the other replica first, so
//     core's verified-token cache held it when the revocation came.
//   - RespelledThroughCore: after a logout on one replica, other spellings of the refresh and
//     access tokens (the signature's unused low bits changed, CR/LF inside or after it, '='
//     padding, blanks around) are refused with a 401 on the other, never a pass; a fresh pair
//     of the same user is accepted, because revocation is per jti.
//   - RestartThroughCore (Shared only): revocations made through one store and Auth are
//     still in force for a new store instance (its own client or pool) and a new Auth with
//     the same key, as after a process restart; the first store is closed by the cleanup
//     newStore registered before the second is made.
//
// Outage is the other shape a networked backend runs: given a store and hooks that cut and
// restore its backend (a Proxy, a killed server, a database file gone), it proves through
// core that the protected request, refresh and logout fail closed with the contract's 503
// store_unavailable, never a pass, and that the same store instance recovers by itself with
// what was revoked before the outage still revoked.
//
// Hang is the outage that closes nothing: given a store and hooks that make its backend stop
// answering while connections stay open (a Proxy's Hang, a paused server, a file another
// process holds locked), it proves through core, with StoreTimeout HangTimeout and callers
// whose contexts have no deadline, that the protected request, refresh, verify, logout,
// revoke-all and a rate-limited login each answer the 503 within HangTimeout + HangMargin,
// twice over and with 64 protected requests at once, and that the store answers again by
// itself after the hang. A store passes only if every call honours its context's deadline.
//
// The Expiry subtests wait for real time to pass: they set up all of their cases first, wait
// once until every short-lived revocation has expired, then check every case, so the whole
// suite takes about two seconds of wall time however many CPUs run it.
package storetest
