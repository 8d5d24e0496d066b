package jwtkit_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err, s)
	return b
}

// TestJWKRoundTrip rebuilds each public key from its JWK members and checks it is the same key,
// so the encoding (padding, byte order, member names) is what RFC 7518 and 8037 specify.
func TestJWKRoundTrip(t *testing.T) {
	for _, alg := range []jwtkit.Algorithm{jwtkit.RS256, jwtkit.PS384, jwtkit.ES256, jwtkit.ES384, jwtkit.ES512, jwtkit.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			key, err := jwtkit.GenerateKey(alg, "k1")
			require.NoError(t, err)
			j, err := key.PublicJWK()
			require.NoError(t, err)
			assert.Equal(t, "sig", j.Use)
			assert.Equal(t, string(alg), j.Alg)
			assert.Equal(t, "k1", j.Kid)
			assert.Empty(t, j.D, "a public JWK carries no private member")

			switch pub := key.PublicKey().(type) {
			case *rsa.PublicKey:
				assert.Equal(t, "RSA", j.Kty)
				assert.Equal(t, "AQAB", j.E)
				assert.Equal(t, 0, pub.N.Cmp(new(big.Int).SetBytes(unb64(t, j.N))))
			case *ecdsa.PublicKey:
				assert.Equal(t, "EC", j.Kty)
				size := (pub.Curve.Params().BitSize + 7) / 8
				assert.Len(t, unb64(t, j.X), size, "coordinates are padded to the curve size")
				assert.Len(t, unb64(t, j.Y), size)
				point := append(append([]byte{4}, unb64(t, j.X)...), unb64(t, j.Y)...)
				curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[j.Crv]
				require.NotNil(t, curve, j.Crv)
				back, err := ecdsa.ParseUncompressedPublicKey(curve, point)
				require.NoError(t, err)
				assert.True(t, back.Equal(pub))
			case ed25519.PublicKey:
				assert.Equal(t, "OKP", j.Kty)
				assert.Equal(t, "Ed25519", j.Crv)
				assert.Equal(t, []byte(pub), unb64(t, j.X))
			}

			priv, err := key.PrivateJWK()
			require.NoError(t, err)
			assert.NotEmpty(t, priv.D)
			_, err = key.Public().PrivateJWK()
			assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "a verification-only key has no private JWK")
		})
	}

	hs, err := jwtkit.GenerateKey(jwtkit.HS384, "")
	require.NoError(t, err)
	_, err = hs.PublicJWK()
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "HMAC keys are never published")
	j, err := hs.PrivateJWK()
	require.NoError(t, err)
	assert.Equal(t, "oct", j.Kty)
	assert.Len(t, unb64(t, j.K), 48)
}
