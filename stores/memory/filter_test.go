package memstore_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRevokedSeesEveryReturnedRevocation: while writers revoke jtis (by Revoke, RevokeOnce and
// RotateOnce), user cutoffs and families, readers check them, and every key whose revoking
// call had returned before the check started reads as revoked, while keys never revoked, and
// tokens issued after their user's cutoff, do not. Two shards make the filters grow over and
// over while it runs, and a churn of short-lived entries, expired by the clock and purged,
// makes them rebuild after purges too.
func TestRevokedSeesEveryReturnedRevocation(t *testing.T) {
	clock := newClock()
	s := mustNew(t, memstore.Config{Shards: 2, PurgeInterval: -1, Clock: clock.Now})
	ctx := context.Background()
	t0 := clock.Now()
	exp := t0.Add(1000 * time.Hour) // beyond every second the churn moves the clock
	const n = 2000

	jtis, users, families := make([]string, n), make([]string, n), make([]string, n)
	for i := range n {
		jtis[i] = hexJTI()
		if i%5 == 0 {
			jtis[i] = "foreign-jti-" + strconv.Itoa(i)
		}
		users[i] = "user-" + strconv.Itoa(i)
		families[i] = "family-" + strconv.Itoa(i)
	}
	// done[k] is how many keys of kind k have been revoked by a call that has returned. The
	// writers start once both readers are running, and yield after every write so that the
	// readers run between writes even on a single CPU.
	var done [3]atomic.Int64
	var writers, others, ready sync.WaitGroup
	start := make(chan struct{})
	writers.Go(func() {
		<-start
		for i, jti := range jtis {
			var err error
			won := true
			switch i % 3 {
			case 0:
				err = s.Revoke(ctx, jti, exp)
			case 1:
				won, err = s.RevokeOnce(ctx, jti, exp)
			case 2:
				won, err = s.RotateOnce(ctx, jti, exp, []byte("answer"), clock.Now().Add(time.Second))
			}
			if !assert.NoError(t, err) || !assert.True(t, won, "jti %d", i) {
				return
			}
			done[0].Store(int64(i + 1))
			runtime.Gosched()
		}
	})
	writers.Go(func() {
		<-start
		for i, user := range users {
			if !assert.NoError(t, s.RevokeUser(ctx, user, t0, exp)) {
				return
			}
			done[1].Store(int64(i + 1))
			runtime.Gosched()
		}
	})
	writers.Go(func() {
		<-start
		for i, family := range families {
			if !assert.NoError(t, s.RevokeFamily(ctx, family, exp)) {
				return
			}
			done[2].Store(int64(i + 1))
			runtime.Gosched()
		}
	})

	stop := make(chan struct{})
	others.Go(func() {
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			default:
			}
			soon := clock.Now().Add(time.Second)
			for i := range 30 {
				key := strconv.Itoa(round) + "-" + strconv.Itoa(i)
				if !assert.NoError(t, s.Revoke(ctx, "churn-jti-"+key, soon)) ||
					!assert.NoError(t, s.RevokeUser(ctx, "churn-user-"+key, t0, soon)) ||
					!assert.NoError(t, s.RevokeFamily(ctx, "churn-family-"+key, soon)) {
					return
				}
			}
			clock.Advance(time.Second)
			if _, err := s.Purge(ctx); !assert.NoError(t, err) {
				return
			}
		}
	})

	// during counts the checks of a key revoked while its writer was still writing.
	var during atomic.Int64
	for reader := range 2 {
		ready.Add(1)
		others.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(reader), 0))
			check := func(ref jwtkit.TokenRef, want bool, what string) bool {
				got, err := s.Revoked(ctx, ref)
				return assert.NoError(t, err) && assert.Equal(t, want, got, "%s: %+v", what, ref)
			}
			pick := func(kind int) (int, bool) {
				d := int(done[kind].Load())
				if d == 0 {
					return 0, false
				}
				if d < n {
					during.Add(1)
				}
				if rng.IntN(2) == 0 {
					return d - 1, true // the newest, the one most likely to race its write
				}
				return rng.IntN(d), true
			}
			ready.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				never := strconv.Itoa(reader) + "-" + strconv.Itoa(i)
				ok := check(jwtkit.TokenRef{JTI: "never-jti-" + never, UserID: "never-user-" + never, Family: "never-family-" + never, IssuedAt: t0}, false, "never revoked")
				if j, found := pick(0); ok && found {
					ok = check(jwtkit.TokenRef{JTI: jtis[j]}, true, "revoked jti")
				}
				if j, found := pick(1); ok && found {
					ok = check(jwtkit.TokenRef{JTI: "never-jti-" + never, UserID: users[j], IssuedAt: t0}, true, "user cutoff") &&
						check(jwtkit.TokenRef{JTI: "never-jti-" + never, UserID: users[j], IssuedAt: t0.Add(time.Second)}, false, "issued after the cutoff")
				}
				if j, found := pick(2); ok && found {
					ok = check(jwtkit.TokenRef{JTI: "never-jti-" + never, Family: families[j]}, true, "revoked family")
				}
				if !ok {
					return
				}
			}
		})
	}

	ready.Wait()
	close(start)
	writers.Wait()
	close(stop)
	others.Wait()
	require.False(t, t.Failed())
	for i := range n {
		require.True(t, revoked(t, s, jwtkit.TokenRef{JTI: jtis[i]}), "jti %d", i)
		require.True(t, revoked(t, s, jwtkit.TokenRef{UserID: users[i], IssuedAt: t0}), "user %d", i)
		require.True(t, revoked(t, s, jwtkit.TokenRef{Family: families[i]}), "family %d", i)
	}
	t.Logf("%d checks of keys revoked while their writer was writing", during.Load())
	assert.Greater(t, during.Load(), int64(n/10), "the readers should have overlapped the writers")
}
