package jwtkit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jwtkit/jwtkit/core/internal/tokencache"
)

// Auth issues, validates, refreshes and revokes tokens, and serves the token endpoints. Build
// one with New; it is immutable afterwards and safe for concurrent use.
type Auth struct {
	cfg   Config
	names claimNames

	signer       *Key
	signerHeader string // base64url of the signing key's JOSE header, computed once
	byKID        map[string]*Key
	noKID        []*Key

	remote keySource // Config.RemoteKeys, nil when not set

	cache          *tokenCache // nil when Config.TokenCacheSize is negative
	protectedTypes []TokenType // the token types a protected route accepts

	jwks       []byte             // the published JWKS document, nil without public keys
	protected  map[error]Response // precomputed protected-route error answers
	maxRevoked time.Duration      // how long a log-out-everywhere cutoff must be kept

	// The deadline of each call to the Store and to the LoginLimiter, 0 for none (storeCtx).
	storeTimeout, limiterTimeout time.Duration
}

// New checks cfg, applies its defaults and returns a ready Auth. A configuration that cannot
// work is an error wrapping ErrInvalidConfig (or ErrWeakKey), never a panic.
func New(cfg Config) (*Auth, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Auth{
		cfg: cfg,
		names: claimNames{typ: cfg.TokenTypeClaim, jti: cfg.JTIClaim, userID: cfg.UserIDClaim, refreshExp: cfg.SlidingRefreshExpClaim,
			family: cfg.FamilyClaim, pwHash: cfg.RevokeTokenClaim},
		signer: cfg.SigningKey,
		byKID:  map[string]*Key{},
	}
	if cfg.RemoteKeys != nil { // a nil *RemoteKeySet in the interface would not be nil
		a.remote = cfg.RemoteKeys
	}
	keys := cfg.VerifyingKeys
	if cfg.SigningKey != nil {
		keys = append([]*Key{cfg.SigningKey.Public()}, keys...)
	}
	for _, k := range keys {
		if kid := k.KeyID(); kid == "" {
			a.noKID = append(a.noKID, k)
		} else if _, dup := a.byKID[kid]; dup {
			return nil, fmt.Errorf("%w: two keys share the kid %q", ErrInvalidConfig, kid)
		} else {
			a.byKID[kid] = k
		}
	}
	if cfg.SigningKey != nil {
		header := map[string]string{"alg": string(cfg.SigningKey.Algorithm()), "typ": "JWT"}
		if kid := cfg.SigningKey.KeyID(); kid != "" {
			header["kid"] = kid
		}
		hb, _ := json.Marshal(header) // a map of strings always marshals; keys come out sorted, as PyJWT writes them
		a.signerHeader = base64.RawURLEncoding.EncodeToString(hb)
	}

	a.jwks = publicJWKS(keys)
	if cfg.TokenCacheSize > 0 {
		a.cache = tokencache.New[cachedToken](cfg.TokenCacheSize)
	}
	a.protectedTypes = []TokenType{TypeAccess}
	if cfg.SlidingTokens {
		a.protectedTypes = append(a.protectedTypes, TypeSliding)
	}

	a.maxRevoked = max(cfg.AccessTokenLifetime, cfg.RefreshTokenLifetime, cfg.SlidingTokenLifetime, cfg.SlidingTokenRefreshLifetime) + cfg.Leeway
	a.protected = a.protectedResponses()
	a.storeTimeout = storeDeadline(cfg.StoreTimeout, cfg.Store)
	a.limiterTimeout = storeDeadline(cfg.StoreTimeout, cfg.LoginLimiter)
	return a, nil
}

// Config returns the settings in force, defaults applied.
func (a *Auth) Config() Config { return a.cfg }

func (a *Auth) now() time.Time { return a.cfg.Clock() }

func (a *Auth) typeKnown(t TokenType) bool {
	return t == TypeAccess || t == TypeRefresh || t == TypeSliding
}

