package jwtkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Endpoint names one of the token endpoints of the wire contract.
type Endpoint int

// The token endpoints.
const (
	EndpointObtain Endpoint = iota
	EndpointRefresh
	EndpointVerify
	EndpointBlacklist
	EndpointSlidingObtain
	EndpointSlidingRefresh
	// EndpointRevokeAll logs the authenticated user out everywhere (RevokeUser). It is
	// authenticated like a protected route, by an access token.
	EndpointRevokeAll
)

// DefaultPrefix is where the contract mounts the endpoints: Route paths are relative to it.
const DefaultPrefix = "/api"

// Route is an endpoint and its conventional path below DefaultPrefix (or wherever an
// application mounts the group).
type Route struct {
	Path     string
	Endpoint Endpoint
}

var endpointInfo = [...]struct {
	path, name, description, field string
}{
	EndpointObtain:         {"/token/", "Token Obtain Pair", "Exchanges a username and password for an access and refresh token pair.", ""},
	EndpointRefresh:        {"/token/refresh/", "Token Refresh", "Exchanges a refresh token for a new access token (and a new refresh token when rotation is on).", "refresh"},
	EndpointVerify:         {"/token/verify/", "Token Verify", "Tells whether a token is valid, without saying anything else about it.", "token"},
	EndpointBlacklist:      {"/token/blacklist/", "Token Blacklist", "Revokes a refresh token (logout).", "refresh"},
	EndpointSlidingObtain:  {"/token/sliding/", "Token Obtain Sliding", "Exchanges a username and password for a sliding token.", ""},
	EndpointSlidingRefresh: {"/token/sliding/refresh/", "Token Refresh Sliding", "Renews a sliding token while its refresh window is open.", "token"},
	EndpointRevokeAll:      {"/token/revoke-all/", "Token Revoke All", "Revokes every token of the authenticated user issued until now (log out everywhere).", ""},
}

// Routes lists the endpoints this Auth serves: obtain (when it has Users), refresh, verify,
// blacklist, revoke-all, and the sliding pair when SlidingTokens is on; an Auth without a
// SigningKey serves only verify, blacklist and revoke-all.
func (a *Auth) Routes() []Route {
	var rs []Route
	for ep, info := range endpointInfo {
		if a.enabled(Endpoint(ep)) {
			rs = append(rs, Route{Path: info.path, Endpoint: Endpoint(ep)})
		}
	}
	return rs
}

func (a *Auth) enabled(ep Endpoint) bool {
	switch ep {
	case EndpointObtain:
		return a.cfg.Users != nil && a.CanIssue()
	case EndpointSlidingObtain:
		return a.cfg.Users != nil && a.cfg.SlidingTokens && a.CanIssue()
	case EndpointSlidingRefresh:
		return a.cfg.SlidingTokens && a.CanIssue()
	case EndpointRefresh:
		return a.CanIssue()
	case EndpointVerify, EndpointBlacklist, EndpointRevokeAll:
		return true
	}
	return false
}

// Request is what the endpoint logic needs from an HTTP request.
type Request struct {
	Method      string
	ContentType string
	// Authorization is the auth header's value (Config.AuthHeaderName), every line of it
	// (FieldLines). Optional. At blacklist, an access token of the same user found there is
	// revoked along with the refresh token.
	Authorization string
	// Body is the request body; nil means empty. Serve reads at most Config.MaxBodyBytes+1.
	Body io.Reader
	// ContentLength is the body's declared length (the Content-Length header), -1 when the
	// request declares none. Serve answers 413 without reading Body when it exceeds
	// Config.MaxBodyBytes, so a client cannot make the server wait for bytes it would refuse.
	// Optional: 0 and -1 refuse nothing early (the zero value of an adapter that does not set
	// it), and Body is still read under the limit whatever this says.
	ContentLength int64
	// Header returns the value of a request header, "" when absent. Optional: cookie mode's
	// CSRF header is read through it.
	Header func(name string) string
	// Cookie returns the value of a request cookie, "" when absent, as the framework parses
	// cookies. Optional: cookie mode reads its cookies through it.
	Cookie func(name string) string
	// Host is the host (and port) the client addressed, as net/http's Request.Host has it. Cookie
	// mode compares a browser's Origin with it to tell a same-origin request from a cross-site
	// one. Optional.
	Host string
	// ClientAddr is the address of the connection's peer (an IP, no port), for login rate
	// limiting and audit events. Adapters set the peer itself, never a forwarding header's
	// value: core reads Config.ForwardedForHeader only when the peer is one of
	// Config.TrustedProxies (see clientaddr.go). Optional.
	ClientAddr string
}

func (r Request) header(name string) string {
	if r.Header == nil {
		return ""
	}
	return r.Header(name)
}

func (r Request) cookie(name string) string {
	if r.Cookie == nil {
		return ""
	}
	return r.Cookie(name)
}

