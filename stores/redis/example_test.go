package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	"github.com/redis/go-redis/v9"
)

// The examples need a Redis server, so they have no Output comment: go test compiles them but
// does not run them.

func ExampleNewFromURL() {
	store, err := redisstore.NewFromURL("redis://127.0.0.1:6379/0")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // closes the client the store made

	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("a secret of at least 32 bytes, from a vault"), "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	pair, err := auth.IssuePair(ctx, jwtkit.StringUserID("alice"), nil)
	if err != nil {
		log.Fatal(err)
	}
	_, err = auth.Refresh(ctx, pair.Refresh)
	fmt.Println("first refresh:", err)
	_, err = auth.Refresh(ctx, pair.Refresh) // the same token again, on any replica
	fmt.Println("second refresh:", err)
}

func ExampleNew() {
	// A client the application owns: a Cluster here; redis.NewClient or redis.NewFailoverClient
	// (Sentinel) work the same way. ContextTimeoutEnabled makes calls end by their context's
	// deadline when Redis stops answering.
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"redis-1:6379", "redis-2:6379", "redis-3:6379"},
		ContextTimeoutEnabled: true,
	})
	defer client.Close() // the store never closes a client it was given

	store, err := redisstore.New(client, redisstore.Config{Prefix: "myapp:jwt:"})
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	jti := "9f86d081884c7d659a2feaa0c55ad015"
	if err := store.Revoke(ctx, jti, time.Now().Add(24*time.Hour)); err != nil {
		log.Fatal(err)
	}
	revoked, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	fmt.Println(revoked, err)
}
