package jwtkit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// ExampleNewRemoteKeySet verifies the tokens of another issuer by its JWKS URL: the verifier is
// configured with the URL only, and follows the issuer's key rotations by itself.
func ExampleNewRemoteKeySet() {
	// The other issuer, publishing its public key as a JWKS (here on a local test server).
	issuerKey, err := jwtkit.GenerateKey(jwtkit.ES256, "issuer-2026-06")
	if err != nil {
		fmt.Println(err)
		return
	}
	issuer, err := jwtkit.New(jwtkit.Config{SigningKey: issuerKey, Store: newTestStore(), Stateless: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(issuer.JWKS())
	}))
	defer jwks.Close()

	ctx := context.Background()
	remote, err := jwtkit.NewRemoteKeySet(ctx, jwtkit.RemoteKeySetConfig{
		URL: jwks.URL + jwtkit.JWKSPath, // https://issuer.example.com/.well-known/jwks.json in production
	})
	if err != nil {
		fmt.Println(err) // the set is fetched once here: a wrong URL fails at startup
		return
	}
	verifier, err := jwtkit.New(jwtkit.Config{
		RemoteKeys: remote,         // no SigningKey: this Auth only verifies
		Store:      newTestStore(), // the issuer's store, so its revocations count here too
		Stateless:  true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	pair, err := issuer.IssuePair(ctx, jwtkit.IntUserID(7), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := verifier.Validate(ctx, pair.Access, jwtkit.TypeAccess)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.UserID, tok.KeyID, verifier.CanIssue())
	// Output: 7 issuer-2026-06 false
}
