// Package jwthttp is the net/http adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the request context. It uses the standard library only, so it also
// serves chi, gorilla/mux and any router built on http.Handler.
//
// The module lives in adapters/nethttp; the package is named jwthttp so it never clashes with
// net/http at a call site. All logic lives in jwtkit (core); this package only translates.
//
// The token endpoints see the client's address as net/http has it, the IP of r.RemoteAddr: it
// is what LoginRate counts failed logins against. net/http trusts no forwarding header, so
// behind a reverse proxy that address is the proxy's; an application that wants the client's
// own sets r.RemoteAddr from its proxy's header in a middleware of its own, which knows which
// proxy to believe.
package jwthttp
