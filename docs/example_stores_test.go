package docs_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// Example_memoryStore is the store of one process (stores.md).
func Example_memoryStore() {
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	users := demoUsers{}

	// snippet:store-memory
	store, err := memstore.New() // memstore.ConfigDefault: 64 shards, purge every minute, 10M entries
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // stops the background purge

	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auth.Blacklist(context.Background(), pair.Refresh), store.Len())

	// Output:
	// <nil> 1
}

// Example_sqliteStore keeps revocations in an SQLite file: one node, no server (stores.md).
func Example_sqliteStore() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jwtkit-docs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "jwtkit.db")
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	users := demoUsers{}

	// snippet:store-sqlite
	// import _ "modernc.org/sqlite" (pure Go, no cgo)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // yours: the store never closes it

	store, err := sqlstore.New(db) // the dialect is detected from the driver
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil { // or `jwtkit migrate` before the service starts
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}

	pair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auth.Blacklist(ctx, pair.Refresh))

	// A second process opening the same file sees the revocation: it survives restarts.
	db2, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		log.Fatal(err)
	}
	defer db2.Close()
	store2, err := sqlstore.New(db2)
	if err != nil {
		log.Fatal(err)
	}
	restarted, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store2, Users: users})
	if err != nil {
		log.Fatal(err)
	}
	_, err = restarted.Refresh(ctx, pair.Refresh)
	fmt.Println(err)

	// Output:
	// <nil>
	// jwtkit: token is blacklisted
}

// Example_postgresStore needs a PostgreSQL server: go test compiles it but does not run it
// (stores.md).
func Example_postgresStore() {
	ctx := context.Background()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	users := demoUsers{}

	// snippet:store-postgres
	// import _ "github.com/jackc/pgx/v5/stdlib"
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // yours: the store never closes it
	db.SetMaxOpenConns(20)

	store, err := sqlstore.New(db, sqlstore.Config{TablePrefix: "jwtkit_"})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	_ = auth

	// snippet:store-purge
	go func() {
		for range time.Tick(time.Hour) { // one replica is enough
			if removed, err := store.Purge(ctx); err != nil {
				log.Printf("jwtkit purge: %v (removed %d)", err, removed)
			}
		}
	}()
	// endsnippet
}

// Example_redisStore needs a Redis server: go test compiles it but does not run it
// (stores.md).
func Example_redisStore() {
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	users := demoUsers{}

	// snippet:store-redis
	store, err := redisstore.NewFromURL(os.Getenv("REDIS_URL")) // redis://user:password@host:6379/0, rediss:// for TLS
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // closes the client NewFromURL made

	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	_ = auth
}

// Example_redisCluster needs a Redis Cluster: go test compiles it but does not run it
// (stores.md).
func Example_redisCluster() {
	// snippet:store-redis-cluster
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"redis-1:6379", "redis-2:6379", "redis-3:6379"},
		ContextTimeoutEnabled: true, // calls end by their context's deadline
	})
	defer client.Close() // yours: the store never closes a client it was given

	store, err := redisstore.New(client, redisstore.Config{Prefix: "myapp:jwt:"})
	if err != nil {
		log.Fatal(err)
	}
	// endsnippet
	_ = store
}

// Example_storeDown points a Redis store at a port nobody listens on: every request that needs
// the store answers 503, none passes (stores.md).
func Example_storeDown() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	ln.Close()
	store, err := redisstore.NewFromURL("redis://" + deadAddr + "/0")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{}})
	if err != nil {
		log.Fatal(err)
	}
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	handler := withDeadline(300*time.Millisecond, mux)

	start := time.Now()
	fmt.Println(call(handler, "GET", "/api/me", "", "", "Authorization", "Bearer "+pair.Access))
	fmt.Println(call(handler, "POST", "/api/token/refresh/", "application/json", `{"refresh":"`+pair.Refresh+`"}`))
	status, _ := call(handler, "POST", "/api/token/", "application/json", `{"username":"demo","password":"demo-password"}`)
	fmt.Println(status, "(obtain does not read the store)")
	fmt.Println(time.Since(start) < 2*time.Second)

	// Output:
	// 503 {"detail":"Service temporarily unavailable, try again later.","code":"store_unavailable"}
	// 503 {"detail":"Service temporarily unavailable, try again later.","code":"store_unavailable"}
	// 200 (obtain does not read the store)
	// true
}

// snippet:request-deadline
// withDeadline bounds every request: a store that stops answering then costs a request at most
// d before it fails closed with the 503, since every store call ends at its context's deadline.
func withDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// endsnippet
