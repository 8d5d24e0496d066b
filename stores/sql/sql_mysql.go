package sqlstore

// mysqlQueries is every statement as MySQL and MariaDB run it (see queries for the arguments).
// MySQL's parameters are plain '?'s, so each statement whose '?'s do not take the arguments
// one by one in order lists, in order, the argument each takes.
var mysqlQueries = queries{
	// MySQL evaluates the assignments left to right, each seeing the ones before it, so
	// revoked_at is decided while expires_at still holds the old expiry.
	revoke: stmt{text: `INSERT INTO {prefix}blacklisted_tokens (jti, expires_at, revoked_at) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE revoked_at = IF(expires_at > ?, revoked_at, ?),
expires_at = GREATEST(expires_at, ?)`, order: []int{0, 1, 2, 2, 2, 1}},
	revokeFamily: stmt{text: `INSERT INTO {prefix}family_revocations (family, expires_at, revoked_at) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE revoked_at = IF(expires_at > ?, revoked_at, ?),
expires_at = GREATEST(expires_at, ?)`, order: []int{0, 1, 2, 2, 2, 1}},

	// RevokeOnce takes up to three statements, each atomic on its own, none relying on the
	// affected-row count of ON DUPLICATE KEY UPDATE (which the clientFoundRows DSN flag
	// changes): an insert that is ignored when the jti has a row, then a take-over of that row
	// if it has expired, then, if the take-over found no row (a Purge removed it in between),
	// the insert again. Every win is a row going from absent or expired to live, so exactly one
	// caller wins.
	revokeOnce: stmt{text: `INSERT IGNORE INTO {prefix}blacklisted_tokens (jti, expires_at, revoked_at) VALUES (?, ?, ?)`},
	revokeOnceTakeOver: stmt{text: `UPDATE {prefix}blacklisted_tokens SET revoked_at = ?, expires_at = ? WHERE jti = ? AND expires_at <= ?`,
		order: []int{2, 1, 0, 2}},

	revokeUser: stmt{text: `INSERT INTO {prefix}user_revocations (user_id, issued_before, expires_at) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE issued_before = IF(expires_at > ?, GREATEST(issued_before, ?), ?),
expires_at = GREATEST(expires_at, ?)`, order: []int{0, 1, 2, 3, 1, 1, 2}},

	purge: [len(tables)]stmt{
		{text: `DELETE FROM {prefix}blacklisted_tokens WHERE expires_at <= ? LIMIT ?`},
		{text: `DELETE FROM {prefix}user_revocations WHERE expires_at <= ? LIMIT ?`},
		{text: `DELETE FROM {prefix}family_revocations WHERE expires_at <= ? LIMIT ?`},
		{text: `DELETE FROM {prefix}rotation_answers WHERE expires_at <= ? LIMIT ?`},
		{text: `DELETE FROM {prefix}login_attempts WHERE expires_at <= ? LIMIT ?`},
		{text: `DELETE FROM {prefix}login_keys WHERE expires_at <= ? LIMIT ?`},
	},

	revoked: [lookAll + 1]stmt{
		lookJTI: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = ? AND expires_at > ?)`,
			order: []int{1, 0}},
		lookUser: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = ? AND issued_before >= ? AND expires_at > ?)`,
			order: []int{1, 2, 0}},
		lookJTI | lookUser: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = ? AND expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = ? AND issued_before >= ? AND expires_at > ?)`,
			order: []int{1, 0, 2, 3, 0}},
		lookFamily: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = ? AND expires_at > ?)`,
			order: []int{1, 0}},
		lookJTI | lookFamily: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = ? AND expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = ? AND expires_at > ?)`,
			order: []int{1, 0, 2, 0}},
		lookUser | lookFamily: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = ? AND issued_before >= ? AND expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = ? AND expires_at > ?)`,
			order: []int{1, 2, 0, 3, 0}},
		lookAll: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = ? AND expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = ? AND issued_before >= ? AND expires_at > ?)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = ? AND expires_at > ?)`,
			order: []int{1, 0, 2, 3, 0, 4, 0}},
	},

	answerPut: stmt{text: `INSERT INTO {prefix}rotation_answers (jti, answer, grace_until, expires_at) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE answer = ?, grace_until = ?, expires_at = ?`, order: []int{0, 1, 2, 3, 1, 2, 3}},
	answerDelete: stmt{text: `DELETE FROM {prefix}rotation_answers WHERE jti = ?`},
	answerGet:    stmt{text: `SELECT answer FROM {prefix}rotation_answers WHERE jti = ? AND grace_until > ?`},
	// RotateOnce reads the row its INSERT IGNORE found without locking it, so that losers
	// never queue for a lock they would only give back.
	jtiExpiry: stmt{text: `SELECT expires_at FROM {prefix}blacklisted_tokens WHERE jti = ?`},

	loginLock: stmt{text: `INSERT INTO {prefix}login_keys (login_key, expires_at) VALUES (?, ?)
ON DUPLICATE KEY UPDATE expires_at = GREATEST(expires_at, ?)`, order: []int{0, 1, 1}},
	loginWindow: stmt{text: `SELECT attempted_at FROM {prefix}login_attempts WHERE login_key = ? AND attempted_at > ?
ORDER BY attempted_at DESC LIMIT ?`},
	loginRecord: stmt{text: `INSERT INTO {prefix}login_attempts (login_key, attempt_id, attempted_at, expires_at) VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE attempted_at = ?, expires_at = ?`, order: []int{0, 1, 2, 3, 2, 3}},
	loginForget: stmt{text: `DELETE FROM {prefix}login_attempts WHERE login_key = ? AND attempt_id = ?`},

	versionTable:  stmt{text: `CREATE TABLE IF NOT EXISTS {prefix}schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)`},
	versionGet:    stmt{text: `SELECT COALESCE(MAX(version), 0) FROM {prefix}schema_migrations`},
	versionInsert: stmt{text: `INSERT INTO {prefix}schema_migrations (version, applied_at) VALUES (?, ?)`},
	exists:        stmt{text: `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`},
}
