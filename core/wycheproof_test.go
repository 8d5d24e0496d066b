package jwtkit

import (
	"compress/gzip"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// Project Wycheproof's test vectors (testdata/wycheproof, see its README) run through core:
// the compact JWS and JWK-set vectors through the validator (Auth.Validate) with keys built from
// their JWKs by the public constructors, and the raw signature vectors through (*Key).verify,
// the one function the validator checks signatures with. go test -v logs the count of every
// outcome per file.
const wpDir = "testdata/wycheproof"

// wpSums is SHA256SUMS: the digest of every original file before it was gzipped.
var wpSums = sync.OnceValues(func() (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(wpDir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for line := range strings.Lines(string(data)) {
		sum, name, ok := strings.Cut(strings.TrimSpace(line), "  ")
		if !ok {
			return nil, fmt.Errorf("SHA256SUMS line %q", line)
		}
		sums[name] = sum
	}
	return sums, nil
})

// wpLoad decodes one vector file into v after checking that it is the copied original, and
// returns the number of tests the file declares, for the caller to check it ran them all.
func wpLoad(t *testing.T, name string, v any) int {
	t.Helper()
	sums, err := wpSums()
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(wpDir, name+".gz"))
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	data, err := io.ReadAll(zr)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	require.Equal(t, sums[name], hex.EncodeToString(sum[:]), "%s is not the copied original", name)
	require.NoError(t, json.Unmarshal(data, v), name)
	var head struct {
		NumberOfTests int `json:"numberOfTests"`
	}
	require.NoError(t, json.Unmarshal(data, &head), name)
	require.Positive(t, head.NumberOfTests, name)
	return head.NumberOfTests
}

// wpHex is a hex-encoded byte string of the vector files.
type wpHex []byte

func (h *wpHex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}

// wpSigVector is one vector of the MAC and signature files.
type wpSigVector struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags"`
	Key     wpHex    `json:"key"` // MAC files: each vector has its own key
	Msg     wpHex    `json:"msg"`
	Sig     wpHex    `json:"sig"`
	Tag     wpHex    `json:"tag"`    // MAC files
	Result  string   `json:"result"` // valid, invalid or acceptable
}

type wpSigGroup struct {
	KeySize   int    `json:"keySize"` // bits
	TagSize   int    `json:"tagSize"` // bits, MAC files
	SHA       string `json:"sha"`
	MGFSHA    string `json:"mgfSha"`
	SLen      int    `json:"sLen"`
	PublicKey struct {
		WX             wpHex `json:"wx"`
		WY             wpHex `json:"wy"`
		PK             wpHex `json:"pk"`
		Modulus        wpHex `json:"modulus"`
		PublicExponent wpHex `json:"publicExponent"`
	} `json:"publicKey"`
	Tests []wpSigVector `json:"tests"`
}

type wpSigFile struct {
	TestGroups []wpSigGroup `json:"testGroups"`
}

// wpTally counts the outcomes of one file, for the log.
type wpTally struct {
	name   string
	total  int
	counts map[string]int
}

func newWPTally(name string) *wpTally { return &wpTally{name: name, counts: map[string]int{}} }

func (c *wpTally) add(outcome string) { c.total++; c.counts[outcome]++ }

// done checks that every vector the file declares was run, and logs the counts.
func (c *wpTally) done(t *testing.T, declared int) {
	t.Helper()
	require.Equal(t, declared, c.total, "%s: vectors run", c.name)
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(c.counts)) {
		fmt.Fprintf(&b, "\n    %-68s %4d", k, c.counts[k])
	}
	t.Logf("%s: %d vectors%s", c.name, c.total, b.String())
}

func wpVerdict(ok bool) string {
	if ok {
		return "verified"
	}
	return "rejected"
}

// wpAcceptable is the decision for each kind of "acceptable" vector (Wycheproof leaves these to
// the implementation): true to accept. Each is a deliberate choice; docs/security.md lists them.
var wpAcceptable = map[string]bool{
	// PKCS #1 v1.5 DigestInfo without the NULL parameter: crypto/rsa only accepts the encoding
	// RFC 8017 section 9.2 produces, so there is exactly one valid signature encoding.
	"MissingNull": false,
}

// wpCheck compares a verify result with the vector's expected result.
func wpCheck(t *testing.T, c *wpTally, v wpSigVector, verr error) {
	t.Helper()
	ok := verr == nil
	switch v.Result {
	case "valid":
		if !ok {
			t.Errorf("%s tcId %d (%q, flags %v): valid signature refused: %v", c.name, v.TcID, v.Comment, v.Flags, verr)
		}
	case "invalid":
		if ok {
			t.Errorf("%s tcId %d (%q, flags %v): invalid signature verified", c.name, v.TcID, v.Comment, v.Flags)
		}
	case "acceptable":
		require.Lenf(t, v.Flags, 1, "%s tcId %d: acceptable vector with several flags", c.name, v.TcID)
		accept, decided := wpAcceptable[v.Flags[0]]
		require.Truef(t, decided, "%s tcId %d: no decision recorded for acceptable %v", c.name, v.TcID, v.Flags)
		if ok != accept {
			t.Errorf("%s tcId %d (%q): acceptable %v %s, decided %s", c.name, v.TcID, v.Comment, v.Flags, wpVerdict(ok), wpVerdict(accept))
		}
		c.add(fmt.Sprintf("acceptable %v: %s", v.Flags, wpVerdict(ok)))
		return
	default:
		t.Fatalf("%s tcId %d: unknown result %q", c.name, v.TcID, v.Result)
	}
	c.add(v.Result + ": " + wpVerdict(ok))
}

