package jwtkit_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// signingKeys returns a signing key for every asymmetric algorithm, the RS and PS ones sharing
// one RSA key (generating six would only make the test slow).
func signingKeys(t *testing.T) map[jwtkit.Algorithm]*jwtkit.Key {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	keys := map[jwtkit.Algorithm]*jwtkit.Key{}
	for _, alg := range []jwtkit.Algorithm{jwtkit.RS256, jwtkit.RS384, jwtkit.RS512, jwtkit.PS256, jwtkit.PS384, jwtkit.PS512} {
		keys[alg], err = jwtkit.NewPrivateKey(alg, rsaKey, "kid-"+string(alg))
		require.NoError(t, err)
	}
	for _, alg := range []jwtkit.Algorithm{jwtkit.ES256, jwtkit.ES384, jwtkit.ES512, jwtkit.EdDSA} {
		keys[alg], err = jwtkit.GenerateKey(alg, "kid-"+string(alg))
		require.NoError(t, err)
	}
	return keys
}

// TestJWKKeyRoundTrip reads back every algorithm's PublicJWK as a verification-only key of the
// same algorithm, kid and material, and proves it verifies the original key's tokens.
func TestJWKKeyRoundTrip(t *testing.T) {
	for alg, key := range signingKeys(t) {
		t.Run(string(alg), func(t *testing.T) {
			j, err := key.PublicJWK()
			require.NoError(t, err)
			back, err := j.Key()
			require.NoError(t, err)
			assert.Equal(t, alg, back.Algorithm())
			assert.Equal(t, key.KeyID(), back.KeyID())
			assert.False(t, back.CanSign(), "a JWK gives a verification-only key")
			pub, ok := key.PublicKey().(interface{ Equal(crypto.PublicKey) bool })
			require.True(t, ok)
			assert.True(t, pub.Equal(back.PublicKey()), "the same public key")
			again, err := back.PublicJWK()
			require.NoError(t, err)
			assert.Equal(t, j, again)

			issuer := newEnv(t, func(c *jwtkit.Config) { c.SigningKey = key })
			verifier := newEnv(t, func(c *jwtkit.Config) {
				c.SigningKey, c.VerifyingKeys, c.Clock = nil, []*jwtkit.Key{back}, issuer.clock.Now
			})
			p := issuer.pair(t, jwtkit.IntUserID(3))
			tok, err := verifier.auth.Validate(t.Context(), p.Access, jwtkit.TypeAccess)
			require.NoError(t, err)
			assert.Equal(t, key.KeyID(), tok.KeyID)
		})
	}
}

