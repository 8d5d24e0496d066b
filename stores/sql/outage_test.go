package sqlstore_test

import (
	"context"
	"database/sql"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

// failFast bounds every call made while the database is unreachable: the store must answer
// with an error well within it, not hang.
const failFast = 10 * time.Second

// outage opens a pool on the env's database and returns it with the hooks that take the
// database away from the pool and give it back:
//   - PostgreSQL and MariaDB are reached through a storetest.Proxy, whose Cut closes every
//     connection and refuses new ones, as a network partition or a stopped server would.
//   - SQLite has no link to cut. Its outage is the database's directory going away under the
//     process, as when the volume holding it is detached or moved: the directory is renamed,
//     so opening the database fails with SQLite's own "unable to open database file", and
//     the pool's connections are closed, because an open SQLite handle goes on working on a
//     moved file and a process that lost its volume has lost its handles too. Restore puts
//     the directory back. (Making the directory unreadable instead would not hold: the tests
//     may run as root, and open handles ignore permissions.)
func (e *env) outage(t *testing.T) (*sql.DB, storetest.OutageHooks) {
	t.Helper()
	var db *sql.DB
	var hooks storetest.OutageHooks
	switch e.dialect {
	case sqlstore.Postgres, sqlstore.MySQL:
		var proxy *storetest.Proxy
		db, proxy = e.proxied(t)
		hooks = storetest.OutageHooks{Cut: proxy.Cut, Restore: proxy.Restore}
	case sqlstore.SQLite:
		var err error
		db, err = sql.Open(e.driver, e.dsn)
		require.NoError(t, err)
		dir := filepath.Dir(e.file)
		hooks = storetest.OutageHooks{
			Cut: func() {
				db.SetMaxIdleConns(0) // closes the idle connections; none is in use between requests
				require.NoError(t, os.Rename(dir, dir+".gone"))
			},
			Restore: func() {
				require.NoError(t, os.Rename(dir+".gone", dir))
				db.SetMaxIdleConns(poolSize)
			},
		}
	}
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	t.Cleanup(func() { _ = db.Close() })
	return db, hooks
}

// hang opens a pool on the env's database and returns it with the hooks that make the
// database stop answering without closing anything, and make it answer again:
//   - PostgreSQL and MariaDB are reached through a storetest.Proxy whose Hang keeps every
//     connection open and drops what it carries, and accepts new connections it never answers,
//     as a paused server or a link that drops every packet does. A PostgreSQL driver that
//     cancels by sending a cancel request on a new connection would meet the same silence.
//   - SQLite's hang is another connection holding the database's write lock (BEGIN EXCLUSIVE),
//     as another process's long transaction does. In WAL mode reads still answer; every write
//     waits for the lock (ReadsAnswer).
func (e *env) hang(t *testing.T) (*sql.DB, storetest.HangHooks) {
	t.Helper()
	if e.dialect != sqlstore.SQLite {
		db, proxy := e.proxied(t)
		return db, storetest.HangHooks{Hang: proxy.Hang, Resume: proxy.Resume}
	}
	db := e.open(t)
	var locker *sql.Conn
	return db, storetest.HangHooks{
		ReadsAnswer: true,
		Hang: func() {
			var err error
			locker, err = e.open(t).Conn(t.Context())
			require.NoError(t, err)
			_, err = locker.ExecContext(t.Context(), "BEGIN EXCLUSIVE")
			require.NoError(t, err)
		},
		Resume: func() {
			_, err := locker.ExecContext(context.Background(), "ROLLBACK")
			require.NoError(t, err)
			require.NoError(t, locker.Close())
		},
	}
}

// proxied opens a pool on the env's PostgreSQL or MariaDB server through a storetest.Proxy.
func (e *env) proxied(t *testing.T) (*sql.DB, *storetest.Proxy) {
	t.Helper()
	var db *sql.DB
	var proxy *storetest.Proxy
	switch e.dialect {
	case sqlstore.Postgres:
		cfg, err := pgx.ParseConfig(e.dsn)
		require.NoError(t, err)
		proxy = storetest.NewProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
		host, port, _ := net.SplitHostPort(proxy.Addr())
		p, _ := strconv.Atoi(port)
		cfg.Host, cfg.Port, cfg.Fallbacks = host, uint16(p), nil
		db = stdlib.OpenDB(*cfg)
	case sqlstore.MySQL:
		cfg, err := mysql.ParseDSN(e.dsn)
		require.NoError(t, err)
		proxy = storetest.NewProxy(t, cfg.Addr)
		cfg.Addr = proxy.Addr()
		db, err = sql.Open("mysql", cfg.FormatDSN())
		require.NoError(t, err)
	default:
		t.Fatalf("no proxy for %s", e.dialect)
	}
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	t.Cleanup(func() { _ = db.Close() })
	return db, proxy
}

// TestHang makes the database stop answering under a live store without closing anything (see
// env.hang), through core with callers whose contexts have no deadline: every request answers
// the 503 within core's StoreTimeout, and the same store answers again by itself afterwards
// (storetest.Hang).
func TestHang(t *testing.T) {
	// go-sql-driver logs every connection a deadline breaks; the test checks what the store says.
	require.NoError(t, mysql.SetLogger(log.New(io.Discard, "", 0)))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime|log.Lshortfile)) })
	forEachDialect(t, func(t *testing.T, e *env) {
		db, hooks := e.hang(t)
		storetest.Hang(t, e.store(t, db, sqlstore.Config{}), hooks)
	})
}

