package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func inspectCommand() *command {
	return &command{
		name:     "inspect",
		synopsis: "<token | -> [flags]",
		summary:  "decode a token, and check it against a key and the store",
		about: `
Decode a token: its header and payload as indented JSON, and its iat, exp, nbf and
refresh_exp as UTC times with how long ago they were or how soon they come. The token itself,
its signature and any key are never printed.

Give - to read the token from standard input: unlike an argument, it stays out of the shell
history and of the process list ('pbpaste | jwtkit inspect -', 'jwtkit inspect - < token.txt').

When a key is at hand, inspect also checks the token as a server would: signature, expiry,
jti, token type and user id, and revocation in the store, and says why it fails if it does.
For HS algorithms the key is the secret in $JWTKIT_SIGNING_KEY (or the variable --secret-env
names; its text is the key, as for the servers); for the others the PEM file --key-file (or
$JWTKIT_PRIVATE_KEY_FILE), private or public. The token's kid is not needed to match. Without
a key the signature is not checked. Revocation is looked up in the store named by --store,
--dsn or $JWTKIT_STORE (its tables must exist); with none named it is not checked.

Exit status: 0 when the token decoded (and validated, when a key was given); 1 when it does
not validate with the key, or the store could not answer; 2 when it is not a JWT at all, or
for a usage error.

Examples:
  jwtkit inspect - < token.txt
  JWTKIT_SIGNING_KEY=... jwtkit inspect -
  jwtkit inspect --alg ES256 --key-file public.pem --store redis -`,
		env: append([][2]string{
			{"JWTKIT_SIGNING_KEY", "the HS secret (or the variable --secret-env names)"},
			{"JWTKIT_ALGORITHM", "the --alg default (default HS256)"},
			{"JWTKIT_PRIVATE_KEY_FILE", "the --key-file default for RSA, EC and Ed25519 algorithms"},
		}, storeEnv...),
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var sf storeFlags
			sf.register(fs)
			algName := fs.String("alg", "", algFlagUsage)
			secretEnv := fs.String("secret-env", "JWTKIT_SIGNING_KEY", "read the HS secret from the environment variable `name`")
			keyFile := fs.String("key-file", "", "check with the key in this PEM `file`, private or public (RSA, EC, Ed25519) (default $JWTKIT_PRIVATE_KEY_FILE)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("takes one token, or - to read it from standard input; got %d arguments", len(args))
				}
				given := map[string]bool{}
				fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
				in := &inspection{app: a, store: &sf, secretEnv: *secretEnv, secretEnvGiven: given["secret-env"], keyFile: *keyFile}
				alg, err := a.algorithm(*algName)
				if err != nil {
					return err
				}
				in.alg = alg
				raw, err := a.readToken(args[0])
				if err != nil {
					return err
				}
				return in.run(ctx, raw)
			}
		},
	}
}

// inspection is one run of inspect.
type inspection struct {
	app            *app
	store          *storeFlags
	alg            jwtkit.Algorithm
	secretEnv      string
	secretEnvGiven bool
	keyFile        string
}

func (in *inspection) run(ctx context.Context, raw string) error {
	tok, err := decodeJWT(raw)
	if err != nil {
		return usageError{err}
	}
	// The key is resolved before anything is printed, so a usage error comes alone.
	key, source, err := in.key(tok.kid())
	if err != nil {
		return err
	}
	w := in.app.stdout
	fmt.Fprintf(w, "Header:\n%s\n\nPayload:\n%s\n\n", tok.header, tok.payload)
	tok.printTimes(w, in.app.now())
	if key == nil {
		fmt.Fprintf(w, "\nSignature:  not checked (no key: set $%s, or give --key-file and --alg)\n", in.secretEnv)
		return nil
	}
	return in.validate(ctx, raw, key, source)
}

