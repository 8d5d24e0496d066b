package jwtkit_test

import (
	"context"
	"fmt"
	"strings"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Example shows the whole flow an adapter drives: obtain a pair through the shared endpoint
// logic, call a protected route with the access token, and log out.
func Example() {
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("replace-me-with-32-or-more-random-bytes!"), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey: key,
		Store:      newTestStore(), // memstore.New(), redisstore.New(...) or sqlstore.New(...) in an application
		Users:      newTestUsers(), // the application's accounts
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	resp := auth.Serve(ctx, jwtkit.EndpointObtain, jwtkit.Request{
		Method:      "POST",
		ContentType: "application/json",
		Body:        strings.NewReader(`{"username":"demo","password":"demo-password"}`),
	})
	fmt.Println(resp.Status, resp.Header.Get("Cache-Control"))

	pair, _ := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	id, err := auth.Authenticate(ctx, "Bearer "+pair.Access)
	fmt.Println(id.User.ID, err)

	fmt.Println(auth.Blacklist(ctx, pair.Refresh))
	_, err = auth.Refresh(ctx, pair.Refresh)
	fmt.Println(err)
	fmt.Println(string(auth.ErrorResponse(jwtkit.ErrNoCredentials).Body))
	// Output:
	// 200 no-store
	// 1 <nil>
	// <nil>
	// jwtkit: token is blacklisted
	// {"detail":"Authentication credentials were not provided."}
}
