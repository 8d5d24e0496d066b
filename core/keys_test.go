package jwtkit

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const signingInput = "eyJhbGciOiJ0ZXN0In0.eyJzdWIiOiJ0ZXN0In0"

// RSA generation dominates the run time, so the RSA fixtures are made once per process.
var (
	sharedRSA     = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	sharedRSA1024 = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 1024) })
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := sharedRSA()
	require.NoError(t, err)
	return k
}

func rsa1024Key(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := sharedRSA1024()
	require.NoError(t, err)
	return k
}

func ecKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	require.NoError(t, err)
	return k
}

func edKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func pemEncode(blockType string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
}

func pkcs8PEM(t *testing.T, priv any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	return pemEncode("PRIVATE KEY", der)
}

func pkixPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return pemEncode("PUBLIC KEY", der)
}

func selfSignedPEM(t *testing.T, priv crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "jwtkit test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	require.NoError(t, err)
	return pemEncode("CERTIFICATE", der)
}

// firstBase64Line is a piece of a PEM body that an error message must never repeat.
func firstBase64Line(pemData []byte) string {
	lines := strings.Split(string(pemData), "\n")
	if len(lines) < 2 {
		return ""
	}
	return lines[1]
}

func sign(t *testing.T, k *Key) []byte {
	t.Helper()
	sig, err := k.signingMethod().Sign(signingInput, k.signKey())
	require.NoError(t, err)
	return sig
}

func verify(k *Key, sig []byte) error {
	return k.signingMethod().Verify(signingInput, sig, k.verifyKey())
}

func samePublicKey(t *testing.T, want, got crypto.PublicKey) {
	t.Helper()
	eq, ok := want.(interface{ Equal(crypto.PublicKey) bool })
	require.True(t, ok, "%T has no Equal method", want)
	assert.True(t, eq.Equal(got), "public keys differ")
}

var algorithmTable = []struct {
	alg       Algorithm
	name      string
	family    keyFamily
	secretLen int
	curve     elliptic.Curve
}{
	{HS256, "HS256", familyHMAC, 32, nil},
	{HS384, "HS384", familyHMAC, 48, nil},
	{HS512, "HS512", familyHMAC, 64, nil},
	{RS256, "RS256", familyRSA, 0, nil},
	{RS384, "RS384", familyRSA, 0, nil},
	{RS512, "RS512", familyRSA, 0, nil},
	{PS256, "PS256", familyRSA, 0, nil},
	{PS384, "PS384", familyRSA, 0, nil},
	{PS512, "PS512", familyRSA, 0, nil},
	{ES256, "ES256", familyEC, 0, elliptic.P256()},
	{ES384, "ES384", familyEC, 0, elliptic.P384()},
	{ES512, "ES512", familyEC, 0, elliptic.P521()},
	{EdDSA, "EdDSA", familyEdDSA, 0, nil},
}

