package jwtgin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// demoUsers is the application's side: one active user, demo / demo-password, id 1.
type demoUsers struct{}

func (demoUsers) Authenticate(_ context.Context, username, password string) (jwtkit.User, error) {
	if username != "demo" || password != "demo-password" {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: "demo"}, nil
}

func (demoUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	if n, _ := id.Int(); n != 1 {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return jwtkit.User{ID: id, Active: true, Value: "demo"}, nil
}

// Example mounts the token endpoints at /api, protects GET /api/me, logs in and calls it.
func Example() {
	gin.SetMode(gin.ReleaseMode)
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	defer store.Close()
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("replace-me-with-32-or-more-random-bytes!"), "")
	if err != nil {
		panic(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{}})
	if err != nil {
		panic(err)
	}

	router := gin.New()
	api := router.Group(jwtkit.DefaultPrefix)
	jwtgin.Mount(api, auth)
	api.GET("/me", jwtgin.Middleware(auth), func(c *gin.Context) {
		id, _ := jwtgin.Identity(c)
		c.JSON(http.StatusOK, gin.H{"user_id": id.User.ID, "username": id.User.Value})
	})

	call := func(method, path, body, bearer string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		w := httptest.NewRecorder()
		router.ServeHTTP(w, req)
		return w
	}

	w := call("POST", "/api/token/", `{"username":"demo","password":"demo-password"}`, "")
	var pair struct{ Access, Refresh string }
	_ = json.Unmarshal(w.Body.Bytes(), &pair)
	fmt.Println(w.Code, pair.Access != "", pair.Refresh != "")

	w = call("GET", "/api/me", "", pair.Access)
	fmt.Println(w.Code, w.Body.String())

	w = call("GET", "/api/me", "", "")
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 true true
	// 200 {"user_id":1,"username":"demo"}
	// 401 {"detail":"Authentication credentials were not provided."}
}
