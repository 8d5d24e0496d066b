package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// algorithms are the algorithms a jwtkit key can be bound to, in the order help lists them.
var algorithms = []jwtkit.Algorithm{
	jwtkit.HS256, jwtkit.HS384, jwtkit.HS512,
	jwtkit.RS256, jwtkit.RS384, jwtkit.RS512,
	jwtkit.PS256, jwtkit.PS384, jwtkit.PS512,
	jwtkit.ES256, jwtkit.ES384, jwtkit.ES512,
	jwtkit.EdDSA,
}

// algFlagUsage documents --alg for keygen and inspect alike.
const algFlagUsage = "the key's `algorithm`: HS256, HS384, HS512, RS256…RS512, PS256…PS512, ES256, ES384, ES512 or EdDSA " +
	"(default $JWTKIT_ALGORITHM, else HS256)"

// algorithm resolves --alg: the flag, else JWTKIT_ALGORITHM as the example servers read it,
// else HS256. Names are case-sensitive, as in a token's alg header.
func (a *app) algorithm(flagValue string) (jwtkit.Algorithm, error) {
	name, from := flagValue, "--alg"
	if name == "" {
		name, from = a.getenv("JWTKIT_ALGORITHM"), "JWTKIT_ALGORITHM"
	}
	if name == "" {
		return jwtkit.HS256, nil
	}
	for _, alg := range algorithms {
		if string(alg) == name {
			return alg, nil
		}
	}
	names := make([]string, len(algorithms))
	for i, alg := range algorithms {
		names[i] = string(alg)
	}
	return "", usagef("%s: unknown algorithm %q (want one of %s)", from, name, strings.Join(names, ", "))
}

func isHMAC(alg jwtkit.Algorithm) bool { return strings.HasPrefix(string(alg), "HS") }

func keygenCommand() *command {
	return &command{
		name:     "keygen",
		synopsis: "[--alg ALG] [--kid KID] [--format pem|jwk] [--public --key-file FILE] [--out FILE]",
		summary:  "generate a signing key, or print the public half of a key file",
		about: `
Generate a new random signing key for --alg and print it, or with --key-file convert an
existing PEM key, or with --public print the public half of it for the services that only
verify tokens.

HS256, HS384, HS512: a secret of 32, 48 or 64 random bytes, printed base64url (43, 64 or 86
characters). That text is the secret: put it in JWTKIT_SIGNING_KEY as it is. Its characters
are the HMAC key, as simplejwt uses its SIGNING_KEY string, so a Django service configured
with the same text accepts the same tokens. With --format jwk it is printed as an "oct" JWK of
those characters. An HMAC key has no public half. A secret made up by hand is no substitute:
jwtkit refuses one that is short, a published example, a pattern repeated, or of low estimated
entropy, and a phrase that passes those checks is still easier to guess than this.

RS*, PS* (2048-bit RSA), ES256/ES384/ES512 (P-256/P-384/P-521) and EdDSA (Ed25519): the
private key as PKCS #8 PEM (JWTKIT_PRIVATE_KEY_FILE reads that), or as a private JWK. With
--public the public key (PKIX PEM, or a public JWK as a JWKS publishes it) of the key in
--key-file, which may hold a private or public key in any PEM form jwtkit reads.

Keys are printed to standard output, or written to --out with mode 0600. Keep private keys and
secrets out of shell history, logs and version control.

Examples:
  jwtkit keygen                                     # an HS256 secret for JWTKIT_SIGNING_KEY
  jwtkit keygen --alg ES256 --out signing.pem
  jwtkit keygen --alg ES256 --key-file signing.pem --public
  jwtkit keygen --alg ES256 --key-file signing.pem --public --format jwk --kid 2026-05
  jwtkit keygen --alg EdDSA --format jwk --kid 2026-05`,
		env: [][2]string{{"JWTKIT_ALGORITHM", "the --alg default (default HS256)"}},
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			algName := fs.String("alg", "", algFlagUsage)
			kid := fs.String("kid", "", "key `id` written into the JWK (jwk format only: a PEM block has no place for it)")
			format := fs.String("format", "pem", "output `format`: pem (an HS secret prints as its base64url text) or jwk")
			public := fs.Bool("public", false, "print the public half of the key in --key-file")
			keyFile := fs.String("key-file", "", "read the key from this PEM `file` (- for standard input) instead of generating one")
			out := fs.String("out", "", "write the key to this `file`, created with mode 0600, instead of standard output")
			return func(_ context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				alg, err := a.algorithm(*algName)
				if err != nil {
					return err
				}
				switch {
				case *format != "pem" && *format != "jwk":
					return usagef("--format %q: want pem or jwk", *format)
				case *kid != "" && *format != "jwk":
					return usagef("--kid is written only with --format jwk: a PEM block has no place for it")
				case *public && isHMAC(alg):
					return usagef("%s keys are symmetric: there is no public half to print", alg)
				case *public && *keyFile == "":
					return usagef("--public prints the public half of the key in --key-file: give --key-file")
				case *keyFile != "" && isHMAC(alg):
					return usagef("--key-file holds an RSA, EC or Ed25519 key: give its algorithm with --alg")
				}
				var text []byte
				if isHMAC(alg) {
					text, err = newSecret(alg, *kid, *format)
				} else {
					text, err = a.asymmetricKey(alg, *kid, *format, *keyFile, *public)
				}
				if err != nil {
					return err
				}
				return a.writeKey(*out, text, alg, *public)
			}
		},
	}
}

