// Package jwtfiberv3 is the Fiber v3 adapter of jwtkit: middleware that requires (or optionally
// accepts) an access token, handlers for the token endpoints, and typed helpers to read the
// caller's identity from c.Locals. Its API is jwtfiber's (adapters/fiber, for Fiber v2) name for
// name, with Fiber v3's fiber.Ctx interface where v2 had *fiber.Ctx.
//
// The module lives in adapters/fiberv3 and the package is named jwtfiberv3: the name says which
// Fiber major it serves, so it is never mistaken for the Fiber v2 adapter in an import list or a
// go.mod, and it never clashes with fiber itself at a call site (Fiber v3's package is also
// named fiber, and a package named v3 or fiber would need renaming on import).
//
// Fiber runs on fasthttp, which reuses a request's buffers once its handler returns. The
// middleware hands core its token as a view of those buffers: core reads it during the check
// only and keeps copies of what outlives it. The token endpoints, whose request core may keep
// parts of, get copies of every header, cookie and query value. Either way an identity stays
// valid after the handler returns.
//
// The token endpoints hand core the connection's address, never a forwarding header's; core
// finds the client behind the proxies named in jwtkit.Config.TrustedProxies, the same rule on
// every adapter (docs/features.md, "Login rate limiting"), whatever Fiber's TrustProxy says.
//
// Two helpers serve the app rather than authenticate: ErrorHandler gives the body fasthttp
// refuses over fiber.Config.BodyLimit the contract's JSON 413, and Listener keeps the server
// accepting when the process runs out of file descriptors, where fasthttp alone would stop, and
// closes connections as net/http does, so a client still sending a refused body reads the 413.
package jwtfiberv3
