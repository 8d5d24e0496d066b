package memstore_test

import (
	"context"
	"fmt"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func ExampleNew() {
	store, err := memstore.New(memstore.Config{MaxEntries: 1_000_000})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	ctx := context.Background()
	jti := "9f86d081884c7d659a2feaa0c55ad015"
	if err := store.Revoke(ctx, jti, time.Now().Add(24*time.Hour)); err != nil {
		panic(err)
	}
	revoked, err := store.Revoked(ctx, jwtkit.TokenRef{JTI: jti})
	fmt.Println(revoked, err)

	won, err := store.RevokeOnce(ctx, jti, time.Now().Add(24*time.Hour))
	fmt.Println(won, err)
	// Output:
	// true <nil>
	// false <nil>
}
