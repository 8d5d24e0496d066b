package docs_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"strings"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// newDemoAuth is an Auth on a memory store with the demo users.
func newDemoAuth(edit ...func(*jwtkit.Config)) (*jwtkit.Auth, *memstore.Store) {
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	cfg := jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{}}
	for _, e := range edit {
		e(&cfg)
	}
	auth, err := jwtkit.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	return auth, store
}

// Example_tokenSources reads the access token from a cookie as well as from the header; the
// query string stays unread because it is not listed (security.md).
func Example_tokenSources() {
	auth, store := newDemoAuth()
	defer store.Close()
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		fmt.Fprintf(w, "user %s", id.User.ID)
	})

	// snippet:sources-cookie
	protect := jwthttp.Middleware(auth, jwthttp.Config{
		Sources: []jwtkit.TokenSource{
			jwtkit.FromHeader("Authorization"), // a request with this header is judged on it alone
			jwtkit.FromCookie("access_token"),  // only then the cookie: pair it with a CSRF defence
		},
	})
	// endsnippet
	h := protect(me)

	fmt.Println(call(h, "GET", "/api/me", "", "", "Cookie", "access_token="+pair.Access))
	fmt.Println(call(h, "GET", "/api/me?token="+pair.Access, "", ""))
	status, _ := call(h, "GET", "/api/me", "", "", "Authorization", "Bearer not-a-token", "Cookie", "access_token="+pair.Access)
	fmt.Println(status)

	// Output:
	// 200 user 1
	// 401 {"detail":"Authentication credentials were not provided."}
	// 401
}

// Example_errorLogging logs why a request was refused without logging the token
// (security.md).
func Example_errorLogging() {
	auth, store := newDemoAuth()
	defer store.Close()
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	other, otherStore := newDemoAuth() // another key: its tokens fail the signature check here
	defer otherStore.Close()
	foreign, err := other.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	// snippet:error-logging
	protect := jwthttp.Middleware(auth, jwthttp.Config{
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error, resp jwtkit.Response) {
			// err says why (errors.Is(err, jwtkit.ErrTokenExpired), ...) and never holds the
			// token; log it with the route, never with r.Header, cookies or the body.
			logger.Info("authentication refused", "path", r.URL.Path, "status", resp.Status, "err", err)
			_ = resp.Write(w)
		},
	})
	// endsnippet

	for _, bearer := range []string{pair.Refresh, foreign.Access} {
		status, _ := call(protect(me), "GET", "/api/me", "", "", "Authorization", "Bearer "+bearer)
		fmt.Println(status, !strings.Contains(out.String(), bearer))
	}
	fmt.Print(out.String())

	// Output:
	// 401 true
	// 401 true
	// level=INFO msg="authentication refused" path=/api/me status=401 err="jwtkit: token has wrong type: \"refresh\""
	// level=INFO msg="authentication refused" path=/api/me status=401 err="jwtkit: token is invalid or expired: token signature is invalid: signature is invalid"
}
