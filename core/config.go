package jwtkit

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Config holds every setting of an Auth. The zero value of each field means its documented
// default, which is simplejwt's default where simplejwt has the setting; docs/design.md maps
// every SIMPLE_JWT key to its field here.
type Config struct {
	// SigningKey signs every token this Auth issues, and verifies them. It must be able to sign
	// (a private or HMAC key). Its algorithm is the issuing algorithm (simplejwt's ALGORITHM),
	// and tokens carry its kid when it has one. Required, unless the Auth only verifies tokens
	// issued elsewhere: then VerifyingKeys or RemoteKeys holds their keys, and the endpoints that
	// issue tokens (obtain, refresh, sliding) are not served.
	SigningKey *Key
	// VerifyingKeys are accepted in addition to the signing key: keys being rotated out, or the
	// public keys of another issuer sharing this service's tokens. Optional.
	VerifyingKeys []*Key
	// RemoteKeys verifies tokens of another issuer by its JWKS URL (NewRemoteKeySet): a token
	// whose kid no configured key has is looked up in the set, which follows the issuer's
	// rotations, and a key the issuer removes stops verifying, even for cached tokens. Optional.
	RemoteKeys *RemoteKeySet

	// Store holds the revocation state (blacklist, log-out-everywhere cutoffs). Required.
	Store Store
	// StoreTimeout bounds every call core makes to the Store (and its RotationStore) and to the
	// LoginLimiter, whatever deadline the caller's context has or lacks: a store that accepts
	// connections and never answers costs a request at most this long, then the request is
	// ErrStoreUnavailable (the 503), never a pass. An earlier deadline of the caller's context
	// stays in force. It does not bound Users, which is the application's. Negative: no deadline
	// of core's own. A store that implements InProcessStore is never given one. Optional.
	// Default: DefaultStoreTimeout (2 s).
	StoreTimeout time.Duration
	// Users authenticates credentials at obtain and looks users up on protected routes and at
	// refresh. Required unless Stateless is set.
	Users Users
	// Stateless trusts a valid access token without looking the user up (simplejwt's
	// TokenUser): protected routes get a User built from the token. Optional. Default: false.
	Stateless bool
	// SkipUserActiveCheck turns off the is-active checks on protected routes and at refresh
	// (simplejwt's CHECK_USER_IS_ACTIVE, inverted so the zero value keeps the check on). Optional.
	SkipUserActiveCheck bool
	// CustomClaims, when set, returns the application's claims for a user at obtain; they ride
	// along in both tokens of a pair (and in sliding tokens). The value must marshal to a JSON
	// object whose keys are not claims the suite manages. Optional.
	CustomClaims func(ctx context.Context, user User) (any, error)

	// AccessTokenLifetime is the access token's exp - iat. Optional. Default: 5 minutes.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime is the refresh token's exp - iat. Optional. Default: 24 hours.
	RefreshTokenLifetime time.Duration
	// SlidingTokens turns on the sliding obtain and refresh endpoints. Optional. Default: false.
	SlidingTokens bool
	// SlidingTokenLifetime is the sliding token's exp - iat. Optional. Default: 5 minutes.
	SlidingTokenLifetime time.Duration
	// SlidingTokenRefreshLifetime is how long after obtain a sliding token may still be
	// refreshed (its refresh_exp claim). Optional. Default: 24 hours.
	SlidingTokenRefreshLifetime time.Duration
	// RotateRefreshTokens makes the refresh endpoint return a new refresh token too.
	// Optional. Default: false.
	RotateRefreshTokens bool
	// BlacklistAfterRotation revokes a refresh token when it is rotated, atomically in the
	// store: of concurrent refreshes with one token exactly one succeeds. Requires
	// RotateRefreshTokens. Optional. Default: false.
	BlacklistAfterRotation bool

	// Audience, when set, is written to the aud claim and required (exactly) on every token.
	// Optional.
	Audience string
	// Issuer, when set, is written to the iss claim and required (exactly) on every token.
	// Optional.
	Issuer string
	// Leeway is the clock skew tolerated on exp, nbf and iat. Optional. Default: 0.
	Leeway time.Duration

	// AuthHeaderName is the request header adapters read the token from. Optional.
	// Default: "Authorization".
	AuthHeaderName string
	// AuthHeaderTypes are the accepted schemes of that header. Optional. Default: ["Bearer"].
	AuthHeaderTypes []string
	// UserIDClaim names the claim holding the user id. Optional. Default: "user_id".
	UserIDClaim string
	// TokenTypeClaim names the claim holding the token type. Optional. Default: "token_type".
	TokenTypeClaim string
	// JTIClaim names the claim holding the token id. Optional. Default: "jti".
	JTIClaim string
	// SlidingRefreshExpClaim names a sliding token's refresh-expiry claim. Optional.
	// Default: "refresh_exp".
	SlidingRefreshExpClaim string
	// UsernameField names the obtain request's username field. Optional. Default: "username".
	UsernameField string

	// MaxTokenLength caps the token length accepted anywhere, checked before any decoding, so
	// an oversized token costs nothing to refuse. Optional. Default: 8192 bytes.
	MaxTokenLength int
	// MaxBodyBytes caps the request body the token endpoints read. Optional. Default: 64 KiB.
	MaxBodyBytes int64
	// TokenCacheSize is how many verified tokens are kept so that a token presented again,
	// byte for byte, skips signature and JSON work. Only tokens that passed a complete
	// validation enter; exp, the wanted type and the store's revocation answer are still checked
	// on every call, so caching changes no answer. The cache also holds at most TokenCacheSize
	// KiB of tokens and payloads, so large tokens take the room of several. 0: the default;
	// negative: off. Optional. Default: 10,000.
	TokenCacheSize int
	// ReuseDetection makes refresh tokens of one login a family (the FamilyClaim claim, carried
	// by every token minted from it): presenting a refresh token that was already rotated or
	// blacklisted revokes the whole family, newest refresh token and access tokens included, and
	// is ErrBlacklisted. It implies RotateRefreshTokens and BlacklistAfterRotation. Optional.
	// Default: false.
	ReuseDetection bool
	// ReuseGrace lets the same rotated refresh token be presented again within this long after
	// its rotation without tripping reuse detection (a client that lost the response): it gets
	// the answer the first rotation gave. Needs ReuseDetection and a Store that implements
	// RotationStore. Optional. Default: 0 (no grace).
	ReuseGrace time.Duration
	// FamilyClaim names the claim holding a token's family id under ReuseDetection. Optional.
	// Default: "family".
	FamilyClaim string

	// CheckRevokeToken writes a fingerprint of the user's password hash (User.PasswordHash) into
	// every token and refuses a token whose fingerprint no longer matches the user's (simplejwt's
	// CHECK_REVOKE_TOKEN): a password change revokes every token issued before it. It needs the
	// user lookup, so not with Stateless. Optional. Default: false.
	CheckRevokeToken bool
	// RevokeTokenClaim names that claim (simplejwt's REVOKE_TOKEN_CLAIM). Optional.
	// Default: "hash_password".
	RevokeTokenClaim string

	// Cookies puts the refresh token (and optionally the access token) in cookies, with a
	// double-submit CSRF defence. Optional. Default: off.
	Cookies CookieConfig

	// JWKSMaxAge is how long clients may cache the published JWKS (ServeJWKS's Cache-Control).
	// Optional. Default: 5 minutes.
	JWKSMaxAge time.Duration

	// LoginRate limits failed logins per username and per client address (429 with
	// Retry-After beyond it). Optional. Default: no limit.
	LoginRate Rate
	// TrustedProxies are the reverse proxies whose ForwardedForHeader is believed. A request
	// whose connection comes from one of them has its client address read from that header,
	// right to left past every trusted proxy; from any other peer the header is ignored, so a
	// client cannot choose the address LoginRate counts its failures against. The same rule on
	// every adapter, whatever the framework's own client-IP setting. Optional. Default: none,
	// the connection's address is the client's.
	TrustedProxies []netip.Prefix
	// ForwardedForHeader is the header TrustedProxies write the client chain into. Optional.
	// Default: "X-Forwarded-For".
	ForwardedForHeader string
	// LoginLimiter counts login attempts for LoginRate. Optional. Default: the Store, which
	// must then implement LoginLimiter (every store of the suite does, shared across replicas).
	LoginLimiter LoginLimiter

	// Audit receives security events (logins, refreshes, reuse, revocations) with the
	// request's context. Optional. Default: SlogAudit(slog.Default()); NoAudit turns it off.
	Audit func(ctx context.Context, e AuditEvent)

	// Clock returns the current time. Optional. Default: time.Now. Tests set it.
	Clock func() time.Time
}

