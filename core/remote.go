package jwtkit

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of RemoteKeySetConfig, applied by NewRemoteKeySet to zero-valued fields.
const (
	DefaultRemoteRefreshInterval    = 5 * time.Minute
	DefaultRemoteMinRefreshInterval = 30 * time.Second
	DefaultRemoteTimeout            = 10 * time.Second
	// MaxRemoteKeySetBytes caps the JWKS document read: a real one is a few KiB, and an
	// endpoint that answers more is not read into memory.
	MaxRemoteKeySetBytes = 1 << 20
)

// RemoteKeySetConfig configures NewRemoteKeySet.
type RemoteKeySetConfig struct {
	// URL is the issuer's JWKS document ({"keys":[...]}). It must be https, or http to a
	// loopback host (127.0.0.0/8, ::1, localhost) for tests and sidecars. It is the only place
	// keys are fetched from: a token's jku or x5u header is never followed. Required.
	URL string
	// Client makes the requests. Optional. Default: a client with Timeout that follows no
	// redirect (a 3xx answer is a failed fetch, so the URL alone says where keys come from).
	Client *http.Client
	// RefreshInterval is how old the set may get before the next lookup fetches it again.
	// Optional. Default: 5 minutes.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetch attempts made by lookups, so tokens
	// with made-up kids (or an issuer that is down) cause at most one request per interval.
	// Optional. Default: 30 seconds. It must not exceed RefreshInterval.
	MinRefreshInterval time.Duration
	// Timeout bounds each fetch, whatever the Client's own settings. Optional. Default: 10 s.
	Timeout time.Duration
	// Clock returns the current time. Optional. Default: time.Now. Tests set it.
	Clock func() time.Time
}

// RemoteKeySet is another issuer's JWKS, fetched from its URL and kept fresh, for verifying
// that issuer's tokens (Config.RemoteKeys). Only JWKs with a kid and an alg that JWK.Key
// accepts enter the set, each as a verification-only key of its own algorithm; a token selects
// one by its kid and must carry the key's alg.
//
// The set is an immutable snapshot replaced atomically. A lookup fetches the document again
// when the snapshot is older than RefreshInterval, or when a token names a kid the snapshot
// lacks (a key the issuer just added), but never more than once per MinRefreshInterval. The
// lookup that finds a fetch due starts it, and only one fetch runs at a time: meanwhile a lookup
// of an unknown kid waits for it and reads its result, a lookup of a known kid uses the current
// set. A lookup waits only as long as its request's context allows: the fetch runs on a
// goroutine of its own, bounded by Timeout and detached from the cancellation of the request
// that started it, so a client that leaves stops waiting without cutting the fetch short for
// the others, and the fetch counts as one attempt whoever waited for it. A failed fetch keeps
// the snapshot of the last successful one, so keys the issuer removed stay removed; a
// successful fetch replaces the set, and tokens of a key that left it, including those in the
// verified-token cache, are refused from then on. A token whose kid the set lacks is refused
// (ErrTokenInvalid) also when the fetch that could have brought it failed: a key that cannot
// be had verifies nothing.
//
// A RemoteKeySet is safe for concurrent use and may be shared by several Auths.
type RemoteKeySet struct {
	url        string
	client     *http.Client
	refresh    time.Duration
	minRefresh time.Duration
	timeout    time.Duration
	clock      func() time.Time

	snap        atomic.Pointer[keySnapshot]
	lastAttempt atomic.Int64 // UnixNano of the start of the last finished fetch attempt, successful or not

	mu       sync.Mutex // guards inflight
	inflight *keyFetch  // the fetch under way, nil when none: there is one at a time
}

// keyFetch is one fetch attempt; done is closed once its result is published and err is set.
type keyFetch struct {
	done chan struct{}
	err  error
}

// wait returns the fetch's error once it has ended, or ctx's error if ctx ends first.
func (f *keyFetch) wait(ctx context.Context) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// keySnapshot is one successfully fetched document. It is never modified once published.
type keySnapshot struct {
	keys      map[string]*Key
	fetchedAt time.Time
	skipped   int
}

var _ keySource = (*RemoteKeySet)(nil)

