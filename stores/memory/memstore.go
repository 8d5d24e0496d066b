package memstore

import (
	"context"
	"errors"
	"sync"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// This file is the store as the jwtkit.Store contract sees it: each method checks its context
// and its key, then hands over to the table (table.go), which holds the revocations and is
// where the speed comes from.

// ErrFull: the store holds Config.MaxEntries entries, none of which could be purged, and
// cannot record another revocation. Callers fail closed on it like on any store error.
var ErrFull = errors.New("memstore: store is full")

var (
	_ jwtkit.Store          = (*Store)(nil)
	_ jwtkit.Purger         = (*Store)(nil)
	_ jwtkit.InProcessStore = (*Store)(nil)
)

// Store is an in-memory jwtkit.Store. It is safe for concurrent use. Create it with New and
// Close it when done, which stops its background purge.
type Store struct {
	table

	stop      chan struct{} // nil when the background purge is disabled
	done      chan struct{} // closed when the background purge goroutine has returned
	closeOnce sync.Once
}

// New returns a Store configured by cfg (at most one; none means ConfigDefault) and starts its
// background purge unless cfg.PurgeInterval is negative. An invalid configuration returns an
// error wrapping jwtkit.ErrInvalidConfig.
func New(cfg ...Config) (*Store, error) {
	c, err := configDefault(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{}
	s.init(c)
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
	if err := jwtkit.CheckKey(ctx, "jti", jti); err != nil {
		return err
	}
	_, err := s.revokeJTI(jti, expirySeconds(expires), false)
	return err
}

// RevokeOnce revokes jti unless it is already revoked, atomically under the shard's lock, and
// reports whether this call revoked it. A call with an expiry already past records nothing and
// does not win: a token that has expired must not be rotated.
func (s *Store) RevokeOnce(ctx context.Context, jti string, expires time.Time) (won bool, err error) {
	if err := jwtkit.CheckKey(ctx, "jti", jti); err != nil {
		return false, err
	}
	return s.revokeJTI(jti, expirySeconds(expires), true)
}

// RevokeFamily records family as revoked until expires (rounded up to the whole second),
// keeping the later expiry if it is already revoked.
func (s *Store) RevokeFamily(ctx context.Context, family string, expires time.Time) error {
	if err := jwtkit.CheckKey(ctx, "family", family); err != nil {
		return err
	}
	return s.revokeFamily(family, expirySeconds(expires))
}

// RevokeUser revokes every token of userID issued at or before issuedBefore (whole seconds),
// until expires. The cutoff and the expiry each only ever rise.
func (s *Store) RevokeUser(ctx context.Context, userID string, issuedBefore, expires time.Time) error {
	if err := jwtkit.CheckKey(ctx, "user id", userID); err != nil {
		return err
	}
	return s.revokeUser(userID, issuedBefore.Unix(), expirySeconds(expires))
}

// Revoked reports whether the token is revoked by its jti, its user's cutoff or its family.
// Empty fields of ref are not looked up. It does not allocate, and answers a token that is not
// revoked without taking a lock (see table.go).
func (s *Store) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	revoked := ref.JTI != "" && s.jtiRevoked(ref.JTI) ||
		ref.UserID != "" && s.userRevoked(ref.UserID, ref.IssuedAt) ||
		ref.Family != "" && s.familyRevoked(ref.Family)
	return revoked, nil
}

// Purge removes every expired entry, every rotation answer whose grace window has closed and
// every login attempt whose window has passed, and reports how many it removed (each is one).
// It locks one shard at a time, and stops early with ctx's error when ctx ends.
func (s *Store) Purge(ctx context.Context) (int, error) {
	removed, err := s.purgeShards(ctx)
	if err != nil {
		return removed, err
	}
	n, err := s.purgeLogins(ctx)
	return removed + n, err
}
