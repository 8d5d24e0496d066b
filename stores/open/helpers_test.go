package storeopen_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

// The commands that start the shared servers, named when one is missing.
const (
	startRedis    = `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`
	startPostgres = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startMariaDB  = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
)

// testEnvDSN is the variable that points a kind's tests at another server than the default.
var testEnvDSN = map[string]string{
	storeopen.Redis:    "JWTKIT_TEST_REDIS_URL",
	storeopen.Postgres: "JWTKIT_TEST_POSTGRES_DSN",
	storeopen.MySQL:    "JWTKIT_TEST_MYSQL_DSN",
}

// settingsFor returns settings for kind on its test server (skipping, or failing under
// CI=true, when the server is down) with a table or key prefix of this test's own, and
// removes whatever the test created under that prefix when it ends.
func settingsFor(t *testing.T, kind string) storeopen.Settings {
	t.Helper()
	suffix := strings.ToLower(rand.Text()[:10])
	s := storeopen.Settings{Kind: kind, DSN: storeopen.DefaultDSN(kind)}
	if v := os.Getenv(testEnvDSN[kind]); v != "" {
		s.DSN = v
	}
	switch kind {
	case storeopen.SQLite:
		s.DSN = filepath.Join(t.TempDir(), "jwtkit.sqlite3")
	case storeopen.Redis:
		s.KeyPrefix = "jwtkit-open-test-" + suffix + ":"
		storetest.Service(t, "Redis at "+s.DSN+" (JWTKIT_TEST_REDIS_URL)", pingRedis(s.DSN), startRedis)
		t.Cleanup(func() { deleteRedisKeys(t, s.DSN, s.KeyPrefix) })
	case storeopen.Postgres, storeopen.MySQL:
		s.TablePrefix = "jwtkit_open_test_" + suffix + "_"
		driver, start := "pgx", startPostgres
		if kind == storeopen.MySQL {
			driver, start = "mysql", startMariaDB
		}
		storetest.Service(t, kind+" ("+testEnvDSN[kind]+")", pingSQL(driver, s.DSN), start)
		t.Cleanup(func() { dropTables(t, driver, s.DSN, s.TablePrefix) })
	}
	return s
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

// dropTables drops every table whose name starts with prefix, found in the catalogue rather
// than listed here, so tables a later migration adds are cleaned up too.
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
