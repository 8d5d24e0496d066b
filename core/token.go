package jwtkit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtkit/jwtkit/core/internal/jsonscan"
)

// TokenType is the value of the token-type claim.
type TokenType string

// The token types of the wire contract. TypeAny is accepted only where the contract takes any
// type (the verify endpoint).
const (
	TypeAccess  TokenType = "access"
	TypeRefresh TokenType = "refresh"
	TypeSliding TokenType = "sliding"
	TypeAny     TokenType = ""
)

// Token is a validated token's registered claims plus its payload for custom claims.
type Token struct {
	Type      TokenType
	ID        string // the jti claim
	UserID    UserID
	IssuedAt  time.Time
	ExpiresAt time.Time
	// RefreshExpiresAt is a sliding token's refresh_exp; zero for other types.
	RefreshExpiresAt time.Time
	// KeyID is the kid of the header, empty when the token has none.
	KeyID string
	// Family is the login the token descends from under Config.ReuseDetection; empty without.
	Family string

	payload []byte
	// pwHash is the password fingerprint claim under Config.CheckRevokeToken.
	pwHash string
}

// CustomClaims decodes a token's payload into the application's claims type C, typically a
// struct with json tags. Registered claims decode too if C has fields for them.
func CustomClaims[C any](t *Token) (C, error) {
	var c C
	if t == nil {
		return c, fmt.Errorf("%w: no token", ErrTokenInvalid)
	}
	err := json.Unmarshal(t.payload, &c)
	return c, err
}

// ClaimsOf decodes the custom claims of an authenticated identity's token into C. A nil
// identity (an anonymous request through optional middleware) is ErrNoCredentials.
func ClaimsOf[C any](id *Identity) (C, error) {
	if id == nil {
		var zero C
		return zero, ErrNoCredentials
	}
	return CustomClaims[C](id.Token)
}

// ref is what the store needs to know about t.
func (t *Token) ref() TokenRef {
	return TokenRef{JTI: t.ID, UserID: t.UserID.Key(), Family: t.Family, IssuedAt: t.IssuedAt}
}

// claimNames are the configured names of the claims the suite manages.
type claimNames struct {
	typ, jti, userID, refreshExp string
	// family and pwHash are "" while their feature is off: then they are not reserved, and
	// custom claims of those names pass through as before.
	family, pwHash string
}

// reserved reports whether a custom claim named name would collide with a managed claim.
func (n *claimNames) reserved(name string) bool {
	return isRegisteredJWTClaim(name) || name == n.typ || name == n.jti || name == n.userID || name == n.refreshExp ||
		(name != "" && (name == n.family || name == n.pwHash))
}

// claims are a payload's registered and managed claims, decoded in one pass that refuses
// duplicate keys (two parsers could otherwise disagree on a claim).
type claims struct {
	names *claimNames

	typ, jti, iss            string
	family, pwHash           string
	hasType, hasJTI, hasUser bool
	userID                   UserID
	// exp, iat, nbf and refreshEx are the zero Time when absent: a NumericDate never is, its
	// smallest value being 1970.
	exp, iat, nbf, refreshEx time.Time
	aud                      jwt.ClaimStrings
	payload                  []byte
}

var errDuplicateClaim = errors.New("duplicate claim")

// decode walks the top-level members of data, which must be valid JSON, and keeps data (not a
// copy) as the payload.
func (c *claims) decode(data []byte) error {
	c.payload = data
	var seen jsonscan.KeySet
	it := jsonscan.NewMembers(data)
	for {
		key, raw, ok, err := it.Next()
		if err != nil || !ok {
			return err
		}
		if seen.Add(&it, key) {
			return fmt.Errorf("%w %q", errDuplicateClaim, key)
		}
		if err := c.set(key, raw); err != nil {
			return fmt.Errorf("claim %q: %w", key, err)
		}
	}
}

