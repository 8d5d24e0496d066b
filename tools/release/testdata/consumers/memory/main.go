// Command memory issues, rotates and blacklists tokens on the memory store, as a single-process
// service would.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	pair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := auth.Refresh(ctx, pair.Refresh); err != nil {
		log.Fatal(err)
	}
	if _, err := auth.Refresh(ctx, pair.Refresh); !errors.Is(err, jwtkit.ErrBlacklisted) {
		log.Fatalf("second refresh with one token: %v, want ErrBlacklisted", err)
	}
	fmt.Println("memory: a rotated refresh token is refused the second time")
}
