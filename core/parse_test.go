package jwtkit

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The differential proof of the parser: on every token, the new parser and the golang-jwt-based
// oracle (oracle_test.go) agree on accept or reject, on the class of the error, and on every
// field of the Token. The deliberate differences, where the new parser is stricter:
//   - a header with a duplicate member is refused (encoding/json kept the last one);
//   - a header that is not valid UTF-8 is refused (encoding/json replaced the bad bytes);
//   - a payload that is not valid UTF-8 is refused, as PyJWT refuses it.
// The new parser never accepts what the oracle refused.

// Secrets of the differential Auths: the signing key, a second key without kid (so a token
// without kid has two candidates), an HS256 key with kid "b" and an HS512 key with kid "a".
var (
	diffSecret1 = []byte("jwtkit-parse-diff-one-0123456789-abcdefg")
	diffSecret2 = []byte("jwtkit-parse-diff-two-0123456789-hijklmn")
	diffSecret3 = []byte("jwtkit-parse-diff-three-0123456789-opqrst")
	diffSecret4 = []byte("jwtkit-parse-diff-four-0123456789-uvwxyz-0123456789-ABCDEFGHIJKLM")
)

// diffNow is the differential Auths' clock, with a fraction so that whole-second claims sit on
// both sides of it.
var diffNow = time.Unix(1_800_000_000, 250_000_000)

type neverRevoked struct{}

func (neverRevoked) Revoke(context.Context, string, time.Time) error             { return nil }
func (neverRevoked) RevokeOnce(context.Context, string, time.Time) (bool, error) { return true, nil }
func (neverRevoked) RevokeUser(context.Context, string, time.Time, time.Time) error {
	return nil
}
func (neverRevoked) RevokeFamily(context.Context, string, time.Time) error { return nil }
func (neverRevoked) Revoked(context.Context, TokenRef) (bool, error)       { return false, nil }

// diffSetup is the Auths both parsers are compared on and the keys that sign the fuzzed tokens.
type diffSetup struct {
	auths   []*Auth // leeway, sliding, several keys; aud, iss and renamed claims; a whole-second clock
	oracles []*oracle
	ec      *ecdsa.PrivateKey
}

