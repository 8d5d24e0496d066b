package jwtkit_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// jwksServer is an issuer's JWKS endpoint on loopback. The test sets its document or replaces
// its answer, and reads how many requests it got and how many ran at once.
type jwksServer struct {
	*httptest.Server
	mu          sync.Mutex
	doc         []byte
	answer      http.HandlerFunc // when set, answers instead of doc
	requests    atomic.Int64
	inFlight    atomic.Int64
	maxInFlight atomic.Int64
}

func newJWKSServer(t *testing.T, keys ...*jwtkit.Key) *jwksServer {
	t.Helper()
	s := &jwksServer{doc: jwksDoc(t, keys...)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxInFlight.Load(); n > m && !s.maxInFlight.CompareAndSwap(m, n); m = s.maxInFlight.Load() {
	}
	s.mu.Lock()
	doc, answer := s.doc, s.answer
	s.mu.Unlock()
	if answer != nil {
		answer(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

// setKeys publishes keys' public halves and ends any replaced answer.
func (s *jwksServer) setKeys(t *testing.T, keys ...*jwtkit.Key) {
	doc := jwksDoc(t, keys...)
	s.mu.Lock()
	s.doc, s.answer = doc, nil
	s.mu.Unlock()
}

func (s *jwksServer) setAnswer(h http.HandlerFunc) {
	s.mu.Lock()
	s.answer = h
	s.mu.Unlock()
}

func jwksDoc(t *testing.T, keys ...*jwtkit.Key) []byte {
	t.Helper()
	doc := struct {
		Keys []jwtkit.JWK `json:"keys"`
	}{Keys: []jwtkit.JWK{}}
	for _, k := range keys {
		j, err := k.PublicJWK()
		require.NoError(t, err)
		doc.Keys = append(doc.Keys, j)
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return b
}

// issuer is another service's Auth, signing with its own ES256 key.
type issuer struct {
	auth *jwtkit.Auth
	key  *jwtkit.Key
}

func newIssuer(t *testing.T, c *clock, kid string) *issuer {
	t.Helper()
	key, err := jwtkit.GenerateKey(jwtkit.ES256, kid)
	require.NoError(t, err)
	a, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: newTestStore(), Stateless: true, Clock: c.Now,
		AccessTokenLifetime: 24 * time.Hour})
	require.NoError(t, err)
	return &issuer{auth: a, key: key}
}

func (i *issuer) token(t *testing.T) string {
	t.Helper()
	p, err := i.auth.IssuePair(t.Context(), jwtkit.IntUserID(42), nil)
	require.NoError(t, err)
	return p.Access
}

func newRemote(t *testing.T, srv *jwksServer, c *clock, edit ...func(*jwtkit.RemoteKeySetConfig)) *jwtkit.RemoteKeySet {
	t.Helper()
	cfg := jwtkit.RemoteKeySetConfig{URL: srv.URL + "/.well-known/jwks.json", Clock: c.Now}
	for _, f := range edit {
		f(&cfg)
	}
	rs, err := jwtkit.NewRemoteKeySet(t.Context(), cfg)
	require.NoError(t, err)
	return rs
}

// verifierAuth is a verify-only Auth: no signing key, no verifying key, only the remote set.
func verifierAuth(t *testing.T, rs *jwtkit.RemoteKeySet, c *clock) *jwtkit.Auth {
	t.Helper()
	a, err := jwtkit.New(jwtkit.Config{RemoteKeys: rs, Store: newTestStore(), Stateless: true, Clock: c.Now})
	require.NoError(t, err)
	require.False(t, a.CanIssue())
	return a
}

// newVerifier is verifierAuth's Validate for access tokens, safe to call from any goroutine.
func newVerifier(t *testing.T, rs *jwtkit.RemoteKeySet, c *clock) func(tok string) error {
	t.Helper()
	a, ctx := verifierAuth(t, rs, c), t.Context()
	return func(tok string) error {
		_, err := a.Validate(ctx, tok, jwtkit.TypeAccess)
		return err
	}
}

func kids(keys []*jwtkit.Key) []string {
	out := []string{}
	for _, k := range keys {
		out = append(out, k.KeyID())
	}
	return out
}

func TestRemoteKeySetVerifiesIssuerTokens(t *testing.T) {
	c := newClock()
	ia := newIssuer(t, c, "a")
	srv := newJWKSServer(t, ia.key)
	rs := newRemote(t, srv, c)
	v := verifierAuth(t, rs, c)
	ctx := t.Context()

	keys := rs.Keys()
	require.Len(t, keys, 1)
	assert.Equal(t, "a", keys[0].KeyID())
	assert.Equal(t, jwtkit.ES256, keys[0].Algorithm())
	assert.False(t, keys[0].CanSign())
	assert.Equal(t, 0, rs.Skipped())

	tokA := ia.token(t)
	tok, err := v.Validate(ctx, tokA, jwtkit.TypeAccess)
	require.NoError(t, err)
	assert.Equal(t, "a", tok.KeyID)
	assert.Equal(t, "42", tok.UserID.String())
	require.True(t, jwtkit.CacheHolds(v, tokA), "a remote key's token is cached like any other")
	_, err = v.Validate(ctx, tokA, jwtkit.TypeAccess)
	require.NoError(t, err, "served from the cache while its key is in the set")
	assert.Equal(t, int64(1), srv.requests.Load(), "a fresh set is not fetched again")

	// Another key under the same kid and alg: the signature decides.
	forger := newIssuer(t, c, "a")
	_, err = v.Validate(ctx, forger.token(t), jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)

	t.Run("a local key is never shadowed", func(t *testing.T) {
		local := newIssuer(t, c, "a")
		a, err := jwtkit.New(jwtkit.Config{VerifyingKeys: []*jwtkit.Key{local.key.Public()}, RemoteKeys: rs,
			Store: newTestStore(), Stateless: true, Clock: c.Now})
		require.NoError(t, err)
		_, err = a.Validate(ctx, tokA, jwtkit.TypeAccess)
		assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "kid a is the configured key, the remote one is not consulted")
		_, err = a.Validate(ctx, local.token(t), jwtkit.TypeAccess)
		assert.NoError(t, err)
	})
}

func TestRemoteKeySetPicksUpANewKid(t *testing.T) {
	c := newClock()
	ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
	srv := newJWKSServer(t, ia.key)
	rs := newRemote(t, srv, c)
	validate := newVerifier(t, rs, c)
	tokB := ib.token(t)

	srv.setKeys(t, ia.key, ib.key) // the issuer rotates: b is published next to a
	assert.ErrorIs(t, validate(tokB), jwtkit.ErrTokenInvalid, "the set was fetched just now: no new fetch yet")
	assert.Equal(t, int64(1), srv.requests.Load())

	c.Advance(jwtkit.DefaultRemoteMinRefreshInterval)
	require.NoError(t, validate(tokB), "the first token with the new kid fetches the set")
	assert.Equal(t, int64(2), srv.requests.Load())
	assert.Equal(t, []string{"a", "b"}, kids(rs.Keys()))
	require.NoError(t, validate(ia.token(t)))
	require.NoError(t, validate(ib.token(t)))
	assert.Equal(t, int64(2), srv.requests.Load(), "known kids in a fresh set fetch nothing")
}

func TestRemoteKeyRemovedStopsCachedTokens(t *testing.T) {
	removals := map[string]func(t *testing.T, c *clock, rs *jwtkit.RemoteKeySet){
		"after RefreshInterval": func(_ *testing.T, c *clock, _ *jwtkit.RemoteKeySet) {
			c.Advance(jwtkit.DefaultRemoteRefreshInterval)
		},
		"after Refresh": func(t *testing.T, _ *clock, rs *jwtkit.RemoteKeySet) {
			require.NoError(t, rs.Refresh(t.Context()))
		},
	}
	for name, refresh := range removals {
		t.Run(name, func(t *testing.T) {
			c := newClock()
			ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
			srv := newJWKSServer(t, ia.key, ib.key)
			rs := newRemote(t, srv, c)
			v := verifierAuth(t, rs, c)
			ctx := t.Context()
			tokA, tokB := ia.token(t), ib.token(t)
			for _, tok := range []string{tokA, tokB} {
				_, err := v.Validate(ctx, tok, jwtkit.TypeAccess)
				require.NoError(t, err)
				require.True(t, jwtkit.CacheHolds(v, tok))
			}

			srv.setKeys(t, ib.key) // the issuer removes a
			_, err := v.Validate(ctx, tokA, jwtkit.TypeAccess)
			require.NoError(t, err, "until the set is refreshed, the verifier cannot know")
			require.True(t, jwtkit.CacheHolds(v, tokA))

			refresh(t, c, rs)
			_, err = v.Validate(ctx, tokA, jwtkit.TypeAccess)
			require.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
			assert.NotErrorIs(t, err, jwtkit.ErrTokenExpired, "refused for its key, not its age")
			assert.False(t, jwtkit.CacheHolds(v, tokA), "the entry of a removed key is dropped")
			_, err = v.Validate(ctx, tokA, jwtkit.TypeAccess)
			assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
			_, err = v.Validate(ctx, tokB, jwtkit.TypeAccess)
			assert.NoError(t, err)
			assert.Equal(t, int64(2), srv.requests.Load(), "one refresh; the removed kid does not refetch at once")
		})
	}
}

func TestRemoteKeySetFailedFetchKeepsLastSet(t *testing.T) {
	type mode struct {
		fail    func(t *testing.T, srv *jwksServer, full []byte)
		refused bool // the server is gone: requests cannot be counted
	}
	modes := map[string]mode{
		"status 500 with a full document": {fail: func(_ *testing.T, srv *jwksServer, full []byte) {
			srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write(full)
			})
		}},
		"not JSON": {fail: func(_ *testing.T, srv *jwksServer, full []byte) {
			srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(full[:len(full)/2]) })
		}},
		"no keys member": {fail: func(_ *testing.T, srv *jwksServer, _ []byte) {
			srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"kyes":[]}`)) })
		}},
		"no usable key": {fail: func(_ *testing.T, srv *jwksServer, _ []byte) {
			srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte(`{"keys":[{"kty":"oct","alg":"HS256","kid":"b","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}`))
			})
		}},
		"larger than the cap": {fail: func(_ *testing.T, srv *jwksServer, full []byte) {
			big := append(append(append([]byte{}, full[:len(full)-1]...), `,"padding":"`...), strings.Repeat("x", jwtkit.MaxRemoteKeySetBytes)+`"}`...)
			require.True(t, json.Valid(big))
			srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(big) })
		}},
		"redirect to another host": {fail: func(t *testing.T, srv *jwksServer, full []byte) {
			other := newJWKSServer(t)
			other.setAnswer(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(full) })
			t.Cleanup(func() { assert.Zero(t, other.requests.Load(), "redirects are not followed") })
			srv.setAnswer(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL, http.StatusFound) })
		}},
		"timeout": {fail: func(_ *testing.T, srv *jwksServer, full []byte) {
			srv.setAnswer(func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // answers only once the client gave up
				_, _ = w.Write(full)
			})
		}},
		"connection refused": {refused: true, fail: func(_ *testing.T, srv *jwksServer, _ []byte) { srv.Close() }},
	}
	for name, m := range modes {
		t.Run(name, func(t *testing.T) {
			c := newClock()
			ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
			srv := newJWKSServer(t, ia.key, ib.key)
			full := jwksDoc(t, ia.key, ib.key)
			rs := newRemote(t, srv, c, func(cfg *jwtkit.RemoteKeySetConfig) { cfg.Timeout = 200 * time.Millisecond })
			validate := newVerifier(t, rs, c)
			tokA, tokB := ia.token(t), ib.token(t)
			require.NoError(t, validate(tokA))
			require.NoError(t, validate(tokB))

			srv.setKeys(t, ia.key) // the issuer removes b
			require.NoError(t, rs.Refresh(t.Context()))
			require.ErrorIs(t, validate(tokB), jwtkit.ErrTokenInvalid)

			m.fail(t, srv, full)
			requests := func() int64 { return srv.requests.Load() }
			before := requests()
			c.Advance(jwtkit.DefaultRemoteRefreshInterval)
			require.NoError(t, validate(tokA), "the stale set's refresh fails: a stays in force")
			require.NoError(t, validate(tokA))
			if !m.refused {
				assert.Equal(t, before+1, requests(), "one attempt, then none until MinRefreshInterval")
			}
			assert.ErrorIs(t, rs.Refresh(t.Context()), jwtkit.ErrKeySetUnavailable, "a fetch that fails at run time is no configuration error")
			assert.Equal(t, []string{"a"}, kids(rs.Keys()))
			assert.ErrorIs(t, validate(tokB), jwtkit.ErrTokenInvalid, "a failed fetch never brings back a removed key")

			c.Advance(jwtkit.DefaultRemoteMinRefreshInterval)
			assert.ErrorIs(t, validate(tokB), jwtkit.ErrTokenInvalid)
			assert.ErrorIs(t, validate(tokB), jwtkit.ErrTokenInvalid)
			require.NoError(t, validate(tokA))
			if m.refused {
				return
			}
			assert.Equal(t, before+3, requests(), "the stale refresh, Refresh, one attempt for the unknown kid")

			srv.setKeys(t, ia.key, ib.key) // the issuer is back and publishes b again
			c.Advance(jwtkit.DefaultRemoteMinRefreshInterval)
			require.NoError(t, validate(tokB))
		})
	}
}

