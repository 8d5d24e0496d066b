package jwtkit

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithm is a JWS algorithm name as it appears in a token's alg header (RFC 7518). It is a
// string so configuration can carry it verbatim, but only the constants below are accepted:
// anything else, "none" in any spelling included, is refused when a key is built.
type Algorithm string

// The algorithms a Key can be bound to. The names are case-sensitive, as in the alg header.
const (
	HS256 Algorithm = "HS256"
	HS384 Algorithm = "HS384"
	HS512 Algorithm = "HS512"
	RS256 Algorithm = "RS256"
	RS384 Algorithm = "RS384"
	RS512 Algorithm = "RS512"
	PS256 Algorithm = "PS256"
	PS384 Algorithm = "PS384"
	PS512 Algorithm = "PS512"
	ES256 Algorithm = "ES256"
	ES384 Algorithm = "ES384"
	ES512 Algorithm = "ES512"
	EdDSA Algorithm = "EdDSA"
)

// String returns the name used in the alg header, so an Algorithm prints like the token does.
func (a Algorithm) String() string { return string(a) }

const (
	// minRSABits is the smallest RSA modulus accepted (RFC 7518 section 3.3, NIST SP 800-131A).
	minRSABits = 2048
	// generatedRSABits is the size GenerateKey uses for every RS and PS algorithm.
	generatedRSABits = 2048
	// minDistinctBytes: a secret of the right length made of a handful of repeated values
	// ("aaaa…", "abab…") is a placeholder, not a random key.
	minDistinctBytes = 8
)

type keyFamily int

const (
	familyHMAC keyFamily = iota + 1
	familyRSA
	familyEC
	familyEdDSA
)

// algSpec is what an algorithm demands of its key.
type algSpec struct {
	family keyFamily
	method jwt.SigningMethod
	// secretLen is the hash output size, the shortest HMAC secret that gives the full strength.
	secretLen int
	// curve is the only curve an ES algorithm may use (RFC 7518 section 3.4).
	curve elliptic.Curve
}

// The PS methods keys are bound to. golang-jwt's own PS256/384/512 verify with
// rsa.PSSSaltLengthAuto, which accepts a signature with any salt length; RFC 7518 section 3.5
// fixes the salt length to the hash output size, so these sign and verify with exactly that
// (rsa.PSSSaltLengthEqualsHash). They keep golang-jwt's names and hashes, so Alg() is unchanged.
var (
	strictPS256 = strictPSS(jwt.SigningMethodPS256)
	strictPS384 = strictPSS(jwt.SigningMethodPS384)
	strictPS512 = strictPSS(jwt.SigningMethodPS512)
)

func strictPSS(m *jwt.SigningMethodRSAPSS) *jwt.SigningMethodRSAPSS {
	equalsHash := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
	return &jwt.SigningMethodRSAPSS{SigningMethodRSA: m.SigningMethodRSA, Options: equalsHash, VerifyOptions: equalsHash}
}

func specFor(alg Algorithm) (algSpec, error) {
	switch alg {
	case HS256:
		return algSpec{family: familyHMAC, method: jwt.SigningMethodHS256, secretLen: 32}, nil
	case HS384:
		return algSpec{family: familyHMAC, method: jwt.SigningMethodHS384, secretLen: 48}, nil
	case HS512:
		return algSpec{family: familyHMAC, method: jwt.SigningMethodHS512, secretLen: 64}, nil
	case RS256:
		return algSpec{family: familyRSA, method: jwt.SigningMethodRS256}, nil
	case RS384:
		return algSpec{family: familyRSA, method: jwt.SigningMethodRS384}, nil
	case RS512:
		return algSpec{family: familyRSA, method: jwt.SigningMethodRS512}, nil
	case PS256:
		return algSpec{family: familyRSA, method: strictPS256}, nil
	case PS384:
		return algSpec{family: familyRSA, method: strictPS384}, nil
	case PS512:
		return algSpec{family: familyRSA, method: strictPS512}, nil
	case ES256:
		return algSpec{family: familyEC, method: jwt.SigningMethodES256, curve: elliptic.P256()}, nil
	case ES384:
		return algSpec{family: familyEC, method: jwt.SigningMethodES384, curve: elliptic.P384()}, nil
	case ES512:
		return algSpec{family: familyEC, method: jwt.SigningMethodES512, curve: elliptic.P521()}, nil
	case EdDSA:
		return algSpec{family: familyEdDSA, method: jwt.SigningMethodEdDSA}, nil
	}
	if strings.EqualFold(string(alg), "none") {
		return algSpec{}, fmt.Errorf("algorithm %q is never accepted, every token must be signed: %w", alg, ErrInvalidConfig)
	}
	return algSpec{}, fmt.Errorf("unknown algorithm %q: %w", alg, ErrInvalidConfig)
}

