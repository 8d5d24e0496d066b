package main

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

func with(args []string, more ...string) []string {
	return append(append([]string{}, more...), args...)
}

// serverAuth is a server on the test store: it issues tokens and validates them against the
// store, so a test sees what a command did the way a server would.
func serverAuth(t *testing.T, s testStore) *jwtkit.Auth {
	t.Helper()
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: hmacKey(t, testSecret), Store: s.open(t).Store, Stateless: true})
	require.NoError(t, err)
	return auth
}

// TestStoreCommands runs migrate, revoke-user, revoke-jti, inspect with a store and
// flush-expired against each real store, checking each effect through a server on the same
// store.
func TestStoreCommands(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := newTestStore(t, kind)
			flags := s.flags()
			isSQL := storeopen.IsSQL(kind)

			switch kind {
			case storeopen.SQLite:
				// Only migrate creates the file.
				r := runArgs(t, with(flags, "revoke-user", "7")...)
				failure(t, r, "revoke-user", "the SQLite database "+s.settings.DSN+" does not exist: 'jwtkit migrate' creates it")
				assert.NoFileExists(t, s.settings.DSN)
			case storeopen.Postgres, storeopen.MySQL:
				r := runArgs(t, with(flags, "revoke-user", "7")...)
				failure(t, r, "revoke-user", "the tables do not exist yet: run 'jwtkit migrate' first")
			}

			r := runArgs(t, with(flags, "migrate")...)
			success(t, r)
			if isSQL {
				assert.Equal(t, describeTest(s)+": applied migrations 1 to 2: schema version 2 (up to date)\n", r.stdout)
				again := runArgs(t, with(flags, "migrate")...)
				success(t, again)
				assert.Equal(t, describeTest(s)+": schema version 2, already up to date: nothing applied\n", again.stdout, "idempotent")
			} else {
				assert.Equal(t, "redis store, keys "+s.settings.KeyPrefix+"*: nothing to migrate (migrations are for SQL stores)\n", r.stdout)
			}

			auth := serverAuth(t, s)

			t.Run("revoke-user", func(t *testing.T) {
				// An integer id in the token, given as text.
				p, err := auth.IssuePair(ctx, jwtkit.IntUserID(7), nil)
				require.NoError(t, err)
				other, err := auth.IssuePair(ctx, jwtkit.IntUserID(8), nil)
				require.NoError(t, err)
				r := runArgs(t, with(flags, "revoke-user", "7")...)
				success(t, r)
				assert.Contains(t, r.stdout, `revoked every token of user "7" issued at or before `)
				for _, tok := range []string{p.Access, p.Refresh} {
					_, err := auth.Validate(ctx, tok, jwtkit.TypeAny)
					require.ErrorIs(t, err, jwtkit.ErrBlacklisted)
				}
				_, err = auth.Validate(ctx, other.Access, jwtkit.TypeAny)
				require.NoError(t, err, "another user is not affected")

				// Another spelling of id 8 covers it; a login right after the command returned works.
				r = runArgs(t, with(flags, "revoke-user", "008")...)
				success(t, r)
				_, err = auth.Validate(ctx, other.Access, jwtkit.TypeAny)
				require.ErrorIs(t, err, jwtkit.ErrBlacklisted, `"008" is user 8`)
				fresh, err := auth.IssuePair(ctx, jwtkit.IntUserID(8), nil)
				require.NoError(t, err)
				_, err = auth.Validate(ctx, fresh.Access, jwtkit.TypeAny)
				require.NoError(t, err, "a login after revoke-user returned")
			})

			t.Run("revoke-jti", func(t *testing.T) {
				p, err := auth.IssuePair(ctx, jwtkit.StringUserID("u-jti"), nil)
				require.NoError(t, err)
				tok, err := auth.Validate(ctx, p.Refresh, jwtkit.TypeRefresh)
				require.NoError(t, err)

				// inspect with the store: valid and not revoked.
				env := map[string]string{"JWTKIT_SIGNING_KEY": testSecret}
				r := cli{env: env, stdin: p.Refresh}.run(t, with(flags, "inspect", "-")...)
				success(t, r)
				private(t, r, p.Refresh, testSecret)
				assert.Contains(t, r.stdout, "Revocation: not revoked ("+describeTest(s)+")\n")

				r = runArgs(t, with(flags, "revoke-jti", tok.ID, "--expires", "25h")...)
				success(t, r)
				assert.Contains(t, r.stdout, `revoked jti "`+tok.ID+`" until `)
				_, err = auth.Validate(ctx, p.Refresh, jwtkit.TypeAny)
				require.ErrorIs(t, err, jwtkit.ErrBlacklisted)
				_, err = auth.Validate(ctx, p.Access, jwtkit.TypeAny)
				require.NoError(t, err, "the access token has a jti of its own")

				r = cli{env: env, stdin: p.Refresh}.run(t, with(flags, "inspect", "-")...)
				failure(t, r, "inspect", "token does not validate: token is blacklisted")
				private(t, r, p.Refresh, testSecret)
				assert.Contains(t, r.stdout, "Revocation: revoked ("+describeTest(s)+")\n")

				// The same store named by the environment instead of flags.
				env = map[string]string{"JWTKIT_SIGNING_KEY": testSecret, "JWTKIT_STORE": kind, "JWTKIT_STORE_DSN": s.settings.DSN}
				prefixFlag := []string{"--table-prefix", s.settings.TablePrefix}
				if kind == storeopen.Redis {
					prefixFlag = []string{"--key-prefix", s.settings.KeyPrefix}
				}
				r = cli{env: env, stdin: p.Refresh}.run(t, with(prefixFlag, "inspect", "-")...)
				failure(t, r, "inspect", "token is blacklisted")

				// An absolute expiry.
				until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
				r = runArgs(t, with(flags, "revoke-jti", "jti-"+tok.ID, "--expires", until.Format(time.RFC3339))...)
				success(t, r)
				assert.Contains(t, r.stdout, `revoked jti "jti-`+tok.ID+`" until `+until.Format(time.RFC3339)+"\n")
			})

			t.Run("flush-expired", func(t *testing.T) {
				r := runArgs(t, with(flags, "flush-expired", "--batch", "1")...)
				success(t, r)
				if !isSQL {
					assert.Equal(t, "redis store, keys "+s.settings.KeyPrefix+"*: redis expires entries by itself, nothing to flush\n", r.stdout)
					return
				}
				assert.Equal(t, describeTest(s)+": removed 0 expired entries\n", r.stdout)
				expired := addExpired(t, s, 3)
				r = runArgs(t, with(flags, "flush-expired", "--batch", "1")...)
				success(t, r)
				assert.Equal(t, describeTest(s)+": removed 3 expired entries\n", r.stdout)
				// Live entries stay.
				o := s.open(t)
				revoked, err := o.Store.Revoked(ctx, jwtkit.TokenRef{JTI: expired[0]})
				require.NoError(t, err)
				assert.False(t, revoked)
				_, err = auth.Validate(ctx, mustPair(t, auth, 7).Access, jwtkit.TypeAny)
				require.NoError(t, err, "tokens issued after the cutoff are fine")
			})
		})
	}
}

