package jws

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHeader(t *testing.T) {
	h, err := ParseHeader([]byte(`{"typ":"JWT","alg":"HS256","kid":"k\u0031","x5c":[1.5]}`))
	require.NoError(t, err)
	assert.Equal(t, "HS256", string(h.Alg))
	assert.Equal(t, "k1", string(h.KID))
	assert.True(t, h.HasKID)

	h, err = ParseHeader([]byte(` {"alg":"none"} `))
	require.NoError(t, err)
	assert.False(t, h.HasKID)

	for _, bad := range []string{
		``, `[]`, `"alg"`, `{}`, `{"kid":"a"}`, `{"alg":1}`, `{"alg":"HS256","kid":null}`,
		`{"alg":"HS256","alg":"none"}`, `{"alg":"HS256","\u0061lg":"none"}`,
		`{"alg":"HS256","crit":[]}`, `{"alg":"HS256","x":1e400}`, "{\"alg\":\"HS256\",\"x\":\"\xff\"}",
	} {
		_, err := ParseHeader([]byte(bad))
		assert.Error(t, err, "%q", bad)
	}
}
