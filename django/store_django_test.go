package jwtdjango_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

const sharedKey = "jwtdjango-test-signing-key-0123456789abcdef"

// TestBesideDjango runs a real Django + simplejwt service and a Go service on one database
// (SQLite and PostgreSQL), as a team moving endpoints from one to the other would, with the
// same key and rotation with blacklist-after-rotation on both.
func TestBesideDjango(t *testing.T) {
	for _, d := range dialects {
		if d.dialect == sqlstore.MySQL {
			continue // the conformance suite covers MariaDB; the side-by-side run needs one server
		}
		t.Run(d.name, func(t *testing.T) { t.Parallel(); besideDjango(t, d.dialect) })
	}
}

func besideDjango(t *testing.T, dialect sqlstore.Dialect) {
	db := newDjangoDB(t, dialect)
	db.django(t, "adduser", "1", "demo", "demo-password")
	django := startDjango(t, db)
	ctx := t.Context()

	store := db.store(t, jwtdjango.StoreConfig{})
	require.NoError(t, store.Migrate(ctx))
	users, err := jwtdjango.NewUsers(db.open(t))
	require.NoError(t, err)
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(sharedKey), "")
	require.NoError(t, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users,
		RotateRefreshTokens: true, BlacklistAfterRotation: true, Audit: jwtkit.NoAudit})
	require.NoError(t, err)
	goLogin := func() jwtkit.Pair {
		u, err := users.Authenticate(ctx, "demo", "demo-password")
		require.NoError(t, err)
		p, err := auth.IssuePair(ctx, u.ID, nil)
		require.NoError(t, err)
		return p
	}
	djangoLogin := func() jwtkit.Pair {
		code, body := django.post(t, "/api/token/", `{"username":"demo","password":"demo-password"}`)
		require.Equal(t, http.StatusOK, code, body)
		var p struct{ Access, Refresh string }
		require.NoError(t, json.Unmarshal([]byte(body), &p))
		return jwtkit.Pair{Access: p.Access, Refresh: p.Refresh}
	}
	refreshed := func(refresh string) string { return `{"refresh":"` + refresh + `"}` }
	const blacklistedBody = `{"detail":"Token is blacklisted","code":"token_not_valid"}`

	t.Run("ObtainedOnEitherSideWorkOnBoth", func(t *testing.T) {
		for name, p := range map[string]jwtkit.Pair{"django": djangoLogin(), "go": goLogin()} {
			_, err := auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
			require.NoError(t, err, "%s's access token on the Go side", name)
			code, body := django.post(t, "/api/token/verify/", `{"token":"`+p.Access+`"}`)
			require.Equal(t, http.StatusOK, code, "%s's access token on the Django side: %s", name, body)
		}
	})

	t.Run("RotatedByGoRefusedByDjango", func(t *testing.T) {
		p := djangoLogin()
		_, err := auth.Refresh(ctx, p.Refresh)
		require.NoError(t, err)
		code, body := django.post(t, "/api/token/refresh/", refreshed(p.Refresh))
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.JSONEq(t, blacklistedBody, body)
	})

	t.Run("RotatedByDjangoRefusedByGo", func(t *testing.T) {
		p := goLogin()
		code, body := django.post(t, "/api/token/refresh/", refreshed(p.Refresh))
		require.Equal(t, http.StatusOK, code, body)
		_, err := auth.Refresh(ctx, p.Refresh)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
	})

	t.Run("BlacklistedByDjangoRefusedByGo", func(t *testing.T) {
		p := djangoLogin()
		code, body := django.post(t, "/api/token/blacklist/", refreshed(p.Refresh))
		require.Equal(t, http.StatusOK, code, body)
		_, err := auth.Refresh(ctx, p.Refresh)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "refresh")
		_, err = auth.Validate(ctx, p.Refresh, jwtkit.TypeAny)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "verify")
	})

	t.Run("BlacklistedByGoRefusedByDjango", func(t *testing.T) {
		for name, p := range map[string]jwtkit.Pair{"django": djangoLogin(), "go": goLogin()} {
			require.NoError(t, auth.Blacklist(ctx, p.Refresh))
			code, body := django.post(t, "/api/token/refresh/", refreshed(p.Refresh))
			assert.Equal(t, http.StatusUnauthorized, code, name)
			assert.JSONEq(t, blacklistedBody, body, name)
		}
	})

	t.Run("FlushesSideBySide", func(t *testing.T) {
		// A store whose clock runs two hours behind writes blacklistings that are live to it
		// and expired for everyone else: the leftovers both flushes are for.
		behind := db.store(t, jwtdjango.StoreConfig{Clock: func() time.Time { return time.Now().Add(-2 * time.Hour) }})
		expired := func() string {
			jti := newJTI()
			require.NoError(t, behind.Revoke(ctx, jti, time.Now().Add(-time.Hour)))
			return jti
		}
		live := djangoLogin()
		code, body := django.post(t, "/api/token/blacklist/", refreshed(live.Refresh))
		require.Equal(t, http.StatusOK, code, body)

		before := outstandingRows(t, db)
		expired()
		expired()
		db.django(t, "flushexpiredtokens")
		assert.Equal(t, before, outstandingRows(t, db), "Django's flush removes jwtkit's expired rows")

		expired()
		removed, err := store.Purge(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, removed, "jwtkit's flush removes the expired outstanding token and nothing live")
		assert.Equal(t, before, outstandingRows(t, db))
		db.django(t, "flushexpiredtokens")
		removed, err = store.Purge(ctx)
		require.NoError(t, err)
		assert.Zero(t, removed)

		_, err = auth.Refresh(ctx, live.Refresh)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "a live blacklisting outlives both flushes")
		code, body = django.post(t, "/api/token/refresh/", refreshed(live.Refresh))
		assert.Equal(t, http.StatusUnauthorized, code)
		assert.JSONEq(t, blacklistedBody, body)
	})
}

func outstandingRows(t *testing.T, db *djangoDB) int {
	t.Helper()
	var n int
	require.NoError(t, db.open(t).QueryRow(`SELECT COUNT(*) FROM token_blacklist_outstandingtoken`).Scan(&n))
	return n
}

// newJTI returns a jti shaped like simplejwt's: 32 lowercase hex digits.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// djangoServer is the Django service of a test.
type djangoServer struct{ base string }

// startDjango runs run.py serve on db with the shared key; it stops when the test ends, as its
// standard input, a pipe the test holds, closes.
func startDjango(t *testing.T, db *djangoDB) djangoServer {
	t.Helper()
	cmd := exec.Command(python, filepath.Join("testdata", "djangoapp", "run.py"), "serve")
	cmd.Env = append(append(os.Environ(), db.env...), "DJANGO_SIGNING_KEY="+sharedKey)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		port, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
		require.True(t, ok, "the Django server did not start: %q\n%s", line, stderr.String())
		return djangoServer{base: "http://127.0.0.1:" + port}
	case <-time.After(60 * time.Second):
		t.Fatalf("the Django server printed no ready line in 60s:\n%s", stderr.String())
	}
	return djangoServer{}
}

func (d djangoServer) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(d.base+path, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var b strings.Builder
	_, err = bufio.NewReader(resp.Body).WriteTo(&b)
	require.NoError(t, err)
	return resp.StatusCode, b.String()
}