func TestGenerateKeySignsAndVerifiesEveryAlgorithm(t *testing.T) {
	require.Len(t, algorithmTable, 13)
	for _, tc := range algorithmTable {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.name, tc.alg.String())

			k, err := GenerateKey(tc.alg, "kid-"+tc.name)
			require.NoError(t, err)
			assert.Equal(t, tc.alg, k.Algorithm())
			assert.Equal(t, "kid-"+tc.name, k.KeyID())
			assert.True(t, k.CanSign())
			assert.Equal(t, tc.name, k.signingMethod().Alg())

			sig := sign(t, k)
			require.NoError(t, verify(k.Public(), sig))
			require.NoError(t, verify(k, sig))

			tampered := append([]byte(nil), sig...)
			tampered[len(tampered)/2] ^= 0x01
			assert.Error(t, verify(k.Public(), tampered), "tampered signature accepted")
			assert.Error(t, k.signingMethod().Verify(signingInput+"x", sig, k.Public().verifyKey()), "signature accepted for other input")

			switch tc.family {
			case familyHMAC:
				assert.Same(t, k, k.Public(), "an HMAC key is its own public twin")
				assert.Nil(t, k.PublicKey())
				secret, ok := k.signKey().([]byte)
				require.True(t, ok)
				assert.Len(t, secret, tc.secretLen)
				assert.Equal(t, secret, k.verifyKey())
			default:
				pub := k.Public()
				assert.NotSame(t, k, pub)
				assert.Same(t, pub, k.Public(), "the twin is made once")
				assert.Same(t, pub, pub.Public())
				assert.False(t, pub.CanSign())
				assert.Nil(t, pub.signKey())
				assert.Equal(t, tc.alg, pub.Algorithm())
				assert.Equal(t, k.KeyID(), pub.KeyID())
				assert.Equal(t, k.PublicKey(), pub.PublicKey())
				_, err := pub.signingMethod().Sign(signingInput, pub.signKey())
				assert.Error(t, err, "a verification-only key signed")
			}

			switch tc.family {
			case familyRSA:
				priv, ok := k.signKey().(*rsa.PrivateKey)
				require.True(t, ok)
				assert.Equal(t, 2048, priv.N.BitLen())
				assert.IsType(t, &rsa.PublicKey{}, k.verifyKey())
			case familyEC:
				priv, ok := k.signKey().(*ecdsa.PrivateKey)
				require.True(t, ok)
				assert.Same(t, tc.curve, priv.Curve)
				assert.IsType(t, &ecdsa.PublicKey{}, k.verifyKey())
			case familyEdDSA:
				assert.IsType(t, ed25519.PrivateKey{}, k.signKey())
				assert.IsType(t, ed25519.PublicKey{}, k.verifyKey())
			}
		})
	}
}

func TestGenerateKeyHMACSecretsDiffer(t *testing.T) {
	a, err := GenerateKey(HS256, "")
	require.NoError(t, err)
	b, err := GenerateKey(HS256, "")
	require.NoError(t, err)
	assert.NotEqual(t, a.signKey(), b.signKey())
	assert.Error(t, verify(b, sign(t, a)))
}

func TestPEMRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		alg  Algorithm
		priv crypto.Signer
	}{
		{"RSA RS256", RS256, rsaKey(t)},
		{"RSA PS512", PS512, rsaKey(t)},
		{"EC P-256", ES256, ecKey(t, elliptic.P256())},
		{"EC P-384", ES384, ecKey(t, elliptic.P384())},
		{"EC P-521", ES512, ecKey(t, elliptic.P521())},
		{"Ed25519", EdDSA, edKey(t)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewPrivateKey(tc.alg, tc.priv, "orig")
			require.NoError(t, err)

			privPEM, err := k.PrivatePEM()
			require.NoError(t, err)
			block, rest := pem.Decode(privPEM)
			require.NotNil(t, block)
			assert.Equal(t, "PRIVATE KEY", block.Type)
			assert.Empty(t, rest)

			k2, err := ParsePEMKey(tc.alg, privPEM, "from-private-pem")
			require.NoError(t, err)
			assert.True(t, k2.CanSign())
			assert.Equal(t, tc.alg, k2.Algorithm())
			assert.Equal(t, "from-private-pem", k2.KeyID())
			samePublicKey(t, k.PublicKey(), k2.PublicKey())
			require.NoError(t, verify(k, sign(t, k2)))
			require.NoError(t, verify(k2, sign(t, k)))

			pubPEM, err := k.PublicPEM()
			require.NoError(t, err)
			block, _ = pem.Decode(pubPEM)
			require.NotNil(t, block)
			assert.Equal(t, "PUBLIC KEY", block.Type)
			twinPEM, err := k.Public().PublicPEM()
			require.NoError(t, err)
			assert.Equal(t, pubPEM, twinPEM)

			k3, err := ParsePEMKey(tc.alg, pubPEM, "from-public-pem")
			require.NoError(t, err)
			assert.False(t, k3.CanSign())
			assert.Nil(t, k3.signKey())
			samePublicKey(t, k.PublicKey(), k3.PublicKey())
			require.NoError(t, verify(k3, sign(t, k)))

			_, err = k3.PrivatePEM()
			assert.ErrorIs(t, err, ErrInvalidConfig)
			_, err = k.Public().PrivatePEM()
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

func TestParsePEMKeyFormats(t *testing.T) {
	rsaPriv := rsaKey(t)
	p256, p384, p521 := ecKey(t, elliptic.P256()), ecKey(t, elliptic.P384()), ecKey(t, elliptic.P521())
	ed := edKey(t)
	sec1 := func(k *ecdsa.PrivateKey) []byte {
		der, err := x509.MarshalECPrivateKey(k)
		require.NoError(t, err)
		return pemEncode("EC PRIVATE KEY", der)
	}
	pkcs1 := pemEncode("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaPriv))
	cases := []struct {
		name    string
		alg     Algorithm
		pem     []byte
		priv    crypto.Signer
		canSign bool
	}{
		{"PKCS#1 RSA private key", RS256, pkcs1, rsaPriv, true},
		{"SEC 1 P-256 private key", ES256, sec1(p256), p256, true},
		{"SEC 1 P-384 private key", ES384, sec1(p384), p384, true},
		{"SEC 1 P-521 private key", ES512, sec1(p521), p521, true},
		{"PKCS#1 RSA public key", PS256, pemEncode("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaPriv.PublicKey)), rsaPriv, false},
		{"RSA certificate", RS384, selfSignedPEM(t, rsaPriv), rsaPriv, false},
		{"EC certificate", ES256, selfSignedPEM(t, p256), p256, false},
		{"Ed25519 certificate", EdDSA, selfSignedPEM(t, ed), ed, false},
		{"text before the block, whitespace after", RS256, append([]byte("Bag Attributes\n    friendlyName: test\n"), append(pkcs1, "\n \t\n"...)...), rsaPriv, true},
		{"CRLF line endings", ES256, []byte(strings.ReplaceAll(string(sec1(p256)), "\n", "\r\n")), p256, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePEMKey(tc.alg, tc.pem, "kid")
			require.NoError(t, err)
			assert.Equal(t, tc.canSign, k.CanSign())
			samePublicKey(t, tc.priv.Public(), k.PublicKey())

			signer, err := NewPrivateKey(tc.alg, tc.priv, "kid")
			require.NoError(t, err)
			require.NoError(t, verify(k, sign(t, signer)))
		})
	}
}

func TestHMACKeyAcceptsStrongSecrets(t *testing.T) {
	cases := []struct {
		name   string
		alg    Algorithm
		secret []byte
	}{
		{"random 32 bytes", HS256, randomBytes(t, 32)},
		{"random 48 bytes", HS384, randomBytes(t, 48)},
		{"random 64 bytes", HS512, randomBytes(t, 64)},
		{"longer than the hash", HS256, randomBytes(t, 100)},
		{"long passphrase", HS256, []byte("correct horse battery staple, rearranged by a dice roll")},
		{"exactly 8 distinct bytes, no pattern", HS256, []byte("hbgafcedcgbhaedfgcahebdfhacgbdef")},
		{"32 random hex digits", HS256, []byte(hex.EncodeToString(randomBytes(t, 16)))},
		{"words and digits, none repeated", HS256, []byte("storetest-rotation-secret-0123456789-xyz")},
		{"list entry inside a longer secret", HS256, append([]byte("your-256-bit-secret"), randomBytes(t, 16)...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewHMACKey(tc.alg, tc.secret, "")
			require.NoError(t, err)
			assert.Equal(t, tc.alg, k.Algorithm())
			assert.Empty(t, k.KeyID())
			require.NoError(t, verify(k, sign(t, k)))
		})
	}
}

func TestHMACKeyCopiesSecret(t *testing.T) {
	secret := randomBytes(t, 32)
	original := append([]byte(nil), secret...)
	k, err := NewHMACKey(HS256, secret, "")
	require.NoError(t, err)
	before := sign(t, k)

	for i := range secret {
		secret[i] = 0
	}

	assert.Equal(t, before, sign(t, k), "signing changed after the caller's slice was modified")
	fresh, err := NewHMACKey(HS256, original, "")
	require.NoError(t, err)
	require.NoError(t, verify(fresh, sign(t, k)))
}

func TestPrivateKeysAreCopied(t *testing.T) {
	t.Run("RSA", func(t *testing.T) {
		src := rsaKey(t)
		mine := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: new(big.Int).Set(src.N), E: src.E},
			D:         new(big.Int).Set(src.D),
			Primes:    []*big.Int{new(big.Int).Set(src.Primes[0]), new(big.Int).Set(src.Primes[1])},
		}
		mine.Precompute()
		k, err := NewPrivateKey(RS256, mine, "")
		require.NoError(t, err)
		mine.D.SetInt64(3)
		mine.N.SetInt64(5)
		require.NoError(t, verify(k.Public(), sign(t, k)))
		assert.Equal(t, 2048, k.PublicKey().(*rsa.PublicKey).N.BitLen())
	})
	t.Run("Ed25519", func(t *testing.T) {
		mine := edKey(t)
		k, err := NewPrivateKey(EdDSA, mine, "")
		require.NoError(t, err)
		pub, err := NewPublicKey(EdDSA, mine.Public(), "")
		require.NoError(t, err)
		for i := range mine {
			mine[i] = 0
		}
		require.NoError(t, verify(pub, sign(t, k)))
	})
	t.Run("EC", func(t *testing.T) {
		mine := ecKey(t, elliptic.P256())
		k, err := NewPrivateKey(ES256, mine, "")
		require.NoError(t, err)
		assert.NotSame(t, mine, k.signKey())
		assert.True(t, mine.Equal(k.signKey()))
	})
}

func TestKeyRefusals(t *testing.T) {
	rsaPriv := rsaKey(t)
	rsa1024 := rsa1024Key(t)
	p224, p256, p384, p521 := ecKey(t, elliptic.P224()), ecKey(t, elliptic.P256()), ecKey(t, elliptic.P384()), ecKey(t, elliptic.P521())
	ed := edKey(t)
	otherEd := edKey(t)
	goodSecret := randomBytes(t, 64)
	goodPEM := pkcs8PEM(t, p256)
	rsaPEM := pkcs8PEM(t, rsaPriv)
	rsa1024PEM := pkcs8PEM(t, rsa1024)
	p384PEM := pkcs8PEM(t, p384)
	x25519, err := ecdh.X25519().GenerateKey(rand.Reader)
	require.NoError(t, err)
	sec1DER, err := x509.MarshalECPrivateKey(p256)
	require.NoError(t, err)
	encryptedPEM := pem.EncodeToMemory(&pem.Block{
		Type:    "EC PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"},
		Bytes:   sec1DER,
	})
	encryptedPKCS8 := pemEncode("ENCRYPTED PRIVATE KEY", randomBytes(t, 128))

	type refusal struct {
		name     string
		build    func() (*Key, error)
		weak     bool   // ErrWeakKey, else ErrInvalidConfig only
		contains string // a fragment the message must have, so causes are told apart
		material []byte // what the message must never contain
	}
	hmac := func(name string, alg Algorithm, secret []byte, contains string) refusal {
		return refusal{
			name:     name,
			build:    func() (*Key, error) { return NewHMACKey(alg, secret, "") },
			weak:     true,
			contains: contains,
			material: secret,
		}
	}
	weakPriv := func(name string, alg Algorithm, priv crypto.Signer) refusal {
		return refusal{name: name, build: func() (*Key, error) { return NewPrivateKey(alg, priv, "") }, weak: true}
	}
	weakPub := func(name string, alg Algorithm, pub crypto.PublicKey) refusal {
		return refusal{name: name, build: func() (*Key, error) { return NewPublicKey(alg, pub, "") }, weak: true}
	}
	badPriv := func(name string, alg Algorithm, priv crypto.Signer) refusal {
		return refusal{name: name, build: func() (*Key, error) { return NewPrivateKey(alg, priv, "") }}
	}
	badPub := func(name string, alg Algorithm, pub crypto.PublicKey) refusal {
		return refusal{name: name, build: func() (*Key, error) { return NewPublicKey(alg, pub, "") }}
	}
	badPEM := func(name string, alg Algorithm, data []byte) refusal {
		return refusal{
			name:     name,
			build:    func() (*Key, error) { return ParsePEMKey(alg, data, "") },
			material: []byte(firstBase64Line(data)),
		}
	}

	cases := []refusal{
		hmac("nil secret", HS256, nil, "empty"),
		hmac("empty secret", HS256, []byte{}, "empty"),
		hmac("31 bytes for HS256", HS256, randomBytes(t, 31), "31 bytes"),
		hmac("47 bytes for HS384", HS384, randomBytes(t, 47), "47 bytes"),
		hmac("63 bytes for HS512", HS512, randomBytes(t, 63), "63 bytes"),
		hmac("32 bytes for HS384", HS384, randomBytes(t, 32), "32 bytes"),
		hmac("48 bytes for HS512", HS512, randomBytes(t, 48), "48 bytes"),
		hmac("jwt.io default", HS256, []byte("your-256-bit-secret"), "well-known"),
		hmac("jwt.io default, 38 bytes", HS256, []byte("a-string-secret-at-least-256-bits-long"), "well-known"),
		hmac("list entry, other case and whitespace", HS256, []byte(" \tA-STRING-Secret-At-Least-256-Bits-Long\n"), "well-known"),
		hmac("list entry of 64 bytes for HS512", HS512, []byte("404E635266556A586E3272357538782F413F4428472B4B6250645367566B5970"), "well-known"),
		hmac("repeated phrase on the list", HS256, []byte("mysecretkeymysecretkeymysecretkey"), "well-known"),
		hmac("one byte value", HS256, []byte(strings.Repeat("a", 32)), "distinct"),
		hmac("two byte values", HS256, []byte(strings.Repeat("ab", 16)), "distinct"),
		hmac("seven byte values", HS512, []byte(strings.Repeat("abcdefg", 10)), "distinct"),
		hmac("list entry repeated four times", HS256, []byte(strings.Repeat("jwt-secret", 4)), "pattern repeated"),
		hmac("jwt.io default twice", HS256, []byte(strings.Repeat("your-256-bit-secret", 2)), "pattern repeated"),
		hmac("a pattern repeated with a partial tail", HS256, []byte("Zk3$qP9!Zk3$qP9!Zk3$qP9!Zk3$qP9!Zk3"), "pattern repeated"),
		hmac("jwt.io default twice plus a byte", HS256, []byte("your-256-bit-secretyour-256-bit-secret!"), "estimated entropy"),
		hmac("a word counted up", HS256, []byte("secret1secret2secret3secret4secret5"), "estimated entropy"),
		hmac("the alphabet", HS256, []byte("abcdefghijklmnopqrstuvwxyz012345"), "estimated entropy"),
		hmac("seven random byte values", HS384, []byte(strings.Repeat("\x00\x17\x42\x99\xaa\xde\xff", 7)), "distinct"),

		weakPriv("1024-bit RSA for RS256", RS256, rsa1024),
		weakPriv("1024-bit RSA for PS384", PS384, rsa1024),
		weakPub("1024-bit RSA public key for RS512", RS512, &rsa1024.PublicKey),
		{name: "1024-bit RSA PEM", build: func() (*Key, error) { return ParsePEMKey(RS256, rsa1024PEM, "") }, weak: true, contains: "1024 bits"},
		weakPriv("P-384 key for ES256", ES256, p384),
		weakPriv("P-256 key for ES384", ES384, p256),
		weakPriv("P-224 key for ES256", ES256, p224),
		weakPub("P-521 public key for ES256", ES256, &p521.PublicKey),
		weakPub("P-256 public key for ES512", ES512, &p256.PublicKey),
		{name: "P-384 PEM for ES256", build: func() (*Key, error) { return ParsePEMKey(ES256, p384PEM, "") }, weak: true, contains: "P-384"},
		weakPriv("nil signer", RS256, nil),
		weakPriv("nil RSA private key", RS256, (*rsa.PrivateKey)(nil)),
		weakPriv("nil EC private key", ES256, (*ecdsa.PrivateKey)(nil)),
		weakPriv("nil Ed25519 private key", EdDSA, ed25519.PrivateKey(nil)),
		weakPub("nil public key", ES256, nil),
		weakPub("nil RSA public key", RS256, (*rsa.PublicKey)(nil)),
		weakPub("nil EC public key", ES256, (*ecdsa.PublicKey)(nil)),
		weakPub("empty Ed25519 public key", EdDSA, ed25519.PublicKey{}),

		badPriv("HMAC algorithm to NewPrivateKey", HS256, rsaPriv),
		badPub("HMAC algorithm to NewPublicKey", HS256, &rsaPriv.PublicKey),
		{name: "RSA algorithm to NewHMACKey", build: func() (*Key, error) { return NewHMACKey(RS256, goodSecret, "") }},
		badPriv("RSA key for ES256", ES256, rsaPriv),
		badPub("RSA public key for ES256", ES256, &rsaPriv.PublicKey),
		badPriv("EC key for RS256", RS256, p256),
		badPriv("EC key for PS256", PS256, p256),
		badPriv("EC key for EdDSA", EdDSA, p256),
		badPriv("Ed25519 key for ES256", ES256, ed),
		badPub("Ed25519 public key for RS256", RS256, ed.Public()),
		badPEM("RSA PEM for ES256", ES256, rsaPEM),

		badPriv("RSA key without modulus", RS256, &rsa.PrivateKey{}),
		badPriv("RSA key without private exponent", RS256, &rsa.PrivateKey{PublicKey: rsaPriv.PublicKey, Primes: rsaPriv.Primes}),
		badPriv("RSA key with one prime", RS256, &rsa.PrivateKey{PublicKey: rsaPriv.PublicKey, D: rsaPriv.D, Primes: rsaPriv.Primes[:1]}),
		badPriv("RSA key with a nil prime", RS256, &rsa.PrivateKey{PublicKey: rsaPriv.PublicKey, D: rsaPriv.D, Primes: []*big.Int{rsaPriv.Primes[0], nil}}),
		badPriv("RSA key with a wrong private exponent", RS256, &rsa.PrivateKey{PublicKey: rsaPriv.PublicKey, D: new(big.Int).Add(rsaPriv.D, big.NewInt(2)), Primes: rsaPriv.Primes}),
		badPub("RSA public exponent 1", RS256, &rsa.PublicKey{N: rsaPriv.N, E: 1}),
		badPub("even RSA public exponent", RS256, &rsa.PublicKey{N: rsaPriv.N, E: 65536}),
		badPub("RSA modulus zero", RS256, &rsa.PublicKey{N: new(big.Int), E: 65537}),
		badPub("EC point missing", ES256, &ecdsa.PublicKey{Curve: elliptic.P256()}),
		badPub("EC point off the curve", ES256, &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}),
		badPub("EC key without curve", ES256, &ecdsa.PublicKey{X: big.NewInt(1), Y: big.NewInt(1)}),
		badPriv("EC private scalar missing", ES256, &ecdsa.PrivateKey{PublicKey: p256.PublicKey}),
		badPriv("EC private scalar zero", ES256, &ecdsa.PrivateKey{PublicKey: p256.PublicKey, D: new(big.Int)}),
		badPriv("EC public half of another key", ES256, &ecdsa.PrivateKey{PublicKey: ecKey(t, elliptic.P256()).PublicKey, D: p256.D}),
		badPriv("Ed25519 seed only", EdDSA, ed25519.PrivateKey(ed.Seed())),
		badPriv("Ed25519 public half of another key", EdDSA, ed25519.PrivateKey(append(ed.Seed(), otherEd.Public().(ed25519.PublicKey)...))),
		badPub("Ed25519 public key of 31 bytes", EdDSA, ed25519.PublicKey(make([]byte, 31))),

		badPriv("wrapped signer", ES256, struct{ crypto.Signer }{p256}),
		badPriv("pointer to an Ed25519 key", EdDSA, &ed),
		badPub("private key to NewPublicKey", RS256, rsaPriv),
		badPub("bytes to NewPublicKey", ES256, []byte("not a key")),

		badPEM("nil PEM", RS256, nil),
		badPEM("empty PEM", RS256, []byte{}),
		badPEM("garbage", RS256, []byte("this is not a PEM file at all")),
		badPEM("broken base64", RS256, []byte("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n")),
		badPEM("two PEM blocks", ES256, append(append([]byte(nil), goodPEM...), pkixPEM(t, p256.Public())...)),
		badPEM("trailing garbage", ES256, append(append([]byte(nil), goodPEM...), "trailing"...)),
		// The headers alone must refuse the block: its bytes would parse as a plain key.
		{name: "encrypted legacy PEM", build: func() (*Key, error) { return ParsePEMKey(ES256, encryptedPEM, "") }, contains: "encrypted"},
		{name: "encrypted PKCS#8", build: func() (*Key, error) { return ParsePEMKey(ES256, encryptedPKCS8, "") }, contains: "encrypted"},
		badPEM("OpenSSH key", EdDSA, pemEncode("OPENSSH PRIVATE KEY", randomBytes(t, 128))),
		badPEM("X25519 key", EdDSA, pkcs8PEM(t, x25519)),
	}
	for _, blockType := range []string{"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE"} {
		cases = append(cases, badPEM("garbage in "+blockType, RS256, pemEncode(blockType, randomBytes(t, 64))))
	}
	for _, alg := range []Algorithm{"none", "None", "NONE", "nOnE", "", "HS257", "hs256", "RSA", "ES256 ", "eddsa"} {
		cases = append(cases,
			refusal{name: fmt.Sprintf("NewHMACKey %q", alg), build: func() (*Key, error) { return NewHMACKey(alg, goodSecret, "") }},
			badPriv(fmt.Sprintf("NewPrivateKey %q", alg), alg, p256),
			badPub(fmt.Sprintf("NewPublicKey %q", alg), alg, p256.Public()),
			badPEM(fmt.Sprintf("ParsePEMKey %q", alg), alg, goodPEM),
			refusal{name: fmt.Sprintf("GenerateKey %q", alg), build: func() (*Key, error) { return GenerateKey(alg, "") }},
		)
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var k *Key
			var err error
			require.NotPanics(t, func() { k, err = tc.build() })
			require.Error(t, err)
			assert.Nil(t, k)
			assert.ErrorIs(t, err, ErrInvalidConfig)
			assert.Equal(t, tc.weak, errors.Is(err, ErrWeakKey), "ErrWeakKey match: %v", err)
			if tc.contains != "" {
				assert.Contains(t, err.Error(), tc.contains)
			}
			if len(tc.material) > 0 {
				assert.NotContains(t, err.Error(), string(tc.material))
				assert.NotContains(t, err.Error(), strings.TrimSpace(string(tc.material)))
			}
		})
	}
}

