package jwtkit

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CookieConfig is cookie mode: the token endpoints hand the refresh token (and optionally the
// access token) to the browser in HttpOnly cookies, and every request that a cookie
// authenticates must repeat a CSRF token in a header (double submit). The zero value is off;
// the names and paths default to the wire contract's.
type CookieConfig struct {
	// Enabled turns cookie mode on: obtain and refresh set the refresh cookie and the CSRF
	// cookie and leave "refresh" out of the JSON body; refresh and blacklist accept the refresh
	// token from the cookie with the CSRF header; blacklist and revoke-all clear the cookies.
	Enabled bool
	// Access also puts the access token in a cookie (it stays in the body too), and adds that
	// cookie to DefaultSources, so a browser needs no script access to any token.
	Access bool

	// RefreshName is the refresh cookie's name. Default: "__Secure-jwtkit-refresh".
	RefreshName string
	// RefreshPath narrows where the browser sends the refresh cookie: the token endpoints
	// only. Default: "/api/token/".
	RefreshPath string
	// AccessName is the access cookie's name. Default: "__Host-jwtkit-access" (Path=/).
	AccessName string
	// CSRFName is the CSRF cookie's name; scripts read it to fill CSRFHeader. Default:
	// "jwtkit-csrf".
	CSRFName string
	// CSRFHeader is the header a cookie-authenticated request repeats the CSRF cookie in.
	// Default: "X-CSRF-Token".
	CSRFHeader string
	// SameSite of every cookie. Default: http.SameSiteStrictMode.
	SameSite http.SameSite
	// TrustedOrigins are the origins ("https://app.example.com", scheme://host[:port]) besides
	// the API's own whose pages may call the endpoints that set or use the cookies (obtain,
	// refresh, blacklist, revoke-all). A browser request from any other site is refused with
	// the 403 csrf_failed, so a page elsewhere cannot log a visitor in to the attacker's account
	// (login CSRF) or use the visitor's cookies. Optional. Default: the API's own origin only.
	TrustedOrigins []string
}

func (c CookieConfig) withDefaults() CookieConfig {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.RefreshName, "__Secure-jwtkit-refresh")
	def(&c.RefreshPath, DefaultPrefix+endpointInfo[EndpointObtain].path)
	def(&c.AccessName, "__Host-jwtkit-access")
	def(&c.CSRFName, "jwtkit-csrf")
	def(&c.CSRFHeader, "X-CSRF-Token")
	// Browsers send Origin in lower case and without a trailing slash.
	origins := make([]string, len(c.TrustedOrigins))
	for i, o := range c.TrustedOrigins {
		origins[i] = strings.ToLower(strings.TrimSuffix(o, "/"))
	}
	c.TrustedOrigins = origins
	if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
		c.SameSite = http.SameSiteStrictMode
	}
	return c
}

func (c CookieConfig) validate() error {
	for _, n := range []string{c.RefreshName, c.AccessName, c.CSRFName} {
		if (&http.Cookie{Name: n, Value: "x"}).Valid() != nil {
			return errors.New("cookies: " + n + " is not a valid cookie name")
		}
	}
	if c.Access && !c.Enabled {
		return errors.New("cookies: Access needs Enabled (the access cookie is set by cookie mode's endpoints)")
	}
	if !strings.HasPrefix(c.RefreshPath, "/") {
		return errors.New("cookies: RefreshPath must start with /")
	}
	for _, o := range c.TrustedOrigins {
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" ||
			u.ForceQuery || u.Fragment != "" {
			return errors.New("cookies: TrustedOrigins entry " + strconv.Quote(o) + " is not an origin (scheme://host[:port])")
		}
	}
	return nil
}

// crossSiteEndpoint reports whether ep sets or uses the cookies, so that in cookie mode a
// browser request to it from another site is refused (login CSRF and cookie CSRF).
func crossSiteEndpoint(ep Endpoint) bool {
	return ep == EndpointObtain || ep == EndpointRefresh || ep == EndpointBlacklist || ep == EndpointRevokeAll
}

// crossSiteRefused reports whether req is a cross-site browser request to an endpoint that sets
// or uses the cookies, from an origin that is not trusted. Browsers mark every request with
// Sec-Fetch-Site (same-origin, same-site, cross-site, or none for a typed URL), and send
// Origin on every POST; a request with neither is not from a browser page, so a forged one
// cannot carry the victim's cookies. Without Sec-Fetch-Site (older browsers), Origin is
// compared with the request's own host. This is the rule of net/http's CrossOriginProtection,
// over Request so that every adapter gets it.
func (a *Auth) crossSiteRefused(ep Endpoint, req Request) bool {
	c := a.cfg.Cookies
	if !c.Enabled || !crossSiteEndpoint(ep) || safeMethod(req.Method) {
		return false
	}
	origin := req.header("Origin")
	switch req.header("Sec-Fetch-Site") {
	case "same-origin", "none":
		return false
	case "":
		if origin == "" {
			return false
		}
		if u, err := url.Parse(origin); err == nil && u.Host != "" && u.Host == req.Host {
			return false
		}
	}
	return !slices.Contains(c.TrustedOrigins, origin)
}

