package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// later returns a Store on e whose clock runs d ahead: rows written by a store on the real
// clock have expired for it, but no Purge has removed them.
func (e *env) later(tb testing.TB, db *sql.DB, d time.Duration) *sqlstore.Store {
	return e.store(tb, db, sqlstore.Config{Clock: func() time.Time { return time.Now().Add(d) }})
}

// TestExpiredRowNotPurged: a row whose expiry has passed but is still in the table counts as
// absent, and RevokeOnce on it wins exactly once among concurrent callers, across two pools.
func TestExpiredRowNotPurged(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		now := e.store(t, e.open(t), sqlstore.Config{})
		dbs := [2]*sql.DB{e.open(t), e.open(t)}
		later := [2]*sqlstore.Store{e.later(t, dbs[0], 2*time.Hour), e.later(t, dbs[1], 2*time.Hour)}

		for round := range 5 {
			jti := newJTI()
			require.NoError(t, now.Revoke(ctx, jti, inAnHour()))
			require.Equal(t, 1, rowsFor(t, e, dbs[0], jti), "the row is there")
			revoked, err := later[0].Revoked(ctx, jwtkit.TokenRef{JTI: jti})
			require.NoError(t, err)
			require.False(t, revoked, "an expired row counts as absent")

			var wins atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			exp := time.Now().Add(3 * time.Hour)
			for i := range 64 {
				wg.Go(func() {
					<-start
					won, err := later[i%2].RevokeOnce(context.Background(), jti, exp)
					assert.NoError(t, err)
					if won {
						wins.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			require.Equal(t, int32(1), wins.Load(), "round %d: exactly one RevokeOnce takes over the expired row", round)
			revoked, err = later[1].Revoked(ctx, jwtkit.TokenRef{JTI: jti})
			require.NoError(t, err)
			assert.True(t, revoked, "the take-over revokes the jti again")
		}
	})
}

func rowsFor(t *testing.T, e *env, db *sql.DB, jti string) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM " + e.prefix + "blacklisted_tokens WHERE jti = ?"
	if e.dialect == sqlstore.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	require.NoError(t, db.QueryRowContext(t.Context(), q, jti).Scan(&n))
	return n
}

// TestExpiredRowsReplaced: revoking again over an expired record starts afresh. A user cutoff
// in particular is replaced, not raised: the old record's later cutoff ended with it.
func TestExpiredRowsReplaced(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		db := e.open(t)
		now := e.store(t, db, sqlstore.Config{})
		later := e.later(t, db, 2*time.Hour)
		t0 := time.Now().Truncate(time.Second)
		user, family, jti := "user-"+newJTI(), "family-"+newJTI(), newJTI()

		require.NoError(t, now.RevokeUser(ctx, user, t0.Add(90*time.Minute), t0.Add(time.Hour)))
		require.NoError(t, later.RevokeUser(ctx, user, t0.Add(30*time.Minute), t0.Add(3*time.Hour)))
		ref := jwtkit.TokenRef{JTI: newJTI(), UserID: user, IssuedAt: t0.Add(time.Hour)}
		revoked, err := later.Revoked(ctx, ref)
		require.NoError(t, err)
		assert.False(t, revoked, "the expired cutoff (+90m) must not survive into the new record (+30m)")
		ref.IssuedAt = t0.Add(20 * time.Minute)
		revoked, err = later.Revoked(ctx, ref)
		require.NoError(t, err)
		assert.True(t, revoked, "the new cutoff applies")

		require.NoError(t, now.RevokeFamily(ctx, family, t0.Add(time.Hour)))
		require.NoError(t, now.Revoke(ctx, jti, t0.Add(time.Hour)))
		for _, r := range []jwtkit.TokenRef{{JTI: newJTI(), Family: family}, {JTI: jti}} {
			revoked, err := later.Revoked(ctx, r)
			require.NoError(t, err)
			assert.False(t, revoked, "expired for the later clock: %+v", r)
		}
		require.NoError(t, later.RevokeFamily(ctx, family, t0.Add(3*time.Hour)))
		require.NoError(t, later.Revoke(ctx, jti, t0.Add(3*time.Hour)))
		for _, r := range []jwtkit.TokenRef{{JTI: newJTI(), Family: family}, {JTI: jti}} {
			revoked, err := later.Revoked(ctx, r)
			require.NoError(t, err)
			assert.True(t, revoked, "revoked again: %+v", r)
		}
	})
}

