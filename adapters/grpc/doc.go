// Package jwtgrpc is the gRPC adapter of jwtkit: unary and streaming server interceptors for
// google.golang.org/grpc that require (or optionally accept) an access token sent as
// "authorization: Bearer <access>" metadata, and typed helpers to read the caller's identity
// from the handler's context. The token endpoints stay HTTP: serve them with another adapter
// (jwthttp.Mount) from the same *jwtkit.Auth.
//
// The module lives in adapters/grpc; the package is named jwtgrpc so it never clashes with
// grpc at a call site. All logic lives in jwtkit (core); this package only translates: the
// metadata into core's token sources, and core's answer (Auth.ErrorResponse) into a gRPC
// status (Status), so a call is refused for the same reason, with the same text, as an HTTP
// request on any other adapter.
package jwtgrpc
