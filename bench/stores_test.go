package bench_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
	"github.com/jwtkit/jwtkit/stores/open/opentest"
)

// storeParallelism is b.SetParallelism for the store benchmarks: goroutines per GOMAXPROCS.
// A networked store spends most of an operation waiting for its server, as a server's
// request goroutines do, so one goroutine per core would measure the round-trip latency, not
// the throughput. The same setting is used for every store, the memory store included.
const storeParallelism = 8

// refPool is how many distinct token refs the revocation-check benchmark cycles through.
const refPool = 1 << 12

// BenchmarkStores measures each store, in parallel, through what a service asks of it:
//
//   - op=refresh: auth.Refresh with rotation and blacklist-after-rotation, each goroutine
//     following its own chain of refresh tokens: a Revoked check, a RevokeOnce and the
//     signing of a new pair per operation.
//   - op=validate: auth.Validate of a valid access token, the same one every time (the
//     protected-request check without HTTP: parse, from the verified-token cache when core
//     has one, then the store's Revoked).
//   - op=revoked: the store's Revoked alone, for refs shaped as a protected request sends
//     them (jti, user id, iat), none revoked.
//
// Every store is reached as jwtkit's own tests reach it (stores/open/opentest): the shared
// local servers under a fresh prefix, removed afterwards; a server that is not running skips
// its store, or fails it under CI=true. ns/op is wall time per operation across all
// goroutines; ops/s is its inverse, the store's throughput. Compare with
// `benchstat -filter .name:Stores -col /store -row /op`.
func BenchmarkStores(b *testing.B) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, secret, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range storeopen.Kinds() {
		b.Run("store="+kind, func(b *testing.B) {
			ctx := context.Background()
			s := opentest.Settings(b, kind, "bench")
			s.AutoMigrate = true
			opened, err := storeopen.Open(ctx, s)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = opened.Close() })
			auth, err := jwtkit.New(jwtkit.Config{
				SigningKey:             key,
				Store:                  opened.Store,
				Users:                  users{},
				AccessTokenLifetime:    accessLifetime,
				RotateRefreshTokens:    true,
				BlacklistAfterRotation: true,
			})
			if err != nil {
				b.Fatal(err)
			}

			b.Run("op=refresh", func(b *testing.B) {
				runParallel(b, func(pb *testing.PB) error {
					pair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
					if err != nil {
						return err
					}
					tok := pair.Refresh
					for pb.Next() {
						res, err := auth.Refresh(ctx, tok)
						if err != nil {
							return err
						}
						tok = res.Refresh
					}
					return nil
				})
			})

			b.Run("op=validate", func(b *testing.B) {
				pair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
				if err != nil {
					b.Fatal(err)
				}
				runParallel(b, func(pb *testing.PB) error {
					for pb.Next() {
						if _, err := auth.Validate(ctx, pair.Access, jwtkit.TypeAccess); err != nil {
							return err
						}
					}
					return nil
				})
			})

			b.Run("op=revoked", func(b *testing.B) {
				refs := make([]jwtkit.TokenRef, refPool)
				now := time.Now().Truncate(time.Second)
				for i := range refs {
					refs[i] = jwtkit.TokenRef{JTI: randomJTI(), UserID: strconv.Itoa(i), IssuedAt: now}
				}
				var next atomic.Uint64
				runParallel(b, func(pb *testing.PB) error {
					i := next.Add(refPool / 16)
					for pb.Next() {
						revoked, err := opened.Store.Revoked(ctx, refs[i%refPool])
						if err != nil {
							return err
						}
						if revoked {
							b.Error("Revoked answered true for a ref nothing revoked")
						}
						i++
					}
					return nil
				})
			})
		})
	}
}

// runParallel runs body in b.RunParallel with storeParallelism and reports ops/s. A goroutine
// whose body returns an error fails the benchmark.
func runParallel(b *testing.B, body func(pb *testing.PB) error) {
	b.SetParallelism(storeParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		if err := body(pb); err != nil {
			b.Error(err)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// randomJTI is a jti as core mints it: 32 lowercase hex characters.
func randomJTI() string {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	return hex.EncodeToString(raw[:])
}

// BenchmarkMemoryPerJTI fills a memory store with a million revoked jtis (core's shape: 32
// hex characters) and reports the live heap it holds per jti (B/jti, measured after a GC
// before and after; the jti strings themselves are garbage once revoked), then measures
// Revoked hits at that size. The million inserts run once per -count, whatever b.N.
func BenchmarkMemoryPerJTI(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	sample := make([]string, 1024)
	for i := range sample {
		sample[i] = randomJTI()
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	st, err := memstore.New(memstore.Config{PurgeInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		jti := randomJTI()
		if i < len(sample) {
			jti = sample[i]
		}
		if err := st.Revoke(ctx, jti, exp); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if st.Len() != n {
		b.Fatalf("store holds %d entries, want %d", st.Len(), n)
	}
	perJTI := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		revoked, err := st.Revoked(ctx, jwtkit.TokenRef{JTI: sample[i%len(sample)]})
		if !revoked || err != nil {
			b.Fatalf("Revoked = %v, %v for a revoked jti", revoked, err)
		}
		i++
	}
	runtime.KeepAlive(st)
	b.ReportMetric(perJTI, "B/jti")
	_ = st.Close()
}