func describeTest(s testStore) string {
	switch s.settings.Kind {
	case storeopen.Redis:
		return "redis store, keys " + s.settings.KeyPrefix + "*"
	case storeopen.SQLite:
		return "sqlite store " + s.settings.DSN + ", tables " + s.settings.TablePrefix + "*"
	case storeopen.Django: // on a Django SQLite file (opentest)
		return "django store " + s.settings.DSN + ", tables " + s.settings.TablePrefix + "*"
	}
	return s.settings.Kind + " store, tables " + s.settings.TablePrefix + "*"
}

func mustPair(t *testing.T, auth *jwtkit.Auth, id int64) jwtkit.Pair {
	t.Helper()
	// Tokens issued in the second of a cutoff count as issued before it.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	p, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(id), nil)
	require.NoError(t, err)
	return p
}

// addExpired writes n revocations that have already expired, through a SQL store whose clock
// is an hour behind, and returns their jtis.
func addExpired(t *testing.T, s testStore, n int) []string {
	t.Helper()
	o := s.open(t)
	past, err := sqlstore.New(o.DB, sqlstore.Config{Dialect: o.Dialect, TablePrefix: s.settings.TablePrefix,
		Clock: func() time.Time { return time.Now().Add(-time.Hour) }})
	require.NoError(t, err)
	var jtis []string
	for range n {
		jti := strings.ToLower(rand.Text())
		require.NoError(t, past.Revoke(context.Background(), jti, time.Now().Add(-30*time.Minute)))
		jtis = append(jtis, jti)
	}
	return jtis
}

func TestMemoryStoreCannotBeReached(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"revoke-user", "7"}, {"revoke-jti", "abc"}} {
		r := runArgs(t, with([]string{"--store", "memory"}, args...)...)
		usageFailure(t, r, args[0], "the memory store lives inside each server process")
	}
	r := runArgs(t, "flush-expired", "--store", "memory")
	success(t, r)
	assert.Equal(t, "memory store: a memory store purges itself inside the server process, nothing to flush from here\n", r.stdout)
	r = runArgs(t, "migrate", "--store", "memory")
	success(t, r)
	assert.Equal(t, "memory store: nothing to migrate (migrations are for SQL stores)\n", r.stdout)
}

