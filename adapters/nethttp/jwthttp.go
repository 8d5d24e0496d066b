package jwthttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Config customises the middleware. The zero value is the contract's behaviour.
type Config struct {
	// Skip lets a request through without authentication when it returns true. Optional.
	Skip func(r *http.Request) bool
	// ErrorHandler answers a request that failed authentication. resp is the contract's answer
	// (shared: do not modify it). Optional. Default: write resp.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error, resp jwtkit.Response)
	// Sources are where the token is read from, in order; the first present is used. Optional.
	// Default: the auth header only (auth.DefaultSources()).
	Sources []jwtkit.TokenSource
}

type ctxKey struct{}

// identityContext is the request's context carrying the identity: what context.WithValue would
// make, in half the bytes (one pointer, not a key and a value in two interfaces) and without
// WithValue's checks of the key.
type identityContext struct {
	context.Context
	id *jwtkit.Identity
}

// authenticated is the request the next handler sees and its context, allocated together: one
// allocation per authenticated request where r.WithContext(context.WithValue(...)) makes two.
type authenticated struct {
	req http.Request
	ctx identityContext
}

// withIdentity returns a shallow copy of r whose context carries id, as r.WithContext would.
func withIdentity(r *http.Request, id *jwtkit.Identity) *http.Request {
	a := &authenticated{ctx: identityContext{r.Context(), id}}
	// WithContext is inlined here and its copy does not escape: it lands in a.req, and the
	// request a handler sees is exactly what WithContext returns.
	a.req = *r.WithContext(&a.ctx)
	return &a.req
}

func (c *identityContext) Value(key any) any {
	if key == (ctxKey{}) {
		return c.id
	}
	return c.Context.Value(key)
}

// String names the context as context.WithValue's does, without printing the identity.
func (c *identityContext) String() string {
	return fmt.Sprint(c.Context) + ".WithValue(jwthttp identity)"
}

// Middleware requires a valid access token and puts the caller's identity in the request's
// context (read it with FromContext).
func Middleware(auth *jwtkit.Auth, cfg ...Config) func(http.Handler) http.Handler {
	return middleware(auth, false, cfg)
}

// Optional lets requests without a token through anonymously but still rejects a bad one.
func Optional(auth *jwtkit.Auth, cfg ...Config) func(http.Handler) http.Handler {
	return middleware(auth, true, cfg)
}

func middleware(auth *jwtkit.Auth, optional bool, cfgs []Config) func(http.Handler) http.Handler {
	var cfg Config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	if cfg.Sources == nil {
		cfg.Sources = auth.DefaultSources()
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error, resp jwtkit.Response) { _ = resp.Write(w) }
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.Skip != nil && cfg.Skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			id, err := auth.AuthenticateRequest(r, cfg.Sources)
			switch {
			case err == nil:
				next.ServeHTTP(w, withIdentity(r, id))
			case optional && errors.Is(err, jwtkit.ErrNoCredentials):
				next.ServeHTTP(w, r)
			default:
				cfg.ErrorHandler(w, r, err, auth.ErrorResponse(err))
			}
		})
	}
}

// Handler serves one token endpoint. The endpoint sees the request's headers and cookies
// (cookie mode, CSRF) and its client address as net/http has it: the IP of r.RemoteAddr,
// which behind a reverse proxy is the proxy's (see the package documentation).
func Handler(auth *jwtkit.Auth, ep jwtkit.Endpoint) http.Handler { return auth.EndpointHandler(ep) }

// JWKS serves the public keys auth verifies with as a JWKS (jwtkit.Auth.ServeJWKS): 200 with
// Cache-Control: public to GET and HEAD, 405 to other methods, 404 {"detail":"Not found."}
// when auth has no public key (HMAC only). Mount it at jwtkit.JWKSPath for every method:
//
//	mux.Handle(jwtkit.JWKSPath, jwthttp.JWKS(auth))
func JWKS(auth *jwtkit.Auth) http.Handler { return auth.JWKSHandler() }

// Registrar is any router with a Handle(pattern, handler) method: *http.ServeMux, chi.Router.
type Registrar interface {
	Handle(pattern string, handler http.Handler)
}

// Mount registers every token endpoint auth serves at prefix + its contract path, for every
// method (the endpoints answer 405 themselves). Use prefix jwtkit.DefaultPrefix for the
// contract's /api/token/... paths. The paths are exact, as simplejwt's are: on a ServeMux the
// same path without its trailing slash answers 404, where ServeMux would redirect it (a client
// that follows the redirect resends its password to another URL).
func Mount(r Registrar, prefix string, auth *jwtkit.Auth) {
	mux, isMux := r.(*http.ServeMux)
	for _, rt := range auth.Routes() {
		pattern := prefix + rt.Path
		if isMux {
			// A ServeMux pattern ending in "/" would also match every path below it.
			mux.Handle(pattern+"{$}", Handler(auth, rt.Endpoint))
			mux.Handle(strings.TrimSuffix(pattern, "/"), http.NotFoundHandler())
			continue
		}
		r.Handle(pattern, Handler(auth, rt.Endpoint))
	}
}

// ExactPaths serves h only for a path in its clean form, and answers 404 to one with repeated
// slashes or "." and ".." segments, where a ServeMux would redirect it to the clean spelling:
// simplejwt's paths are exact, and a client that follows the redirect resends its password to
// another URL. Wrap the server's whole handler:
//
//	srv := &http.Server{Handler: jwthttp.ExactPaths(mux)}
func ExactPaths(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if clean := path.Clean(p); p != clean && p != clean+"/" || strings.HasSuffix(p, "//") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// FromContext returns the identity Middleware (or Optional, for an authenticated request) put
// in the request's context.
func FromContext(ctx context.Context) (*jwtkit.Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(*jwtkit.Identity)
	return id, ok
}

// Claims decodes the authenticated token's custom claims into C.
func Claims[C any](ctx context.Context) (C, error) {
	id, _ := FromContext(ctx)
	return jwtkit.ClaimsOf[C](id)
}
