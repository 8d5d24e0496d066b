package servertest

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the example servers' default store, locked here as another process would

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// hangBound is how soon the example servers must answer while their store hangs: core's default
// deadline on every store call plus a margin for a loaded machine, and well under the 10 s the
// contract allows.
const hangBound = jwtkit.DefaultStoreTimeout + 1500*time.Millisecond

// runHungStore locks the server's default SQLite file from another connection (BEGIN EXCLUSIVE,
// as another process's long transaction would) and checks over HTTP, with the server's default
// settings, that every request needing a write answers the contract's 503 store_unavailable
// within hangBound, while /api/me, which only reads, still answers (write-ahead logging); once
// the lock goes, the same requests succeed. The requests during the lock run at once, so the
// check takes one deadline.
func runHungStore(t *testing.T, bin string) {
	file := filepath.Join(t.TempDir(), "jwtkit.sqlite3")
	s := Start(t, bin, "JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=sqlite", "JWTKIT_STORE_DSN="+file,
		"JWTKIT_SIGNING_KEY="+Key, "JWTKIT_ROTATE_REFRESH=true", "JWTKIT_BLACKLIST_AFTER_ROTATION=true",
		"JWTKIT_LOGIN_RATE=100/m")
	rotated, loggedOut, everywhere := newPair(t, s.URL), newPair(t, s.URL), newPair(t, s.URL)
	requests := map[string]call{
		"refresh":    {method: http.MethodPost, url: s.URL + "/api/token/refresh/", body: `{"refresh":"` + rotated.Refresh + `"}`},
		"blacklist":  {method: http.MethodPost, url: s.URL + "/api/token/blacklist/", body: `{"refresh":"` + loggedOut.Refresh + `"}`},
		"revoke-all": {method: http.MethodPost, url: s.URL + "/api/token/revoke-all/", bearer: everywhere.Access},
		"login":      {method: http.MethodPost, url: s.URL + "/api/token/", body: demoLogin},
		"me":         {method: http.MethodGet, url: s.URL + "/api/me", bearer: rotated.Access},
	}

	db, err := sql.Open("sqlite", file)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	lock, err := db.Conn(t.Context())
	require.NoError(t, err)
	_, err = lock.ExecContext(t.Context(), "BEGIN EXCLUSIVE")
	require.NoError(t, err)

	answers := doAll(t, requests)
	for name, a := range answers {
		assert.Less(t, a.took, hangBound, "%s took %v while the store hangs", name, a.took)
		if name == "me" {
			expect(t, a.exchange, http.StatusOK, meBody, "/api/me reads only, and reads answer")
			continue
		}
		if assert.Equal(t, http.StatusServiceUnavailable, a.Status, "%s while the store hangs: %s", name, a.Body) {
			var body map[string]string
			require.NoError(t, json.Unmarshal([]byte(a.Body), &body))
			assert.Equal(t, "store_unavailable", body["code"], name)
		}
	}

	_, err = lock.ExecContext(context.Background(), "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, lock.Close())
	// One by one, log out everywhere last: it revokes every token of demo's.
	for _, name := range []string{"me", "refresh", "blacklist", "login", "revoke-all"} {
		e := do(t, requests[name])
		assert.Equal(t, http.StatusOK, e.Status, "%s once the lock is gone: %s", name, e.Body)
	}
	s.Stop(t)
}

type timedExchange struct {
	exchange
	took time.Duration
}

// doAll makes every request at once and returns each answer and how long it took.
func doAll(t *testing.T, requests map[string]call) map[string]timedExchange {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	answers := map[string]timedExchange{}
	for name, c := range requests {
		wg.Go(func() {
			start := time.Now()
			e := do(t, c)
			mu.Lock()
			answers[name] = timedExchange{e, time.Since(start)}
			mu.Unlock()
		})
	}
	wg.Wait()
	return answers
}

// newPair obtains a pair for demo / demo-password.
func newPair(t *testing.T, base string) jwtkit.Pair {
	t.Helper()
	access, refresh := login(t, base)
	return jwtkit.Pair{Access: access, Refresh: refresh}
}
