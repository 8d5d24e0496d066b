package jwtkit

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"math/big"
)

// Key returns the public key the JWK describes as a verification-only Key, for verifying the
// tokens of an issuer that publishes its keys as a JWKS (RemoteKeySet builds its keys with it):
// kty "RSA" (n, e) for RS256/384/512 and PS256/384/512, kty "EC" (crv, x, y) for ES256 on P-256,
// ES384 on P-384 and ES512 on P-521, kty "OKP" with crv "Ed25519" (x) for EdDSA.
//
// The JWK's alg is required and is the key's algorithm: nothing is inferred from the key type,
// and an alg that does not fit the key type is refused. The kid is kept. Members are strict
// base64url without padding; EC coordinates must be exactly the curve's size and the point on
// the curve. The key then goes through NewPublicKey and its refusals (RSA under 2048 bits, bad
// exponents, wrong curve).
//
// A JWK that carries a secret is refused, so a key set that leaks one is never used: kty "oct"
// and any private member (d, p, q, dp, dq, qi, k). So is use other than "" or "sig". Every error
// wraps ErrInvalidConfig (ErrWeakKey for a weak key, which matches it too).
func (j JWK) Key() (*Key, error) {
	if err := j.checkPublicOnly(); err != nil {
		return nil, err
	}
	alg := Algorithm(j.Alg)
	if j.Alg == "" {
		return nil, jwkError(j, "alg is required: the algorithm is never guessed from the key type")
	}
	spec, err := asymmetricSpec(alg)
	if err != nil {
		return nil, fmt.Errorf("JWK %q: %w", j.Kid, err)
	}
	var pub crypto.PublicKey
	switch j.Kty {
	case "RSA":
		pub, err = j.rsaPublic(spec)
	case "EC":
		pub, err = j.ecPublic(spec)
	case "OKP":
		pub, err = j.edPublic(spec)
	default:
		return nil, jwkError(j, fmt.Sprintf("unsupported kty %q (want RSA, EC or OKP)", j.Kty))
	}
	if err != nil {
		return nil, err
	}
	return NewPublicKey(alg, pub, j.Kid)
}

// checkPublicOnly refuses symmetric keys, private members and keys meant for encryption.
func (j JWK) checkPublicOnly() error {
	if j.Kty == "oct" {
		return jwkError(j, `kty "oct" is a shared secret, which a key set must never carry`)
	}
	private := [...]struct{ name, value string }{
		{"d", j.D}, {"p", j.P}, {"q", j.Q}, {"dp", j.DP}, {"dq", j.DQ}, {"qi", j.QI}, {"k", j.K},
	}
	for _, m := range private {
		if m.value != "" {
			return jwkError(j, fmt.Sprintf("private member %q present: a key set must carry public keys only", m.name))
		}
	}
	if j.Use != "" && j.Use != "sig" {
		return jwkError(j, fmt.Sprintf("use %q is not \"sig\"", j.Use))
	}
	return nil
}

func (j JWK) rsaPublic(spec algSpec) (crypto.PublicKey, error) {
	if spec.family != familyRSA {
		return nil, jwkError(j, fmt.Sprintf("kty RSA cannot be used with %s", j.Alg))
	}
	if j.Crv != "" || j.X != "" || j.Y != "" {
		return nil, jwkError(j, "an RSA key has no crv, x or y")
	}
	n, err := j.member("n", j.N)
	if err != nil {
		return nil, err
	}
	e, err := j.member("e", j.E)
	if err != nil {
		return nil, err
	}
	// RFC 7518 section 6.3.1.2: the exponent in its minimal form. Four bytes hold every exponent
	// NewPublicKey accepts; a longer one is refused before it can overflow an int.
	if e[0] == 0 || len(e) > 4 {
		return nil, jwkError(j, "e must be a minimal big-endian integer of at most 4 bytes")
	}
	// A leading zero octet in n is tolerated: some libraries emit the sign byte, and the value
	// (hence the key) is the same.
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}

func (j JWK) ecPublic(spec algSpec) (crypto.PublicKey, error) {
	if spec.family != familyEC {
		return nil, jwkError(j, fmt.Sprintf("kty EC cannot be used with %s", j.Alg))
	}
	if j.N != "" || j.E != "" {
		return nil, jwkError(j, "an EC key has no n or e")
	}
	if want := spec.curve.Params().Name; j.Crv != want {
		return nil, jwkError(j, fmt.Sprintf("%s needs crv %q, got %q", j.Alg, want, j.Crv))
	}
	x, err := j.member("x", j.X)
	if err != nil {
		return nil, err
	}
	y, err := j.member("y", j.Y)
	if err != nil {
		return nil, err
	}
	size := (spec.curve.Params().BitSize + 7) / 8
	if len(x) != size || len(y) != size {
		return nil, jwkError(j, fmt.Sprintf("x and y must be exactly %d bytes on %s", size, j.Crv))
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(spec.curve, point)
	if err != nil {
		return nil, jwkError(j, "the point is not on "+j.Crv)
	}
	return pub, nil
}

func (j JWK) edPublic(spec algSpec) (crypto.PublicKey, error) {
	if spec.family != familyEdDSA {
		return nil, jwkError(j, fmt.Sprintf("kty OKP cannot be used with %s", j.Alg))
	}
	if j.N != "" || j.E != "" || j.Y != "" {
		return nil, jwkError(j, "an OKP key has no n, e or y")
	}
	if j.Crv != "Ed25519" {
		return nil, jwkError(j, fmt.Sprintf("EdDSA needs crv \"Ed25519\", got %q", j.Crv))
	}
	x, err := j.member("x", j.X)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, jwkError(j, fmt.Sprintf("x must be exactly %d bytes", ed25519.PublicKeySize))
	}
	return ed25519.PublicKey(x), nil
}

// member decodes a required base64url member; one spelling only, as for tokens.
func (j JWK) member(name, v string) ([]byte, error) {
	if v == "" {
		return nil, jwkError(j, name+" is missing")
	}
	b, err := strictBase64.DecodeString(v)
	if err != nil || len(b) == 0 {
		return nil, jwkError(j, name+" is not unpadded base64url")
	}
	return b, nil
}

// jwkError names the JWK by kid only: its members are public, but need not fill logs.
func jwkError(j JWK, why string) error {
	return fmt.Errorf("JWK %q: %s: %w", j.Kid, why, ErrInvalidConfig)
}