// forgeHeader returns tok with its header replaced by header (the signature no longer matches,
// which does not matter to a token refused for its kid).
func forgeHeader(t *testing.T, tok string, header map[string]any) string {
	t.Helper()
	hb, err := json.Marshal(header)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(hb) + tok[strings.IndexByte(tok, '.'):]
}

func randomKID(t *testing.T) string {
	b := make([]byte, 12)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func TestRemoteKeySetUnknownKidSpray(t *testing.T) {
	c := newClock()
	ia := newIssuer(t, c, "a")
	srv := newJWKSServer(t, ia.key)
	rs := newRemote(t, srv, c)
	validate := newVerifier(t, rs, c)
	tokA := ia.token(t)

	spray := func() {
		t.Helper()
		tokens := make(chan string)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for tok := range tokens {
					assert.ErrorIs(t, validate(tok), jwtkit.ErrTokenInvalid)
				}
			})
		}
		for range 1000 {
			tokens <- forgeHeader(t, tokA, map[string]any{"alg": "ES256", "typ": "JWT", "kid": randomKID(t)})
		}
		close(tokens)
		wg.Wait()
	}
	spray()
	assert.Equal(t, int64(1), srv.requests.Load(), "the construction's fetch is recent: no fetch")
	c.Advance(jwtkit.DefaultRemoteMinRefreshInterval)
	spray()
	assert.Equal(t, int64(2), srv.requests.Load(), "one fetch for 1000 unknown kids")
	c.Advance(jwtkit.DefaultRemoteMinRefreshInterval - time.Second)
	spray()
	assert.Equal(t, int64(2), srv.requests.Load())
	c.Advance(time.Second)
	spray()
	assert.Equal(t, int64(3), srv.requests.Load())
	require.NoError(t, validate(tokA))
}

