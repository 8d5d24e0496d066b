package sqlstore

import "strings"

// Every statement a Store runs is written out, whole, once per dialect: sql_postgres.go,
// sql_mysql.go and sql_sqlite.go hold them as the database runs them. The one thing spliced in
// is {prefix}, Config.TablePrefix, validated as an identifier before New replaces it.
//
// Every write is decided by the database, one atomic statement at a time: an upsert that keeps
// the later expiry (and the later user cutoff), or for RevokeOnce an insert that succeeds only
// when no live row exists. An expired row not yet purged counts as absent everywhere.

// stmt is a statement of one dialect.
type stmt struct {
	text string
	// order, for MySQL, which has no numbered parameters, lists which argument (0-based) of
	// the Go call each '?' takes, in the order the '?'s appear; nil means the arguments go as
	// they are.
	order []int
	// prep, when not nil, holds the statement prepared once per Store (see prepared.go):
	// every statement a request runs has one, so the database parses it once per connection
	// rather than once per call.
	prep *prepared
}

// The tables, in the order Purge visits them. Every one has an expires_at in Unix seconds.
var tables = [...]string{"blacklisted_tokens", "user_revocations", "family_revocations",
	"rotation_answers", "login_attempts", "login_keys"}

// Bits of a Revoked query variant: which keys of the TokenRef are looked up.
const (
	lookJTI = 1 << iota
	lookUser
	lookFamily
	lookAll = lookJTI | lookUser | lookFamily
)

// queries holds every statement of a Store. The arguments each takes, in the order the Go code
// passes them, are listed by field; times are Unix seconds unless said otherwise.
type queries struct {
	// revoke, revokeFamily: jti (or family), expires_at, now (also the new revoked_at). A live
	// row keeps the later expiry and its revoked_at; an expired one is revoked anew.
	revoke, revokeFamily stmt
	// revokeOnce: jti, expires_at, now. One row affected means this call revoked the jti.
	// revokeOnceTakeOver (MySQL only): the same arguments; see sql_mysql.go.
	revokeOnce, revokeOnceTakeOver stmt
	// revokeUser: user id, issued_before, expires_at, now. A live cutoff only rises; an
	// expired one is replaced.
	revokeUser stmt
	// purge, one per table of tables: now, batch size.
	purge [len(tables)]stmt
	// revoked is indexed by the look* bits (revoked[0] is never run): now, then jti, then user
	// id and issued_before, then family, each only when its bit is set.
	revoked [lookAll + 1]stmt
	// answerPut: jti, answer, grace_until (Unix nanoseconds), expires_at (the same instant,
	// rounded up, which is what Purge reads). answerDelete: jti. answerGet: jti, now (Unix
	// nanoseconds). jtiExpiry: jti.
	answerPut, answerDelete, answerGet, jtiExpiry stmt
	// loginLock: login key, expires_at; the row is the key's lock, held by the upsert until
	// the transaction ends, so one LoginAttempt per key counts at a time. loginWindow: login
	// key, start of the window (Unix nanoseconds, excluded), limit; it returns the newest limit
	// attempts in the window, newest first. loginRecord: login key, attempt id, attempted_at
	// (Unix nanoseconds), expires_at. loginForget: login key, attempt id.
	loginLock, loginWindow, loginRecord, loginForget stmt
	// versionTable, versionGet: none. versionInsert: version, applied_at. exists: table name.
	versionTable, versionGet, versionInsert, exists stmt
}

// requestStatements returns the statements a request or a Purge runs, which are prepared.
// The migration statements, run once on a connection or transaction of their own, are not.
func (q *queries) requestStatements() []*stmt {
	all := []*stmt{&q.revoke, &q.revokeFamily, &q.revokeOnce, &q.revokeOnceTakeOver, &q.revokeUser,
		&q.answerPut, &q.answerDelete, &q.answerGet, &q.jtiExpiry,
		&q.loginLock, &q.loginWindow, &q.loginRecord, &q.loginForget}
	for i := range q.purge {
		all = append(all, &q.purge[i])
	}
	for i := 1; i < len(q.revoked); i++ {
		all = append(all, &q.revoked[i])
	}
	return all
}

// prepared returns the prepared forms of every statement that has one.
func (q *queries) prepared() []*prepared {
	var out []*prepared
	for _, st := range q.requestStatements() {
		if st.prep != nil {
			out = append(out, st.prep)
		}
	}
	return out
}

// buildQueries returns the statements of dialect d for tables starting with prefix.
func buildQueries(d Dialect, prefix string) queries {
	var q queries
	switch d {
	case Postgres:
		q = postgresQueries
	case MySQL:
		q = mysqlQueries
	case SQLite:
		q = sqliteQueries
	}
	all := append(q.requestStatements(), &q.versionTable, &q.versionGet, &q.versionInsert, &q.exists)
	for _, st := range all {
		st.text = strings.ReplaceAll(st.text, "{prefix}", prefix)
	}
	for _, st := range q.requestStatements() {
		if st.text != "" { // revokeOnceTakeOver is MySQL's only
			st.prep = new(prepared)
		}
	}
	return q
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