// Serve answers one request to a token endpoint with the contract's exact status, headers and
// body: method check (405 with Allow, OPTIONS 200), JSON and form bodies, DRF's field errors,
// the token work, and every error of the contract's table. It never panics on bad input and
// never answers 500.
func (a *Auth) Serve(ctx context.Context, ep Endpoint, req Request) Response {
	// Every answer of a token endpoint is uncacheable: successes carry tokens, and a cached
	// error would outlive the state it describes.
	r := a.serveEndpoint(ctx, ep, req)
	r.Header.Set("Cache-Control", "no-store")
	if ep >= 0 && int(ep) < len(endpointInfo) && a.enabled(ep) {
		// A DRF view names its methods on every answer, whatever the status.
		r.Header.Set("Allow", allowTokenEndpoints)
	}
	return r
}

func (a *Auth) serveEndpoint(ctx context.Context, ep Endpoint, req Request) Response {
	if ep < 0 || int(ep) >= len(endpointInfo) || !a.enabled(ep) {
		return a.respond(http.StatusNotFound, detail{Detail: "Not found."})
	}
	switch req.Method {
	case http.MethodPost:
	case http.MethodOptions:
		return a.respond(http.StatusOK, a.metadata(ep))
	default:
		return a.respond(http.StatusMethodNotAllowed, detail{Detail: "Method \"" + req.Method + "\" not allowed."})
	}
	if a.crossSiteRefused(ep, req) {
		return a.csrfFailed()
	}
	if ep == EndpointRevokeAll { // acts on the caller's identity: no body to read
		return a.revokeAll(ctx, req)
	}
	form, bad := a.readForm(req)
	if bad != nil {
		return *bad
	}
	return a.serve(ctx, ep, form, req)
}

func (a *Auth) serve(ctx context.Context, ep Endpoint, f fields, req Request) Response {
	switch ep {
	case EndpointObtain, EndpointSlidingObtain:
		vals, ferr := f.chars(a.cfg.UsernameField, "password")
		if ferr != nil {
			return a.respond(http.StatusBadRequest, ferr)
		}
		if ep == EndpointSlidingObtain {
			return a.obtainSliding(ctx, vals[0], vals[1], req)
		}
		return a.obtainPair(ctx, vals[0], vals[1], req)
	}
	field := endpointInfo[ep].field
	var tok string
	fromCookie := false
	if _, inBody := f[field]; !inBody && a.cfg.Cookies.Enabled && (ep == EndpointRefresh || ep == EndpointBlacklist) {
		raw, found, err := a.refreshFromCookie(req)
		if err != nil {
			return a.csrfFailed()
		}
		tok, fromCookie = raw, found
	}
	if !fromCookie {
		vals, ferr := f.chars(field)
		if ferr != nil {
			return a.respond(http.StatusBadRequest, ferr)
		}
		tok = vals[0]
	}
	switch ep {
	case EndpointRefresh:
		res, err := a.Refresh(ctx, tok)
		if err != nil {
			return a.endpointError(err)
		}
		if a.cfg.Cookies.Enabled {
			return a.refreshCookies(req, res)
		}
		if res.Refresh == "" {
			return a.respond(http.StatusOK, struct {
				Access string `json:"access"`
			}{res.Access})
		}
		return a.respond(http.StatusOK, struct {
			Access  string `json:"access"`
			Refresh string `json:"refresh"`
		}{res.Access, res.Refresh})
	case EndpointVerify:
		if _, err := a.Validate(ctx, tok, TypeAny); err != nil {
			return a.endpointError(err)
		}
		return a.respond(http.StatusOK, struct{}{})
	case EndpointBlacklist:
		access, err := a.accessToken(req)
		if err != nil {
			access = "" // no usable access token beside the refresh token: only that is revoked
		}
		if access == "" {
			// Or in the body, for clients that keep the access token out of headers at logout.
			if vals, ferr := f.chars("access"); ferr == nil {
				access = vals[0]
			}
		}
		r := a.respond(http.StatusOK, struct{}{})
		if err := a.logout(ctx, tok, access); err != nil {
			r = a.endpointError(err)
		}
		if a.cfg.Cookies.Enabled && r.Status != http.StatusServiceUnavailable {
			// The cookie's session is over either way: logged out now, or already dead.
			a.cookieClear(r.Header)
		}
		return r
	default: // EndpointSlidingRefresh
		t, err := a.RefreshSliding(ctx, tok)
		if err != nil {
			return a.endpointError(err)
		}
		return a.respond(http.StatusOK, struct {
			Token string `json:"token"`
		}{t})
	}
}

// revokeAll serves EndpointRevokeAll: the caller is authenticated like a protected route and
// every token of theirs issued until now is revoked.
func (a *Auth) revokeAll(ctx context.Context, req Request) Response {
	id, err := a.AuthenticateFrom(ctx, req.Method, a.DefaultSources(), a.endpointSources(req))
	if err == nil {
		err = a.RevokeUser(ctx, id.User.ID)
	}
	if err != nil {
		r := a.ErrorResponse(err)
		return Response{Status: r.Status, Header: r.Header.Clone(), Body: r.Body} // Serve adds to the header
	}
	r := a.respond(http.StatusOK, struct{}{})
	if a.cfg.Cookies.Enabled {
		a.cookieClear(r.Header)
	}
	return r
}