func wpDistinct(b []byte) int {
	var seen [256]bool
	n := 0
	for _, x := range b {
		if !seen[x] {
			seen[x] = true
			n++
		}
	}
	return n
}

// wpCounting reports whether b counts up byte by byte (00 01 02 ...), as several Wycheproof keys
// do: a key anyone can write down, which the entropy rule refuses.
func wpCounting(b []byte) bool {
	for i := 1; i < len(b); i++ {
		if b[i] != b[i-1]+1 {
			return false
		}
	}
	return len(b) > 1
}

func TestWycheproofHMAC(t *testing.T) {
	for _, tc := range []struct {
		file string
		alg  Algorithm
		size int // hash output, bytes
	}{
		{"hmac_sha256_test.json", HS256, 32},
		{"hmac_sha384_test.json", HS384, 48},
		{"hmac_sha512_test.json", HS512, 64},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			var f wpSigFile
			declared := wpLoad(t, tc.file, &f)
			c := newWPTally(tc.file)
			for _, g := range f.TestGroups {
				for _, v := range g.Tests {
					k, err := NewHMACKey(tc.alg, v.Key, "")
					wantRefused := len(v.Key) < tc.size || wpDistinct(v.Key) < minDistinctBytes || wpCounting(v.Key)
					if wantRefused || err != nil {
						require.Truef(t, wantRefused, "tcId %d: a %d-byte key was refused: %v", v.TcID, len(v.Key), err)
						require.ErrorIsf(t, err, ErrWeakKey, "tcId %d: a %d-byte key", v.TcID, len(v.Key))
						c.add(fmt.Sprintf("%s, %d-byte key: key refused (ErrWeakKey)", v.Result, len(v.Key)))
						continue
					}
					verr := k.verify(string(v.Msg), v.Tag)
					if g.TagSize/8 < tc.size {
						// A JWS HMAC is the whole hash output (RFC 7518 section 3.2): a truncated tag
						// is a different MAC, whatever Wycheproof's verdict on it as one.
						if verr == nil {
							t.Errorf("tcId %d (%q): a %d-bit truncated tag verified", v.TcID, v.Comment, g.TagSize)
						}
						c.add(fmt.Sprintf("%s, %d-bit truncated tag: %s", v.Result, g.TagSize, wpVerdict(verr == nil)))
						continue
					}
					wpCheck(t, c, v, verr)
				}
			}
			c.done(t, declared)
		})
	}
}

// wpECKey is the public key at (x, y) on curve, unchecked: NewPublicKey does the checking.
func wpECKey(curve elliptic.Curve, x, y []byte) *ecdsa.PublicKey {
	return &ecdsa.PublicKey{Curve: curve, X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
}

func TestWycheproofECDSA(t *testing.T) {
	for _, tc := range []struct {
		file  string
		alg   Algorithm
		curve elliptic.Curve
		sha   string
	}{
		{"ecdsa_secp256r1_sha256_p1363_test.json", ES256, elliptic.P256(), "SHA-256"},
		{"ecdsa_secp384r1_sha384_p1363_test.json", ES384, elliptic.P384(), "SHA-384"},
		{"ecdsa_secp521r1_sha512_p1363_test.json", ES512, elliptic.P521(), "SHA-512"},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			t.Parallel() // P-384 and P-521 are pure Go, and slow under -race
			var f wpSigFile
			declared := wpLoad(t, tc.file, &f)
			c := newWPTally(tc.file)
			for _, g := range f.TestGroups {
				require.Equal(t, tc.sha, g.SHA)
				k, err := NewPublicKey(tc.alg, wpECKey(tc.curve, g.PublicKey.WX, g.PublicKey.WY), "")
				require.NoError(t, err, "Wycheproof's public keys are all valid points")
				for _, v := range g.Tests {
					wpCheck(t, c, v, k.verify(string(v.Msg), v.Sig))
				}
			}
			c.done(t, declared)
		})
	}
}

// TestWycheproofECDSADERNeverVerifies: a JWS ECDSA signature is r||s (RFC 7518 section 3.4);
// the DER form must never verify under ES256, even when it is a valid signature of the message.
func TestWycheproofECDSADERNeverVerifies(t *testing.T) {
	const file = "ecdsa_secp256r1_sha256_test.json"
	var f wpSigFile
	declared := wpLoad(t, file, &f)
	c := newWPTally(file)
	for _, g := range f.TestGroups {
		pub := wpECKey(elliptic.P256(), g.PublicKey.WX, g.PublicKey.WY)
		k, err := NewPublicKey(ES256, pub, "")
		require.NoError(t, err)
		for _, v := range g.Tests {
			if err := k.verify(string(v.Msg), v.Sig); err == nil {
				t.Errorf("tcId %d (%q): a DER signature verified under ES256", v.TcID, v.Comment)
			}
			if v.Result == "valid" {
				// The control: the signature is good, so only its encoding is refused.
				digest := sha256.Sum256(v.Msg)
				require.Truef(t, ecdsa.VerifyASN1(pub, digest[:], v.Sig), "tcId %d: control", v.TcID)
				c.add("valid DER (ecdsa.VerifyASN1 accepts it): rejected")
			} else {
				c.add(v.Result + " DER: rejected")
			}
		}
	}
	c.done(t, declared)
}

