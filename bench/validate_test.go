package bench_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"unsafe"

	"github.com/golang-jwt/jwt/v5"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// typedClaims is how golang-jwt's documentation has an application read its own claims: a
// struct embedding RegisteredClaims.
type typedClaims struct {
	jwt.RegisteredClaims
	TokenType string `json:"token_type"`
	UserID    int    `json:"user_id"`
}

// checker is one way of checking a token: new returns a function whose nil error means the
// token was accepted.
type checker struct {
	lib string
	// accepts says which token kinds must be accepted; every other kind must be refused.
	accepts map[string]bool
	new     func(tb testing.TB, f *fixture) func(tok string) error
}

// checkers run in this order, so benchstat's first column (the baseline of its ratios) is
// golang-jwt.
var checkers = []checker{
	{lib: "golang-jwt", accepts: map[string]bool{valid: true}, new: golangJWTTyped},
	{lib: "jwtkit-cold", accepts: map[string]bool{valid: true}, new: jwtkitValidate(false)},
	{lib: "jwtkit-hot", accepts: map[string]bool{valid: true}, new: jwtkitValidate(true)},
	// The floor checks the signature and nothing else: an expired token is well signed.
	{lib: "floor", accepts: map[string]bool{valid: true, expired: true}, new: floor},
}

// golangJWTTyped is golang-jwt v5's ParseWithClaims into typed claims with the algorithm
// pinned; golang-jwt checks exp and iat when present.
func golangJWTTyped(_ testing.TB, f *fixture) func(string) error {
	p := jwt.NewParser(jwt.WithValidMethods([]string{string(f.alg)}))
	key := func(*jwt.Token) (any, error) { return f.verify, nil }
	return func(tok string) error {
		var c typedClaims
		_, err := p.ParseWithClaims(tok, &c, key)
		if err == nil && (c.TokenType != "access" || c.UserID != 1) {
			return errors.New("wrong claims")
		}
		return err
	}
}

// jwtkitValidate is auth.Validate for an access token: shape gate, signature, time claims,
// jti, type, user id and the store's revocation check. hot uses the Auth with its defaults
// (the verified-token cache on, and the same token every iteration); cold has the cache off.
func jwtkitValidate(hot bool) func(testing.TB, *fixture) func(string) error {
	return func(_ testing.TB, f *fixture) func(string) error {
		auth := f.cold
		if hot {
			auth = f.auth
		}
		ctx := context.Background()
		return func(tok string) error {
			_, err := auth.Validate(ctx, tok, jwtkit.TypeAccess)
			return err
		}
	}
}

// floor is the least any library must do: split off the signature, decode it and check it
// (HMAC-SHA256 over header.payload, or ECDSA P-256 verify of its SHA-256), reusing every
// buffer and the HMAC state. It reads no claims, so it does not see that a token expired.
func floor(tb testing.TB, f *fixture) func(string) error {
	errBadSig := errors.New("bad signature")
	var sig [64]byte
	switch f.alg {
	case jwtkit.HS256:
		mac := hmac.New(sha256.New, f.verify.([]byte))
		var sum [sha256.Size]byte
		return func(tok string) error {
			input, encSig := splitSignature(tok)
			n, err := base64.RawURLEncoding.Decode(sig[:], bytesOf(encSig))
			if err != nil {
				return err
			}
			mac.Reset()
			_, _ = mac.Write(bytesOf(input))
			if !hmac.Equal(mac.Sum(sum[:0]), sig[:n]) {
				return errBadSig
			}
			return nil
		}
	case jwtkit.ES256:
		pub := f.verify.(*ecdsa.PublicKey)
		var r, s big.Int
		return func(tok string) error {
			input, encSig := splitSignature(tok)
			n, err := base64.RawURLEncoding.Decode(sig[:], bytesOf(encSig))
			if err != nil || n != 64 {
				return errBadSig
			}
			digest := sha256.Sum256(bytesOf(input))
			r.SetBytes(sig[:32])
			s.SetBytes(sig[32:64])
			if !ecdsa.Verify(pub, digest[:], &r, &s) {
				return errBadSig
			}
			return nil
		}
	}
	tb.Fatalf("no floor for %s", f.alg)
	return nil
}

// bytesOf views s as bytes without copying it, so the floor allocates nothing for it; the
// bytes are only read (by base64 decoding and hashing).
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// splitSignature returns the signing input (header.payload) and the encoded signature.
func splitSignature(tok string) (input, sig string) {
	for i := len(tok) - 1; i >= 0; i-- {
		if tok[i] == '.' {
			return tok[:i], tok[i+1:]
		}
	}
	return tok, ""
}

// BenchmarkValidate is one token check without HTTP: the floor, golang-jwt's typed parse and
// jwtkit's validator, hot and cold, on the same tokens. The libraries are the innermost level
// so that they run interleaved, and drift on a busy machine does not favour one of them.
// Compare with `benchstat -filter .name:Validate -col /lib`.
func BenchmarkValidate(b *testing.B) {
	for _, alg := range algs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			f := getFixture(b, simplejwt, alg)
			for _, kind := range tokenKinds {
				b.Run("token="+kind, func(b *testing.B) {
					for _, v := range checkers {
						b.Run("lib="+v.lib, func(b *testing.B) {
							check, tok, want := v.new(b, f), f.tokens[kind], v.accepts[kind]
							b.ReportAllocs()
							for b.Loop() {
								if err := check(tok); (err == nil) != want {
									b.Fatalf("%s accepted=%v, want %v (err %v)", kind, err == nil, want, err)
								}
							}
						})
					}
				})
			}
		})
	}
}

// TestValidators runs every checker of BenchmarkValidate once per token, so a checker
// that accepts what it must refuse (or the reverse) fails `go test` and not only the
// benchmark.
func TestValidators(t *testing.T) {
	for _, v := range checkers {
		for _, alg := range algs {
			f := getFixture(t, simplejwt, alg)
			check := v.new(t, f)
			for _, kind := range tokenKinds {
				err := check(f.tokens[kind])
				if (err == nil) != v.accepts[kind] {
					t.Errorf("%s %s %s: accepted=%v (err %v)", v.lib, alg, kind, err == nil, err)
				}
			}
		}
	}
	// The hot and cold Auths differ in the cache alone.
	f := getFixture(t, simplejwt, jwtkit.HS256)
	if hot, cold := f.auth.Config().TokenCacheSize, f.cold.Config().TokenCacheSize; hot <= 0 || cold >= 0 {
		t.Errorf("TokenCacheSize hot %d, cold %d: want the cache on, then off", hot, cold)
	}
	// jwtkit refuses each invalid kind for its own reason.
	_, err := f.cold.Validate(t.Context(), f.tokens[expired], jwtkit.TypeAccess)
	if !errors.Is(err, jwtkit.ErrTokenExpired) {
		t.Errorf("expired token: %v, want ErrTokenExpired", err)
	}
	_, err = f.cold.Validate(t.Context(), f.tokens[badSig], jwtkit.TypeAccess)
	if !errors.Is(err, jwtkit.ErrTokenInvalid) || errors.Is(err, jwtkit.ErrTokenExpired) {
		t.Errorf("bad signature: %v, want ErrTokenInvalid", err)
	}
}
