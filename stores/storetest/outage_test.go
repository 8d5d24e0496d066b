package storetest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errCut = errors.New("storetest: the store is cut off")

// cuttable is a reference store behind a switch: while cut, every call fails as a store whose
// server cannot be reached does.
type cuttable struct {
	refStore
	cut *atomic.Bool
}

func (s cuttable) down(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.cut.Load() {
		return errCut
	}
	return nil
}

func (s cuttable) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if err := s.down(ctx); err != nil {
		return err
	}
	return s.refStore.Revoke(ctx, jti, exp)
}

func (s cuttable) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if err := s.down(ctx); err != nil {
		return false, err
	}
	return s.refStore.RevokeOnce(ctx, jti, exp)
}

func (s cuttable) RevokeUser(ctx context.Context, user string, cutoff, exp time.Time) error {
	if err := s.down(ctx); err != nil {
		return err
	}
	return s.refStore.RevokeUser(ctx, user, cutoff, exp)
}

func (s cuttable) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if err := s.down(ctx); err != nil {
		return err
	}
	return s.refStore.RevokeFamily(ctx, family, exp)
}

func (s cuttable) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := s.down(ctx); err != nil {
		return false, err
	}
	return s.refStore.Revoked(ctx, ref)
}

func (s cuttable) RotateOnce(ctx context.Context, jti string, exp time.Time, answer []byte, grace time.Time) (bool, error) {
	if err := s.down(ctx); err != nil {
		return false, err
	}
	return s.refStore.RotateOnce(ctx, jti, exp, answer, grace)
}

func (s cuttable) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	if err := s.down(ctx); err != nil {
		return nil, err
	}
	return s.refStore.RotatedAnswer(ctx, jti, now)
}

func (s cuttable) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if err := s.down(ctx); err != nil {
		return 0, err
	}
	return s.refStore.LoginAttempt(ctx, key, id, limit, window, now)
}

func (s cuttable) LoginForget(ctx context.Context, key, id string) error {
	if err := s.down(ctx); err != nil {
		return err
	}
	return s.refStore.LoginForget(ctx, key, id)
}

// limiterFailsOpen lets every login attempt through while cut.
type limiterFailsOpen struct{ cuttable }

func (s limiterFailsOpen) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	if s.cut.Load() {
		return 0, nil
	}
	return s.cuttable.LoginAttempt(ctx, key, id, limit, window, now)
}

// failOpen answers "not revoked" instead of an error while cut.
type failOpen struct{ cuttable }

func (s failOpen) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if s.cut.Load() {
		return false, nil
	}
	return s.cuttable.Revoked(ctx, ref)
}

// outageMutants are outages Outage must fail on: a store that fails open, one that never
// comes back, and one that comes back having forgotten what was revoked.
var outageMutants = map[string]func(t *testing.T){
	"failOpen": func(t *testing.T) {
		s := cuttable{newRefStore()(t).(refStore), new(atomic.Bool)}
		Outage(t, failOpen{s}, OutageHooks{Cut: func() { s.cut.Store(true) }, Restore: func() { s.cut.Store(false) }})
	},
	"limiterFailsOpen": func(t *testing.T) {
		s := cuttable{newRefStore()(t).(refStore), new(atomic.Bool)}
		Outage(t, limiterFailsOpen{s}, OutageHooks{Cut: func() { s.cut.Store(true) }, Restore: func() { s.cut.Store(false) }})
	},
	"neverRecovers": func(t *testing.T) {
		s := cuttable{newRefStore()(t).(refStore), new(atomic.Bool)}
		Outage(t, s, OutageHooks{Cut: func() { s.cut.Store(true) }, Restore: func() {}, Recovery: time.Second})
	},
	"forgets": func(t *testing.T) {
		s := cuttable{newRefStore()(t).(refStore), new(atomic.Bool)}
		Outage(t, s, OutageHooks{Cut: func() { s.cut.Store(true) }, Restore: func() {
			s.mu.Lock()
			clear(s.jtis)
			clear(s.users)
			s.mu.Unlock()
			s.cut.Store(false)
		}})
	},
}

// TestOutageReferenceStore runs Outage on the reference store behind a switch, with a During
// hook that sees the outage too.
func TestOutageReferenceStore(t *testing.T) {
	s := cuttable{newRefStore()(t).(refStore), new(atomic.Bool)}
	during := false
	Outage(t, s, OutageHooks{
		Cut:     func() { s.cut.Store(true) },
		Restore: func() { s.cut.Store(false) },
		During: func(t *testing.T) {
			during = true
			assert.ErrorIs(t, s.Revoke(t.Context(), newJTI(), inAnHour()), errCut)
		},
	})
	assert.True(t, during, "During ran")
}

// TestOutageMutant runs the outage mutant named by STORETEST_OUTAGE_MUTANT; started by
// TestOutageCatchesMutants in a child process.
func TestOutageMutant(t *testing.T) {
	name := os.Getenv("STORETEST_OUTAGE_MUTANT")
	if name == "" {
		t.Skip("run by TestOutageCatchesMutants")
	}
	outageMutants[name](t)
}

func TestOutageCatchesMutants(t *testing.T) {
	for name := range outageMutants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestOutageMutant$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_OUTAGE_MUTANT="+name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "Outage passed a store with a bug:\n%s", out)
			assert.True(t, strings.Contains(string(out), "--- FAIL: TestOutageMutant "), "Outage did not fail:\n%s", out)
		})
	}
}