func TestRemoteKeySetFetchesOneAtATime(t *testing.T) {
	c := newClock()
	ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
	srv := newJWKSServer(t, ia.key)
	rs := newRemote(t, srv, c)
	v := verifierAuth(t, rs, c)
	ctx := t.Context()
	tokA, tokB := ia.token(t), ib.token(t)
	_, err := v.Validate(ctx, tokA, jwtkit.TypeAccess)
	require.NoError(t, err)

	// hold makes every fetch wait for the returned release, and reports each one's arrival.
	hold := func() (entered chan struct{}, release func()) {
		entered, gate := make(chan struct{}, 64), make(chan struct{})
		doc := jwksDoc(t, ia.key, ib.key)
		srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
			entered <- struct{}{}
			<-gate
			_, _ = w.Write(doc)
		})
		return entered, func() { close(gate) }
	}
	// Nothing observable marks a goroutine as waiting for the fetch: give them the time.
	letThemQueue := func() { time.Sleep(50 * time.Millisecond) }

	t.Run("lookups of a new kid share one fetch", func(t *testing.T) {
		entered, release := hold()
		c.Advance(jwtkit.DefaultRemoteMinRefreshInterval)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = v.Validate(ctx, tokB, jwtkit.TypeAccess) })
		}
		<-entered
		letThemQueue()
		assert.Equal(t, int64(1), srv.inFlight.Load())
		release()
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err, "each waited for the fetch and found b")
		}
		assert.Equal(t, int64(2), srv.requests.Load())
	})

	t.Run("Refresh calls run one after another", func(t *testing.T) {
		entered, release := hold()
		before := srv.requests.Load()
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { assert.NoError(t, rs.Refresh(ctx)) })
		}
		<-entered
		letThemQueue()
		assert.Equal(t, int64(1), srv.inFlight.Load())
		assert.Equal(t, before+1, srv.requests.Load())
		release()
		wg.Wait()
		assert.Equal(t, before+4, srv.requests.Load())
	})

	t.Run("a known kid does not wait for a fetch under way", func(t *testing.T) {
		entered, release := hold()
		defer release()
		go func() { _ = rs.Refresh(ctx) }()
		<-entered
		c.Advance(jwtkit.DefaultRemoteRefreshInterval) // the set is stale and a refresh is due
		done := make(chan error, 2)
		fresh := ib.token(t)
		go func() {
			_, err := v.Validate(ctx, tokA, jwtkit.TypeAccess) // a cache hit: holds
			done <- err
			_, err = v.Validate(ctx, fresh, jwtkit.TypeAccess) // a parse: lookup
			done <- err
		}()
		for range 2 {
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("a lookup of a known kid waited for the fetch")
			}
		}
	})
	assert.Equal(t, int64(1), srv.maxInFlight.Load(), "never two fetches at once")
}

