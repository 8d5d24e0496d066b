package memstore

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

var _ jwtkit.LoginLimiter = (*Store)(nil)

// loginShard is one lock's worth of the login limiter, apart from the revocation shards so
// that a burst of logins never holds up Revoked.
type loginShard struct {
	mu sync.Mutex
	// keys holds each key's attempts, oldest first.
	keys map[string][]attempt
	// lastFullPurge is the second of the last purge an attempt at the cap ran on this shard.
	lastFullPurge int64

	_ [64]byte // keeps each shard's lock on its own cache line
}

type attempt struct {
	id string
	at time.Time
	// until is at plus the window it was counted in: the attempt may be forgotten from then.
	until time.Time
}

// LoginAttempt counts one attempt against key in the exact sliding window (now-window, now],
// under the lock of key's shard, unless limit attempts already fall within it: then it counts
// nothing and returns how long until the attempt that blocks (the limit-th newest) leaves the
// window. Attempts are times as given by now, not by Config.Clock.
//
// An empty key or id wraps jwtkit.ErrEmptyKey; a limit below 1 or a window not above zero wraps
// jwtkit.ErrInvalidConfig (it comes from Config.LoginRate). At Config.MaxLoginAttempts
// recorded attempts a new one fails with an error wrapping ErrFull, which core answers with a
// 503: a full limiter never lets an attempt through uncounted.
func (s *Store) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (retryAfter time.Duration, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkAttempt(key, id, limit, window); err != nil {
		return 0, err
	}
	now = now.Round(0) // compare wall clocks only, as the other stores do
	sh := s.loginShardFor(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()

	list := s.dropExpired(sh, key, now)
	inWindow := list[firstAfter(list, now.Add(-window)):]
	if len(inWindow) >= limit {
		return inWindow[len(inWindow)-limit].at.Add(window).Sub(now), nil
	}
	if i := slices.IndexFunc(list, func(a attempt) bool { return a.id == id }); i >= 0 {
		// The same id again replaces its earlier attempt rather than counting twice.
		sh.set(key, slices.Delete(list, i, i+1))
		s.attempts.Add(-1)
	}
	if err := s.reserveAttempt(sh); err != nil {
		return 0, err
	}
	list, found := sh.keys[key] // read again: a purge at the cap may have changed it
	if !found {
		key = strings.Clone(key) // the map must not pin the caller's memory
	}
	sh.keys[key] = slices.Insert(list, firstAfter(list, now), attempt{id: strings.Clone(id), at: now, until: now.Add(window)})
	return 0, nil
}

// firstAfter returns the index of the first attempt of list (oldest first) made after t.
func firstAfter(list []attempt, t time.Time) int {
	i, _ := slices.BinarySearchFunc(list, t, func(a attempt, t time.Time) int {
		if a.at.After(t) {
			return 1
		}
		return -1
	})
	return i
}

// LoginForget removes the attempt id from key's count; an unknown key or id is not an error.
func (s *Store) LoginForget(ctx context.Context, key, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.loginShardFor(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	list := sh.keys[key]
	if i := slices.IndexFunc(list, func(a attempt) bool { return a.id == id }); i >= 0 {
		sh.set(key, slices.Delete(list, i, i+1))
		s.attempts.Add(-1)
	}
	return nil
}

// set stores key's attempts, or deletes the key when none is left; the caller holds sh.mu and
// key is already in the map.
func (sh *loginShard) set(key string, list []attempt) {
	if len(list) == 0 {
		delete(sh.keys, key)
	} else {
		sh.keys[key] = list
	}
}

func checkAttempt(key, id string, limit int, window time.Duration) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: login key", jwtkit.ErrEmptyKey)
	case id == "":
		return fmt.Errorf("%w: login attempt id", jwtkit.ErrEmptyKey)
	case limit < 1 || window <= 0:
		return invalid("LoginAttempt needs a limit of at least 1 and a positive window, got %d and %v", limit, window)
	}
	return nil
}

// dropExpired removes key's attempts whose own window has passed by now, and returns what
// remains. The caller holds sh.mu.
func (s *Store) dropExpired(sh *loginShard, key string, now time.Time) []attempt {
	list := sh.keys[key]
	// DeleteFunc works in place and zeroes the tail, so the map is updated at once.
	kept := slices.DeleteFunc(list, func(a attempt) bool { return !a.until.After(now) })
	if dropped := len(list) - len(kept); dropped > 0 {
		sh.set(key, kept)
		s.attempts.Add(-int64(dropped))
	}
	return kept
}

// reserveAttempt counts one more attempt, or fails with ErrFull at Config.MaxLoginAttempts. At
// the cap it first purges the shard, at most once a second. The caller holds sh.mu.
func (s *Store) reserveAttempt(sh *loginShard) error {
	for {
		n := s.attempts.Load()
		if n < s.maxAttempts {
			if s.attempts.CompareAndSwap(n, n+1) {
				return nil
			}
			continue
		}
		if sec := s.now(); sec > sh.lastFullPurge {
			sh.lastFullPurge = sec
			s.attempts.Add(-int64(sh.purge(s.clock())))
			continue
		}
		return fmt.Errorf("%w: %d login attempts (Config.MaxLoginAttempts)", ErrFull, s.maxAttempts)
	}
}

// purge deletes every attempt whose window has passed by now and reports how many; the caller
// holds sh.mu and adjusts the store's attempt count.
func (sh *loginShard) purge(now time.Time) int {
	n := 0
	for key, list := range sh.keys {
		kept := slices.DeleteFunc(list, func(a attempt) bool { return !a.until.After(now) })
		n += len(list) - len(kept)
		if len(kept) == 0 {
			delete(sh.keys, key)
		} else {
			sh.keys[key] = kept
		}
	}
	return n
}

// purgeLogins runs purge on every login shard, one lock at a time, and stops early with ctx's
// error.
func (s *Store) purgeLogins(ctx context.Context) (int, error) {
	removed := 0
	for i := range s.logins {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		sh := &s.logins[i]
		sh.mu.Lock()
		n := sh.purge(s.clock())
		sh.mu.Unlock()
		s.attempts.Add(-int64(n))
		removed += n
	}
	return removed, nil
}

func (s *Store) loginShardFor(key string) *loginShard {
	return &s.logins[maphash.String(s.seed, key)&s.mask]
}
