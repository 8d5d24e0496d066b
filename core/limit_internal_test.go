package jwtkit

import (
	"strings"
	"testing"
)

func TestAddressKey(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.7":               "192.0.2.7",
		"::ffff:192.0.2.7":        "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":    "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9":    "2001:db8:1:2::/64",
		"fe80::1%eth0":            "fe80::/64",
		"not an address":          "h" + shortHash("not an address"),
		strings.Repeat("x", 5000): "h" + shortHash(strings.Repeat("x", 5000)),
	} {
		if got := addressKey(addr); got != want {
			t.Errorf("addressKey(%.20q) = %q, want %q", addr, got, want)
		}
	}
	if k := loginKeys("demo", strings.Repeat("y", 5000)); len(k[1]) > 64 {
		t.Errorf("an address key is bounded, got %d bytes", len(k[1]))
	}
}