// asymmetricSpec is specFor for the constructors that take a key pair half.
func asymmetricSpec(alg Algorithm) (algSpec, error) {
	spec, err := specFor(alg)
	if err != nil {
		return algSpec{}, err
	}
	if spec.family == familyHMAC {
		return algSpec{}, fmt.Errorf("%s is an HMAC algorithm, use NewHMACKey: %w", alg, ErrInvalidConfig)
	}
	return spec, nil
}

// requireFamily refuses a key whose type belongs to another algorithm family than alg's, so an
// RSA key can never be used under ES256 (or an HMAC algorithm) and the other way round.
func (s algSpec) requireFamily(alg Algorithm, family keyFamily, key any) error {
	if s.family != family {
		return fmt.Errorf("a %T cannot be used with %s: %w", key, alg, ErrInvalidConfig)
	}
	return nil
}

// A Key is a signing or verification key bound to exactly one algorithm at construction, with
// an optional key id (kid). A token's alg header only ever selects among configured keys and
// must equal the key's algorithm, so the algorithm-confusion attacks (an HMAC token checked with
// an RSA public key, "none") have nothing to work with.
//
// Keys are built by the constructors below, which refuse weak and mismatched keys and keep their
// own copy of the key material. A Key is immutable and safe for concurrent use. Printing a Key
// shows its algorithm and kid, never its material. The zero Key is not usable.
type Key struct {
	alg    Algorithm
	kid    string
	method jwt.SigningMethod
	secret []byte           // HMAC only
	priv   crypto.Signer    // nil for HMAC and verification-only keys
	pub    crypto.PublicKey // nil for HMAC
	public *Key             // the verification-only twin of a private key
	macs   *macPool         // HMAC only: keyed states reused by verify
	// remote is true for a key that came from a remote key set (RemoteKeySet): it can
	// disappear after New, so cached tokens it admitted are checked against the current set.
	remote bool
}

// NewHMACKey returns a key for HS256, HS384 or HS512. The secret is copied, so the caller may
// wipe or reuse its slice. It is refused (ErrWeakKey) when empty, shorter than the hash output
// (32, 48 or 64 bytes), one of the example secrets found in documentation and tutorials, made
// of fewer than 8 distinct byte values, a shorter pattern repeated, or of low estimated entropy
// (repeated words, runs such as "abcd"); GenerateKey, or `jwtkit keygen`, makes a suitable one.
func NewHMACKey(alg Algorithm, secret []byte, kid string) (*Key, error) {
	spec, err := specFor(alg)
	if err != nil {
		return nil, err
	}
	if spec.family != familyHMAC {
		return nil, fmt.Errorf("%s is not an HMAC algorithm, use NewPrivateKey or NewPublicKey: %w", alg, ErrInvalidConfig)
	}
	if err := checkSecret(alg, spec.secretLen, secret); err != nil {
		return nil, err
	}
	k := &Key{alg: alg, kid: kid, method: spec.method, secret: bytes.Clone(secret)}
	k.macs = newMACPool(spec.method, k.secret)
	return k, nil
}