// TestStoreFromEnvironment: without flags the store is the environment's, with the example
// servers' defaults; --store naming another kind does not inherit the environment's DSN.
func TestStoreFromEnvironment(t *testing.T) {
	t.Parallel()
	dsn := t.TempDir() + "/env.sqlite3"
	env := map[string]string{"JWTKIT_STORE_DSN": dsn} // JWTKIT_STORE unset: sqlite
	r := cli{env: env}.run(t, "migrate")
	success(t, r)
	assert.Equal(t, "sqlite store "+dsn+", tables jwtkit_*: applied migrations 1 to 2: schema version 2 (up to date)\n", r.stdout)
	r = cli{env: env}.run(t, "revoke-user", "42")
	success(t, r)

	o, err := storeopen.Open(context.Background(), storeopen.Settings{DSN: dsn})
	require.NoError(t, err)
	defer o.Close()
	revoked, err := o.Store.Revoked(context.Background(), jwtkit.TokenRef{JTI: "x", UserID: "42", IssuedAt: time.Now().Add(-time.Minute)})
	require.NoError(t, err)
	assert.True(t, revoked)

	// --store redis must not read the sqlite path as a Redis URL; Open does not connect, so
	// this needs no server.
	r = cli{env: env}.run(t, "migrate", "--store", "redis")
	success(t, r)
	assert.Equal(t, "redis store, keys jwtkit:*: nothing to migrate (migrations are for SQL stores)\n", r.stdout)
}

func TestLifetimeFromEnvironment(t *testing.T) {
	t.Parallel()
	dsn := t.TempDir() + "/ttl.sqlite3"
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := cli{env: map[string]string{"JWTKIT_STORE_DSN": dsn, "JWTKIT_ACCESS_TTL": "72h", "JWTKIT_REFRESH_TTL": "48h"},
		now: func() time.Time { return now }}
	success(t, c.run(t, "migrate"))
	r := c.run(t, "revoke-user", "7")
	success(t, r)
	assert.Contains(t, r.stdout, "issued at or before 2030-01-01T00:00:00Z (recorded until 2030-01-04T00:00:00Z)", "the longer lifetime")
	r = c.run(t, "revoke-user", "7", "--lifetime", "1h")
	success(t, r)
	assert.Contains(t, r.stdout, "(recorded until 2030-01-01T01:00:00Z)")
	r = c.run(t, "revoke-jti", "abc")
	success(t, r)
	assert.Contains(t, r.stdout, `revoked jti "abc" until 2030-01-03T00:00:00Z`, "now + the refresh lifetime")
}

