package redisstore_test

import (
	"context"
	"crypto/rand"
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	"github.com/jwtkit/jwtkit/stores/storetest"
	"github.com/stretchr/testify/require"
)

// newStore is the conformance suite's constructor: a store with a client of its own on the
// shared server, under this test run's prefix, so two stores from it share state as two
// replicas of a service would.
func newStore(tb testing.TB) jwtkit.Store {
	needRedis(tb)
	s, err := redisstore.NewFromURL(redisURL(), redisstore.Config{Prefix: testPrefix})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	needRedis(t)
	storetest.Run(t, newStore, storetest.Features{Shared: true, Rotation: true, Limiter: true})
}

func BenchmarkStore(b *testing.B) {
	needRedis(b)
	storetest.Bench(b, newStore)
}

// BenchmarkRotation is refresh with rotation and blacklist-after-rotation through core, in
// parallel. Each goroutine follows its own chain of refresh tokens, so every iteration is one
// Revoked pipeline, one RevokeOnce and the signing of a new pair.
func BenchmarkRotation(b *testing.B) {
	auth := newAuth(b, newStore(b))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pair, err := auth.IssuePair(ctx, jwtkit.StringUserID("bench-"+rand.Text()), nil)
		if err != nil {
			b.Error(err)
			return
		}
		refresh := pair.Refresh
		for pb.Next() {
			next, err := auth.Refresh(ctx, refresh)
			if err != nil {
				b.Error(err)
				return
			}
			refresh = next.Refresh
		}
	})
}
