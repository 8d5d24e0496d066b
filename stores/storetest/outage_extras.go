package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// outageExtrasFailClosed checks, while the store is cut, that the optional interfaces it
// implements fail too: a rotation that cannot be recorded must not win, and a limiter that
// cannot count must not say "allowed" (core answers both with the 503).
func outageExtrasFailClosed(t *testing.T, store jwtkit.Store) {
	t.Helper()
	call := func(f func(ctx context.Context)) {
		ctx, cancel := context.WithTimeout(t.Context(), outageDeadline)
		defer cancel()
		start := time.Now()
		f(ctx)
		assert.Less(t, time.Since(start), outageDeadline+outageSlack, "a call during the outage outlived its deadline")
	}
	if rs, ok := store.(jwtkit.RotationStore); ok {
		call(func(ctx context.Context) {
			won, err := rs.RotateOnce(ctx, newJTI(), inAnHour(), newAnswer(), time.Now().Add(time.Hour))
			assert.Error(t, err, "RotateOnce during the outage")
			assert.False(t, won, "RotateOnce during the outage must not win")
		})
		call(func(ctx context.Context) {
			_, err := rs.RotatedAnswer(ctx, newJTI(), time.Now())
			assert.Error(t, err, "RotatedAnswer during the outage")
		})
	}
	if l, ok := store.(jwtkit.LoginLimiter); ok {
		call(func(ctx context.Context) {
			_, err := l.LoginAttempt(ctx, newLoginKey(), newAttemptID(), 1, loginWindow, time.Now())
			assert.Error(t, err, "LoginAttempt during the outage must not allow the attempt")
		})
		call(func(ctx context.Context) {
			assert.Error(t, l.LoginForget(ctx, newLoginKey(), newAttemptID()), "LoginForget during the outage")
		})
	}
}

// outageExtrasRecover checks, once the store answers again, that the optional interfaces it
// implements work again on the same instance.
func outageExtrasRecover(t *testing.T, store jwtkit.Store) {
	t.Helper()
	ctx := t.Context()
	if rs, ok := store.(jwtkit.RotationStore); ok {
		jti, answer, now := newJTI(), newAnswer(), time.Now()
		won, err := rs.RotateOnce(ctx, jti, inAnHour(), answer, now.Add(time.Hour))
		require.NoError(t, err, "RotateOnce after the outage")
		assert.True(t, won, "RotateOnce after the outage")
		got, err := rs.RotatedAnswer(ctx, jti, now)
		require.NoError(t, err, "RotatedAnswer after the outage")
		assert.Equal(t, answer, got, "RotatedAnswer after the outage")
	}
	if l, ok := store.(jwtkit.LoginLimiter); ok {
		key, id, now := newLoginKey(), newAttemptID(), time.Now()
		assert.Zero(t, attemptID(t, l, key, id, 1, now), "LoginAttempt after the outage")
		assert.Equal(t, loginWindow, attempt(t, l, key, 1, now), "LoginAttempt after the outage counts")
		require.NoError(t, l.LoginForget(ctx, key, id), "LoginForget after the outage")
		assert.Zero(t, attempt(t, l, key, 1, now), "LoginForget after the outage frees the slot")
	}
}
