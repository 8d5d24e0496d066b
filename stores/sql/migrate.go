package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// migrationsFS holds the schema: one folder per dialect, files named NNNN_what.sql, applied in
// order of NNNN. A file is statements separated by ';', with '--' comment lines; no statement
// may contain ';' or start a line with "--" in a literal, because the files are split on them
// (MySQL's driver runs one statement per call unless the DSN says otherwise).
//
//go:embed migrations
var migrationsFS embed.FS

// pgLockClass is the first key of the PostgreSQL advisory lock Migrate takes ("jwtk"); the
// second is a hash of the table prefix, so deployments with different prefixes do not wait
// for each other.
const pgLockClass = 0x6a77746b

// mysqlLockWait bounds how long Migrate waits for another Migrate's MySQL lock when ctx has
// no deadline.
const mysqlLockWait = time.Minute

type migration struct {
	version    int
	statements []string
}

// Migrate brings the schema of the Store's table prefix up to date: it creates the version
// table <prefix>schema_migrations if needed and applies, in order, every embedded migration
// newer than the version recorded there. It is idempotent, and safe when several processes run
// it at once: they are serialized by a lock each dialect provides (PostgreSQL: an advisory
// transaction lock, with every migration in one transaction; MySQL: GET_LOCK, with statements
// written to be re-runnable since MySQL's DDL is not transactional; SQLite: BEGIN IMMEDIATE,
// which needs the busy_timeout pragma to wait instead of failing at once).
//
// A database already at a newer version than this package knows is left alone, so an older
// replica still starts during a rolling upgrade.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return err
	}
	switch s.dialect {
	case Postgres:
		err = s.migratePostgres(ctx, ms)
	case MySQL:
		err = s.migrateMySQL(ctx, ms)
	default:
		err = s.migrateSQLite(ctx, ms)
	}
	if err != nil {
		return fail(ctx, "migrate", err)
	}
	return nil
}

// MigrationVersion reports the schema version recorded in the database (0 before the first
// Migrate) and the latest version this package ships. current < latest means Migrate has work
// to do; current > latest means a newer jwtkit migrated the database.
func (s *Store) MigrationVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := loadMigrations(s.dialect)
	if err != nil {
		return 0, 0, err
	}
	latest = ms[len(ms)-1].version
	var n int
	st := s.q.exists
	if err := s.db.QueryRowContext(ctx, st.text, st.args([]any{s.prefix + "schema_migrations"})...).Scan(&n); err != nil {
		return 0, latest, fail(ctx, "migration version", err)
	}
	if n == 0 {
		return 0, latest, nil
	}
	if err := s.db.QueryRowContext(ctx, s.q.versionGet.text).Scan(&current); err != nil {
		return 0, latest, fail(ctx, "migration version", err)
	}
	return current, latest, nil
}

// querier is what applying migrations needs: a *sql.Tx or a *sql.Conn.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) migratePostgres(ctx context.Context, ms []migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	// The lock is held until the transaction ends; taken first, it also keeps two processes
	// from racing to create the version table.
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", pgLockClass, s.prefix); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if err := s.apply(ctx, tx, ms); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) migrateMySQL(ctx context.Context, ms []migration) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // a connection that failed is discarded by the pool
	wait := mysqlLockWait
	if deadline, ok := ctx.Deadline(); ok {
		wait = max(time.Until(deadline), 0) // GET_LOCK takes a negative wait as forever
	}
	name := "jwtkit_migrate:" + s.prefix
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, math.Ceil(wait.Seconds())).Scan(&got); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if got.Int64 != 1 {
		return fmt.Errorf("lock: another Migrate held %q for %v", name, wait)
	}
	defer func() {
		// The lock belongs to the session: if it cannot be released, the connection must not
		// go back to the pool holding it.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, rerr := conn.ExecContext(rctx, "DO RELEASE_LOCK(?)", name); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("unlock: %w", rerr))
		}
	}()
	return s.apply(ctx, conn, ms)
}

func (s *Store) migrateSQLite(ctx context.Context, ms []migration) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // a connection that failed is discarded by the pool
	// BEGIN IMMEDIATE takes the write lock at once, so a second Migrate waits here (busy_timeout)
	// rather than failing when it first writes. database/sql's BeginTx cannot ask for it.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer func() {
		end := "COMMIT"
		if err != nil {
			end = "ROLLBACK"
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, eerr := conn.ExecContext(rctx, end); eerr != nil {
			// A connection left inside a transaction must not go back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("%s: %w", strings.ToLower(end), eerr))
		}
	}()
	return s.apply(ctx, conn, ms)
}

// apply creates the version table and applies every migration newer than its version, under
// the dialect's lock.
func (s *Store) apply(ctx context.Context, q querier, ms []migration) error {
	if _, err := q.ExecContext(ctx, s.q.versionTable.text); err != nil {
		return err
	}
	var current int
	if err := q.QueryRowContext(ctx, s.q.versionGet.text).Scan(&current); err != nil {
		return err
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		for _, text := range m.statements {
			if _, err := q.ExecContext(ctx, strings.ReplaceAll(text, "{prefix}", s.prefix)); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
		}
		st := s.q.versionInsert
		if _, err := q.ExecContext(ctx, st.text, st.args([]any{m.version, s.now()})...); err != nil {
			return fmt.Errorf("migration %d: %w", m.version, err)
		}
	}
	return nil
}

// loadMigrations reads the dialect's migrations in order and checks they are numbered 1, 2, …
func loadMigrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations of %s: %w", d, err)
	}
	var ms []migration
	for _, e := range entries { // ReadDir sorts by name, and names start with zero-padded numbers
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if err != nil || v != len(ms)+1 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqlstore: migration %s/%s: want %04d_name.sql", dir, e.Name(), len(ms)+1)
		}
		text, err := migrationsFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration %s/%s: %w", dir, e.Name(), err)
		}
		ms = append(ms, migration{version: v, statements: splitStatements(string(text))})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("sqlstore: no migrations for %s", d)
	}
	return ms, nil
}

// splitStatements drops '--' comment lines and splits the rest on ';'.
func splitStatements(text string) []string {
	var kept []string
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			kept = append(kept, line)
		}
	}
	var out []string
	for st := range strings.SplitSeq(strings.Join(kept, ""), ";") {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}
