package redisstore_test

import (
	"context"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	"github.com/jwtkit/jwtkit/stores/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The outage tests check that every core path that needs the store fails closed with
// jwtkit.ErrStoreUnavailable while the server cannot answer, within the caller's deadline,
// and that the same store instance works again by itself once the server is back.

const (
	// outageDeadline is the context deadline of each call made during an outage.
	outageDeadline = time.Second
	// shortDeadline is the deadline the deadline tests hold calls to.
	shortDeadline = 300 * time.Millisecond
	// slack is how late past its deadline a call may return on a loaded two-core machine.
	slack = 700 * time.Millisecond
	// recovery bounds how long the store may take to notice the server is back: a go-redis
	// pool that saw too many dials refused probes the server once a second.
	recovery = 15 * time.Second
)

// corePaths are the core calls that need the store, on one token pair.
func corePaths(auth *jwtkit.Auth, pair jwtkit.Pair, user string) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"Validate": func(ctx context.Context) error {
			_, err := auth.Validate(ctx, pair.Access, jwtkit.TypeAccess)
			return err
		},
		"Authenticate": func(ctx context.Context) error {
			_, err := auth.Authenticate(ctx, "Bearer "+pair.Access)
			return err
		},
		"Refresh": func(ctx context.Context) error {
			_, err := auth.Refresh(ctx, pair.Refresh)
			return err
		},
		"Blacklist":  func(ctx context.Context) error { return auth.Blacklist(ctx, pair.Refresh) },
		"RevokeUser": func(ctx context.Context) error { return auth.RevokeUser(ctx, jwtkit.StringUserID(user)) },
	}
}

// assertFailsClosed runs every core path with a deadline and checks that each returns
// ErrStoreUnavailable, never a pass, and returns by its deadline (plus slack).
func assertFailsClosed(t *testing.T, auth *jwtkit.Auth, user string, deadline time.Duration) {
	t.Helper()
	pair, err := auth.IssuePair(t.Context(), jwtkit.StringUserID(user), nil)
	require.NoError(t, err)
	for name, call := range corePaths(auth, pair, user) {
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		start := time.Now()
		err := call(ctx)
		took := time.Since(start)
		cancel()
		assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable, "%s while the server cannot answer", name)
		assert.Less(t, took, deadline+slack, "%s took %v with a deadline of %v", name, took, deadline)
	}
}

// assertRecovers waits until the store answers again, then checks that every core path works
// on it: a refresh rotates once, a blacklist and a log-out-everywhere take effect.
func assertRecovers(t *testing.T, auth *jwtkit.Auth, user string) {
	t.Helper()
	ctx := t.Context()
	pair, err := auth.IssuePair(ctx, jwtkit.StringUserID(user), nil)
	require.NoError(t, err)
	// Revoked goes through go-redis's pipeline pool, the writes through its main pool; each
	// pool notices the server is back on its own.
	require.Eventually(t, func() bool {
		callCtx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		probe, err := auth.IssuePair(callCtx, jwtkit.StringUserID(user), nil)
		if err != nil {
			return false
		}
		_, err = auth.Validate(callCtx, pair.Access, jwtkit.TypeAccess)
		return err == nil && auth.Blacklist(callCtx, probe.Refresh) == nil
	}, recovery, 50*time.Millisecond, "the store did not recover by itself")

	_, err = auth.Authenticate(ctx, "Bearer "+pair.Access)
	require.NoError(t, err)
	next, err := auth.Refresh(ctx, pair.Refresh)
	require.NoError(t, err)
	_, err = auth.Refresh(ctx, pair.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "a rotated refresh token is used up")
	require.NoError(t, auth.Blacklist(ctx, next.Refresh))
	_, err = auth.Refresh(ctx, next.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "a blacklisted refresh token")
	require.NoError(t, auth.RevokeUser(ctx, jwtkit.StringUserID(user)))
	_, err = auth.Validate(ctx, next.Access, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "an access token issued before log-out-everywhere")
}

// proxiedURL is the shared server's URL with a proxy's address in place of the server's.
func proxiedURL(t *testing.T, proxyAddr string) string {
	u, err := url.Parse(redisURL())
	require.NoError(t, err)
	u.Host = proxyAddr
	return u.String()
}

// TestOutageProxyCut cuts the link to the shared server under a live store, through core:
// fail closed with the contract's 503, then recovery by itself (storetest.Outage).
func TestOutageProxyCut(t *testing.T) {
	t.Parallel()
	store, proxy := proxiedStore(t)
	storetest.Outage(t, store, storetest.OutageHooks{Cut: proxy.Cut, Restore: proxy.Restore})
}

// TestOutageServerKilled kills a private server with SIGKILL and starts it again on the same
// port, twice, so the store recovers from a pool whose every connection died more than once.
// The server runs with appendfsync always, as a deployment that must keep revocations across a
// Redis crash does, so what was revoked before the crash is still revoked after it.
func TestOutageServerKilled(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--appendonly", "yes", "--appendfsync", "always")
	store, err := redisstore.NewFromURL(srv.url())
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	hooks := storetest.OutageHooks{Cut: srv.kill, Restore: func() { srv.start(t) }}
	storetest.Outage(t, store, hooks)
	storetest.Outage(t, store, hooks)
}

// TestHangServerPaused pauses a private server with SIGSTOP under a live store and resumes it
// with SIGCONT: every request through core answers the 503 within core's StoreTimeout, though
// the callers' contexts have no deadline, and the store answers again by itself
// (storetest.Hang).
func TestHangServerPaused(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	store, err := redisstore.NewFromURL(srv.url())
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	storetest.Hang(t, store, storetest.HangHooks{Hang: func() { srv.pause(t) }, Resume: func() { srv.cont(t) }})
}