// key returns the key to check the token with and a description of where it came from, or
// nil when none is at hand. kid is the token's, so that a token with a kid can be checked
// against a key configured without one.
func (in *inspection) key(kid string) (*jwtkit.Key, string, error) {
	getenv := in.app.getenv
	if isHMAC(in.alg) {
		if in.keyFile != "" {
			return nil, "", usagef("--key-file holds an RSA, EC or Ed25519 key: give its algorithm with --alg")
		}
		secret := getenv(in.secretEnv)
		if secret == "" {
			if in.secretEnvGiven {
				return nil, "", usagef("$%s is empty or unset", in.secretEnv)
			}
			return nil, "", nil
		}
		// The secret is never quoted: NewHMACKey's errors describe it by length only.
		key, err := jwtkit.NewHMACKey(in.alg, []byte(secret), kid)
		if err != nil {
			return nil, "", fmt.Errorf("$%s: %w", in.secretEnv, err)
		}
		return key, fmt.Sprintf("the %s secret in $%s", in.alg, in.secretEnv), nil
	}
	if in.secretEnvGiven {
		return nil, "", usagef("--secret-env is for HS algorithms; a %s key comes from --key-file", in.alg)
	}
	file, from := in.keyFile, "--key-file"
	if file == "" {
		file, from = getenv("JWTKIT_PRIVATE_KEY_FILE"), "$JWTKIT_PRIVATE_KEY_FILE"
	}
	if file == "" {
		return nil, "", nil
	}
	data, err := in.app.readFile(file)
	if err != nil {
		return nil, "", err
	}
	key, err := jwtkit.ParsePEMKey(in.alg, data, kid)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", from, file, err)
	}
	return key.Public(), fmt.Sprintf("the %s key in %s", in.alg, file), nil
}

// validate checks the token as a server would, with a verify-only Auth on key and the named
// store (or an empty memory store), and reports the outcome.
func (in *inspection) validate(ctx context.Context, raw string, key *jwtkit.Key, source string) error {
	w := in.app.stdout
	ctx, cancel := in.store.withTimeout(ctx)
	defer cancel()
	checkRevocation := in.store.given(in.app)
	var opened *openedStore
	var err error
	if checkRevocation {
		opened, err = in.store.open(ctx, in.app)
		if err == nil {
			err = requireSchema(ctx, opened)
		}
	} else {
		opened, err = openStore(ctx, storeopen.Settings{Kind: storeopen.Memory}, false)
	}
	if opened != nil {
		defer func() { _ = opened.Close() }()
	}
	if err != nil {
		return err
	}
	auth, err := jwtkit.New(jwtkit.Config{
		VerifyingKeys: []*jwtkit.Key{key},
		Store:         opened.Store,
		Stateless:     true,
		SlidingTokens: true, // accept every type the servers may issue
		Clock:         in.app.now,
	})
	if err != nil {
		return err
	}
	tok, err := auth.Validate(ctx, raw, jwtkit.TypeAny)
	if err == nil {
		fmt.Fprintf(w, "\nValidation: valid %s token, checked with %s\n", tok.Type, source)
		if checkRevocation {
			fmt.Fprintf(w, "Revocation: not revoked (%s)\n", describe(opened))
		} else {
			fmt.Fprintf(w, "Revocation: not checked (no store named: --store, --dsn or $%s)\n", storeopen.EnvStore)
		}
		return nil
	}
	reason := whyInvalid(err)
	fmt.Fprintf(w, "\nValidation: invalid, %s; checked with %s\n", reason, source)
	switch {
	case errors.Is(err, jwtkit.ErrBlacklisted):
		fmt.Fprintf(w, "Revocation: revoked (%s)\n", describe(opened))
	case errors.Is(err, jwtkit.ErrStoreUnavailable):
		return storeFailed(opened, err)
	}
	return fmt.Errorf("token does not validate: %s", reason)
}

// sentinels are the reasons Validate gives, most specific first (ErrTokenExpired also matches
// ErrTokenInvalid).
var sentinels = []error{
	jwtkit.ErrTokenExpired, jwtkit.ErrBlacklisted, jwtkit.ErrWrongType, jwtkit.ErrNoType,
	jwtkit.ErrNoID, jwtkit.ErrNoUserID, jwtkit.ErrStoreUnavailable, jwtkit.ErrTokenInvalid,
}

// whyInvalid is the sentinel's message, with what the parser added after it in parentheses
// ("token signature is invalid", "no configured key for this kid and alg"). Neither ever holds
// the token or the key.
func whyInvalid(err error) string {
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			continue
		}
		reason := strings.TrimPrefix(s.Error(), "jwtkit: ")
		detail := strings.TrimPrefix(strings.TrimPrefix(err.Error(), s.Error()), ": ")
		if detail != "" && detail != err.Error() {
			reason += " (" + oneLine(detail) + ")"
		}
		return reason
	}
	return oneLine(err.Error())
}

