package jwtkit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jwtkit/jwtkit/core/internal/jsonscan"
)

// Users is the application's side of authentication, so core never knows its user model.
//
// Authenticate returns ErrBadCredentials (wrapped or not) for a wrong password or an unknown
// user; LookupUser returns ErrUserNotFound for an id that no longer exists. Any other error means
// the user store could not answer, and the request fails closed with a 503. Both report whether
// the account is active in User.Active; core turns an inactive account away itself, so an
// implementation does not need to.
type Users interface {
	Authenticate(ctx context.Context, username, password string) (User, error)
	LookupUser(ctx context.Context, id UserID) (User, error)
}

// User is what core needs to know about an account.
type User struct {
	ID     UserID
	Active bool
	// Value is the application's own user value, handed back untouched to handlers on
	// protected routes. Optional.
	Value any
	// PasswordHash is the stored password hash (any value that changes when the password
	// does). Read only with Config.CheckRevokeToken, whose claim carries a fingerprint of it.
	// Optional.
	PasswordHash string
}

// UserID is a user's identifier as tokens carry it: an integer id is a JSON number on the
// wire, anything else a JSON string (the wire contract's user_id rule). Both spellings parse.
type UserID struct {
	s   string
	num bool
}

// IntUserID is the id of a user whose primary key is an integer.
func IntUserID(id int64) UserID { return UserID{s: strconv.FormatInt(id, 10), num: true} }

// StringUserID is the id of a user whose primary key is not an integer (a UUID, a username).
func StringUserID(id string) UserID { return UserID{s: id} }

// String returns the id as text: "42" for IntUserID(42).
func (u UserID) String() string { return u.s }

// Int returns the id as an integer when it is one, whichever way the token spelled it, so an
// application keyed on integers accepts both `"user_id": 7` and `"user_id": "7"`.
func (u UserID) Int() (int64, bool) {
	n, err := strconv.ParseInt(u.s, 10, 64)
	return n, err == nil
}

// Key is the text a Store keeps for this user: the canonical decimal whenever Int reads the id as
// an integer, and the id as spelled otherwise. "01", "+1", "001" and 1 all reach user 1 through
// Int, so they share one key, and user 1's log-out-everywhere cutoff covers every spelling a
// token may carry. A string-keyed application whose ids look like integers with leading zeros
// shares keys between "07" and "7": a cutoff then covers both, which fails safe.
func (u UserID) Key() string {
	if n, ok := u.Int(); ok {
		return strconv.FormatInt(n, 10)
	}
	return u.s
}

// IsZero reports whether u is the zero UserID (no id).
func (u UserID) IsZero() bool { return u.s == "" }

// MarshalJSON writes a number for an integer id and a string otherwise.
func (u UserID) MarshalJSON() ([]byte, error) {
	if u.num {
		return []byte(u.s), nil
	}
	return json.Marshal(u.s)
}

// UnmarshalJSON accepts a JSON integer or a non-empty JSON string.
func (u *UserID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := jsonscan.String(b)
		if err != nil {
			return err
		}
		if s == "" {
			return fmt.Errorf("empty user id")
		}
		*u = UserID{s: s}
		return nil
	}
	if !jsonscan.IsInteger(b) {
		return fmt.Errorf("user id is neither an integer nor a string")
	}
	*u = UserID{s: string(b), num: true}
	return nil
}