func TestWycheproofEd25519(t *testing.T) {
	const file = "ed25519_test.json"
	var f wpSigFile
	declared := wpLoad(t, file, &f)
	c := newWPTally(file)
	for _, g := range f.TestGroups {
		k, err := NewPublicKey(EdDSA, ed25519.PublicKey(g.PublicKey.PK), "")
		require.NoError(t, err)
		for _, v := range g.Tests {
			wpCheck(t, c, v, k.verify(string(v.Msg), v.Sig))
		}
	}
	c.done(t, declared)
}

func wpRSAKey(g wpSigGroup) *rsa.PublicKey {
	return &rsa.PublicKey{N: new(big.Int).SetBytes(g.PublicKey.Modulus), E: int(new(big.Int).SetBytes(g.PublicKey.PublicExponent).Int64())}
}

func TestWycheproofRSAPKCS1(t *testing.T) {
	for _, bits := range []int{2048, 3072, 4096} {
		for _, h := range []struct {
			alg Algorithm
			sha string
		}{{RS256, "sha256"}, {RS384, "sha384"}, {RS512, "sha512"}} {
			file := fmt.Sprintf("rsa_signature_%d_%s_test.json", bits, h.sha)
			t.Run(fmt.Sprintf("%s/%d", h.alg, bits), func(t *testing.T) {
				var f wpSigFile
				declared := wpLoad(t, file, &f)
				c := newWPTally(file)
				for _, g := range f.TestGroups {
					pub := wpRSAKey(g)
					require.Equal(t, bits, pub.N.BitLen())
					k, err := NewPublicKey(h.alg, pub, "")
					require.NoError(t, err)
					for _, v := range g.Tests {
						wpCheck(t, c, v, k.verify(string(v.Msg), v.Sig))
					}
				}
				c.done(t, declared)
			})
		}
	}
}

func TestWycheproofRSAPSS(t *testing.T) {
	for _, tc := range []struct {
		file string
		alg  Algorithm
		sha  string
		salt int
	}{
		{"rsa_pss_2048_sha256_mgf1_32_test.json", PS256, "SHA-256", 32},
		{"rsa_pss_2048_sha384_mgf1_48_test.json", PS384, "SHA-384", 48},
		{"rsa_pss_4096_sha512_mgf1_64_test.json", PS512, "SHA-512", 64},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			var f wpSigFile
			declared := wpLoad(t, tc.file, &f)
			c := newWPTally(tc.file)
			for _, g := range f.TestGroups {
				// The parameters RFC 7518 section 3.5 fixes for the algorithm.
				require.Equal(t, tc.sha, g.SHA)
				require.Equal(t, tc.sha, g.MGFSHA)
				require.Equal(t, tc.salt, g.SLen)
				k, err := NewPublicKey(tc.alg, wpRSAKey(g), "")
				require.NoError(t, err)
				for _, v := range g.Tests {
					wpCheck(t, c, v, k.verify(string(v.Msg), v.Sig))
				}
			}
			c.done(t, declared)
		})
	}
}

// TestWycheproofPSSSaltZeroRejected: PS256 keys verify with the salt as long as the hash (RFC
// 7518 section 3.5), so signatures with an empty salt, valid RSASSA-PSS as they are, fail. The
// control shows golang-jwt's own PS256, which verifies with PSSSaltLengthAuto, accepting each.
// wpPSSSalt32 is the vector of the salt-0 file whose signature has a 32-byte salt ("s_len
// changed to 32").
const wpPSSSalt32 = 69

func TestWycheproofPSSSaltZeroRejected(t *testing.T) {
	const file = "rsa_pss_2048_sha256_mgf1_0_test.json"
	var f wpSigFile
	declared := wpLoad(t, file, &f)
	c := newWPTally(file)
	for _, g := range f.TestGroups {
		require.Equal(t, 0, g.SLen)
		pub := wpRSAKey(g)
		k, err := NewPublicKey(PS256, pub, "")
		require.NoError(t, err)
		for _, v := range g.Tests {
			verr := k.verify(string(v.Msg), v.Sig)
			if v.TcID == wpPSSSalt32 {
				// Invalid for salt length 0, but its salt is 32 bytes: what PS256 requires.
				require.Equal(t, "invalid", v.Result)
				require.NoErrorf(t, verr, "tcId %d (%q): the salt-32 signature", v.TcID, v.Comment)
				c.add("invalid for salt 0, signed with salt 32: verified [deviation]")
				continue
			}
			if verr == nil {
				t.Errorf("tcId %d (%q): a PSS signature with salt length 0 verified under PS256", v.TcID, v.Comment)
			}
			if v.Result == "valid" {
				require.NoErrorf(t, jwt.SigningMethodPS256.Verify(string(v.Msg), v.Sig, pub), "tcId %d: control", v.TcID)
				c.add("valid, salt 0 (golang-jwt's own PS256 accepts it): rejected")
			} else {
				c.add(v.Result + ", salt 0: rejected")
			}
		}
	}
	c.done(t, declared)
}