// NewRemoteKeySet checks cfg and fetches the set once, so a URL that does not give at least
// one usable key fails here rather than at the first token. Errors wrap ErrInvalidConfig: at
// start, a set that cannot be fetched is a setting that cannot work.
func NewRemoteKeySet(ctx context.Context, cfg RemoteKeySetConfig) (*RemoteKeySet, error) {
	if err := checkKeySetURL(cfg.URL); err != nil {
		return nil, err
	}
	setDuration := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	setDuration(&cfg.RefreshInterval, DefaultRemoteRefreshInterval)
	setDuration(&cfg.MinRefreshInterval, DefaultRemoteMinRefreshInterval)
	setDuration(&cfg.Timeout, DefaultRemoteTimeout)
	switch {
	case cfg.RefreshInterval < 0 || cfg.MinRefreshInterval < 0 || cfg.Timeout < 0:
		return nil, fmt.Errorf("%w: RemoteKeySetConfig durations must not be negative", ErrInvalidConfig)
	case cfg.MinRefreshInterval > cfg.RefreshInterval:
		return nil, fmt.Errorf("%w: MinRefreshInterval %v exceeds RefreshInterval %v", ErrInvalidConfig, cfg.MinRefreshInterval, cfg.RefreshInterval)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			Timeout:       cfg.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	r := &RemoteKeySet{url: cfg.URL, client: cfg.Client, refresh: cfg.RefreshInterval,
		minRefresh: cfg.MinRefreshInterval, timeout: cfg.Timeout, clock: cfg.Clock}
	if err := r.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return r, nil
}

// checkKeySetURL allows https anywhere and plain http only where nobody else is on the path.
func checkKeySetURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: RemoteKeySetConfig.URL %q is not an absolute URL", ErrInvalidConfig, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("%w: RemoteKeySetConfig.URL %q: plain http is allowed to a loopback host only, use https", ErrInvalidConfig, raw)
	}
	return fmt.Errorf("%w: RemoteKeySetConfig.URL %q: the scheme must be https", ErrInvalidConfig, raw)
}

// Refresh fetches the set now, whatever its age and the rate limit, waiting for a fetch under
// way to finish first. On failure the current set stays in force (the attempt still counts
// for MinRefreshInterval) and the error, wrapping ErrKeySetUnavailable, says why. When ctx
// ends first, Refresh returns its error and the fetch goes on to its end (Timeout at most).
func (r *RemoteKeySet) Refresh(ctx context.Context) error {
	if r == nil || r.client == nil {
		return fmt.Errorf("%w: the RemoteKeySet was not built by NewRemoteKeySet", ErrInvalidConfig)
	}
	// Each pass waits for a whole fetch to end, so callers of Refresh take turns.
	for {
		f, started := r.begin(ctx, true)
		if started {
			return f.wait(ctx)
		}
		if err := f.wait(ctx); ctx.Err() != nil {
			return err
		}
	}
}

// Keys returns the keys of the current set, sorted by kid.
func (r *RemoteKeySet) Keys() []*Key {
	s := r.current()
	if s == nil {
		return nil
	}
	keys := make([]*Key, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b *Key) int { return strings.Compare(a.kid, b.kid) })
	return keys
}

// Skipped returns how many JWKs of the current set's document were left out: without kid,
// refused by JWK.Key (unknown alg, private or weak key...), or sharing their kid with another
// usable key, which makes both ambiguous.
func (r *RemoteKeySet) Skipped() int {
	if s := r.current(); s != nil {
		return s.skipped
	}
	return 0
}

func (r *RemoteKeySet) current() *keySnapshot {
	if r == nil {
		return nil
	}
	return r.snap.Load()
}

// lookup returns the key with this kid, refreshing the set first when it is stale or lacks
// the kid, within the rate limit. The error says why an unknown kid could not be looked up.
func (r *RemoteKeySet) lookup(ctx context.Context, kid string) (*Key, error) {
	return r.get(ctx, kid, true)
}

// holds reports whether k is still the current set's key for its kid. It refreshes a stale
// set like lookup does (without waiting for a fetch under way), so a token served from the
// cache sees a key's removal as soon as a token that goes through the parser would.
func (r *RemoteKeySet) holds(ctx context.Context, k *Key) bool {
	if k == nil {
		return false
	}
	cur, _ := r.get(ctx, k.kid, false)
	return cur == k
}

func (r *RemoteKeySet) get(ctx context.Context, kid string, fetchUnknown bool) (*Key, error) {
	s := r.snap.Load()
	k := s.keys[kid]
	now := r.clock()
	switch {
	case k != nil && now.Sub(s.fetchedAt) < r.refresh:
		return k, nil
	case k == nil && !fetchUnknown, !r.attemptDue(now):
		return k, nil
	}
	f, started := r.begin(ctx, false)
	switch {
	case f == nil: // someone fetched, or tried to, since the snapshot above was read
		return r.snap.Load().keys[kid], nil
	case k != nil && !started:
		// The key is known and the set merely old: the fetch under way will bring any news,
		// so this request does not wait for it.
		return k, nil
	}
	// The kid may be a key the issuer just added (or the set is stale and this call started
	// the fetch): wait for the fetch and read its result rather than refuse the token.
	err := f.wait(ctx)
	if cur := r.snap.Load().keys[kid]; cur != nil || err == nil {
		return cur, nil
	}
	return nil, err
}