func TestRemoteKeySetNeverFollowsTokenHeaders(t *testing.T) {
	c := newClock()
	ia := newIssuer(t, c, "a")
	srv := newJWKSServer(t, ia.key)
	rs := newRemote(t, srv, c)
	validate := newVerifier(t, rs, c)

	evilPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	evilKey, err := jwtkit.NewPublicKey(jwtkit.ES256, &evilPriv.PublicKey, "evil")
	require.NoError(t, err)
	evil := newJWKSServer(t, evilKey)
	evilJWK, err := evilKey.PublicJWK()
	require.NoError(t, err)
	now := c.Now()
	forge := func(kid string, header map[string]any) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"token_type": "access", "user_id": 1,
			"jti": "9f86d081884c7d659a2feaa0c55ad015", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
		tok.Header["kid"] = kid
		maps.Copy(tok.Header, header)
		s, err := tok.SignedString(evilPriv)
		require.NoError(t, err)
		return s
	}
	// The forged claims are good: with the attacker's key configured, the token would pass.
	trusting, err := jwtkit.New(jwtkit.Config{VerifyingKeys: []*jwtkit.Key{evilKey}, Store: newTestStore(), Stateless: true, Clock: c.Now})
	require.NoError(t, err)
	_, err = trusting.Validate(t.Context(), forge("evil", nil), jwtkit.TypeAccess)
	require.NoError(t, err)

	headers := map[string]map[string]any{
		"jku": {"jku": evil.URL},
		"x5u": {"x5u": evil.URL + "/cert.pem"},
		"jwk": {"jwk": evilJWK},
		"all": {"jku": evil.URL, "x5u": evil.URL, "jwk": evilJWK},
	}
	for round := range 2 {
		for name, h := range headers {
			for _, kid := range []string{"evil", "a"} {
				assert.ErrorIs(t, validate(forge(kid, h)), jwtkit.ErrTokenInvalid, "%s, kid %s", name, kid)
			}
		}
		if round == 0 {
			c.Advance(jwtkit.DefaultRemoteMinRefreshInterval) // the next unknown kid may fetch: the configured URL
		}
	}
	assert.Zero(t, evil.requests.Load(), "no header ever makes the verifier fetch")
	assert.Equal(t, int64(2), srv.requests.Load())
}