// --- JWS and JWK vectors through the validator ---

// wpJWK is a JWK of the vector files; key_ops is not a member core's JWK has.
type wpJWK struct {
	JWK
	KeyOps []string `json:"key_ops"`
}

type wpJWSVector struct {
	TcID    int             `json:"tcId"`
	Comment string          `json:"comment"`
	JWS     json.RawMessage `json:"jws"` // a compact JWS string, or a JSON serialization object
	Result  string          `json:"result"`
	Flags   []string        `json:"flags"`
}

// token is the vector as a client would send it: the compact form, or for a JSON serialization
// its JSON text.
func (v wpJWSVector) token() string {
	var s string
	if json.Unmarshal(v.JWS, &s) == nil {
		return s
	}
	return string(v.JWS)
}

func wpB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err, "JWK member %q", s)
	return b
}

func wpBig(t *testing.T, s string) *big.Int { return new(big.Int).SetBytes(wpB64(t, s)) }

func wpCurve(crv string) elliptic.Curve {
	switch crv {
	case "P-256":
		return elliptic.P256()
	case "P-384":
		return elliptic.P384()
	case "P-521":
		return elliptic.P521()
	}
	return nil // NewPublicKey refuses a key without a curve
}

func wpRSAPublic(t *testing.T, j wpJWK) *rsa.PublicKey {
	return &rsa.PublicKey{N: wpBig(t, j.N), E: int(wpBig(t, j.E).Int64())}
}