func TestStoreCommandUsageErrors(t *testing.T) {
	t.Parallel()
	sqlite := []string{"--store", "sqlite", "--dsn", t.TempDir() + "/u.sqlite3"}
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"migrate", "--store", "mongodb"}, `unknown store kind "mongodb" (want one of: memory, sqlite, redis, postgres, mysql, django)`},
		{map[string]string{"JWTKIT_STORE": "etcd"}, []string{"revoke-user", "7"}, `unknown store kind "etcd"`},
		{nil, []string{"migrate", "extra"}, `takes no arguments, got "extra"`},
		{nil, []string{"flush-expired", "extra"}, `takes no arguments, got "extra"`},
		{nil, with(sqlite, "flush-expired", "--batch", "0"), "--batch must be at least 1, got 0"},
		{nil, []string{"revoke-user"}, "takes exactly one user id, got 0 arguments"},
		{nil, []string{"revoke-user", "7", "8"}, "takes exactly one user id, got 2 arguments"},
		{nil, []string{"revoke-user", " 7"}, `the user id " 7" starts or ends with white space`},
		{nil, []string{"revoke-user", "7\n"}, "starts or ends with white space"},
		{nil, []string{"revoke-user", "a\x00b"}, "contains a control character"},
		{nil, []string{"revoke-user", ""}, "the user id is empty"},
		{nil, []string{"revoke-user", "7", "--lifetime", "forever"}, `invalid value "forever" for flag -lifetime: not a Go duration`},
		{nil, []string{"revoke-user", "7", "--lifetime", "-1h"}, "not a Go duration"},
		{nil, with(sqlite, "revoke-user", "7", "--lifetime", "0s"), "--lifetime must be at least 1s"},
		{map[string]string{"JWTKIT_REFRESH_TTL": "a day"}, with(sqlite, "revoke-user", "7"), `JWTKIT_REFRESH_TTL="a day" is not a positive Go duration`},
		{map[string]string{"JWTKIT_ACCESS_TTL": "-5m"}, with(sqlite, "revoke-user", "7"), `JWTKIT_ACCESS_TTL="-5m" is not a positive Go duration`},
		{nil, []string{"revoke-jti"}, "takes exactly one jti, got 0 arguments"},
		{nil, with(sqlite, "revoke-jti", "abc", "--expires", "tomorrow"), `--expires "tomorrow" is neither an RFC 3339 time`},
		{nil, with(sqlite, "revoke-jti", "abc", "--expires", "2001-01-01T00:00:00Z"), "--expires 2001-01-01T00:00:00Z is not in the future"},
		{nil, with(sqlite, "revoke-jti", "abc", "--expires", "-1h"), "is not in the future"},
		{map[string]string{"JWTKIT_REFRESH_TTL": "soon"}, with(sqlite, "revoke-jti", "abc"), `JWTKIT_REFRESH_TTL="soon"`},
		{nil, []string{"revoke-jti", "abc", "--store", "redis", "--table-prefix", "x_"}, "--table-prefix is for the SQL stores (sqlite, postgres, mysql, django), not redis"},
		{nil, with(sqlite, "revoke-jti", "abc", "--key-prefix", "x:"), "--key-prefix is for the redis store, not sqlite"},
		{nil, with(sqlite, "migrate", "--table-prefix", "Bad-Prefix"), `TablePrefix "Bad-Prefix" must match`},
		{nil, []string{"migrate", "--store", "postgres", "--dsn", "postgres://u:hunter2-pass@localhost:notaport/db"}, "postgres DSN"},
		{nil, []string{"migrate", "--store", "redis", "--dsn", "http://localhost"}, "invalid URL scheme"},
	}
	for _, c := range cases {
		r := cli{env: c.env}.run(t, c.args...)
		usageFailure(t, r, c.args[0], c.want)
		assert.Empty(t, r.stdout, c.args)
		assert.NotContains(t, r.stderr, "hunter2-pass", "a DSN's password never reaches the output")
	}
}

// TestUnreachableStore: a store that does not answer is an operational failure, exit 1, after
// --timeout at most.
func TestUnreachableStore(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"redis":    {"--store", "redis", "--dsn", "redis://127.0.0.1:1/0"},
		"postgres": {"--store", "postgres", "--dsn", "postgres://postgres:hunter2-pass@127.0.0.1:1/test?sslmode=disable"},
		"mysql":    {"--store", "mysql", "--dsn", "root:hunter2-pass@tcp(127.0.0.1:1)/test"},
	}
	for name, flags := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			r := runArgs(t, with(append(flags, "--timeout", "5s"), "revoke-jti", "abc")...)
			failure(t, r, "revoke-jti", name+" store")
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.NotContains(t, r.stderr, "hunter2-pass")
			assert.Empty(t, r.stdout)
		})
	}
	t.Run("inspect", func(t *testing.T) {
		t.Parallel()
		token := pair(t, hmacKey(t, testSecret)).Access
		r := inspectCLI(map[string]string{"JWTKIT_SIGNING_KEY": testSecret}, "").run(t, with(cases["redis"], "inspect", "--timeout", "5s", token)...)
		failure(t, r, "inspect", "redis store")
		assert.Contains(t, r.stderr, "store unavailable")
		private(t, r, token, testSecret)
	})
}

func TestStoreFailedKeepsTheCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	err := storeFailed(&openedStore{Opened: &storeopen.Opened{Kind: "postgres", Prefix: "p_"}}, cause)
	require.ErrorIs(t, err, cause)
	assert.Equal(t, "postgres store, tables p_*: boom", err.Error())
}

// TestMigrateLeavesANewerSchemaAlone: a database migrated by a newer jwtkit is reported, not
// touched.
func TestMigrateLeavesANewerSchemaAlone(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, storeopen.SQLite)
	success(t, runArgs(t, with(s.flags(), "migrate")...))
	o := s.open(t)
	_, err := o.DB.Exec("INSERT INTO " + s.settings.TablePrefix + "schema_migrations (version, applied_at) VALUES (99, 0)")
	require.NoError(t, err)
	r := runArgs(t, with(s.flags(), "migrate")...)
	success(t, r)
	assert.Equal(t, describeTest(s)+": schema version 99, newer than this jwtkit's 2: left alone\n", r.stdout)
}
