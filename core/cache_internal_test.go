package jwtkit

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheEntryRecordsItsKey: the entry knows which key verified its token, the hook a
// future key removal needs. With two keys without kid, a token of the second is recorded
// with the second.
func TestCacheEntryRecordsItsKey(t *testing.T) {
	s := newDiffSetup(t)
	a := s.auths[0]
	claims := `{"token_type":"access","exp":` + strconv.FormatInt(diffNow.Unix()+60, 10) + `,"jti":"a","user_id":1}`
	for signer, want := range map[uint8]*Key{1: a.noKID[0], 2: a.noKID[1], 3: a.byKID["b"]} {
		header := `{"alg":"HS256"}`
		if signer == 3 {
			header = `{"alg":"HS256","kid":"b"}`
		}
		raw := s.token(t, header, claims, nil, signer, false)
		_, err := a.Validate(context.Background(), raw, TypeAccess)
		require.NoError(t, err)
		e := a.cache.Get(a.cache.Hash(raw), raw)
		require.NotNil(t, e)
		assert.Same(t, want, e.Value.key, "signer %d", signer)
	}
}
