package storetest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangSwitch makes a hangable store stop answering and answer again.
type hangSwitch struct {
	mu      sync.Mutex
	stalled chan struct{} // nil: calls answer
	// writesOnly hangs only the writes, as SQLite's write lock does in WAL mode.
	writesOnly bool
	// wait is how a call waits while hung; waitForDeadline, the behaviour of a good store, by
	// default.
	wait func(ctx context.Context, stalled <-chan struct{}) error
}

func (h *hangSwitch) hang() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stalled == nil {
		h.stalled = make(chan struct{})
	}
}

func (h *hangSwitch) resume() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stalled != nil {
		close(h.stalled)
		h.stalled = nil
	}
}

func waitForDeadline(ctx context.Context, stalled <-chan struct{}) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-stalled:
		return nil
	}
}

func (h *hangSwitch) enter(ctx context.Context, write bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	stalled := h.stalled
	h.mu.Unlock()
	if stalled == nil || (!write && h.writesOnly) {
		return nil
	}
	if h.wait != nil {
		return h.wait(ctx, stalled)
	}
	return waitForDeadline(ctx, stalled)
}

// hangable is a reference store behind a hangSwitch.
type hangable struct {
	refStore
	h *hangSwitch
}

func newHangable(t *testing.T) hangable {
	return hangable{newRefStore()(t).(refStore), &hangSwitch{}}
}

func (s hangable) hooks(readsAnswer bool) HangHooks {
	return HangHooks{Hang: s.h.hang, Resume: s.h.resume, ReadsAnswer: readsAnswer}
}

func (s hangable) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if err := s.h.enter(ctx, true); err != nil {
		return err
	}
	return s.refStore.Revoke(ctx, jti, exp)
}

func (s hangable) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if err := s.h.enter(ctx, true); err != nil {
		return false, err
	}
	return s.refStore.RevokeOnce(ctx, jti, exp)
}

func (s hangable) RevokeUser(ctx context.Context, user string, cutoff, exp time.Time) error {
	if err := s.h.enter(ctx, true); err != nil {
		return err
	}
	return s.refStore.RevokeUser(ctx, user, cutoff, exp)
}

func (s hangable) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if err := s.h.enter(ctx, true); err != nil {
		return err
	}
	return s.refStore.RevokeFamily(ctx, family, exp)
}

func (s hangable) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := s.h.enter(ctx, false); err != nil {
		return false, err
	}
	return s.refStore.Revoked(ctx, ref)
}

func (s hangable) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if err := s.h.enter(ctx, true); err != nil {
		return 0, err
	}
	return s.refStore.LoginAttempt(ctx, key, id, limit, window, now)
}

func (s hangable) LoginForget(ctx context.Context, key, id string) error {
	if err := s.h.enter(ctx, true); err != nil {
		return err
	}
	return s.refStore.LoginForget(ctx, key, id)
}

// failOpenOnDeadline answers "not revoked" when its deadline ends a hung Revoked.
type failOpenOnDeadline struct{ hangable }

func (s failOpenOnDeadline) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := s.h.enter(ctx, false); err != nil {
		return false, nil
	}
	return s.refStore.Revoked(ctx, ref)
}

// hangMutants are hung stores Hang must fail on: one that outlives its deadline (as go-redis
// without ContextTimeoutEnabled does, or lib/pq waiting on its cancel request), one that fails
// open when the deadline ends a call, and one that never answers again.
var hangMutants = map[string]func(t *testing.T){
	"ignoresDeadline": func(t *testing.T) {
		s := newHangable(t)
		s.h.wait = func(_ context.Context, stalled <-chan struct{}) error {
			select {
			case <-time.After(HangTimeout + HangMargin + 200*time.Millisecond):
				return context.DeadlineExceeded
			case <-stalled:
				return nil
			}
		}
		Hang(t, s, s.hooks(false))
	},
	"failOpenOnDeadline": func(t *testing.T) {
		s := newHangable(t)
		Hang(t, failOpenOnDeadline{s}, s.hooks(false))
	},
	"neverRecovers": func(t *testing.T) {
		s := newHangable(t)
		Hang(t, s, HangHooks{Hang: s.h.hang, Resume: func() {}, Recovery: time.Second})
		s.h.resume()
	},
	"readsHangToo": func(t *testing.T) {
		s := newHangable(t)
		Hang(t, s, s.hooks(true)) // claims reads answer while they hang
	},
}

// TestHangReferenceStore runs Hang on the reference store behind a hang switch: hanging every
// call, and hanging only writes.
func TestHangReferenceStore(t *testing.T) {
	t.Run("all calls", func(t *testing.T) {
		s := newHangable(t)
		Hang(t, s, s.hooks(false))
	})
	t.Run("writes only", func(t *testing.T) {
		s := newHangable(t)
		s.h.writesOnly = true
		Hang(t, s, s.hooks(true))
	})
}

// TestHangMutant runs the hang mutant named by STORETEST_HANG_MUTANT; started by
// TestHangCatchesMutants in a child process.
func TestHangMutant(t *testing.T) {
	name := os.Getenv("STORETEST_HANG_MUTANT")
	if name == "" {
		t.Skip("run by TestHangCatchesMutants")
	}
	hangMutants[name](t)
}

func TestHangCatchesMutants(t *testing.T) {
	for name := range hangMutants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHangMutant$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_HANG_MUTANT="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "Hang passed a store with a bug:\n%s", out)
			assert.True(t, strings.Contains(string(out), "--- FAIL: TestHangMutant "), "Hang did not fail:\n%s", out)
		})
	}
}
