package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
)

// prepared holds a statement prepared once per Store with db.PrepareContext. database/sql
// then prepares it on each pooled connection the first time it runs there, and again on the
// connections that replace broken ones, so an outage needs nothing from the store: the first
// call on a new connection prepares it anew, and fails (closed) while the database is away.
type prepared struct {
	st atomic.Pointer[sql.Stmt]
}

// prepare returns st prepared on s.db, preparing it on first use. Concurrent first uses each
// prepare, under their own context, and all but one close theirs: a first use blocked by an
// unreachable database must not hold up callers with shorter deadlines. A failed preparation
// is not kept, so the next call tries again.
func (s *Store) prepare(ctx context.Context, st stmt) (*sql.Stmt, error) {
	if p := st.prep.st.Load(); p != nil {
		return p, nil
	}
	p, err := s.db.PrepareContext(ctx, st.text)
	if err != nil {
		return nil, err
	}
	if !st.prep.st.CompareAndSwap(nil, p) {
		_ = p.Close() // another caller's is in place; closing an unused statement cannot fail
		return st.prep.st.Load(), nil
	}
	return p, nil
}

// execer is what both a *sql.DB and a *sql.Tx offer for running statement text.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// bound returns st's prepared statement, bound to tx when tx is not nil, or, for a statement
// that is not prepared, nil and what to run its text on. Inside a transaction it never
// prepares on the pool: that would need a second connection while the transaction holds one,
// and a pool full of transactions waiting for a second connection never drains (inTx prepares
// its statements before it begins).
func (s *Store) bound(ctx context.Context, tx *sql.Tx, st stmt) (*sql.Stmt, execer, error) {
	if tx != nil {
		if st.prep == nil {
			return nil, tx, nil
		}
		p := st.prep.st.Load()
		if p == nil { // Close ran meanwhile
			return nil, tx, nil
		}
		// Prepared on the transaction's connection if it is not yet there, and closed with
		// the transaction only in that case.
		return tx.StmtContext(ctx, p), nil, nil
	}
	if st.prep == nil {
		return nil, s.db, nil
	}
	p, err := s.prepare(ctx, st)
	if err != nil {
		return nil, nil, err
	}
	return p, nil, nil
}

// run executes st with args (already in the statement's order) on tx, or on the pool when tx
// is nil.
func (s *Store) run(ctx context.Context, tx *sql.Tx, st stmt, args []any) (sql.Result, error) {
	p, on, err := s.bound(ctx, tx, st)
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		return on.ExecContext(ctx, st.text, args...)
	}
	return p.ExecContext(ctx, args...)
}

// query is run for a statement that returns rows.
func (s *Store) query(ctx context.Context, tx *sql.Tx, st stmt, args []any) (*sql.Rows, error) {
	p, on, err := s.bound(ctx, tx, st)
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		return on.QueryContext(ctx, st.text, args...)
	}
	return p.QueryContext(ctx, args...)
}

// queryOne runs st and scans its first row into dest; found is false when it returns none.
func (s *Store) queryOne(ctx context.Context, tx *sql.Tx, st stmt, args []any, dest ...any) (found bool, err error) {
	p, on, err := s.bound(ctx, tx, st)
	if err != nil {
		return false, err
	}
	var row *sql.Row
	if p == nil {
		row = on.QueryRowContext(ctx, st.text, args...)
	} else {
		row = p.QueryRowContext(ctx, args...)
	}
	switch err := row.Scan(dest...); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Close releases the statements the Store prepared. It does not close the *sql.DB, which
// belongs to the caller, and it is idempotent. Call it once no call on the Store is running:
// a call that starts afterwards prepares its statement again, and Close must be called again.
func (s *Store) Close() error {
	var errs []error
	for _, p := range s.q.prepared() {
		if st := p.st.Swap(nil); st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}