// TestHangProxy: the shared server behind a proxy that stops forwarding without closing
// anything, as a link that drops every packet does.
func TestHangProxy(t *testing.T) {
	t.Parallel()
	store, proxy := proxiedStore(t)
	storetest.Hang(t, store, storetest.HangHooks{Hang: proxy.Hang, Resume: proxy.Resume})
}

// TestOutageClosedPort: a store made while nothing listens is made (the constructor does not
// connect), every call fails, and it works by itself once a server starts on the port.
func TestOutageClosedPort(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	store, err := redisstore.NewFromURL(srv.url())
	require.NoError(t, err, "the constructor does not connect")
	t.Cleanup(func() { _ = store.Close() })
	ctx := func() context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), outageDeadline)
		t.Cleanup(cancel)
		return ctx
	}

	assert.Error(t, store.Revoke(ctx(), rand8(), inAnHour()))
	won, err := store.RevokeOnce(ctx(), rand8(), inAnHour())
	assert.Error(t, err)
	assert.False(t, won)
	assert.Error(t, store.RevokeUser(ctx(), rand8(), time.Now(), inAnHour()))
	assert.Error(t, store.RevokeFamily(ctx(), rand8(), inAnHour()))
	revoked, err := store.Revoked(ctx(), jwtkit.TokenRef{JTI: rand8(), UserID: rand8(), Family: rand8()})
	assert.Error(t, err)
	assert.False(t, revoked)

	auth := newAuth(t, store)
	user := "closed-" + rand8()
	assertFailsClosed(t, auth, user, outageDeadline)
	srv.start(t)
	assertRecovers(t, auth, user)
}

func TestCancelledContextThroughCore(t *testing.T) {
	needRedis(t)
	store, err := redisstore.NewFromURL(redisURL(), redisstore.Config{Prefix: testPrefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	auth := newAuth(t, store)
	user := "cancelled-" + rand8()
	pair, err := auth.IssuePair(t.Context(), jwtkit.StringUserID(user), nil)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for name, call := range corePaths(auth, pair, user) {
		err := call(ctx)
		assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable, name)
		assert.ErrorIs(t, err, context.Canceled, name)
	}
	assertRecovers(t, auth, user) // the pair is unused: nothing the cancelled calls asked for happened
	_, err = auth.Refresh(t.Context(), pair.Refresh)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "RevokeUser in assertRecovers covers the pair")
}

// TestShortDeadline holds every call to a 300 ms deadline while the server cannot answer:
// behind a cut proxy (connections refused at once), and behind a black hole that accepts
// connections and never answers, where only the deadline can end a call. go-redis's retries,
// dial retries and pool waits must all give way to it, also with many calls at once.
func TestShortDeadline(t *testing.T) {
	t.Parallel()
	t.Run("CutProxy", func(t *testing.T) {
		needRedis(t)
		target, err := url.Parse(redisURL())
		require.NoError(t, err)
		proxy := storetest.NewProxy(t, target.Host)
		store, err := redisstore.NewFromURL(proxiedURL(t, proxy.Addr()), redisstore.Config{Prefix: testPrefix})
		require.NoError(t, err)
		t.Cleanup(func() { _ = store.Close() })
		auth := newAuth(t, store)
		user := "deadline-" + rand8()

		assertRecovers(t, auth, user)
		proxy.Cut()
		assertFailsClosed(t, auth, user, shortDeadline)
		assertConcurrentCallsEnd(t, store, nil) // refused connections may fail before the deadline
		proxy.Restore()
		assertRecovers(t, auth, user)
	})

	t.Run("BlackHole", func(t *testing.T) {
		hole := newBlackHole(t)
		store, err := redisstore.NewFromURL("redis://" + hole + "/0")
		require.NoError(t, err)
		t.Cleanup(func() { _ = store.Close() })
		assertFailsClosed(t, newAuth(t, store), "hole-"+rand8(), shortDeadline)
		assertConcurrentCallsEnd(t, store, context.DeadlineExceeded)
	})
}

// assertConcurrentCallsEnd makes more concurrent calls than the client's pool has connections,
// each with the short deadline, and checks they all end by it with an error matching want.
func assertConcurrentCallsEnd(t *testing.T, store *redisstore.Store, want error) {
	t.Helper()
	const calls = 100
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	start := time.Now()
	for range calls {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), shortDeadline)
			defer cancel()
			_, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: rand8(), UserID: rand8()})
			errs <- err
		})
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		if assert.Error(t, err) && want != nil {
			assert.ErrorIs(t, err, want)
		}
	}
	assert.Less(t, took, shortDeadline+slack, "%d concurrent calls took %v with a deadline of %v", calls, took, shortDeadline)
}

// newBlackHole listens on a loopback port, accepts every connection and never answers, as a
// server behind a network partition that drops packets would; it returns the address.
func newBlackHole(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// proxiedStore is a store on the shared server behind a proxy the test controls.
func proxiedStore(t *testing.T) (*redisstore.Store, *storetest.Proxy) {
	t.Helper()
	needRedis(t)
	target, err := url.Parse(redisURL())
	require.NoError(t, err)
	proxy := storetest.NewProxy(t, target.Host)
	store, err := redisstore.NewFromURL(proxiedURL(t, proxy.Addr()), redisstore.Config{Prefix: testPrefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	return store, proxy
}
