// Command open picks its store from settings, as the example servers and the CLI do, and
// issues and checks a token through it.
package main

import (
	"context"
	"fmt"
	"log"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func main() {
	ctx := context.Background()
	opened, err := storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.Memory})
	if err != nil {
		log.Fatal(err)
	}
	defer opened.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: opened.Store, Stateless: true})
	if err != nil {
		log.Fatal(err)
	}
	pair, err := auth.IssuePair(ctx, jwtkit.StringUserID("u-1"), nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := auth.Validate(ctx, pair.Access, jwtkit.TypeAccess); err != nil {
		log.Fatal(err)
	}
	fmt.Println("open:", opened.Kind, "store, access token valid")
}
