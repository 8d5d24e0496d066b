// Package sqlstore is the SQL jwtkit.Store: blacklisted jtis, per-user "log out everywhere"
// cutoffs and revoked token families in PostgreSQL, MySQL/MariaDB or SQLite, through
// database/sql. Revocations survive restarts and are shared by every replica on the database.
// It is also a jwtkit.RotationStore (the answers of reuse detection's grace window) and a
// jwtkit.LoginLimiter (login attempts in an exact sliding window, shared by every replica).
//
// The module lives in the folder stores/sql, but the package is named sqlstore so call sites
// read sqlstore.New(…) and never clash with the standard library's database/sql, which every
// caller of this package imports too.
//
//	db, err := sql.Open("pgx", dsn) // the caller picks the driver and owns the *sql.DB
//	if err != nil { … }
//	store, err := sqlstore.New(db) // dialect detected from the driver
//	if err != nil { … }
//	if err := store.Migrate(ctx); err != nil { … } // or let the admin CLI migrate
//	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
//
// The package imports no driver: the caller opens the *sql.DB with the driver of its choice,
// and the Store never closes it. The tests use github.com/jackc/pgx/v5/stdlib ("pgx"),
// github.com/go-sql-driver/mysql ("mysql") and modernc.org/sqlite ("sqlite", pure Go).
//
// How it is built, and why:
//   - The schema ships inside the package as numbered migrations per dialect (embed.FS) and is
//     applied only by an explicit Migrate, which records versions in <prefix>schema_migrations
//     and is safe to run from several processes at once (a lock per dialect).
//   - Every write is one statement the database makes atomic: an upsert that keeps the later
//     expiry and, for user cutoffs, the later cutoff (GREATEST, in SQL), and for RevokeOnce an
//     insert that wins only if no live row exists; an expired row not yet purged is taken over
//     by exactly one caller. MySQL's RevokeOnce is up to three such statements, none relying
//     on affected-row counts that the clientFoundRows DSN flag changes. Statements InnoDB
//     rolls back to break a deadlock are run again.
//   - Revoked answers for the jti, the user's cutoff and the family in one query, one round
//     trip.
//   - RotateOnce is RevokeOnce and the answer's upsert in one transaction, so no caller can
//     see the jti revoked without its answer; LoginAttempt locks the key's row in
//     <prefix>login_keys, reads the newest attempts of the window and inserts, in one
//     transaction, so attempts on one key count one at a time across processes.
//   - Every statement a request runs is prepared once per Store (lazily, with
//     db.PrepareContext) and re-prepared by database/sql on new connections; Close releases
//     them.
//   - Expiries are integer Unix seconds, rounded up (the store contract allows up, never down)
//     and compared with Config.Clock, not the database server's clock; grace windows and login
//     attempts are Unix nanoseconds, compared with the now the caller passes.
//   - Expired rows count as absent at once and are deleted by Purge in batches of
//     Config.PurgeBatch rows; nothing purges in the background.
//   - Keys are opaque and compared byte for byte, at most MaxKeyLen bytes; empty keys are
//     refused with jwtkit.ErrEmptyKey, so a cutoff for the user "" can never exist.
//   - Every error is returned, never treated as "not revoked": jwtkit then fails closed.
package sqlstore
