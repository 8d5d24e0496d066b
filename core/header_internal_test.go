package jwtkit

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// The fast path of headerToken must answer exactly as the general split.
func TestTokenFromHeaderFastPathAgreesWithSplit(t *testing.T) {
	a := &Auth{cfg: Config{AuthHeaderTypes: []string{"Bearer", "JWT"}}}
	alphabet := "aZ09-_.  \t\r\n\v\f\x00\x01\x1f\x20\x21\x7f\x80\xa0\xff"
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(h string) {
		t.Helper()
		got, gotErr := a.headerToken(h)
		want, wantErr := a.splitHeader(h)
		if got != want || !errors.Is(gotErr, wantErr) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("header %q: fast (%q, %v), split (%q, %v)", h, got, gotErr, want, wantErr)
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
