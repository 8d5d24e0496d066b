package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"time"
)

// LoginAttempt counts one attempt against key in the exact sliding window (now-window, now],
// unless limit attempts already fall within it: then it counts nothing and returns how long
// until the attempt that blocks (the limit-th newest) leaves the window.
//
// One transaction per call: it first upserts key's row in <prefix>login_keys, which locks it
// until the transaction ends, so concurrent attempts on one key, from any number of processes,
// count one after the other (on SQLite the upsert takes the database's single write lock);
// then it reads the newest limit attempts of the window from <prefix>login_attempts and, if
// there is room, inserts this one. Times are now as given, kept to the nanosecond; rows are
// purged once their window has passed (by Purge, with the store's clock).
//
// An empty key or id wraps jwtkit.ErrEmptyKey, one longer than MaxKeyLen wraps ErrKeyTooLong, and a
// limit below 1 or a window not above zero wraps jwtkit.ErrInvalidConfig (it comes from
// Config.LoginRate).
func (s *Store) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (retryAfter time.Duration, err error) {
	if err := check(ctx, "login key", key); err != nil {
		return 0, err
	}
	if err := check(ctx, "login attempt id", id); err != nil {
		return 0, err
	}
	if limit < 1 || window <= 0 {
		return 0, invalid("LoginAttempt needs a limit of at least 1 and a positive window, got %d and %v", limit, window)
	}
	at := unixNano(now)
	start := at - int64(window)
	if start > at { // wrapped around below the earliest time
		start = math.MinInt64
	}
	exp := expirySeconds(now.Add(window))
	uses := []stmt{s.q.loginLock, s.q.loginWindow, s.q.loginRecord}
	err = s.inTx(ctx, "login attempt", uses, func(tx *sql.Tx) error {
		retryAfter = 0
		if _, err := s.txExec(ctx, tx, s.q.loginLock, key, exp); err != nil {
			return err
		}
		blocker, n, err := s.blocker(ctx, tx, key, start, limit)
		if err != nil {
			return err
		}
		if n >= limit {
			retryAfter = time.Duration(blocker - start) // > 0: the blocker is after start
			return nil
		}
		_, err = s.txExec(ctx, tx, s.q.loginRecord, key, id, at, exp)
		return err
	})
	if err != nil {
		return 0, err
	}
	return retryAfter, nil
}

// blocker reads the newest limit attempts of key after start and returns how many there are
// and the time of the oldest of them: with limit of them, the one that must leave the window.
func (s *Store) blocker(ctx context.Context, tx *sql.Tx, key string, start int64, limit int) (oldest int64, n int, err error) {
	st := s.q.loginWindow
	rows, err := s.query(ctx, tx, st, st.args([]any{key, start, limit}))
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = rows.Close() }() // read errors surface through rows.Err
	for rows.Next() {
		if err := rows.Scan(&oldest); err != nil {
			return 0, 0, err
		}
		n++
	}
	return oldest, n, rows.Err()
}

// LoginForget removes the attempt id from key's count, in one DELETE.
func (s *Store) LoginForget(ctx context.Context, key, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.exec(ctx, "login forget", s.q.loginForget, key, id)
	return err
}
