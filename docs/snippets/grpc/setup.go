// snippet:gettingstarted-setup

package main

import (
	"context"
	"crypto/subtle"
	"log"
	"os"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// accounts are the application's users. A real application keeps password hashes in its
// database and checks them with bcrypt or argon2; plain text keeps this program short.
var accounts = map[string]struct {
	id       int64
	password string
	active   bool
}{
	"demo":     {id: 1, password: "demo-password", active: true},
	"inactive": {id: 2, password: "demo-password", active: false},
}

// users is the application's side of jwtkit.Users: jwtkit never sees the user model.
type users struct{}

// Authenticate checks a username and password at POST /api/token/. A wrong password and an
// unknown user are both ErrBadCredentials; an inactive user is returned with Active false and
// jwtkit refuses it.
func (users) Authenticate(_ context.Context, username, password string) (jwtkit.User, error) {
	a, ok := accounts[username]
	if !ok || subtle.ConstantTimeCompare([]byte(password), []byte(a.password)) != 1 {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(a.id), Active: a.active, Value: username}, nil
}

// LookupUser finds the user of a token on protected routes and at refresh.
func (users) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	n, _ := id.Int() // user_id 1 and "1" are the same user
	for name, a := range accounts {
		if a.id == n {
			return jwtkit.User{ID: jwtkit.IntUserID(a.id), Active: a.active, Value: name}, nil
		}
	}
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

// signingKey reads the HS256 secret from JWTKIT_SIGNING_KEY (make one with `jwtkit keygen`).
// Without it the program makes a random key, and every token dies with the process.
func signingKey() (*jwtkit.Key, error) {
	if secret := os.Getenv("JWTKIT_SIGNING_KEY"); secret != "" {
		return jwtkit.NewHMACKey(jwtkit.HS256, []byte(secret), "")
	}
	log.Println("JWTKIT_SIGNING_KEY is not set: using a random key until the process ends")
	return jwtkit.GenerateKey(jwtkit.HS256, "")
}

// endsnippet
