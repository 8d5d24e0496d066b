package jwtdjango

// A stand-in for the users helper's API, so the store's branch builds and its tests run before
// the merge: the lead deletes this file then. It reads auth_user and checks pbkdf2_sha256 only.

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	jwtkit "github.com/jwtkit/jwtkit/core"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// UsersConfig configures Users.
type UsersConfig struct{}

// Users is a jwtkit.Users over Django's auth_user table.
type Users struct {
	db     *sql.DB
	byName string
	byID   string
}

// NewUsers returns Users on db, the Django database.
func NewUsers(db *sql.DB, cfg ...UsersConfig) (*Users, error) {
	s, err := NewStore(db)
	if err != nil {
		return nil, err
	}
	p := "?"
	if s.Dialect() == sqlstore.Postgres {
		p = "$1"
	}
	q := "SELECT id, username, password, is_active FROM auth_user WHERE "
	return &Users{db: db, byName: q + "username = " + p, byID: q + "id = " + p}, nil
}

func (u *Users) user(ctx context.Context, query string, arg any) (jwtkit.User, string, error) {
	var id int64
	var name, hash string
	var active bool
	err := u.db.QueryRowContext(ctx, query, arg).Scan(&id, &name, &hash, &active)
	return jwtkit.User{ID: jwtkit.IntUserID(id), Active: active, Value: name, PasswordHash: hash}, hash, err
}

// Authenticate checks a username and password against auth_user.
func (u *Users) Authenticate(ctx context.Context, username, password string) (jwtkit.User, error) {
	user, hash, err := u.user(ctx, u.byName, username)
	if errors.Is(err, sql.ErrNoRows) {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	if err != nil {
		return jwtkit.User{}, err
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2_sha256" {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	key, err := pbkdf2.Key(sha256.New, password, []byte(parts[2]), iter, sha256.Size)
	want, derr := base64.StdEncoding.DecodeString(parts[3])
	if err != nil || derr != nil || subtle.ConstantTimeCompare(key, want) != 1 {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return user, nil
}

// LookupUser finds a user by id.
func (u *Users) LookupUser(ctx context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	n, ok := id.Int()
	if !ok {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	user, _, err := u.user(ctx, u.byID, n)
	if errors.Is(err, sql.ErrNoRows) {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return user, err
}