// Defaults of Config, applied by New to zero-valued fields.
const (
	DefaultAccessTokenLifetime         = 5 * time.Minute
	DefaultRefreshTokenLifetime        = 24 * time.Hour
	DefaultSlidingTokenLifetime        = 5 * time.Minute
	DefaultSlidingTokenRefreshLifetime = 24 * time.Hour
	DefaultMaxTokenLength              = 8192
	DefaultMaxBodyBytes                = 64 << 10
	DefaultTokenCacheSize              = 10_000
	DefaultJWKSMaxAge                  = 5 * time.Minute
	// DefaultStoreTimeout is long enough for a store under load or across a region, yet turns
	// a hung store into the 503 well before a client or a proxy in front gives up.
	DefaultStoreTimeout = 2 * time.Second
)

// Rate is a number of events per period, as in "5 per minute".
type Rate struct {
	Limit int
	Per   time.Duration
}

func implementsRotation(s Store) bool {
	_, ok := s.(RotationStore)
	return ok
}

// withDefaults returns a copy of c with every zero field set to its default, or an error
// naming the first setting that cannot work.
func (c Config) withDefaults() (Config, error) {
	setDuration := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setString := func(s *string, def string) {
		if *s == "" {
			*s = def
		}
	}
	setDuration(&c.AccessTokenLifetime, DefaultAccessTokenLifetime)
	setDuration(&c.RefreshTokenLifetime, DefaultRefreshTokenLifetime)
	setDuration(&c.SlidingTokenLifetime, DefaultSlidingTokenLifetime)
	setDuration(&c.SlidingTokenRefreshLifetime, DefaultSlidingTokenRefreshLifetime)
	setString(&c.AuthHeaderName, "Authorization")
	setString(&c.UserIDClaim, "user_id")
	setString(&c.TokenTypeClaim, "token_type")
	setString(&c.JTIClaim, "jti")
	setString(&c.SlidingRefreshExpClaim, "refresh_exp")
	setString(&c.UsernameField, "username")
	setString(&c.ForwardedForHeader, "X-Forwarded-For")
	c.TrustedProxies = append([]netip.Prefix(nil), c.TrustedProxies...)
	if c.AuthHeaderTypes == nil {
		c.AuthHeaderTypes = []string{"Bearer"}
	} else {
		c.AuthHeaderTypes = append([]string(nil), c.AuthHeaderTypes...)
	}
	c.VerifyingKeys = append([]*Key(nil), c.VerifyingKeys...)
	if c.MaxTokenLength == 0 {
		c.MaxTokenLength = DefaultMaxTokenLength
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.TokenCacheSize == 0 {
		c.TokenCacheSize = DefaultTokenCacheSize
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.ReuseDetection {
		c.RotateRefreshTokens, c.BlacklistAfterRotation = true, true
		setString(&c.FamilyClaim, "family")
	}
	if c.CheckRevokeToken {
		setString(&c.RevokeTokenClaim, "hash_password")
	}
	setDuration(&c.JWKSMaxAge, DefaultJWKSMaxAge)
	setDuration(&c.StoreTimeout, DefaultStoreTimeout)
	c.Cookies = c.Cookies.withDefaults()
	if c.LoginRate.Limit > 0 && c.LoginLimiter == nil {
		c.LoginLimiter, _ = c.Store.(LoginLimiter)
	}
	if c.Audit == nil {
		c.Audit = defaultAudit
	}
	return c, c.validate()
}

// validate reports the first problem of a defaulted Config, checking in a fixed order: keys,
// stores, the settings that depend on each other, cookie mode, then names.
func (c *Config) validate() error {
	for _, check := range []func() string{c.keyProblem, c.settingProblem, c.lifetimeProblem, c.nameProblem} {
		if p := check(); p != "" {
			return fmt.Errorf("%w: %s", ErrInvalidConfig, p)
		}
	}
	return nil
}

// keyProblem checks the keys and the stores every Auth needs.
func (c *Config) keyProblem() string {
	switch {
	case c.SigningKey == nil && len(c.VerifyingKeys) == 0 && c.RemoteKeys == nil:
		return "SigningKey is required, or VerifyingKeys or RemoteKeys for an Auth that only verifies"
	case c.RemoteKeys != nil && c.RemoteKeys.current() == nil:
		return "RemoteKeys was not built by NewRemoteKeySet"
	case c.SigningKey != nil && c.SigningKey.signingMethod() == nil:
		return "SigningKey was not built by this package (use NewHMACKey, NewPrivateKey, ParsePEMKey or GenerateKey)"
	case c.SigningKey != nil && !c.SigningKey.CanSign():
		return fmt.Sprintf("SigningKey %q cannot sign: it is a public key", c.SigningKey.KeyID())
	case c.Store == nil:
		return "Store is required (use memstore.New() for a single process)"
	case c.Users == nil && !c.Stateless:
		return "Users is required unless Stateless is set"
	}
	return ""
}

// settingProblem checks the settings that are wrong on their own or together.
func (c *Config) settingProblem() string {
	switch {
	case c.BlacklistAfterRotation && !c.RotateRefreshTokens:
		return "BlacklistAfterRotation needs RotateRefreshTokens"
	case c.MaxTokenLength < 0 || c.MaxBodyBytes < 0:
		return "MaxTokenLength and MaxBodyBytes must not be negative"
	case c.Leeway < 0:
		return "Leeway must not be negative"
	case c.Leeway >= c.AccessTokenLifetime:
		return fmt.Sprintf("Leeway %v must be shorter than AccessTokenLifetime %v", c.Leeway, c.AccessTokenLifetime)
	case len(c.AuthHeaderTypes) == 0:
		return "AuthHeaderTypes must name at least one scheme"
	case c.ReuseGrace < 0:
		return "ReuseGrace must not be negative"
	case c.ReuseGrace > 0 && !c.ReuseDetection:
		return "ReuseGrace needs ReuseDetection"
	case c.ReuseGrace > 0 && !implementsRotation(c.Store):
		return "ReuseGrace needs a Store that implements RotationStore"
	case c.CheckRevokeToken && c.Stateless:
		return "CheckRevokeToken needs the user lookup, so not Stateless"
	case c.LoginRate.Limit < 0 || (c.LoginRate.Limit > 0 && c.LoginRate.Per <= 0):
		return "LoginRate needs a positive Limit and Per, e.g. jwtkit.Rate{Limit: 5, Per: time.Minute}"
	case c.LoginRate.Limit > 0 && c.LoginLimiter == nil:
		return "LoginRate needs a LoginLimiter, and the Store does not implement one"
	}
	for i, p := range c.TrustedProxies {
		if !p.IsValid() {
			return fmt.Sprintf("TrustedProxies[%d] is not a valid prefix (netip.MustParsePrefix(\"10.0.0.0/8\"))", i)
		}
	}
	if err := c.Cookies.validate(); err != nil {
		return err.Error()
	}
	return ""
}

// lifetimeProblem checks the token lifetimes, which are written as whole seconds: anything
// shorter would issue expired tokens.
func (c *Config) lifetimeProblem() string {
	for _, l := range []struct {
		name string
		d    time.Duration
	}{
		{"AccessTokenLifetime", c.AccessTokenLifetime},
		{"RefreshTokenLifetime", c.RefreshTokenLifetime},
		{"SlidingTokenLifetime", c.SlidingTokenLifetime},
		{"SlidingTokenRefreshLifetime", c.SlidingTokenRefreshLifetime},
	} {
		if l.d < time.Second {
			return fmt.Sprintf("%s must be at least one second, got %v", l.name, l.d)
		}
	}
	return ""
}

// nameProblem checks the header schemes, the claim names and the verifying keys' origin.
func (c *Config) nameProblem() string {
	for _, t := range c.AuthHeaderTypes {
		if t == "" || strings.ContainsAny(t, " \t\r\n") {
			return fmt.Sprintf("AuthHeaderTypes entry %q is not a single word", t)
		}
	}
	claims := []struct{ field, claim string }{
		{"UserIDClaim", c.UserIDClaim}, {"TokenTypeClaim", c.TokenTypeClaim}, {"JTIClaim", c.JTIClaim},
		{"SlidingRefreshExpClaim", c.SlidingRefreshExpClaim}, {"FamilyClaim", c.FamilyClaim},
		{"RevokeTokenClaim", c.RevokeTokenClaim},
	}
	for i, n := range claims {
		if n.claim == "" { // an optional claim whose feature is off
			continue
		}
		if isRegisteredJWTClaim(n.claim) {
			return fmt.Sprintf("%s %q collides with a registered JWT claim", n.field, n.claim)
		}
		for _, earlier := range claims[:i] {
			if earlier.claim == n.claim {
				return fmt.Sprintf("%s and %s both name the claim %q", n.field, earlier.field, n.claim)
			}
		}
	}
	for i, k := range c.VerifyingKeys {
		if k == nil || k.signingMethod() == nil {
			return fmt.Sprintf("VerifyingKeys[%d] is not a key built by this package", i)
		}
	}
	return ""
}

func isRegisteredJWTClaim(name string) bool {
	switch name {
	case "exp", "iat", "nbf", "aud", "iss":
		return true
	}
	return false
}
