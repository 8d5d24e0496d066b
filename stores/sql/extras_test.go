package sqlstore_test

import (
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// TestRotationAndLoginRowsPurged: Purge removes answers whose grace window has passed, login
// attempts whose window has passed and the keys' lock rows, counting each row, and keeps the
// live ones. Asked with a now inside their old windows, the purged rows are gone.
func TestRotationAndLoginRowsPurged(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		db := e.open(t)
		s := e.store(t, db, sqlstore.Config{})
		now := time.Now()

		short, long := newJTI(), newJTI()
		won, err := s.RotateOnce(ctx, short, inAnHour(), []byte("short"), now.Add(5*time.Second))
		require.NoError(t, err)
		require.True(t, won)
		won, err = s.RotateOnce(ctx, long, now.Add(3*time.Hour), []byte("long"), now.Add(3*time.Hour))
		require.NoError(t, err)
		require.True(t, won)
		for _, key := range []string{"a", "b"} {
			retry, err := s.LoginAttempt(ctx, key, "1", 1, time.Minute, now)
			require.NoError(t, err)
			require.Zero(t, retry)
		}
		retry, err := s.LoginAttempt(ctx, "hour", "1", 1, 3*time.Hour, now)
		require.NoError(t, err)
		require.Zero(t, retry)
		require.Equal(t, 2, e.count(t, db, "rotation_answers"))
		require.Equal(t, 3, e.count(t, db, "login_attempts"))
		require.Equal(t, 3, e.count(t, db, "login_keys"))

		removed, err := s.Purge(ctx)
		require.NoError(t, err)
		assert.Zero(t, removed, "nothing has expired yet")

		// Two hours on, the short answer, the jti revoked for an hour, the two attempts of a
		// minute and their keys' rows have expired; the rest lives.
		removed, err = e.later(t, db, 2*time.Hour+time.Second).Purge(ctx)
		require.NoError(t, err)
		assert.Equal(t, 6, removed, "a jti, an answer, two attempts and two lock rows")
		assert.Equal(t, 1, e.count(t, db, "rotation_answers"))
		assert.Equal(t, 1, e.count(t, db, "login_attempts"))
		assert.Equal(t, 1, e.count(t, db, "login_keys"))

		answer, err := s.RotatedAnswer(ctx, short, now)
		require.NoError(t, err)
		assert.Nil(t, answer, "the purged answer is gone, even for a now inside its old window")
		answer, err = s.RotatedAnswer(ctx, long, now)
		require.NoError(t, err)
		assert.Equal(t, []byte("long"), answer)
		retry, err = s.LoginAttempt(ctx, "a", "2", 1, time.Minute, now.Add(time.Second))
		require.NoError(t, err)
		assert.Zero(t, retry, "the purged attempt no longer counts, even for a now inside its old window")
		retry, err = s.LoginAttempt(ctx, "hour", "2", 1, 3*time.Hour, now.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, 2*time.Hour, retry, "the live attempt was kept")
	})
}

// TestExtrasKeyLimits: the limiter and the rotation refuse what the tables cannot hold with
// the package's sentinels, before the database is asked, and keys and ids of MaxKeyLen bytes
// fit on every dialect.
func TestExtrasKeyLimits(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		s := e.newStore(t).(*sqlstore.Store)
		longest := strings.Repeat("k", sqlstore.MaxKeyLen)
		now := time.Now()

		retry, err := s.LoginAttempt(ctx, longest, longest, 1, time.Minute, now)
		require.NoError(t, err)
		require.Zero(t, retry)
		retry, err = s.LoginAttempt(ctx, longest, "other", 1, time.Minute, now)
		require.NoError(t, err)
		assert.Equal(t, time.Minute, retry)
		require.NoError(t, s.LoginForget(ctx, longest, longest))
		won, err := s.RotateOnce(ctx, longest, inAnHour(), []byte("answer"), inAnHour())
		require.NoError(t, err)
		assert.True(t, won)

		_, err = s.LoginAttempt(ctx, longest+"k", "id", 1, time.Minute, now)
		assert.ErrorIs(t, err, sqlstore.ErrKeyTooLong)
		_, err = s.LoginAttempt(ctx, "key", longest+"k", 1, time.Minute, now)
		assert.ErrorIs(t, err, sqlstore.ErrKeyTooLong)
		_, err = s.LoginAttempt(ctx, "", "id", 1, time.Minute, now)
		assert.ErrorIs(t, err, jwtkit.ErrEmptyKey)
		_, err = s.LoginAttempt(ctx, "key", "id", 0, time.Minute, now)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
		_, err = s.LoginAttempt(ctx, "key", "id", 1, 0, now)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
		_, err = s.RotateOnce(ctx, longest+"k", inAnHour(), nil, inAnHour())
		assert.ErrorIs(t, err, sqlstore.ErrKeyTooLong)

		empty := newJTI()
		won, err = s.RotateOnce(ctx, empty, inAnHour(), nil, inAnHour())
		require.NoError(t, err)
		require.True(t, won)
		answer, err := s.RotatedAnswer(ctx, empty, now)
		require.NoError(t, err)
		assert.Equal(t, []byte{}, answer, "an empty answer is recorded, and is not the same as none")
	})
}

