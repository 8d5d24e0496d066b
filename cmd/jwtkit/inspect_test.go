package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// testSecret is an HS256 secret as keygen prints it.
const testSecret = "q8Zr3vX1cN5tB0mK7yW2pL9sD4fH6gJ-aE_uQiOxTnM"

// inspectNow is the clock of every inspect test, so times print the same on every run.
var inspectNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// issuer mints tokens the way a server would, with key, at a time of the test's choosing.
func issuer(t *testing.T, key *jwtkit.Key, at time.Time) *jwtkit.Auth {
	t.Helper()
	store, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true, SlidingTokens: true,
		Clock: func() time.Time { return at }})
	require.NoError(t, err)
	return auth
}

func hmacKey(t *testing.T, secret string) *jwtkit.Key {
	t.Helper()
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(secret), "")
	require.NoError(t, err)
	return key
}

// pair issues an access/refresh pair for user 7, two minutes before inspectNow.
func pair(t *testing.T, key *jwtkit.Key) jwtkit.Pair {
	t.Helper()
	p, err := issuer(t, key, inspectNow.Add(-2*time.Minute)).IssuePair(context.Background(), jwtkit.IntUserID(7), nil)
	require.NoError(t, err)
	return p
}

func signature(token string) string { return token[strings.LastIndexByte(token, '.')+1:] }

// private asserts that nothing secret reached the output: not the token, not its signature,
// not the secret.
func private(t *testing.T, r result, token string, secrets ...string) {
	t.Helper()
	for _, s := range append([]string{token, signature(token)}, secrets...) {
		assert.NotContains(t, r.stdout, s)
		assert.NotContains(t, r.stderr, s)
	}
}

func inspectCLI(env map[string]string, stdin string) cli {
	return cli{env: env, stdin: stdin, now: func() time.Time { return inspectNow }}
}

func TestInspectDecodesWithoutKey(t *testing.T) {
	t.Parallel()
	token := pair(t, hmacKey(t, testSecret)).Access
	r := inspectCLI(nil, "").run(t, "inspect", token)
	success(t, r)
	private(t, r, token)
	assert.Contains(t, r.stdout, "Header:\n{\n  \"alg\": \"HS256\",\n  \"typ\": \"JWT\"\n}\n")
	assert.Contains(t, r.stdout, "Payload:\n{\n  \"token_type\": \"access\",\n  \"exp\": ")
	assert.Contains(t, r.stdout, `"user_id": 7`)
	assert.Contains(t, r.stdout, "  iat          2030-01-02T03:02:05Z  issued 2m0s ago\n")
	assert.Contains(t, r.stdout, "  exp          2030-01-02T03:07:05Z  expires in 3m0s\n")
	assert.Contains(t, r.stdout, "Signature:  not checked (no key: set $JWTKIT_SIGNING_KEY, or give --key-file and --alg)")
	assert.NotContains(t, r.stdout, "Validation:")
}

func TestInspectValidatesWithSecretFromEnvironment(t *testing.T) {
	t.Parallel()
	p := pair(t, hmacKey(t, testSecret))
	env := map[string]string{"JWTKIT_SIGNING_KEY": testSecret}
	for _, token := range []string{p.Access, p.Refresh} {
		r := inspectCLI(env, "").run(t, "inspect", token)
		success(t, r)
		private(t, r, token, testSecret)
		typ := "access"
		if token == p.Refresh {
			typ = "refresh"
		}
		assert.Contains(t, r.stdout, "Validation: valid "+typ+" token, checked with the HS256 secret in $JWTKIT_SIGNING_KEY\n")
		assert.Contains(t, r.stdout, "Revocation: not checked (no store named: --store, --dsn or $JWTKIT_STORE)\n")
	}
}

func TestInspectReadsStandardInput(t *testing.T) {
	t.Parallel()
	token := pair(t, hmacKey(t, testSecret)).Access
	r := inspectCLI(map[string]string{"APP_SECRET": testSecret}, "\n  "+token+"\r\n").run(t, "inspect", "--secret-env", "APP_SECRET", "-")
	success(t, r)
	private(t, r, token, testSecret)
	assert.Contains(t, r.stdout, "checked with the HS256 secret in $APP_SECRET")

	usageFailure(t, inspectCLI(nil, " \n").run(t, "inspect", "-"), "inspect", "no token given")
	usageFailure(t, inspectCLI(nil, strings.Repeat("a", 1<<20+1)).run(t, "inspect", "-"), "inspect", "standard input is over 1 MiB")
}

