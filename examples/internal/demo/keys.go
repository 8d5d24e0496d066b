package demo

import (
	"cmp"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Key builds the key the settings name: for an HS algorithm the JWTKIT_SIGNING_KEY
// text, for the others the PEM private key in JWTKIT_PRIVATE_KEY_FILE, and when that variable
// is unset a random key of the algorithm, with a warning on stderr. An RS, PS, ES or EdDSA key
// gets KeyID's kid, so its tokens name it and the JWKS publishes it under that name. Errors
// wrap jwtkit.ErrInvalidConfig (or jwtkit.ErrWeakKey) and name the variable; they never quote
// a secret.
func (s Settings) Key() (*jwtkit.Key, error) {
	s.Algorithm = cmp.Or(s.Algorithm, jwtkit.HS256) // the zero Settings mean the defaults
	if IsHMAC(s.Algorithm) {
		if s.SigningKey == "" {
			slog.Warn(EnvSigningKey + " is not set: signing with a random key, so tokens stop working when the server restarts")
			return jwtkit.GenerateKey(s.Algorithm, "")
		}
		// The text itself is the key. NewHMACKey's errors describe a weak key, never quote it.
		key, err := jwtkit.NewHMACKey(s.Algorithm, []byte(s.SigningKey), "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvSigningKey, err)
		}
		return key, nil
	}
	var pemData []byte
	if s.PrivateKeyFile == "" {
		slog.Warn(EnvPrivateKeyFile+" is not set: signing with a random key, so tokens stop working when the server restarts",
			"alg", s.Algorithm)
		generated, err := jwtkit.GenerateKey(s.Algorithm, "")
		if err != nil {
			return nil, err
		}
		// Through PEM, as a file key goes, because a Key's kid is fixed when it is built.
		if pemData, err = generated.PrivatePEM(); err != nil {
			return nil, err
		}
	} else {
		var err error
		if pemData, err = os.ReadFile(s.PrivateKeyFile); err != nil {
			return nil, fmt.Errorf("%w: %s=%q cannot be read: %w", jwtkit.ErrInvalidConfig, EnvPrivateKeyFile, s.PrivateKeyFile, err)
		}
	}
	return keyWithID(s.Algorithm, pemData)
}

// keyWithID parses a PEM private key for alg and rebuilds it under its KeyID.
func keyWithID(alg jwtkit.Algorithm, pemData []byte) (*jwtkit.Key, error) {
	bad := func(err error) error { return fmt.Errorf("%s (%s): %w", EnvPrivateKeyFile, alg, err) }
	key, err := jwtkit.ParsePEMKey(alg, pemData, "")
	if err != nil {
		return nil, bad(err)
	}
	if !key.CanSign() {
		return nil, bad(fmt.Errorf("the file holds a public key; the server needs the private key to sign: %w", jwtkit.ErrInvalidConfig))
	}
	kid, err := KeyID(key)
	if err != nil {
		return nil, bad(err)
	}
	if key, err = jwtkit.ParsePEMKey(alg, pemData, kid); err != nil {
		return nil, bad(err)
	}
	return key, nil
}

// KeyID is the kid the example servers give an asymmetric key: the first 8 bytes of the
// SHA-256 of its public key in PKIX DER, in hex (16 characters). It depends on the key alone,
// so a server restarted with the same key file keeps its kid, and a verifier's cached JWKS
// stays right; a new key gets a new kid, so verifiers notice the rotation.
func KeyID(key *jwtkit.Key) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(key.PublicKey())
	if err != nil {
		return "", fmt.Errorf("the %s key has no public half to name: %w", key.Algorithm(), jwtkit.ErrInvalidConfig)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:8]), nil
}
