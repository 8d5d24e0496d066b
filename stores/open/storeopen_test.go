package storeopen_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// TestOpenEveryKind opens each kind on its real server, revokes a jti and a user, reads both
// back, and for the kinds that keep state outside the process reads them back again through a
// second Open, as a restarted server or the CLI would.
func TestOpenEveryKind(t *testing.T) {
	for _, kind := range storeopen.Kinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := settingsFor(t, kind)
			s.AutoMigrate = true
			o, err := storeopen.Open(ctx, s)
			require.NoError(t, err)
			assert.Equal(t, kind, o.Kind)
			assert.Equal(t, storeopen.IsSQL(kind), o.DB != nil)

			jti := strings.ToLower(rand.Text())
			user := "user-" + jti
			issued := time.Now().Add(-time.Minute)
			require.NoError(t, o.Store.Revoke(ctx, jti, time.Now().Add(time.Hour)))
			require.NoError(t, o.Store.RevokeUser(ctx, user, time.Now(), time.Now().Add(time.Hour)))
			readBack := func(store jwtkit.Store) {
				t.Helper()
				revoked, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: jti, IssuedAt: issued})
				require.NoError(t, err)
				assert.True(t, revoked, "jti")
				revoked, err = store.Revoked(ctx, jwtkit.TokenRef{JTI: "other-" + jti, UserID: user, IssuedAt: issued})
				require.NoError(t, err)
				assert.True(t, revoked, "user cutoff")
				revoked, err = store.Revoked(ctx, jwtkit.TokenRef{JTI: "other-" + jti, UserID: "other-" + user, IssuedAt: issued})
				require.NoError(t, err)
				assert.False(t, revoked, "unrelated token")
			}
			readBack(o.Store)
			require.NoError(t, o.Close())
			if kind == storeopen.Memory {
				return
			}
			s.AutoMigrate = false
			again, err := storeopen.Open(ctx, s)
			require.NoError(t, err)
			defer again.Close()
			readBack(again.Store)
		})
	}
}

func TestOpenGivesPurgerWhereTheStoreNeedsOne(t *testing.T) {
	for _, kind := range []string{storeopen.Memory, storeopen.SQLite, storeopen.Redis} {
		s := storeopen.Settings{Kind: kind}
		if kind == storeopen.SQLite {
			s.DSN = filepath.Join(t.TempDir(), "p.sqlite3")
		}
		o, err := storeopen.Open(context.Background(), s)
		require.NoError(t, err)
		_, purges := o.Store.(jwtkit.Purger)
		assert.Equal(t, kind != storeopen.Redis, purges, kind)
		require.NoError(t, o.Close())
	}
}

// TestPoolKeepsItsConnections checks that a SQL kind's pool is capped at PoolSize and keeps
// that many connections idle after a burst, so the next burst reuses them; database/sql's own
// default keeps 2 and opens a new connection for every request above that.
func TestPoolKeepsItsConnections(t *testing.T) {
	for _, kind := range []string{storeopen.SQLite, storeopen.Postgres, storeopen.MySQL} {
		t.Run(kind, func(t *testing.T) {
			for _, size := range []int{0, 5} {
				ctx := context.Background()
				s := settingsFor(t, kind)
				s.PoolSize = size
				o, err := storeopen.Open(ctx, s)
				require.NoError(t, err)
				want := cmp.Or(size, storeopen.DefaultPoolSize())
				assert.Equal(t, want, o.DB.Stats().MaxOpenConnections, "PoolSize %d", size)

				conns := make([]*sql.Conn, want)
				for i := range conns {
					conns[i], err = o.DB.Conn(ctx)
					require.NoError(t, err)
				}
				short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
				_, err = o.DB.Conn(short)
				cancel()
				require.ErrorIs(t, err, context.DeadlineExceeded, "a connection above PoolSize %d", want)
				for _, c := range conns {
					require.NoError(t, c.Close())
				}
				stats := o.DB.Stats()
				assert.Equal(t, want, stats.Idle, "idle after a burst of %d", want)
				assert.Zero(t, stats.MaxIdleClosed, "connections closed for want of idle room")
				require.NoError(t, o.Close())
			}
		})
	}
}

func TestUnknownKind(t *testing.T) {
	_, err := storeopen.Open(context.Background(), storeopen.Settings{Kind: "mongodb"})
	require.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	assert.Contains(t, err.Error(), `"mongodb"`)
	assert.Contains(t, err.Error(), "memory, sqlite, redis, postgres, mysql")
}

