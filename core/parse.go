package jwtkit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtkit/jwtkit/core/internal/jsonscan"
	"github.com/jwtkit/jwtkit/core/internal/jws"
)

// The validator's own parser. golang-jwt still does the cryptography ((*Key).verify calls the
// bound method's Verify, or the standard library's HMAC for HMAC keys); everything around it is
// here, in the order that keeps an attacker's work small: the byte gate, the header, the key
// choice, the signature, and only then the claims.

// strictBase64 refuses padding and non-zero trailing bits, so a token has one spelling.
var strictBase64 = base64.RawURLEncoding.Strict()

var (
	errNoKeyForKID = errors.New("no configured key for this kid and alg")
	errNoKeyForAlg = errors.New("no configured key for this alg")
)

// validity is what a successful parse learns beyond the Token: the key whose signature check
// admitted it, and the window in which its time claims hold (from is zero when no nbf or iat
// bounds it). The verified-token cache keeps it with the token.
type validity struct {
	key         *Key
	from, until time.Time
}

// parse checks a token's shape, header, signature, claims and time claims at now, and returns
// its registered claims. ctx bounds the wait for a remote key set's fetch. With refreshWindow set, a sliding token's refresh_exp stands in for exp
// (sliding refresh).
func (a *Auth) parse(ctx context.Context, raw string, refreshWindow bool, now time.Time) (*Token, validity, error) {
	var v validity
	if !wellFormed(raw, a.cfg.MaxTokenLength) {
		return nil, v, fmt.Errorf("%w: not a compact JWS of acceptable size", ErrTokenInvalid)
	}
	dot1 := strings.IndexByte(raw, '.')
	dot2 := dot1 + 1 + strings.IndexByte(raw[dot1+1:], '.')

	// Headers and signatures are small: they are decoded on the stack.
	var headerBuf [256]byte
	hb, err := decodeSegment(headerBuf[:0], raw[:dot1])
	if err != nil {
		return nil, v, fmt.Errorf("%w: header: %w", ErrTokenInvalid, err)
	}
	h, err := jws.ParseHeader(hb)
	if err != nil {
		return nil, v, fmt.Errorf("%w: header: %w", ErrTokenInvalid, err)
	}
	var sigBuf [512]byte // an RSA-4096 signature
	sig, err := decodeSegment(sigBuf[:0], raw[dot2+1:])
	if err != nil {
		return nil, v, fmt.Errorf("%w: signature: %w", ErrTokenInvalid, err)
	}
	if v.key, err = a.verifySignature(ctx, &h, raw[:dot2], sig); err != nil {
		return nil, v, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}

	// The payload outlives the call as the token's custom claims: it gets its own buffer.
	pb, err := decodeSegment(nil, raw[dot1+1:dot2])
	if err != nil {
		return nil, v, fmt.Errorf("%w: payload: %w", ErrTokenInvalid, err)
	}
	// encoding/json takes bytes that are not UTF-8 and reads them as U+FFFD, so two payloads
	// would read alike; PyJWT refuses them, and so does this parser.
	if !utf8.Valid(pb) || !json.Valid(pb) {
		return nil, v, fmt.Errorf("%w: payload is not valid JSON in UTF-8", ErrTokenInvalid)
	}
	c := claims{names: &a.names}
	if err := c.decode(jsonscan.TrimSpace(pb)); err != nil {
		return nil, v, fmt.Errorf("%w: payload: %w", ErrTokenInvalid, err)
	}
	if err := a.checkRegistered(&c, refreshWindow, now); err != nil {
		return nil, v, err
	}
	if c.exp.IsZero() { // the refresh-window view checks refresh_exp in place of exp; exp is still required
		return nil, v, fmt.Errorf("%w: no exp", ErrTokenInvalid)
	}
	tok := &Token{Type: TokenType(c.typ), ID: c.jti, UserID: c.userID, IssuedAt: c.iat, ExpiresAt: c.exp,
		RefreshExpiresAt: c.refreshEx, KeyID: v.key.kid, Family: c.family, payload: c.payload, pwHash: c.pwHash}
	switch {
	case !c.hasJTI || c.jti == "":
		return nil, v, ErrNoID
	case !c.hasType:
		return nil, v, ErrNoType
	case !a.typeKnown(tok.Type):
		return nil, v, fmt.Errorf("%w: %q", ErrWrongType, c.typ)
	case !c.hasUser:
		return nil, v, ErrNoUserID
	}
	v.until = c.exp.Add(a.cfg.Leeway)
	for _, t := range []time.Time{c.nbf, c.iat} {
		if !t.IsZero() && t.Add(-a.cfg.Leeway).After(v.from) {
			v.from = t.Add(-a.cfg.Leeway)
		}
	}
	return tok, v, nil
}