// checkSecret's messages describe the secret (its length, why it is weak) but never include it.
func checkSecret(alg Algorithm, minLen int, secret []byte) error {
	switch {
	case len(secret) == 0:
		return fmt.Errorf("%s secret is empty: %w", alg, ErrWeakKey)
	case isWellKnownSecret(secret):
		return fmt.Errorf("%s secret is a well-known example secret from documentation or tutorials: %w", alg, ErrWeakKey)
	case len(secret) < minLen:
		return fmt.Errorf("%s secret is %d bytes, at least %d are needed: %w", alg, len(secret), minLen, ErrWeakKey)
	case distinctBytes(secret) < minDistinctBytes:
		return fmt.Errorf("%s secret has fewer than %d distinct byte values: %w", alg, minDistinctBytes, ErrWeakKey)
	case smallestPeriod(secret) <= len(secret)/2:
		return fmt.Errorf("%s secret is a shorter pattern repeated, as guessable as the pattern alone: %w", alg, ErrWeakKey)
	}
	if bits := estimatedBits(secret); bits < minEstimatedBits {
		return fmt.Errorf("%s secret has an estimated entropy of %.0f bits, at least %d are needed (repeated words and runs such as \"abcd\" count for little): %w",
			alg, bits, minEstimatedBits, ErrWeakKey)
	}
	return nil
}

