package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// The reference store's jwtkit.RotationStore and jwtkit.LoginLimiter, and their mutants.

type refAnswer struct {
	answer     []byte
	graceUntil time.Time
}

var (
	_ jwtkit.RotationStore = refStore{}
	_ jwtkit.LoginLimiter  = refStore{}
)

func (s refStore) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, graceUntil time.Time) (bool, error) {
	if err := check(ctx, jti); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if now.Before(s.jtis[jti]) || !now.Before(exp) {
		return false, nil
	}
	s.jtis[jti] = exp
	s.answers[jti] = refAnswer{bytes.Clone(answer), graceUntil}
	return true, nil
}

func (s refStore) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[jti]
	if !ok || !now.Before(a.graceUntil) {
		return nil, nil
	}
	return bytes.Clone(a.answer), nil
}

func checkRate(limit int, window time.Duration) error {
	if limit < 1 || window <= 0 {
		return errors.New("limit and window must be positive")
	}
	return nil
}

// window returns the times of key's attempts within (now-window, now], oldest first. The
// caller holds s.mu.
func (s refStore) window(key string, window time.Duration, now time.Time) []time.Time {
	var in []time.Time
	for _, at := range s.attempts[key] {
		if at.After(now.Add(-window)) {
			in = append(in, at)
		}
	}
	slices.SortFunc(in, time.Time.Compare)
	return in
}

func (s refStore) record(key, id string, now time.Time) {
	if s.attempts[key] == nil {
		s.attempts[key] = map[string]time.Time{}
	}
	s.attempts[key][id] = now
}

func (s refStore) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if err := check(ctx, key, id); err != nil {
		return 0, err
	}
	if err := checkRate(limit, window); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.window(key, window, now); len(in) >= limit {
		return in[len(in)-limit].Add(window).Sub(now), nil
	}
	s.record(key, id, now)
	return 0, nil
}

func (s refStore) LoginForget(ctx context.Context, key, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.attempts[key], id)
	return nil
}

// Mutants of the optional interfaces; see mutants in storetest_test.go.
type (
	// plainStore hides every method but jwtkit.Store's.
	plainStore      struct{ jwtkit.Store }
	racyRotate      struct{ refStore }
	loserOverwrites struct{ refStore }
	endlessGrace    struct{ refStore }
	deafRotation    struct{ refStore }
	oldestBlocks    struct{ refStore }
	countsRefusals  struct{ refStore }
	fixedWindow     struct{ refStore }
	racyLimiter     struct{ refStore }
	forgetNothing   struct{ refStore }
	foldedKeys      struct{ refStore }
	lenientLimiter  struct{ refStore }
	deafLimiter     struct{ refStore }
)

// RotateOnce revokes first and records the answer a moment later: a loser can look in between.
func (s racyRotate) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, graceUntil time.Time) (bool, error) {
	won, err := s.RevokeOnce(ctx, jti, exp)
	if err != nil || !won {
		return won, err
	}
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[jti] = refAnswer{bytes.Clone(answer), graceUntil}
	return true, nil
}

func (s loserOverwrites) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, graceUntil time.Time) (bool, error) {
	won, err := s.refStore.RotateOnce(ctx, jti, exp, answer, graceUntil)
	if err == nil && !won {
		s.mu.Lock()
		s.answers[jti] = refAnswer{bytes.Clone(answer), graceUntil}
		s.mu.Unlock()
	}
	return won, err
}

func (s endlessGrace) RotatedAnswer(ctx context.Context, jti string, _ time.Time) ([]byte, error) {
	return s.refStore.RotatedAnswer(ctx, jti, time.Time{})
}

func (s deafRotation) RotateOnce(_ context.Context, jti string, exp time.Time, answer []byte, graceUntil time.Time) (bool, error) {
	return s.refStore.RotateOnce(context.Background(), jti, exp, answer, graceUntil)
}

// LoginAttempt waits for the oldest attempt in the window, not the one that must leave.
func (s oldestBlocks) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	retry, err := s.refStore.LoginAttempt(ctx, key, id, limit, window, now)
	if err != nil || retry == 0 {
		return retry, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.window(key, window, now)[0].Add(window).Sub(now), nil
}

func (s countsRefusals) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	retry, err := s.refStore.LoginAttempt(ctx, key, id, limit, window, now)
	if err == nil && retry > 0 {
		s.mu.Lock()
		s.record(key, id, now)
		s.mu.Unlock()
	}
	return retry, err
}

// LoginAttempt counts in fixed windows aligned on multiples of window.
func (s fixedWindow) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if err := check(ctx, key, id); err != nil {
		return 0, err
	}
	if err := checkRate(limit, window); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start, n := now.Truncate(window), 0
	for _, at := range s.attempts[key] {
		if !at.Before(start) {
			n++
		}
	}
	if n >= limit {
		return start.Add(window).Sub(now), nil
	}
	s.record(key, id, now)
	return 0, nil
}

// LoginAttempt counts and records under separate locks.
func (s racyLimiter) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if err := check(ctx, key, id); err != nil {
		return 0, err
	}
	s.mu.Lock()
	in := s.window(key, window, now)
	s.mu.Unlock()
	if len(in) >= limit {
		return in[len(in)-limit].Add(window).Sub(now), nil
	}
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	s.record(key, id, now)
	s.mu.Unlock()
	return 0, nil
}

func (s forgetNothing) LoginForget(ctx context.Context, _, _ string) error { return ctx.Err() }

func (s foldedKeys) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	return s.refStore.LoginAttempt(ctx, strings.ToLower(key), id, limit, window, now)
}

// LoginAttempt lets everything through when the limit is not positive.
func (s lenientLimiter) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if limit < 1 {
		return 0, ctx.Err()
	}
	return s.refStore.LoginAttempt(ctx, key, id, limit, window, now)
}

func (s deafLimiter) LoginAttempt(_ context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	return s.refStore.LoginAttempt(context.Background(), key, id, limit, window, now)
}
