// Package jwtgin is the Gin adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the gin context.
//
// The module lives in adapters/gin; the package is named jwtgin so it never clashes with gin
// itself at a call site (gin.Default() next to jwtgin.Middleware(auth)). All logic lives in
// jwtkit (core); this package only translates.
//
// The token endpoints take the client's address, which LoginRate counts failed logins
// against, from Gin's c.ClientIP(), so the engine's trusted-proxy settings decide whether a
// forwarding header is believed. Gin trusts every address by default (and warns about it at
// start): an application exposed directly calls router.SetTrustedProxies(nil), one behind a
// proxy lists that proxy, or a client could pick its own address with X-Forwarded-For and
// escape the per-address limit (the per-username limit still holds).
package jwtgin