func (r *RemoteKeySet) attemptDue(now time.Time) bool {
	return now.Sub(time.Unix(0, r.lastAttempt.Load())) >= r.minRefresh
}

// begin returns the fetch under way, or starts one: always with force, otherwise only while an
// attempt is due (nil when it is not). started reports that this call started it. The fetch
// runs on its own goroutine on ctx's values but not its cancellation, bounded by Timeout, so
// the caller that started it may stop waiting without ending it for the others.
func (r *RemoteKeySet) begin(ctx context.Context, force bool) (f *keyFetch, started bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inflight != nil {
		return r.inflight, false
	}
	// Checked under mu: a fetch records its attempt before it leaves inflight, so a lookup
	// that read the clock before that fetch ended does not start a second one.
	if !force && !r.attemptDue(r.clock()) {
		return nil, false
	}
	f = &keyFetch{done: make(chan struct{})}
	r.inflight = f
	detached := context.WithoutCancel(ctx)
	go func() {
		err := r.refreshNow(detached)
		r.mu.Lock()
		r.inflight = nil
		f.err = err
		r.mu.Unlock()
		close(f.done)
	}()
	return f, true
}

// refreshNow fetches and publishes a new snapshot; only the goroutine begin starts calls it.
func (r *RemoteKeySet) refreshNow(ctx context.Context) error {
	now := r.clock()
	keys, skipped, err := r.fetch(ctx)
	// Recorded when the attempt ends, so that until then a lookup of an unknown kid still
	// sees a fetch as due, joins it, and reads its result.
	r.lastAttempt.Store(now.UnixNano())
	if err != nil {
		return fmt.Errorf("%w: JWKS %s: %s", ErrKeySetUnavailable, r.url, err)
	}
	// An unchanged key keeps its *Key, so the verified-token cache entries it admitted, which
	// hold that pointer, stay valid across a refresh that changed nothing.
	if old := r.snap.Load(); old != nil {
		for kid, k := range keys {
			if o := old.keys[kid]; o != nil && sameKey(o, k) {
				keys[kid] = o
			}
		}
	}
	r.snap.Store(&keySnapshot{keys: keys, fetchedAt: now, skipped: skipped})
	return nil
}

// fetch GETs and parses the document. Its errors are descriptions for refreshNow to wrap.
func (r *RemoteKeySet) fetch(ctx context.Context) (map[string]*Key, int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("building the request: %v", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("request failed: %v", err)
	}
	defer func() { _ = resp.Body.Close() }() // a read-only body: nothing is lost if closing fails
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("answered status %d, want 200", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxRemoteKeySetBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the answer: %v", err)
	}
	if len(body) > MaxRemoteKeySetBytes {
		return nil, 0, fmt.Errorf("the document is larger than %d bytes", MaxRemoteKeySetBytes)
	}
	return parseKeySet(body)
}

// parseKeySet returns the usable keys of a JWKS document by kid, each marked remote, and how
// many JWKs it skipped. A document without a usable key is an error: an empty set would refuse
// every token, which is never what the issuer meant.
func parseKeySet(body []byte) (map[string]*Key, int, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Keys == nil {
		return nil, 0, fmt.Errorf(`the answer is not a JSON object with a "keys" array`)
	}
	keys := make(map[string]*Key, len(doc.Keys))
	ambiguous := map[string]bool{}
	skipped := 0
	for _, raw := range doc.Keys {
		var j JWK
		if json.Unmarshal(raw, &j) != nil || j.Kid == "" {
			skipped++
			continue
		}
		k, err := j.Key()
		switch {
		case err != nil || ambiguous[j.Kid]:
			skipped++
			continue
		case keys[j.Kid] != nil:
			// Two usable keys under one kid: which one a token means cannot be known.
			delete(keys, j.Kid)
			ambiguous[j.Kid] = true
			skipped += 2
			continue
		}
		k.remote = true
		keys[j.Kid] = k
	}
	if len(keys) == 0 {
		return nil, 0, fmt.Errorf("no usable key in the document (%d JWKs skipped)", skipped)
	}
	return keys, skipped, nil
}

// sameKey reports whether two keys have the same kid, algorithm and public key material.
func sameKey(a, b *Key) bool {
	if a.alg != b.alg || a.kid != b.kid {
		return false
	}
	eq, ok := a.pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b.pub)
}