func TestInvalidSettings(t *testing.T) {
	cases := map[string]storeopen.Settings{
		"redis URL":            {Kind: storeopen.Redis, DSN: "http://127.0.0.1:6379"},
		"postgres DSN":         {Kind: storeopen.Postgres, DSN: "postgres://u:s3cret-pass@127.0.0.1:notaport/db"},
		"mysql DSN":            {Kind: storeopen.MySQL, DSN: "u:s3cret-pass@tcp(127.0.0.1:3306)"},
		"table prefix":         {Kind: storeopen.SQLite, DSN: filepath.Join(t.TempDir(), "x.sqlite3"), TablePrefix: "Bad-Prefix"},
		"key prefix":           {Kind: storeopen.Redis, KeyPrefix: "{tag}"},
		"negative purge batch": {Kind: storeopen.Postgres, PurgeBatch: -1},
		"negative pool size":   {Kind: storeopen.SQLite, DSN: filepath.Join(t.TempDir(), "x.sqlite3"), PoolSize: -1},
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			o, err := storeopen.Open(context.Background(), s)
			require.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
			assert.Nil(t, o)
			assert.NotContains(t, err.Error(), "s3cret-pass", "a DSN's password must not reach an error")
		})
	}
}

func TestFromEnvDefaults(t *testing.T) {
	none := func(string) string { return "" }
	s := storeopen.FromEnvFunc(none)
	assert.Equal(t, storeopen.SQLite, s.Kind)
	assert.Equal(t, filepath.Join(os.TempDir(), "jwtkit.sqlite3")+"?"+storeopen.SQLitePragmas, s.DSN)
	assert.False(t, s.AutoMigrate)

	for kind, dsn := range map[string]string{
		storeopen.Redis:    "redis://127.0.0.1:6379/0",
		storeopen.Postgres: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		storeopen.MySQL:    "root@tcp(127.0.0.1:3306)/test?parseTime=true",
		storeopen.Memory:   "",
	} {
		env := map[string]string{"JWTKIT_STORE": kind}
		s := storeopen.FromEnvFunc(func(k string) string { return env[k] })
		assert.Equal(t, storeopen.Settings{Kind: kind, DSN: dsn}, s, kind)
	}

	env := map[string]string{"JWTKIT_STORE": "postgres", "JWTKIT_STORE_DSN": "postgres://db.internal/auth"}
	s = storeopen.FromEnvFunc(func(k string) string { return env[k] })
	assert.Equal(t, storeopen.Settings{Kind: "postgres", DSN: "postgres://db.internal/auth"}, s)
}

func TestFromEnvReadsTheProcessEnvironment(t *testing.T) {
	t.Setenv("JWTKIT_STORE", "redis")
	t.Setenv("JWTKIT_STORE_DSN", "redis://cache:6379/2")
	assert.Equal(t, storeopen.Settings{Kind: "redis", DSN: "redis://cache:6379/2"}, storeopen.FromEnv())
}

// TestSQLitePragmasApplied checks that a plain file path gets busy_timeout and WAL, and that
// the default DSN already carries them.
func TestSQLitePragmasApplied(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range map[string]string{
		"plain path":    filepath.Join(t.TempDir(), "plain.sqlite3"),
		"path with opt": filepath.Join(t.TempDir(), "opt.sqlite3") + "?_txlock=immediate",
	} {
		t.Run(name, func(t *testing.T) {
			o, err := storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.SQLite, DSN: dsn})
			require.NoError(t, err)
			defer o.Close()
			var mode string
			var timeout int
			require.NoError(t, o.DB.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
			require.NoError(t, o.DB.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout))
			assert.Equal(t, "wal", mode)
			assert.Equal(t, 5000, timeout)
		})
	}
	t.Run("own pragmas kept", func(t *testing.T) {
		dsn := filepath.Join(t.TempDir(), "own.sqlite3") + "?_pragma=busy_timeout(1234)"
		o, err := storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.SQLite, DSN: dsn})
		require.NoError(t, err)
		defer o.Close()
		var timeout int
		require.NoError(t, o.DB.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout))
		assert.Equal(t, 1234, timeout)
	})
}

