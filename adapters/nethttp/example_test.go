package jwthttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

type exampleUsers struct{}

func (exampleUsers) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	if name != "demo" || password != "demo-password" { // an application checks a password hash here
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: name}, nil
}

func (exampleUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	if id.String() != "1" {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return jwtkit.User{ID: id, Active: true, Value: "demo"}, nil
}

func Example() {
	store, _ := memstore.New()
	defer store.Close()
	key, _ := jwtkit.NewHMACKey(jwtkit.HS256, []byte("replace-me-with-32-or-more-random-bytes!"), "")
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: exampleUsers{}})
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth) // POST /api/token/, /api/token/refresh/, ...
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", id.User.Value)
	})))

	login := httptest.NewRequest("POST", "/api/token/", strings.NewReader(`{"username":"demo","password":"demo-password"}`))
	login.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, login)
	fmt.Println(w.Code, w.Header().Get("Cache-Control"))

	pair, _ := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	me := httptest.NewRequest("GET", "/api/me", nil)
	me.Header.Set("Authorization", "Bearer "+pair.Access)
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, me)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 no-store
	// 200 hello demo
}
