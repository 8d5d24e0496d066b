// Package demo is what the example servers (six HTTP ones and the gRPC one) share besides the
// code a user copies (the key, the store, jwtkit.New, the routes and the server's limits stand
// in each main.go): the settings read from the JWTKIT_* environment variables (the wire contract's tables, the
// features beyond simplejwt included), the signing key they name (Settings.Key: an HMAC secret,
// or an asymmetric key from a PEM file with a kid derived from it), the jwtkit.Config fields they
// set (Settings.Apply), the demo users behind bcrypt hashes, the /api/health and /api/me bodies,
// and the serve-until-a-signal loop with its ready line and graceful shutdown.
//
// It is internal because it is the examples' scaffolding, not an API: an application copies
// what it needs of it (the Users implementation above all) into its own code.
package demo