// coreCall is one path through core that needs the store.
type coreCall struct {
	name string
	call func(ctx context.Context) error
}

// corePaths returns every path through core that asks the store something, on fresh tokens of
// user. Refresh and Blacklist get a refresh token each, so both can succeed.
func corePaths(t *testing.T, auth *jwtkit.Auth, user jwtkit.UserID) []coreCall {
	t.Helper()
	pair, err := auth.IssuePair(context.Background(), user, nil)
	require.NoError(t, err)
	logout, err := auth.IssuePair(context.Background(), user, nil)
	require.NoError(t, err)
	return []coreCall{
		{"Validate", func(ctx context.Context) error {
			_, err := auth.Validate(ctx, pair.Access, jwtkit.TypeAccess)
			return err
		}},
		{"Authenticate", func(ctx context.Context) error {
			_, err := auth.Authenticate(ctx, "Bearer "+pair.Access)
			return err
		}},
		{"Refresh", func(ctx context.Context) error {
			_, err := auth.Refresh(ctx, pair.Refresh)
			return err
		}},
		{"Blacklist", func(ctx context.Context) error { return auth.Blacklist(ctx, logout.Refresh) }},
		{"RevokeUser", func(ctx context.Context) error { return auth.RevokeUser(ctx, user) }},
	}
}

// assertUnavailable runs every call with ctx from newCtx and checks each fails closed with
// ErrStoreUnavailable (and, when want is not nil, an error matching want) within failFast.
func assertUnavailable(t *testing.T, calls []coreCall, newCtx func() (context.Context, context.CancelFunc), want error) {
	t.Helper()
	for _, c := range calls {
		ctx, cancel := newCtx()
		start := time.Now()
		err := c.call(ctx)
		cancel()
		assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable, "%s must fail closed", c.name)
		if want != nil {
			assert.ErrorIs(t, err, want, c.name)
		}
		assert.Less(t, time.Since(start), failFast, "%s took too long to fail", c.name)
	}
}

// assertWorks checks every call succeeds with a plain context.
func assertWorks(t *testing.T, calls []coreCall) {
	t.Helper()
	for _, c := range calls {
		assert.NoError(t, c.call(t.Context()), c.name)
	}
}

