package jwtkit

import (
	"net"
	"net/http"
	"strings"
)

// The net/http side of the adapters. Gin, Echo, chi and plain net/http all hand handlers an
// *http.Request and an http.ResponseWriter, so the translation lives here once; only adapters
// on another HTTP stack (Fiber) translate themselves, through Serve and AuthenticateFrom.

// Write sends the response through w: every header (copied, since a Response may be shared
// between requests), the status, then the body.
func (r Response) Write(w http.ResponseWriter) error {
	h := w.Header()
	for k, v := range r.Header {
		h[k] = append([]string(nil), v...)
	}
	w.WriteHeader(r.Status)
	_, err := w.Write(r.Body)
	return err
}

// EndpointHandler serves one token endpoint as an http.Handler: it copies the method, the
// Content-Type, the auth header and the body into Serve and writes the answer back.
func (a *Auth) EndpointHandler(ep Endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = a.Serve(r.Context(), ep, HTTPRequest(r, a.cfg.AuthHeaderName)).Write(w)
	})
}

// HTTPRequest is the endpoint Request of an *http.Request: its method, Content-Type, auth
// header (authHeader names it), body and declared length, header and cookie lookups, and the
// connection's peer IP from RemoteAddr (core finds the client behind Config.TrustedProxies).
func HTTPRequest(r *http.Request, authHeader string) Request {
	return Request{
		Method:        r.Method,
		ContentType:   r.Header.Get("Content-Type"),
		Authorization: FieldLines(r.Header.Values(authHeader)),
		Body:          r.Body,
		ContentLength: r.ContentLength,
		Header:        func(name string) string { return FieldLines(r.Header.Values(name)) },
		Host:          r.Host,
		Cookie: func(name string) string {
			if c, err := r.Cookie(name); err == nil {
				return c.Value
			}
			return ""
		},
		ClientAddr: remoteIP(r.RemoteAddr),
	}
}

// FieldLines is the value core is handed for a header a request may repeat: its one line, or
// every line joined by "\n". A header value never holds a line break (HTTP forbids it, and both
// net/http and fasthttp refuse or unfold one), so the break says "more than one line" without
// ambiguity: AuthenticateFrom and the token endpoints refuse an auth header of several lines as
// ErrBadAuthHeader instead of picking one, and any other header of several lines matches no
// expected value (a CSRF token, an Origin). Adapters whose framework keeps the lines apart pass
// them all through it.
func FieldLines(lines []string) string {
	switch len(lines) {
	case 0:
		return ""
	case 1:
		return lines[0]
	}
	return strings.Join(lines, "\n")
}

// severalLines reports whether a header value came from more than one line (FieldLines).
func severalLines(v string) bool { return strings.IndexByte(v, '\n') >= 0 }

// remoteIP is the host part of a RemoteAddr ("192.0.2.1:1234", "[::1]:80"), or the whole
// value when it has no port.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// AuthenticateRequest is AuthenticateFrom for an *http.Request: a header source reads the
// header, a cookie source the cookie as net/http parses it, a query source the URL's query.
func (a *Auth) AuthenticateRequest(r *http.Request, sources []TokenSource) (*Identity, error) {
	return a.AuthenticateFrom(r.Context(), r.Method, sources, func(s TokenSource) string {
		switch s.Kind {
		case SourceHeader:
			return FieldLines(r.Header.Values(s.Name))
		case SourceCookie:
			if c, err := r.Cookie(s.Name); err == nil {
				return c.Value
			}
			return ""
		default:
			return r.URL.Query().Get(s.Name)
		}
	})
}