// TestJWKKeyRefusals lists what JWK.Key refuses: secrets, keys not for signatures, a missing or
// mismatched alg, and every malformed or weak member. Each case starts from a valid JWK, so the
// one change is what is refused.
func TestJWKKeyRefusals(t *testing.T) {
	keys := signingKeys(t)
	publicJWK := func(alg jwtkit.Algorithm) jwtkit.JWK {
		j, err := keys[alg].PublicJWK()
		require.NoError(t, err)
		return j
	}
	rsaJWK, ecJWK, edJWK := publicJWK(jwtkit.RS256), publicJWK(jwtkit.ES256), publicJWK(jwtkit.EdDSA)
	for _, j := range []jwtkit.JWK{rsaJWK, ecJWK, edJWK} {
		_, err := j.Key()
		require.NoError(t, err, "the starting points are valid")
	}
	weakRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	b64 := base64.RawURLEncoding
	dec := func(s string) []byte {
		b, err := b64.DecodeString(s)
		require.NoError(t, err)
		return b
	}
	flipLast := func(s string) string { b := dec(s); b[len(b)-1] ^= 1; return b64.EncodeToString(b) }
	secret := b64.EncodeToString([]byte("jwtkit-core-tests-0123456789-abcdefghijk"))

	cases := []struct {
		name string
		jwk  jwtkit.JWK
		edit func(*jwtkit.JWK)
		weak bool
	}{
		{name: "oct key", jwk: jwtkit.JWK{Kty: "oct", Alg: "HS256", Kid: "s", K: secret}},
		{name: "oct without k", jwk: jwtkit.JWK{Kty: "oct", Alg: "HS256", Kid: "s"}},
		{name: "k on an RSA key", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.K = secret }},
		{name: "RSA d", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.D = "AQAB" }},
		{name: "RSA p", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.P = "AQAB" }},
		{name: "RSA q", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Q = "AQAB" }},
		{name: "RSA dp", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.DP = "AQAB" }},
		{name: "RSA dq", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.DQ = "AQAB" }},
		{name: "RSA qi", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.QI = "AQAB" }},
		{name: "EC d", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.D = j.X }},
		{name: "OKP d", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.D = j.X }},
		{name: "use enc", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Use = "enc" }},
		{name: "use Sig", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Use = "Sig" }},
		{name: "alg missing", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Alg = "" }},
		{name: "alg none", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Alg = "none" }},
		{name: "alg unknown", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Alg = "RS1" }},
		{name: "alg in lower case", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Alg = "rs256" }},
		{name: "HMAC alg on an RSA key", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Alg = "HS256" }},
		{name: "RSA alg on an EC key", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Alg = "RS256" }},
		{name: "EC alg on an RSA key", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Alg = "ES256" }},
		{name: "EC alg on an OKP key", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.Alg = "ES256" }},
		{name: "EdDSA on an EC key", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Alg = "EdDSA" }},
		{name: "kty missing", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Kty = "" }},
		{name: "kty unknown", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Kty = "rsa" }},
		{name: "RSA n missing", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.N = "" }},
		{name: "RSA e missing", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.E = "" }},
		// 256 bytes end in "==" when padded.
		{name: "RSA n padded", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.N = base64.URLEncoding.EncodeToString(dec(j.N)) }},
		{name: "RSA n in the standard alphabet", jwk: rsaJWK, edit: func(j *jwtkit.JWK) {
			j.N = base64.RawStdEncoding.EncodeToString(append([]byte{0xfb, 0xff}, dec(j.N)...))
		}},
		{name: "RSA e with a leading zero", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.E = "AAEAAQ" }},
		{name: "RSA e of five bytes", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.E = b64.EncodeToString([]byte{1, 0, 0, 0, 1}) }},
		{name: "RSA e of 1", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.E = "AQ" }},
		{name: "RSA e even", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.E = "AQAA" }},
		{name: "RSA 1024 bits", jwk: rsaJWK, weak: true, edit: func(j *jwtkit.JWK) { j.N = b64.EncodeToString(weakRSA.N.Bytes()) }},
		{name: "RSA with EC members", jwk: rsaJWK, edit: func(j *jwtkit.JWK) { j.Crv, j.X, j.Y = ecJWK.Crv, ecJWK.X, ecJWK.Y }},
		{name: "EC crv of another alg", jwk: publicJWK(jwtkit.ES384), edit: func(j *jwtkit.JWK) { j.Alg = "ES256" }},
		{name: "EC crv missing", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Crv = "" }},
		{name: "EC crv P-224", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Crv = "P-224" }},
		{name: "EC x missing", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.X = "" }},
		{name: "EC y missing", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Y = "" }},
		{name: "EC x one byte short", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.X = b64.EncodeToString(dec(j.X)[1:]) }},
		{name: "EC y one byte long", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Y = b64.EncodeToString(append([]byte{0}, dec(j.Y)...)) }},
		{name: "EC point off the curve", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.Y = flipLast(j.Y) }},
		{name: "EC point at zero", jwk: ecJWK, edit: func(j *jwtkit.JWK) {
			j.X, j.Y = b64.EncodeToString(make([]byte, 32)), b64.EncodeToString(make([]byte, 32))
		}},
		{name: "EC with RSA members", jwk: ecJWK, edit: func(j *jwtkit.JWK) { j.N, j.E = rsaJWK.N, rsaJWK.E }},
		{name: "OKP crv X25519", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.Crv = "X25519" }},
		{name: "OKP crv missing", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.Crv = "" }},
		{name: "OKP x missing", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.X = "" }},
		{name: "OKP x one byte short", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.X = b64.EncodeToString(dec(j.X)[1:]) }},
		{name: "OKP with y", jwk: edJWK, edit: func(j *jwtkit.JWK) { j.Y = j.X }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := c.jwk
			if c.edit != nil {
				c.edit(&j)
			}
			k, err := j.Key()
			require.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
			assert.Nil(t, k)
			if c.weak {
				assert.ErrorIs(t, err, jwtkit.ErrWeakKey)
			}
		})
	}
}

// TestJWKKeyAccepts pins the spellings that are not refused: use "sig" or absent, and an RSA
// modulus with the sign byte some libraries prepend (the same number, so the same key).
func TestJWKKeyAccepts(t *testing.T) {
	key := signingKeys(t)[jwtkit.PS256]
	j, err := key.PublicJWK()
	require.NoError(t, err)
	j.Use = ""
	_, err = j.Key()
	require.NoError(t, err)
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	require.NoError(t, err)
	j.N = base64.RawURLEncoding.EncodeToString(append([]byte{0}, n...))
	back, err := j.Key()
	require.NoError(t, err)
	assert.True(t, key.PublicKey().(*rsa.PublicKey).Equal(back.PublicKey()))
}
