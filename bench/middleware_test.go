package bench_test

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // no per-route debug printing; both Gin apps run the same engine
	os.Exit(m.Run())
}

// tokenKindsChecked are the tokens the peer test sends: the benchmarked ones, then the ones
// that record where the libraries differ.
var tokenKindsChecked = append(append([]string(nil), tokenKinds...), refresh, noExp, algNone)

// TestMiddlewareAnswers sends every token kind through every app BenchmarkMiddleware measures
// and checks the exact status and body: the valid token must reach the handler (200 and
// meBody, so the library gave the handler the right user id), the bad-signature and expired
// tokens must get the library's own 401. A misconfigured peer (the wrong key, no signature
// check, claims not reaching the handler) fails here rather than posting a flattering number.
// The other kinds pin down what each library does with a refresh token, a token without exp
// and an alg "none" token.
func TestMiddlewareAnswers(t *testing.T) {
	for _, fw := range frameworks {
		for _, alg := range algs {
			f := getFixture(t, fw.profile, alg)
			for _, l := range fw.libs {
				tg := l.new(t, f)
				for _, kind := range tokenKindsChecked {
					status, body := tg.client(f.tokens[kind])()
					want := l.want(alg, kind)
					if status != want.status || string(body) != want.body {
						t.Errorf("%s %s %s %s: got %d %q, want %d %q", fw.name, l.name, alg, kind, status, body, want.status, want.body)
					}
				}
			}
		}
	}
}

// TestInvalidTokensAreRefused is the guard the benchmark relies on, independent of the
// bodies pinned above: no library lets a bad signature, an expired token or alg "none" reach
// the handler.
func TestInvalidTokensAreRefused(t *testing.T) {
	for _, fw := range frameworks {
		for _, l := range fw.libs {
			for _, alg := range algs {
				for _, kind := range []string{badSig, expired, algNone} {
					if a := l.want(alg, kind); a.status < 400 {
						t.Errorf("%s %s %s expects %d for %s", fw.name, l.name, alg, a.status, kind)
					}
				}
			}
		}
	}
}

// BenchmarkMiddleware is GET /api/me through each framework with jwtkit's adapter and with
// the framework's own JWT middleware, served in process, for each algorithm and token. The
// libraries are the innermost level so they run interleaved. Compare one framework with
// `benchstat -filter '.name:Middleware /framework:gin' -col /lib`.
func BenchmarkMiddleware(b *testing.B) {
	for _, fw := range frameworks {
		b.Run("framework="+fw.name, func(b *testing.B) {
			for _, alg := range algs {
				b.Run("alg="+string(alg), func(b *testing.B) {
					f := getFixture(b, fw.profile, alg)
					targets := make([]target, len(fw.libs))
					for i, l := range fw.libs {
						targets[i] = l.new(b, f)
					}
					for _, kind := range tokenKinds {
						b.Run("token="+kind, func(b *testing.B) {
							for i, l := range fw.libs {
								b.Run("lib="+l.name, func(b *testing.B) {
									call, want := targets[i].client(f.tokens[kind]), l.want(alg, kind)
									b.ReportAllocs()
									for b.Loop() {
										if status, _ := call(); status != want.status {
											b.Fatalf("status %d, want %d", status, want.status)
										}
									}
									if _, body := call(); string(body) != want.body {
										b.Fatalf("body %q, want %q", body, want.body)
									}
								})
							}
						})
					}
				})
			}
		})
	}
}
