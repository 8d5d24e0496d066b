// Package demo is what the four example servers share, so that each main.go holds only its
// framework's wiring: the settings read from the JWTKIT_* environment variables (the wire
// contract's tables, the features beyond simplejwt included), the signing key they name (an
// HMAC secret, or an asymmetric key from a PEM file with a kid derived from it), the token
// store, the *jwtkit.Auth, the demo users behind bcrypt hashes, the /api/health and /api/me
// bodies, and the serve-until-a-signal loop with its ready line and graceful shutdown.
//
// It is internal because it is the examples' scaffolding, not an API: an application copies
// what it needs of it (the Users implementation above all) into its own code.
package demo
