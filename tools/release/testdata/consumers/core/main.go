// Command core uses the core module alone, as a user of github.com/jwtkit/jwtkit/core would:
// it makes keys and checks that a configuration without a store is refused, not accepted.
package main

import (
	"errors"
	"fmt"
	"log"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func main() {
	key, err := jwtkit.GenerateKey(jwtkit.ES256, "2026-01")
	if err != nil {
		log.Fatal(err)
	}
	if !key.CanSign() || key.Public().CanSign() {
		log.Fatal("a generated key signs and its public twin does not")
	}
	if _, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("short"), ""); !errors.Is(err, jwtkit.ErrWeakKey) {
		log.Fatalf("a 5-byte HMAC secret: %v, want ErrWeakKey", err)
	}
	if _, err := jwtkit.New(jwtkit.Config{SigningKey: key, Stateless: true}); !errors.Is(err, jwtkit.ErrInvalidConfig) {
		log.Fatalf("a Config without a Store: %v, want ErrInvalidConfig", err)
	}
	fmt.Println("core:", key.Algorithm(), key.KeyID())
}
