// Package jwtecho is the Echo v4 adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the echo context.
//
// The module lives in adapters/echo; the package is named jwtecho so it never clashes with
// echo itself at a call site (echo.New() and jwtecho.Middleware(auth) side by side). All logic
// lives in jwtkit (core); this package only translates.
//
// The token endpoints hand core the connection's address, never a forwarding header's; core
// finds the client behind the proxies named in jwtkit.Config.TrustedProxies, the same rule on
// every adapter (docs/features.md, "Login rate limiting").
package jwtecho
