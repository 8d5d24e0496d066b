package jwtdjango_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

// TestConformance runs the store contract on a database Django migrated, per dialect. Stores
// from newStore each have a pool of their own, as replicas would.
func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel() // each dialect has a database of its own
			db := newDjangoDB(t, d.dialect)
			require.NoError(t, db.store(t, jwtdjango.StoreConfig{}).Migrate(t.Context()))
			storetest.Run(t, func(tb testing.TB) jwtkit.Store { return db.store(tb, jwtdjango.StoreConfig{}) },
				storetest.Features{Purge: true, Shared: true, Rotation: true, Limiter: true})
		})
	}
}

// TestSimpleJWTRows checks what a revocation leaves in simplejwt's tables, which is what
// Django reads: an outstanding token with the jti and a blacklisted token pointing at it.
// Other jtis stay out of them.
func TestSimpleJWTRows(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			db := newDjangoDB(t, d.dialect)
			s := db.store(t, jwtdjango.StoreConfig{})
			require.NoError(t, s.Migrate(t.Context()))
			sqlDB := db.open(t)
			ctx := t.Context()

			jti := "0123456789abcdef0123456789abcdef"
			require.NoError(t, s.Revoke(ctx, jti, time.Now().Add(time.Hour)))
			var n int
			require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM token_blacklist_blacklistedtoken b
JOIN token_blacklist_outstandingtoken o ON o.id = b.token_id WHERE o.jti = '`+jti+`' AND o.token = '' AND o.user_id IS NULL`).Scan(&n))
			assert.Equal(t, 1, n, "a revoked jti is blacklisted in simplejwt's tables")

			require.NoError(t, s.Revoke(ctx, "NOT-simplejwt-"+jti, time.Now().Add(time.Hour)))
			require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM token_blacklist_outstandingtoken`).Scan(&n))
			assert.Equal(t, 1, n, "a jti simplejwt does not issue stays in jwtkit's own table")
			require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM jwtkit_blacklisted_tokens`).Scan(&n))
			assert.Equal(t, 1, n)
		})
	}
}

// TestMigrateNeedsDjango: Migrate refuses a database without simplejwt's tables and creates
// nothing there.
func TestMigrateNeedsDjango(t *testing.T) {
	db := &djangoDB{driver: "sqlite", dsn: "file:" + t.TempDir() + "/empty.sqlite3" + sqlitePragmas}
	sqlDB := db.open(t)
	s, err := jwtdjango.NewStore(sqlDB)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	assert.ErrorIs(t, s.Migrate(context.Background()), jwtdjango.ErrNoSimpleJWTTables)
	var n int
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM sqlite_master`).Scan(&n))
	assert.Zero(t, n, "Migrate created tables in a database Django has not migrated")
}
