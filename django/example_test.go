package jwtdjango_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
)

// Example logs in a user of a Django database: here an SQLite file holding the auth_user rows
// Django's create_user would write (the hash is make_password("s3cret") with MD5, the hasher
// Django projects use in test settings, so the example runs in no time).
func Example() {
	dir, err := os.MkdirTemp("", "jwtdjango-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db.sqlite3"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // Users never closes the *sql.DB it is given

	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE auth_user (id integer PRIMARY KEY, username varchar(150) UNIQUE,
		password varchar(128), is_active bool, last_login datetime NULL);
		INSERT INTO auth_user VALUES (7, 'alice', 'md5$yMk4X9aEUhG9$0334c5a265265ee06ebf252999dacbd0', 1, NULL)`); err != nil {
		log.Fatal(err)
	}

	users, err := jwtdjango.NewUsers(db, jwtdjango.UsersConfig{UpdateLastLogin: true})
	if err != nil {
		log.Fatal(err)
	}
	user, err := users.Authenticate(ctx, "alice", "s3cret")
	fmt.Println(user.ID, user.Value, user.Active, err)

	_, err = users.Authenticate(ctx, "alice", "wrong")
	fmt.Println(errors.Is(err, jwtkit.ErrBadCredentials))

	user, err = users.LookupUser(ctx, jwtkit.IntUserID(7))
	fmt.Println(user.Value, err)
	// Output:
	// 7 alice true <nil>
	// true
	// alice <nil>
}

// ExampleCheckPassword checks a password against a hash as Django stores it.
func ExampleCheckPassword() {
	const encoded = "pbkdf2_sha256$260000$f9b95YoPQUSQduHDTewcaQ$LpJcXj8TCDsQY6rQdePtQ1GkE/W4DlbfbaEMTi0CdoY="
	fmt.Println(jwtdjango.CheckPassword(encoded, "x"))
	fmt.Println(jwtdjango.CheckPassword(encoded, "y"))
	_, err := jwtdjango.CheckPassword("!unusable", "x")
	fmt.Println(err)
	// Output:
	// true <nil>
	// false <nil>
	// jwtdjango: unusable password
}