// newSecret makes an HS secret: hash-size random bytes, base64url. The text is the key, so
// the JWK form holds the same key as JWTKIT_SIGNING_KEY set to the text.
func newSecret(alg jwtkit.Algorithm, kid, format string) ([]byte, error) {
	random, err := jwtkit.GenerateKey(alg, "")
	if err != nil {
		return nil, err
	}
	raw, err := random.PrivateJWK()
	if err != nil {
		return nil, err
	}
	secret := raw.K
	key, err := jwtkit.NewHMACKey(alg, []byte(secret), kid)
	if err != nil {
		return nil, err
	}
	if format == "pem" {
		return []byte(secret + "\n"), nil
	}
	j, err := key.PrivateJWK()
	if err != nil {
		return nil, err
	}
	return marshalJWK(j)
}

func (a *app) asymmetricKey(alg jwtkit.Algorithm, kid, format, keyFile string, public bool) ([]byte, error) {
	var key *jwtkit.Key
	if keyFile != "" {
		data, err := a.readFile(keyFile)
		if err != nil {
			return nil, err
		}
		if key, err = jwtkit.ParsePEMKey(alg, data, kid); err != nil {
			return nil, fmt.Errorf("--key-file %s: %w", keyFile, err)
		}
		if !public && !key.CanSign() {
			return nil, usagef("--key-file %s holds a public key: add --public to print it", keyFile)
		}
	} else {
		var err error
		if key, err = jwtkit.GenerateKey(alg, kid); err != nil {
			return nil, err
		}
	}
	switch {
	case public && format == "pem":
		return key.PublicPEM()
	case public:
		j, err := key.PublicJWK()
		if err != nil {
			return nil, err
		}
		return marshalJWK(j)
	case format == "pem":
		return key.PrivatePEM()
	}
	j, err := key.PrivateJWK()
	if err != nil {
		return nil, err
	}
	return marshalJWK(j)
}

func marshalJWK(j jwtkit.JWK) ([]byte, error) {
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// readFile reads a key file, or standard input for "-". A key file is small; anything over
// 1 MiB is not one.
func (a *app) readFile(name string) ([]byte, error) {
	const limit = 1 << 20
	r := a.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageError{err}
		}
		defer func() { _ = f.Close() }() // read-only: nothing is lost if closing fails
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, usagef("%s is over 1 MiB: not a key file", name)
	}
	return data, nil
}

// writeKey prints the key, or writes it to a new file only its owner can read.
func (a *app) writeKey(out string, text []byte, alg jwtkit.Algorithm, public bool) error {
	if out == "" {
		_, err := a.stdout.Write(text)
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return usagef("--out %s exists: refusing to overwrite a key", out)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(text); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	what := "private key"
	switch {
	case public:
		what = "public key"
	case isHMAC(alg):
		what = "secret"
	}
	fmt.Fprintf(a.stdout, "wrote the %s %s to %s\n", alg, what, out)
	return nil
}
