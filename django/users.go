package jwtdjango

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// IDKind says what the user table's primary key holds, which decides the UserID a token
// carries: simplejwt puts an integer pk in user_id as a JSON number and any other pk as
// str(pk).
type IDKind string

// The primary keys of Django user models.
const (
	// IDInteger is AutoField or BigAutoField (auth_user's id): jwtkit.IntUserID.
	IDInteger IDKind = "integer"
	// IDUUID is UUIDField: jwtkit.StringUserID of the dashed lowercase form, str(uuid.UUID).
	// The column is read whatever the database keeps (PostgreSQL's uuid, the char(32) hex
	// Django uses on MySQL, MariaDB and SQLite).
	IDUUID IDKind = "uuid"
	// IDString is any other pk (a CharField): jwtkit.StringUserID of the text as stored.
	IDString IDKind = "string"
)

// NoColumn as UsersConfig.ActiveColumn says the table has no is_active column, as with a
// custom user model on AbstractBaseUser without the field: every user counts as active, as
// Django's own ModelBackend treats them.
const NoColumn = "-"

// UsersConfig says where Django keeps its users. The zero value of every field means its
// default, which is Django's own auth_user.
type UsersConfig struct {
	// Dialect is the SQL dialect of the database behind the *sql.DB.
	//
	// Optional. Default: detected from the driver, as sqlstore.Config.Dialect is.
	Dialect sqlstore.Dialect

	// Table is the user model's table (its db_table), optionally schema-qualified
	// ("accounts.users").
	//
	// Optional. Default: "auth_user".
	Table string

	// IDColumn is the primary key's column, and IDKind what it holds.
	//
	// Optional. Default: "id", IDInteger.
	IDColumn string
	IDKind   IDKind

	// UsernameColumn is the column of the model's USERNAME_FIELD ("email" for a model that
	// logs in by email). Authenticate looks the user up by exact equality, as Django's
	// ModelBackend does, in the column's own collation.
	//
	// Optional. Default: "username".
	UsernameColumn string

	// PasswordColumn holds the hash make_password wrote.
	//
	// Optional. Default: "password".
	PasswordColumn string

	// ActiveColumn is the is_active flag; NoColumn means every user is active.
	//
	// Optional. Default: "is_active".
	ActiveColumn string

	// LastLoginColumn is the column UpdateLastLogin writes.
	//
	// Optional. Default: "last_login".
	LastLoginColumn string

	// UpdateLastLogin sets the user's last_login to the current time (UTC, as Django stores
	// it with USE_TZ = True) after each successful Authenticate of an active user, as
	// simplejwt's UPDATE_LAST_LOGIN does at each login.
	//
	// Optional. Default: false.
	UpdateLastLogin bool

	// Clock tells the time UpdateLastLogin writes.
	//
	// Optional. Default: time.Now.
	Clock func() time.Time
}

// UsersConfigDefault is the configuration NewUsers uses when given none, and the source of the
// default of every field left zero.
var UsersConfigDefault = UsersConfig{
	Table:           "auth_user",
	IDColumn:        "id",
	IDKind:          IDInteger,
	UsernameColumn:  "username",
	PasswordColumn:  "password",
	ActiveColumn:    "is_active",
	LastLoginColumn: "last_login",
	Clock:           time.Now,
}

// Users is a jwtkit.Users over a Django user table. It is safe for concurrent use, and only
// reads the table unless UpdateLastLogin is on.
//
// User.Value is the username, as a string; User.PasswordHash is the hash as Django stores it,
// so jwtkit's CheckRevokeToken revokes a user's tokens when the password changes on either
// side.
type Users struct {
	db          *sql.DB
	dialect     sqlstore.Dialect
	kind        IDKind
	clock       func() time.Time
	byUsername  string
	byID        string
	updateLogin string // empty without UpdateLastLogin

	// dummy is the hash an unknown username's password is checked against: the last real
	// hash seen, so that the wasted work costs what a known user's check costs with
	// whichever hasher and parameters the database holds.
	dummy atomic.Pointer[string]
}

