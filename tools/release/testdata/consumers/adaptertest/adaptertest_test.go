// An adapter's author runs the wire-contract suite from their own module; here on net/http.
package consumer

import (
	"net"
	"net/http"
	"testing"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

func start(t testing.TB, auth *jwtkit.Auth, opts adaptertest.Options) string {
	cfg := jwthttp.Config{Sources: opts.Sources}
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(adaptertest.Me(id))
	})
	mux := http.NewServeMux()
	jwthttp.Mount(mux, jwtkit.DefaultPrefix, auth)
	mux.Handle("GET /api/me", jwthttp.Middleware(auth, cfg)(me))
	mux.Handle("POST /api/me", jwthttp.Middleware(auth, cfg)(me))
	mux.Handle("GET /api/optional", jwthttp.Optional(auth, cfg)(me))
	mux.Handle(jwtkit.JWKSPath, jwthttp.JWKS(auth))
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, MaxHeaderBytes: opts.MaxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestConformance(t *testing.T) {
	adaptertest.Run(t, start, adaptertest.Options{Server: adaptertest.NetHTTP, MaxHeaderBytes: http.DefaultMaxHeaderBytes})
}
