// Package adaptertest is the adapter conformance suite: the wire contract
// (shared/contract/http-api.md) as a table of HTTP exchanges that every framework adapter runs
// in process, over a real loopback connection, and must answer identically.
//
// An adapter's test file is a Start function that builds an app with the adapter (the token
// endpoints mounted at /api, GET /api/me behind Middleware, GET /api/optional behind Optional,
// GET /api/health public) and one call:
//
//	func TestConformance(t *testing.T) { adaptertest.Run(t, start) }
package adaptertest
