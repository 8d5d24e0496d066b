package jwtkit

// The golang-jwt-based validation path as it was before core parsed tokens itself, kept
// verbatim (renamed) as the oracle of FuzzParseAgainstGolangJWT: the new parser must agree with
// it on every token, except where it is deliberately stricter (parse_test.go lists those).
// Everything it relies on that the new path changed is copied here too, so the oracle does not
// drift with the code it judges.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// oracle is the old parser and validator of an Auth, built as New built them.
type oracle struct {
	a         *Auth
	parser    *jwt.Parser
	validator *jwt.Validator
}

func newOracle(a *Auth) *oracle {
	var methods []string
	for _, k := range append(slices.Collect(maps.Values(a.byKID)), a.noKID...) {
		if alg := string(k.Algorithm()); !slices.Contains(methods, alg) {
			methods = append(methods, alg)
		}
	}
	opts := []jwt.ParserOption{
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(a.cfg.Leeway),
		jwt.WithTimeFunc(a.cfg.Clock),
	}
	if a.cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(a.cfg.Audience))
	}
	if a.cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(a.cfg.Issuer))
	}
	return &oracle{
		a:         a,
		validator: jwt.NewValidator(opts...),
		parser:    jwt.NewParser(jwt.WithValidMethods(methods), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding()),
	}
}

// keyFor is the old key selection.
func (o *oracle) keyFor(t *jwt.Token) (any, error) {
	a := o.a
	if _, ok := t.Header["crit"]; ok {
		return nil, errors.New("crit header parameters are not supported")
	}
	alg := t.Method.Alg()
	if v, ok := t.Header["kid"]; ok {
		kid, isString := v.(string)
		k := a.byKID[kid]
		if !isString || k == nil || string(k.Algorithm()) != alg {
			return nil, errors.New("no configured key for this kid and alg")
		}
		return k.verifyKey(), nil
	}
	var set jwt.VerificationKeySet
	for _, k := range a.noKID {
		if string(k.Algorithm()) == alg {
			set.Keys = append(set.Keys, k.verifyKey())
		}
	}
	switch len(set.Keys) {
	case 0:
		return nil, errors.New("no configured key for this alg")
	case 1:
		return set.Keys[0], nil
	}
	return set, nil
}

