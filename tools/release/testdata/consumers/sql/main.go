// Command sql keeps revocations in an SQLite file with the pure-Go driver: it migrates the
// schema, revokes a token and finds it revoked, with no server.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

func main() {
	dir, err := os.MkdirTemp("", "jwtkit-consumer-sql")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "jwtkit.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := sqlstore.New(db)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	jti := "9f86d081884c7d659a2feaa0c55ad015"
	if err := store.Revoke(ctx, jti, time.Now().Add(time.Hour)); err != nil {
		log.Fatal(err)
	}
	revoked, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	if err != nil || !revoked {
		log.Fatalf("revoked jti: %v, %v", revoked, err)
	}
	fmt.Println("sql: migrated SQLite, jti revoked")
}
