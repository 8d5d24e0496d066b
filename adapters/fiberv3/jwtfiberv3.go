package jwtfiberv3

import (
	"bytes"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/utils/v2"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Config customises the middleware. The zero value is the contract's behaviour.
type Config struct {
	// Skip lets a request through without authentication when it returns true.
	// Optional. Default: nil (every request is checked).
	Skip func(c fiber.Ctx) bool
	// ErrorHandler answers a request that failed authentication; its return value is the
	// handler's. resp is the contract's answer (shared: do not modify it).
	// Optional. Default: write resp (status, every header, body) and return nil.
	ErrorHandler func(c fiber.Ctx, err error, resp jwtkit.Response) error
	// Sources are where the token is read from, in order; the first present is used.
	// Optional. Default: auth.DefaultSources() (the auth header; the access cookie if on).
	Sources []jwtkit.TokenSource
}

// localsKey is the c.Locals key of the identity: unexported, so no string key can collide.
type localsKey struct{}

// Middleware requires a valid access token and puts the caller's identity in c.Locals (read
// it with Identity).
func Middleware(auth *jwtkit.Auth, cfg ...Config) fiber.Handler { return middleware(auth, false, cfg) }

// Optional lets requests without a token through anonymously but still rejects a bad one.
func Optional(auth *jwtkit.Auth, cfg ...Config) fiber.Handler { return middleware(auth, true, cfg) }

func middleware(auth *jwtkit.Auth, optional bool, cfgs []Config) fiber.Handler {
	var cfg Config
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	if cfg.Sources == nil {
		cfg.Sources = auth.DefaultSources()
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c fiber.Ctx, _ error, resp jwtkit.Response) error { return write(c, resp) }
	}
	return func(c fiber.Ctx) error {
		if cfg.Skip != nil && cfg.Skip(c) {
			return c.Next()
		}
		id, err := auth.AuthenticateFrom(c.Context(), c.Method(), cfg.Sources, func(s jwtkit.TokenSource) string { return lookup(c, s) })
		switch {
		case err == nil:
			c.Locals(localsKey{}, id)
			return c.Next()
		case optional && errors.Is(err, jwtkit.ErrNoCredentials):
			return c.Next()
		default:
			return cfg.ErrorHandler(c, err, auth.ErrorResponse(err))
		}
	}
}

// lookup returns a token source's value as a view of fasthttp's request buffers, which the next
// request overwrites: only AuthenticateFrom reads it, and core copies whatever outlives the call,
// so a copy here would cost every protected request an allocation the size of its token.
func lookup(c fiber.Ctx, s jwtkit.TokenSource) string {
	switch s.Kind {
	case jwtkit.SourceHeader:
		return headerLines(c, s.Name)
	case jwtkit.SourceCookie:
		return c.Cookies(s.Name)
	default:
		return c.Query(s.Name)
	}
}

// headerLines is a header as core reads it (jwtkit.FieldLines): its one line as a view of
// fasthttp's buffer, like c.Get, or every line joined when the request repeats it.
func headerLines(c fiber.Ctx, name string) string {
	lines := c.Request().Header.PeekAll(name)
	if len(lines) == 1 {
		return utils.UnsafeString(lines[0])
	}
	all := make([]string, len(lines)) // none: FieldLines answers "" without an allocation
	for i, l := range lines {
		all[i] = string(l)
	}
	return jwtkit.FieldLines(all)
}

// Handler serves one token endpoint.
func Handler(auth *jwtkit.Auth, ep jwtkit.Endpoint) fiber.Handler {
	header := auth.Config().AuthHeaderName
	return func(c fiber.Ctx) error { return write(c, auth.Serve(c.Context(), ep, request(c, header))) }
}

// request copies what core needs out of c: core may keep a value (the CSRF cookie goes into a
// Set-Cookie line) and fasthttp reuses its buffers. The method is Fiber v3's own string, and the
// raw body (never decompressed) is read through the io.Reader during Serve. The client address
// is the connection's; core trusts a forwarding header only from Config.TrustedProxies.
func request(c fiber.Ctx, header string) jwtkit.Request {
	return jwtkit.Request{
		Method:        c.Method(),
		ContentType:   strings.Clone(c.Get(fiber.HeaderContentType)),
		Authorization: strings.Clone(headerLines(c, header)),
		Body:          bytes.NewReader(c.Request().Body()),
		ContentLength: int64(max(c.Request().Header.ContentLength(), -1)), // fasthttp: -1 chunked, -2 none
		Header:        func(name string) string { return strings.Clone(headerLines(c, name)) },
		Host:          string(c.Request().Host()),
		Cookie:        func(name string) string { return strings.Clone(c.Cookies(name)) },
		ClientAddr:    c.RequestCtx().RemoteIP().String(),
	}
}

// JWKS serves auth's public keys (jwtkit.Auth.ServeJWKS): 200 to GET and HEAD, 405 to other
// methods, 404 without a public key. Mount it with app.All(jwtkit.JWKSPath, JWKS(auth)).
func JWKS(auth *jwtkit.Auth) fiber.Handler {
	return func(c fiber.Ctx) error { return write(c, auth.ServeJWKS(c.Method())) }
}

// Mount registers every token endpoint auth serves at the router's prefix + its contract
// path, for every method (the endpoints answer 405 and OPTIONS themselves). Use
// Mount(app.Group(jwtkit.DefaultPrefix), auth) for the contract's /api/token/... paths.
func Mount(r fiber.Router, auth *jwtkit.Auth) {
	for _, rt := range auth.Routes() {
		r.All(rt.Path, Handler(auth, rt.Endpoint))
	}
}

// Identity returns the identity Middleware (or Optional) put in c.Locals.
func Identity(c fiber.Ctx) (*jwtkit.Identity, bool) {
	id, ok := c.Locals(localsKey{}).(*jwtkit.Identity)
	return id, ok
}

// Claims decodes the authenticated token's custom claims into C; an anonymous request is
// jwtkit.ErrNoCredentials.
func Claims[C any](c fiber.Ctx) (C, error) {
	id, _ := Identity(c)
	return jwtkit.ClaimsOf[C](id)
}

// write sends resp exactly: status, every header with every value (Content-Type as core set
// it, no charset added), and a copy of the body, since resp may be shared.
func write(c fiber.Ctx, resp jwtkit.Response) error {
	h := &c.Response().Header
	for k, vs := range resp.Header {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	c.Status(resp.Status)
	c.Response().SetBody(resp.Body)
	return nil
}
