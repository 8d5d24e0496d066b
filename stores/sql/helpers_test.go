package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

const (
	defaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test?parseTime=true"
	startPostgres      = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startMariaDB       = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
	// sqlitePragmas is what the README tells SQLite users to put in their DSN: wait up to 5 s
	// for another connection's write lock instead of failing with "database is locked", and
	// write-ahead logging so readers never wait for a writer.
	sqlitePragmas = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
)

// dialects are the databases every test runs against, as subtests named after them.
var dialects = []struct {
	name    string
	dialect sqlstore.Dialect
}{
	{"Postgres", sqlstore.Postgres},
	{"MariaDB", sqlstore.MySQL},
	{"SQLite", sqlstore.SQLite},
}

// env is one database and a table prefix of its own, migrated; its tables are dropped when the
// test that made it ends.
type env struct {
	dialect sqlstore.Dialect
	driver  string
	dsn     string
	prefix  string
	// file is the SQLite database file, in a directory of its own.
	file string
}

// forEachDialect runs f as a subtest per dialect, each with a fresh env.
func forEachDialect(t *testing.T, f func(t *testing.T, e *env)) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { f(t, newEnv(t, d.dialect)) })
	}
}

// newEnv reaches the dialect's server (skipping, or failing under CI=true, when it is down),
// picks a random table prefix and migrates it.
func newEnv(tb testing.TB, d sqlstore.Dialect) *env {
	tb.Helper()
	e := unmigratedEnv(tb, d)
	require.NoError(tb, e.store(tb, e.open(tb), sqlstore.Config{}).Migrate(context.Background()))
	return e
}

// unmigratedEnv is newEnv without the Migrate; the tables are still dropped at the end.
func unmigratedEnv(tb testing.TB, d sqlstore.Dialect) *env {
	tb.Helper()
	e := &env{dialect: d, prefix: "jwtkit_test_" + strings.ToLower(rand.Text()[:8]) + "_"}
	switch d {
	case sqlstore.Postgres:
		e.driver, e.dsn = "pgx", envOr("JWTKIT_TEST_POSTGRES_DSN", defaultPostgresDSN)
		storetest.Service(tb, "PostgreSQL", ping(e.driver, e.dsn), startPostgres)
	case sqlstore.MySQL:
		e.driver, e.dsn = "mysql", envOr("JWTKIT_TEST_MYSQL_DSN", defaultMySQLDSN)
		storetest.Service(tb, "MariaDB", ping(e.driver, e.dsn), startMariaDB)
	case sqlstore.SQLite:
		e.driver = "sqlite"
		e.file = filepath.Join(tb.TempDir(), "jwtkit.db")
		e.dsn = "file:" + e.file + sqlitePragmas
	}
	tb.Cleanup(func() { e.drop(tb) })
	return e
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func ping(driver, dsn string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// poolSize caps each *sql.DB the tests open, as a service would: the races of the suite run
// up to 100 goroutines per pool, and PostgreSQL allows 100 connections in all by default.
const poolSize = 32

// open returns a new connection pool on the env's database, closed when tb ends: a fresh
// *sql.DB is what a second replica, or a restarted process, would have.
func (e *env) open(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open(e.driver, e.dsn)
	require.NoError(tb, err)
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize) // database/sql keeps 2 by default, redialling on every burst
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// store returns a Store on db with the env's prefix; cfg's other fields are kept.
func (e *env) store(tb testing.TB, db *sql.DB, cfg sqlstore.Config) *sqlstore.Store {
	tb.Helper()
	cfg.TablePrefix = e.prefix
	s, err := sqlstore.New(db, cfg)
	require.NoError(tb, err)
	require.Equal(tb, e.dialect, s.Dialect(), "dialect detected from the driver")
	tb.Cleanup(func() { assert.NoError(tb, s.Close(), "Close releases the prepared statements") })
	return s
}

// newStore is the conformance suite's constructor: a Store on a pool of its own.
func (e *env) newStore(tb testing.TB) jwtkit.Store {
	return e.store(tb, e.open(tb), sqlstore.Config{})
}

// tableNames are every table Migrate creates, without the prefix.
var tableNames = []string{"blacklisted_tokens", "user_revocations", "family_revocations",
	"rotation_answers", "login_attempts", "login_keys", "schema_migrations"}

func (e *env) drop(tb testing.TB) {
	db, err := sql.Open(e.driver, e.dsn)
	if err != nil {
		tb.Errorf("drop %s tables: %v", e.prefix, err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, t := range tableNames {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+e.prefix+t); err != nil {
			tb.Errorf("drop %s%s: %v", e.prefix, t, err)
		}
	}
}

// count returns the number of rows of one of the env's tables.
func (e *env) count(tb testing.TB, db *sql.DB, table string) int {
	tb.Helper()
	var n int
	require.NoError(tb, db.QueryRowContext(context.Background(), fmt.Sprintf("SELECT COUNT(*) FROM %s%s", e.prefix, table)).Scan(&n))
	return n
}

func newJTI() string { return strings.ToLower(rand.Text()) }

func inAnHour() time.Time { return time.Now().Add(time.Hour) }

// newAuth builds the core the way a service using the store would: stateless, with rotation
// and blacklist-after-rotation, so every path through core touches the store.
func newAuth(tb testing.TB, store jwtkit.Store) *jwtkit.Auth {
	tb.Helper()
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("sqlstore-test-secret-0123456789-abcdefgh"), "")
	require.NoError(tb, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	require.NoError(tb, err)
	return auth
}
