package jwtkit

import (
	"context"
	"time"
)

// A deadline on every store call (Config.StoreTimeout): docs/design.md explains the choice.

// storeDeadline is the deadline core gives each call to s: timeout, or 0 (none) when it is off
// or s answers from the process's memory.
func storeDeadline(timeout time.Duration, s any) time.Duration {
	if _, inProcess := s.(InProcessStore); inProcess || timeout < 0 {
		return 0
	}
	return timeout
}

func noCancel() {}

// storeCtx is the context of one call to the Store (or its RotationStore): ctx bounded by
// StoreTimeout, so a store that hangs fails the call in time whatever ctx's own deadline is.
// WithTimeout keeps an earlier deadline of ctx.
func (a *Auth) storeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if a.storeTimeout == 0 {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, a.storeTimeout)
}

// limiterCtx is storeCtx for the LoginLimiter, which need not be the Store.
func (a *Auth) limiterCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if a.limiterTimeout == 0 {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, a.limiterTimeout)
}