// TestMySQLRevokedPreparedOnce (issue 8): Revoked, Revoke and RevokeOnce run statements the
// store prepared once, instead of having go-sql-driver prepare, run and close each call's SQL
// on the server (three round trips, and a parse per call). On a pool of one connection the
// server's per-session count of prepares stays put across many calls.
func TestMySQLRevokedPreparedOnce(t *testing.T) {
	e := newEnv(t, sqlstore.MySQL)
	ctx := t.Context()
	db := e.open(t)
	db.SetMaxOpenConns(1)
	s := e.store(t, db, sqlstore.Config{})
	prepares := func() int {
		var name string
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").Scan(&name, &n))
		return n
	}
	calls := func() {
		jti := newJTI()
		require.NoError(t, s.Revoke(ctx, jti, inAnHour()))
		_, err := s.RevokeOnce(ctx, newJTI(), inAnHour())
		require.NoError(t, err)
		revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti, UserID: "u", Family: "f", IssuedAt: time.Now()})
		require.NoError(t, err)
		require.True(t, revoked)
	}

	calls() // prepares each statement once
	before := prepares()
	for range 50 {
		calls()
	}
	assert.Equal(t, before, prepares(), "150 calls on one connection prepared nothing more")
}

// TestPreparedStatementsRecover (issue 8): statements prepared before an outage still answer
// after it, on the connections database/sql dials afresh, and fail closed while it lasts: the
// store never answers "not revoked" because a statement could not run. (TestOutage proves the
// same through core.)
func TestPreparedStatementsRecover(t *testing.T) {
	require.NoError(t, mysql.SetLogger(log.New(io.Discard, "", 0)))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime|log.Lshortfile)) })
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		db, hooks := e.outage(t)
		s := e.store(t, db, sqlstore.Config{})
		jti := newJTI()
		require.NoError(t, s.Revoke(ctx, jti, inAnHour()))
		revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
		require.NoError(t, err)
		require.True(t, revoked, "prepared and answered before the outage")

		hooks.Cut()
		for _, ref := range []jwtkit.TokenRef{{JTI: jti}, {JTI: newJTI()}} {
			revoked, err := s.Revoked(ctx, ref)
			assert.Error(t, err, "Revoked during the outage")
			assert.False(t, revoked)
		}
		hooks.Restore()

		require.Eventually(t, func() bool {
			revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
			return err == nil && revoked
		}, 20*time.Second, 50*time.Millisecond, "the prepared statement must answer again by itself")
		revoked, err = s.Revoked(ctx, jwtkit.TokenRef{JTI: newJTI()})
		require.NoError(t, err)
		assert.False(t, revoked)
		won, err := s.RevokeOnce(ctx, newJTI(), inAnHour())
		require.NoError(t, err)
		assert.True(t, won)
	})
}

// TestCloseReleasesStatements: Close is idempotent and the Store still works after it,
// preparing its statements again.
func TestCloseReleasesStatements(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		s := e.newStore(t).(*sqlstore.Store)
		jti := newJTI()
		require.NoError(t, s.Revoke(ctx, jti, inAnHour()))
		require.NoError(t, s.Close())
		require.NoError(t, s.Close(), "Close is idempotent")
		revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
		require.NoError(t, err)
		assert.True(t, revoked)
	})
}

// TestMigrateFromVersion1: a database migrated by the previous release (version 1, with
// revocations in it) is brought to the latest version by Migrate, keeping its data, and the
// new tables work.
func TestMigrateFromVersion1(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { migrateFromVersion1(t, unmigratedEnv(t, d.dialect)) })
	}
}

func migrateFromVersion1(t *testing.T, e *env) {
	ctx := t.Context()
	db := e.open(t)
	text, err := os.ReadFile(filepath.Join("migrations", string(e.dialect), "0001_init.sql"))
	require.NoError(t, err)
	var kept []string
	for line := range strings.Lines(string(text)) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			kept = append(kept, line)
		}
	}
	for st := range strings.SplitSeq(strings.Join(kept, ""), ";") {
		if st = strings.TrimSpace(st); st != "" {
			_, err := db.ExecContext(ctx, strings.ReplaceAll(st, "{prefix}", e.prefix))
			require.NoError(t, err, st)
		}
	}
	_, err = db.ExecContext(ctx, "CREATE TABLE "+e.prefix+"schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO "+e.prefix+"schema_migrations (version, applied_at) VALUES (1, 0)")
	require.NoError(t, err)

	s := e.store(t, db, sqlstore.Config{})
	jti := newJTI()
	require.NoError(t, s.Revoke(ctx, jti, inAnHour()), "version 1 serves revocations")
	current, latest, err := s.MigrationVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, current)

	require.NoError(t, s.Migrate(ctx))
	current, _, err = s.MigrationVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, latest, current)
	revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	require.NoError(t, err)
	assert.True(t, revoked, "the revocation made at version 1 survives the migration")
	won, err := s.RotateOnce(ctx, newJTI(), inAnHour(), []byte("answer"), inAnHour())
	require.NoError(t, err)
	assert.True(t, won)
	retry, err := s.LoginAttempt(ctx, "key", "id", 1, time.Minute, time.Now())
	require.NoError(t, err)
	assert.Zero(t, retry)
}
