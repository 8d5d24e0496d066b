package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

const (
	// writePool is how many distinct jtis the write benchmarks cycle through: enough that the
	// first pass measures inserts, few enough that a long run cannot fill a capped store.
	writePool = 1 << 16
	// readPool is how many entries the read benchmarks revoke before the timer starts; kept
	// small because a networked store pays a round trip for each.
	readPool = 1 << 12
	// benchUsers is how many users the with-user-and-family benchmark spreads its refs over.
	benchUsers = 1 << 8
)

// Bench runs parallel benchmarks of the store (b.RunParallel, b.ReportAllocs) as
// sub-benchmarks:
//
//   - Revoke: Revoke of jtis cycling through a pool of 65536; inserts first, then updates.
//   - RevokeOnce: the same pool; the first pass wins, later passes measure the losing path.
//   - Revoked/hit: Revoked of a revoked jti.
//   - Revoked/miss: Revoked of a jti never revoked.
//   - Revoked/with-user-and-family: a ref with all three keys where none revokes it: the jti is
//     unknown, the user has a cutoff before the token's iat and the family is unknown, so the
//     store does every lookup.
//
// newStore is called once per sub-benchmark run with that sub-benchmark as tb.
func Bench(b *testing.B, newStore func(tb testing.TB) jwtkit.Store) {
	ctx := context.Background()

	b.Run("Revoke", func(b *testing.B) {
		st := newStore(b)
		jtis := jtiPool(writePool)
		exp := inAnHour()
		runParallel(b, func(i uint64) error {
			return st.Revoke(ctx, jtis[i%writePool], exp)
		})
	})

	b.Run("RevokeOnce", func(b *testing.B) {
		st := newStore(b)
		jtis := jtiPool(writePool)
		exp := inAnHour()
		runParallel(b, func(i uint64) error {
			_, err := st.RevokeOnce(ctx, jtis[i%writePool], exp)
			return err
		})
	})

	b.Run("Revoked", func(b *testing.B) {
		b.Run("hit", func(b *testing.B) {
			st := newStore(b)
			refs := make([]jwtkit.TokenRef, readPool)
			for i := range refs {
				refs[i] = jwtkit.TokenRef{JTI: newJTI()}
				if err := st.Revoke(ctx, refs[i].JTI, inAnHour()); err != nil {
					b.Fatal(err)
				}
			}
			benchRevoked(b, st, refs, true)
		})

		b.Run("miss", func(b *testing.B) {
			st := newStore(b)
			refs := make([]jwtkit.TokenRef, readPool)
			for i := range refs {
				refs[i] = jwtkit.TokenRef{JTI: newJTI()}
			}
			benchRevoked(b, st, refs, false)
		})

		b.Run("with-user-and-family", func(b *testing.B) {
			st := newStore(b)
			now := time.Now()
			users := make([]string, benchUsers)
			for i := range users {
				users[i] = newUser()
				if err := st.RevokeUser(ctx, users[i], now.Add(-time.Hour), inAnHour()); err != nil {
					b.Fatal(err)
				}
			}
			refs := make([]jwtkit.TokenRef, readPool)
			for i := range refs {
				refs[i] = jwtkit.TokenRef{JTI: newJTI(), UserID: users[i%benchUsers], Family: newFamily(), IssuedAt: now}
			}
			benchRevoked(b, st, refs, false)
		})
	})
}

func jtiPool(n int) []string {
	jtis := make([]string, n)
	for i := range jtis {
		jtis[i] = newJTI()
	}
	return jtis
}

func benchRevoked(b *testing.B, st jwtkit.Store, refs []jwtkit.TokenRef, want bool) {
	ctx := context.Background()
	n := uint64(len(refs))
	var wrong atomic.Bool
	runParallel(b, func(i uint64) error {
		revoked, err := st.Revoked(ctx, refs[i%n])
		if revoked != want {
			wrong.Store(true)
		}
		return err
	})
	if wrong.Load() {
		b.Errorf("Revoked answered %v, want %v", !want, want)
	}
}

// runParallel calls op with a per-goroutine counter from b.RunParallel and stops a goroutine
// at its first error. The counters start far apart so goroutines do not walk the key pools in
// lockstep.
func runParallel(b *testing.B, op func(i uint64) error) {
	var starts atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := starts.Add(1) * 7919
		for pb.Next() {
			if err := op(i); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
