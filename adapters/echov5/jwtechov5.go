package jwtechov5

import (
	"errors"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/labstack/echo/v5"
)

// Config customises the middleware. The zero value is the contract's behaviour.
type Config struct {
	// Skip lets a request through without authentication when it returns true; it has the
	// shape of echo's middleware.Skipper. Optional. Default: nil (every request is checked).
	Skip func(c *echo.Context) bool
	// ErrorHandler answers a request that failed authentication; its error goes to echo's
	// HTTPErrorHandler as any handler's would. resp is the contract's answer (shared: do not
	// modify it). Optional. Default: write resp (status, every header, body).
	ErrorHandler func(c *echo.Context, err error, resp jwtkit.Response) error
	// Sources are where the token is read from, in order; the first present is used. Optional.
	// Default: the auth header only (auth.DefaultSources()).
	Sources []jwtkit.TokenSource
}

// identityKey is where Middleware keeps the identity with c.Set. echo's context store is keyed
// by strings, so an unexported key type is not available; the package path in the key keeps it
// from colliding with any key an application would choose, and Identity checks the value's
// type, so a stray value under it reads as "no identity".
const identityKey = "github.com/jwtkit/jwtkit/adapters/echov5.identity"

// Middleware requires a valid access token and puts the caller's identity in the echo context
// (read it with Identity or Claims).
func Middleware(auth *jwtkit.Auth, cfg ...Config) echo.MiddlewareFunc {
	return middleware(auth, false, cfg)
}

// Optional lets requests without a token through anonymously but still rejects a bad one.
func Optional(auth *jwtkit.Auth, cfg ...Config) echo.MiddlewareFunc {
	return middleware(auth, true, cfg)
}

func middleware(auth *jwtkit.Auth, optional bool, cfgs []Config) echo.MiddlewareFunc {
	m := &authenticator{auth: auth, optional: optional}
	if len(cfgs) > 0 {
		m.cfg = cfgs[0]
	}
	if m.cfg.Sources == nil {
		m.cfg.Sources = auth.DefaultSources()
	}
	if m.cfg.ErrorHandler == nil {
		m.cfg.ErrorHandler = func(c *echo.Context, _ error, resp jwtkit.Response) error { return resp.Write(c.Response()) }
	}
	// echo v5 chains a route's middleware once, when the route is added, not per request.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error { return m.serve(c, next) }
	}
}

// authenticator is one Middleware or Optional with its settings.
type authenticator struct {
	auth     *jwtkit.Auth
	cfg      Config
	optional bool
}

func (m *authenticator) serve(c *echo.Context, next echo.HandlerFunc) error {
	if m.cfg.Skip != nil && m.cfg.Skip(c) {
		return next(c)
	}
	id, err := m.auth.AuthenticateRequest(c.Request(), m.cfg.Sources)
	switch {
	case err == nil:
		c.Set(identityKey, id)
		return next(c)
	case m.optional && errors.Is(err, jwtkit.ErrNoCredentials):
		return next(c)
	default:
		return m.cfg.ErrorHandler(c, err, m.auth.ErrorResponse(err))
	}
}

// Handler serves one token endpoint. The endpoint sees the request's headers and cookies
// (cookie mode, CSRF) and the connection's address; core reads a forwarding header only from the
// proxies of jwtkit.Config.TrustedProxies, whatever Echo#IPExtractor says.
func Handler(auth *jwtkit.Auth, ep jwtkit.Endpoint) echo.HandlerFunc {
	header := auth.Config().AuthHeaderName
	return func(c *echo.Context) error {
		r := c.Request()
		req := jwtkit.HTTPRequest(r, header)
		// A failed write means the client went away: there is nobody left to tell, and the
		// answer is committed, so Echo's error handler could not answer either.
		_ = auth.Serve(r.Context(), ep, req).Write(c.Response())
		return nil
	}
}

// JWKS serves the public keys auth verifies with as a JWKS (jwtkit.Auth.ServeJWKS): 200 with
// Cache-Control: public to GET and HEAD, 405 to other methods, 404 {"detail":"Not found."}
// when auth has no public key (HMAC only). Mount it at jwtkit.JWKSPath for every method:
//
//	e.Any(jwtkit.JWKSPath, jwtechov5.JWKS(auth))
func JWKS(auth *jwtkit.Auth) echo.HandlerFunc {
	return echo.WrapHandler(auth.JWKSHandler())
}

// Registrar is where Mount registers the endpoints: *echo.Group and *echo.Echo.
type Registrar interface {
	Any(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) echo.RouteInfo
}

// Mount registers every token endpoint auth serves at the group's prefix + its contract path,
// for every method (the endpoints answer 405 and OPTIONS themselves): Mount(e.Group("/api"), auth).
//
// echo v5's Any is one route that matches every method, those echo does not know included, so
// unlike echo v4 nothing else is needed for a LOCK or a BREW to reach the endpoint's own 405.
func Mount(r Registrar, auth *jwtkit.Auth) {
	for _, rt := range auth.Routes() {
		r.Any(rt.Path, Handler(auth, rt.Endpoint))
	}
}

// Identity returns the identity Middleware (or Optional, for an authenticated request) put in
// the echo context.
func Identity(c *echo.Context) (*jwtkit.Identity, bool) {
	id, ok := c.Get(identityKey).(*jwtkit.Identity)
	return id, ok && id != nil
}

// Claims decodes the authenticated token's custom claims into C; without an identity the error
// is jwtkit.ErrNoCredentials.
func Claims[C any](c *echo.Context) (C, error) {
	id, _ := Identity(c)
	return jwtkit.ClaimsOf[C](id)
}
