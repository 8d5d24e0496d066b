package adaptertest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	_ "crypto/sha256" // crypto.SHA256 for HS256 and ES256
	_ "crypto/sha512" // crypto.SHA384 and crypto.SHA512 for HS384 and HS512
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"
)

// The hostile tokens of the attack table are built by hand, byte for byte, so that a case can
// hold what no JWT library would write (duplicate keys, quoted numbers, DER signatures) and so
// that every token is the same on every run: the table's servers run on a fixed clock.

var b64 = base64.RawURLEncoding

// tableNow is the attack table's clock, 2030-01-01T00:00:00Z, and tableLeeway its leeway.
const (
	tableNow    = 1893456000
	tableLeeway = 30
)

// hsHeader is the header the suite's own tokens carry.
const hsHeader = `{"alg":"HS256","typ":"JWT"}`

func num(n int64) string { return strconv.FormatInt(n, 10) }

// claims is a payload as an ordered list of members whose values are raw JSON, so a case can
// repeat a key, drop one or give it any spelling.
type claims [][2]string

// accessClaims are a valid access token's claims for the demo user at the table's clock.
func accessClaims() claims {
	return claims{
		{"token_type", `"access"`},
		{"exp", num(tableNow + 3600)},
		{"iat", num(tableNow - 60)},
		{"jti", `"a7f3c1d2e4b5968778695a4b3c2d1e0f"`},
		{"user_id", "1"},
	}
}

// set replaces the member key (every occurrence) or appends it.
func (c claims) set(key, raw string) claims {
	out, found := make(claims, 0, len(c)+1), false
	for _, m := range c {
		if m[0] == key {
			m[1], found = raw, true
		}
		out = append(out, m)
	}
	if !found {
		out = append(out, [2]string{key, raw})
	}
	return out
}

// add appends a member even when the key is already there.
func (c claims) add(key, raw string) claims {
	return append(append(claims(nil), c...), [2]string{key, raw})
}

// del drops every member key.
func (c claims) del(key string) claims {
	var out claims
	for _, m := range c {
		if m[0] != key {
			out = append(out, m)
		}
	}
	return out
}

func (c claims) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + m[0] + `":` + m[1])
	}
	b.WriteByte('}')
	return b.String()
}

// signingInput is the first two segments of a compact JWS.
func signingInput(header, payload string) string {
	return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
}

// hmacToken signs header.payload with HMAC over hash and key.
func hmacToken(hash crypto.Hash, key []byte, header, payload string) string {
	in := signingInput(header, payload)
	return in + "." + b64.EncodeToString(mac(hash, key, in))
}

func mac(hash crypto.Hash, key []byte, in string) []byte {
	m := hmac.New(hash.New, key)
	m.Write([]byte(in))
	return m.Sum(nil)
}

// hs is a token signed with the suite's own key: its signature is valid, so what the server
// answers is about the header and claims.
func hs(header, payload string) string { return hmacToken(crypto.SHA256, secret, header, payload) }

// suiteSigned reports whether tok is a compact JWS whose HS256 signature the suite's key made.
func suiteSigned(tok string) bool {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || strings.Count(tok, ".") != 2 {
		return false
	}
	sig, err := b64.DecodeString(tok[i+1:])
	if err != nil {
		return false
	}
	return hmac.Equal(sig, mac(crypto.SHA256, secret, tok[:i]))
}

// esKey is the ES256 key of the table's ES256 server, fixed so its tokens are too.
var esKey = mustRawECKey("1f6c2a9b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8")

// esAttacker is an ES256 key the server does not know.
var esAttacker = mustRawECKey("6b1d0c3e2f4a5b69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1")

func mustRawECKey(d string) *ecdsa.PrivateKey {
	raw, err := hex.DecodeString(d)
	if err != nil {
		panic(err)
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		panic(err)
	}
	return k
}

// esSignature signs header.payload with ES256 deterministically (RFC 6979) and returns the
// signing input and the signature's r and s.
func esSignature(k *ecdsa.PrivateKey, header, payload string) (in string, r, s *big.Int) {
	in = signingInput(header, payload)
	h := crypto.SHA256.New()
	h.Write([]byte(in))
	der, err := k.Sign(nil, h.Sum(nil), crypto.SHA256)
	if err != nil {
		panic(err)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		panic(err)
	}
	return in, sig.R, sig.S
}

// rs is the JWS (RFC 7518 §3.4) form of an ECDSA P-256 signature: r and s as 32 bytes each.
func rs(r, s *big.Int) string {
	var b [64]byte
	r.FillBytes(b[:32])
	s.FillBytes(b[32:])
	return b64.EncodeToString(b[:])
}

// es is a valid ES256 token.
func es(k *ecdsa.PrivateKey, header, payload string) string {
	in, r, s := esSignature(k, header, payload)
	return in + "." + rs(r, s)
}

// p256N is the order of the P-256 group: an r or s equal to it is out of range.
var p256N = elliptic.P256().Params().N
