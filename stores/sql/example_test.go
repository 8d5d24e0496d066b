package sqlstore_test

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

// Example keeps revocations in an SQLite file (modernc.org/sqlite, pure Go): the embedded
// choice for a single instance or a small deployment.
func Example() {
	dir, err := os.MkdirTemp("", "jwtkit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// busy_timeout makes a connection wait for another one's write instead of failing with
	// "database is locked"; WAL lets reads go on while a write is under way.
	dsn := "file:" + filepath.Join(dir, "jwtkit.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // the store never closes the *sql.DB it is given

	store, err := sqlstore.New(db) // SQLite, detected from the driver
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	jti := "9f86d081884c7d659a2feaa0c55ad015"
	if err := store.Revoke(ctx, jti, time.Now().Add(24*time.Hour)); err != nil {
		log.Fatal(err)
	}
	revoked, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	fmt.Println(revoked, err)

	won, err := store.RevokeOnce(ctx, jti, time.Now().Add(24*time.Hour))
	fmt.Println(won, err)

	current, latest, err := store.MigrationVersion(ctx)
	fmt.Println(current == latest, err)
	// Output:
	// true <nil>
	// false <nil>
	// true <nil>
}

// ExampleNew_postgres wires a PostgreSQL store into jwtkit. It needs a server, so it is
// compiled but not run.
func ExampleNew_postgres() {
	// import _ "github.com/jackc/pgx/v5/stdlib"
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	store, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres, TablePrefix: "auth_"})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(context.Background()); err != nil {
		log.Fatal(err)
	}

	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("JWT_SECRET")), "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	if err != nil {
		log.Fatal(err)
	}
	_ = auth
}

// ExampleStore_Purge deletes expired rows every hour. Expired rows already count as absent;
// purging only keeps the tables small. One replica purging is enough.
func ExampleStore_Purge() {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlstore.Config{PurgeBatch: 5000})
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for range time.Tick(time.Hour) {
			removed, err := store.Purge(context.Background())
			if err != nil {
				log.Printf("jwtkit purge: %v (removed %d)", err, removed)
			}
		}
	}()
}
