package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// MaxKeyLen is the longest jti, user id or family id, in bytes, that a Store records. MySQL
// keys are VARBINARY(1024) and PostgreSQL's index entries are bounded too; one limit for every
// dialect keeps a deployment's behaviour the same whichever database it moves to.
const MaxKeyLen = 1024

var (
	// ErrKeyTooLong: a jti, user id or family id longer than MaxKeyLen bytes was given to a
	// revoking method. Callers fail closed on it like on any store error.
	ErrKeyTooLong = errors.New("sqlstore: key too long")
)

var (
	_ jwtkit.Store         = (*Store)(nil)
	_ jwtkit.Purger        = (*Store)(nil)
	_ jwtkit.RotationStore = (*Store)(nil)
	_ jwtkit.LoginLimiter  = (*Store)(nil)
)

// Store is a jwtkit.Store in a SQL database (PostgreSQL, MySQL/MariaDB or SQLite) reached
// through database/sql. It is safe for concurrent use, and any number of Stores, in any number
// of processes, may share one database and table prefix.
type Store struct {
	db      *sql.DB
	dialect Dialect
	prefix  string
	batch   int
	clock   func() time.Time
	q       queries
}

// New returns a Store on db configured by cfg (at most one; none means ConfigDefault). db is
// the caller's, who opened it and keeps owning it: the Store never closes it. New does no I/O;
// call Migrate to create the tables, and Close when done with the Store to release the
// statements it prepares on db. An invalid configuration returns an error wrapping
// jwtkit.ErrInvalidConfig.
func New(db *sql.DB, cfg ...Config) (*Store, error) {
	c, err := configDefault(db, cfg)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, dialect: c.Dialect, prefix: c.TablePrefix, batch: c.PurgeBatch,
		clock: c.Clock, q: buildQueries(c.Dialect, c.TablePrefix)}, nil
}

// Dialect reports the dialect the Store speaks, as configured or detected.
func (s *Store) Dialect() Dialect { return s.dialect }

// Revoke records jti as revoked until expires (rounded up to the whole second). Revoking it
// again keeps the later expiry; an expiry already past records nothing.
func (s *Store) Revoke(ctx context.Context, jti string, expires time.Time) error {
	return s.revokeKey(ctx, "revoke", s.q.revoke, "jti", jti, expires)
}

// RevokeFamily records family as revoked until expires (rounded up to the whole second),
// keeping the later expiry if it is already revoked.
func (s *Store) RevokeFamily(ctx context.Context, family string, expires time.Time) error {
	return s.revokeKey(ctx, "revoke family", s.q.revokeFamily, "family", family, expires)
}

func (s *Store) revokeKey(ctx context.Context, op string, st stmt, what, key string, expires time.Time) error {
	if err := check(ctx, what, key); err != nil {
		return err
	}
	exp, now := expirySeconds(expires), s.now()
	if exp <= now {
		return nil // the token fails its own exp check already
	}
	_, err := s.exec(ctx, op, st, key, exp, now)
	return err
}

// RevokeOnce revokes jti unless it is already revoked, and reports whether this call revoked
// it. The database decides: an insert that conflicts with a live row changes nothing, and an
// expired row not yet purged is taken over by exactly one caller. A call with an expiry
// already past records nothing and does not win: an expired token must not be rotated.
func (s *Store) RevokeOnce(ctx context.Context, jti string, expires time.Time) (won bool, err error) {
	if err := check(ctx, "jti", jti); err != nil {
		return false, err
	}
	exp, now := expirySeconds(expires), s.now()
	if exp <= now {
		return false, nil
	}
	n, err := s.exec(ctx, "revoke once", s.q.revokeOnce, jti, exp, now)
	if err != nil || n == 1 || s.dialect != MySQL {
		return err == nil && n == 1, err
	}
	// MySQL: the insert was ignored. Take over the row if it has expired; if it vanished
	// meanwhile, insert again (see revokeOnceInsertMySQL).
	if n, err = s.exec(ctx, "revoke once", s.q.revokeOnceTakeOver, jti, exp, now); err != nil || n == 1 {
		return err == nil, err
	}
	n, err = s.exec(ctx, "revoke once", s.q.revokeOnce, jti, exp, now)
	return err == nil && n == 1, err
}

