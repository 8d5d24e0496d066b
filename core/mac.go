package jwtkit

import (
	"crypto/hmac"
	_ "crypto/sha256" // HS256's hash, which crypto.SHA256.New needs linked in
	"crypto/sha512"
	"hash"
	"sync"

	"github.com/golang-jwt/jwt/v5"
)

// macPool keeps keyed HMAC states of one key for reuse. golang-jwt's Verify builds a new HMAC,
// copies the token and allocates the sum on every call, which costs more than hashing the
// token; a pooled state is reset to its keyed start for free. The HMAC is crypto/hmac's and the
// comparison hmac.Equal's, as in golang-jwt.
type macPool struct{ states sync.Pool }

type macState struct {
	mac   hash.Hash
	input []byte // the signing input: hash.Hash takes bytes, the token is a string
	sum   [sha512.Size]byte
}

// newMACPool returns the pool of an HMAC key under method, or nil if method is not HMAC.
func newMACPool(method jwt.SigningMethod, secret []byte) *macPool {
	m, ok := method.(*jwt.SigningMethodHMAC)
	if !ok || !m.Hash.Available() {
		return nil
	}
	p := &macPool{}
	p.states.New = func() any { return &macState{mac: hmac.New(m.Hash.New, secret)} }
	return p
}

// verify checks sig as golang-jwt's HMAC Verify does, failing with the same error.
func (p *macPool) verify(signingInput string, sig []byte) error {
	s := p.states.Get().(*macState) //nolint:forcetypeassert // the pool holds nothing else
	defer p.states.Put(s)
	s.mac.Reset()
	s.input = append(s.input[:0], signingInput...)
	s.mac.Write(s.input)
	if !hmac.Equal(sig, s.mac.Sum(s.sum[:0])) {
		return jwt.ErrSignatureInvalid
	}
	return nil
}
