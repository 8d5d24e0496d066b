// Command django logs in a user of a Django database through jwtdjango.Users, on an SQLite
// file with the pure-Go driver: the auth_user row Django's create_user writes, checked by Go.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	jwtdjango "github.com/jwtkit/jwtkit/django"
)

func main() {
	dir, err := os.MkdirTemp("", "jwtkit-consumer-django")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db.sqlite3")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// make_password("s3cret") with Django's PBKDF2 hasher at 1,000 iterations.
	if _, err := db.ExecContext(ctx, `CREATE TABLE auth_user (id integer PRIMARY KEY, username varchar(150) UNIQUE,
		password varchar(128), is_active bool, last_login datetime NULL);
		INSERT INTO auth_user VALUES (1, 'alice', ?, 1, NULL)`,
		"pbkdf2_sha256$1000$PCgtkfnezqXfvo7nmG4KS6$q62m65RibK99KC4IuemIctlAYCPKidiyR67FIS8uGtM="); err != nil {
		log.Fatal(err)
	}
	users, err := jwtdjango.NewUsers(db, jwtdjango.UsersConfig{UpdateLastLogin: true})
	if err != nil {
		log.Fatal(err)
	}
	user, err := users.Authenticate(ctx, "alice", "s3cret")
	if err != nil || !user.Active || user.ID.String() != "1" {
		log.Fatalf("authenticate: %+v, %v", user, err)
	}
	var lastLogin sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT last_login FROM auth_user WHERE id = 1").Scan(&lastLogin); err != nil || !lastLogin.Valid {
		log.Fatalf("last_login: %v, %v", lastLogin, err)
	}
	fmt.Println("django: alice logged in against a Django hash, last_login set")
}
