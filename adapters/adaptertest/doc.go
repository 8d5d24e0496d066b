// Package adaptertest is the adapter conformance suite: the wire contract
// (docs/http-api.md) as a table of HTTP exchanges that every framework adapter runs
// in process, over a real loopback connection, and must answer identically.
//
// An adapter's test file is a Start function that builds an app with the adapter (the token
// endpoints mounted at /api, GET and POST /api/me behind Middleware, GET /api/optional behind
// Optional, GET /api/health public, the adapter's JWKS handler at jwtkit.JWKSPath) and one
// call:
//
//	func TestConformance(t *testing.T) {
//		adaptertest.Run(t, start, adaptertest.Options{MaxHeaderBytes: http.DefaultMaxHeaderBytes})
//	}
//
// Run includes the features beyond simplejwt (reuse detection, revoke-all, CheckRevokeToken,
// cookie mode with its CSRF check, JWKS publishing, login rate limiting), each on a server of
// its own with the feature on, and the attack table: hostile requests written to the connection byte for byte,
// each with the contract's exact answer. Seeds, FuzzAuth, FuzzSources, CheckAnswer and
// CheckAllocs give an adapter's fuzz target the same corpus and checks.
//
// Walk runs the same tables over HTTP against a server already running elsewhere, such as an
// example server started as its own process:
//
//	adaptertest.Walk(t, "http://127.0.0.1:8000", adaptertest.WalkOptions{SigningKey: key})
package adaptertest
