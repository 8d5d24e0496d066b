// Package jwtecho is the Echo v4 adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from the echo context.
//
// The module lives in adapters/echo; the package is named jwtecho so it never clashes with
// echo itself at a call site (echo.New() and jwtecho.Middleware(auth) side by side). All logic
// lives in jwtkit (core); this package only translates.
//
// The token endpoints take the client's address, which LoginRate counts failed logins
// against, from Echo#IPExtractor when the application set one (echo.ExtractIPDirect,
// echo.ExtractIPFromXFFHeader with its trust options, ...), and otherwise from the connection
// (r.RemoteAddr). They do not use c.RealIP()'s fallback, which believes X-Forwarded-For and
// X-Real-IP from any client. Behind a proxy, set e.IPExtractor to trust that proxy.
package jwtecho
