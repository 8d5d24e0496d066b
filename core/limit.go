package jwtkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"time"
)

// Login rate limiting (Config.LoginRate): docs/design.md explains the choices.

// loginAttempt is one login counted against its keys until it turns out to succeed.
type loginAttempt struct {
	id   string
	keys []string
}

// loginKeys are the counters a login attempt is charged to: its username, hashed so the store
// never holds user names, and its client address when the adapter knows it (addressKey).
func loginKeys(username, addr string) []string {
	keys := []string{"login:u:" + shortHash(username)}
	if addr != "" {
		keys = append(keys, "login:a:"+addressKey(addr))
	}
	return keys
}

// addressKey is the counter of a client address: an IPv4 address as it is, an IPv6 address as
// its /64 (one subscriber usually holds a whole /64, so counting single addresses would let it
// rotate through them), and anything that is not an address (a framework's client-IP rule can
// pass header text through) hashed, so its size and bytes never reach the store.
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "h" + shortHash(addr)
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64) // a valid IPv6 address always has a /64
		return p.String()
	}
	return ip.String()
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// admitLogin counts this attempt against its username and its client address before the
// password is checked, so concurrent guesses cannot get past the limit. When one key is over
// the limit, the attempt is refused with the time until it frees up, and whatever was already
// counted for it is taken back. An unknown and a known username take the same path. One
// deadline (StoreTimeout) covers the whole admission, take-back included, so a login that
// meets a hung limiter answers within it.
func (a *Auth) admitLogin(ctx context.Context, username, addr string) (loginAttempt, time.Duration, error) {
	rate := a.cfg.LoginRate
	if rate.Limit <= 0 {
		return loginAttempt{}, 0, nil
	}
	ctx, cancel := a.limiterCtx(ctx)
	defer cancel()
	at := loginAttempt{id: newJTI()}
	now := a.now()
	for _, key := range loginKeys(username, addr) {
		wait, err := a.cfg.LoginLimiter.LoginAttempt(ctx, key, at.id, rate.Limit, rate.Per, now)
		if err != nil {
			a.takeBack(ctx, at)
			return loginAttempt{}, 0, fmt.Errorf("%w: login limiter: %w", ErrStoreUnavailable, err)
		}
		if wait > 0 {
			a.takeBack(ctx, at)
			return loginAttempt{}, wait, nil
		}
		at.keys = append(at.keys, key)
	}
	return at, 0, nil
}

// forgetLogin takes back the attempt of a login that succeeded, under a deadline of its own.
func (a *Auth) forgetLogin(ctx context.Context, at loginAttempt) {
	if len(at.keys) == 0 {
		return
	}
	ctx, cancel := a.limiterCtx(ctx)
	defer cancel()
	a.takeBack(ctx, at)
}

// takeBack removes a counted attempt from its keys. A failure to do so leaves the attempt
// counted as a failure, the safe side, so it is not the request's failure.
func (a *Auth) takeBack(ctx context.Context, at loginAttempt) {
	for _, key := range at.keys {
		_ = a.cfg.LoginLimiter.LoginForget(ctx, key, at.id)
	}
}

// throttled is DRF's 429 for a throttled request, with the wait rounded up to whole seconds in
// the body and in Retry-After.
func (a *Auth) throttled(wait time.Duration) Response {
	s := max(int64(math.Ceil(wait.Seconds())), 1)
	unit := "seconds"
	if s == 1 { // DRF's ngettext: "Expected available in 1 second."
		unit = "second"
	}
	r := a.respond(http.StatusTooManyRequests, detail{
		Detail: "Request was throttled. Expected available in " + strconv.FormatInt(s, 10) + " " + unit + ".",
		Code:   "throttled",
	})
	r.Header.Set("Retry-After", strconv.FormatInt(s, 10))
	return r
}
