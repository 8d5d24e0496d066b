package jwtkit

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The claims decoder refuses a payload that names a claim twice, however it is spelled and
// however many claims come before.
func TestClaimsDecodeRefusesDuplicates(t *testing.T) {
	var c claims
	c.names = &claimNames{typ: "token_type", jti: "jti", userID: "user_id", refreshExp: "refresh_exp"}
	assert.ErrorIs(t, c.decode([]byte(`{"exp":1,"ex\u0070":2}`)), errDuplicateClaim)

	// Past the linear window the set takes over, duplicates still found; many claims are fine.
	many := `{`
	for i := range 40 {
		many += fmt.Sprintf(`"c%d":%d,`, i, i)
	}
	assert.NoError(t, c.decode([]byte(many+`"exp":1}`)), "forty custom claims are a valid token")
	assert.ErrorIs(t, c.decode([]byte(many+`"c3":1}`)), errDuplicateClaim)
	assert.ErrorIs(t, c.decode([]byte(`{"c0":0,"c1":1,"c2":2,"c3":3,"c4":4,"c5":5,"c6":6,"c7":7,"c8":8,"c9":9,"c10":0,"c11":0,"c12":0,"c13":0,"c14":0,"c15":0,"c0":1}`)), errDuplicateClaim, "the first key past the window is checked against the window")
}

func TestWellFormed(t *testing.T) {
	for tok, ok := range map[string]bool{
		"a.b.c": true, "A-_9.b.c": true, "": false, "a.b": false, "a.b.c.d": false, ".b.c": false,
		"a..c": false, "a.b.": false, "a.b.c=": false, "a+b.c.d": false, "a.b.c\n": false, "a. b.c": false,
		"a.b.c\x00": false, "é.b.c": false,
	} {
		assert.Equal(t, ok, wellFormed(tok, 100), "%q", tok)
	}
	assert.False(t, wellFormed("aaaa.b.c", 7), "length cap")
}
