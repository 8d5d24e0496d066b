package jwtgrpc

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Config customises the interceptors. The zero value is the contract's behaviour.
type Config struct {
	// Skip lets a call through without authentication when it returns true; fullMethod is
	// "/package.Service/Method". SkipMethods builds one from a list of public methods.
	//
	// Optional. Default: nil (every call is checked).
	Skip func(ctx context.Context, fullMethod string) bool
	// ErrorHandler ends a call that failed authentication; err is the reason (test it with
	// errors.Is) and resp the contract's answer, shared between calls: do not modify it. The
	// call ends with the error it returns; a nil error ends it with Status(resp) all the same,
	// so the handler cannot let the call through.
	//
	// Optional. Default: Status(resp).Err().
	ErrorHandler func(ctx context.Context, fullMethod string, err error, resp jwtkit.Response) error
	// Sources are where the token is read from, in order; the first present is the only one
	// used. A header source reads the incoming metadata key of that name (in lower case, as
	// gRPC sends every key); a cookie or query source is never present in a gRPC call.
	//
	// Optional. Default: the auth header only (auth.DefaultSources()).
	Sources []jwtkit.TokenSource
}

// SkipMethods is a Config.Skip that lets the named methods ("/package.Service/Method") through
// without authentication.
func SkipMethods(fullMethods ...string) func(ctx context.Context, fullMethod string) bool {
	public := slices.Clone(fullMethods)
	return func(_ context.Context, fullMethod string) bool { return slices.Contains(public, fullMethod) }
}

type ctxKey struct{}

// UnaryServerInterceptor requires a valid access token on every unary call and puts the
// caller's identity in the handler's context (read it with FromContext).
func UnaryServerInterceptor(auth *jwtkit.Auth, cfg ...Config) grpc.UnaryServerInterceptor {
	return newChecker(auth, false, cfg).unary
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming calls: the token is checked
// once, when the stream opens, and the identity is in the stream's context.
func StreamServerInterceptor(auth *jwtkit.Auth, cfg ...Config) grpc.StreamServerInterceptor {
	return newChecker(auth, false, cfg).stream
}

// OptionalUnaryServerInterceptor lets calls without a token through anonymously but still
// rejects a bad one.
func OptionalUnaryServerInterceptor(auth *jwtkit.Auth, cfg ...Config) grpc.UnaryServerInterceptor {
	return newChecker(auth, true, cfg).unary
}

// OptionalStreamServerInterceptor is OptionalUnaryServerInterceptor for streaming calls.
func OptionalStreamServerInterceptor(auth *jwtkit.Auth, cfg ...Config) grpc.StreamServerInterceptor {
	return newChecker(auth, true, cfg).stream
}

type checker struct {
	auth     *jwtkit.Auth
	optional bool
	cfg      Config
}

func newChecker(auth *jwtkit.Auth, optional bool, cfgs []Config) *checker {
	var cfg Config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	if cfg.Sources == nil {
		cfg.Sources = auth.DefaultSources()
	}
	// Lower-cased once here: metadata keys arrive in lower case, and a lookup by the exact key
	// avoids the case-folding scan of every key on each call.
	cfg.Sources = slices.Clone(cfg.Sources)
	for i := range cfg.Sources {
		cfg.Sources[i].Name = strings.ToLower(cfg.Sources[i].Name)
	}
	return &checker{auth: auth, optional: optional, cfg: cfg}
}

// check returns the context the handler runs with, or the error the call ends with.
func (c *checker) check(ctx context.Context, fullMethod string) (context.Context, error) {
	if c.cfg.Skip != nil && c.cfg.Skip(ctx, fullMethod) {
		return ctx, nil
	}
	// gRPC calls are HTTP/2 POSTs; the method matters to core only for a cookie source.
	id, err := c.auth.AuthenticateFrom(ctx, http.MethodPost, c.cfg.Sources, func(s jwtkit.TokenSource) string {
		if s.Kind != jwtkit.SourceHeader {
			return ""
		}
		// Several values are several header lines: core refuses them as a bad auth header.
		return jwtkit.FieldLines(metadata.ValueFromIncomingContext(ctx, s.Name))
	})
	switch {
	case err == nil:
		return context.WithValue(ctx, ctxKey{}, id), nil
	case c.optional && errors.Is(err, jwtkit.ErrNoCredentials):
		return ctx, nil
	}
	resp := c.auth.ErrorResponse(err)
	if c.cfg.ErrorHandler != nil {
		if herr := c.cfg.ErrorHandler(ctx, fullMethod, err, resp); herr != nil {
			return nil, herr
		}
	}
	return nil, Status(resp).Err()
}

func (c *checker) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, err := c.check(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (c *checker) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, err := c.check(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return handler(srv, &identityStream{ServerStream: ss, ctx: ctx})
}

// identityStream is the stream a handler sees: the original with the checked context.
type identityStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *identityStream) Context() context.Context { return s.ctx }

// FromContext returns the identity an interceptor (or an optional one, for an authenticated
// call) put in the handler's context.
func FromContext(ctx context.Context) (*jwtkit.Identity, bool) {
	id, ok := ctx.Value(ctxKey{}).(*jwtkit.Identity)
	return id, ok
}

// Claims decodes the authenticated token's custom claims into C; an anonymous call is
// jwtkit.ErrNoCredentials.
func Claims[C any](ctx context.Context) (C, error) {
	id, _ := FromContext(ctx)
	return jwtkit.ClaimsOf[C](id)
}
