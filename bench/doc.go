// Package bench measures jwtkit against golang-jwt and against the JWT middleware of each
// framework it has an adapter for, side by side in one `go test -bench` run: the same
// simplejwt-shaped HS256 and ES256 tokens, minted by jwtkit, through the raw signature check
// (the floor), golang-jwt's typed parse, jwtkit's validator, and each adapter against its peer
// on the same route with the same response body. It also measures the stores' throughput in
// parallel and the memory store's cost per revoked jti. Everything lives in the _test.go
// files; README.md has the commands and what each benchmark means.
//
// The module is kept out of every library module's dependency graph: it depends on the peers
// it measures, and nothing may depend on it.
package bench
