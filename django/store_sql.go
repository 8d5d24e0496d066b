package jwtdjango

import (
	"strings"

	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// Every statement the Store runs itself, written out whole per dialect. {prefix} is
// StoreConfig.TablePrefix, validated as an identifier by sqlstore.New before it is spliced in.
// Django's tables have fixed names: simplejwt sets none and its app label is token_blacklist.
//
// Times in Django's columns are UTC datetimes (see Store.dt); times in jwtkit's are Unix
// seconds, except grace_until, in nanoseconds.

// stmt is a statement of one dialect.
type stmt struct {
	text string
	// order, for MySQL, which has no numbered parameters, lists which argument (0-based) of the
	// Go call each '?' takes; nil means the arguments go as they are.
	order []int
}

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

// queries holds the statements, with their arguments in the order the Go code passes them.
type queries struct {
	// tablesExist: none; it counts simplejwt's two tables (2 when Django has migrated).
	tablesExist stmt
	// lockOutstanding: jti, expires_at, now. It inserts the jti's outstanding token unless one
	// exists, and locks the row either way; PostgreSQL and SQLite return its id and whether
	// its expiry is after now, MySQL its id through LAST_INSERT_ID. outstandingLive (MySQL):
	// now, id.
	lockOutstanding, outstandingLive stmt
	// blacklistInsert: token id, now; one row affected when it blacklisted the token.
	// reblacklist: now, token id. raiseExpiry: expires_at, token id.
	blacklistInsert, reblacklist, raiseExpiry stmt
	// answerPut: jti, answer, grace_until, expires_at. answerDelete: jti. The table is
	// sqlstore's, so its RotatedAnswer reads what RotateOnce writes here.
	answerPut, answerDelete stmt
	// revoked: now (datetime), jti, user id, issued at, now (Unix seconds), family. An empty
	// user id or family matches nothing: no store records one.
	revoked stmt
	// purgeBlacklisted, purgeOutstanding: now, batch size (MySQL: now, last id of the batch
	// purgeLock locked). purgeLock (MySQL): now, batch size.
	purgeBlacklisted, purgeOutstanding, purgeLock stmt
}

const (
	outstanding = "token_blacklist_outstandingtoken"
	blacklisted = "token_blacklist_blacklistedtoken"
)

func buildQueries(d sqlstore.Dialect, prefix string) queries {
	var q queries
	switch d {
	case sqlstore.Postgres:
		q = postgresQueries
	case sqlstore.MySQL:
		q = mysqlQueries
	default:
		q = sqliteQueries
	}
	r := strings.NewReplacer("{prefix}", prefix, "{outstanding}", outstanding, "{blacklisted}", blacklisted)
	for _, st := range []*stmt{&q.tablesExist, &q.lockOutstanding, &q.outstandingLive, &q.blacklistInsert,
		&q.reblacklist, &q.raiseExpiry, &q.answerPut, &q.answerDelete, &q.revoked,
		&q.purgeBlacklisted, &q.purgeOutstanding, &q.purgeLock} {
		st.text = r.Replace(st.text)
	}
	return q
}

// The outstanding token jwtkit creates for a jti Django has none for carries an empty token
// text (a Store sees token ids, never tokens; the column is NOT NULL) and no user.

var postgresQueries = queries{
	tablesExist: stmt{text: `SELECT (to_regclass('{outstanding}') IS NOT NULL)::int + (to_regclass('{blacklisted}') IS NOT NULL)::int`},
	// Setting expires_at to itself locks the row without touching a key column, so Django's
	// deferred foreign key checks (FOR KEY SHARE) never wait for it, and RETURNING sees the
	// expiry as it was.
	lockOutstanding: stmt{text: `INSERT INTO {outstanding} AS o (jti, token, created_at, expires_at, user_id) VALUES ($1, '', $3, $2, NULL)
ON CONFLICT (jti) DO UPDATE SET expires_at = o.expires_at RETURNING id, o.expires_at > $3`},
	blacklistInsert: stmt{text: `INSERT INTO {blacklisted} (token_id, blacklisted_at) VALUES ($1, $2) ON CONFLICT (token_id) DO NOTHING`},
	reblacklist:     stmt{text: `UPDATE {blacklisted} SET blacklisted_at = $1 WHERE token_id = $2`},
	raiseExpiry:     stmt{text: `UPDATE {outstanding} SET expires_at = $1 WHERE id = $2 AND expires_at < $1`},
	answerPut: stmt{text: `INSERT INTO {prefix}rotation_answers (jti, answer, grace_until, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (jti) DO UPDATE SET answer = $2, grace_until = $3, expires_at = $4`},
	answerDelete: stmt{text: `DELETE FROM {prefix}rotation_answers WHERE jti = $1`},
	revoked: stmt{text: `SELECT EXISTS (SELECT 1 FROM {blacklisted} b JOIN {outstanding} o ON o.id = b.token_id WHERE o.jti = $2 AND o.expires_at > $1)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = $3 AND issued_before >= $4 AND expires_at > $5)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = $6 AND expires_at > $5)`},
	// SKIP LOCKED leaves a row being revoked right now for a later Purge. Django's foreign key
	// is DEFERRABLE INITIALLY DEFERRED, checked once both deletes are done.
	purgeOutstanding: stmt{text: `WITH batch AS (SELECT id FROM {outstanding} WHERE expires_at <= $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED),
gone AS (DELETE FROM {blacklisted} WHERE token_id IN (SELECT id FROM batch))
DELETE FROM {outstanding} WHERE id IN (SELECT id FROM batch)`},
}

var mysqlQueries = queries{
	tablesExist: stmt{text: `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('{outstanding}', '{blacklisted}')`},
	lockOutstanding: stmt{text: `INSERT INTO {outstanding} (jti, token, created_at, expires_at, user_id) VALUES (?, '', ?, ?, NULL)
ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)`, order: []int{0, 2, 1}},
	outstandingLive: stmt{text: `SELECT expires_at > ? FROM {outstanding} WHERE id = ?`},
	// INSERT IGNORE rather than ON DUPLICATE KEY UPDATE: its count of affected rows does not
	// depend on the DSN's clientFoundRows. The foreign key cannot fail: the row is locked.
	blacklistInsert: stmt{text: `INSERT IGNORE INTO {blacklisted} (token_id, blacklisted_at) VALUES (?, ?)`},
	reblacklist:     stmt{text: `UPDATE {blacklisted} SET blacklisted_at = ? WHERE token_id = ?`},
	raiseExpiry:     stmt{text: `UPDATE {outstanding} SET expires_at = ? WHERE id = ? AND expires_at < ?`, order: []int{0, 1, 0}},
	answerPut: stmt{text: `INSERT INTO {prefix}rotation_answers (jti, answer, grace_until, expires_at) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE answer = ?, grace_until = ?, expires_at = ?`, order: []int{0, 1, 2, 3, 1, 2, 3}},
	answerDelete: stmt{text: `DELETE FROM {prefix}rotation_answers WHERE jti = ?`},
	revoked: stmt{text: `SELECT EXISTS (SELECT 1 FROM {blacklisted} b JOIN {outstanding} o ON o.id = b.token_id WHERE o.jti = ? AND o.expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = ? AND issued_before >= ? AND expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = ? AND expires_at > ?)`, order: []int{1, 0, 2, 3, 4, 5, 4}},
	purgeLock:        stmt{text: `SELECT id FROM {outstanding} WHERE expires_at <= ? ORDER BY id LIMIT ? FOR UPDATE`},
	purgeBlacklisted: stmt{text: `DELETE FROM {blacklisted} WHERE token_id IN (SELECT id FROM {outstanding} WHERE expires_at <= ? AND id <= ?)`},
	purgeOutstanding: stmt{text: `DELETE FROM {outstanding} WHERE expires_at <= ? AND id <= ?`},
}

var sqliteQueries = queries{
	tablesExist: stmt{text: `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('{outstanding}', '{blacklisted}')`},
	// SQLite has one writer at a time: the insert takes the write lock for the transaction.
	lockOutstanding: stmt{text: `INSERT INTO {outstanding} AS o (jti, token, created_at, expires_at, user_id) VALUES (?1, '', ?3, ?2, NULL)
ON CONFLICT (jti) DO UPDATE SET expires_at = o.expires_at RETURNING id, expires_at > ?3`},
	blacklistInsert: stmt{text: `INSERT INTO {blacklisted} (token_id, blacklisted_at) VALUES (?1, ?2) ON CONFLICT (token_id) DO NOTHING`},
	reblacklist:     stmt{text: `UPDATE {blacklisted} SET blacklisted_at = ?1 WHERE token_id = ?2`},
	raiseExpiry:     stmt{text: `UPDATE {outstanding} SET expires_at = ?1 WHERE id = ?2 AND expires_at < ?1`},
	answerPut: stmt{text: `INSERT INTO {prefix}rotation_answers (jti, answer, grace_until, expires_at) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (jti) DO UPDATE SET answer = ?2, grace_until = ?3, expires_at = ?4`},
	answerDelete: stmt{text: `DELETE FROM {prefix}rotation_answers WHERE jti = ?1`},
	revoked: stmt{text: `SELECT EXISTS (SELECT 1 FROM {blacklisted} b JOIN {outstanding} o ON o.id = b.token_id WHERE o.jti = ?2 AND o.expires_at > ?1)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = ?3 AND issued_before >= ?4 AND expires_at > ?5)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = ?6 AND expires_at > ?5)`},
	purgeBlacklisted: stmt{text: `DELETE FROM {blacklisted} WHERE token_id IN (SELECT id FROM {outstanding} WHERE expires_at <= ?1 ORDER BY id LIMIT ?2)`},
	purgeOutstanding: stmt{text: `DELETE FROM {outstanding} WHERE id IN (SELECT id FROM {outstanding} WHERE expires_at <= ?1 ORDER BY id LIMIT ?2)`},
}
