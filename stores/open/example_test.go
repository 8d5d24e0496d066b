package storeopen_test

import (
	"context"
	"fmt"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// An example server opens the store its environment names, creating the SQL tables on start.
func ExampleOpen() {
	s := storeopen.FromEnv()  // JWTKIT_STORE, JWTKIT_STORE_DSN
	s.Kind = storeopen.Memory // for this example only: the default is an SQLite file
	s.AutoMigrate = true
	opened, err := storeopen.Open(context.Background(), s)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer opened.Close()
	fmt.Println(opened.Kind)
	// Output: memory
}
