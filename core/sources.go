package jwtkit

import "context"

// SourceKind is the part of a request a token is read from.
type SourceKind int

// Where a token may come from. Only the header is read unless an application asks for more:
// query-string tokens end up in logs and browser history, and cookie tokens need a CSRF
// defence on state-changing requests.
const (
	SourceHeader SourceKind = iota
	SourceCookie
	SourceQuery
)

// TokenSource names one place of a request that may carry a token.
type TokenSource struct {
	Kind SourceKind
	Name string
}

// FromHeader reads "<scheme> <token>" from the named header, as the Authorization header.
func FromHeader(name string) TokenSource { return TokenSource{Kind: SourceHeader, Name: name} }

// FromCookie reads a bare token from the named cookie.
func FromCookie(name string) TokenSource { return TokenSource{Kind: SourceCookie, Name: name} }

// FromQuery reads a bare token from the named query parameter.
func FromQuery(name string) TokenSource { return TokenSource{Kind: SourceQuery, Name: name} }

// DefaultSources is where adapters look when an application names no sources: the auth
// header (Config.AuthHeaderName), then, with Cookies.Access, the access cookie.
func (a *Auth) DefaultSources() []TokenSource {
	if a.cfg.Cookies.Access {
		return []TokenSource{FromHeader(a.cfg.AuthHeaderName), FromCookie(a.cfg.Cookies.AccessName)}
	}
	return []TokenSource{FromHeader(a.cfg.AuthHeaderName)}
}

// AuthenticateFrom is the protected-route check for a request whose token may come from
// several places. get returns the value of one source in the request ("" when absent); the
// first source with a value is the only one used, so a request cannot mix a good cookie with a
// bad header to confuse the check. With no value anywhere the error is ErrNoCredentials. A header
// value of several lines (FieldLines) is ErrBadAuthHeader: one request, one credential.
//
// A token read from a cookie authenticates a request of an unsafe method (anything but GET,
// HEAD, OPTIONS, TRACE) only when the request repeats the CSRF cookie (Cookies.CSRFName) in the
// CSRF header (Cookies.CSRFHeader): a browser sends cookies with forged requests, but a forged
// request cannot read the cookie to set the header. Otherwise the error is ErrCSRF.
//
// The strings get returns are read during the call only: what outlives it (the identity, a
// cache entry) holds copies. An adapter may therefore return views of buffers its framework
// reuses once the request is over, as fasthttp's are, without copying them.
func (a *Auth) AuthenticateFrom(ctx context.Context, method string, sources []TokenSource, get func(TokenSource) string) (*Identity, error) {
	v, kind, err := a.credential(method, sources, get)
	switch {
	case err != nil:
		return nil, err
	case kind == SourceHeader:
		return a.Authenticate(ctx, v)
	}
	return a.AuthenticateToken(ctx, v)
}

// credential is the value of the request's one credential, by the rule AuthenticateFrom
// documents, and the kind of source it came from; a header's value comes whole, for
// Authenticate or headerToken to split. Every access token core takes from a request is found
// here, on protected routes and token endpoints alike (accessToken), so a token is refused for
// the same reason on every route.
func (a *Auth) credential(method string, sources []TokenSource, get func(TokenSource) string) (string, SourceKind, error) {
	for _, s := range sources {
		v := get(s)
		if v == "" {
			continue
		}
		switch s.Kind {
		case SourceHeader:
			if severalLines(v) {
				return "", s.Kind, ErrBadAuthHeader
			}
		case SourceCookie:
			c := a.cfg.Cookies
			if !safeMethod(method) && !csrfOK(get(FromHeader(c.CSRFHeader)), get(FromCookie(c.CSRFName))) {
				return "", s.Kind, ErrCSRF
			}
		}
		return v, s.Kind, nil
	}
	return "", 0, ErrNoCredentials
}
