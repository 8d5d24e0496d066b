// Package jwtdjango lets a Go service built on jwtkit run beside a Django REST framework +
// simplejwt service on the same database, so a team can move endpoints from one to the other
// one at a time.
//
// Users is a jwtkit.Users over Django's auth_user table, or a custom user model's table and
// columns, on PostgreSQL, MySQL/MariaDB or SQLite through database/sql. It verifies the hashes
// Django writes with CheckPassword, in Go (golang.org/x/crypto), and never writes a hash:
//
//	db, err := sql.Open("pgx", dsn) // the Django database; the caller owns the *sql.DB
//	if err != nil { … }
//	users, err := jwtdjango.NewUsers(db, jwtdjango.UsersConfig{UpdateLastLogin: true})
//	if err != nil { … }
//	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
//
// The module lives in the folder django, but the package is named jwtdjango so call sites
// never read as Django's own code and never clash with a package of that name.
//
// How it is built, and why:
//   - Users reads the row by USERNAME_FIELD's column with exact equality, as Django's
//     ModelBackend does, and checks the password; an unknown username is checked against a
//     real hash all the same (the last one read), so a login for a name that does not exist
//     takes as long as one with a wrong password.
//   - The ids are those simplejwt puts in tokens: an integer primary key is a JSON number
//     (jwtkit.IntUserID), a UUID the dashed str(uuid) (jwtkit.StringUserID), whatever column
//     type the database keeps it in.
//   - Hashes a row may hold but Go cannot check (unusable "!…", an unknown hasher, a
//     malformed value, parameters over the package's bounds) refuse the login with
//     jwtkit.ErrBadCredentials; they never fail the request. The bounds (MaxPBKDF2Iterations
//     and its siblings) keep a hostile row from costing seconds of CPU or gigabytes of memory.
//   - Passwords are never rehashed: Django upgrades a hash at the user's next login on its
//     side, and a Go login leaves the row as it was (last_login aside, when asked).
//   - Table and column names are validated identifiers, quoted as Django quotes them; they
//     are the only text spliced into SQL.
package jwtdjango
