package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func randomHexJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// BenchmarkRevokedNotRevoked measures the common answer of a protected request, "not revoked",
// for a ref with a jti and a user id, from every goroutine at once (run it with -cpu 1,2). The
// store holds 10,000 revoked jtis, so every jti shard has entries to check against. The refs
// are 64 distinct tokens cycled in the same order by every goroutine: one token alone would
// measure one seed's luck, since each store hashes with a seed of its own.
//
// In OtherUsersCutoff every ref's user shares its shard with a user who has a cutoff, so the
// user check cannot be skipped for a shard that has never seen a cutoff.
func BenchmarkRevokedNotRevoked(b *testing.B) {
	for _, cutoffs := range []bool{false, true} {
		name := "NoCutoffs"
		if cutoffs {
			name = "OtherUsersCutoff"
		}
		b.Run(name, func(b *testing.B) {
			s, err := New(Config{PurgeInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			now := time.Now()
			exp := now.Add(time.Hour)
			for range 10_000 {
				if err := s.Revoke(ctx, randomHexJTI(), exp); err != nil {
					b.Fatal(err)
				}
			}
			refs := make([]jwtkit.TokenRef, 64)
			for i := range refs {
				refs[i] = jwtkit.TokenRef{JTI: randomHexJTI(), UserID: "user-" + strconv.Itoa(i), IssuedAt: now}
				if !cutoffs {
					continue
				}
				for n := 0; ; n++ {
					other := "other-" + strconv.Itoa(i) + "-" + strconv.Itoa(n)
					if s.shardFor(other) == s.shardFor(refs[i].UserID) {
						if err := s.RevokeUser(ctx, other, now, exp); err != nil {
							b.Fatal(err)
						}
						break
					}
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if ok, err := s.Revoked(ctx, refs[i%len(refs)]); ok || err != nil {
						b.Errorf("Revoked = %v, %v for a token that is not revoked", ok, err)
						return
					}
					i++
				}
			})
		})
	}
}
