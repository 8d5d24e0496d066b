package jwtkit_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

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

// nopStore is a Store that never revokes and never allocates or locks, so the benchmarks
// measure core's own work; the test store's mutex and bookkeeping would dominate a hot path.
type nopStore struct{}

func (nopStore) Revoke(context.Context, string, time.Time) error             { return nil }
func (nopStore) RevokeOnce(context.Context, string, time.Time) (bool, error) { return true, nil }
func (nopStore) RevokeUser(context.Context, string, time.Time, time.Time) error {
	return nil
}
func (nopStore) RevokeFamily(context.Context, string, time.Time) error  { return nil }
func (nopStore) Revoked(context.Context, jwtkit.TokenRef) (bool, error) { return false, nil }

// InProcess: the benchmarks measure core's own work, as with the memory store, which gets no
// deadline either (Config.StoreTimeout).
func (nopStore) InProcess() {}

// remoteNopStore is nopStore as core sees a networked store: each call gets StoreTimeout's
// deadline, whose price BenchmarkAuthenticate/store=remote shows next to store=in-process.
// (Embedding nopStore would bring its InProcess method along.)
type remoteNopStore struct{}

func (remoteNopStore) Revoke(context.Context, string, time.Time) error             { return nil }
func (remoteNopStore) RevokeOnce(context.Context, string, time.Time) (bool, error) { return true, nil }
func (remoteNopStore) RevokeUser(context.Context, string, time.Time, time.Time) error {
	return nil
}
func (remoteNopStore) RevokeFamily(context.Context, string, time.Time) error  { return nil }
func (remoteNopStore) Revoked(context.Context, jwtkit.TokenRef) (bool, error) { return false, nil }

// benchKeys are the keys of the comparison with golang-jwt: jwtkit keys plus the raw material
// golang-jwt's keyfunc hands back.
type benchKey struct {
	key    *jwtkit.Key
	method jwt.SigningMethod
	verify any
}

func newBenchKey(b *testing.B, alg jwtkit.Algorithm) benchKey {
	b.Helper()
	switch alg {
	case jwtkit.HS256:
		k, err := jwtkit.NewHMACKey(jwtkit.HS256, testSecret, "")
		if err != nil {
			b.Fatal(err)
		}
		return benchKey{key: k, method: jwt.SigningMethodHS256, verify: testSecret}
	case jwtkit.ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		k, err := jwtkit.NewPrivateKey(jwtkit.ES256, priv, "")
		if err != nil {
			b.Fatal(err)
		}
		return benchKey{key: k, method: jwt.SigningMethodES256, verify: &priv.PublicKey}
	}
	b.Fatalf("no bench key for %s", alg)
	return benchKey{}
}

// benchAuth is an Auth on the real clock (so golang-jwt, which reads time.Now, accepts the same
// tokens) with a store that costs nothing. cacheSize is Config.TokenCacheSize.
func benchAuth(b *testing.B, key *jwtkit.Key, cacheSize int) *jwtkit.Auth {
	b.Helper()
	a, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: nopStore{}, Stateless: true, TokenCacheSize: cacheSize})
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// benchTokens issues n distinct access tokens (distinct jti) of user 1.
func benchTokens(b *testing.B, a *jwtkit.Auth, n int) []string {
	b.Helper()
	toks := make([]string, n)
	for i := range toks {
		p, err := a.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
		if err != nil {
			b.Fatal(err)
		}
		toks[i] = p.Access
	}
	return toks
}

// missPool is how many distinct tokens cold-miss cycles through, and missCache the cache size
// it runs with: every shard sees its tokens in a cycle four times longer than it holds, so
// every lookup misses and every successful parse inserts (and evicts).
const (
	missPool  = 4096
	missCache = 1024
)

// BenchmarkValidateAccess measures Validate of an access token:
//   - hot: the same token again and again, served by the verified-token cache (exp, type and
//     the store's revocation answer still checked on every call);
//   - cold-nocache: the same token with the cache off, so every call parses and verifies;
//   - cold-miss: a different token each call with the cache on: parse, verify, insert.
func BenchmarkValidateAccess(b *testing.B) {
	ctx := context.Background()
	for _, alg := range []jwtkit.Algorithm{jwtkit.HS256, jwtkit.ES256} {
		bk := newBenchKey(b, alg)
		b.Run(fmt.Sprintf("%s/hot", alg), func(b *testing.B) {
			a := benchAuth(b, bk.key, 0)
			tok := benchTokens(b, a, 1)[0]
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Validate(ctx, tok, jwtkit.TypeAccess); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/cold-nocache", alg), func(b *testing.B) {
			a := benchAuth(b, bk.key, -1)
			tok := benchTokens(b, a, 1)[0]
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Validate(ctx, tok, jwtkit.TypeAccess); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/cold-miss", alg), func(b *testing.B) {
			a := benchAuth(b, bk.key, missCache)
			toks := benchTokens(b, a, missPool)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Validate(ctx, toks[i%len(toks)], jwtkit.TypeAccess); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// typedClaims is what a golang-jwt user would decode a simplejwt access token into.
type typedClaims struct {
	jwt.RegisteredClaims
	TokenType string `json:"token_type"`
	UserID    int    `json:"user_id"`
}

// BenchmarkGolangJWTTypedParse is the baseline of the cold benchmarks: golang-jwt's own typed
// parse of the same tokens (signature, exp/nbf/iat), its parser built once as a careful user
// would. One run of ValidateAccess and this benchmark gives the cold ratio.
func BenchmarkGolangJWTTypedParse(b *testing.B) {
	for _, alg := range []jwtkit.Algorithm{jwtkit.HS256, jwtkit.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			bk := newBenchKey(b, alg)
			tok := benchTokens(b, benchAuth(b, bk.key, -1), 1)[0]
			parser := jwt.NewParser(jwt.WithValidMethods([]string{bk.method.Alg()}))
			keyfunc := func(*jwt.Token) (any, error) { return bk.verify, nil }
			b.ReportAllocs()
			for b.Loop() {
				var c typedClaims
				t, err := parser.ParseWithClaims(tok, &c, keyfunc)
				if err != nil || !t.Valid || c.TokenType != "access" || c.UserID != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthenticate is the protected-route check of a stateless service for a token seen
// before: header split, cache hit, exp and type check, the store's revocation answer. With
// store=remote the revocation check also gets core's per-call deadline (Config.StoreTimeout),
// as every store that is not InProcessStore does.
func BenchmarkAuthenticate(b *testing.B) {
	bk := newBenchKey(b, jwtkit.HS256)
	for _, store := range []struct {
		name  string
		store jwtkit.Store
	}{{"in-process", nopStore{}}, {"remote", remoteNopStore{}}} {
		b.Run("store="+store.name, func(b *testing.B) {
			a, err := jwtkit.New(jwtkit.Config{SigningKey: bk.key, Store: store.store, Stateless: true})
			if err != nil {
				b.Fatal(err)
			}
			header := "Bearer " + benchTokens(b, a, 1)[0]
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Authenticate(ctx, header); err != nil {
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