func distinctBytes(b []byte) int {
	var seen [256]bool
	n := 0
	for _, c := range b {
		if !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n
}

// NewPrivateKey returns a signing key: an *rsa.PrivateKey for RS256/384/512 and PS256/384/512,
// an *ecdsa.PrivateKey on the algorithm's curve for ES256 (P-256), ES384 (P-384) and ES512
// (P-521), or an ed25519.PrivateKey for EdDSA. Other signers (HSM or KMS handles) are not
// supported because golang-jwt signs with these concrete types.
//
// The key is validated and copied, so later changes to priv do not affect the Key. A nil key, an
// RSA key under 2048 bits and an EC key on another curve are refused with ErrWeakKey; a key of
// another family than alg's, or one whose parts do not belong together, with ErrInvalidConfig.
func NewPrivateKey(alg Algorithm, priv crypto.Signer, kid string) (*Key, error) {
	spec, err := asymmetricSpec(alg)
	if err != nil {
		return nil, err
	}
	signer, err := checkPrivate(alg, spec, priv)
	if err != nil {
		return nil, err
	}
	k := &Key{alg: alg, kid: kid, method: spec.method, priv: signer, pub: signer.Public()}
	k.public = &Key{alg: alg, kid: kid, method: spec.method, pub: k.pub}
	return k, nil
}

// checkPrivate validates priv for alg and returns a private copy of it.
func checkPrivate(alg Algorithm, spec algSpec, priv crypto.Signer) (crypto.Signer, error) {
	switch p := priv.(type) {
	case nil:
		return nil, errNilKey(alg)
	case *rsa.PrivateKey:
		if p == nil {
			return nil, errNilKey(alg)
		}
		if err := spec.requireFamily(alg, familyRSA, p); err != nil {
			return nil, err
		}
		return copyRSAPrivate(alg, p)
	case *ecdsa.PrivateKey:
		if p == nil {
			return nil, errNilKey(alg)
		}
		if err := spec.requireFamily(alg, familyEC, p); err != nil {
			return nil, err
		}
		return copyECPrivate(alg, spec.curve, p)
	case ed25519.PrivateKey:
		if len(p) == 0 {
			return nil, errNilKey(alg)
		}
		if err := spec.requireFamily(alg, familyEdDSA, p); err != nil {
			return nil, err
		}
		return copyEdPrivate(alg, p)
	}
	return nil, fmt.Errorf("unsupported private key type %T for %s (want *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey): %w", priv, alg, ErrInvalidConfig)
}

func errNilKey(alg Algorithm) error {
	return fmt.Errorf("%s key is nil or empty: %w", alg, ErrWeakKey)
}

func errIncomplete(alg Algorithm, what string) error {
	return fmt.Errorf("%s key is malformed: %s: %w", alg, what, ErrInvalidConfig)
}

// copyRSAPrivate copies p field by field rather than through x509, whose marshalling would
// write precomputed values into the caller's key.
func copyRSAPrivate(alg Algorithm, p *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	pub, err := copyRSAPublic(alg, &p.PublicKey)
	if err != nil {
		return nil, err
	}
	if p.D == nil || len(p.Primes) < 2 || slices.Contains(p.Primes, nil) {
		return nil, errIncomplete(alg, "RSA private exponent or primes missing")
	}
	c := &rsa.PrivateKey{PublicKey: *pub, D: new(big.Int).Set(p.D), Primes: make([]*big.Int, len(p.Primes))}
	for i, prime := range p.Primes {
		c.Primes[i] = new(big.Int).Set(prime)
	}
	c.Precompute()
	if c.Validate() != nil {
		return nil, errIncomplete(alg, "RSA private key is inconsistent")
	}
	return c, nil
}

func copyRSAPublic(alg Algorithm, p *rsa.PublicKey) (*rsa.PublicKey, error) {
	if p.N == nil || p.N.Sign() <= 0 {
		return nil, errIncomplete(alg, "RSA modulus missing")
	}
	if bits := p.N.BitLen(); bits < minRSABits {
		return nil, fmt.Errorf("%s RSA key is %d bits, at least %d are needed: %w", alg, bits, minRSABits, ErrWeakKey)
	}
	// An exponent of 1 would make every signature trivially forgeable; even or huge ones are
	// not RSA keys that crypto/rsa will verify with.
	if p.E < 3 || p.E%2 == 0 || p.E > 1<<31-1 {
		return nil, errIncomplete(alg, "RSA public exponent must be odd and between 3 and 2^31-1")
	}
	return &rsa.PublicKey{N: new(big.Int).Set(p.N), E: p.E}, nil
}

// copyECPrivate rebuilds the key from its scalar, which validates the scalar and derives the
// public point, then insists the caller's public half is that point.
func copyECPrivate(alg Algorithm, curve elliptic.Curve, p *ecdsa.PrivateKey) (*ecdsa.PrivateKey, error) {
	if _, err := copyECPublic(alg, curve, &p.PublicKey); err != nil {
		return nil, err
	}
	// Checked because Bytes dereferences it; the field is otherwise left alone as the
	// ecdsa package asks.
	if p.D == nil { //nolint:staticcheck // a nil check only, before Bytes dereferences it
		return nil, errIncomplete(alg, "EC private scalar missing")
	}
	raw, err := p.Bytes()
	if err != nil {
		return nil, errIncomplete(alg, "EC private scalar is invalid")
	}
	c, err := ecdsa.ParseRawPrivateKey(curve, raw)
	if err != nil {
		return nil, errIncomplete(alg, "EC private scalar is invalid")
	}
	if !c.PublicKey.Equal(&p.PublicKey) {
		return nil, errIncomplete(alg, "EC public point does not belong to the private scalar")
	}
	return c, nil
}

// copyECPublic checks the curve, then round-trips the point through its encoding, which refuses
// points off the curve and the point at infinity (invalid-curve attacks).
func copyECPublic(alg Algorithm, curve elliptic.Curve, p *ecdsa.PublicKey) (*ecdsa.PublicKey, error) {
	// X and Y are only tested for nil, because Bytes dereferences them.
	if p.Curve == nil || p.X == nil || p.Y == nil { //nolint:staticcheck // nil checks only, before Bytes dereferences them
		return nil, errIncomplete(alg, "EC curve or point missing")
	}
	if p.Curve != curve {
		return nil, fmt.Errorf("%s needs a %s key, got %s: %w", alg, curve.Params().Name, curveName(p.Curve), ErrWeakKey)
	}
	raw, err := p.Bytes()
	if err != nil {
		return nil, errIncomplete(alg, "EC point is not on the curve")
	}
	c, err := ecdsa.ParseUncompressedPublicKey(curve, raw)
	if err != nil {
		return nil, errIncomplete(alg, "EC point is not on the curve")
	}
	return c, nil
}

// curveName names the standard curves only: a custom Curve's Params may be anything.
func curveName(c elliptic.Curve) string {
	for _, std := range []elliptic.Curve{elliptic.P224(), elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		if c == std {
			return std.Params().Name
		}
	}
	return "a non-standard curve"
}

// copyEdPrivate regenerates the key from its seed and insists the stored public half matches:
// crypto/ed25519 signs with the stored half, and a wrong one yields signatures that can leak
// the private key.
func copyEdPrivate(alg Algorithm, p ed25519.PrivateKey) (ed25519.PrivateKey, error) {
	if len(p) != ed25519.PrivateKeySize {
		return nil, errIncomplete(alg, fmt.Sprintf("Ed25519 private key must be %d bytes", ed25519.PrivateKeySize))
	}
	c := ed25519.NewKeyFromSeed(p.Seed())
	if !c.Equal(p) {
		return nil, errIncomplete(alg, "Ed25519 public half does not belong to the seed")
	}
	return c, nil
}

// NewPublicKey returns a verification-only key: an *rsa.PublicKey for RS and PS algorithms, an
// *ecdsa.PublicKey on the algorithm's curve for ES algorithms, or an ed25519.PublicKey for EdDSA.
// It is what a service that only checks tokens, or an old key kept during rotation, is
// configured with. The same refusals as NewPrivateKey apply, and EC points off the curve are
// refused too.
func NewPublicKey(alg Algorithm, pub crypto.PublicKey, kid string) (*Key, error) {
	spec, err := asymmetricSpec(alg)
	if err != nil {
		return nil, err
	}
	checked, err := checkPublic(alg, spec, pub)
	if err != nil {
		return nil, err
	}
	return &Key{alg: alg, kid: kid, method: spec.method, pub: checked}, nil
}

// checkPublic validates pub for alg and returns a private copy of it.
func checkPublic(alg Algorithm, spec algSpec, pub crypto.PublicKey) (crypto.PublicKey, error) {
	switch p := pub.(type) {
	case nil:
		return nil, errNilKey(alg)
	case *rsa.PublicKey:
		if p == nil {
			return nil, errNilKey(alg)
		}
		if err := spec.requireFamily(alg, familyRSA, p); err != nil {
			return nil, err
		}
		return copyRSAPublic(alg, p)
	case *ecdsa.PublicKey:
		if p == nil {
			return nil, errNilKey(alg)
		}
		if err := spec.requireFamily(alg, familyEC, p); err != nil {
			return nil, err
		}
		return copyECPublic(alg, spec.curve, p)
	case ed25519.PublicKey:
		if len(p) == 0 {
			return nil, errNilKey(alg)
		}
		if err := spec.requireFamily(alg, familyEdDSA, p); err != nil {
			return nil, err
		}
		if len(p) != ed25519.PublicKeySize {
			return nil, errIncomplete(alg, fmt.Sprintf("Ed25519 public key must be %d bytes", ed25519.PublicKeySize))
		}
		return ed25519.PublicKey(bytes.Clone(p)), nil
	}
	return nil, fmt.Errorf("unsupported public key type %T for %s (want *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey): %w", pub, alg, ErrInvalidConfig)
}

// ParsePEMKey builds a key from exactly one PEM block: a private key ("PRIVATE KEY" in PKCS #8,
// "RSA PRIVATE KEY" in PKCS #1, "EC PRIVATE KEY" in SEC 1) gives a signing key, a public key
// ("PUBLIC KEY" in PKIX, "RSA PUBLIC KEY" in PKCS #1) or a "CERTIFICATE" a verification-only
// one. A certificate is only a container for its public key here: its validity period, chain
// and usages are not checked, exactly as if the public key had been configured directly.
//
// Text before the block (such as openssl's "Bag Attributes") is ignored; anything but whitespace
// after it is refused, so a file holding a chain or several keys cannot silently configure only
// its first one. Encrypted keys are refused: decrypt them first (openssl pkey -in enc.pem). The
// key then goes through NewPrivateKey or NewPublicKey and their refusals.
func ParsePEMKey(alg Algorithm, pemData []byte, kid string) (*Key, error) {
	block, rest := pem.Decode(pemData)
	if block == nil {
		return nil, fmt.Errorf("no PEM block found: %w", ErrInvalidConfig)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("data after the %q PEM block, exactly one block is expected: %w", block.Type, ErrInvalidConfig)
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Headers["DEK-Info"] != "" {
		return nil, fmt.Errorf("PEM block is encrypted, decrypt it first (openssl pkey -in enc.pem -out plain.pem): %w", ErrInvalidConfig)
	}
	// The parsers' own errors are not wrapped: they may quote fragments of the DER.
	unreadable := func(format string) error {
		return fmt.Errorf("PEM block %q does not hold a valid %s: %w", block.Type, format, ErrInvalidConfig)
	}
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, unreadable("PKCS #8 private key")
		}
		signer, ok := parsed.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("PKCS #8 key of type %T cannot sign tokens: %w", parsed, ErrInvalidConfig)
		}
		return NewPrivateKey(alg, signer, kid)
	case "RSA PRIVATE KEY":
		parsed, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, unreadable("PKCS #1 RSA private key")
		}
		return NewPrivateKey(alg, parsed, kid)
	case "EC PRIVATE KEY":
		parsed, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, unreadable("SEC 1 EC private key")
		}
		return NewPrivateKey(alg, parsed, kid)
	case "PUBLIC KEY":
		parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, unreadable("PKIX public key")
		}
		return NewPublicKey(alg, parsed, kid)
	case "RSA PUBLIC KEY":
		parsed, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, unreadable("PKCS #1 RSA public key")
		}
		return NewPublicKey(alg, parsed, kid)
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, unreadable("X.509 certificate")
		}
		return NewPublicKey(alg, cert.PublicKey, kid)
	}
	return nil, fmt.Errorf("unsupported PEM block type %q: %w", block.Type, ErrInvalidConfig)
}

