// snippet:gettingstarted-nethttp

// Command nethttp serves the token endpoints at /api/token/..., a public GET /api/health and a
// protected GET /api/me with the standard library's router.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"time"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func main() {
	handler, err := newHandler()
	if err != nil {
		log.Fatal(err)
	}
	log.Println("listening on http://127.0.0.1:8000")
	log.Fatal(newServer(handler).ListenAndServe())
}

// newServer bounds what one client can hold: without these limits a client that sends its
// request slowly, or not at all, keeps a connection and a file descriptor for as long as it
// likes (http.ListenAndServe sets none of them).
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

func newHandler() (http.Handler, error) {
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

	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth) // /api/token/, …/refresh/, …/verify/, …/blacklist/, …/revoke-all/
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"status": "ok"})
	})
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context()) // always there behind Middleware
		writeJSON(w, map[string]any{"user_id": id.User.ID, "username": id.User.Value})
	})))
	// Exact paths, as simplejwt's: /api//token/ is a 404, not a redirect to /api/token/.
	return jwthttp.ExactPaths(mux), nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// endsnippet
