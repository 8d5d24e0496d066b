// Package jws reads the JOSE header of a compact JWS, as jwtkit's validator needs it: alg, and
// kid when present, with every other member ignored and crit refused.
package jws

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/core/internal/jsonscan"
)

// Header is what the validator reads of a JOSE header. Alg and KID may be slices of the
// decoded header passed to ParseHeader.
type Header struct {
	Alg, KID []byte
	HasKID   bool
}

// ParseHeader reads a decoded JOSE header: a JSON object in valid UTF-8 without duplicate
// members, alg a string, kid a string when present, no crit in any form. Every other member
// (typ, cty, jku, x5u, jwk, x5c...) is ignored and never acted on; its numbers must still be
// ones encoding/json can decode, as golang-jwt's header decoding demanded.
func ParseHeader(data []byte) (Header, error) {
	var h Header
	if !utf8.Valid(data) || !json.Valid(data) {
		return h, errors.New("not valid JSON in UTF-8")
	}
	if !jsonscan.NumbersInRange(data) {
		return h, errors.New("a number out of range")
	}
	var seen jsonscan.KeySet
	it := jsonscan.NewMembers(data)
	hasAlg := false
	for {
		key, raw, ok, err := it.Next()
		if err != nil {
			return h, err
		}
		if !ok {
			break
		}
		if seen.Add(&it, key) {
			return h, fmt.Errorf("duplicate member %q", string(key))
		}
		switch string(key) {
		case "alg":
			if h.Alg, err = jsonscan.StringBytes(raw); err != nil {
				return h, fmt.Errorf("alg: %w", err)
			}
			hasAlg = true
		case "kid":
			if h.KID, err = jsonscan.StringBytes(raw); err != nil {
				return h, fmt.Errorf("kid: %w", err)
			}
			h.HasKID = true
		case "crit":
			return h, errors.New("crit header parameters are not supported")
		}
	}
	if !hasAlg {
		return h, errors.New("no alg")
	}
	return h, nil
}
