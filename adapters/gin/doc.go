// Package jwtgin is the Gin adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the gin context.
//
// The module lives in adapters/gin; the package is named jwtgin so it never clashes with gin
// itself at a call site (gin.Default() next to jwtgin.Middleware(auth)). All logic lives in
// jwtkit (core); this package only translates.
//
// The token endpoints hand core the connection's address, never a forwarding header's; core
// finds the client behind the proxies named in jwtkit.Config.TrustedProxies, the same rule on
// every adapter (docs/features.md, "Login rate limiting").
package jwtgin