// RevokeUser revokes every token of userID issued at or before issuedBefore (whole seconds),
// until expires. While the record lives its cutoff and its expiry only ever rise, in one
// statement (GREATEST), so concurrent calls cannot lower each other's.
func (s *Store) RevokeUser(ctx context.Context, userID string, issuedBefore, expires time.Time) error {
	if err := check(ctx, "user id", userID); err != nil {
		return err
	}
	exp, now := expirySeconds(expires), s.now()
	if exp <= now {
		return nil
	}
	_, err := s.exec(ctx, "revoke user", s.q.revokeUser, userID, issuedBefore.Unix(), exp, now)
	return err
}

// Revoked reports whether the token is revoked by its jti, its user's cutoff or its family, in
// one query (one round trip). Empty fields of ref are not looked up.
func (s *Store) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	look, args := 0, make([]any, 1, 5)
	args[0] = s.now()
	if ref.JTI != "" {
		look |= lookJTI
		args = append(args, ref.JTI)
	}
	if ref.UserID != "" {
		look |= lookUser
		args = append(args, ref.UserID, ref.IssuedAt.Unix())
	}
	if ref.Family != "" {
		look |= lookFamily
		args = append(args, ref.Family)
	}
	if look == 0 {
		return false, nil
	}
	st := s.q.revoked[look]
	var revoked bool
	if _, err := s.queryOne(ctx, nil, st, st.args(args), &revoked); err != nil {
		return false, fail(ctx, "revoked", err)
	}
	return revoked, nil
}

// Purge deletes expired rows, at most Config.PurgeBatch per statement, table by table until
// none is left, and reports how many it deleted. When ctx ends it stops with ctx's error and
// the count so far.
func (s *Store) Purge(ctx context.Context) (removed int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	for _, st := range s.q.purge {
		for {
			n, err := s.exec(ctx, "purge", st, now, s.batch)
			removed += int(n)
			if err != nil {
				return removed, err
			}
			if n < int64(s.batch) {
				break
			}
		}
	}
	return removed, nil
}

// execAttempts bounds how often exec runs a statement the database rolled back to break a
// deadlock.
const execAttempts = 3

// exec runs one statement and returns how many rows it affected. A statement chosen as a
// deadlock victim is run again: InnoDB can deadlock a write with a Purge batch on the same
// expired row (they lock its index entries in opposite orders), and rolled the statement back
// whole, so running it again is what InnoDB asks for and cannot apply it twice.
func (s *Store) exec(ctx context.Context, op string, st stmt, args ...any) (int64, error) {
	args = st.args(args)
	for attempt := 1; ; attempt++ {
		res, err := s.run(ctx, nil, st, args)
		if err == nil {
			var n int64
			if n, err = res.RowsAffected(); err == nil {
				return n, nil
			}
		}
		if attempt == execAttempts || ctx.Err() != nil || !rolledBack(err) {
			return 0, fail(ctx, op, err)
		}
	}
}

// rolledBack reports whether err says the database rolled the statement back to break a
// deadlock or a serialization conflict (SQLSTATE 40001, or PostgreSQL's 40P01). pgx and lib/pq
// errors have a SQLState method; go-sql-driver/mysql's *MySQLError has a SQLState [5]byte
// field, read here by reflection so the package imports no driver.
func rolledBack(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		var state string
		if coded, ok := err.(interface{ SQLState() string }); ok {
			state = coded.SQLState()
		} else if v := reflect.Indirect(reflect.ValueOf(err)); v.Kind() == reflect.Struct {
			if f := v.FieldByName("SQLState"); f.IsValid() && f.Type() == reflect.TypeFor[[5]byte]() {
				b := f.Interface().([5]byte)
				state = string(b[:])
			}
		}
		if state == "40001" || state == "40P01" {
			return true
		}
	}
	return false
}

// fail wraps a database error. Once ctx has ended the error also matches ctx's error, however
// the driver reported the interruption, so callers can tell a cancellation from an outage.
func fail(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, ctxErr, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// check refuses a cancelled context (before anything changes) and an empty or over-long key.
func check(ctx context.Context, what, key string) error {
	if err := jwtkit.CheckKey(ctx, what, key); err != nil {
		return err
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: %s of %d bytes (max %d)", ErrKeyTooLong, what, len(key), MaxKeyLen)
	}
	return nil
}

func (s *Store) now() int64 { return s.clock().Unix() }

// expirySeconds converts an expiry to Unix seconds rounded up, as the contract allows (never
// down).
func expirySeconds(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}
