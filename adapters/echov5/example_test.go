package jwtechov5_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v5"

	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// demoUsers is the application's account store: one active user, demo / demo-password, id 1.
type demoUsers struct{}

func (demoUsers) Authenticate(_ context.Context, username, password string) (jwtkit.User, error) {
	if username != "demo" || password != "demo-password" {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: "demo"}, nil
}

func (demoUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	if n, ok := id.Int(); !ok || n != 1 {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return jwtkit.User{ID: id, Active: true, Value: "demo"}, nil
}

// Example mounts the token endpoints at /api, protects GET /api/me, obtains a token pair and
// calls the protected route with the access token.
func Example() {
	store, err := memstore.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("replace-me-with-32-or-more-random-bytes!"), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{}})
	if err != nil {
		fmt.Println(err)
		return
	}

	e := echo.New()
	api := e.Group("/api")
	jwtechov5.Mount(api, auth) // POST /api/token/, /api/token/refresh/, ...
	api.GET("/me", func(c *echo.Context) error {
		id, _ := jwtechov5.Identity(c)
		return c.JSON(http.StatusOK, map[string]any{"user_id": id.User.ID, "username": id.User.Value})
	}, jwtechov5.Middleware(auth))

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/token/", strings.NewReader(`{"username":"demo","password":"demo-password"}`))
	req.Header.Set("Content-Type", "application/json")
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	var pair struct{ Access string }
	_ = json.Unmarshal(rec.Body.Bytes(), &pair)

	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+pair.Access)
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))

	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 application/json
	// 200 {"user_id":1,"username":"demo"}
	// 401 {"detail":"Authentication credentials were not provided."}
}
