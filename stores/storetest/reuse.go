package storetest

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// reuseThroughCore: refresh-token reuse detection (Config.ReuseDetection, ReuseGrace) across
// two replicas. With shared stores the replicas are two store instances on one backend, as two
// processes would be; otherwise they share one instance. The grace window needs the store's
// RotationStore (rotation).
func (s suite) reuseThroughCore(t *testing.T, shared, rotation bool) {
	replicas := func(t *testing.T, grace time.Duration) (a, b *jwtkit.Auth) {
		key := coreKey(t)
		stA := s.newStore(t)
		stB := stA
		if shared {
			stB = s.newStore(t)
		}
		build := func(st jwtkit.Store) *jwtkit.Auth {
			a, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: st, Stateless: true,
				ReuseDetection: true, ReuseGrace: grace, Audit: jwtkit.NoAudit})
			require.NoError(t, err)
			return a
		}
		return build(stA), build(stB)
	}
	ctx := t.Context()

	t.Run("BothReplicasDetect", func(t *testing.T) {
		a, b := replicas(t, 0)
		user := newUser()
		first := issue(t, a, user)
		next := assertRefreshed(t, refresh(ctx, a, first.Refresh), "rotation on A")
		warm(t, b, next.Access, user)
		other := issue(t, b, user) // another login of the same user

		// The rotated token is replayed on both replicas at once: both detect it.
		var wg sync.WaitGroup
		answers := make([]jwtkit.Response, 2)
		for i, r := range []*jwtkit.Auth{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); answers[i] = refresh(ctx, r, first.Refresh) }()
		}
		wg.Wait()
		assertBlacklisted(t, answers[0], "replay on A")
		assertBlacklisted(t, answers[1], "replay on B")
		for name, r := range map[string]*jwtkit.Auth{"A": a, "B": b} {
			assertBlacklisted(t, refresh(ctx, r, next.Refresh), "the family's newest refresh token, on %s", name)
			assertProtectedBlacklisted(t, r, next.Access, "the family's access token, on %s", name)
			assertProtectedBlacklisted(t, r, first.Access, "the login's first access token, on %s", name)
		}
		assertAuthenticated(t, a, other.Access, user, "another login of the user is untouched")
		assertRefreshed(t, refresh(ctx, a, other.Refresh), "another login's refresh is untouched")
	})

	t.Run("ConcurrentRefreshesEndTheFamily", func(t *testing.T) {
		a, b := replicas(t, 0)
		pair := issue(t, a, newUser())
		answers := refreshRace(t, a, b, pair.Refresh)
		var winner *jwtkit.Pair
		for i, ans := range answers {
			if ans.Status == http.StatusOK {
				require.Nil(t, winner, "exactly one refresh wins, across both replicas")
				p := assertRefreshed(t, ans)
				winner = &p
				continue
			}
			assertBlacklisted(t, ans, "loser %d", i)
		}
		require.NotNil(t, winner, "one refresh wins")
		// Without a grace window a second presentation is indistinguishable from a thief's.
		assertBlacklisted(t, refresh(ctx, b, winner.Refresh), "the winner's refresh token, after the losers")
		assertProtectedBlacklisted(t, a, winner.Access, "the winner's access token")
	})

	t.Run("GraceAnswersEveryReplicaAlike", func(t *testing.T) {
		if !rotation {
			t.Skip("the store does not implement jwtkit.RotationStore")
		}
		a, b := replicas(t, 5*time.Second)
		pair := issue(t, a, newUser())
		answers := refreshRace(t, a, b, pair.Refresh)
		first := assertRefreshed(t, answers[0])
		for i, ans := range answers {
			assert.Equal(t, http.StatusOK, ans.Status, "presentation %d", i)
			assert.Equal(t, string(answers[0].Body), string(ans.Body), "presentation %d gets the first rotation's answer", i)
		}
		next := assertRefreshed(t, refresh(ctx, b, first.Refresh), "the family goes on, on B")
		assertRefreshed(t, refresh(ctx, a, next.Refresh), "and on A")
	})
}

// refreshRace presents token to refresh 16 times at once, alternately on a and b.
func refreshRace(t *testing.T, a, b *jwtkit.Auth, token string) []jwtkit.Response {
	const n = 16
	var wg sync.WaitGroup
	answers := make([]jwtkit.Response, n)
	for i := range n {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Add(1)
		go func() { defer wg.Done(); answers[i] = refresh(t.Context(), r, token) }()
	}
	wg.Wait()
	return answers
}