// TestPurgeBatches: Purge removes every expired row of every table in batches of PurgeBatch,
// counts them, and keeps the live ones.
func TestPurgeBatches(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		db := e.open(t)
		now := e.store(t, db, sqlstore.Config{})
		for i := range 10 {
			require.NoError(t, now.Revoke(ctx, newJTI(), inAnHour()))
			if i < 4 {
				require.NoError(t, now.RevokeUser(ctx, "user-"+newJTI(), time.Now(), inAnHour()))
				require.NoError(t, now.RevokeFamily(ctx, "family-"+newJTI(), inAnHour()))
			}
		}
		live := newJTI()
		require.NoError(t, now.Revoke(ctx, live, time.Now().Add(3*time.Hour)))

		purger := e.store(t, db, sqlstore.Config{PurgeBatch: 3, Clock: func() time.Time { return time.Now().Add(2 * time.Hour) }})
		removed, err := purger.Purge(ctx)
		require.NoError(t, err)
		assert.Equal(t, 18, removed, "10 jtis, 4 users and 4 families, in batches of 3")
		assert.Equal(t, 1, e.count(t, db, "blacklisted_tokens"))
		assert.Zero(t, e.count(t, db, "user_revocations"))
		assert.Zero(t, e.count(t, db, "family_revocations"))
		revoked, err := purger.Revoked(ctx, jwtkit.TokenRef{JTI: live})
		require.NoError(t, err)
		assert.True(t, revoked, "a live row survives Purge")

		removed, err = purger.Purge(ctx)
		require.NoError(t, err)
		assert.Zero(t, removed, "nothing left to purge")
	})
}

// TestKeyLimits: keys up to MaxKeyLen bytes are stored on every dialect, longer ones are
// refused before the database is asked, and keys are opaque bytes (no trimming, no case or
// Unicode folding, trailing spaces significant).
func TestKeyLimits(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		s := e.newStore(t)
		longest := strings.Repeat("k", sqlstore.MaxKeyLen-len("ü")) + "ü"
		require.NoError(t, s.Revoke(ctx, longest, inAnHour()))
		require.NoError(t, s.RevokeUser(ctx, longest, time.Now(), inAnHour()))
		require.NoError(t, s.RevokeFamily(ctx, longest, inAnHour()))
		revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: longest})
		require.NoError(t, err)
		assert.True(t, revoked)

		tooLong := longest + "k"
		assert.ErrorIs(t, s.Revoke(ctx, tooLong, inAnHour()), sqlstore.ErrKeyTooLong)
		_, err = s.RevokeOnce(ctx, tooLong, inAnHour())
		assert.ErrorIs(t, err, sqlstore.ErrKeyTooLong)
		assert.ErrorIs(t, s.RevokeUser(ctx, tooLong, time.Now(), inAnHour()), sqlstore.ErrKeyTooLong)
		assert.ErrorIs(t, s.RevokeFamily(ctx, tooLong, inAnHour()), sqlstore.ErrKeyTooLong)
		revoked, err = s.Revoked(ctx, jwtkit.TokenRef{JTI: tooLong})
		require.NoError(t, err, "looking up a key too long to be stored is a plain miss")
		assert.False(t, revoked)
		assert.ErrorIs(t, s.Revoke(ctx, "", inAnHour()), jwtkit.ErrEmptyKey)

		nul := "nul\x00" + newJTI()
		if e.dialect == sqlstore.Postgres {
			assert.Error(t, s.Revoke(ctx, nul, inAnHour()), "PostgreSQL text cannot hold a NUL byte")
		} else {
			require.NoError(t, s.Revoke(ctx, nul, inAnHour()))
			revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: nul})
			require.NoError(t, err)
			assert.True(t, revoked, "a key with a NUL byte")
			revoked, err = s.Revoked(ctx, jwtkit.TokenRef{JTI: "nul"})
			require.NoError(t, err)
			assert.False(t, revoked, "a NUL byte does not end a key")
		}

		base := "key-" + newJTI()
		require.NoError(t, s.Revoke(ctx, base, inAnHour()))
		for _, other := range []string{base + " ", " " + base, strings.ToUpper(base), base + "\u0301"} {
			revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: other})
			require.NoError(t, err)
			assert.False(t, revoked, "%q is another key than %q", other, base)
		}
	})
}

// TestBeforeMigrate: a Store whose tables do not exist fails closed: errors, never a pass.
func TestBeforeMigrate(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := unmigratedEnv(t, d.dialect)
			s := e.newStore(t)
			_, err := s.Revoked(t.Context(), jwtkit.TokenRef{JTI: newJTI()})
			assert.Error(t, err)
			_, err = s.RevokeOnce(t.Context(), newJTI(), inAnHour())
			assert.Error(t, err)
		})
	}
}

