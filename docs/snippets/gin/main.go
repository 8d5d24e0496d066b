// snippet:gettingstarted-gin

// Command gin serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Gin.
package main

import (
	"log"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	router, err := newRouter()
	if err != nil {
		log.Fatal(err)
	}
	log.Println("listening on http://127.0.0.1:8000")
	log.Fatal(newServer(router).ListenAndServe())
}

// newServer bounds what one client can hold: without these limits a client that sends its
// request slowly, or not at all, keeps a connection and a file descriptor for as long as it
// likes (router.Run sets none of them).
func newServer(handler http.Handler) *http.Server {
	return &http.Server{
		Addr:              "127.0.0.1:8000",
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,  // a header sent a byte at a time
		ReadTimeout:       10 * time.Second, // header and body
		WriteTimeout:      15 * time.Second, // the answer
		IdleTimeout:       60 * time.Second, // a kept-alive connection between requests
		MaxHeaderBytes:    16 << 10,         // room for a token and cookies; the default is 1 MiB
	}
}

func newRouter() (*gin.Engine, error) {
	key, err := signingKey()
	if err != nil {
		return nil, err
	}
	store, err := memstore.New() // one process, forgotten on restart: see docs/stores.md
	if err != nil {
		return nil, err
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{}})
	if err != nil {
		return nil, err
	}

	gin.SetMode(gin.ReleaseMode) // no debug lines for every route at start
	router := gin.New()
	// Paths are exact, as simplejwt's are: no redirect of /api/token to /api/token/ (a client
	// following it would resend its password), nor of a path in other letter case.
	router.RedirectTrailingSlash, router.RedirectFixedPath = false, false
	router.Use(gin.Recovery())
	// Reached directly, so c.ClientIP() is the connection's address: with Gin's default (trust
	// every proxy) a client would name its own address in X-Forwarded-For. Behind a proxy,
	// pass the proxy's address instead.
	if err := router.SetTrustedProxies(nil); err != nil {
		return nil, err
	}
	api := router.Group("/api")
	jwtgin.Mount(api, auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	api.GET("/health", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	api.GET("/me", jwtgin.Middleware(auth), func(c *gin.Context) {
		id, _ := jwtgin.Identity(c) // always there behind Middleware
		c.JSON(http.StatusOK, gin.H{"user_id": id.User.ID, "username": id.User.Value})
	})
	return router, nil
}

// endsnippet
