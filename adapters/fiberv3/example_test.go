package jwtfiberv3_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v3"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// demoUsers is the application's side: one active user, demo / demo-password, id 1.
type demoUsers struct{}

func (demoUsers) Authenticate(_ context.Context, name, password string) (jwtkit.User, error) {
	if name != "demo" || password != "demo-password" {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	return jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: name}, nil
}

func (demoUsers) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	if n, ok := id.Int(); !ok || n != 1 {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	return jwtkit.User{ID: id, Active: true, Value: "demo"}, nil
}

// Example mounts the token endpoints at /api, protects GET /api/me, logs in and calls it.
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

	app := fiber.New(fiber.Config{})
	api := app.Group(jwtkit.DefaultPrefix)
	jwtfiberv3.Mount(api, auth) // POST /api/token/, /api/token/refresh/, ...
	api.Get("/me", jwtfiberv3.Middleware(auth), func(c fiber.Ctx) error {
		id, _ := jwtfiberv3.Identity(c)
		return c.JSON(fiber.Map{"user_id": id.User.ID, "username": id.User.Value})
	})

	// In process here; app.Listen(":8000") in an application.
	req, _ := http.NewRequest("POST", "/api/token/", strings.NewReader(`{"username":"demo","password":"demo-password"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := app.Test(req, fiber.TestConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	access := strings.Split(string(body), `"access":"`)[1]
	access = strings.TrimSuffix(access, `"}`)

	for _, authz := range []string{"Bearer " + access, ""} {
		req, _ = http.NewRequest("GET", "/api/me", nil)
		req.Header.Set("Authorization", authz)
		resp, err = app.Test(req, fiber.TestConfig{})
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 application/json no-store
	// 200 {"user_id":1,"username":"demo"}
	// 401 {"detail":"Authentication credentials were not provided."}
}
