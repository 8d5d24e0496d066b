package jwthttp

import (
	"context"
	"errors"
	"net/http"

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
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
			case optional && errors.Is(err, jwtkit.ErrNoCredentials):
				next.ServeHTTP(w, r)
			default:
				cfg.ErrorHandler(w, r, err, auth.ErrorResponse(err))
			}
		})
	}
}

// Handler serves one token endpoint.
func Handler(auth *jwtkit.Auth, ep jwtkit.Endpoint) http.Handler { return auth.EndpointHandler(ep) }

// Registrar is any router with a Handle(pattern, handler) method: *http.ServeMux, chi.Router.
type Registrar interface {
	Handle(pattern string, handler http.Handler)
}

// Mount registers every token endpoint auth serves at prefix + its contract path, for every
// method (the endpoints answer 405 themselves). Use prefix jwtkit.DefaultPrefix for the
// contract's /api/token/... paths.
func Mount(r Registrar, prefix string, auth *jwtkit.Auth) {
	_, isMux := r.(*http.ServeMux)
	for _, rt := range auth.Routes() {
		pattern := prefix + rt.Path
		if isMux {
			pattern += "{$}" // a ServeMux pattern ending in "/" would also match every path below it
		}
		r.Handle(pattern, Handler(auth, rt.Endpoint))
	}
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