func TestInspectWrongKey(t *testing.T) {
	t.Parallel()
	token := pair(t, hmacKey(t, testSecret)).Access
	other := "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-Dc_BaZyXwV"
	r := inspectCLI(map[string]string{"JWTKIT_SIGNING_KEY": other}, "").run(t, "inspect", token)
	failure(t, r, "inspect", "token does not validate: token is invalid or expired (token signature is invalid")
	private(t, r, token, other, testSecret)
	assert.Contains(t, r.stdout, "Payload:", "the token is still decoded")
	assert.Contains(t, r.stdout, "Validation: invalid, token is invalid or expired (token signature is invalid: signature is invalid); checked with")
	assert.NotContains(t, r.stdout, "Revocation:")
}

func TestInspectExpiredToken(t *testing.T) {
	t.Parallel()
	key := hmacKey(t, testSecret)
	p, err := issuer(t, key, inspectNow.Add(-time.Hour)).IssuePair(context.Background(), jwtkit.StringUserID("u-1"), nil)
	require.NoError(t, err)

	r := inspectCLI(nil, "").run(t, "inspect", p.Access)
	success(t, r) // decoded, no key: exit 0
	assert.Contains(t, r.stdout, "  exp          2030-01-02T02:09:05Z  expired 55m0s ago\n")

	r = inspectCLI(map[string]string{"JWTKIT_SIGNING_KEY": testSecret}, "").run(t, "inspect", p.Access)
	failure(t, r, "inspect", "token does not validate: token is expired")
	private(t, r, p.Access, testSecret)
	assert.Contains(t, r.stdout, "Validation: invalid, token is expired")
}

func TestInspectSlidingToken(t *testing.T) {
	t.Parallel()
	token, err := issuer(t, hmacKey(t, testSecret), inspectNow.Add(-time.Minute)).IssueSliding(context.Background(), jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	r := inspectCLI(map[string]string{"JWTKIT_SIGNING_KEY": testSecret}, "").run(t, "inspect", token)
	success(t, r)
	assert.Contains(t, r.stdout, "  refresh_exp  2030-01-03T03:03:05Z  refreshable for 23h59m0s more\n")
	assert.Contains(t, r.stdout, "Validation: valid sliding token")
}

func TestInspectAsymmetricKeyFile(t *testing.T) {
	t.Parallel()
	signing, err := jwtkit.GenerateKey(jwtkit.ES256, "2026-05")
	require.NoError(t, err)
	token := pair(t, signing).Access
	dir := t.TempDir()
	pubPEM, err := signing.PublicPEM()
	require.NoError(t, err)
	privPEM, err := signing.PrivatePEM()
	require.NoError(t, err)
	pub := filepath.Join(dir, "public.pem")
	priv := filepath.Join(dir, "private.pem")
	require.NoError(t, os.WriteFile(pub, pubPEM, 0o600))
	require.NoError(t, os.WriteFile(priv, privPEM, 0o600))

	r := inspectCLI(nil, "").run(t, "inspect", "--alg", "ES256", "--key-file", pub, token)
	success(t, r)
	private(t, r, token)
	assert.Contains(t, r.stdout, `"kid": "2026-05"`)
	assert.Contains(t, r.stdout, "Validation: valid access token, checked with the ES256 key in "+pub)

	// The servers' own settings: the algorithm and the private key file.
	env := map[string]string{"JWTKIT_ALGORITHM": "ES256", "JWTKIT_PRIVATE_KEY_FILE": priv}
	r = inspectCLI(env, token).run(t, "inspect", "-")
	success(t, r)
	private(t, r, token, string(privPEM))
	assert.Contains(t, r.stdout, "checked with the ES256 key in "+priv)

	// Another key of the same algorithm.
	other, err := jwtkit.GenerateKey(jwtkit.ES256, "")
	require.NoError(t, err)
	otherPEM, err := other.PublicPEM()
	require.NoError(t, err)
	otherFile := filepath.Join(dir, "other.pem")
	require.NoError(t, os.WriteFile(otherFile, otherPEM, 0o600))
	r = inspectCLI(nil, "").run(t, "inspect", "--alg", "ES256", "--key-file", otherFile, token)
	failure(t, r, "inspect", "token does not validate: token is invalid or expired")

	// The right key bound to another algorithm: the token's alg header does not choose.
	r = inspectCLI(nil, "").run(t, "inspect", "--alg", "ES384", "--key-file", pub, token)
	usageFailure(t, r, "inspect", "ES384 needs a P-384 key")

	// An HMAC token checked against the EC public key (algorithm confusion) fails.
	hsToken := pair(t, hmacKey(t, testSecret)).Access
	r = inspectCLI(nil, "").run(t, "inspect", "--alg", "ES256", "--key-file", pub, hsToken)
	failure(t, r, "inspect", "token does not validate: token is invalid or expired")
}

func TestInspectNotAJWT(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"garbage":             "not a JWT: a signed JWT has 3 dot-separated parts, this has 1",
		"a.b":                 "this has 2",
		"a.b.c.d.e":           "encrypted token (JWE)",
		"!!!.e30.sig":         "not a JWT: the header is not unpadded base64url",
		"e30=.e30.sig":        "the header is not unpadded base64url",
		"WzFd.e30.sig":        "not a JWT: the header is not a JSON object", // [1]
		"e30.bm90IGpzb24":     "this has 2",
		"e30.bm90IGpzb24.sig": "not a JWT: the payload is not a JSON object", // "not json"
	}
	for token, want := range cases {
		r := inspectCLI(map[string]string{"JWTKIT_SIGNING_KEY": testSecret}, "").run(t, "inspect", token)
		usageFailure(t, r, "inspect", want)
		assert.Empty(t, r.stdout, token)
		if len(token) > 10 {
			assert.NotContains(t, r.stderr, token)
		}
	}
}

