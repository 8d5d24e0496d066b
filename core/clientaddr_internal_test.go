package jwtkit

import (
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	a := &Auth{cfg: Config{ForwardedForHeader: "X-Forwarded-For",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}}}
	none := &Auth{cfg: Config{ForwardedForHeader: "X-Forwarded-For"}}
	rows := []struct {
		name, peer, xff, want string
		auth                  *Auth
	}{
		{"no trusted proxies: the header is ignored", "10.0.0.1", "203.0.113.9", "10.0.0.1", none},
		{"an untrusted peer: the header is ignored", "192.0.2.1", "203.0.113.9", "192.0.2.1", a},
		{"a trusted peer without the header", "10.0.0.1", "", "10.0.0.1", a},
		{"one hop", "10.0.0.1", "203.0.113.9", "203.0.113.9", a},
		{"past every trusted hop, right to left", "10.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.2.3", "203.0.113.9", a},
		{"whatever the client wrote on the left", "10.0.0.1", "1.1.1.1,2.2.2.2 , 203.0.113.9", "203.0.113.9", a},
		{"header lines read as one list", "10.0.0.1", "198.51.100.1\n203.0.113.9, 10.0.0.2", "203.0.113.9", a},
		{"empty entries skipped", "10.0.0.1", " , 203.0.113.9,, ", "203.0.113.9", a},
		{"every hop trusted: the leftmost", "10.0.0.1", "10.9.9.9, 10.0.0.2", "10.9.9.9", a},
		{"not an address: kept as the client (the limiter hashes it)", "10.0.0.1", "unknown", "unknown", a},
		{"IPv6 proxy", "2001:db8::1", "2001:db8::2, 203.0.113.9", "203.0.113.9", a},
		{"an IPv4-mapped peer is the IPv4 proxy", "::ffff:10.0.0.1", "203.0.113.9", "203.0.113.9", a},
	}
	for _, r := range rows {
		req := Request{ClientAddr: r.peer, Header: func(name string) string {
			if name == "X-Forwarded-For" {
				return r.xff
			}
			return ""
		}}
		if got := r.auth.clientAddr(req); got != r.want {
			t.Errorf("%s: clientAddr = %q, want %q", r.name, got, r.want)
		}
	}
}
