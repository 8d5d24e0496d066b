package jwtkit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrEmptyKey is what every store wraps when a revoking method is given an empty jti, user id
// or family id, or a LoginLimiter an empty key or attempt id: an empty key is refused so that,
// for example, a cutoff for the user "" can never exist. Test for it with errors.Is.
var ErrEmptyKey = errors.New("jwtkit: empty key")

// Store holds the revocation state of a deployment: blacklisted token ids, per-user
// "log out everywhere" cutoffs and revoked token families. It is shared by every replica of a
// service when the backend is (Redis, SQL), and per process for the memory store.
//
// Stores are deliberately dumb: they see opaque keys and absolute times and never parse tokens.
// Every method takes a context first and must return promptly with the context's error once it
// is cancelled.
//
// The contract every implementation keeps, proven by the storetest conformance suite:
//   - A miss is (false, nil). A non-nil error means only that the store could not answer
//     (infrastructure failure or a cancelled context); callers then fail closed.
//   - Entries may be forgotten once their expiry has passed, because the token they describe
//     fails its own exp check by then. Expiry is honoured to within one second: a store may round
//     an expiry up to the next whole second, never down.
//   - Operations on keys the store has never seen are not errors; an empty jti, user id or
//     family id given to a revoking method is, an error wrapping ErrEmptyKey (so a cutoff for
//     the user "" can never exist).
//   - A cancelled context makes every method return an error that matches context.Canceled,
//     and changes nothing.
type Store interface {
	// Revoke records jti as revoked until expires. Revoking an already revoked jti succeeds and
	// keeps the later of the two expiries.
	Revoke(ctx context.Context, jti string, expires time.Time) error

	// RevokeOnce atomically revokes jti unless it is already revoked, and reports whether this
	// call was the one that revoked it. Of any number of concurrent callers for one jti, across
	// every process sharing the store, exactly one gets won == true. Refresh rotation is built on
	// this: only the winner mints new tokens.
	RevokeOnce(ctx context.Context, jti string, expires time.Time) (won bool, err error)

	// RevokeUser revokes every token of userID whose issue time is at or before issuedBefore,
	// compared in whole seconds (a token's iat has second resolution). A later cutoff replaces an
	// earlier one; an earlier cutoff never lowers a later one. The record may be forgotten after
	// expires, when every token it covers has expired.
	RevokeUser(ctx context.Context, userID string, issuedBefore, expires time.Time) error

	// RevokeFamily revokes every token that carries the family id until expires.
	RevokeFamily(ctx context.Context, family string, expires time.Time) error

	// Revoked reports whether the token described by ref is revoked by its jti, by its user's
	// cutoff, or by its family, in one call so that networked stores answer in one round trip.
	// An empty UserID or Family is not looked up.
	Revoked(ctx context.Context, ref TokenRef) (bool, error)
}

// TokenRef is what a store needs to know about a token to answer Revoked.
type TokenRef struct {
	JTI      string
	UserID   string
	Family   string
	IssuedAt time.Time
}

// Purger is implemented by stores that keep expired entries until asked to remove them. Purge
// removes entries whose expiry has passed and reports how many it removed; a store that purges
// in bounded batches keeps going until nothing expired is left or ctx ends.
type Purger interface {
	Purge(ctx context.Context) (removed int, err error)
}

// IssuedAtOrBefore reports whether a token issued at iat falls under a user cutoff, in the
// whole-second resolution of the contract. Stores that compare in Go use it so every backend
// draws the same-second boundary the same way.
func IssuedAtOrBefore(iat, cutoff time.Time) bool {
	return iat.Unix() <= cutoff.Unix()
}

// RotationStore is implemented by stores that can keep the answer of a refresh-token rotation
// for reuse detection's grace window (Config.ReuseGrace). Core seals the answer before handing it
// over (only a holder of the rotated token can open it), so to the store it is opaque bytes.
type RotationStore interface {
	// RotateOnce is RevokeOnce that, when this call wins, also records answer for jti until
	// graceUntil, in the same atomic step: a caller that loses the race and then asks
	// RotatedAnswer sees the winner's answer, never a window in which jti is revoked but the
	// answer not yet there.
	RotateOnce(ctx context.Context, jti string, expires time.Time, answer []byte, graceUntil time.Time) (won bool, err error)

	// RotatedAnswer returns the answer recorded for jti while its graceUntil is after now, and
	// (nil, nil) when there is none or its window has closed. A store may forget an answer once
	// its window has closed.
	RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error)
}

// InProcessStore is implemented by a Store or LoginLimiter that answers from the process's own
// memory, with no I/O and no wait that could outlast a moment (the memory store). Core calls it
// without the deadline of Config.StoreTimeout: nothing can hang, and the deadline's timer would
// cost more than the call. A store that talks to anything outside the process must not
// implement it.
type InProcessStore interface {
	// InProcess marks the implementation; core never calls it.
	InProcess()
}

// LoginLimiter counts login attempts per key (a hashed username, a client address) in a
// sliding window, for Config.LoginRate. Stores implement it so every replica sharing the store
// shares the count.
type LoginLimiter interface {
	// LoginAttempt atomically counts one attempt against key, identified by id (unique per
	// attempt), unless limit attempts already fall within (now-window, now]: then it counts
	// nothing and returns how long until the oldest of the attempts that block it leaves the
	// window (always > 0). Otherwise it returns 0. Of any number of concurrent callers for one
	// key, at most limit are counted within a window.
	LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (retryAfter time.Duration, err error)

	// LoginForget removes the attempt id from key's count (a login that succeeded is never
	// counted). Forgetting an unknown attempt is not an error.
	LoginForget(ctx context.Context, key, id string) error
}

// CheckKey is how a store begins a method that takes a key, so every backend refuses alike and
// before any work: ctx's error when it is already done, an error wrapping ErrEmptyKey that names
// the key (what) when key is empty, else nil.
func CheckKey(ctx context.Context, what, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("%w: %s", ErrEmptyKey, what)
	}
	return nil
}
