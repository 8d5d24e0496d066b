// Package jwtfiber is the Fiber v2 adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from c.Locals.
//
// The module lives in adapters/fiber; the package is named jwtfiber so it never clashes with
// fiber itself at a call site. All logic lives in jwtkit (core); this package only translates.
//
// Fiber runs on fasthttp, which reuses a request's buffers once its handler returns. The
// middleware hands core its token as a view of those buffers: core reads it during the check
// only and keeps copies of what outlives it. The token endpoints, whose request core may keep
// parts of, get copies of every value (header, cookie and query values, the method). Either
// way an identity stays valid after the handler returns.
//
// The token endpoints hand core the connection's address, never a forwarding header's; core
// finds the client behind the proxies named in jwtkit.Config.TrustedProxies, the same rule on
// every adapter (docs/features.md, "Login rate limiting").
//
// Two helpers serve the app rather than authenticate: ErrorHandler gives the body fasthttp
// refuses over fiber.Config.BodyLimit the contract's JSON 413, and Listener keeps the server
// accepting when the process runs out of file descriptors, where fasthttp alone would stop, and
// closes connections as net/http does, so a client still sending a refused body reads the 413.
package jwtfiber