func newDiffSetup(t testing.TB) *diffSetup {
	t.Helper()
	hs := func(alg Algorithm, secret []byte, kid string) *Key {
		k, err := NewHMACKey(alg, secret, kid)
		require.NoError(t, err)
		return k
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecKey, err := NewPublicKey(ES256, &ec.PublicKey, "ec")
	require.NoError(t, err)
	verifying := []*Key{hs(HS256, diffSecret2, ""), hs(HS256, diffSecret3, "b"), hs(HS512, diffSecret4, "a"), ecKey}
	clock := func() time.Time { return diffNow }
	// On a whole second, exp+leeway, nbf-leeway and iat-leeway can equal now exactly.
	wholeSecond := func() time.Time { return diffNow.Truncate(time.Second) }
	configs := []Config{
		{Leeway: 30 * time.Second, SlidingTokens: true, Clock: clock},
		{Audience: "api", Issuer: "https://iss", UserIDClaim: "sub", TokenTypeClaim: "typ", JTIClaim: "id", SlidingRefreshExpClaim: "rexp", SlidingTokens: true, Clock: clock},
		{Leeway: 30 * time.Second, SlidingTokens: true, Clock: wholeSecond},
	}
	s := &diffSetup{ec: ec}
	for _, cfg := range configs {
		cfg.SigningKey, cfg.VerifyingKeys, cfg.Store, cfg.Stateless = hs(HS256, diffSecret1, ""), verifying, neverRevoked{}, true
		a, err := New(cfg)
		require.NoError(t, err)
		s.auths = append(s.auths, a)
		s.oracles = append(s.oracles, newOracle(a))
	}
	return s
}

// token assembles a token from a header, a payload and a signature chosen by signer: 0 keeps
// sig, 1-3 sign HS256 with the three HS256 secrets, 4 HS512 with the fourth, 5 ES256. With raw
// set, header and payload are the segments themselves rather than JSON to encode.
func (s *diffSetup) token(t testing.TB, header, payload string, sig []byte, signer uint8, raw bool) string {
	t.Helper()
	if !raw {
		header, payload = b64.EncodeToString([]byte(header)), b64.EncodeToString([]byte(payload))
	}
	signing := header + "." + payload
	mac := func(h func() hash.Hash, secret []byte) []byte {
		m := hmac.New(h, secret)
		_, _ = io.WriteString(m, signing)
		return m.Sum(nil)
	}
	switch signer % 6 {
	case 1:
		sig = mac(sha256.New, diffSecret1)
	case 2:
		sig = mac(sha256.New, diffSecret2)
	case 3:
		sig = mac(sha256.New, diffSecret3)
	case 4:
		sig = mac(sha512.New, diffSecret4)
	case 5:
		var err error
		sig, err = jwt.SigningMethodES256.Sign(signing, s.ec)
		require.NoError(t, err)
	}
	return signing + "." + b64.EncodeToString(sig)
}

// compare runs both parsers on raw under every Auth and both views of exp, and fails on any
// disagreement that is not one of the deliberate ones.
func (s *diffSetup) compare(t *testing.T, raw string) {
	t.Helper()
	for i, a := range s.auths {
		for _, window := range []bool{false, true} {
			old, oldErr := s.oracles[i].parse(raw, window)
			got, _, err := a.parse(context.Background(), raw, window, a.now())
			where := func() string {
				return "auth " + strconv.Itoa(i) + " window " + strconv.FormatBool(window) + " token " + raw
			}
			switch {
			case err != nil && stricterOnPurpose(raw):
				if !errors.Is(err, ErrTokenInvalid) || errors.Is(err, ErrTokenExpired) {
					t.Fatalf("%s: a deliberately refused header gave %v", where(), err)
				}
				continue
			case (oldErr == nil) != (err == nil):
				t.Fatalf("%s: golang-jwt path err %v, new parser err %v", where(), oldErr, err)
			case err != nil:
				for _, class := range []error{ErrTokenExpired, ErrTokenInvalid, ErrNoID, ErrNoType, ErrWrongType, ErrNoUserID} {
					if errors.Is(oldErr, class) != errors.Is(err, class) {
						t.Fatalf("%s: golang-jwt path err %v, new parser err %v (class %v)", where(), oldErr, err, class)
					}
				}
				continue
			}
			if !sameToken(old, got) {
				t.Fatalf("%s: golang-jwt path %+v (payload %q), new parser %+v (payload %q)", where(), old, old.payload, got, got.payload)
			}
			if !window {
				s.compareCached(t, a, raw, got)
			}
		}
	}
}

// compareCached validates an accepted token twice, the second time from the cache: both give
// the parser's token.
func (s *diffSetup) compareCached(t *testing.T, a *Auth, raw string, want *Token) {
	t.Helper()
	for range 2 {
		tok, err := a.Validate(t.Context(), raw, TypeAny)
		if err != nil || !sameToken(want, tok) {
			t.Fatalf("validate (cached) of %s: %+v, %v; parser %+v", raw, tok, err, want)
		}
	}
	if !a.cache.Holds(raw) {
		t.Fatalf("an accepted token was not cached: %s", raw)
	}
}

func sameToken(a, b *Token) bool {
	return a.Type == b.Type && a.ID == b.ID && a.UserID == b.UserID && a.KeyID == b.KeyID &&
		a.IssuedAt.Equal(b.IssuedAt) && a.IssuedAt.IsZero() == b.IssuedAt.IsZero() &&
		a.ExpiresAt.Equal(b.ExpiresAt) &&
		a.RefreshExpiresAt.Equal(b.RefreshExpiresAt) && a.RefreshExpiresAt.IsZero() == b.RefreshExpiresAt.IsZero() &&
		bytes.Equal(a.payload, b.payload)
}

// stricterOnPurpose reports whether raw is one the new parser refuses on purpose while
// encoding/json took it: a header or payload that is not valid UTF-8, or a header member twice.
// Duplicates are found with encoding/json's tokenizer, independently of the parser's own walker.
func stricterOnPurpose(raw string) bool {
	seg, rest, _ := strings.Cut(raw, ".")
	if ps, _, ok := strings.Cut(rest, "."); ok {
		if p, err := b64.DecodeString(ps); err == nil && !utf8.Valid(p) {
			return true
		}
	}
	h, err := b64.DecodeString(seg)
	if err != nil {
		return false
	}
	if !utf8.Valid(h) {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		name, _ := key.(string)
		if seen[name] {
			return true
		}
		seen[name] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// diffSeed is a fuzz seed: header and payload JSON (or raw segments), a signature, and mode:
// signer in the low three bits (see token), raw segments with 8.
type diffSeed struct {
	header, payload string
	sig             []byte
	mode            uint8
}

const (
	hdrHS256 = `{"alg":"HS256","typ":"JWT"}`
	modeRaw  = 8
)

// diffSeeds are the hostile tokens of validate_test.go and headers_test.go, and the payloads
// that reach the claim rules, in the fuzzer's terms.
func diffSeeds() []diffSeed {
	now := diffNow.Unix()
	n := func(d int64) string { return strconv.FormatInt(now+d, 10) }
	claims := `{"token_type":"access","exp":` + n(300) + `,"iat":` + n(0) + `,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`
	renamed := `{"typ":"access","exp":` + n(300) + `,"iat":` + n(0) + `,"id":"ab","sub":"u1","aud":"api","iss":"https://iss"}`
	timed := func(exp, iat, nbf int64) string {
		p := `{"token_type":"access","exp":` + n(exp) + `,"iat":` + n(iat) + `,"jti":"ab","user_id":1`
		if nbf != 0 {
			p += `,"nbf":` + n(nbf)
		}
		return p + "}"
	}
	seeds := []diffSeed{
		{hdrHS256, claims, nil, 1},
		{hdrHS256, renamed, nil, 1},
		{`{"alg":"HS256","typ":"JWT"}`, claims, nil, 2},
		{`{"alg":"HS256","kid":"b"}`, claims, nil, 3},
		{`{"alg":"HS256","kid":"b"}`, claims, nil, 1},
		{`{"alg":"HS512","kid":"a"}`, claims, nil, 4},
		{`{"alg":"HS512"}`, claims, nil, 4},
		{`{"alg":"ES256","kid":"ec"}`, claims, nil, 5},
		{`{"alg":"ES384","kid":"ec"}`, claims, nil, 5},
		{`{"alg":"ES256"}`, claims, nil, 5},
		{`{"alg":"none","typ":"JWT"}`, claims, nil, 0},
		{`{"alg":"None","typ":"JWT"}`, claims, nil, 0},
		{`{"alg":"NONE","typ":"JWT"}`, claims, []byte("sig"), 0},
		{`{"alg":"HS256","crit":["exp"],"typ":"JWT"}`, claims, nil, 1},
		{`{"alg":"HS256","crit":[],"typ":"JWT"}`, claims, nil, 1},
		{`{"alg":"HS256","kid":"nope","typ":"JWT"}`, claims, nil, 1},
		{`{"alg":"HS256","kid":"../../etc/passwd","typ":"JWT"}`, claims, nil, 1},
		{`{"alg":"HS256","kid":7,"typ":"JWT"}`, claims, nil, 1},
		{`{"alg":"HS256","kid":null}`, claims, nil, 1},
		{`{"alg":"HS256","kid":""}`, claims, nil, 1},
		{`{"alg":"HS384","typ":"JWT"}`, claims, nil, 1},
		{`{"alg":"HS256","kid":"b","jku":"https://evil.example/jwks.json"}`, claims, nil, 3},
		{`{"alg":"HS256","x5u":"https://evil.example/cert.pem"}`, claims, nil, 1},
		{`{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}`, claims, nil, 1},
		{`{"alg":"HS256","x5c":["bm90IGEgY2VydA=="]}`, claims, nil, 1},
		{`{"alg":"HS256","alg":"HS256"}`, claims, nil, 1},
		{`{"alg":"HS256","\u0061lg":"none"}`, claims, nil, 1},
		{`{"\u0061lg":"HS\u0032\u0035\u0036","k\u0069d":"b"}`, claims, nil, 3},
		{"{\"alg\":\"HS256\",\"typ\":\"J\xffWT\"}", claims, nil, 1},
		{`{"alg":"HS256","x":1e999}`, claims, nil, 1},
		{`{"alg":"HS256","x":[1e400]}`, claims, nil, 1},
		{` {"alg" : "HS256"} `, claims, nil, 1},
		{`["alg","HS256"]`, claims, nil, 1},
		{`null`, claims, nil, 1},
		{`{"alg":"HS256"`, claims, nil, 1},
		{hdrHS256, strings.TrimSuffix(claims, "}") + `,"token_type":"refresh"}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":"9999999999","jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":null,"jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":1e300,"jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":1e999,"jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":-1,"jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":` + n(300) + `.999,"jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":` + n(-30) + `.9,"jti":"ab","user_id":1}`, nil, 1},
		{hdrHS256, `[1,2]`, nil, 1},
		{hdrHS256, `null`, nil, 1},
		{hdrHS256, ` ` + claims + "\n", nil, 1},
		{hdrHS256, `{"token_type":"sliding","exp":` + n(-60) + `,"jti":"a","user_id":1,"refresh_exp":` + n(60) + `}`, nil, 1},
		{hdrHS256, `{"token_type":"sliding","jti":"a","user_id":1,"refresh_exp":` + n(60) + `}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":` + n(60) + `,"jti":"a","user_id":[1]}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":` + n(60) + `,"jti":"","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"bogus","exp":` + n(60) + `,"jti":"a","user_id":1}`, nil, 1},
		{hdrHS256, `{"exp":` + n(60) + `,"jti":"a","user_id":1}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":` + n(60) + `,"jti":"a"}`, nil, 1},
		{hdrHS256, `{"token_type":"acc\u0065ss","exp":` + n(60) + `,"jti":"\u00e9","user_id":"\u00e9","tenant":"\ud83d\ude00"}`, nil, 1},
		{hdrHS256, `{"token_type":"access","exp":` + n(60) + `,"jti":"a","user_id":1,"ex\u0070":1}`, nil, 1},
		{hdrHS256, "{\"token_type\":\"access\",\"exp\":" + n(60) + ",\"jti\":\"a\xff\",\"user_id\":1,\"\xfe\":1}", nil, 1},
		{hdrHS256, timed(-29, -300, 0), nil, 1},
		{hdrHS256, timed(-30, -300, 0), nil, 1},
		{hdrHS256, timed(-31, -300, 0), nil, 1},
		{hdrHS256, timed(300, 29, 0), nil, 1},
		{hdrHS256, timed(300, 31, 0), nil, 1},
		{hdrHS256, timed(300, 0, 29), nil, 1},
		{hdrHS256, timed(300, 0, 31), nil, 1},
		{hdrHS256, timed(-31, 31, 31), nil, 1},
		{hdrHS256, timed(-30, -300, 0), nil, 1},
		{hdrHS256, timed(300, 30, 0), nil, 1},
		{hdrHS256, timed(300, 0, 30), nil, 1},
		{hdrHS256, `{"token_type":"sliding","exp":` + n(-60) + `,"jti":"a","user_id":1,"refresh_exp":` + n(-30) + `}`, nil, 1},
		{hdrHS256, `{"typ":"access","exp":` + n(60) + `,"id":"ab","sub":"u1","aud":["x","api"],"iss":"https://iss"}`, nil, 1},
		{hdrHS256, `{"typ":"access","exp":` + n(60) + `,"id":"ab","sub":"u1","aud":"api.evil","iss":"https://iss"}`, nil, 1},
		{hdrHS256, `{"typ":"access","exp":` + n(60) + `,"id":"ab","sub":"u1","aud":[""],"iss":"https://iss"}`, nil, 1},
		{hdrHS256, `{"typ":"access","exp":` + n(60) + `,"id":"ab","sub":"u1","aud":7,"iss":"https://iss"}`, nil, 1},
		{hdrHS256, `{"typ":"access","exp":` + n(60) + `,"id":"ab","sub":"u1","aud":"\u0061pi","iss":"https://iss/"}`, nil, 1},
		{hdrHS256, `{"typ":"access","exp":` + n(60) + `,"id":"ab","sub":"u1","aud":null,"iss":"https://iss"}`, nil, 1},
		{hdrHS256, claims, []byte{0}, 0},
		{hdrHS256, claims, nil, 0},
		// Raw segments: shapes the byte gate and the strict base64 decoding refuse.
		{"eyJhbGciOiJIUzI1NiJ9", "e30", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9=", "e30", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ8", "e30", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9", "e31", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9", "e3", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9", "e30+", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9", " e30", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9", "e30\r\n", nil, 1 | modeRaw},
		{"eyJhbGciOiJIUzI1NiJ9.x", "e30", nil, 1 | modeRaw},
		{"", "e30", nil, 1 | modeRaw},
	}
	return seeds
}

// FuzzParseAgainstGolangJWT builds tokens from fuzzed header JSON, payload JSON and signature
// bytes, most of them properly signed so the claim rules are reached, and requires the new
// parser and the golang-jwt path to agree on each.
func FuzzParseAgainstGolangJWT(f *testing.F) {
	s := newDiffSetup(f)
	for _, seed := range diffSeeds() {
		f.Add(seed.header, seed.payload, seed.sig, seed.mode)
	}
	f.Fuzz(func(t *testing.T, header, payload string, sig []byte, mode uint8) {
		s.compare(t, s.token(t, header, payload, sig, mode&7, mode&modeRaw != 0))
	})
}

// FuzzParseRawAgainstGolangJWT is the same agreement on arbitrary strings, seeded with whole
// tokens: the byte gate, the segment split and the base64 rules.
func FuzzParseRawAgainstGolangJWT(f *testing.F) {
	s := newDiffSetup(f)
	for _, seed := range diffSeeds() {
		tok := s.token(f, seed.header, seed.payload, seed.sig, seed.mode&7, seed.mode&modeRaw != 0)
		f.Add(tok)
		f.Add(tok + "=")
		f.Add(strings.Replace(tok, ".", "..", 1))
		f.Add(tok[:len(tok)-1])
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s.compare(t, raw)
	})
}

// TestParseDeliberatelyStricter pins the two differences from the golang-jwt path: properly
// signed tokens that it accepted and the new parser refuses.
func TestParseDeliberatelyStricter(t *testing.T) {
	s := newDiffSetup(t)
	claims := `{"token_type":"access","exp":` + strconv.FormatInt(diffNow.Unix()+60, 10) + `,"jti":"a","user_id":1}`
	for name, header := range map[string]string{
		"duplicate alg":             `{"alg":"none","alg":"HS256"}`,
		"duplicate kid":             `{"alg":"HS256","kid":"nope","kid":"b"}`,
		"duplicate spelled escaped": `{"alg":"HS256","typ":"JWT","t\u0079p":"JWT"}`,
		"invalid UTF-8":             "{\"alg\":\"HS256\",\"typ\":\"\xff\"}",
	} {
		tok := s.token(t, header, claims, nil, 1, false)
		if strings.Contains(header, `"kid":"b"`) {
			tok = s.token(t, header, claims, nil, 3, false)
		}
		_, oldErr := s.oracles[0].parse(tok, false)
		require.NoError(t, oldErr, "%s: the golang-jwt path accepted it", name)
		_, _, err := s.auths[0].parse(context.Background(), tok, false, diffNow)
		assert.ErrorIs(t, err, ErrTokenInvalid, name)
		assert.True(t, stricterOnPurpose(tok), name)
	}
	for name, payload := range map[string]string{
		"invalid UTF-8 in a custom claim": strings.TrimSuffix(claims, "}") + ",\"name\":\"\xff\"}",
		"a lone surrogate's bytes":        strings.TrimSuffix(claims, "}") + ",\"name\":\"\xed\xa0\x80\"}",
		"invalid UTF-8 in the jti":        strings.Replace(claims, `"jti":"a"`, "\"jti\":\"a\xc3\"", 1),
	} {
		tok := s.token(t, `{"alg":"HS256","typ":"JWT"}`, payload, nil, 1, false)
		_, oldErr := s.oracles[0].parse(tok, false)
		require.NoError(t, oldErr, "%s: the golang-jwt path accepted it", name)
		_, _, err := s.auths[0].parse(context.Background(), tok, false, diffNow)
		assert.ErrorIs(t, err, ErrTokenInvalid, name)
		assert.True(t, stricterOnPurpose(tok), name)
	}
}

// TestParseSeedsAgree runs every seed through both parsers in plain go test, with the
// properly signed variants of each seed too.
func TestParseSeedsAgree(t *testing.T) {
	s := newDiffSetup(t)
	for _, seed := range diffSeeds() {
		for signer := range uint8(6) {
			s.compare(t, s.token(t, seed.header, seed.payload, seed.sig, signer, seed.mode&modeRaw != 0))
		}
	}
}
