package docs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// Example_weakKeys shows the key checks of NewHMACKey (security.md).
func Example_weakKeys() {
	// snippet:weak-keys
	for _, secret := range []string{
		"",                                       // empty
		"your-256-bit-secret",                    // jwt.io's example secret
		"a-string-secret-at-least-256-bits-long", // long enough, but published
		"0123456789abcdef",                       // 16 bytes: HS256 needs 32
		strings.Repeat("ab", 32),                 // 64 bytes of 2 distinct values
		strings.Repeat("jwt-secret", 4),          // a well-known secret repeated
		"secret1secret2secret3secret4secret5",    // a word counted up
	} {
		_, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(secret), "")
		fmt.Println(errors.Is(err, jwtkit.ErrWeakKey), err)
	}
	// endsnippet

	// Output:
	// true HS256 secret is empty: jwtkit: weak key
	// true HS256 secret is a well-known example secret from documentation or tutorials: jwtkit: weak key
	// true HS256 secret is a well-known example secret from documentation or tutorials: jwtkit: weak key
	// true HS256 secret is 16 bytes, at least 32 are needed: jwtkit: weak key
	// true HS256 secret has fewer than 8 distinct byte values: jwtkit: weak key
	// true HS256 secret is a shorter pattern repeated, as guessable as the pattern alone: jwtkit: weak key
	// true HS256 secret has an estimated entropy of 14 bits, at least 64 are needed (repeated words and runs such as "abcd" count for little): jwtkit: weak key
}

// Example_keyChoice generates keys of each family and shows that a key never prints its
// material (security.md).
func Example_keyChoice() {
	dir, err := os.MkdirTemp("", "jwtkit-docs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	signingPEM := filepath.Join(dir, "signing.pem")
	generated, err := jwtkit.GenerateKey(jwtkit.ES256, "")
	if err != nil {
		log.Fatal(err)
	}
	written, err := generated.PrivatePEM() // what `jwtkit keygen --alg ES256 --out signing.pem` writes
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(signingPEM, written, 0o600); err != nil {
		log.Fatal(err)
	}
	os.Setenv("JWTKIT_PRIVATE_KEY_FILE", signingPEM)
	defer os.Unsetenv("JWTKIT_PRIVATE_KEY_FILE")

	// snippet:load-pem-key
	pemData, err := os.ReadFile(os.Getenv("JWTKIT_PRIVATE_KEY_FILE")) // PKCS #8, PKCS #1 or SEC 1 PEM
	if err != nil {
		log.Fatal(err)
	}
	key, err := jwtkit.ParsePEMKey(jwtkit.ES256, pemData, "2026-05") // bound to ES256 for good
	if err != nil {
		log.Fatal(err) // a P-384 key, an RSA key or an encrypted PEM is refused here
	}
	fmt.Println(key)          // prints the algorithm and kid, never the key
	fmt.Println(key.Public()) // the half to give to services that only verify
	// endsnippet

	_, err = jwtkit.ParsePEMKey(jwtkit.ES384, pemData, "")
	fmt.Println(errors.Is(err, jwtkit.ErrWeakKey))

	// Output:
	// ES256 key (kid "2026-05", sign and verify)
	// ES256 key (kid "2026-05", verify only)
	// true
}

// Example_keyRotation rotates an HS256 key by kid: sign with the new key, accept the old one
// while tokens signed with it can still be alive, then drop it (key-rotation.md).
func Example_keyRotation() {
	ctx := context.Background()
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	users := demoUsers{}
	os.Setenv("JWT_KEY_2026_05", randomSecret())
	os.Setenv("JWT_KEY_2026_11", randomSecret())
	defer os.Unsetenv("JWT_KEY_2026_05")
	defer os.Unsetenv("JWT_KEY_2026_11")

	// snippet:rotation-before
	may, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("JWT_KEY_2026_05")), "2026-05")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: may, Store: store, Users: users})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	before, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}

	// snippet:rotation-prepare
	november, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("JWT_KEY_2026_11")), "2026-11")
	if err != nil {
		log.Fatal(err)
	}
	auth, err = jwtkit.New(jwtkit.Config{
		SigningKey:    may,                     // still signing with the old key
		VerifyingKeys: []*jwtkit.Key{november}, // but every replica already accepts the new one
		Store:         store,
		Users:         users,
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}

	// snippet:rotation-overlap
	auth, err = jwtkit.New(jwtkit.Config{
		SigningKey:    november,           // every new token: kid 2026-11
		VerifyingKeys: []*jwtkit.Key{may}, // tokens signed before the switch still validate
		Store:         store,
		Users:         users,
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	after, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, raw := range []string{before.Access, after.Access} {
		tok, err := auth.Validate(ctx, raw, jwtkit.TypeAccess)
		fmt.Println("overlap:", tok.KeyID, err)
	}
	refreshed, err := auth.Refresh(ctx, before.Refresh) // an old refresh token mints a new-key access token
	if err != nil {
		log.Fatal(err)
	}
	tok, _ := auth.Validate(ctx, refreshed.Access, jwtkit.TypeAccess)
	fmt.Println("refreshed:", tok.KeyID)

	// snippet:rotation-after
	auth, err = jwtkit.New(jwtkit.Config{SigningKey: november, Store: store, Users: users})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	_, err = auth.Validate(ctx, before.Access, jwtkit.TypeAccess)
	fmt.Println("after:", errors.Is(err, jwtkit.ErrTokenInvalid))

	// Output:
	// overlap: 2026-05 <nil>
	// overlap: 2026-11 <nil>
	// refreshed: 2026-11
	// after: true
}

// Example_hmacToECDSA moves a deployment from HS256 to ES256 (key-rotation.md).
func Example_hmacToECDSA() {
	ctx := context.Background()
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	users := demoUsers{}
	dir, err := os.MkdirTemp("", "jwtkit-docs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	generated, err := jwtkit.GenerateKey(jwtkit.ES256, "")
	if err != nil {
		log.Fatal(err)
	}
	written, err := generated.PrivatePEM()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "signing.pem"), written, 0o600); err != nil {
		log.Fatal(err)
	}
	os.Setenv("JWTKIT_SIGNING_KEY", randomSecret())
	os.Setenv("JWTKIT_PRIVATE_KEY_FILE", filepath.Join(dir, "signing.pem"))
	defer os.Unsetenv("JWTKIT_SIGNING_KEY")
	defer os.Unsetenv("JWTKIT_PRIVATE_KEY_FILE")

	old, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("JWTKIT_SIGNING_KEY")), "")
	if err != nil {
		log.Fatal(err)
	}
	legacy, err := jwtkit.New(jwtkit.Config{SigningKey: old, Store: store, Users: users})
	if err != nil {
		log.Fatal(err)
	}
	hsPair, err := legacy.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}

	// snippet:rotation-hs-to-es
	hs, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("JWTKIT_SIGNING_KEY")), "")
	if err != nil {
		log.Fatal(err)
	}
	pemData, err := os.ReadFile(os.Getenv("JWTKIT_PRIVATE_KEY_FILE")) // jwtkit keygen --alg ES256 --out signing.pem
	if err != nil {
		log.Fatal(err)
	}
	es, err := jwtkit.ParsePEMKey(jwtkit.ES256, pemData, "es-2026-06")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey:    es,                // new tokens: ES256, kid es-2026-06
		VerifyingKeys: []*jwtkit.Key{hs}, // tokens from before the move: HS256, no kid
		Store:         store,
		Users:         users,
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	esPair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, raw := range []string{hsPair.Access, esPair.Access} {
		tok, err := auth.Validate(ctx, raw, jwtkit.TypeAccess)
		fmt.Printf("kid %q: %v\n", tok.KeyID, err)
	}

	// Output:
	// kid "": <nil>
	// kid "es-2026-06": <nil>
}

