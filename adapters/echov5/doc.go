// Package jwtechov5 is the Echo v5 adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the echo context.
//
// The module lives in adapters/echov5, beside adapters/echo (package jwtecho) for Echo v4; the
// package is named jwtechov5 so it never clashes with echo itself at a call site (echo.New() and
// jwtechov5.Middleware(auth) side by side), and so the name says which Echo it serves when both
// adapters are in one build during a migration. All logic lives in jwtkit (core); this package
// only translates.
//
// The token endpoints hand core the connection's address, never a forwarding header's; core
// finds the client behind the proxies named in jwtkit.Config.TrustedProxies, the same rule on
// every adapter (docs/features.md, "Login rate limiting").
package jwtechov5
