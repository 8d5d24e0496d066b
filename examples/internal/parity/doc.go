// Package parity holds the differential test of the example servers against a real
// djangorestframework-simplejwt server (the reference, in simplejwt/: a settings module, the
// routes and a runner without manage.py, run by Debian's python3-django,
// python3-djangorestframework and python3-djangorestframework-simplejwt).
//
// The test sends the same generated requests to the reference and to an example server, in the
// same order, so both hold the same state: bodies of every media type DRF parses and many it
// does not, every shape of field, methods, paths, auth headers, tokens issued by either side,
// tokens it signs itself and tokens it mutates, with logins, refreshes, rotations and logouts
// in between. Each answer pair must match (status, the headers the contract speaks of, the body
// byte for byte once token strings are replaced by what they carry) or be one of the documented
// deviations in deviations_test.go, each of which docs/http-api.md lists with its reason.
//
// `make test` runs it with a fixed seed; `make parity` runs many more cases
// (PARITY_CASES, PARITY_SEED).
package parity
