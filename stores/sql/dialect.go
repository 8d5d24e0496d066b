package sqlstore

import (
	"strconv"
	"strings"
)

// The SQL of every statement, per dialect. Statements are written with numbered parameters
// ($1, $2, …) so each has one argument list in Go whatever the dialect; bind turns them into
// what the dialect's drivers take. {prefix} stands for Config.TablePrefix, validated as an
// identifier before it is spliced in.
//
// The *Postgres statements serve SQLite too, with GREATEST spelled max. Every write is decided
// by the database, one atomic statement at a time: an upsert that keeps the later expiry (and
// the later user cutoff), or for RevokeOnce an insert that succeeds only when no live row
// exists. An expired row not yet purged counts as absent everywhere.

// stmt is a statement ready for one dialect.
type stmt struct {
	text string
	// order, for MySQL, which has no numbered parameters, lists which argument (0-based) each
	// '?' takes; nil means the arguments go as they are.
	order []int
	// prep, when not nil, holds the statement prepared once per Store (see prepared.go):
	// every statement a request runs has one, so the database parses it once per connection
	// rather than once per call.
	prep *prepared
}

// Arguments: $1 jti or family, $2 expires_at, $3 now (also the new revoked_at).
const (
	revokePostgres = `INSERT INTO {table} AS t ({key}, expires_at, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT ({key}) DO UPDATE SET expires_at = GREATEST(t.expires_at, $2),
revoked_at = CASE WHEN t.expires_at > $3 THEN t.revoked_at ELSE $3 END`

	// MySQL evaluates the assignments left to right, each seeing the ones before it, so
	// revoked_at is decided while expires_at still holds the old expiry.
	revokeMySQL = `INSERT INTO {table} ({key}, expires_at, revoked_at) VALUES ($1, $2, $3)
ON DUPLICATE KEY UPDATE revoked_at = IF(expires_at > $3, revoked_at, $3),
expires_at = GREATEST(expires_at, $2)`

	// One row affected: inserted, or an expired row taken over. None: a live row exists.
	revokeOncePostgres = `INSERT INTO {prefix}blacklisted_tokens AS t (jti, expires_at, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT (jti) DO UPDATE SET expires_at = $2, revoked_at = $3 WHERE t.expires_at <= $3`

	// MySQL's RevokeOnce takes up to three statements, each atomic on its own, none relying on
	// the affected-row count of ON DUPLICATE KEY UPDATE (which the clientFoundRows DSN flag
	// changes): an insert that is ignored when the jti has a row, then a take-over of that row
	// if it has expired, then, if the take-over found no row (a Purge removed it in between),
	// the insert again. Every win is a row going from absent or expired to live, so exactly one
	// caller wins.
	revokeOnceInsertMySQL   = `INSERT IGNORE INTO {prefix}blacklisted_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3)`
	revokeOnceTakeOverMySQL = `UPDATE {prefix}blacklisted_tokens SET revoked_at = $3, expires_at = $2 WHERE jti = $1 AND expires_at <= $3`

	// Arguments: $1 user id, $2 issued_before, $3 expires_at, $4 now. A live cutoff only rises;
	// an expired one is replaced.
	revokeUserPostgres = `INSERT INTO {prefix}user_revocations AS t (user_id, issued_before, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET
issued_before = CASE WHEN t.expires_at > $4 THEN GREATEST(t.issued_before, $2) ELSE $2 END,
expires_at = GREATEST(t.expires_at, $3)`

	revokeUserMySQL = `INSERT INTO {prefix}user_revocations (user_id, issued_before, expires_at) VALUES ($1, $2, $3)
ON DUPLICATE KEY UPDATE issued_before = IF(expires_at > $4, GREATEST(issued_before, $2), $2),
expires_at = GREATEST(expires_at, $3)`

	// Arguments: $1 now, $2 batch size. The outer expiry check makes a row revoked again
	// between the inner select and the delete stay (PostgreSQL re-checks it on the row's newest
	// version).
	purgePostgres = `DELETE FROM {table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table} WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`
	purgeMySQL    = `DELETE FROM {table} WHERE expires_at <= $1 LIMIT $2`
	purgeSQLite   = `DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE expires_at <= $1 LIMIT $2) AND expires_at <= $1`

	// Arguments: $1 jti, $2 answer, $3 grace_until (Unix nanoseconds), $4 expires_at (the
	// same instant in Unix seconds, rounded up, which is what Purge reads).
	answerPutPostgres = `INSERT INTO {prefix}rotation_answers AS t (jti, answer, grace_until, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (jti) DO UPDATE SET answer = $2, grace_until = $3, expires_at = $4`
	answerPutMySQL = `INSERT INTO {prefix}rotation_answers (jti, answer, grace_until, expires_at) VALUES ($1, $2, $3, $4)
ON DUPLICATE KEY UPDATE answer = $2, grace_until = $3, expires_at = $4`
	// Argument: $1 jti.
	answerDelete = `DELETE FROM {prefix}rotation_answers WHERE jti = $1`
	// Arguments: $1 jti, $2 now (Unix nanoseconds).
	answerGet = `SELECT answer FROM {prefix}rotation_answers WHERE jti = $1 AND grace_until > $2`
	// Argument: $1 jti. MySQL's RotateOnce reads the row its INSERT IGNORE found without
	// locking it, so that losers never queue for a lock they would only give back.
	jtiExpiry = `SELECT expires_at FROM {prefix}blacklisted_tokens WHERE jti = $1`

	// Arguments: $1 login key, $2 expires_at. The row is the key's lock: the upsert holds it
	// until the transaction ends, so one LoginAttempt per key counts at a time.
	loginLockPostgres = `INSERT INTO {prefix}login_keys AS t (login_key, expires_at) VALUES ($1, $2)
ON CONFLICT (login_key) DO UPDATE SET expires_at = GREATEST(t.expires_at, $2)`
	loginLockMySQL = `INSERT INTO {prefix}login_keys (login_key, expires_at) VALUES ($1, $2)
ON DUPLICATE KEY UPDATE expires_at = GREATEST(expires_at, $2)`
	// Arguments: $1 login key, $2 start of the window (Unix nanoseconds, excluded), $3 limit:
	// the newest limit attempts in the window, newest first; the last is the one that blocks.
	loginWindow = `SELECT attempted_at FROM {prefix}login_attempts WHERE login_key = $1 AND attempted_at > $2
ORDER BY attempted_at DESC LIMIT $3`
	// Arguments: $1 login key, $2 attempt id, $3 attempted_at (Unix nanoseconds), $4 expires_at.
	loginRecordPostgres = `INSERT INTO {prefix}login_attempts AS t (login_key, attempt_id, attempted_at, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (login_key, attempt_id) DO UPDATE SET attempted_at = $3, expires_at = $4`
	loginRecordMySQL = `INSERT INTO {prefix}login_attempts (login_key, attempt_id, attempted_at, expires_at) VALUES ($1, $2, $3, $4)
ON DUPLICATE KEY UPDATE attempted_at = $3, expires_at = $4`
	// Arguments: $1 login key, $2 attempt id.
	loginForget = `DELETE FROM {prefix}login_attempts WHERE login_key = $1 AND attempt_id = $2`

	// Arguments: $1 version, $2 applied_at.
	versionTable  = `CREATE TABLE IF NOT EXISTS {prefix}schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)`
	versionGet    = `SELECT COALESCE(MAX(version), 0) FROM {prefix}schema_migrations`
	versionInsert = `INSERT INTO {prefix}schema_migrations (version, applied_at) VALUES ($1, $2)`

	// Argument: $1 table name.
	tableExistsPostgres = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	tableExistsMySQL    = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = $1`
	tableExistsSQLite   = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
)

// The tables, in the order Purge visits them. Every one has an expires_at in Unix seconds.
var tables = [...]string{"blacklisted_tokens", "user_revocations", "family_revocations",
	"rotation_answers", "login_attempts", "login_keys"}

// Parts of Revoked's one query, joined with OR. %d placeholders are filled with parameter
// numbers; $1 is now.
const (
	revokedJTI    = `EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = $%d AND expires_at > $1)`
	revokedUser   = `EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = $%d AND issued_before >= $%d AND expires_at > $1)`
	revokedFamily = `EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = $%d AND expires_at > $1)`
)

// Bits of a Revoked query variant: which keys of the TokenRef are looked up.
const (
	lookJTI = 1 << iota
	lookUser
	lookFamily
	lookAll = lookJTI | lookUser | lookFamily
)

// queries holds every statement of a Store, built once by New.
type queries struct {
	revoke, revokeFamily, revokeOnce, revokeOnceTakeOver, revokeUser stmt
	purge                                                            [len(tables)]stmt
	// revoked is indexed by the look* bits; revoked[0] is never run.
	revoked                                          [lookAll + 1]stmt
	answerPut, answerDelete, answerGet, jtiExpiry    stmt
	loginLock, loginWindow, loginRecord, loginForget stmt
	versionTable, versionGet, versionInsert, exists  stmt
}

// prepared returns the prepared forms of every statement that has one.
func (q *queries) prepared() []*prepared {
	all := []stmt{q.revoke, q.revokeFamily, q.revokeOnce, q.revokeOnceTakeOver, q.revokeUser,
		q.answerPut, q.answerDelete, q.answerGet, q.jtiExpiry, q.loginLock, q.loginWindow, q.loginRecord, q.loginForget}
	all = append(append(all, q.purge[:]...), q.revoked[1:]...)
	var out []*prepared
	for _, st := range all {
		if st.prep != nil {
			out = append(out, st.prep)
		}
	}
	return out
}

func buildQueries(d Dialect, prefix string) queries {
	b := func(text string) stmt { return bind(d, strings.ReplaceAll(text, "{prefix}", prefix)) }
	forTable := func(text, table, key string) stmt {
		return b(strings.NewReplacer("{table}", "{prefix}"+table, "{key}", key).Replace(text))
	}
	var q queries
	switch d {
	case MySQL:
		q.revoke = forTable(revokeMySQL, "blacklisted_tokens", "jti")
		q.revokeFamily = forTable(revokeMySQL, "family_revocations", "family")
		q.revokeOnce = b(revokeOnceInsertMySQL)
		q.revokeOnceTakeOver = b(revokeOnceTakeOverMySQL)
		q.revokeUser = b(revokeUserMySQL)
		q.answerPut = b(answerPutMySQL)
		q.loginLock = b(loginLockMySQL)
		q.loginRecord = b(loginRecordMySQL)
		q.exists = b(tableExistsMySQL)
	default:
		greatest := func(text string) string {
			if d == SQLite { // SQLite's max() with two arguments is GREATEST.
				return strings.ReplaceAll(text, "GREATEST(", "max(")
			}
			return text
		}
		q.revoke = forTable(greatest(revokePostgres), "blacklisted_tokens", "jti")
		q.revokeFamily = forTable(greatest(revokePostgres), "family_revocations", "family")
		q.revokeOnce = b(revokeOncePostgres)
		q.revokeUser = b(greatest(revokeUserPostgres))
		q.answerPut = b(answerPutPostgres)
		q.loginLock = b(greatest(loginLockPostgres))
		q.loginRecord = b(loginRecordPostgres)
		q.exists = b(tableExistsPostgres)
		if d == SQLite {
			q.exists = b(tableExistsSQLite)
		}
	}
	purge := map[Dialect]string{Postgres: purgePostgres, MySQL: purgeMySQL, SQLite: purgeSQLite}[d]
	for i, table := range tables {
		q.purge[i] = forTable(purge, table, "")
	}
	for look := 1; look < len(q.revoked); look++ {
		var parts []string
		n := 2 // $1 is now
		if look&lookJTI != 0 {
			parts = append(parts, strings.Replace(revokedJTI, "%d", strconv.Itoa(n), 1))
			n++
		}
		if look&lookUser != 0 {
			p := strings.Replace(revokedUser, "%d", strconv.Itoa(n), 1)
			parts = append(parts, strings.Replace(p, "%d", strconv.Itoa(n+1), 1))
			n += 2
		}
		if look&lookFamily != 0 {
			parts = append(parts, strings.Replace(revokedFamily, "%d", strconv.Itoa(n), 1))
		}
		q.revoked[look] = b("SELECT " + strings.Join(parts, " OR "))
	}
	q.answerDelete = b(answerDelete)
	q.answerGet = b(answerGet)
	q.jtiExpiry = b(jtiExpiry)
	q.loginWindow = b(loginWindow)
	q.loginForget = b(loginForget)
	// Everything a request or a Purge runs is prepared; the migration statements, run once
	// on a connection or transaction of their own, are not.
	for _, st := range []*stmt{&q.revoke, &q.revokeFamily, &q.revokeOnce, &q.revokeOnceTakeOver, &q.revokeUser,
		&q.answerPut, &q.answerDelete, &q.answerGet, &q.jtiExpiry, &q.loginLock, &q.loginWindow, &q.loginRecord, &q.loginForget} {
		if st.text != "" { // revokeOnceTakeOver is MySQL's only
			st.prep = new(prepared)
		}
	}
	for i := range q.purge {
		q.purge[i].prep = new(prepared)
	}
	for i := 1; i < len(q.revoked); i++ {
		q.revoked[i].prep = new(prepared)
	}
	q.versionTable = b(versionTable)
	q.versionGet = b(versionGet)
	q.versionInsert = b(versionInsert)
	return q
}

// bind turns the numbered parameters of text into the dialect's: PostgreSQL takes $n as it is,
// SQLite takes ?n, and MySQL takes a plain ? per use, so its arguments are reordered (and
// repeated) by stmt.order.
func bind(d Dialect, text string) stmt {
	if d == Postgres {
		return stmt{text: text}
	}
	var (
		out   strings.Builder
		order []int
	)
	for i := 0; i < len(text); i++ {
		if text[i] != '$' {
			out.WriteByte(text[i])
			continue
		}
		j := i + 1
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(text[i+1 : j]) // our own SQL: always $ and digits
		if d == SQLite {
			out.WriteString("?" + text[i+1:j])
		} else {
			out.WriteByte('?')
			order = append(order, n-1)
		}
		i = j - 1
	}
	for i, n := range order {
		if n != i {
			return stmt{text: out.String(), order: order}
		}
	}
	return stmt{text: out.String()} // each parameter used once, in order

}

// args returns the arguments for the statement in the order its parameters take them.
func (st stmt) args(args []any) []any {
	if st.order == nil {
		return args
	}
	out := make([]any, len(st.order))
	for i, n := range st.order {
		out[i] = args[n]
	}
	return out
}