func TestNoneIsNamedInTheError(t *testing.T) {
	_, err := NewHMACKey("None", randomBytes(t, 32), "")
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "never accepted")
}

func TestWellKnownSecretList(t *testing.T) {
	require.GreaterOrEqual(t, len(wellKnownSecrets), 50)
	seen := make(map[string]string)
	onlyTheListCatches := 0
	for _, s := range wellKnownSecrets {
		require.NotEmpty(t, s)
		assert.Equal(t, strings.TrimSpace(s), s, "entry %q has surrounding whitespace", s)
		norm := strings.ToLower(s)
		if prev, dup := seen[norm]; dup {
			t.Errorf("%q duplicates %q", s, prev)
		}
		seen[norm] = s
		if len(s) >= 32 && distinctBytes([]byte(s)) >= minDistinctBytes {
			onlyTheListCatches++
		}
		for _, alg := range []Algorithm{HS256, HS384, HS512} {
			_, err := NewHMACKey(alg, []byte(s), "")
			require.ErrorIs(t, err, ErrWeakKey, "%s accepted %q", alg, s)
			assert.Contains(t, err.Error(), "well-known")
		}
		assert.True(t, isWellKnownSecret([]byte("  "+strings.ToUpper(s)+"\r\n")))
	}
	assert.GreaterOrEqual(t, onlyTheListCatches, 15, "the list should hold long secrets that pass the length and distinct-byte rules")
	assert.False(t, isWellKnownSecret([]byte("secret!")))
	assert.False(t, isWellKnownSecret([]byte("my secret")))
}

