package jwtkit

import "errors"

// Sentinel errors. Every error core returns wraps exactly one of these (test with errors.Is);
// the text of a wrapped error is for logs and never reaches a response body.
var (
	// ErrTokenInvalid: malformed, wrongly signed, expired or otherwise unacceptable token.
	ErrTokenInvalid = errors.New("jwtkit: token is invalid or expired")
	// ErrTokenExpired: the token's exp (or a sliding token's refresh_exp) has passed. It also
	// matches ErrTokenInvalid, because the wire contract answers both the same way.
	ErrTokenExpired = &kindError{msg: "jwtkit: token is expired", parent: ErrTokenInvalid}
	// ErrWrongType: a valid token of another type than the one the operation accepts.
	ErrWrongType = errors.New("jwtkit: token has wrong type")
	// ErrNoType: a validly signed token without the token-type claim.
	ErrNoType = errors.New("jwtkit: token has no type")
	// ErrNoID: a validly signed token without the jti claim.
	ErrNoID = errors.New("jwtkit: token has no id")
	// ErrBlacklisted: the token was revoked (by jti, by its user's cutoff or by its family).
	ErrBlacklisted = errors.New("jwtkit: token is blacklisted")
	// ErrNoUserID: a valid token without a usable user id claim.
	ErrNoUserID = errors.New("jwtkit: token contained no recognizable user identification")
	// ErrUserNotFound: the token's user no longer exists.
	ErrUserNotFound = errors.New("jwtkit: user not found")
	// ErrUserInactive: the token's user exists but is inactive.
	ErrUserInactive = errors.New("jwtkit: user is inactive")
	// ErrNoActiveAccount: a refresh token whose user is missing or inactive.
	ErrNoActiveAccount = errors.New("jwtkit: no active account found for the given token")
	// ErrBadCredentials: wrong username or password, or an unknown or inactive user, at obtain.
	ErrBadCredentials = errors.New("jwtkit: no active account found with the given credentials")
	// ErrNoCredentials: a protected request without an Authorization header of a known scheme.
	ErrNoCredentials = errors.New("jwtkit: authentication credentials were not provided")
	// ErrBadAuthHeader: "Bearer" with no token, or with more than two parts.
	ErrBadAuthHeader = errors.New("jwtkit: authorization header must contain two space-delimited values")
	// ErrStoreUnavailable: the token store (or the application's user store) could not answer.
	// Every path fails closed on it.
	ErrStoreUnavailable = errors.New("jwtkit: store unavailable")
	// ErrKeySetUnavailable: a remote key set (RemoteKeySet.Refresh) could not be fetched. It
	// also matches ErrStoreUnavailable: the keys, like the store, are state core cannot check
	// tokens without.
	ErrKeySetUnavailable = &kindError{msg: "jwtkit: remote key set unavailable", parent: ErrStoreUnavailable}
	// ErrInvalidConfig: New or a key constructor was given settings it cannot use.
	ErrInvalidConfig = errors.New("jwtkit: invalid configuration")
	// ErrWeakKey: a key too weak to use (short or well-known secret, small RSA key, wrong curve).
	// It also matches ErrInvalidConfig.
	ErrWeakKey = &kindError{msg: "jwtkit: weak key", parent: ErrInvalidConfig}
	// ErrReservedClaim: custom claims tried to set a claim the suite manages itself.
	ErrReservedClaim = errors.New("jwtkit: custom claim uses a reserved name")
	// ErrPasswordChanged: the token's password fingerprint (Config.CheckRevokeToken) no longer
	// matches the user's password hash.
	ErrPasswordChanged = errors.New("jwtkit: the user's password has been changed")
	// ErrCSRF: a token taken from a cookie on a state-changing request came without the
	// double-submit header matching the CSRF cookie.
	ErrCSRF = errors.New("jwtkit: CSRF token missing or incorrect")
)

// kindError is a sentinel that also matches a broader sentinel.
type kindError struct {
	msg    string
	parent error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.parent }
