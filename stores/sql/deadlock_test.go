package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// TestMySQLDeadlockRetried makes InnoDB pick a store statement as a deadlock victim, the way a
// Purge batch can when it meets a take-over of the same expired row (the two lock the row's
// index entries in opposite orders), and checks the store runs the statement again instead of
// failing. Another transaction, heavier so InnoDB rolls the store's statement back rather than
// it, holds the row's expires_at index entry and then asks for the row the store has locked.
func TestMySQLDeadlockRetried(t *testing.T) {
	e := newEnv(t, sqlstore.MySQL)
	ctx := t.Context()
	db := e.open(t)
	now := e.store(t, db, sqlstore.Config{})
	later := e.later(t, db, 2*time.Hour)
	table := e.prefix + "blacklisted_tokens"

	jti, exp := newJTI(), time.Now().Add(time.Hour)
	require.NoError(t, now.Revoke(ctx, jti, exp))
	var oldExpiry int64
	require.NoError(t, db.QueryRowContext(ctx, "SELECT expires_at FROM "+table+" WHERE jti = ?", jti).Scan(&oldExpiry))

	other, err := db.Conn(ctx)
	require.NoError(t, err)
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	for i := range 20 { // weight: InnoDB rolls back the transaction that has done less
		_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" (jti, expires_at, revoked_at) VALUES (?, ?, 0)", fmt.Sprintf("heavy-%d-%s", i, jti), exp.Unix())
		require.NoError(t, err)
	}
	// A covering locking read in share mode locks the index entry only, not the row.
	_, err = tx.ExecContext(ctx, "SELECT expires_at FROM "+table+" FORCE INDEX ("+table+"_expires_at) WHERE expires_at = ? LOCK IN SHARE MODE", oldExpiry)
	require.NoError(t, err)

	type result struct {
		won bool
		err error
	}
	done := make(chan result, 1)
	go func() { // takes the row, then waits for the index entry
		won, err := later.RevokeOnce(context.Background(), jti, time.Now().Add(3*time.Hour))
		done <- result{won, err}
	}()
	require.Eventually(t, func() bool {
		var waiting int
		err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'").Scan(&waiting)
		return err == nil && waiting > 0
	}, 5*time.Second, 250*time.Millisecond, // InnoDB refreshes innodb_trx only if unread for 0.1 s
		"the take-over must wait for the index entry")

	// Closes the cycle: InnoDB rolls back the store's statement, which the store runs again;
	// that run waits until this transaction ends.
	_, err = tx.ExecContext(ctx, "SELECT jti FROM "+table+" WHERE jti = ? FOR UPDATE", jti)
	require.NoError(t, err, "the heavier transaction must survive the deadlock")
	require.NoError(t, tx.Commit())

	r := <-done
	require.NoError(t, r.err, "a deadlock victim must be retried, not reported")
	assert.True(t, r.won)
	revoked, err := later.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	require.NoError(t, err)
	assert.True(t, revoked)
}
