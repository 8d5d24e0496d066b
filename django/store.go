package jwtdjango

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

var (
	_ jwtkit.Store         = (*Store)(nil)
	_ jwtkit.Purger        = (*Store)(nil)
	_ jwtkit.RotationStore = (*Store)(nil)
	_ jwtkit.LoginLimiter  = (*Store)(nil)
)

// ErrNoSimpleJWTTables is what Migrate wraps when the database lacks simplejwt's
// token_blacklist tables: they are Django's to create, with its migrate, never jwtkit's.
var ErrNoSimpleJWTTables = errors.New("jwtdjango: simplejwt's token_blacklist tables are missing: " +
	"run Django's migrate first (manage.py migrate token_blacklist)")

// StoreConfig configures a Store. The zero value of every field means its default.
type StoreConfig struct {
	// Dialect is the SQL dialect of the Django database behind the *sql.DB.
	//
	// Optional. Default: detected from the driver, as sqlstore.Config.Dialect is.
	Dialect sqlstore.Dialect

	// TablePrefix starts the names of jwtkit's own tables beside Django's (user cutoffs,
	// families, rotation answers, login counts, and the jtis simplejwt's table cannot hold).
	//
	// Optional. Default: "jwtkit_". The rules of sqlstore.Config.TablePrefix apply.
	TablePrefix string

	// PurgeBatch is how many expired rows one statement of Purge removes at most, in jwtkit's
	// tables and in simplejwt's.
	//
	// Optional. Default: 1000. Negative is an error.
	PurgeBatch int

	// Clock tells the store the time; expiries are compared against it, not against the
	// database server's clock.
	//
	// Optional. Default: time.Now.
	Clock func() time.Time
}

// StoreConfigDefault is the configuration NewStore uses when given none, and the source of the
// default of every field left zero.
var StoreConfigDefault = StoreConfig{
	TablePrefix: "jwtkit_",
	PurgeBatch:  1000,
	Clock:       time.Now,
}

// Store is a jwtkit.Store in a Django database that runs simplejwt's token_blacklist app.
// A revoked jti is what simplejwt makes of a blacklisted token: a row of
// token_blacklist_outstandingtoken and one of token_blacklist_blacklistedtoken pointing at it,
// so a token blacklisted by either service is refused by both. Everything simplejwt has no
// table for lives in jwtkit's own tables beside them (a sqlstore.Store under TablePrefix).
//
// Only jtis shaped like the ones simplejwt and jwtkit issue (32 lowercase hex digits, a uuid4
// hex) go to simplejwt's tables. Any other jti goes to <prefix>blacklisted_tokens, where Django
// never looks: simplejwt's jti column holds 255 characters and compares case-insensitively on
// MySQL, while a Store compares jtis byte for byte.
//
// It is safe for concurrent use, by any number of processes and by Django at the same time.
type Store struct {
	db    *sql.DB
	own   *sqlstore.Store
	batch int
	clock func() time.Time
	q     queries
}

// NewStore returns a Store on db, the Django database, configured by cfg (at most one; none
// means StoreConfigDefault). db stays the caller's: the Store never closes it. NewStore does
// no I/O; call Migrate to create jwtkit's tables. An invalid configuration returns an error
// wrapping jwtkit.ErrInvalidConfig.
func NewStore(db *sql.DB, cfg ...StoreConfig) (*Store, error) {
	if len(cfg) > 1 {
		return nil, fmt.Errorf("%w: jwtdjango: NewStore takes at most one StoreConfig, got %d", jwtkit.ErrInvalidConfig, len(cfg))
	}
	c := StoreConfigDefault
	if len(cfg) == 1 {
		c = cfg[0]
	}
	if c.PurgeBatch == 0 {
		c.PurgeBatch = StoreConfigDefault.PurgeBatch
	}
	if c.Clock == nil {
		c.Clock = StoreConfigDefault.Clock
	}
	if c.TablePrefix == "" {
		c.TablePrefix = StoreConfigDefault.TablePrefix
	}
	own, err := sqlstore.New(db, sqlstore.Config{Dialect: c.Dialect, TablePrefix: c.TablePrefix,
		PurgeBatch: c.PurgeBatch, Clock: c.Clock})
	if err != nil {
		return nil, err
	}
	return &Store{db: db, own: own, batch: c.PurgeBatch, clock: c.Clock,
		q: buildQueries(own.Dialect(), c.TablePrefix)}, nil
}