func TestNilAndZeroKeys(t *testing.T) {
	for name, k := range map[string]*Key{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			require.NotPanics(t, func() {
				assert.Empty(t, k.Algorithm())
				assert.Empty(t, k.KeyID())
				assert.False(t, k.CanSign())
				assert.Same(t, k, k.Public())
				assert.Nil(t, k.PublicKey())
				assert.Nil(t, k.signingMethod())
				assert.Nil(t, k.signKey())
				assert.Nil(t, k.verifyKey())
				_ = k.String()
				_ = fmt.Sprintf("%v %+v %#v", k, k, k)
				_, err := k.PrivatePEM()
				assert.ErrorIs(t, err, ErrInvalidConfig)
				_, err = k.PublicPEM()
				assert.ErrorIs(t, err, ErrInvalidConfig)
			})
		})
	}
}

func TestHMACKeyHasNoPEM(t *testing.T) {
	k, err := GenerateKey(HS256, "")
	require.NoError(t, err)
	_, err = k.PrivatePEM()
	assert.ErrorIs(t, err, ErrInvalidConfig)
	_, err = k.PublicPEM()
	assert.ErrorIs(t, err, ErrInvalidConfig)
}

func TestFormattingHidesKeyMaterial(t *testing.T) {
	secret := []byte("Zq8vN2kLp4Xw7Rt1Yb6Hc3Jm9Fd5Gs0Ua2Ee8Ii")
	hmacKey, err := NewHMACKey(HS256, secret, "kid-1")
	require.NoError(t, err)
	ed := edKey(t)
	edPriv, err := NewPrivateKey(EdDSA, ed, "kid-2")
	require.NoError(t, err)

	forbidden := []string{
		string(secret), hex.EncodeToString(secret), strings.ToUpper(hex.EncodeToString(secret)), fmt.Sprint(secret[:8]),
		hex.EncodeToString(ed.Seed()), fmt.Sprint(ed.Seed()[:8]),
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, k := range []*Key{hmacKey, edPriv} {
			for _, out := range []string{
				fmt.Sprintf(verb, k),
				fmt.Sprintf(verb, *k),
				fmt.Sprintf(verb, struct{ Key *Key }{k}),
				fmt.Sprintf(verb, []*Key{k}),
			} {
				for _, f := range forbidden {
					assert.NotContains(t, out, f, "%s printed key material", verb)
				}
			}
		}
	}
	assert.Equal(t, `HS256 key (kid "kid-1", sign and verify)`, hmacKey.String())
	assert.Equal(t, `EdDSA key (kid "kid-2", verify only)`, edPriv.Public().String())
}

func TestKeyConcurrentUse(t *testing.T) {
	hmacKey, err := GenerateKey(HS512, "h")
	require.NoError(t, err)
	ecPriv, err := NewPrivateKey(ES384, ecKey(t, elliptic.P384()), "e")
	require.NoError(t, err)
	rsaPriv, err := NewPrivateKey(PS256, rsaKey(t), "r")
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		for _, k := range []*Key{hmacKey, ecPriv, rsaPriv} {
			wg.Go(func() {
				for range 5 {
					sig, err := k.signingMethod().Sign(signingInput, k.signKey())
					if err == nil {
						err = verify(k.Public(), sig)
					}
					if err == nil && k.Public() != k {
						_, err = k.PrivatePEM()
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
