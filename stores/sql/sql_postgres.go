package sqlstore

// postgresQueries is every statement as PostgreSQL runs it (see queries for the arguments).
var postgresQueries = queries{
	revoke: stmt{text: `INSERT INTO {prefix}blacklisted_tokens AS t (jti, expires_at, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(t.expires_at, $2),
revoked_at = CASE WHEN t.expires_at > $3 THEN t.revoked_at ELSE $3 END`},
	revokeFamily: stmt{text: `INSERT INTO {prefix}family_revocations AS t (family, expires_at, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT (family) DO UPDATE SET expires_at = GREATEST(t.expires_at, $2),
revoked_at = CASE WHEN t.expires_at > $3 THEN t.revoked_at ELSE $3 END`},

	// One row affected: inserted, or an expired row taken over. None: a live row exists.
	revokeOnce: stmt{text: `INSERT INTO {prefix}blacklisted_tokens AS t (jti, expires_at, revoked_at) VALUES ($1, $2, $3)
ON CONFLICT (jti) DO UPDATE SET expires_at = $2, revoked_at = $3 WHERE t.expires_at <= $3`},

	revokeUser: stmt{text: `INSERT INTO {prefix}user_revocations AS t (user_id, issued_before, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET
issued_before = CASE WHEN t.expires_at > $4 THEN GREATEST(t.issued_before, $2) ELSE $2 END,
expires_at = GREATEST(t.expires_at, $3)`},

	// PostgreSQL's DELETE has no LIMIT, so a batch is picked by ctid. The outer expiry check
	// makes a row revoked again between the inner select and the delete stay (PostgreSQL
	// re-checks it on the row's newest version).
	purge: [len(tables)]stmt{
		{text: `DELETE FROM {prefix}blacklisted_tokens WHERE ctid = ANY(ARRAY(SELECT ctid FROM {prefix}blacklisted_tokens WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`},
		{text: `DELETE FROM {prefix}user_revocations WHERE ctid = ANY(ARRAY(SELECT ctid FROM {prefix}user_revocations WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`},
		{text: `DELETE FROM {prefix}family_revocations WHERE ctid = ANY(ARRAY(SELECT ctid FROM {prefix}family_revocations WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`},
		{text: `DELETE FROM {prefix}rotation_answers WHERE ctid = ANY(ARRAY(SELECT ctid FROM {prefix}rotation_answers WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`},
		{text: `DELETE FROM {prefix}login_attempts WHERE ctid = ANY(ARRAY(SELECT ctid FROM {prefix}login_attempts WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`},
		{text: `DELETE FROM {prefix}login_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM {prefix}login_keys WHERE expires_at <= $1 LIMIT $2)) AND expires_at <= $1`},
	},

	revoked: [lookAll + 1]stmt{
		lookJTI:  {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = $2 AND expires_at > $1)`},
		lookUser: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = $2 AND issued_before >= $3 AND expires_at > $1)`},
		lookJTI | lookUser: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = $2 AND expires_at > $1)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = $3 AND issued_before >= $4 AND expires_at > $1)`},
		lookFamily: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = $2 AND expires_at > $1)`},
		lookJTI | lookFamily: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = $2 AND expires_at > $1)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = $3 AND expires_at > $1)`},
		lookUser | lookFamily: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = $2 AND issued_before >= $3 AND expires_at > $1)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = $4 AND expires_at > $1)`},
		lookAll: {text: `SELECT EXISTS (SELECT 1 FROM {prefix}blacklisted_tokens WHERE jti = $2 AND expires_at > $1)
OR EXISTS (SELECT 1 FROM {prefix}user_revocations WHERE user_id = $3 AND issued_before >= $4 AND expires_at > $1)
OR EXISTS (SELECT 1 FROM {prefix}family_revocations WHERE family = $5 AND expires_at > $1)`},
	},

	answerPut: stmt{text: `INSERT INTO {prefix}rotation_answers AS t (jti, answer, grace_until, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (jti) DO UPDATE SET answer = $2, grace_until = $3, expires_at = $4`},
	answerDelete: stmt{text: `DELETE FROM {prefix}rotation_answers WHERE jti = $1`},
	answerGet:    stmt{text: `SELECT answer FROM {prefix}rotation_answers WHERE jti = $1 AND grace_until > $2`},
	jtiExpiry:    stmt{text: `SELECT expires_at FROM {prefix}blacklisted_tokens WHERE jti = $1`},

	loginLock: stmt{text: `INSERT INTO {prefix}login_keys AS t (login_key, expires_at) VALUES ($1, $2)
ON CONFLICT (login_key) DO UPDATE SET expires_at = GREATEST(t.expires_at, $2)`},
	loginWindow: stmt{text: `SELECT attempted_at FROM {prefix}login_attempts WHERE login_key = $1 AND attempted_at > $2
ORDER BY attempted_at DESC LIMIT $3`},
	loginRecord: stmt{text: `INSERT INTO {prefix}login_attempts AS t (login_key, attempt_id, attempted_at, expires_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (login_key, attempt_id) DO UPDATE SET attempted_at = $3, expires_at = $4`},
	loginForget: stmt{text: `DELETE FROM {prefix}login_attempts WHERE login_key = $1 AND attempt_id = $2`},

	versionTable:  stmt{text: `CREATE TABLE IF NOT EXISTS {prefix}schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)`},
	versionGet:    stmt{text: `SELECT COALESCE(MAX(version), 0) FROM {prefix}schema_migrations`},
	versionInsert: stmt{text: `INSERT INTO {prefix}schema_migrations (version, applied_at) VALUES ($1, $2)`},
	exists:        stmt{text: `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`},
}