func (c *claims) set(key, raw []byte) error {
	var err error
	switch string(key) {
	case c.names.typ:
		c.hasType = true
		c.typ, err = tokenTypeString(raw)
	case c.names.jti:
		c.hasJTI = true
		c.jti, err = jsonscan.String(raw)
	case c.names.userID:
		// An unusable id is reported as ErrNoUserID after the signature is checked, not as a
		// parse failure.
		c.hasUser = c.userID.UnmarshalJSON(raw) == nil
	case c.names.refreshExp:
		c.refreshEx, err = numericDate(raw)
	case c.names.family:
		if c.names.family != "" {
			c.family, err = jsonscan.String(raw)
		}
	case c.names.pwHash:
		if c.names.pwHash != "" {
			c.pwHash, err = jsonscan.String(raw)
		}
	case "exp":
		c.exp, err = numericDate(raw)
	case "iat":
		c.iat, err = numericDate(raw)
	case "nbf":
		c.nbf, err = numericDate(raw)
	case "iss":
		c.iss, err = jsonscan.String(raw)
	case "aud":
		if s, ok := jsonscan.PlainString(raw); ok {
			c.aud = jwt.ClaimStrings{string(s)}
		} else {
			err = json.Unmarshal(raw, &c.aud)
		}
	}
	return err
}

// tokenTypeString is jsonscan.String that returns the known token types without allocating.
func tokenTypeString(raw []byte) (string, error) {
	switch string(raw) {
	case `"access"`:
		return string(TypeAccess), nil
	case `"refresh"`:
		return string(TypeRefresh), nil
	case `"sliding"`:
		return string(TypeSliding), nil
	}
	return jsonscan.String(raw)
}

// maxNumericDate is 9999-12-31T23:59:59Z: later dates are not times a token can mean, and
// converting them would overflow.
const maxNumericDate = 253402300799

// numericDate parses a JSON NumericDate strictly: a finite, non-negative number in range. A
// quoted number, null or anything else fails. Fractions are dropped, as golang-jwt's
// NumericDate does at its default precision of one second.
func numericDate(raw []byte) (time.Time, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return time.Time{}, errors.New("not a number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, errors.New("not a time in range")
	}
	return time.Unix(int64(f), 0), nil
}

// newJTI returns 32 lowercase hex characters of randomness, the shape of simplejwt's uuid4 hex.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// payload is a token's claims in simplejwt's order: token_type, exp, iat, jti, user_id, then
// refresh_exp, aud and iss when they apply, then custom claims sorted by name.
type payload struct {
	names      *claimNames
	typ        TokenType
	exp, iat   int64
	jti        string
	userID     UserID
	refreshExp int64
	aud, iss   string
	pwHash     string // CheckRevokeToken's fingerprint, "" when off
	family     string // ReuseDetection's family id, "" when off
	custom     map[string]json.RawMessage
}

func (p *payload) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	// json.Marshal of a string cannot fail.
	str := func(s string) []byte { v, _ := json.Marshal(s); return v }
	field := func(name string, value []byte) {
		if len(b) == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(b, str(name)...)
		b = append(b, ':')
		b = append(b, value...)
	}
	field(p.names.typ, str(string(p.typ)))
	field("exp", strconv.AppendInt(nil, p.exp, 10))
	field("iat", strconv.AppendInt(nil, p.iat, 10))
	field(p.names.jti, str(p.jti))
	uid, err := p.userID.MarshalJSON()
	if err != nil {
		return nil, err
	}
	field(p.names.userID, uid)
	if p.refreshExp != 0 {
		field(p.names.refreshExp, strconv.AppendInt(nil, p.refreshExp, 10))
	}
	if p.pwHash != "" {
		field(p.names.pwHash, str(p.pwHash))
	}
	if p.family != "" {
		field(p.names.family, str(p.family))
	}
	if p.aud != "" {
		field("aud", str(p.aud))
	}
	if p.iss != "" {
		field("iss", str(p.iss))
	}
	keys := make([]string, 0, len(p.custom))
	for k := range p.custom {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		field(k, p.custom[k])
	}
	return append(b, '}'), nil
}

// customFrom turns the application's claims value into JSON members, refusing reserved names.
func (n *claimNames) customFrom(v any) (map[string]json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("jwtkit: custom claims: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("jwtkit: custom claims must marshal to a JSON object: %w", err)
	}
	for k := range m {
		if n.reserved(k) {
			return nil, fmt.Errorf("%w: %q", ErrReservedClaim, k)
		}
	}
	return m, nil
}

// customOf returns the custom claims of a validated payload: every member that is not a
// claim the suite manages (so not token_type, exp, iat, jti, user_id, refresh_exp, aud, iss,
// nbf). This is the refresh-to-access copy rule.
func (n *claimNames) customOf(payload []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, err
	}
	for k := range m {
		if n.reserved(k) {
			delete(m, k)
		}
	}
	return m, nil
}