// Dialect reports the dialect the Store speaks, as configured or detected.
func (s *Store) Dialect() sqlstore.Dialect { return s.own.Dialect() }

// Close releases the statements jwtkit's tables are reached through. It does not close db.
func (s *Store) Close() error { return s.own.Close() }

// Migrate creates or updates jwtkit's own tables (sqlstore's Migrate under TablePrefix) and
// never touches Django's. It refuses, with an error wrapping ErrNoSimpleJWTTables, a database
// in which Django's migrate has not created simplejwt's tables.
func (s *Store) Migrate(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q.tablesExist.text).Scan(&n); err != nil {
		return fail(ctx, "migrate", err)
	}
	if n != 2 {
		return ErrNoSimpleJWTTables
	}
	return s.own.Migrate(ctx)
}

// MigrationVersion reports the version of jwtkit's own tables, as sqlstore's does.
func (s *Store) MigrationVersion(ctx context.Context) (current, latest int, err error) {
	return s.own.MigrationVersion(ctx)
}

// simplejwtShaped reports whether jti goes to simplejwt's tables: 32 lowercase hex digits.
func simplejwtShaped(jti string) bool {
	if len(jti) != 32 {
		return false
	}
	for i := range len(jti) {
		if c := jti[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Revoke blacklists jti until expires (rounded up to the whole second) as simplejwt does:
// an outstanding token row (created with an empty token text and no user when Django has
// none for the jti) and a blacklisted token row. Revoking it again keeps the later expiry; an
// expiry already past records nothing.
func (s *Store) Revoke(ctx context.Context, jti string, expires time.Time) error {
	if !simplejwtShaped(jti) {
		return s.own.Revoke(ctx, jti, expires)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.blacklist(ctx, "revoke", jti, expires, false, nil, time.Time{})
	return err
}

// RevokeOnce blacklists jti unless it is already blacklisted, and reports whether this call
// did. An expired blacklisting not yet flushed is taken over by exactly one caller.
func (s *Store) RevokeOnce(ctx context.Context, jti string, expires time.Time) (bool, error) {
	if !simplejwtShaped(jti) {
		return s.own.RevokeOnce(ctx, jti, expires)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.blacklist(ctx, "revoke once", jti, expires, true, nil, time.Time{})
}

// RotateOnce is RevokeOnce that, when it wins, records answer until graceUntil in
// <prefix>rotation_answers in the same transaction as the blacklisting. The transaction first
// locks jti's outstanding token row (creating it if Django has none), so every jwtkit caller
// rotating one jti waits for the one before it, and a loser finds the winner's answer.
func (s *Store) RotateOnce(ctx context.Context, jti string, expires time.Time, answer []byte, graceUntil time.Time) (bool, error) {
	if !simplejwtShaped(jti) {
		return s.own.RotateOnce(ctx, jti, expires, answer, graceUntil)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if answer == nil {
		answer = []byte{} // the column is NOT NULL
	}
	return s.blacklist(ctx, "rotate once", jti, expires, true, answer, graceUntil)
}

// RotatedAnswer returns the answer a winning RotateOnce recorded for jti while its window is
// open, and nil otherwise.
func (s *Store) RotatedAnswer(ctx context.Context, jti string, now time.Time) ([]byte, error) {
	return s.own.RotatedAnswer(ctx, jti, now)
}

// RevokeUser records a "log out everywhere" cutoff in jwtkit's tables (Django has none).
func (s *Store) RevokeUser(ctx context.Context, userID string, issuedBefore, expires time.Time) error {
	return s.own.RevokeUser(ctx, userID, issuedBefore, expires)
}

// RevokeFamily records a revoked token family in jwtkit's tables (Django has none).
func (s *Store) RevokeFamily(ctx context.Context, family string, expires time.Time) error {
	return s.own.RevokeFamily(ctx, family, expires)
}

// LoginAttempt counts a login attempt in jwtkit's tables (see sqlstore's Store.LoginAttempt).
func (s *Store) LoginAttempt(ctx context.Context, key, id string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	return s.own.LoginAttempt(ctx, key, id, limit, window, now)
}

// LoginForget removes a login attempt from jwtkit's tables.
func (s *Store) LoginForget(ctx context.Context, key, id string) error {
	return s.own.LoginForget(ctx, key, id)
}

// Revoked reports whether the token is blacklisted in simplejwt's tables (by Django or by
// jwtkit), or revoked by its user's cutoff or its family in jwtkit's, in one query. A
// blacklisting whose outstanding token has expired counts as absent, as every jwtkit store's
// expired entries do: the token fails its own exp check by then.
func (s *Store) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if !simplejwtShaped(ref.JTI) {
		return s.own.Revoked(ctx, ref)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	clock := s.clock()
	st := s.q.revoked
	args := st.args([]any{s.dt(clock), ref.JTI, ref.UserID, ref.IssuedAt.Unix(), clock.Unix(), ref.Family})
	var revoked bool
	if err := s.db.QueryRowContext(ctx, st.text, args...).Scan(&revoked); err != nil {
		return false, fail(ctx, "revoked", err)
	}
	return revoked, nil
}

// Purge deletes expired rows of jwtkit's tables, and expired outstanding tokens with their
// blacklisted rows the way Django's flushexpiredtokens does (every outstanding token whose
// expires_at has passed, blacklisted or not), at most PurgeBatch per statement. It counts the
// rows of jwtkit's tables and the outstanding tokens it removed. Purge and flushexpiredtokens
// may run at the same time, in any number.
func (s *Store) Purge(ctx context.Context) (int, error) {
	removed, err := s.own.Purge(ctx)
	if err != nil {
		return removed, err
	}
	now := s.dt(s.clock())
	for {
		var n int64
		err := s.inTx(ctx, "purge", func(tx *sql.Tx) error {
			var err error
			n, err = s.purgeBatch(ctx, tx, now)
			return err
		})
		removed += int(n)
		if err != nil || n < int64(s.batch) {
			return removed, err
		}
	}
}

// purgeBatch removes one batch of expired outstanding tokens and their blacklisted rows. The
// batch's rows are locked before their blacklisted rows go, so a concurrent Revoke of one of
// them (which raises its expiry under the same lock) either comes first and keeps it, or comes
// after and blacklists it anew.
func (s *Store) purgeBatch(ctx context.Context, tx *sql.Tx, now any) (int64, error) {
	if s.Dialect() != sqlstore.MySQL {
		// PostgreSQL: one statement that locks its batch. SQLite: its first statement takes
		// the write lock, which it keeps until the transaction ends.
		if s.q.purgeBlacklisted.text != "" {
			if _, err := tx.ExecContext(ctx, s.q.purgeBlacklisted.text, now, s.batch); err != nil {
				return 0, err
			}
		}
		return rowsAffected(tx.ExecContext(ctx, s.q.purgeOutstanding.text, now, s.batch))
	}
	// MySQL: lock the batch, then delete by id range. Every expired row up to the batch's
	// last id is locked by this transaction, and expiries only ever rise, so the range holds
	// exactly the batch.
	rows, err := tx.QueryContext(ctx, s.q.purgeLock.text, now, s.batch)
	if err != nil {
		return 0, err
	}
	var last int64
	for rows.Next() {
		if err := rows.Scan(&last); err != nil {
			_ = rows.Close()
			return 0, err
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || last == 0 {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, s.q.purgeBlacklisted.text, now, last); err != nil {
		return 0, err
	}
	return rowsAffected(tx.ExecContext(ctx, s.q.purgeOutstanding.text, now, last))
}

func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// blacklist is Revoke (once == false) and RevokeOnce or RotateOnce (once == true; an answer
// when rotating) for a simplejwt-shaped jti, in one transaction that starts by locking the
// jti's outstanding token row.
func (s *Store) blacklist(ctx context.Context, op, jti string, expires time.Time, once bool, answer []byte, graceUntil time.Time) (won bool, err error) {
	clock := s.clock()
	exp := expirySeconds(expires)
	if exp <= clock.Unix() {
		return false, nil // the token fails its own exp check already
	}
	now, until := s.dt(time.Unix(clock.Unix(), 0)), s.dt(time.Unix(exp, 0))
	err = s.inTx(ctx, op, func(tx *sql.Tx) error {
		id, live, err := s.lockOutstanding(ctx, tx, jti, until, now)
		if err != nil {
			return err
		}
		inserted, err := rowsAffected(tx.ExecContext(ctx, s.q.blacklistInsert.text, id, now))
		if err != nil {
			return err
		}
		// A blacklisting whose expiry has passed is absent: taking it over is a win.
		won = inserted == 1 || !live
		if once && !won {
			return nil
		}
		if inserted == 0 && !live {
			if _, err := tx.ExecContext(ctx, s.q.reblacklist.text, now, id); err != nil {
				return err
			}
		}
		st := s.q.raiseExpiry
		if _, err := tx.ExecContext(ctx, st.text, st.args([]any{until, id})...); err != nil {
			return err
		}
		if answer == nil {
			return nil
		}
		if graceUntil.After(clock) {
			st = s.q.answerPut
			_, err = tx.ExecContext(ctx, st.text, st.args([]any{jti, answer, unixNano(graceUntil), expirySeconds(graceUntil)})...)
		} else {
			_, err = tx.ExecContext(ctx, s.q.answerDelete.text, jti)
		}
		return err
	})
	if err != nil {
		return false, err
	}
	return won, nil
}

// lockOutstanding inserts jti's outstanding token row unless it exists, locks it until tx
// ends, and returns its id and whether its expiry is still ahead.
func (s *Store) lockOutstanding(ctx context.Context, tx *sql.Tx, jti string, until, now any) (id int64, live bool, err error) {
	st := s.q.lockOutstanding
	args := st.args([]any{jti, until, now})
	if s.Dialect() != sqlstore.MySQL {
		err = tx.QueryRowContext(ctx, st.text, args...).Scan(&id, &live)
		return id, live, err
	}
	// MySQL has no RETURNING: ON DUPLICATE KEY UPDATE locks the existing row and hands its id
	// over through LAST_INSERT_ID.
	res, err := tx.ExecContext(ctx, st.text, args...)
	if err == nil {
		id, err = res.LastInsertId()
	}
	if err == nil {
		err = tx.QueryRowContext(ctx, s.q.outstandingLive.text, now, id).Scan(&live)
	}
	return id, live, err
}

// inTx runs fn in a transaction as sqlstore runs its own (READ COMMITTED, run again after a
// deadlock's rollback).
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if err := sqlstore.Transact(ctx, s.db, s.Dialect(), fn); err != nil {
		return fail(ctx, op, err)
	}
	return nil
}

// fail wraps a database error; once ctx has ended it also matches ctx's error.
func fail(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("jwtdjango: %s: %w: %w", op, ctxErr, err)
	}
	return fmt.Errorf("jwtdjango: %s: %w", op, err)
}

// dt is t as a value for one of Django's DateTimeField columns, which hold UTC (USE_TZ =
// True): a time.Time for PostgreSQL and MySQL, and for SQLite the text Django writes there,
// which compares in time order.
func (s *Store) dt(t time.Time) any {
	t = t.UTC()
	if s.Dialect() != sqlstore.SQLite {
		return t
	}
	if t.Nanosecond()/1000 != 0 {
		return t.Format("2006-01-02 15:04:05.000000")
	}
	return t.Format(time.DateTime)
}

// expirySeconds converts an expiry to Unix seconds rounded up, as the contract allows.
func expirySeconds(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// unixNano is t.UnixNano saturated to the range where it is defined, as sqlstore keeps
// grace_until.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, -1<<63)):
		return -1 << 63
	case t.After(time.Unix(0, 1<<63-1)):
		return 1<<63 - 1
	}
	return t.UnixNano()
}