// parse is the old (*Auth).parse.
func (o *oracle) parse(raw string, refreshWindow bool) (*Token, error) {
	a := o.a
	if !wellFormed(raw, a.cfg.MaxTokenLength) {
		return nil, fmt.Errorf("%w: not a compact JWS of acceptable size", ErrTokenInvalid)
	}
	c := &oldClaims{names: &a.names}
	t, err := o.parser.ParseWithClaims(raw, c, o.keyFor)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	var toCheck jwt.Claims = c
	if refreshWindow && c.refreshEx != nil {
		toCheck = oldSlidingRefreshClaims{c}
	}
	if err := o.validator.Validate(toCheck); err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, fmt.Errorf("%w: %w", ErrTokenExpired, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	if c.exp == nil {
		return nil, fmt.Errorf("%w: no exp", ErrTokenInvalid)
	}
	tok := &Token{Type: TokenType(c.typ), ID: c.jti, UserID: c.userID, ExpiresAt: c.exp.Time, payload: c.payload}
	if c.iat != nil {
		tok.IssuedAt = c.iat.Time
	}
	if c.refreshEx != nil {
		tok.RefreshExpiresAt = c.refreshEx.Time
	}
	if kid, ok := t.Header["kid"].(string); ok {
		tok.KeyID = kid
	}
	switch {
	case !c.hasJTI || c.jti == "":
		return nil, ErrNoID
	case !c.hasType:
		return nil, ErrNoType
	case !a.typeKnown(tok.Type):
		return nil, fmt.Errorf("%w: %q", ErrWrongType, c.typ)
	case !c.hasUser:
		return nil, ErrNoUserID
	}
	return tok, nil
}

// oldClaims is the old claims type, a jwt.Claims decoded by json.Unmarshal.
type oldClaims struct {
	names *claimNames

	typ, jti, iss            string
	hasType, hasJTI, hasUser bool
	userID                   UserID
	exp, iat, nbf, refreshEx *jwt.NumericDate
	aud                      jwt.ClaimStrings
	payload                  []byte
}

func (c *oldClaims) UnmarshalJSON(data []byte) error {
	c.payload = bytes.Clone(data)
	var buf [16][]byte
	seen := buf[:0]
	var many map[string]struct{}
	return oldForEachMember(data, func(key, raw []byte) error {
		dup := false
		if many != nil {
			_, dup = many[string(key)]
			many[string(key)] = struct{}{}
		} else {
			for _, k := range seen {
				dup = dup || bytes.Equal(k, key)
			}
			if seen = append(seen, key); len(seen) == len(buf) {
				many = make(map[string]struct{}, 2*len(buf))
				for _, k := range seen {
					many[string(k)] = struct{}{}
				}
			}
		}
		if dup {
			return fmt.Errorf("%w %q", errDuplicateClaim, key)
		}
		if err := c.set(string(key), raw); err != nil {
			return fmt.Errorf("claim %q: %w", key, err)
		}
		return nil
	})
}

func (c *oldClaims) set(key string, raw []byte) error {
	var err error
	switch key {
	case c.names.typ:
		c.hasType = true
		c.typ, err = oldJSONString(raw)
	case c.names.jti:
		c.hasJTI = true
		c.jti, err = oldJSONString(raw)
	case c.names.userID:
		c.hasUser = c.userID.UnmarshalJSON(raw) == nil
	case c.names.refreshExp:
		c.refreshEx, err = oldNumericDate(raw)
	case "exp":
		c.exp, err = oldNumericDate(raw)
	case "iat":
		c.iat, err = oldNumericDate(raw)
	case "nbf":
		c.nbf, err = oldNumericDate(raw)
	case "iss":
		c.iss, err = oldJSONString(raw)
	case "aud":
		err = json.Unmarshal(raw, &c.aud)
	}
	return err
}

func oldJSONString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

func oldForEachMember(data []byte, fn func(key, raw []byte) error) error {
	i := oldSkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errors.New("claims are not a JSON object")
	}
	i = oldSkipSpace(data, i+1)
	for i < len(data) && data[i] != '}' {
		end := oldSkipValue(data, i)
		key := data[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 || !oldIsASCII(key) {
			var s string
			if err := json.Unmarshal(data[i:end], &s); err != nil {
				return err
			}
			key = []byte(s)
		}
		i = oldSkipSpace(data, end)
		i = oldSkipSpace(data, i+1)
		end = oldSkipValue(data, i)
		if err := fn(key, data[i:end]); err != nil {
			return err
		}
		i = oldSkipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = oldSkipSpace(data, i+1)
		}
	}
	return nil
}

func oldIsASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func oldSkipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func oldSkipValue(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

func oldNumericDate(raw json.RawMessage) (*jwt.NumericDate, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return nil, errors.New("not a number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return nil, errors.New("not a time in range")
	}
	sec, frac := math.Modf(f)
	return jwt.NewNumericDate(time.Unix(int64(sec), int64(frac*1e9))), nil
}

func (c *oldClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.exp, nil }
func (c *oldClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.iat, nil }
func (c *oldClaims) GetNotBefore() (*jwt.NumericDate, error)      { return c.nbf, nil }
func (c *oldClaims) GetIssuer() (string, error)                   { return c.iss, nil }
func (c *oldClaims) GetSubject() (string, error)                  { return "", nil }
func (c *oldClaims) GetAudience() (jwt.ClaimStrings, error)       { return c.aud, nil }

type oldSlidingRefreshClaims struct{ *oldClaims }

func (c oldSlidingRefreshClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return c.refreshEx, nil
}
