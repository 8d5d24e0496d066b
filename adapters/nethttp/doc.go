// Package jwthttp is the net/http adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the request context. It uses the standard library only, so it also
// serves chi, gorilla/mux and any router built on http.Handler.
//
// The module lives in adapters/nethttp; the package is named jwthttp so it never clashes with
// net/http at a call site. All logic lives in jwtkit (core); this package only translates.
//
// The token endpoints hand core the connection's address, never a forwarding header's; core
// finds the client behind the proxies named in jwtkit.Config.TrustedProxies, the same rule on
// every adapter (docs/features.md, "Login rate limiting").
package jwthttp
