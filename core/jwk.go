package jwtkit

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
)

// JWK is a JSON Web Key (RFC 7517), with the members RFC 7518 defines for RSA, EC and
// symmetric keys and RFC 8037 for Ed25519. Marshal it with encoding/json.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	// Private members, set only by PrivateJWK.
	D  string `json:"d,omitempty"`
	P  string `json:"p,omitempty"`
	Q  string `json:"q,omitempty"`
	DP string `json:"dp,omitempty"`
	DQ string `json:"dq,omitempty"`
	QI string `json:"qi,omitempty"`
	K  string `json:"k,omitempty"`
}

var b64 = base64.RawURLEncoding

// PublicJWK is the key's public half as a JWK with use "sig", alg and kid, as a JWKS publishes
// it. An HMAC key has no public half: the error wraps ErrInvalidConfig.
func (k *Key) PublicJWK() (JWK, error) {
	j := JWK{Use: "sig", Alg: string(k.Algorithm()), Kid: k.KeyID()}
	switch pub := k.PublicKey().(type) {
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b64.EncodeToString(pub.N.Bytes()), b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		point, err := pub.Bytes() // 0x04 || X || Y, each coordinate padded to the curve's size
		if err != nil {
			return JWK{}, fmt.Errorf("encoding the %s public key: %w", k.alg, ErrInvalidConfig)
		}
		size := (len(point) - 1) / 2
		j.Kty, j.Crv = "EC", pub.Curve.Params().Name
		j.X, j.Y = b64.EncodeToString(point[1:1+size]), b64.EncodeToString(point[1+size:])
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", b64.EncodeToString(pub)
	default:
		return JWK{}, fmt.Errorf("%s key has no public key to publish: %w", k.Algorithm(), ErrInvalidConfig)
	}
	return j, nil
}

// PrivateJWK is the whole key as a JWK, private members included (the secret "k" for HMAC),
// for storing a generated key. Keep its output as secret as the key.
func (k *Key) PrivateJWK() (JWK, error) {
	if k != nil && k.secret != nil {
		return JWK{Kty: "oct", Use: "sig", Alg: string(k.alg), Kid: k.kid, K: b64.EncodeToString(k.secret)}, nil
	}
	if !k.CanSign() {
		return JWK{}, fmt.Errorf("%s key has no private key to export: %w", k.Algorithm(), ErrInvalidConfig)
	}
	j, err := k.PublicJWK()
	if err != nil {
		return JWK{}, err
	}
	switch priv := k.priv.(type) {
	case *rsa.PrivateKey:
		if len(priv.Primes) != 2 {
			return JWK{}, fmt.Errorf("multi-prime RSA keys have no JWK form here: %w", ErrInvalidConfig)
		}
		j.D = b64.EncodeToString(priv.D.Bytes())
		j.P, j.Q = b64.EncodeToString(priv.Primes[0].Bytes()), b64.EncodeToString(priv.Primes[1].Bytes())
		j.DP, j.DQ = b64.EncodeToString(priv.Precomputed.Dp.Bytes()), b64.EncodeToString(priv.Precomputed.Dq.Bytes())
		j.QI = b64.EncodeToString(priv.Precomputed.Qinv.Bytes())
	case *ecdsa.PrivateKey:
		d, err := priv.Bytes()
		if err != nil {
			return JWK{}, fmt.Errorf("encoding the %s private key: %w", k.alg, ErrInvalidConfig)
		}
		j.D = b64.EncodeToString(d)
	case ed25519.PrivateKey:
		j.D = b64.EncodeToString(priv.Seed())
	}
	return j, nil
}
