package jwtkit

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Authenticate's fast path (schemeToken, for a token with no byte <= 0x20) must find exactly
// the token of the general split.
func TestSchemeTokenAgreesWithSplit(t *testing.T) {
	a := &Auth{cfg: Config{AuthHeaderTypes: []string{"Bearer", "JWT"}}}
	alphabet := "aZ09-_.  \t\r\n\v\f\x00\x01\x1f\x20\x21\x7f\x80\xa0\xff"
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(h string) {
		t.Helper()
		got, ok := a.schemeToken(h)
		if !ok || !noByteAtOrBelowSpace(got) {
			return // Authenticate splits the header then
		}
		if want, err := a.headerToken(h); got != want || err != nil {
			t.Fatalf("header %q: fast %q, split (%q, %v)", h, got, want, err)
		}
	}
	for _, h := range []string{"", "Bearer", "Bearer ", "Bearer  x", "Bearer x", "JWT x", "bearer x", "Bearer x y", "Bearer x ",
		" Bearer x", "Bearer\tx", "Bearerx", "Bearer " + strings.Repeat("a", 257), "Bearer " + strings.Repeat("a", 256) + " "} {
		check(h)
	}
	for range 200_000 {
		var b strings.Builder
		if rng.IntN(4) > 0 {
			b.WriteString([]string{"Bearer ", "JWT ", "Bearer", "Bearer  "}[rng.IntN(4)])
		}
		for range rng.IntN(40) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		check(b.String())
	}
}

func TestNoByteAtOrBelowSpace(t *testing.T) {
	for c := range 256 {
		for pos := range 17 {
			s := []byte(strings.Repeat("x", 17))
			s[pos] = byte(c)
			want := c > ' '
			if got := noByteAtOrBelowSpace(string(s)); got != want {
				t.Fatalf("byte %#x at %d: got %v", c, pos, got)
			}
		}
	}
}
