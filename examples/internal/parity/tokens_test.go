package parity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"time"
)

// token is one token of the pool the generator draws from.
type token struct {
	raw string
	jti string
	typ string // its token_type claim, "" when it has none
	// from says who made it: "simplejwt", "jwtkit" (issued by a server), "signed" (signed here
	// with the shared key, as a simplejwt server would have issued it) or "crafted" (signed
	// here with claims or a spelling no simplejwt server issues).
	from string
	// strict is why jwtkit may refuse this token where simplejwt accepts it (the deviation
	// "strict-tokens"), "" for a token either server must judge alike.
	strict string
}

var b64 = base64.RawURLEncoding

// sign makes an HS256 token of header and claims with key, as PyJWT lays it out.
func sign(key string, header, claims any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(input))
	return input + "." + b64.EncodeToString(mac.Sum(nil))
}

func newJTI(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return hex.EncodeToString(b[:])
}

// claimsOf decodes a token's payload, or nil when it has none that decodes.
func claimsOf(raw string) map[string]any {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil
	}
	p, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(p, &m) != nil {
		return nil
	}
	return m
}

// issued is the pool entry of a token a server answered with.
func issued(raw, from string) token {
	c := claimsOf(raw)
	t := token{raw: raw, from: from}
	t.jti, _ = c["jti"].(string)
	t.typ, _ = c["token_type"].(string)
	return t
}

// craft signs a token of type typ for user 1 with the shared key, then applies one variation
// (chosen by rng): most are tokens a simplejwt server issues or must refuse alike, some are
// claim sets only a forger makes (strict).
func craft(rng *rand.Rand, key string, now time.Time) token {
	typ := []string{"access", "refresh", "sliding"}[rng.IntN(3)]
	iat := now.Unix()
	c := map[string]any{"token_type": typ, "exp": iat + 300, "iat": iat, "jti": newJTI(rng), "user_id": 1}
	if typ == "refresh" {
		c["exp"] = iat + 86400
	}
	if typ == "sliding" {
		c["refresh_exp"] = iat + 86400
	}
	h := map[string]any{"alg": "HS256", "typ": "JWT"}
	signKey := key
	t := token{from: "signed"}
	switch rng.IntN(16) {
	case 0:
		c["exp"] = iat - 30 // expired
	case 1:
		c["user_id"] = 2 // inactive
	case 2:
		c["user_id"] = 999 // no such user
	case 3:
		c["user_id"] = "1" // a string id: both spellings are the contract's
	case 4:
		signKey = "another-key-entirely-0123456789abcdef" // a forged signature
	case 5:
		h["alg"] = "none"
	case 6:
		delete(c, "token_type")
		t.from, t.strict = "crafted", "no token_type claim"
	case 7:
		c["token_type"] = "foo"
		t.from, t.strict = "crafted", "an unknown token_type"
	case 8:
		delete(c, "user_id")
		t.from, t.strict = "crafted", "no user_id claim"
	case 9:
		c["user_id"] = []any{1.5, "01", true, nil, map[string]any{}}[rng.IntN(5)]
		t.from, t.strict = "crafted", "a user_id that is not an integer or its decimal string"
	case 10:
		h["kid"] = "unknown"
		t.from, t.strict = "crafted", "a kid that names no configured key"
	case 11:
		c["iat"] = iat + 3600
		t.from, t.strict = "crafted", "iat in the future"
	case 12:
		delete(c, "jti") // "Token has no id" on both sides
	}
	t.raw = sign(signKey, h, c)
	t.jti, _ = c["jti"].(string)
	t.typ, _ = c["token_type"].(string)
	return t
}

// mutate changes a pool token's spelling. A change that breaks the signature or the shape is
// refused by both servers; a change PyJWT's lenient base64 reads back to the same bytes (padding,
// the standard alphabet, a stray character in the signature, its last character's unused bits)
// is refused only by jwtkit's one-spelling rule (strict).
func mutate(rng *rand.Rand, t token) token {
	m := token{jti: t.jti, typ: t.typ, from: t.from, strict: t.strict}
	raw := t.raw
	dot := strings.LastIndexByte(raw, '.')
	switch rng.IntN(8) {
	case 0: // a signature character changed mid-segment
		i := dot + 1 + (len(raw)-dot-1)/2
		c := byte('A')
		if raw[i] == 'A' {
			c = 'B'
		}
		m.raw = raw[:i] + string(c) + raw[i+1:]
	case 1:
		m.raw = raw[:len(raw)-rng.IntN(10)-1]
	case 2:
		m.raw = raw + ".e30"
	case 3:
		m.raw = raw + "="
		m.strict = "a padded signature segment"
	case 4:
		m.raw = raw[:dot+1] + "\n" + raw[dot+1:]
		m.strict = "a line break inside the token"
	case 5:
		m.raw = raw[:dot+4] + "*" + raw[dot+4:]
		m.strict = "a character outside base64url in the signature"
	case 6:
		m.raw = strings.ToUpper(raw[:1]) + raw[1:] + " x"
	default:
		// The last of 43 characters carries 2 unused bits: flip one of them.
		last := strings.IndexByte(alphabet, raw[len(raw)-1])
		m.raw = raw[:len(raw)-1] + string(alphabet[last^1])
		m.strict = "unused bits set in the signature's last character"
	}
	if m.strict != "" {
		m.from = "crafted"
	}
	return m
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