func TestConfig(t *testing.T) {
	db, err := sql.Open("sqlite", "file::memory:")
	require.NoError(t, err)
	defer db.Close()

	s, err := sqlstore.New(db)
	require.NoError(t, err)
	assert.Equal(t, sqlstore.SQLite, s.Dialect())

	for name, cfg := range map[string]sqlstore.Config{
		"upper-case prefix":  {TablePrefix: "Jwt_"},
		"leading digit":      {TablePrefix: "1jwt_"},
		"dash":               {TablePrefix: "jwt-kit_"},
		"injection":          {TablePrefix: "x; DROP TABLE users; --"},
		"quote":              {TablePrefix: `x"`},
		"too long":           {TablePrefix: strings.Repeat("p", 33)},
		"negative batch":     {PurgeBatch: -1},
		"unknown dialect":    {Dialect: "oracle"},
		"dialect wrong case": {Dialect: "Postgres"},
	} {
		_, err := sqlstore.New(db, cfg)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, name)
	}
	_, err = sqlstore.New(nil)
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "nil db")
	_, err = sqlstore.New(db, sqlstore.Config{}, sqlstore.Config{})
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig, "two Configs")
	_, err = sqlstore.New(db, sqlstore.Config{TablePrefix: strings.Repeat("p", 32)})
	require.NoError(t, err, "32 bytes is the longest prefix")
	s, err = sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres})
	require.NoError(t, err)
	assert.Equal(t, sqlstore.Postgres, s.Dialect(), "an explicit Dialect wins over detection")
}

// unknownDriver stands for a driver the store does not recognise (a wrapped, instrumented one,
// say).
type unknownDriver struct{}

func (unknownDriver) Open(string) (driver.Conn, error) { return nil, driver.ErrBadConn }

func init() { sql.Register("sqlstore-test-unknown", unknownDriver{}) }

func TestDialectDetection(t *testing.T) {
	for driverName, want := range map[string]sqlstore.Dialect{"pgx": sqlstore.Postgres, "mysql": sqlstore.MySQL, "sqlite": sqlstore.SQLite} {
		db, err := sql.Open(driverName, "unused")
		if driverName == "mysql" { // go-sql-driver parses the DSN in Open
			db, err = sql.Open(driverName, defaultMySQLDSN)
		}
		require.NoError(t, err)
		s, err := sqlstore.New(db)
		require.NoError(t, err, driverName)
		assert.Equal(t, want, s.Dialect(), driverName)
		_ = db.Close()
	}

	db, err := sql.Open("sqlstore-test-unknown", "")
	require.NoError(t, err)
	defer db.Close()
	_, err = sqlstore.New(db)
	assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	assert.ErrorContains(t, err, "set Config.Dialect")
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.MySQL})
	require.NoError(t, err, "an explicit Dialect needs no detection")
	assert.Equal(t, sqlstore.MySQL, s.Dialect())
}

// TestRevokeOnceRacesPurge: RevokeOnce on an expired row while Purge deletes it still has
// exactly one winner; no caller may lose to a row that is gone.
func TestRevokeOnceRacesPurge(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		now := e.store(t, e.open(t), sqlstore.Config{})
		later := e.later(t, e.open(t), 2*time.Hour)
		purger := e.later(t, e.open(t), 2*time.Hour)
		exp := time.Now().Add(3 * time.Hour)
		for round := range 30 {
			jti := newJTI()
			require.NoError(t, now.Revoke(ctx, jti, inAnHour()))
			var wins atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			wg.Go(func() {
				<-start
				_, err := purger.Purge(context.Background())
				assert.NoError(t, err)
			})
			for range 8 {
				wg.Go(func() {
					<-start
					won, err := later.RevokeOnce(context.Background(), jti, exp)
					assert.NoError(t, err)
					if won {
						wins.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			require.Equal(t, int32(1), wins.Load(), "round %d", round)
		}
	})
}

// TestMySQLClientFoundRows: with clientFoundRows=true in the DSN, MySQL reports rows an
// UPDATE matched rather than changed. RevokeOnce must not rely on the difference.
func TestMySQLClientFoundRows(t *testing.T) {
	e := newEnv(t, sqlstore.MySQL)
	e.dsn += "&clientFoundRows=true"
	ctx := t.Context()
	s := e.newStore(t)
	later := e.later(t, e.open(t), 2*time.Hour)

	jti := newJTI()
	for i, want := range []bool{true, false, false} {
		won, err := s.RevokeOnce(ctx, jti, inAnHour())
		require.NoError(t, err)
		assert.Equal(t, want, won, "call %d", i)
	}
	for i, want := range []bool{true, false} {
		won, err := later.RevokeOnce(ctx, jti, time.Now().Add(3*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, want, won, "take-over call %d", i)
	}
	require.NoError(t, s.Revoke(ctx, jti, time.Now().Add(4*time.Hour)), "Revoke of a live row")
	won, err := later.RevokeOnce(ctx, jti, time.Now().Add(5*time.Hour))
	require.NoError(t, err)
	assert.False(t, won)
}