// wpJWKAlg is the algorithm a JWK is configured with: its alg member, or, for a JWK without
// one, the token's, as an application that picks the algorithm when it builds the key would.
func wpJWKAlg(j wpJWK, raw string) Algorithm {
	if j.Alg != "" {
		return Algorithm(j.Alg)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	head, _, _ := strings.Cut(raw, ".")
	b, _ := base64.RawURLEncoding.DecodeString(head)
	_ = json.Unmarshal(b, &h)
	return Algorithm(h.Alg)
}

// wpVerifyingKey builds the verification key a deployment configures for a JWK, with the
// public constructors: NewHMACKey for "oct", NewPublicKey otherwise. use and key_ops are not
// read: jwtkit keys carry no such notion (see the deviations).
func wpVerifyingKey(t *testing.T, j wpJWK, alg Algorithm) (*Key, error) {
	t.Helper()
	switch j.Kty {
	case "oct":
		return NewHMACKey(alg, wpB64(t, j.K), j.Kid)
	case "RSA":
		return NewPublicKey(alg, wpRSAPublic(t, j), j.Kid)
	case "EC":
		return NewPublicKey(alg, wpECKey(wpCurve(j.Crv), wpB64(t, j.X), wpB64(t, j.Y)), j.Kid)
	case "OKP":
		return NewPublicKey(alg, ed25519.PublicKey(wpB64(t, j.X)), j.Kid)
	}
	t.Fatalf("JWK kty %q: not a key type this test builds", j.Kty)
	return nil, nil
}

// wpSigningKey builds the private key of a JWK with private members and an alg, for the control
// tokens: nil, nil when the JWK has no private members or no alg.
func wpSigningKey(t *testing.T, j *wpJWK) (*Key, error) {
	t.Helper()
	if j == nil || j.Alg == "" {
		return nil, nil
	}
	alg := Algorithm(j.Alg)
	switch {
	case j.Kty == "oct":
		return NewHMACKey(alg, wpB64(t, j.K), j.Kid)
	case j.Kty == "RSA" && j.D != "":
		return NewPrivateKey(alg, &rsa.PrivateKey{
			PublicKey: *wpRSAPublic(t, *j), D: wpBig(t, j.D), Primes: []*big.Int{wpBig(t, j.P), wpBig(t, j.Q)},
		}, j.Kid)
	case j.Kty == "EC" && j.D != "":
		priv, err := ecdsa.ParseRawPrivateKey(wpCurve(j.Crv), wpB64(t, j.D))
		require.NoError(t, err, "EC private key of the vectors")
		return NewPrivateKey(alg, priv, j.Kid)
	}
	return nil, nil
}

// wpNoRevocations is a Store with nothing revoked: no vector gets past the claims, and the
// control tokens only need the store's "not revoked".
type wpNoRevocations struct{}

func (wpNoRevocations) Revoke(context.Context, string, time.Time) error { return nil }
func (wpNoRevocations) RevokeOnce(context.Context, string, time.Time) (bool, error) {
	return true, nil
}
func (wpNoRevocations) RevokeUser(context.Context, string, time.Time, time.Time) error { return nil }
func (wpNoRevocations) RevokeFamily(context.Context, string, time.Time) error          { return nil }
func (wpNoRevocations) Revoked(context.Context, TokenRef) (bool, error)                { return false, nil }

func wpAuth(signing *Key, verifying ...*Key) (*Auth, error) {
	return New(Config{SigningKey: signing, VerifyingKeys: verifying, Store: wpNoRevocations{}, Stateless: true})
}

// wpIsSignatureError reports whether the validator refused a token for its signature. The
// control tokens prove it recognises the validator's signature errors.
func wpIsSignatureError(err error) bool {
	for _, target := range []error{jwt.ErrTokenSignatureInvalid, jwt.ErrSignatureInvalid, jwt.ErrECDSAVerification, jwt.ErrEd25519Verification, rsa.ErrVerification} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// wpIsRejection: every refusal of a token wraps one of these.
func wpIsRejection(err error) bool {
	for _, target := range []error{ErrTokenInvalid, ErrNoID, ErrNoType, ErrWrongType, ErrNoUserID} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// wpStage is a step of the validation order docs/design.md documents, where a vector is
// stopped. The test finds it on its own (wpOracle) and checks the validator agrees that the
// token is refused, and, at wpClaims, that the refusal is not about the signature.
type wpStage int

const (
	wpKeyRefused wpStage = iota // the key or key set is refused when it is built
	wpShape                     // not three non-empty base64url segments within MaxTokenLength
	wpEncoding                  // a segment is not strict base64url, or the header is not a JSON object with an alg
	wpSelection                 // no configured key for the header's kid and alg, or a crit header
	wpSignature                 // the selected key's verify refuses the signature
	wpClaims                    // the signature verifies; the payload is not a jwtkit token
)

func (s wpStage) String() string {
	return [...]string{"key refused", "shape", "encoding", "key selection", "signature", "claims (signature verified)"}[s]
}

func wpB64Char(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// wpOracle walks the documented validation order for raw against keys, with (*Key).verify for
// the signature.
func wpOracle(raw string, keys []*Key) wpStage {
	segs := strings.Split(raw, ".")
	if len(raw) > DefaultMaxTokenLength || len(segs) != 3 || slices.ContainsFunc(segs, func(s string) bool {
		return s == "" || strings.ContainsFunc(s, func(r rune) bool { return !wpB64Char(r) })
	}) {
		return wpShape
	}
	var dec [3][]byte
	for i, s := range segs {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		if err != nil {
			return wpEncoding
		}
		dec[i] = b
	}
	var header map[string]any
	if json.Unmarshal(dec[0], &header) != nil {
		return wpEncoding
	}
	alg, ok := header["alg"].(string)
	if !ok {
		return wpEncoding
	}
	if _, crit := header["crit"]; crit {
		return wpSelection
	}
	kid, hasKid := header["kid"]
	var candidates []*Key
	for _, k := range keys {
		if string(k.Algorithm()) != alg || (hasKid && kid != k.KeyID()) || (!hasKid && k.KeyID() != "") {
			continue
		}
		candidates = append(candidates, k)
	}
	if len(candidates) == 0 {
		return wpSelection
	}
	for _, k := range candidates {
		if k.verify(segs[0]+"."+segs[1], dec[2]) == nil {
			return wpClaims
		}
	}
	return wpSignature
}

// wpRun configures an Auth that verifies with keys (or takes buildErr, the refusal of one of
// them), runs raw through the validator, and returns the stage that stops it and, for a refused
// key, which refusal.
func wpRun(t *testing.T, where, raw string, keys []*Key, buildErr error) (wpStage, string) {
	t.Helper()
	if buildErr == nil {
		var a *Auth
		if a, buildErr = wpAuth(nil, keys...); buildErr == nil {
			stage := wpOracle(raw, keys)
			// The oracle's shape rule is the validator's own byte gate.
			require.Equalf(t, stage == wpShape, !wellFormed(raw, DefaultMaxTokenLength), "%s: the byte gate disagrees", where)
			tok, err := a.Validate(t.Context(), raw, TypeAny)
			require.Errorf(t, err, "%s: the validator accepted it: %+v", where, tok)
			require.Truef(t, wpIsRejection(err), "%s: refused with an error that is no token rejection: %v", where, err)
			if stage == wpClaims {
				require.Falsef(t, wpIsSignatureError(err), "%s: Key.verify accepts the signature, the validator refused it as a signature error: %v", where, err)
			}
			return stage, ""
		}
	}
	require.ErrorIsf(t, buildErr, ErrInvalidConfig, "%s: key refused with an unexpected error", where)
	if errors.Is(buildErr, ErrWeakKey) {
		return wpKeyRefused, "ErrWeakKey"
	}
	return wpKeyRefused, "ErrInvalidConfig"
}

// wpDeviation is a vector where the suite deliberately differs from Wycheproof's verdict (or,
// for a valid vector, stops it before the signature), with the stage that stops it, for a
// refused key which refusal, and why.
type wpDeviation struct {
	stage   wpStage
	refusal string
	why     string
}

// wpJudge checks a stage against Wycheproof's verdict: a valid JWS must get through the
// signature (and then fail only at the claims, as no vector carries a jwtkit payload), an
// invalid one must be stopped at or before the signature, unless deviations lists it.
func wpJudge(t *testing.T, c *wpTally, v wpJWSVector, stage wpStage, note string, deviations map[int]wpDeviation, seen map[int]bool) {
	t.Helper()
	outcome := stage.String()
	if note != "" {
		outcome += " (" + note + ")"
	}
	if d, ok := deviations[v.TcID]; ok {
		seen[v.TcID] = true
		if stage != d.stage || note != d.refusal {
			t.Errorf("%s tcId %d (%q): stopped at %s, the recorded deviation says %s %s (%s)", c.name, v.TcID, v.Comment, outcome, d.stage, d.refusal, d.why)
		}
		c.add(fmt.Sprintf("%s: %s [deviation]", v.Result, outcome))
		return
	}
	switch v.Result {
	case "valid":
		if stage != wpClaims {
			t.Errorf("%s tcId %d (%q): valid JWS stopped at %s", c.name, v.TcID, v.Comment, outcome)
		}
	case "invalid":
		if stage == wpClaims {
			t.Errorf("%s tcId %d (%q, flags %v): invalid JWS passed the signature check; only its payload stopped it", c.name, v.TcID, v.Comment, v.Flags)
		}
	default:
		t.Fatalf("%s tcId %d: unexpected result %q", c.name, v.TcID, v.Result)
	}
	c.add(v.Result + ": " + outcome)
}

func wpAllSeen(t *testing.T, name string, deviations map[int]wpDeviation, seen map[int]bool) {
	t.Helper()
	for id := range deviations {
		require.Truef(t, seen[id], "%s: the deviation for tcId %d matches no vector", name, id)
	}
}

// wpControl proves the group's keys are imported right and that wpIsSignatureError recognises
// the validator's signature errors: a token issued with the private key validates with the
// verification key, and the same token with one signature bit flipped is refused for its
// signature.
func wpControl(t *testing.T, where string, signer, verifier *Key) {
	t.Helper()
	issuer, err := wpAuth(signer)
	require.NoError(t, err, where)
	pair, err := issuer.IssuePair(t.Context(), IntUserID(7), nil)
	require.NoError(t, err, where)
	checker, err := wpAuth(nil, verifier)
	require.NoError(t, err, where)
	tok, err := checker.Validate(t.Context(), pair.Access, TypeAccess)
	require.NoError(t, err, "%s: control token", where)
	require.Equal(t, "7", tok.UserID.String())

	i := strings.LastIndexByte(pair.Access, '.')
	sig, err := base64.RawURLEncoding.DecodeString(pair.Access[i+1:])
	require.NoError(t, err)
	sig[len(sig)/2] ^= 0x01
	_, err = checker.Validate(t.Context(), pair.Access[:i+1]+base64.RawURLEncoding.EncodeToString(sig), TypeAccess)
	require.Truef(t, wpIsSignatureError(err), "%s: a flipped signature bit was refused with %v", where, err)
}

// Why the suite differs from Wycheproof on the vectors below; docs/security.md lists them.
const (
	wpWhyEmptyPayload = "empty payload: a JWT payload is a JSON object (RFC 7519 section 7.2), " +
		"so the byte gate refuses an empty segment before decoding anything"
	wpWhyFigure20 = "RFC 7520 figure 20 is signed with PS384, the vector's JWK says alg PS256: a key is " +
		"bound to one algorithm and the header's alg must equal it (RFC 8725 section 3.1)"
	wpWhyES521 = `the vector's JWK says alg "ES521", which is no JOSE algorithm (ES512 is): unknown ` +
		"algorithm names are refused when the key is built"
	wpWhyUse = "jwtkit keys carry no use or key_ops and jwtkit has no JWK import: the application " +
		"builds keys from key material and decides what each is for, so a key it configures verifies"
	wpWhyZeroKey = "the group's HS256 key is 32 zero bytes, refused as weak (fewer than 8 distinct " +
		"bytes); its encoding vectors are run again with a strong key"
	wpWhyCountingKey = "the key counts up byte by byte (00 01 02 ... 40), refused as weak by the " +
		"estimated-entropy rule: anyone can write it down"
	wpWhyBadChar = "a character outside the base64url alphabet: the byte gate refuses the token before " +
		"decoding (RFC 7515 section 2 allows no other characters), where a lenient decoder skips it"
	wpWhyNotPadding = "Wycheproof's v1 file holds the very token of tcId 357 (valid) here: the padding " +
		"the comment names is missing, so with the group's own key the signature verifies"
	wpWhyMixedSet = "a key set mixing HMAC and EC keys: each key is bound to its algorithm and kid and the " +
		"header's alg must equal the selected key's, so a mixed set gives no algorithm confusion " +
		"(the confusion attack itself, tcId 31 of the JWS file, stops at key selection)"
	wpWhyROCA = "ROCA-weak RSA moduli (CVE-2017-15361) are not fingerprinted: keys are the " +
		"deployment's own, and core checks their size and exponent only"
)

// wpJWSDeviations: the JWS vectors where the suite deliberately differs from Wycheproof.
var wpJWSDeviations = map[int]wpDeviation{
	259: {wpShape, "", wpWhyEmptyPayload}, // RS256
	264: {wpShape, "", wpWhyEmptyPayload}, // RS384
	268: {wpShape, "", wpWhyEmptyPayload}, // RS512
	272: {wpShape, "", wpWhyEmptyPayload}, // PS256
	320: {wpShape, "", wpWhyEmptyPayload}, // PS384
	325: {wpShape, "", wpWhyEmptyPayload}, // PS512
	346: {wpSelection, "", wpWhyFigure20},
	350: {wpSelection, "", wpWhyFigure20},
	347: {wpKeyRefused, "ErrInvalidConfig", wpWhyES521},
	351: {wpKeyRefused, "ErrInvalidConfig", wpWhyES521},
	353: {wpClaims, "", wpWhyUse}, // use "enc", RSA
	354: {wpClaims, "", wpWhyUse}, // use "enc", EC
	355: {wpClaims, "", wpWhyUse}, // key_ops ["encrypt"], RSA
	356: {wpClaims, "", wpWhyUse}, // key_ops ["encrypt"], EC
	357: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
	358: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
	359: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
	372: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
	373: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
	376: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
	377: {wpKeyRefused, "ErrWeakKey", wpWhyZeroKey},
}

// wpBase64Deviations: the "base64" group run with a strong key in place of its zero key.
var wpBase64Deviations = map[int]wpDeviation{
	372: {wpShape, "", wpWhyBadChar}, // "?" inserted in the header
	373: {wpShape, "", wpWhyBadChar}, // "?" inserted in the payload
	367: {wpSignature, "", wpWhyNotPadding},
	370: {wpSignature, "", wpWhyNotPadding},
}

// wpJWKDeviations: the same for the key-set vectors.
var wpJWKDeviations = map[int]wpDeviation{
	1:  {wpClaims, "", wpWhyMixedSet},
	7:  {wpClaims, "", wpWhyROCA},
	21: {wpClaims, "", wpWhyUse},                       // use "enc"
	13: {wpKeyRefused, "ErrWeakKey", wpWhyCountingKey}, // HS256
	14: {wpKeyRefused, "ErrWeakKey", wpWhyCountingKey}, // HS384
	15: {wpKeyRefused, "ErrWeakKey", wpWhyCountingKey}, // HS512
}

func TestWycheproofJWS(t *testing.T) {
	const file = "json_web_signature_test.json"
	var f struct {
		TestGroups []struct {
			Comment string        `json:"comment"`
			Private *wpJWK        `json:"private"`
			Public  *wpJWK        `json:"public"`
			Tests   []wpJWSVector `json:"tests"`
		} `json:"testGroups"`
	}
	declared := wpLoad(t, file, &f)
	c := newWPTally(file)
	seen := map[int]bool{}
	controls, refusedSigners := 0, 0
	var base64Group []wpJWSVector
	var base64KID string
	for _, g := range f.TestGroups {
		jwk := g.Public
		if jwk == nil {
			jwk = g.Private
		}
		require.NotNil(t, jwk, "group %q has no key", g.Comment)
		switch signer, err := wpSigningKey(t, g.Private); {
		case err != nil:
			// Its vectors count the refusal (as key refused).
			require.ErrorIs(t, err, ErrInvalidConfig, "group %q", g.Comment)
			refusedSigners++
		case signer != nil:
			verifier, err := wpVerifyingKey(t, *jwk, signer.Algorithm())
			require.NoError(t, err)
			wpControl(t, fmt.Sprintf("%s group %q", file, g.Comment), signer, verifier)
			controls++
		}
		for _, v := range g.Tests {
			raw := v.token()
			where := fmt.Sprintf("%s tcId %d (%q)", file, v.TcID, v.Comment)
			k, err := wpVerifyingKey(t, *jwk, wpJWKAlg(*jwk, raw))
			stage, note := wpRun(t, where, raw, []*Key{k}, err)
			wpJudge(t, c, v, stage, note, wpJWSDeviations, seen)
		}
		if g.Comment == "base64" {
			base64Group = g.Tests
			base64KID = jwk.Kid
		}
	}
	c.done(t, declared)
	wpAllSeen(t, file, wpJWSDeviations, seen)
	t.Logf("%s: %d groups' keys issued a control token the validator accepted and refused with a flipped signature bit; "+
		"%d groups' private keys are refused, %d have no private key or no alg", file, controls, refusedSigners, len(f.TestGroups)-controls-refusedSigners)

	// The "base64" group's zero key is refused, so its encoding vectors are run again with a
	// strong key under the same kid. An invalid one must now be stopped by its encoding (shape
	// or encoding stage), not merely by the substituted key; a valid one reaches the signature,
	// which the other key refuses.
	require.NotEmpty(t, base64Group)
	strong := make([]byte, 32)
	for i := range strong {
		strong[i] = byte(7*i) ^ byte(i*i>>3) ^ 0x5c
	}
	k, err := NewHMACKey(HS256, strong, base64KID)
	require.NoError(t, err)
	c = newWPTally(file + ` group "base64" with a strong key`)
	seen = map[int]bool{}
	for _, v := range base64Group {
		where := fmt.Sprintf("%s tcId %d (%q), strong key", file, v.TcID, v.Comment)
		stage, _ := wpRun(t, where, v.token(), []*Key{k}, nil)
		if d, ok := wpBase64Deviations[v.TcID]; ok {
			seen[v.TcID] = true
			if stage != d.stage {
				t.Errorf("%s: stopped at %s, the recorded deviation says %s (%s)", where, stage, d.stage, d.why)
			}
			c.add(fmt.Sprintf("%s: %s [deviation]", v.Result, stage))
			continue
		}
		if want := []wpStage{wpShape, wpEncoding}; v.Result == "valid" && stage != wpSignature || v.Result == "invalid" && !slices.Contains(want, stage) {
			t.Errorf("%s: %s vector stopped at %s", where, v.Result, stage)
		}
		c.add(fmt.Sprintf("%s: %s", v.Result, stage))
	}
	c.done(t, len(base64Group))
	wpAllSeen(t, file, wpBase64Deviations, seen)
}

func TestWycheproofJWK(t *testing.T) {
	const file = "json_web_key_test.json"
	type keySet struct {
		Keys []wpJWK `json:"keys"`
	}
	var f struct {
		TestGroups []struct {
			Comment string        `json:"comment"`
			Private *keySet       `json:"private"`
			Public  *keySet       `json:"public"`
			Tests   []wpJWSVector `json:"tests"`
		} `json:"testGroups"`
	}
	declared := wpLoad(t, file, &f)
	c := newWPTally(file)
	seen := map[int]bool{}
	for _, g := range f.TestGroups {
		set := g.Public
		if set == nil {
			set = g.Private
		}
		require.NotNil(t, set, "group %q has no key set", g.Comment)
		for _, v := range g.Tests {
			raw := v.token()
			where := fmt.Sprintf("%s tcId %d (%q)", file, v.TcID, v.Comment)
			var keys []*Key
			var buildErr error
			for _, j := range set.Keys {
				k, err := wpVerifyingKey(t, j, wpJWKAlg(j, raw))
				if err != nil {
					buildErr = err
					break
				}
				keys = append(keys, k)
			}
			stage, note := wpRun(t, where, raw, keys, buildErr)
			wpJudge(t, c, v, stage, note, wpJWKDeviations, seen)
		}
	}
	c.done(t, declared)
	wpAllSeen(t, file, wpJWKDeviations, seen)
}

// wpPSSTokens issues a PS256 token with the PS256 key of the Wycheproof JWS vectors (to spare
// generating one) and re-signs it with several PSS salt lengths; the issued token's salt is 32
// bytes, the hash size.
func wpPSSTokens(t *testing.T) (key *Key, input string, sigs map[int][]byte) {
	t.Helper()
	var f struct {
		TestGroups []struct {
			Comment string `json:"comment"`
			Private *wpJWK `json:"private"`
		} `json:"testGroups"`
	}
	wpLoad(t, "json_web_signature_test.json", &f)
	for _, g := range f.TestGroups {
		if g.Comment == "ps256" {
			var err error
			key, err = wpSigningKey(t, g.Private)
			require.NoError(t, err)
			break
		}
	}
	require.NotNil(t, key)
	issuer, err := wpAuth(key)
	require.NoError(t, err)
	pair, err := issuer.IssuePair(t.Context(), IntUserID(7), nil)
	require.NoError(t, err)
	input = pair.Access[:strings.LastIndexByte(pair.Access, '.')]
	digest := sha256.Sum256([]byte(input))
	priv, ok := key.priv.(*rsa.PrivateKey)
	require.True(t, ok)
	sigs = map[int][]byte{}
	for _, salt := range []int{0, 20, 31, 32, 33, 64, rsa.PSSSaltLengthAuto} {
		sig, err := rsa.SignPSS(rand.Reader, priv, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: salt})
		require.NoError(t, err)
		require.NoError(t, jwt.SigningMethodPS256.Verify(input, sig, &priv.PublicKey), "golang-jwt's own PS256 takes every salt length")
		sigs[salt] = sig
	}
	return key, input, sigs
}

// TestPSSSaltLengthIsHashLength: the PS methods keys are bound to sign and verify with the salt
// as long as the hash (RFC 7518 section 3.5), under golang-jwt's names, and a PS256 key verifies
// only such signatures.
func TestPSSSaltLengthIsHashLength(t *testing.T) {
	for _, alg := range []Algorithm{PS256, PS384, PS512} {
		spec, err := specFor(alg)
		require.NoError(t, err)
		m, ok := spec.method.(*jwt.SigningMethodRSAPSS)
		require.True(t, ok)
		require.Equal(t, string(alg), m.Alg())
		require.Equal(t, rsa.PSSSaltLengthEqualsHash, m.Options.SaltLength)
		require.Equal(t, rsa.PSSSaltLengthEqualsHash, m.VerifyOptions.SaltLength)
	}
	key, input, sigs := wpPSSTokens(t)
	for salt, sig := range sigs {
		if err := key.Public().verify(input, sig); salt == 32 {
			require.NoError(t, err, "salt %d", salt)
		} else {
			require.Error(t, err, "salt %d verified", salt)
		}
	}
}

// TestPSSSaltLengthThroughValidator: the same through the validator, whose signature check is
// (*Key).verify.
func TestPSSSaltLengthThroughValidator(t *testing.T) {
	key, input, sigs := wpPSSTokens(t)
	checker, err := wpAuth(nil, key.Public())
	require.NoError(t, err)
	for salt, sig := range sigs {
		_, err := checker.Validate(t.Context(), input+"."+base64.RawURLEncoding.EncodeToString(sig), TypeAccess)
		if salt == 32 {
			require.NoError(t, err, "salt %d", salt)
		} else {
			require.Error(t, err, "salt %d validated", salt)
			require.True(t, wpIsSignatureError(err), "salt %d: %v", salt, err)
		}
	}
}
