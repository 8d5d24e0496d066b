package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// rotationGoroutines is how many concurrent refreshes race on one refresh token.
const rotationGoroutines = 64

// rotationThroughCore refreshes one token with rotation and blacklist-after-rotation from 64
// goroutines at once through core: exactly one gets a new pair, every other one is told the
// token is blacklisted. With shared stores the racers are split across two store instances,
// as two replicas of a service would be.
func (s suite) rotationThroughCore(t *testing.T, shared bool) {
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("storetest-rotation-secret-0123456789-xyz"), "")
	require.NoError(t, err)
	newAuth := func() *jwtkit.Auth {
		// The race is about atomicity, not latency: 64 refreshes queued on SQLite's one write
		// lock, on a machine busy with other builds, can wait past the default store deadline,
		// which storetest.Hang tests on its own.
		a, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: s.newStore(t), Stateless: true,
			RotateRefreshTokens: true, BlacklistAfterRotation: true, StoreTimeout: 30 * time.Second})
		require.NoError(t, err)
		return a
	}
	replicas := []*jwtkit.Auth{newAuth()}
	if shared {
		replicas = append(replicas, newAuth())
	}
	pair, err := replicas[0].IssuePair(context.Background(), jwtkit.StringUserID(newUser()), nil)
	require.NoError(t, err)

	var wins, blacklisted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range rotationGoroutines {
		auth := replicas[i%len(replicas)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := auth.Refresh(context.Background(), pair.Refresh)
			if err == nil {
				assert.NotEmpty(t, res.Refresh)
				wins.Add(1)
			} else if assert.ErrorIs(t, err, jwtkit.ErrBlacklisted) {
				blacklisted.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load(), "exactly one refresh wins")
	assert.Equal(t, int32(rotationGoroutines-1), blacklisted.Load())
}