// Example_verifyOnly is a service that checks tokens another service issues, holding only the
// issuer's public key (key-rotation.md).
func Example_verifyOnly() {
	ctx := context.Background()
	store, err := memstore.New() // in production the issuer's Redis or SQL store, shared
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	issuerKey, err := jwtkit.GenerateKey(jwtkit.ES256, "es-2026-06")
	if err != nil {
		log.Fatal(err)
	}
	issuer, err := jwtkit.New(jwtkit.Config{SigningKey: issuerKey, Store: store, Users: demoUsers{}})
	if err != nil {
		log.Fatal(err)
	}
	pair, err := issuer.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "jwtkit-docs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	publicPEM, err := issuerKey.PublicPEM() // what `jwtkit keygen --alg ES256 --key-file signing.pem --public` prints
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public.pem"), publicPEM, 0o644); err != nil {
		log.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		log.Fatal(err)
	}
	defer os.Chdir(wd)
	orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		fmt.Fprintf(w, "orders of user %s", id.User.ID)
	})

	// snippet:verify-only
	pemData, err := os.ReadFile("public.pem") // the issuer's public key, never its private key
	if err != nil {
		log.Fatal(err)
	}
	issuerPublic, err := jwtkit.ParsePEMKey(jwtkit.ES256, pemData, "es-2026-06") // the issuer's kid
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := jwtkit.New(jwtkit.Config{
		VerifyingKeys: []*jwtkit.Key{issuerPublic}, // no SigningKey: this Auth never issues
		Store:         store,                       // the issuer's store, so logouts reach here too
		Stateless:     true,                        // trust the token's user_id (or set Users)
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", verifier) // only /api/token/verify/ and /api/token/blacklist/
	mux.Handle("GET /api/orders", jwthttp.Middleware(verifier)(orders))
	// endsnippet

	fmt.Println(call(mux, "GET", "/api/orders", "", "", "Authorization", "Bearer "+pair.Access))
	fmt.Println(call(mux, "POST", "/api/token/verify/", "application/json", `{"token":"`+pair.Refresh+`"}`))
	status, _ := call(mux, "POST", "/api/token/refresh/", "application/json", `{"refresh":"`+pair.Refresh+`"}`)
	fmt.Println(status)
	_, err = verifier.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	fmt.Println(errors.Is(err, jwtkit.ErrInvalidConfig))

	// Output:
	// 200 orders of user 1
	// 200 {}
	// 404
	// true
}
