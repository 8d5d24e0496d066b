// Command redis opens the Redis store from JWTKIT_REDIS_URL and revokes a token. The release
// check only builds it: running it needs a Redis server.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
)

func main() {
	url := os.Getenv("JWTKIT_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	store, err := redisstore.NewFromURL(url, redisstore.Config{Prefix: "consumer:"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	jti := "9f86d081884c7d659a2feaa0c55ad015"
	if err := store.Revoke(ctx, jti, time.Now().Add(time.Minute)); err != nil {
		log.Fatal(err)
	}
	revoked, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	fmt.Println("redis: revoked", revoked, err)
}