// checkRegistered applies the rules golang-jwt's Validator applied with exp required, iat
// checked and the leeway, with its exact comparisons (valid while now < exp+leeway, and from
// nbf-leeway and iat-leeway on), and its audience and issuer rules when those are configured.
// An expired token is ErrTokenExpired whatever else is wrong with it. The errors wrap
// golang-jwt's sentinels as its Validator's did.
func (a *Auth) checkRegistered(c *claims, refreshWindow bool, now time.Time) error {
	leeway := a.cfg.Leeway
	exp := c.exp
	// A token without refresh_exp is checked on its exp, so a wrong type at sliding refresh is
	// reported as a wrong type rather than as a missing claim.
	if refreshWindow && !c.refreshEx.IsZero() {
		exp = c.refreshEx
	}
	if !exp.IsZero() && !now.Before(exp.Add(leeway)) {
		return fmt.Errorf("%w: %w: %w", ErrTokenExpired, jwt.ErrTokenInvalidClaims, jwt.ErrTokenExpired)
	}
	var problem error
	switch {
	case exp.IsZero():
		problem = fmt.Errorf("exp claim is required: %w", jwt.ErrTokenRequiredClaimMissing)
	case !c.nbf.IsZero() && now.Before(c.nbf.Add(-leeway)):
		problem = jwt.ErrTokenNotValidYet
	case !c.iat.IsZero() && now.Before(c.iat.Add(-leeway)):
		problem = jwt.ErrTokenUsedBeforeIssued
	// For one expected audience: an absent or empty aud (or the single empty string) fails,
	// otherwise one member must equal it.
	case a.cfg.Audience != "" && !slices.Contains(c.aud, a.cfg.Audience):
		problem = jwt.ErrTokenInvalidAudience
	case a.cfg.Issuer != "" && c.iss != a.cfg.Issuer:
		problem = jwt.ErrTokenInvalidIssuer
	default:
		return nil
	}
	return fmt.Errorf("%w: %w: %w", ErrTokenInvalid, jwt.ErrTokenInvalidClaims, problem)
}

// verifySignature checks the signature with the key the header selects, as keys were always
// selected: a kid must name a configured key whose algorithm is alg; without kid, every key
// without one whose algorithm is alg is tried until one verifies. It returns that key. A
// signature that does not verify is golang-jwt's ErrTokenSignatureInvalid, as it was when
// golang-jwt's parser reported it. A kid that a remote key set could not be asked about is
// refused like an unknown kid, the reason riding along in the error's text.
func (a *Auth) verifySignature(ctx context.Context, h *jws.Header, signingInput string, sig []byte) (*Key, error) {
	if h.HasKID {
		k := a.byKID[string(h.KID)]
		if k == nil && a.remote != nil {
			// Only a kid the configuration did not name is looked up remotely, so a remote set
			// can never shadow a local key.
			var err error
			if k, err = a.remote.lookup(ctx, string(h.KID)); err != nil {
				return nil, fmt.Errorf("%w (%v)", errNoKeyForKID, err)
			}
		}
		if k == nil || string(k.alg) != string(h.Alg) {
			return nil, errNoKeyForKID
		}
		if err := k.verify(signingInput, sig); err != nil {
			return nil, fmt.Errorf("%w: %w", jwt.ErrTokenSignatureInvalid, err)
		}
		return k, nil
	}
	var err error
	for _, k := range a.noKID {
		if string(k.alg) != string(h.Alg) {
			continue
		}
		if err = k.verify(signingInput, sig); err == nil {
			return k, nil
		}
	}
	if err == nil {
		return nil, errNoKeyForAlg
	}
	return nil, fmt.Errorf("%w: %w", jwt.ErrTokenSignatureInvalid, err)
}

// decodeSegment appends the strict base64url decoding of seg to dst, which it reuses when it
// has the room.
func decodeSegment(dst []byte, seg string) ([]byte, error) {
	n := strictBase64.DecodedLen(len(seg))
	if cap(dst) < n {
		dst = make([]byte, 0, n)
	}
	return strictBase64.AppendDecode(dst[:0], []byte(seg))
}

// wellFormed is the gate before any decoding: the length cap, exactly three non-empty segments,
// and nothing but the base64url alphabet and the two dots (no padding, no whitespace, no CR/LF).
func wellFormed(raw string, maxLen int) bool {
	if len(raw) == 0 || len(raw) > maxLen {
		return false
	}
	dots, segLen := 0, 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '.':
			if segLen == 0 {
				return false
			}
			dots++
			segLen = 0
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			segLen++
		default:
			return false
		}
	}
	return dots == 2 && segLen > 0
}