func (a *Auth) csrfFailed() Response {
	return a.respond(http.StatusForbidden, detail{Detail: "CSRF Failed: CSRF token missing or incorrect.", Code: "csrf_failed"})
}

// obtainPair serves EndpointObtain: a login answered with an access/refresh pair.
func (a *Auth) obtainPair(ctx context.Context, username, password string, req Request) Response {
	g, refused := a.login(ctx, username, password, req)
	if refused != nil {
		return *refused
	}
	p, err := a.pair(g)
	if err != nil {
		return a.endpointError(err)
	}
	if a.cfg.Cookies.Enabled {
		return a.loginCookies(p)
	}
	return a.respond(http.StatusOK, struct {
		Refresh string `json:"refresh"`
		Access  string `json:"access"`
	}{p.Refresh, p.Access})
}

// obtainSliding serves EndpointSlidingObtain: a login answered with a sliding token.
func (a *Auth) obtainSliding(ctx context.Context, username, password string, req Request) Response {
	g, refused := a.login(ctx, username, password, req)
	if refused != nil {
		return *refused
	}
	g.family = "" // a sliding token is never rotated: it has no family
	t, err := a.mint(TypeSliding, g)
	if err != nil {
		return a.endpointError(err)
	}
	return a.respond(http.StatusOK, struct {
		Token string `json:"token"`
	}{t})
}

// login is the part of a login both obtain endpoints share: the rate limit, the credentials,
// the custom claims and the audit trail. It returns the grant the new tokens carry, or the
// answer that refuses the login.
func (a *Auth) login(ctx context.Context, username, password string, req Request) (grant, *Response) {
	refuse := func(r Response) (grant, *Response) { return grant{}, &r }
	client := a.clientAddr(req)
	attempt, wait, err := a.admitLogin(ctx, username, client)
	if err != nil {
		return refuse(a.endpointError(err))
	}
	if wait > 0 {
		a.audit(ctx, AuditEvent{Kind: AuditLoginThrottled, Username: username, ClientAddr: client, RetryAfter: wait})
		return refuse(a.throttled(wait))
	}
	u, err := a.cfg.Users.Authenticate(ctx, username, password)
	if err == nil && !u.Active {
		err = ErrBadCredentials
	}
	if errors.Is(err, ErrBadCredentials) {
		a.audit(ctx, AuditEvent{Kind: AuditLoginFailed, Username: username, ClientAddr: client})
	}
	if err == nil && u.ID.IsZero() {
		err = fmt.Errorf("%w: Authenticate returned a user without an id", ErrStoreUnavailable)
	}
	var custom map[string]json.RawMessage
	if err == nil && a.cfg.CustomClaims != nil {
		var v any
		if v, err = a.cfg.CustomClaims(ctx, u); err == nil {
			custom, err = a.names.customFrom(v)
		}
		if err != nil {
			// The application's claims could not be had: like a failing user store, fail closed.
			err = fmt.Errorf("%w: custom claims: %w", ErrStoreUnavailable, err)
		}
	}
	if err != nil {
		return refuse(a.endpointError(err))
	}
	a.forgetLogin(ctx, attempt) // a successful login is never counted
	a.audit(ctx, AuditEvent{Kind: AuditLoginSucceeded, UserID: u.ID, Username: username, ClientAddr: client})
	return a.grantFor(u, custom), nil
}

// endpointError maps an error of a token endpoint to the contract's answer. Infrastructure
// failures and anything unexpected fail closed with the 503.
func (a *Auth) endpointError(err error) Response {
	switch {
	case errors.Is(err, ErrBadCredentials):
		return a.respond(http.StatusUnauthorized, detail{Detail: "No active account found with the given credentials"})
	case errors.Is(err, ErrNoActiveAccount):
		return a.respond(http.StatusUnauthorized, detail{Detail: "No active account found for the given token.", Code: "no_active_account"})
	case errors.Is(err, ErrNoUserID):
		return a.respond(http.StatusUnauthorized, detail{Detail: msgNoUserID, Code: codeTokenNotValid})
	case errors.Is(err, ErrPasswordChanged):
		return a.respond(http.StatusUnauthorized, detail{Detail: msgPasswordChanged, Code: codePasswordChanged})
	case errors.Is(err, ErrStoreUnavailable):
	default:
		if msg := tokenMessage(err); msg != "" {
			return a.respond(http.StatusUnauthorized, detail{Detail: msg, Code: codeTokenNotValid})
		}
	}
	return a.respond(http.StatusServiceUnavailable, detail{Detail: msgUnavailable, Code: codeStoreUnavail})
}