func TestNewRemoteKeySetRefusesBadConfig(t *testing.T) {
	c := newClock()
	ia := newIssuer(t, c, "a")
	srv := newJWKSServer(t, ia.key)
	ctx := t.Context()
	// Every connection goes to srv whatever the URL's host, so only the URL check can refuse.
	var dialer net.Dialer
	toSrv := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, srv.Listener.Addr().String())
	}}}
	_, err := jwtkit.NewRemoteKeySet(ctx, jwtkit.RemoteKeySetConfig{URL: "http://127.0.0.2/jwks.json", Client: toSrv})
	require.NoError(t, err, "the redirected client reaches srv")
	for _, u := range []string{"", "jwks.json", "/jwks.json", "//127.0.0.1/jwks.json", "http://example.com/jwks.json",
		"http://10.0.0.1/jwks.json", "http://192.168.1.10:8080/jwks.json", "http://localhost.example.com/jwks.json",
		"http://localhost-1/jwks.json", "http://127.0.0.1.nip.io/jwks.json", "ftp://127.0.0.1/jwks.json",
		"https:///jwks.json", "https:jwks.json", "ws://127.0.0.1/jwks.json", "http://[::ffff:10.0.0.1]/jwks.json"} {
		before := srv.requests.Load()
		_, err := jwtkit.NewRemoteKeySet(ctx, jwtkit.RemoteKeySetConfig{URL: u, Client: toSrv})
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, u)
		assert.Equal(t, before, srv.requests.Load(), "%s is refused before any request", u)
	}
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	for _, u := range []string{srv.URL, "http://localhost" + port, "HTTP://LocalHost" + port + "/jwks.json"} {
		_, err := jwtkit.NewRemoteKeySet(ctx, jwtkit.RemoteKeySetConfig{URL: u, Clock: c.Now})
		assert.NoError(t, err, u)
	}

	for name, cfg := range map[string]jwtkit.RemoteKeySetConfig{
		"negative RefreshInterval":        {RefreshInterval: -time.Second},
		"negative MinRefreshInterval":     {MinRefreshInterval: -time.Second},
		"negative Timeout":                {Timeout: -time.Second},
		"MinRefresh over RefreshInterval": {RefreshInterval: time.Minute, MinRefreshInterval: 2 * time.Minute},
	} {
		cfg.URL = srv.URL
		_, err := jwtkit.NewRemoteKeySet(ctx, cfg)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
	}

	failing := newJWKSServer(t)
	for name, answer := range map[string]http.HandlerFunc{
		"status 404":    func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
		"empty set":     func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"keys":[]}`)) },
		"null":          func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`null`)) },
		"only an array": func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwksDoc(t, ia.key)[len(`{"keys":`):]) },
	} {
		failing.setAnswer(answer)
		rs, err := jwtkit.NewRemoteKeySet(ctx, jwtkit.RemoteKeySetConfig{URL: failing.URL})
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
		assert.Nil(t, rs)
	}

	var unbuilt jwtkit.RemoteKeySet
	assert.ErrorIs(t, unbuilt.Refresh(ctx), jwtkit.ErrInvalidConfig)
	assert.Empty(t, unbuilt.Keys())
	_, err = jwtkit.New(jwtkit.Config{RemoteKeys: &unbuilt, Store: newTestStore(), Stateless: true})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "a zero RemoteKeySet is refused by New")
	_, err = jwtkit.New(jwtkit.Config{RemoteKeys: nil, Store: newTestStore(), Stateless: true})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "no key of any kind")
}

func TestRemoteKeySetSkipsUnusableJWKs(t *testing.T) {
	c := newClock()
	ia, dup1, dup2 := newIssuer(t, c, "a"), newIssuer(t, c, "dup"), newIssuer(t, c, "dup")
	jwk := func(k *jwtkit.Key, edit func(*jwtkit.JWK)) jwtkit.JWK {
		j, err := k.PublicJWK()
		require.NoError(t, err)
		edit(&j)
		return j
	}
	hs, err := jwtkit.GenerateKey(jwtkit.HS256, "hs")
	require.NoError(t, err)
	oct, err := hs.PrivateJWK()
	require.NoError(t, err)
	priv, err := newIssuer(t, c, "priv").key.PrivateJWK()
	require.NoError(t, err)
	doc, err := json.Marshal(map[string]any{"keys": []any{
		jwk(ia.key, func(*jwtkit.JWK) {}),
		jwk(newIssuer(t, c, "x").key, func(j *jwtkit.JWK) { j.Kid = "" }),
		jwk(newIssuer(t, c, "rs1").key, func(j *jwtkit.JWK) { j.Alg = "RS1" }),
		jwk(newIssuer(t, c, "enc").key, func(j *jwtkit.JWK) { j.Use = "enc" }),
		priv,
		oct,
		jwk(dup1.key, func(*jwtkit.JWK) {}),
		jwk(dup2.key, func(*jwtkit.JWK) {}),
		5,
		map[string]any{"kty": 3, "kid": "num"},
	}})
	require.NoError(t, err)
	srv := newJWKSServer(t)
	srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(doc) })
	rs := newRemote(t, srv, c)
	validate := newVerifier(t, rs, c)

	assert.Equal(t, []string{"a"}, kids(rs.Keys()))
	assert.Equal(t, 9, rs.Skipped())
	require.NoError(t, validate(ia.token(t)))
	assert.ErrorIs(t, validate(dup1.token(t)), jwtkit.ErrTokenInvalid, "two keys under one kid: neither is used")
	assert.ErrorIs(t, validate(dup2.token(t)), jwtkit.ErrTokenInvalid)
}

func TestRemoteKeySetRefreshKeepsUnchangedKeys(t *testing.T) {
	c := newClock()
	ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
	srv := newJWKSServer(t, ia.key, ib.key)
	rs := newRemote(t, srv, c)
	v := verifierAuth(t, rs, c)
	ctx := t.Context()
	tokA, tokB := ia.token(t), ib.token(t)
	for _, tok := range []string{tokA, tokB} {
		_, err := v.Validate(ctx, tok, jwtkit.TypeAccess)
		require.NoError(t, err)
	}
	first := rs.Keys()

	require.NoError(t, rs.Refresh(ctx))
	second := rs.Keys()
	require.Len(t, second, 2)
	assert.Same(t, first[0], second[0], "an unchanged key keeps its *Key, so its cached tokens stay valid")
	assert.Same(t, first[1], second[1])

	rekeyed := newIssuer(t, c, "b") // the issuer replaces b's material under the same kid
	srv.setKeys(t, ia.key, rekeyed.key)
	require.NoError(t, rs.Refresh(ctx))
	third := rs.Keys()
	assert.Same(t, first[0], third[0])
	assert.NotSame(t, first[1], third[1])

	_, err := v.Validate(ctx, tokB, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "the cached token of b's old material is refused")
	assert.False(t, jwtkit.CacheHolds(v, tokB))
	_, err = v.Validate(ctx, rekeyed.token(t), jwtkit.TypeAccess)
	assert.NoError(t, err)
	_, err = v.Validate(ctx, tokA, jwtkit.TypeAccess)
	assert.NoError(t, err)
}

// TestRemoteKeySetRefreshDuringValidation runs validations against refreshes that alternate
// between a set with a and b and one with b only. Whenever no refresh overlapped a call, its
// answer must be exactly the current set's; b, in both sets, must always pass; run with -race.
func TestRemoteKeySetRefreshDuringValidation(t *testing.T) {
	c := newClock()
	ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
	srv := newJWKSServer(t, ia.key, ib.key)
	rs := newRemote(t, srv, c)
	v := verifierAuth(t, rs, c)
	ctx := t.Context()
	tokA, tokB := ia.token(t), ib.token(t)
	sets := [2][]*jwtkit.Key{{ia.key, ib.key}, {ib.key}}

	// gen is even while set[(gen/2)%2] is current and no refresh runs, odd during a refresh.
	var gen atomic.Int64
	var checked [2]atomic.Int64 // decisive answers for a, by set
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				tok := tokB
				if (n+i)%2 == 0 {
					tok = tokA
				}
				g0 := gen.Load()
				_, err := v.Validate(ctx, tok, jwtkit.TypeAccess)
				g1 := gen.Load()
				switch {
				case tok == tokB:
					assert.NoError(t, err, "b is in every set")
				case g0 == g1 && g0%2 == 0:
					set := (g0 / 2) % 2
					checked[set].Add(1)
					if set == 0 {
						assert.NoError(t, err, "a is in the current set")
					} else {
						assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "a was removed")
					}
				default:
					if err != nil {
						assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
					}
				}
			}
		})
	}
	const refreshes = 101 // odd: the set without a is current at the end
	for i := 1; i <= refreshes; i++ {
		gen.Add(1)
		srv.setKeys(t, sets[i%2]...)
		require.NoError(t, rs.Refresh(ctx))
		gen.Add(1)
		// Let some validations run against the settled set, so both sets get decisive answers.
		want, deadline := checked[i%2].Load()+5, time.Now().Add(100*time.Millisecond)
		for checked[i%2].Load() < want && time.Now().Before(deadline) {
			runtime.Gosched()
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("decisive answers for a: %d with a in the set, %d without", checked[0].Load(), checked[1].Load())
	assert.Positive(t, checked[0].Load(), "some answers were checked against the set with a")
	assert.Positive(t, checked[1].Load(), "some answers were checked against the set without a")

	_, err := v.Validate(ctx, tokA, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
	assert.False(t, jwtkit.CacheHolds(v, tokA))
	_, err = v.Validate(ctx, tokB, jwtkit.TypeAccess)
	assert.NoError(t, err)
	assert.Equal(t, []string{"b"}, kids(rs.Keys()))
}

// A lookup waits for a JWKS fetch only as long as its request lives: a client that leaves gets
// its answer at once, and the fetch its request started still ends, once, for the requests that
// stay.
func TestRemoteKeySetLookupHonoursTheRequestContext(t *testing.T) {
	c := newClock()
	ia, ib := newIssuer(t, c, "a"), newIssuer(t, c, "b")
	srv := newJWKSServer(t, ia.key)
	rs := newRemote(t, srv, c)
	v := verifierAuth(t, rs, c)
	entered, gate := make(chan struct{}, 8), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release) // before the server's Close, which waits for its handlers
	doc := jwksDoc(t, ia.key, ib.key)
	srv.setAnswer(func(w http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-gate
		_, _ = w.Write(doc)
	})
	c.Advance(jwtkit.DefaultRemoteMinRefreshInterval)
	tokB := ib.token(t)

	gone, leave := context.WithCancel(t.Context())
	left := make(chan error, 1)
	go func() { _, err := v.Validate(gone, tokB, jwtkit.TypeAccess); left <- err }()
	<-entered // the fetch this request started is under way
	stayed := make(chan error, 1)
	go func() { _, err := v.Validate(t.Context(), tokB, jwtkit.TypeAccess); stayed <- err }()
	leave()
	select {
	case err := <-left:
		assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "a kid that could not be looked up is refused")
		assert.ErrorContains(t, err, context.Canceled.Error(), "and the error says why")
	case <-time.After(5 * time.Second):
		t.Fatal("a lookup whose request ended still waited for the fetch")
	}
	release()
	select {
	case err := <-stayed:
		assert.NoError(t, err, "the fetch went on for the request that stayed, and brought b")
	case <-time.After(5 * time.Second):
		t.Fatal("the fetch never ended")
	}
	assert.Equal(t, int64(2), srv.requests.Load(), "one fetch for both requests")
	assert.Equal(t, []string{"a", "b"}, kids(rs.Keys()))
}
