package jwtkit

import (
	"net/netip"
	"strings"
)

// The client address of a token-endpoint request (login rate limiting, audit events) has one
// rule on every adapter: the connection's peer, unless that peer is one of
// Config.TrustedProxies; then Config.ForwardedForHeader is read from the right, past every
// trusted proxy, and the first address not trusted is the client. A forwarding header from any
// other peer is ignored: a client cannot pick the address its failed logins count against.

// clientAddr applies that rule to req.
func (a *Auth) clientAddr(req Request) string {
	peer := req.ClientAddr
	if len(a.cfg.TrustedProxies) == 0 || !a.trusted(peer) {
		return peer
	}
	hops := req.header(a.cfg.ForwardedForHeader)
	// Every hop, right to left, across repeated header lines (FieldLines) as across commas.
	for hops != "" {
		i := strings.LastIndexAny(hops, ",\n")
		hop := strings.TrimSpace(hops[i+1:])
		hops = hops[:max(i, 0)]
		if hop == "" {
			continue
		}
		if !a.trusted(hop) {
			return hop
		}
		peer = hop
	}
	return peer // every hop is a trusted proxy: the leftmost one is as far as anyone can tell
}

// trusted reports whether addr is an IP address inside one of Config.TrustedProxies.
func (a *Auth) trusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