// GenerateKey returns a new random signing key for alg: for HS algorithms a secret as long as
// the hash output (32, 48 or 64 bytes) from crypto/rand; for RS and PS algorithms a 2048-bit RSA
// key, the accepted floor, for all three hash sizes (generation of larger keys is slow; callers
// who want 3072 or 4096 bits generate them with crypto/rsa and use NewPrivateKey); for ES256,
// ES384 and ES512 a key on P-256, P-384 or P-521; for EdDSA an Ed25519 key.
func GenerateKey(alg Algorithm, kid string) (*Key, error) {
	spec, err := specFor(alg)
	if err != nil {
		return nil, err
	}
	var priv crypto.Signer
	switch spec.family {
	case familyHMAC:
		secret := make([]byte, spec.secretLen)
		// crypto/rand.Read never fails: it aborts the program if the system's source does.
		_, _ = rand.Read(secret)
		return NewHMACKey(alg, secret, kid)
	case familyRSA:
		priv, err = rsa.GenerateKey(rand.Reader, generatedRSABits)
	case familyEC:
		priv, err = ecdsa.GenerateKey(spec.curve, rand.Reader)
	case familyEdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("generating a %s key failed (%v): %w", alg, err, ErrInvalidConfig)
	}
	return NewPrivateKey(alg, priv, kid)
}