// safeMethod reports whether an HTTP method is one a CSRF defence leaves alone (RFC 9110's
// safe methods): it must not change state, so a forged one gains nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// csrfOK reports whether the double-submit header equals the CSRF cookie, both present,
// compared in constant time.
func csrfOK(header, cookie string) bool {
	return header != "" && cookie != "" && subtle.ConstantTimeCompare([]byte(header), []byte(cookie)) == 1
}

func newCSRFToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// loginCookies is the token answer of a login in cookie mode (cookieAnswer). A login always
// gets a new CSRF token, so a value planted in the browser beforehand (a sibling subdomain can
// set cookies) never becomes the session's.
func (a *Auth) loginCookies(p Pair) Response {
	return a.cookieAnswer(p, newCSRFToken())
}

// refreshCookies is the token answer of a refresh in cookie mode (cookieAnswer). It keeps the
// request's CSRF token when that is well formed, so open tabs that read it keep working.
func (a *Auth) refreshCookies(req Request, p Pair) Response {
	csrf := req.cookie(a.cfg.Cookies.CSRFName)
	if len(csrf) != 43 || !wellFormedSegment(csrf) {
		csrf = newCSRFToken()
	}
	return a.cookieAnswer(p, csrf)
}

// cookieAnswer is a token answer in cookie mode: the access token in the body; the refresh
// cookie when there is a refresh token, the access cookie with Cookies.Access, and the CSRF
// cookie holding csrf.
func (a *Auth) cookieAnswer(p Pair, csrf string) Response {
	r := a.respond(http.StatusOK, struct {
		Access string `json:"access"`
	}{p.Access})
	c := a.cfg.Cookies
	if p.Refresh != "" {
		r.Header.Add("Set-Cookie", a.cookie(c.RefreshName, p.Refresh, c.RefreshPath, true, a.cfg.RefreshTokenLifetime).String())
	}
	if c.Access {
		r.Header.Add("Set-Cookie", a.cookie(c.AccessName, p.Access, "/", true, a.cfg.AccessTokenLifetime).String())
	}
	r.Header.Add("Set-Cookie", a.cookie(c.CSRFName, csrf, "/", false, a.cfg.RefreshTokenLifetime).String())
	return r
}

// cookieClear expires every cookie cookie mode sets.
func (a *Auth) cookieClear(h http.Header) {
	c := a.cfg.Cookies
	h.Add("Set-Cookie", a.cookie(c.RefreshName, "", c.RefreshPath, true, -1).String())
	if c.Access {
		h.Add("Set-Cookie", a.cookie(c.AccessName, "", "/", true, -1).String())
	}
	h.Add("Set-Cookie", a.cookie(c.CSRFName, "", "/", false, -1).String())
}

// cookie builds one cookie; a negative life deletes it (Max-Age=0).
func (a *Auth) cookie(name, value, path string, httpOnly bool, life time.Duration) *http.Cookie {
	ck := &http.Cookie{Name: name, Value: value, Path: path, Secure: true, HttpOnly: httpOnly, SameSite: a.cfg.Cookies.SameSite}
	if life < 0 {
		ck.MaxAge = -1
	} else {
		ck.MaxAge = int(life / time.Second)
	}
	return ck
}

// refreshFromCookie is where refresh and blacklist look in cookie mode when the body names no
// token: the refresh cookie, accepted only with the double-submit header. ok is false when
// there is no cookie either (the body's field error answers then).
func (a *Auth) refreshFromCookie(req Request) (raw string, ok bool, err error) {
	raw = req.cookie(a.cfg.Cookies.RefreshName)
	if raw == "" {
		return "", false, nil
	}
	if !csrfOK(req.header(a.cfg.Cookies.CSRFHeader), req.cookie(a.cfg.Cookies.CSRFName)) {
		return "", true, ErrCSRF
	}
	return raw, true, nil
}

// accessToken is the access token a token endpoint's request carries besides its body, found
// where and as a protected route finds it (credential over DefaultSources): the auth header,
// else, with Cookies.Access, the access cookie with the double-submit header. An error says
// why there is none to use.
func (a *Auth) accessToken(req Request) (string, error) {
	v, kind, err := a.credential(req.Method, a.DefaultSources(), a.endpointSources(req))
	if err == nil && kind == SourceHeader {
		return a.headerToken(v)
	}
	return v, err
}

// endpointSources reads the sources of DefaultSources from a token endpoint's Request.
func (a *Auth) endpointSources(req Request) func(TokenSource) string {
	return func(s TokenSource) string {
		switch {
		case s.Kind == SourceCookie:
			return req.cookie(s.Name)
		case s.Name == a.cfg.AuthHeaderName:
			return req.Authorization
		}
		return req.header(s.Name)
	}
}

// wellFormedSegment reports whether s is made of the base64url alphabet only.
func wellFormedSegment(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
