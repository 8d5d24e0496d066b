package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func TestKeygenPEM(t *testing.T) {
	t.Parallel()
	for _, alg := range algorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			r := runArgs(t, "keygen", "--alg", string(alg))
			success(t, r)
			if isHMAC(alg) {
				secret := strings.TrimSuffix(r.stdout, "\n")
				raw, err := base64.RawURLEncoding.DecodeString(secret)
				require.NoError(t, err, "the secret is base64url")
				assert.Len(t, raw, map[jwtkit.Algorithm]int{jwtkit.HS256: 32, jwtkit.HS384: 48, jwtkit.HS512: 64}[alg], "hash-size random bytes")
				_, err = jwtkit.NewHMACKey(alg, []byte(secret), "")
				require.NoError(t, err, "the printed text is an acceptable secret as it is")
				assert.NotEqual(t, r.stdout, runArgs(t, "keygen", "--alg", string(alg)).stdout, "random")
				return
			}
			key, err := jwtkit.ParsePEMKey(alg, []byte(r.stdout), "")
			require.NoError(t, err)
			assert.True(t, key.CanSign())
			assert.True(t, strings.HasPrefix(r.stdout, "-----BEGIN PRIVATE KEY-----\n"), "PKCS #8")
		})
	}
}

func TestKeygenJWK(t *testing.T) {
	t.Parallel()
	kty := map[string]string{"HS": "oct", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
	for _, alg := range algorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			r := runArgs(t, "keygen", "--alg", string(alg), "--format", "jwk", "--kid", "2026-05")
			success(t, r)
			var j jwtkit.JWK
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &j))
			assert.Equal(t, kty[string(alg)[:2]], j.Kty)
			assert.Equal(t, string(alg), j.Alg)
			assert.Equal(t, "2026-05", j.Kid)
			assert.Equal(t, "sig", j.Use)
			if isHMAC(alg) {
				// k holds the characters of a secret as the pem format prints it.
				text, err := base64.RawURLEncoding.DecodeString(j.K)
				require.NoError(t, err)
				_, err = base64.RawURLEncoding.DecodeString(string(text))
				require.NoError(t, err, "the key is base64url text, the same form as JWTKIT_SIGNING_KEY")
				return
			}
			assert.NotEmpty(t, j.D, "private")
		})
	}
}

func TestKeygenPublicFromKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	priv := filepath.Join(dir, "signing.pem")
	r := runArgs(t, "keygen", "--alg", "ES256", "--out", priv)
	success(t, r)
	assert.Equal(t, "wrote the ES256 private key to "+priv+"\n", r.stdout)
	info, err := os.Stat(priv)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(priv)
	require.NoError(t, err)
	signing, err := jwtkit.ParsePEMKey(jwtkit.ES256, data, "")
	require.NoError(t, err)

	r = runArgs(t, "keygen", "--alg", "ES256", "--key-file", priv, "--public")
	success(t, r)
	pub, err := jwtkit.ParsePEMKey(jwtkit.ES256, []byte(r.stdout), "")
	require.NoError(t, err)
	assert.False(t, pub.CanSign())
	wantPEM, err := signing.PublicPEM()
	require.NoError(t, err)
	assert.Equal(t, string(wantPEM), r.stdout, "the public half of that key")

	r = runArgs(t, "keygen", "--alg", "ES256", "--key-file", priv, "--public", "--format", "jwk", "--kid", "k1")
	success(t, r)
	var j jwtkit.JWK
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &j))
	assert.Equal(t, "EC", j.Kty)
	assert.Equal(t, "k1", j.Kid)
	assert.Empty(t, j.D, "no private member in a public JWK")
	assert.NotContains(t, r.stdout, `"d"`)

	// The public key from standard input, converted to a JWK.
	r = cli{stdin: string(wantPEM)}.run(t, "keygen", "--alg", "ES256", "--key-file", "-", "--public", "--format", "jwk")
	success(t, r)
	assert.Contains(t, r.stdout, `"kty": "EC"`)

	// The private key converted to a private JWK.
	r = runArgs(t, "keygen", "--alg", "ES256", "--key-file", priv, "--format", "jwk")
	success(t, r)
	assert.Contains(t, r.stdout, `"d": `)

	// A public key file is not a private key.
	pubFile := filepath.Join(dir, "public.pem")
	require.NoError(t, os.WriteFile(pubFile, wantPEM, 0o600))
	usageFailure(t, runArgs(t, "keygen", "--alg", "ES256", "--key-file", pubFile), "keygen", "holds a public key: add --public")

	// --out never overwrites.
	usageFailure(t, runArgs(t, "keygen", "--alg", "ES256", "--out", priv), "keygen", "exists: refusing to overwrite")
	after, err := os.ReadFile(priv)
	require.NoError(t, err)
	assert.Equal(t, data, after)

	// A key of another algorithm than --alg says.
	r = runArgs(t, "keygen", "--alg", "RS256", "--key-file", priv, "--public")
	usageFailure(t, r, "keygen", "--key-file "+priv+": a *ecdsa.PrivateKey cannot be used with RS256")
}

func TestKeygenAlgorithmFromEnvironment(t *testing.T) {
	t.Parallel()
	r := cli{env: map[string]string{"JWTKIT_ALGORITHM": "ES384"}}.run(t, "keygen")
	success(t, r)
	_, err := jwtkit.ParsePEMKey(jwtkit.ES384, []byte(r.stdout), "")
	require.NoError(t, err)

	r = cli{env: map[string]string{"JWTKIT_ALGORITHM": "none"}}.run(t, "keygen")
	usageFailure(t, r, "keygen", `JWTKIT_ALGORITHM: unknown algorithm "none"`)
}

func TestKeygenSecretToFile(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "secret")
	r := runArgs(t, "keygen", "--out", out)
	success(t, r)
	assert.Equal(t, "wrote the HS256 secret to "+out+"\n", r.stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Len(t, strings.TrimSpace(string(data)), 43)
}

func TestKeygenUsageErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.pem")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a key"), 0o600))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--alg", "HS1024"}, `--alg: unknown algorithm "HS1024" (want one of HS256, HS384, HS512, RS256,`},
		{[]string{"--alg", "hs256"}, `unknown algorithm "hs256"`},
		{[]string{"--alg", "none"}, `unknown algorithm "none"`},
		{[]string{"--format", "der"}, `--format "der": want pem or jwk`},
		{[]string{"--kid", "k1"}, "--kid is written only with --format jwk"},
		{[]string{"--public"}, "HS256 keys are symmetric: there is no public half"},
		{[]string{"--alg", "EdDSA", "--public"}, "--public prints the public half of the key in --key-file: give --key-file"},
		{[]string{"--key-file", garbage}, "--key-file holds an RSA, EC or Ed25519 key: give its algorithm with --alg"},
		{[]string{"--alg", "RS256", "--key-file", missing}, "no such file or directory"},
		{[]string{"--alg", "RS256", "--key-file", garbage}, "no PEM block found"},
		{[]string{"extra"}, `takes no arguments, got "extra"`},
	}
	for _, c := range cases {
		r := runArgs(t, append([]string{"keygen"}, c.args...)...)
		usageFailure(t, r, "keygen", c.want)
		assert.Empty(t, r.stdout, c.args)
	}
}