// defaultDummy stands in until a real hash is read: Django 4.2's default PBKDF2, over a
// random hash that no password has.
const defaultDummy = "pbkdf2_sha256$600000$6sZ1xrQfNXXdBhXhVwbpZW$5WGbGCyPD20D0sORhWvQUO8hGe1V11rz2uJ3nwsJHhw="

// NewUsers returns Users over db configured by cfg (at most one; none means
// UsersConfigDefault). db is the caller's and is never closed. NewUsers does no I/O. An
// invalid configuration returns an error wrapping jwtkit.ErrInvalidConfig.
func NewUsers(db *sql.DB, cfg ...UsersConfig) (*Users, error) {
	c, err := usersConfigDefault(db, cfg)
	if err != nil {
		return nil, err
	}
	q := quoter(c.Dialect)
	active := "1"
	if c.ActiveColumn != NoColumn {
		active = q(c.ActiveColumn)
	}
	sel := fmt.Sprintf("SELECT %s, %s, %s, %s FROM %s WHERE ", q(c.IDColumn), q(c.UsernameColumn),
		q(c.PasswordColumn), active, q(c.Table))
	u := &Users{db: db, dialect: c.Dialect, kind: c.IDKind, clock: c.Clock,
		byUsername: sel + q(c.UsernameColumn) + " = " + param(c.Dialect, 1),
		byID:       sel + q(c.IDColumn) + " = " + param(c.Dialect, 1),
	}
	if c.UpdateLastLogin {
		u.updateLogin = fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s = %s", q(c.Table),
			q(c.LastLoginColumn), param(c.Dialect, 1), q(c.IDColumn), param(c.Dialect, 2))
	}
	dummy := defaultDummy
	u.dummy.Store(&dummy)
	return u, nil
}

