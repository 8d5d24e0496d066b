package demo

import (
	"context"

	"golang.org/x/crypto/bcrypt"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// account is a user as an application's database holds one: a bcrypt hash, never the password.
type account struct {
	id       int64
	username string
	hash     []byte
	active   bool
}

// The hashes are constants, made once with bcrypt.DefaultCost (10) and checked by the tests,
// rather than hashed from the passwords at start: the program then holds no password at all,
// exactly as an application reading hashes from its database, and starts in no time (three
// hashes at cost 10 take a quarter of a second, seconds under the race detector). Both users'
// password is "demo-password".
var accounts = []account{
	{id: 1, username: "demo", active: true, hash: []byte("$2a$10$lh38FkH6LIwj7IUdpJ1GAOw0Pp0.ZUq7438MlMzk6b1boUqaAo/JO")},
	{id: 2, username: "inactive", active: false, hash: []byte("$2a$10$x.wRN9IoUYweVHvcqJkncenDeMo0OOWNBtRyYIogIKEnJl63zFYzy")},
}

// dummyHash is the hash of a random password nobody knows, at the same cost as the real ones.
// A login with an unknown username is compared against it, so that it takes as long as a login
// with a known one and a wrong password: the response time does not tell which usernames exist.
var dummyHash = []byte("$2a$10$MdQL7rf39PDpB8FycuWfBeWrzg37I6unTPWVwTDALD6FAHKJhSxpe")

// Users are the demo users, as a jwtkit.Users: demo (id 1, active) and inactive (id 2, not
// active), both with the password demo-password. User.Value is the username.
type Users struct{}

// Authenticate checks a username and password. It answers jwtkit.ErrBadCredentials for an
// unknown username or a wrong password, after one bcrypt comparison either way; it returns an
// inactive user as such, and core turns that user away with the same answer.
func (Users) Authenticate(_ context.Context, username, password string) (jwtkit.User, error) {
	acc, known := findAccount(func(a account) bool { return a.username == username })
	hash := dummyHash
	if known {
		hash = acc.hash
	}
	// bcrypt compares in constant time; the comparison runs even for an unknown username.
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil || !known {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return acc.user(), nil
}

// LookupUser finds a user by the id in a token, spelled as a number or as a string.
func (Users) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	n, ok := id.Int()
	u, found := usersByID[n]
	if !ok || !found {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return u, nil
}

// usersByID is every account's User, made once: LookupUser runs on every protected request,
// and making the User there would allocate each time (the username boxed into Value).
var usersByID = func() map[int64]jwtkit.User {
	m := make(map[int64]jwtkit.User, len(accounts))
	for _, a := range accounts {
		m[a.id] = a.user()
	}
	return m
}()

func findAccount(match func(account) bool) (account, bool) {
	for _, a := range accounts {
		if match(a) {
			return a, true
		}
	}
	return account{}, false
}

// user is what core and the handlers see. PasswordHash is the bcrypt hash, which changes with
// the password: with Config.CheckRevokeToken, tokens carry a fingerprint of it, and a password
// change then revokes every token issued before (simplejwt's CHECK_REVOKE_TOKEN). The example
// servers leave that setting off, as the contract has no variable for it.
func (a account) user() jwtkit.User {
	return jwtkit.User{ID: jwtkit.IntUserID(a.id), Active: a.active, Value: a.username, PasswordHash: string(a.hash)}
}

// OpenUsers returns the users Settings.Users names: the demo accounts, or for UsersDjango the
// auth_user table of the Django database store is on.
func (s Settings) OpenUsers(store *storeopen.Opened) (jwtkit.Users, error) {
	if s.Users != UsersDjango {
		return Users{}, nil
	}
	return jwtdjango.NewUsers(store.DB)
}
