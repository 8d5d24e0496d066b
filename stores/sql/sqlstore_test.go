package sqlstore_test

import (
	"context"
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

// TestConformance runs the store contract on every dialect, each on a table prefix of its own
// (migrated first, dropped after). Stores from newStore each have their own *sql.DB, so the
// Shared subtests prove what two replicas of a service would see.
func TestConformance(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		storetest.Run(t, e.newStore, storetest.Features{Purge: true, Shared: true, Rotation: true, Limiter: true})
	})
}

func BenchmarkStore(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) { storetest.Bench(b, newEnv(b, d.dialect).newStore) })
	}
}

// BenchmarkRotation refreshes with rotation through core: every op is a Revoked and a
// RevokeOnce round trip plus signing. Each goroutine follows a chain of refresh tokens of its
// own.
func BenchmarkRotation(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			auth := newAuth(b, newEnv(b, d.dialect).newStore(b))
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				pair, err := auth.IssuePair(ctx, jwtkit.StringUserID("bench-"+newJTI()), nil)
				if err != nil {
					b.Error(err)
					return
				}
				refresh := pair.Refresh
				for pb.Next() {
					res, err := auth.Refresh(ctx, refresh)
					if err != nil {
						b.Error(err)
						return
					}
					refresh = res.Refresh
				}
			})
		})
	}
}
