package jwtgin

import (
	"errors"

	"github.com/gin-gonic/gin"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Config customises the middleware. The zero value is the contract's behaviour.
type Config struct {
	// Skip lets a request through without authentication when it returns true.
	//
	// Optional. Default: nil (every request is checked).
	Skip func(c *gin.Context) bool
	// ErrorHandler answers a request that failed authentication; err is the reason (test it
	// with errors.Is) and resp the contract's answer, shared between requests: do not modify
	// it. The chain is aborted after it returns, so it cannot let the request through.
	//
	// Optional. Default: write resp (status, every header, body).
	ErrorHandler func(c *gin.Context, err error, resp jwtkit.Response)
	// Sources are where the token is read from, in order; the first present is the only one
	// used.
	//
	// Optional. Default: the auth header only (auth.DefaultSources()).
	Sources []jwtkit.TokenSource
}

// identityKey keys the identity in gin's Keys. Keys is map[any]any since gin 1.11, so an
// unexported type cannot collide with any key a handler or another middleware sets.
type identityKey struct{}

// Middleware requires a valid access token and stores the caller's identity in the gin
// context (read it with Identity or Claims).
func Middleware(auth *jwtkit.Auth, cfg ...Config) gin.HandlerFunc {
	return middleware(auth, false, cfg)
}

// Optional lets requests without a token through anonymously but still rejects a bad one.
func Optional(auth *jwtkit.Auth, cfg ...Config) gin.HandlerFunc {
	return middleware(auth, true, cfg)
}

func middleware(auth *jwtkit.Auth, optional bool, cfgs []Config) gin.HandlerFunc {
	var cfg Config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	if cfg.Sources == nil {
		cfg.Sources = auth.DefaultSources()
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c *gin.Context, _ error, resp jwtkit.Response) { _ = resp.Write(c.Writer) }
	}
	return func(c *gin.Context) {
		if cfg.Skip != nil && cfg.Skip(c) {
			c.Next()
			return
		}
		id, err := auth.AuthenticateRequest(c.Request, cfg.Sources)
		switch {
		case err == nil:
			c.Set(identityKey{}, id)
			c.Next()
		case optional && errors.Is(err, jwtkit.ErrNoCredentials):
			c.Next()
		default:
			cfg.ErrorHandler(c, err, auth.ErrorResponse(err))
			c.Abort()
		}
	}
}

// Handler serves one token endpoint. The endpoint sees the request's headers and cookies
// (cookie mode, CSRF), and the connection's address; core reads a forwarding header only from
// the proxies of jwtkit.Config.TrustedProxies, whatever the engine's own trusted proxies.
func Handler(auth *jwtkit.Auth, ep jwtkit.Endpoint) gin.HandlerFunc {
	header := auth.Config().AuthHeaderName
	return func(c *gin.Context) {
		req := jwtkit.HTTPRequest(c.Request, header)
		// A failed write means the client went away: there is nobody left to tell.
		_ = auth.Serve(c.Request.Context(), ep, req).Write(c.Writer)
	}
}

// JWKS serves the public keys auth verifies with as a JWKS (jwtkit.Auth.ServeJWKS): 200 with
// Cache-Control: public to GET and HEAD, 405 to other methods, 404 {"detail":"Not found."}
// when auth has no public key (HMAC only). Mount it at jwtkit.JWKSPath for every method:
//
//	router.Any(jwtkit.JWKSPath, jwtgin.JWKS(auth))
func JWKS(auth *jwtkit.Auth) gin.HandlerFunc {
	return gin.WrapH(auth.JWKSHandler())
}

// Mount registers every token endpoint auth serves at the group's prefix + its contract path,
// for every method gin routes (the endpoints answer 405 themselves). Mount a group at
// jwtkit.DefaultPrefix for the contract's /api/token/... paths:
//
//	jwtgin.Mount(router.Group(jwtkit.DefaultPrefix), auth)
func Mount(r gin.IRoutes, auth *jwtkit.Auth) {
	for _, rt := range auth.Routes() {
		r.Any(rt.Path, Handler(auth, rt.Endpoint))
	}
}

// Identity returns the identity Middleware (or Optional, for an authenticated request) stored
// in the gin context.
func Identity(c *gin.Context) (*jwtkit.Identity, bool) {
	v, _ := c.Get(identityKey{})
	id, ok := v.(*jwtkit.Identity)
	return id, ok
}

// Claims decodes the authenticated token's custom claims into C; an anonymous request is
// jwtkit.ErrNoCredentials.
func Claims[C any](c *gin.Context) (C, error) {
	id, _ := Identity(c)
	return jwtkit.ClaimsOf[C](id)
}
