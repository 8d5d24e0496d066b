package sqlstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

const latestVersion = 2

// TestMigrate: a fresh prefix migrates to the latest version, and Migrate again changes
// nothing (same version row, same data).
func TestMigrate(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := t.Context()
			e := unmigratedEnv(t, d.dialect)
			db := e.open(t)
			s := e.store(t, db, sqlstore.Config{})

			current, latest, err := s.MigrationVersion(ctx)
			require.NoError(t, err)
			assert.Equal(t, 0, current, "fresh prefix")
			assert.Equal(t, latestVersion, latest)

			require.NoError(t, s.Migrate(ctx))
			current, latest, err = s.MigrationVersion(ctx)
			require.NoError(t, err)
			assert.Equal(t, latestVersion, current)
			assert.Equal(t, latestVersion, latest)

			jti := newJTI()
			require.NoError(t, s.Revoke(ctx, jti, inAnHour()))
			require.NoError(t, s.Migrate(ctx), "Migrate again")
			current, _, err = s.MigrationVersion(ctx)
			require.NoError(t, err)
			assert.Equal(t, latestVersion, current)
			assert.Equal(t, latestVersion, e.count(t, db, "schema_migrations"), "one row per version")
			revoked, err := s.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
			require.NoError(t, err)
			assert.True(t, revoked, "Migrate again keeps the data")
		})
	}
}

// TestMigrateConcurrently: several processes migrating the same fresh prefix at once all
// succeed (each on its own pool, as separate processes would), and the schema is applied once.
func TestMigrateConcurrently(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := unmigratedEnv(t, d.dialect)
			const processes = 4
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, processes)
			for i := range processes {
				s := e.store(t, e.open(t), sqlstore.Config{})
				wg.Go(func() {
					<-start
					errs[i] = s.Migrate(context.Background())
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				assert.NoError(t, err, "Migrate %d", i)
			}
			db := e.open(t)
			assert.Equal(t, latestVersion, e.count(t, db, "schema_migrations"))
			current, _, err := e.store(t, db, sqlstore.Config{}).MigrationVersion(t.Context())
			require.NoError(t, err)
			assert.Equal(t, latestVersion, current)
		})
	}
}

// TestMigrateCancelled: Migrate with a cancelled context fails with context.Canceled and
// creates nothing.
func TestMigrateCancelled(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := unmigratedEnv(t, d.dialect)
			s := e.newStore(t).(*sqlstore.Store)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			assert.ErrorIs(t, s.Migrate(ctx), context.Canceled)
			current, _, err := s.MigrationVersion(t.Context())
			require.NoError(t, err)
			assert.Zero(t, current)
		})
	}
}
