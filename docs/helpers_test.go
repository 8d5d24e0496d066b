package docs_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// demoUsers are the example servers' users: demo / demo-password (id 1, active) and
// inactive / demo-password (id 2, inactive). While down is set every call fails, as a user
// database that cannot be reached would.
type demoUsers struct{ down *atomic.Bool }

var accounts = map[string]struct {
	id     int64
	active bool
}{"demo": {1, true}, "inactive": {2, false}}

type errUserDB struct{}

func (errUserDB) Error() string { return "dial tcp 127.0.0.1:5432: connect: connection refused" }

func (u demoUsers) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	if u.down != nil && u.down.Load() {
		return jwtkit.User{}, errUserDB{}
	}
	a, ok := accounts[name]
	if !ok || password != "demo-password" {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(a.id), Active: a.active, Value: name}, nil
}

func (u demoUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	if u.down != nil && u.down.Load() {
		return jwtkit.User{}, errUserDB{}
	}
	n, _ := id.Int()
	for name, a := range accounts {
		if a.id == n {
			return jwtkit.User{ID: jwtkit.IntUserID(a.id), Active: a.active, Value: name}, nil
		}
	}
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

// randomSecret is a fresh HS256 secret as `jwtkit keygen` prints it: 32 random bytes, base64url.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// call sends one request to h and returns the status and body.
func call(h http.Handler, method, path, contentType, body string, header ...string) (int, string) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, strings.TrimSuffix(w.Body.String(), "\n")
}
