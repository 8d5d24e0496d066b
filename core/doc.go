// Package jwtkit is the framework-agnostic core of the jwtkit suite: keys, token issuing and
// validation, refresh rotation, the revocation store contract, and the endpoint logic every
// framework adapter shares.
//
// The module lives in the folder core/ of the monorepo, but the package is named jwtkit so
// call sites read jwtkit.New(cfg); adapters and stores are named jwtgin, jwtecho, memstore and
// so on, so none of them clashes with the framework or driver package it wraps.
//
// See docs/design.md in the repository for the design and the reasons behind it.
package jwtkit