// Validate checks a token completely: shape, signature, time claims, jti, type (want, or any
// known type for TypeAny), user id, and revocation through the store. A store that cannot
// answer is ErrStoreUnavailable: validation never passes without the store's word.
func (a *Auth) Validate(ctx context.Context, raw string, want TokenType) (*Token, error) {
	tok, err := a.validate(ctx, raw, want)
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// validate is Validate for core's own callers: a revoked token comes back with ErrBlacklisted
// and the token itself, so reuse detection knows which family it belongs to; every other error
// comes with a nil token.
func (a *Auth) validate(ctx context.Context, raw string, want TokenType) (*Token, error) {
	return a.validateAs(ctx, raw, []TokenType{want}, validation{})
}

// validation is how validateAs checks a token beyond what every check does. The accepted types
// are a parameter of their own: dst leaks to the result, and a slice beside it in one struct
// would be moved to the heap with it.
type validation struct {
	// refreshWindow checks a sliding token against its refresh window (refresh_exp) instead
	// of its exp.
	refreshWindow bool
	// dst, when not nil, receives the token (a caller that allocates it with other things saves
	// an allocation).
	dst *Token
}

// validateAs is validate for any of the types in want (TypeAny among them accepts every known
// type), with the options of v.
func (a *Auth) validateAs(ctx context.Context, raw string, want []TokenType, v validation) (*Token, error) {
	now := a.now()
	cache := a.cache
	if v.refreshWindow { // entries were checked against exp, not against the refresh window
		cache = nil
	}
	var tok *Token
	var hash uint64
	if cache != nil {
		hash = cache.Hash(raw)
		if e := cache.Get(hash, raw); e != nil {
			if e.Current(now) && (!e.Value.key.remote || a.remote.holds(ctx, e.Value.key)) {
				if v.dst == nil {
					v.dst = new(Token)
				}
				*v.dst = e.Value.tok // a copy: the caller may change the exported fields
				tok = v.dst
			} else {
				cache.Drop(e) // expired or its remote key is gone: the parse below gives the exact error
			}
		}
	}
	fresh := tok == nil
	var valid validity
	if fresh {
		var err error
		if tok, valid, err = a.parse(ctx, raw, v.refreshWindow, now); err != nil {
			return nil, err
		}
		if v.dst != nil {
			*v.dst = *tok
			tok = v.dst
		}
	}
	if !slices.Contains(want, TypeAny) && !slices.Contains(want, tok.Type) {
		return nil, fmt.Errorf("%w: %q", ErrWrongType, tok.Type)
	}
	sctx, cancel := a.storeCtx(ctx)
	revoked, err := a.cfg.Store.Revoked(sctx, tok.ref())
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	if revoked {
		return tok, ErrBlacklisted
	}
	if fresh && cache != nil {
		cache.Put(hash, raw, cachedToken{tok: *tok, key: valid.key}, len(tok.payload), valid.from, valid.until, now)
	}
	return tok, nil
}

// Pair is an access token and the refresh token that renews it: what IssuePair and a login
// mint, and what Refresh returns, whose Refresh is empty when RotateRefreshTokens is off.
type Pair struct {
	Access  string
	Refresh string
}

// IssuePair mints an access/refresh pair for a user. custom, when not nil, must marshal to a
// JSON object; its members ride along in both tokens.
func (a *Auth) IssuePair(ctx context.Context, id UserID, custom any) (Pair, error) {
	members, err := a.names.customFrom(custom)
	if err != nil {
		return Pair{}, err
	}
	g := grant{user: id, custom: members, family: a.newFamily()}
	if a.cfg.CheckRevokeToken {
		u, err := a.lookup(ctx, id)
		if err != nil {
			return Pair{}, err
		}
		g.pwHash = passwordFingerprint(u)
	}
	return a.pair(g)
}

// grant is what every token minted for one user carries besides its own type, times and id.
type grant struct {
	user   UserID
	custom map[string]json.RawMessage
	family string // ReuseDetection's family id, "" when off
	pwHash string // CheckRevokeToken's fingerprint, "" when off
}

// grantFor is the grant of a login by u.
func (a *Auth) grantFor(u User, custom map[string]json.RawMessage) grant {
	g := grant{user: u.ID, custom: custom, family: a.newFamily()}
	if a.cfg.CheckRevokeToken {
		g.pwHash = passwordFingerprint(u)
	}
	return g
}

// newFamily starts a token family for a login, when reuse detection is on.
func (a *Auth) newFamily() string {
	if !a.cfg.ReuseDetection {
		return ""
	}
	return newJTI()
}

func (a *Auth) mint(typ TokenType, g grant) (string, error) {
	p := a.newPayload(typ, g.user, g.custom)
	p.family, p.pwHash = g.family, g.pwHash
	return a.sign(p)
}

func (a *Auth) pair(g grant) (Pair, error) {
	refresh, err := a.mint(TypeRefresh, g)
	if err != nil {
		return Pair{}, err
	}
	access, err := a.mint(TypeAccess, g)
	if err != nil {
		return Pair{}, err
	}
	return Pair{Access: access, Refresh: refresh}, nil
}

// IssueSliding mints a sliding token for a user (SlidingTokens must be on).
func (a *Auth) IssueSliding(ctx context.Context, id UserID, custom any) (string, error) {
	if !a.cfg.SlidingTokens {
		return "", fmt.Errorf("%w: sliding tokens are not enabled", ErrInvalidConfig)
	}
	members, err := a.names.customFrom(custom)
	if err != nil {
		return "", err
	}
	g := grant{user: id, custom: members}
	if a.cfg.CheckRevokeToken {
		u, err := a.lookup(ctx, id)
		if err != nil {
			return "", err
		}
		g.pwHash = passwordFingerprint(u)
	}
	return a.mint(TypeSliding, g)
}

func (a *Auth) newPayload(typ TokenType, id UserID, custom map[string]json.RawMessage) *payload {
	now := a.now()
	p := &payload{names: &a.names, typ: typ, iat: now.Unix(), jti: newJTI(), userID: id,
		aud: a.cfg.Audience, iss: a.cfg.Issuer, custom: custom}
	switch typ {
	case TypeAccess:
		p.exp = now.Add(a.cfg.AccessTokenLifetime).Unix()
	case TypeRefresh:
		p.exp = now.Add(a.cfg.RefreshTokenLifetime).Unix()
	case TypeSliding:
		p.exp = now.Add(a.cfg.SlidingTokenLifetime).Unix()
		p.refreshExp = now.Add(a.cfg.SlidingTokenRefreshLifetime).Unix()
	}
	return p
}

// CanIssue reports whether the Auth has a signing key: one built with VerifyingKeys only checks
// tokens issued elsewhere.
func (a *Auth) CanIssue() bool { return a.signer != nil }

func (a *Auth) sign(p *payload) (string, error) {
	if !a.CanIssue() {
		return "", fmt.Errorf("%w: this Auth has no SigningKey, it only verifies", ErrInvalidConfig)
	}
	if p.userID.IsZero() {
		return "", fmt.Errorf("%w: a token needs a user id", ErrInvalidConfig)
	}
	body, err := p.MarshalJSON()
	if err != nil {
		return "", err
	}
	signing := a.signerHeader + "." + base64.RawURLEncoding.EncodeToString(body)
	sig, err := a.signer.signingMethod().Sign(signing, a.signer.signKey())
	if err != nil {
		return "", fmt.Errorf("jwtkit: signing: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// Refresh mints a new access token from a refresh token, copying its custom claims. With
// RotateRefreshTokens it also mints a new refresh token; with BlacklistAfterRotation the used
// refresh token is revoked with the store's atomic RevokeOnce first, so of concurrent refreshes
// with one token exactly one succeeds and the others get ErrBlacklisted. With ReuseDetection a
// refresh token presented after its rotation revokes its whole family (see Config).
func (a *Auth) Refresh(ctx context.Context, raw string) (Pair, error) {
	tok, err := a.validate(ctx, raw, TypeRefresh)
	if err != nil {
		if tok != nil && a.cfg.ReuseDetection { // revoked: a replay, unless the grace window covers it
			return a.replayed(ctx, raw, tok)
		}
		return Pair{}, err
	}
	u, err := a.refreshUser(ctx, tok)
	if err != nil {
		return Pair{}, err
	}
	custom, err := a.names.customOf(tok.payload)
	if err != nil {
		return Pair{}, fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	g := grant{user: tok.UserID, custom: custom, family: tok.Family, pwHash: u.fingerprint}
	if a.cfg.ReuseDetection && g.family == "" { // a token from before reuse detection was on
		g.family = newJTI()
	}
	if !a.cfg.RotateRefreshTokens {
		access, err := a.mint(TypeAccess, g)
		if err != nil {
			return Pair{}, err
		}
		a.audit(ctx, AuditEvent{Kind: AuditRefreshed, UserID: tok.UserID, TokenID: tok.ID, Family: tok.Family})
		return Pair{Access: access}, nil
	}
	next, err := a.pair(g)
	if err != nil {
		return Pair{}, err
	}
	if a.cfg.BlacklistAfterRotation {
		won, err := a.claimRotation(ctx, raw, tok, next)
		if err != nil {
			return Pair{}, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
		}
		if !won {
			if a.cfg.ReuseDetection { // another presentation of this token rotated it first
				return a.replayed(ctx, raw, tok)
			}
			return Pair{}, ErrBlacklisted
		}
	}
	a.audit(ctx, AuditEvent{Kind: AuditRefreshed, UserID: tok.UserID, TokenID: tok.ID, Family: g.family})
	return next, nil
}

// RefreshSliding renews a sliding token whose refresh window (refresh_exp) is still open, even
// if its exp has passed. As in simplejwt the new token keeps the jti and refresh_exp, so a
// session stays one revocable id for its whole life.
func (a *Auth) RefreshSliding(ctx context.Context, raw string) (string, error) {
	if !a.cfg.SlidingTokens {
		return "", fmt.Errorf("%w: sliding tokens are not enabled", ErrInvalidConfig)
	}
	tok, err := a.validateAs(ctx, raw, []TokenType{TypeSliding}, validation{refreshWindow: true})
	if err != nil {
		return "", err
	}
	if tok.RefreshExpiresAt.IsZero() {
		return "", fmt.Errorf("%w: sliding token without %s", ErrTokenInvalid, a.names.refreshExp)
	}
	u, err := a.refreshUser(ctx, tok)
	if err != nil {
		return "", err
	}
	custom, err := a.names.customOf(tok.payload)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrTokenInvalid, err)
	}
	p := a.newPayload(TypeSliding, tok.UserID, custom)
	p.jti = tok.ID
	p.refreshExp = tok.RefreshExpiresAt.Unix()
	p.pwHash = u.fingerprint
	return a.sign(p)
}

// refreshUser is the user check of a refresh: a refresh is turned away when its user is gone
// or inactive (simplejwt's CHECK_USER_IS_ACTIVE) unless that check is off or there is no user
// store, and, with CheckRevokeToken, when the user's password changed since the token was
// issued. It returns the fingerprint new tokens carry.
func (a *Auth) refreshUser(ctx context.Context, tok *Token) (checkedUser, error) {
	if a.cfg.Users == nil || (a.cfg.SkipUserActiveCheck && !a.cfg.CheckRevokeToken) {
		return checkedUser{}, nil
	}
	u, err := a.lookup(ctx, tok.UserID)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return checkedUser{}, fmt.Errorf("%w: %w", ErrNoActiveAccount, err)
	case err != nil:
		return checkedUser{}, err
	case !u.Active && !a.cfg.SkipUserActiveCheck:
		return checkedUser{}, ErrNoActiveAccount
	}
	if !a.cfg.CheckRevokeToken {
		return checkedUser{}, nil
	}
	if err := a.checkFingerprint(tok, u); err != nil {
		return checkedUser{}, err
	}
	return checkedUser{fingerprint: passwordFingerprint(u)}, nil
}

// checkedUser is what a refresh carries forward from its user check.
type checkedUser struct {
	fingerprint string // "" unless CheckRevokeToken
}

// lookup asks the user store for id; any failure but a missing user is the store's.
func (a *Auth) lookup(ctx context.Context, id UserID) (User, error) {
	u, err := a.cfg.Users.LookupUser(ctx, id)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return User{}, fmt.Errorf("%w: %w", ErrUserNotFound, err)
	case err != nil:
		return User{}, fmt.Errorf("%w: user lookup: %w", ErrStoreUnavailable, err)
	}
	return u, nil
}

// Blacklist revokes a refresh token (logout). A token already revoked is ErrBlacklisted, also
// when two logouts race.
func (a *Auth) Blacklist(ctx context.Context, raw string) error {
	_, err := a.blacklist(ctx, raw)
	return err
}

func (a *Auth) blacklist(ctx context.Context, raw string) (*Token, error) {
	tok, err := a.validate(ctx, raw, TypeRefresh)
	if err != nil {
		if tok != nil && a.cfg.ReuseDetection {
			// A rotated refresh token presented again is a replay at logout as at refresh.
			return nil, a.detectReuse(ctx, tok)
		}
		return nil, err
	}
	sctx, cancel := a.storeCtx(ctx)
	won, err := a.cfg.Store.RevokeOnce(sctx, tok.ID, tok.ExpiresAt)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	if !won {
		return nil, ErrBlacklisted
	}
	a.audit(ctx, AuditEvent{Kind: AuditBlacklisted, UserID: tok.UserID, TokenID: tok.ID, Family: tok.Family})
	return tok, nil
}

// logout blacklists a refresh token and, when the request carries a valid access token of the
// same user (the auth header's, else the access cookie's), revokes that access token too, so
// the session it authenticates ends now rather than when it expires. A missing, foreign or
// already invalid access token changes nothing: the refresh token alone decides the answer.
func (a *Auth) logout(ctx context.Context, refresh, access string) error {
	rt, err := a.blacklist(ctx, refresh)
	if err != nil {
		return err
	}
	if access != "" {
		return a.revokeAccessOf(ctx, rt.UserID, access)
	}
	return nil
}

// revokeAccessOf revokes raw when it is a valid access token of user. Only a store failure is
// an error: a token that is not one to revoke is simply left alone.
func (a *Auth) revokeAccessOf(ctx context.Context, user UserID, raw string) error {
	access, err := a.validate(ctx, raw, TypeAccess)
	switch {
	case errors.Is(err, ErrStoreUnavailable):
		return err
	case err != nil, access.UserID.Key() != user.Key():
		return nil //nolint:nilerr // an invalid or foreign token is not ours to revoke, and not the request's failure
	}
	sctx, cancel := a.storeCtx(ctx)
	defer cancel()
	if err := a.cfg.Store.Revoke(sctx, access.ID, access.ExpiresAt); err != nil {
		return fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	a.audit(ctx, AuditEvent{Kind: AuditAccessRevoked, UserID: user, TokenID: access.ID, Family: access.Family})
	return nil
}

// RevokeUser logs a user out everywhere: every token of the user issued before the call returns
// is revoked, on every device and replica sharing the store, and every token issued after it
// returns is valid. Use it after a password change or from an admin action. It takes up to a
// second: see RevokeUserNow.
func (a *Auth) RevokeUser(ctx context.Context, id UserID) error {
	if _, err := revokeUserNow(ctx, a.storeCtx, a.cfg.Store, id, a.maxRevoked, a.cfg.Clock); err != nil {
		return err
	}
	a.audit(ctx, AuditEvent{Kind: AuditRevokedAll, UserID: id})
	return nil
}

// RevokeUserNow records a log-out-everywhere cutoff for id in s at the current second of clock,
// kept for keep (the longest token lifetime), and returns the cutoff once clock has passed that
// second. Tokens carry iat in whole seconds, so a token issued in the cutoff's second is revoked
// with it; waiting for the second to end before answering means every token issued before the
// call returned is revoked, and every token issued after it has a later iat and is valid. The
// wait is at most a second and ends early, with ctx's error, when ctx does. Servers sharing a
// store agree to within their clocks' skew. Auth.RevokeUser uses it; so can a tool that holds
// only the store.
func RevokeUserNow(ctx context.Context, s Store, id UserID, keep time.Duration, clock func() time.Time) (time.Time, error) {
	return revokeUserNow(ctx, func(ctx context.Context) (context.Context, context.CancelFunc) { return ctx, noCancel },
		s, id, keep, clock)
}

// revokeUserNow is RevokeUserNow with the store call's context from storeCtx (Auth.storeCtx puts
// Config.StoreTimeout on it); the wait for the second to end runs on ctx itself.
func revokeUserNow(ctx context.Context, storeCtx func(context.Context) (context.Context, context.CancelFunc),
	s Store, id UserID, keep time.Duration, clock func() time.Time) (time.Time, error) {
	if id.IsZero() {
		return time.Time{}, fmt.Errorf("%w: empty user id", ErrInvalidConfig)
	}
	cutoff := clock().Truncate(time.Second)
	sctx, cancel := storeCtx(ctx)
	err := s.RevokeUser(sctx, id.Key(), cutoff, cutoff.Add(keep))
	cancel()
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	wait := min(cutoff.Add(time.Second).Sub(clock()), time.Second)
	if wait <= 0 {
		return cutoff, nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return cutoff, nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("%w: %w", ErrStoreUnavailable, ctx.Err())
	}
}

// Identity is what a protected route knows about its caller.
type Identity struct {
	User  User
	Token *Token
}

// Authenticate is the protected-route check. It takes the value of the auth header
// (Config.AuthHeaderName) and returns the caller's identity, or an error that ErrorResponse
// turns into the contract's answer. ErrNoCredentials means the request carried no token of an
// accepted scheme, which optional-authentication middleware lets through.
func (a *Auth) Authenticate(ctx context.Context, header string) (*Identity, error) {
	// The usual header, "<scheme> <token>", goes to the check as it is, without scanning the
	// token for blanks first: a token that passes is nothing but the base64url alphabet and two
	// dots (wellFormed, and every cached token passed it), so the header held exactly those two
	// parts and headerToken would have found the same token. Only a refused token is scanned:
	// when it holds a blank or control byte, the split decides what the header means (another
	// token, or a bad header).
	if raw, ok := a.schemeToken(header); ok {
		id, err := a.AuthenticateToken(ctx, raw)
		if err == nil || noByteAtOrBelowSpace(raw) {
			return id, err
		}
	}
	raw, err := a.headerToken(header)
	if err != nil {
		return nil, err
	}
	return a.AuthenticateToken(ctx, raw)
}

// AuthenticateToken is Authenticate for a token already taken from the request (a cookie or
// a query parameter an application chose to read).
func (a *Auth) AuthenticateToken(ctx context.Context, raw string) (*Identity, error) {
	// The identity and its token in one allocation: this is every protected request.
	both := new(struct {
		id  Identity
		tok Token
	})
	tok, err := a.validateAs(ctx, raw, a.protectedTypes, validation{dst: &both.tok})
	if err != nil {
		return nil, err
	}
	both.id.Token = tok
	if a.cfg.Stateless {
		both.id.User = User{ID: tok.UserID, Active: true}
		return &both.id, nil
	}
	u, err := a.lookup(ctx, tok.UserID)
	switch {
	case err != nil:
		return nil, err
	case !u.Active && !a.cfg.SkipUserActiveCheck:
		return nil, ErrUserInactive
	}
	if err := a.checkFingerprint(tok, u); err != nil {
		return nil, err
	}
	both.id.User = u
	return &both.id, nil
}

// schemeToken is what follows "<scheme> " when the header starts with one of
// AuthHeaderTypes and a single space, not yet scanned: headerToken finds the same token
// whenever it holds no byte <= 0x20.
func (a *Auth) schemeToken(h string) (string, bool) {
	for _, scheme := range a.cfg.AuthHeaderTypes {
		if len(h) > len(scheme)+1 && h[len(scheme)] == ' ' && h[:len(scheme)] == scheme {
			return h[len(scheme)+1:], true
		}
	}
	return "", false
}

// headerToken splits an auth header value as simplejwt does: on runs of ASCII whitespace; an
// unknown scheme or an empty header is no credentials, the scheme with other than one token is
// a bad header.
func (a *Auth) headerToken(h string) (string, error) {
	var parts [3]string
	n := 0
	for i := 0; i < len(h); {
		for i < len(h) && asciiSpace[h[i]] {
			i++
		}
		start := i
		for i < len(h) && !asciiSpace[h[i]] {
			i++
		}
		if start < i {
			if n < len(parts) {
				parts[n] = h[start:i]
			}
			n++
		}
	}
	if n == 0 || !slices.Contains(a.cfg.AuthHeaderTypes, parts[0]) {
		return "", ErrNoCredentials
	}
	if n != 2 {
		return "", ErrBadAuthHeader
	}
	return parts[1], nil
}

// asciiSpace marks the bytes Python's str.split() splits an ASCII header on. A table, because
// the token after the scheme is scanned byte by byte on every protected request.
var asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

// keySource is a set of verification keys that can change after New: a remote JWKS
// (RemoteKeySet). Keys it returns have Key.remote set, so a cache hit knows to ask holds.
type keySource interface {
	// lookup returns the current key with this kid, or nil. It may refresh the set first when
	// the kid is unknown, within the set's rate limit; an error says the set could not be
	// asked (a failed fetch, or ctx ended while waiting for one).
	lookup(ctx context.Context, kid string) (*Key, error)
	// holds reports whether k is still in the current set (pointer identity).
	holds(ctx context.Context, k *Key) bool
}

// noByteAtOrBelowSpace reports whether s has no byte <= 0x20 (every ASCII blank and control
// byte but DEL), eight bytes at a time: a word has such a byte when subtracting 0x21 from each
// byte borrows into a byte whose top bit was clear.
func noByteAtOrBelowSpace(s string) bool {
	const highs, below = 0x8080808080808080, 0x21 * 0x0101010101010101
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if (x-below)&^x&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] <= ' ' {
			return false
		}
	}
	return true
}