// TestMigrateIsExplicit: without AutoMigrate nothing is created; Migrate creates the schema
// and is idempotent.
func TestMigrateIsExplicit(t *testing.T) {
	ctx := context.Background()
	o, err := storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.SQLite, DSN: filepath.Join(t.TempDir(), "m.sqlite3")})
	require.NoError(t, err)
	defer o.Close()
	current, latest, err := o.MigrationVersion(ctx)
	require.NoError(t, err)
	assert.Zero(t, current)
	assert.GreaterOrEqual(t, latest, 1)
	require.Error(t, o.Store.Revoke(ctx, "jti", time.Now().Add(time.Hour)), "no tables before Migrate")

	require.NoError(t, o.Migrate(ctx))
	require.NoError(t, o.Migrate(ctx))
	current, _, err = o.MigrationVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, latest, current)
	require.NoError(t, o.Store.Revoke(ctx, "jti", time.Now().Add(time.Hour)))
}

func TestMigrateNotSQL(t *testing.T) {
	for _, kind := range []string{storeopen.Memory, storeopen.Redis} {
		// Open does not connect, so this needs no Redis server.
		o, err := storeopen.Open(context.Background(), storeopen.Settings{Kind: kind, AutoMigrate: true})
		require.NoError(t, err)
		err = o.Migrate(context.Background())
		require.ErrorIs(t, err, storeopen.ErrNotSQL)
		assert.Equal(t, "storeopen: migrations are for SQL stores (this is a "+kind+" store)", err.Error())
		_, _, err = o.MigrationVersion(context.Background())
		require.ErrorIs(t, err, storeopen.ErrNotSQL)
		require.NoError(t, o.Close())
	}
}

func TestAutoMigrateFailureIsReported(t *testing.T) {
	// A directory that does not exist: SQLite cannot create the file.
	dsn := filepath.Join(t.TempDir(), "missing", "dir", "x.sqlite3")
	_, err := storeopen.Open(context.Background(), storeopen.Settings{Kind: storeopen.SQLite, DSN: dsn, AutoMigrate: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "migrating the sqlite store")
}

func TestCloseClosesWhatOpenOpened(t *testing.T) {
	o, err := storeopen.Open(context.Background(), storeopen.Settings{Kind: storeopen.SQLite, DSN: filepath.Join(t.TempDir(), "c.sqlite3")})
	require.NoError(t, err)
	require.NoError(t, o.Close())
	require.NoError(t, o.Close(), "idempotent")
	require.ErrorContains(t, o.DB.Ping(), "database is closed")
}

func TestPrefixesReported(t *testing.T) {
	ctx := context.Background()
	o, err := storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.Redis})
	require.NoError(t, err)
	assert.Equal(t, "jwtkit:", o.Prefix)
	require.NoError(t, o.Close())
	o, err = storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.SQLite, DSN: filepath.Join(t.TempDir(), "p.sqlite3"), TablePrefix: "app_"})
	require.NoError(t, err)
	assert.Equal(t, "app_", o.Prefix)
	assert.Equal(t, "sqlite", string(o.Dialect))
	require.NoError(t, o.Close())
}

func TestDjangoDatabase(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://django@db.internal:5432/app?sslmode=require": storeopen.Postgres,
		"postgresql://django@/app":                               storeopen.Postgres,
		"host=db.internal dbname=app user=django":                storeopen.Postgres,
		"django:secret@tcp(db.internal:3306)/app?parseTime=true": storeopen.MySQL,
		"django@unix(/run/mysqld/mysqld.sock)/app":               storeopen.MySQL,
		"root@/app":           storeopen.MySQL,
		"/srv/app/db.sqlite3": storeopen.SQLite,
		"db.sqlite3":          storeopen.SQLite,
		"file:/srv/app/db.sqlite3?_pragma=busy_timeout(5000)": storeopen.SQLite,
	} {
		assert.Equal(t, want, storeopen.DjangoDatabase(dsn), dsn)
	}
}

// TestDjangoNeedsItsDatabase: the django kind has no default DSN, and its migrate refuses a
// database Django has not migrated.
func TestDjangoNeedsItsDatabase(t *testing.T) {
	_, err := storeopen.Open(context.Background(), storeopen.Settings{Kind: storeopen.Django})
	require.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "DSN naming the Django database")

	o, err := storeopen.Open(context.Background(), storeopen.Settings{Kind: storeopen.Django,
		DSN: filepath.Join(t.TempDir(), "not-django.sqlite3"), AutoMigrate: true})
	require.ErrorIs(t, err, jwtdjango.ErrNoSimpleJWTTables)
	assert.Nil(t, o)
}
