package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"time"
)

// txAttempts bounds how often a transaction the database rolled back to break a deadlock is
// run again. Transactions deadlock more readily than single statements (InnoDB can pick one
// whenever two of them queue for the same fresh row), so they get more tries than exec's.
const txAttempts = 5

// inTx runs fn in a transaction and commits it. A transaction the database rolled back to
// break a deadlock or a serialization conflict is run again from the start, fn included, so fn
// must set its results afresh on every run. The statements fn runs are listed in uses and
// prepared before the transaction begins (see bound).
//
// PostgreSQL and MySQL run it in READ COMMITTED: each statement reads what was committed
// before it started, which is what a statement that waited for another transaction's row lock
// must see, and InnoDB takes no gap locks that would make transactions on different keys wait
// for each other. SQLite has one writer at a time and takes the isolation it has.
func (s *Store) inTx(ctx context.Context, op string, uses []stmt, fn func(tx *sql.Tx) error) error {
	for _, st := range uses {
		if _, err := s.prepare(ctx, st); err != nil {
			return fail(ctx, op, err)
		}
	}
	if err := Transact(ctx, s.db, s.dialect, fn); err != nil {
		return fail(ctx, op, err)
	}
	return nil
}

// Transact runs fn in a transaction on db and commits it, as the Store runs its own: READ
// COMMITTED on PostgreSQL and MySQL (SQLite takes the isolation it has), and run again from
// the start, fn included, when the database rolled it back to break a deadlock or a
// serialization conflict (at most a few times, and never once ctx has ended). fn must set its
// results afresh on every run. It is exported for stores that keep part of their state in
// another schema beside a Store's tables (jwtdjango), so that they retry as the Store does.
func Transact(ctx context.Context, db *sql.DB, d Dialect, fn func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if d != SQLite {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	for attempt := 1; ; attempt++ {
		err := tryTx(ctx, db, opts, fn)
		if err == nil || attempt == txAttempts || ctx.Err() != nil || !rolledBack(err) {
			return err
		}
	}
}

func tryTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error that matters is fn's; a failed rollback ends the connection
		return err
	}
	return tx.Commit()
}

// txExec runs st with args in tx and returns how many rows it affected.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, st stmt, args ...any) (int64, error) {
	res, err := s.run(ctx, tx, st, st.args(args))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// unixNano is t.UnixNano saturated to the years 1678 to 2262, outside which UnixNano is
// undefined.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}
