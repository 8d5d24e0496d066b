package jwtkit_test

import (
	"context"
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func BenchmarkIssuePair(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.auth.IssuePair(ctx, jwtkit.IntUserID(1), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateAccess is a cold validation: every iteration parses, verifies the
// signature and decodes the claims of the token again, then asks the store.
func BenchmarkValidateAccess(b *testing.B) {
	for _, alg := range []jwtkit.Algorithm{jwtkit.HS256, jwtkit.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			key, err := jwtkit.GenerateKey(alg, "")
			if err != nil {
				b.Fatal(err)
			}
			e := newEnv(b, func(c *jwtkit.Config) { c.SigningKey = key })
			tok := e.pair(b, jwtkit.IntUserID(1)).Access
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.auth.Validate(ctx, tok, jwtkit.TypeAccess); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProtectedCheck is the protected-route path an adapter runs per request: header
// parsing, validation, revocation check and user lookup.
func BenchmarkProtectedCheck(b *testing.B) {
	e := newEnv(b)
	header := "Bearer " + e.pair(b, jwtkit.IntUserID(1)).Access
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.auth.Authenticate(ctx, header); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkProtectedReject is the same path for a token that fails its signature check.
func BenchmarkProtectedReject(b *testing.B) {
	e := newEnv(b)
	tok := e.pair(b, jwtkit.IntUserID(1)).Access
	header := "Bearer " + tok[:len(tok)-2] + "AA"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.auth.Authenticate(ctx, header); err == nil {
			b.Fatal("accepted a forged token")
		}
	}
}
