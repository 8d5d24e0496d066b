package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

// result is what one run of the command line left behind.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command line with an environment of its own (nothing from the process's), a
// clock and standard input, so tests run in parallel.
type cli struct {
	env   map[string]string
	now   func() time.Time
	stdin string
}

func (c cli) run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	now := c.now
	if now == nil {
		now = time.Now
	}
	a := &app{stdin: strings.NewReader(c.stdin), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return c.env[k] }, now: now}
	code := a.run(context.Background(), args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// runArgs runs with an empty environment.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return cli{}.run(t, args...)
}

// usageFailure asserts exit status 2 and one line on stderr naming the command and holding
// want, with the pointer to --help.
func usageFailure(t *testing.T, r result, cmd, want string) {
	t.Helper()
	assert.Equal(t, exitUsage, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "jwtkit "+cmd+": "), r.stderr)
	assert.Contains(t, r.stderr, want)
	assert.Contains(t, r.stderr, "(see 'jwtkit "+cmd+" --help')")
}

// failure asserts exit status 1 and one line on stderr holding want.
func failure(t *testing.T, r result, cmd, want string) {
	t.Helper()
	assert.Equal(t, exitFailure, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "jwtkit "+cmd+": "), r.stderr)
	assert.Contains(t, r.stderr, want)
}

func success(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, exitOK, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Empty(t, r.stderr)
}

// The commands that start the shared servers, named when one is missing.
const (
	startRedis    = `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`
	startPostgres = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startMariaDB  = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
)

// storeKinds are the kinds that keep state outside the process, each tested on a real server.
var storeKinds = []string{storeopen.SQLite, storeopen.Redis, storeopen.Postgres, storeopen.MySQL}

// testStore is a store on a real server under a prefix of one test's own.
type testStore struct {
	settings storeopen.Settings
}

// flags are the command-line flags that name the store.
func (s testStore) flags() []string {
	f := []string{"--store", s.settings.Kind, "--dsn", s.settings.DSN}
	if s.settings.TablePrefix != "" {
		f = append(f, "--table-prefix", s.settings.TablePrefix)
	}
	if s.settings.KeyPrefix != "" {
		f = append(f, "--key-prefix", s.settings.KeyPrefix)
	}
	return f
}

// open opens the store directly, to read back what a command wrote.
func (s testStore) open(t *testing.T) *storeopen.Opened {
	t.Helper()
	o, err := storeopen.Open(context.Background(), s.settings)
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close() })
	return o
}

// newTestStore reaches kind's test server (skipping, or failing under CI=true, when it is
// down) and picks a fresh prefix; everything under it is removed when the test ends. The SQL
// tables are not created: tests run migrate.
func newTestStore(t *testing.T, kind string) testStore {
	t.Helper()
	suffix := strings.ToLower(rand.Text()[:10])
	s := storeopen.Settings{Kind: kind, DSN: storeopen.DefaultDSN(kind)}
	envName := map[string]string{
		storeopen.Redis: "JWTKIT_TEST_REDIS_URL", storeopen.Postgres: "JWTKIT_TEST_POSTGRES_DSN",
		storeopen.MySQL: "JWTKIT_TEST_MYSQL_DSN",
	}[kind]
	if v := os.Getenv(envName); v != "" {
		s.DSN = v
	}
	switch kind {
	case storeopen.SQLite:
		s.DSN = filepath.Join(t.TempDir(), "jwtkit.sqlite3")
		s.TablePrefix = "cli_" + suffix + "_"
	case storeopen.Redis:
		s.KeyPrefix = "jwtkit-cli-test-" + suffix + ":"
		storetest.Service(t, "Redis at "+s.DSN+" ("+envName+")", pingRedis(s.DSN), startRedis)
		t.Cleanup(func() { deleteRedisKeys(t, s.DSN, s.KeyPrefix) })
	case storeopen.Postgres, storeopen.MySQL:
		s.TablePrefix = "jwtkit_cli_test_" + suffix + "_"
		driver, start := "pgx", startPostgres
		if kind == storeopen.MySQL {
			driver, start = "mysql", startMariaDB
		}
		storetest.Service(t, kind+" ("+envName+")", pingSQL(driver, s.DSN), start)
		t.Cleanup(func() { dropTables(t, driver, s.DSN, s.TablePrefix) })
	}
	return testStore{settings: s}
}

func pingRedis(url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

func pingSQL(driver, dsn string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// deleteRedisKeys removes every key under prefix, which only this test wrote.
func deleteRedisKeys(t *testing.T, url, prefix string) {
	opt, err := redis.ParseURL(url)
	require.NoError(t, err)
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		require.NoError(t, c.Del(ctx, iter.Val()).Err())
	}
	require.NoError(t, iter.Err())
}

// dropTables drops every table whose name starts with prefix, found in the catalogue so that
// tables a later migration adds are removed too.
func dropTables(t *testing.T, driver, dsn, prefix string) {
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
	if driver == "mysql" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	}
	rows, err := db.QueryContext(ctx, q)
	require.NoError(t, err)
	var mine []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		if strings.HasPrefix(name, prefix) {
			mine = append(mine, name)
		}
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	for _, name := range mine {
		_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+name)
		require.NoError(t, err)
	}
}

func TestMain(m *testing.M) {
	// As run does for the program: the outage tests make go-redis log every failed dial.
	redis.SetLogger(discardLogger{})
	os.Exit(m.Run())
}