// Authenticate checks a username and password against the table. An unknown username, a
// wrong password, and a hash that cannot be checked (unusable, unknown hasher, malformed,
// over the cost bounds) all return jwtkit.ErrBadCredentials, after one password check either
// way, so the response time does not tell which usernames exist. An inactive user with the
// right password is returned with Active false, for core to turn away.
func (u *Users) Authenticate(ctx context.Context, username, password string) (jwtkit.User, error) {
	user, found, err := u.find(ctx, u.byUsername, username)
	if err != nil {
		return jwtkit.User{}, err
	}
	if !found {
		// The outcome is thrown away: the check is there for its duration.
		_, _ = CheckPassword(*u.dummy.Load(), password)
		return jwtkit.User{}, fmt.Errorf("%w: no user %q", jwtkit.ErrBadCredentials, username)
	}
	ok, err := CheckPassword(user.PasswordHash, password)
	if err != nil {
		// Django spends a default-hasher run here too, for the same reason.
		_, _ = CheckPassword(*u.dummy.Load(), password)
		return jwtkit.User{}, fmt.Errorf("%w: user %s: %w", jwtkit.ErrBadCredentials, user.ID, err)
	}
	hash := user.PasswordHash
	u.dummy.Store(&hash)
	if !ok {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	if u.updateLogin != "" && user.Active {
		if _, err := u.db.ExecContext(ctx, u.updateLogin, u.lastLogin(), u.key(user.ID)); err != nil {
			return jwtkit.User{}, fmt.Errorf("jwtdjango: updating last_login: %w", err)
		}
	}
	return user, nil
}

// LookupUser finds a user by the id a token carries; an id that cannot be the table's key
// (not an integer, not a UUID) is jwtkit.ErrUserNotFound.
func (u *Users) LookupUser(ctx context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	key, ok := u.keyOf(id)
	if !ok {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	user, found, err := u.find(ctx, u.byID, key)
	if err != nil {
		return jwtkit.User{}, err
	}
	if !found {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return user, nil
}

// find runs query (by username or by id). More than one row is an error: the column is not
// unique, and Django's get() fails the same way.
func (u *Users) find(ctx context.Context, query string, arg any) (jwtkit.User, bool, error) {
	rows, err := u.db.QueryContext(ctx, query, arg)
	if err != nil {
		return jwtkit.User{}, false, fmt.Errorf("jwtdjango: reading users: %w", err)
	}
	defer rows.Close()
	var (
		user jwtkit.User
		n    int
	)
	for rows.Next() {
		if n++; n > 1 {
			return jwtkit.User{}, false, errors.New("jwtdjango: more than one user matches: is the column unique?")
		}
		var (
			rawID          any
			username, hash sql.NullString
			active         sql.NullBool
		)
		if err := rows.Scan(&rawID, &username, &hash, &active); err != nil {
			return jwtkit.User{}, false, fmt.Errorf("jwtdjango: reading users: %w", err)
		}
		id, err := u.userID(rawID)
		if err != nil {
			return jwtkit.User{}, false, err
		}
		// A NULL password is unusable and a NULL is_active inactive: neither logs in.
		user = jwtkit.User{ID: id, Active: active.Valid && active.Bool, Value: username.String, PasswordHash: hash.String}
	}
	if err := rows.Err(); err != nil {
		return jwtkit.User{}, false, fmt.Errorf("jwtdjango: reading users: %w", err)
	}
	return user, n == 1, nil
}

// userID turns the primary key as the driver returned it into the id simplejwt puts in
// tokens.
func (u *Users) userID(raw any) (jwtkit.UserID, error) {
	var text string
	switch v := raw.(type) {
	case int64:
		if u.kind == IDInteger {
			return jwtkit.IntUserID(v), nil
		}
		text = strconv.FormatInt(v, 10)
	case []byte:
		text = string(v)
	case string:
		text = v
	default:
		return jwtkit.UserID{}, fmt.Errorf("jwtdjango: primary key of type %T", raw)
	}
	switch u.kind {
	case IDInteger:
		// MySQL's text protocol returns integers as text.
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return jwtkit.UserID{}, fmt.Errorf("jwtdjango: primary key %q is not an integer: set UsersConfig.IDKind", text)
		}
		return jwtkit.IntUserID(n), nil
	case IDUUID:
		hex, ok := uuidHex(text)
		if !ok {
			return jwtkit.UserID{}, fmt.Errorf("jwtdjango: primary key %q is not a UUID", text)
		}
		return jwtkit.StringUserID(dashed(hex)), nil
	}
	return jwtkit.StringUserID(text), nil
}

// keyOf is the query argument that finds id in the primary key column, or false when id
// cannot be a key of the table (a UUID table asked for "42").
func (u *Users) keyOf(id jwtkit.UserID) (any, bool) {
	switch u.kind {
	case IDInteger:
		return id.Int()
	case IDUUID:
		hex, ok := uuidHex(id.String())
		if !ok {
			return nil, false
		}
		// PostgreSQL's uuid type reads the dashed form; elsewhere Django stores the 32
		// hex digits as text, and only that text is equal.
		if u.dialect == sqlstore.Postgres {
			return dashed(hex), true
		}
		return hex, true
	}
	return id.String(), !id.IsZero()
}

// key is keyOf for an id read from the table, which always is a key.
func (u *Users) key(id jwtkit.UserID) any {
	k, _ := u.keyOf(id)
	return k
}

// lastLogin is the value Django writes in last_login with USE_TZ = True: the UTC instant. On
// SQLite and MySQL Django keeps it as text or a DATETIME without zone, so it goes as the
// text Django writes, whatever zone the DSN names for the connection.
func (u *Users) lastLogin() any {
	now := u.clock().UTC()
	if u.dialect == sqlstore.Postgres {
		return now
	}
	return now.Format("2006-01-02 15:04:05.000000")
}

// uuidHex returns the 32 lowercase hex digits of a UUID written with or without dashes (the
// forms Django's UUIDField accepts in a lookup, braces and urn:uuid: aside).
func uuidHex(s string) (string, bool) {
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return "", false
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return "", false
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", false
	}
	return hex.EncodeToString(b), true
}

// dashed is str(uuid.UUID(hex)): 8-4-4-4-12.
func dashed(h string) string {
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// usersConfigDefault fills in defaults and validates; its errors wrap jwtkit.ErrInvalidConfig.
func usersConfigDefault(db *sql.DB, cfgs []UsersConfig) (UsersConfig, error) {
	if db == nil {
		return UsersConfig{}, invalid("NewUsers needs a db")
	}
	if len(cfgs) > 1 {
		return UsersConfig{}, invalid("NewUsers takes at most one UsersConfig, got %d", len(cfgs))
	}
	c := UsersConfigDefault
	if len(cfgs) == 1 {
		c = cfgs[0]
	}
	def := UsersConfigDefault
	for _, f := range []struct{ v, d *string }{{&c.Table, &def.Table}, {&c.IDColumn, &def.IDColumn},
		{&c.UsernameColumn, &def.UsernameColumn}, {&c.PasswordColumn, &def.PasswordColumn},
		{&c.ActiveColumn, &def.ActiveColumn}, {&c.LastLoginColumn, &def.LastLoginColumn}} {
		if *f.v == "" {
			*f.v = *f.d
		}
	}
	if c.IDKind == "" {
		c.IDKind = def.IDKind
	}
	if c.Clock == nil {
		c.Clock = def.Clock
	}
	if c.Dialect == "" {
		// sqlstore.New does no I/O: it is here for the dialect it detects from the driver.
		s, err := sqlstore.New(db)
		if err != nil {
			return UsersConfig{}, fmt.Errorf("jwtdjango: %w (UsersConfig.Dialect)", err)
		}
		c.Dialect = s.Dialect()
	}
	switch c.Dialect {
	case sqlstore.Postgres, sqlstore.MySQL, sqlstore.SQLite:
	default:
		return UsersConfig{}, invalid("unknown Dialect %q (want sqlstore.Postgres, sqlstore.MySQL or sqlstore.SQLite)", c.Dialect)
	}
	switch c.IDKind {
	case IDInteger, IDUUID, IDString:
	default:
		return UsersConfig{}, invalid("unknown IDKind %q (want IDInteger, IDUUID or IDString)", c.IDKind)
	}
	if c.Clock == nil {
		return UsersConfig{}, invalid("Clock is nil in both UsersConfig and UsersConfigDefault")
	}
	schema, table, qualified := strings.Cut(c.Table, ".")
	if !qualified {
		schema, table = "", c.Table
	}
	for _, id := range []struct{ field, name string }{{"Table", table}, {"IDColumn", c.IDColumn},
		{"UsernameColumn", c.UsernameColumn}, {"PasswordColumn", c.PasswordColumn},
		{"ActiveColumn", c.ActiveColumn}, {"LastLoginColumn", c.LastLoginColumn}} {
		if !validIdent(id.name) && (id.field != "ActiveColumn" || id.name != NoColumn) {
			return UsersConfig{}, invalid("%s %q must match [A-Za-z_][A-Za-z0-9_]* and be at most %d bytes", id.field, id.name, maxIdentLen)
		}
	}
	if qualified && !validIdent(schema) {
		return UsersConfig{}, invalid("Table %q: schema must match [A-Za-z_][A-Za-z0-9_]* and be at most %d bytes", c.Table, maxIdentLen)
	}
	return c, nil
}

// maxIdentLen is PostgreSQL's limit (MySQL's is 64).
const maxIdentLen = 63

// validIdent keeps identifiers to the characters that need no escaping in any dialect: they
// are spliced into SQL text, quoted, and nothing else is accepted.
func validIdent(s string) bool {
	if s == "" || len(s) > maxIdentLen || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, r := range s {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// quoter quotes identifiers as Django's schema editor does, so mixed-case names it created
// are matched exactly; "schema.table" becomes two quoted parts.
func quoter(d sqlstore.Dialect) func(string) string {
	open, close := `"`, `"`
	if d == sqlstore.MySQL {
		open, close = "`", "`"
	}
	return func(name string) string {
		return open + strings.ReplaceAll(name, ".", close+"."+open) + close
	}
}

// param is the n-th placeholder (1-based).
func param(d sqlstore.Dialect, n int) string {
	if d == sqlstore.Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: jwtdjango: "+format, append([]any{jwtkit.ErrInvalidConfig}, args...)...)
}