// Algorithm returns the one algorithm the key signs and verifies with.
func (k *Key) Algorithm() Algorithm {
	if k == nil {
		return ""
	}
	return k.alg
}

// KeyID returns the kid the key was built with; issued tokens carry it in their header, and
// validation uses it to pick this key.
func (k *Key) KeyID() string {
	if k == nil {
		return ""
	}
	return k.kid
}

// CanSign reports whether the key can issue tokens: HMAC and private keys can,
// verification-only keys cannot.
func (k *Key) CanSign() bool {
	return k != nil && (k.secret != nil || k.priv != nil)
}

// Public returns the verification-only twin of a private key, with the same algorithm and kid,
// for configuring services that only check tokens. An HMAC key is symmetric, so Public returns
// it unchanged (it can still sign); so does a key that is already verification-only.
func (k *Key) Public() *Key {
	if k == nil || k.public == nil {
		return k
	}
	return k.public
}

// PublicKey returns the public half (*rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey),
// for publishing keys as a JWKS, or nil for an HMAC key, which has none. The value is shared
// with the Key and must not be modified.
func (k *Key) PublicKey() crypto.PublicKey {
	if k == nil {
		return nil
	}
	return k.pub
}

// PrivatePEM encodes the private key as a PKCS #8 "PRIVATE KEY" PEM block, for saving a key
// made by GenerateKey. HMAC and verification-only keys have no private key to export.
func (k *Key) PrivatePEM() ([]byte, error) {
	if k == nil || k.priv == nil {
		return nil, fmt.Errorf("%s key has no private key to export: %w", k.Algorithm(), ErrInvalidConfig)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s private key: %w", k.alg, ErrInvalidConfig)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicPEM encodes the public key as a PKIX "PUBLIC KEY" PEM block, for handing to services
// that verify tokens. An HMAC key has no public half.
func (k *Key) PublicPEM() ([]byte, error) {
	if k == nil || k.pub == nil {
		return nil, fmt.Errorf("%s key has no public key to export: %w", k.Algorithm(), ErrInvalidConfig)
	}
	der, err := x509.MarshalPKIXPublicKey(k.pub)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s public key: %w", k.alg, ErrInvalidConfig)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// String describes the key by algorithm, kid and capability, never by its material.
func (k *Key) String() string {
	if k == nil {
		return "<nil>"
	}
	use := "verify only"
	if k.CanSign() {
		use = "sign and verify"
	}
	return fmt.Sprintf("%s key (kid %q, %s)", k.alg, k.kid, use)
}

// Format prints String for every verb, so no formatting of a Key or *Key (%+v, %#v, %x of a
// config struct holding one) can reach the secret or private key inside. It has a value
// receiver so that a dereferenced Key is covered too.
func (k Key) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, k.String())
}

// signingMethod is the golang-jwt method for the key's algorithm; nil only for the zero Key.
func (k *Key) signingMethod() jwt.SigningMethod {
	if k == nil {
		return nil
	}
	return k.method
}

// signKey is the value golang-jwt's Sign expects for the method: the secret for HMAC, the
// *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey otherwise, nil when !CanSign.
func (k *Key) signKey() any {
	switch {
	case k == nil:
		return nil
	case k.secret != nil:
		return k.secret
	case k.priv != nil:
		return k.priv
	}
	return nil
}

// verifyKey is the value golang-jwt's Verify expects: the secret for HMAC, the *rsa.PublicKey,
// *ecdsa.PublicKey or ed25519.PublicKey otherwise; nil only for the zero Key.
func (k *Key) verifyKey() any {
	switch {
	case k == nil:
		return nil
	case k.secret != nil:
		return k.secret
	case k.pub != nil:
		return k.pub
	}
	return nil
}

// verify checks sig over signingInput (the token's "header.payload") with this key under its
// bound algorithm. It is the one place the validator checks a signature, so the Wycheproof
// vectors that exercise it exercise the validator's own path.
func (k *Key) verify(signingInput string, sig []byte) error {
	switch {
	case k == nil || k.method == nil:
		return errors.New("no key")
	case k.macs != nil:
		return k.macs.verify(signingInput, sig)
	}
	// sig escapes through the interface call: a copy lets callers decode it on the stack.
	return k.method.Verify(signingInput, bytes.Clone(sig), k.verifyKey())
}