// TestOutage takes the database away from a live store (see env.outage), through core: every
// request fails closed with the contract's 503, the store's own Purge, Migrate and
// MigrationVersion fail too, and once the database is back the same store, on the same
// *sql.DB, works again by itself (database/sql drops the connections the outage broke).
func TestOutage(t *testing.T) {
	// go-sql-driver logs every connection the cut breaks; the test checks what the store says.
	require.NoError(t, mysql.SetLogger(log.New(io.Discard, "", 0)))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime|log.Lshortfile)) })
	forEachDialect(t, func(t *testing.T, e *env) {
		db, hooks := e.outage(t)
		store := e.store(t, db, sqlstore.Config{})
		hooks.During = func(t *testing.T) {
			_, err := store.Purge(t.Context())
			assert.Error(t, err, "Purge during the outage")
			assert.Error(t, store.Migrate(t.Context()), "Migrate during the outage")
			_, _, err = store.MigrationVersion(t.Context())
			assert.Error(t, err, "MigrationVersion during the outage")
		}
		storetest.Outage(t, store, hooks)
		_, err := store.Purge(t.Context())
		assert.NoError(t, err, "Purge after the outage")
	})
}

// TestContextEnds: a cancelled context and a deadline that passes while the store waits on the
// database both fail closed through core, with errors that say which; the store works again
// afterwards. The wait is made real by another connection holding a lock the store's
// statements need.
func TestContextEnds(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		store := e.store(t, e.open(t), sqlstore.Config{})
		auth := newAuth(t, store)
		user := jwtkit.StringUserID("deadline-" + newJTI())

		calls := corePaths(t, auth, user)
		cancelled := func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx, cancel
		}
		assertUnavailable(t, calls, cancelled, context.Canceled)
		assertWorks(t, calls) // the cancelled calls consumed nothing: Refresh still wins

		// Another user: the RevokeUser above covers tokens of user issued in the same second.
		calls = corePaths(t, auth, jwtkit.StringUserID("deadline-"+newJTI()))
		release := e.lockTables(t)
		if e.dialect == sqlstore.SQLite {
			// Readers never wait in WAL mode: only the writes can be held up. Refresh first
			// reads (it passes), then waits in RevokeOnce.
			calls = calls[2:]
		}
		short := func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 300*time.Millisecond)
		}
		assertUnavailable(t, calls, short, context.DeadlineExceeded)
		release()

		// Statements cut off by the deadline may still run once the lock is gone (the server
		// had them), so check recovery with fresh tokens.
		assertWorks(t, corePaths(t, auth, jwtkit.StringUserID("after-"+newJTI())))
	})
}

// lockTables makes the env's tables wait for another connection until release is called:
// PostgreSQL and MySQL block reads and writes, SQLite (WAL) blocks writes.
func (e *env) lockTables(t *testing.T) (release func()) {
	t.Helper()
	ctx := t.Context()
	names := make([]string, 3)
	for i, n := range tableNames[:3] {
		names[i] = e.prefix + n
	}
	conn, err := e.open(t).Conn(ctx)
	require.NoError(t, err)
	var lock, unlock string
	switch e.dialect {
	case sqlstore.Postgres:
		lock = "BEGIN; LOCK TABLE " + strings.Join(names, ", ") + " IN ACCESS EXCLUSIVE MODE"
		unlock = "ROLLBACK"
	case sqlstore.MySQL:
		lock = "LOCK TABLES " + strings.Join(names, " WRITE, ") + " WRITE"
		unlock = "UNLOCK TABLES"
	case sqlstore.SQLite:
		lock, unlock = "BEGIN IMMEDIATE", "ROLLBACK"
	}
	for st := range strings.SplitSeq(lock, "; ") {
		_, err := conn.ExecContext(ctx, st)
		require.NoError(t, err, st)
	}
	return func() {
		_, err := conn.ExecContext(context.Background(), unlock)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	}
}