func TestInspectUsageErrors(t *testing.T) {
	t.Parallel()
	token := pair(t, hmacKey(t, testSecret)).Access
	weak := "weak-secret-xyz"
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, "takes one token, or - to read it from standard input; got 0 arguments"},
		{nil, []string{token, token}, "got 2 arguments"},
		{map[string]string{"JWTKIT_SIGNING_KEY": weak}, []string{token}, "$JWTKIT_SIGNING_KEY: HS256 secret is 15 bytes, at least 32 are needed"},
		{map[string]string{"JWTKIT_SIGNING_KEY": "your-256-bit-secret"}, []string{token}, "well-known example secret"},
		{nil, []string{"--secret-env", "NOT_SET", token}, "$NOT_SET is empty or unset"},
		{nil, []string{"--alg", "HS999", token}, `--alg: unknown algorithm "HS999"`},
		{nil, []string{"--key-file", "x.pem", token}, "--key-file holds an RSA, EC or Ed25519 key: give its algorithm with --alg"},
		{nil, []string{"--alg", "RS256", "--secret-env", "K", token}, "--secret-env is for HS algorithms"},
		{nil, []string{"--alg", "RS256", "--key-file", filepath.Join(t.TempDir(), "missing.pem"), token}, "no such file or directory"},
	}
	for _, c := range cases {
		r := inspectCLI(c.env, "").run(t, append([]string{"inspect"}, c.args...)...)
		usageFailure(t, r, "inspect", c.want)
		assert.Empty(t, r.stdout, c.args, "a usage error comes alone")
		private(t, r, token, weak)
	}
}

func TestWhyInvalid(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "token is blacklisted", whyInvalid(jwtkit.ErrBlacklisted))
	assert.Equal(t, `token has wrong type ("odd")`, whyInvalid(jwtkitWrap(jwtkit.ErrWrongType, `"odd"`)))
	assert.Equal(t, "token is expired (token has invalid claims: token is expired)",
		whyInvalid(jwtkitWrap(jwtkit.ErrTokenExpired, "token has invalid claims: token is expired")))
}

func jwtkitWrap(sentinel error, detail string) error {
	return &wrapped{sentinel, detail}
}

type wrapped struct {
	sentinel error
	detail   string
}

func (w *wrapped) Error() string { return w.sentinel.Error() + ": " + w.detail }
func (w *wrapped) Unwrap() error { return w.sentinel }

func TestInspectOddTimeClaims(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	nbf := inspectNow.Add(90 * time.Second).Unix()
	token := enc(`{"alg":"HS256","kid":7}`) + "." + enc(fmt.Sprintf(`{"iat":"yesterday","nbf":%d.5,"jti":"j"}`, nbf)) + ".c2lnbmF0dXJl"
	r := inspectCLI(nil, "").run(t, "inspect", token)
	success(t, r)
	assert.Contains(t, r.stdout, "  iat          not a number of seconds: refused\n")
	assert.Contains(t, r.stdout, "  nbf          2030-01-02T03:05:35Z  not valid for another 1m31s\n")
	assert.Contains(t, r.stdout, "  exp          missing: jwtkit refuses tokens without exp\n")
	assert.NotContains(t, r.stdout, "c2lnbmF0dXJl")

	r = inspectCLI(map[string]string{"JWTKIT_SIGNING_KEY": testSecret}, "").run(t, "inspect", token)
	failure(t, r, "inspect", "token does not validate: token is invalid or expired")
}
