// snippet:gettingstarted-gin

// Command gin serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with Gin.
package main

import (
	"log"
	"net/http"

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
	log.Fatal(router.Run("127.0.0.1:8000"))
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

	router := gin.New()
	router.Use(gin.Recovery())
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