// readToken takes the token from the argument, or from standard input for "-".
func (a *app) readToken(arg string) (string, error) {
	const limit = 1 << 20
	raw := arg
	if arg == "-" {
		data, err := io.ReadAll(io.LimitReader(a.stdin, limit+1))
		if err != nil {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		if len(data) > limit {
			return "", usagef("standard input is over 1 MiB: not a token")
		}
		raw = string(data)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", usagef("no token given")
	}
	return raw, nil
}

// decoded is a token's header and payload as indented JSON, and the payload's members.
type decoded struct {
	header, payload []byte
	headerMembers   map[string]json.RawMessage
	claims          map[string]json.RawMessage
}

// decodeJWT splits a compact JWS and decodes its header and payload. Its errors say what is
// wrong without quoting any part of the token.
func decodeJWT(raw string) (*decoded, error) {
	parts := strings.Split(raw, ".")
	switch n := len(parts); {
	case n == 5:
		return nil, errors.New("not a JWT: 5 dot-separated parts is an encrypted token (JWE); a signed JWT has 3")
	case n != 3:
		return nil, fmt.Errorf("not a JWT: a signed JWT has 3 dot-separated parts, this has %d", n)
	}
	d := &decoded{}
	var err error
	if d.header, d.headerMembers, err = decodeSegment("header", parts[0]); err != nil {
		return nil, err
	}
	if d.payload, d.claims, err = decodeSegment("payload", parts[1]); err != nil {
		return nil, err
	}
	return d, nil
}

func decodeSegment(name, segment string) ([]byte, map[string]json.RawMessage, error) {
	data, err := base64.RawURLEncoding.DecodeString(segment)
	if err != nil {
		return nil, nil, fmt.Errorf("not a JWT: the %s is not unpadded base64url", name)
	}
	var members map[string]json.RawMessage
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &members) != nil {
		return nil, nil, fmt.Errorf("not a JWT: the %s is not a JSON object", name)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, trimmed, "", "  "); err != nil {
		return nil, nil, fmt.Errorf("not a JWT: the %s is not a JSON object", name)
	}
	return indented.Bytes(), members, nil
}

// kid is the header's kid when it is a string.
func (d *decoded) kid() string {
	var kid string
	if raw, ok := d.headerMembers["kid"]; ok && json.Unmarshal(raw, &kid) == nil {
		return kid
	}
	return ""
}

// printTimes prints the registered time claims in UTC, relative to now.
func (d *decoded) printTimes(w io.Writer, now time.Time) {
	fmt.Fprintln(w, "Times (UTC):")
	for _, c := range []struct{ name, future, past string }{
		{"iat", "issued in %s: in the future, refused", "issued %s ago"},
		{"nbf", "not valid for another %s", "valid since %s ago"},
		{"exp", "expires in %s", "expired %s ago"},
		{"refresh_exp", "refreshable for %s more", "no longer refreshable, for %s"},
	} {
		raw, ok := d.claims[c.name]
		if !ok {
			if c.name == "exp" {
				fmt.Fprintf(w, "  %-12s missing: jwtkit refuses tokens without exp\n", c.name)
			}
			continue
		}
		t, ok := numericDate(raw)
		if !ok {
			fmt.Fprintf(w, "  %-12s not a number of seconds: refused\n", c.name)
			continue
		}
		var rel string
		if d := t.Sub(now); d > 0 {
			rel = fmt.Sprintf(c.future, round(d))
		} else {
			rel = fmt.Sprintf(c.past, round(-d))
		}
		fmt.Fprintf(w, "  %-12s %s  %s\n", c.name, utc(t), rel)
	}
}

// numericDate reads a JWT NumericDate (seconds since the epoch, maybe fractional) within the
// years 0001 to 9999.
func numericDate(raw json.RawMessage) (time.Time, bool) {
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || f < -62135596800 || f > 253402300799 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func round(d time.Duration) time.Duration {
	if d >= time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}
