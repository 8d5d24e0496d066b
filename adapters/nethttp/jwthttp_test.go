package jwthttp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// app is the conformance suite's app built with this adapter.
func app(auth *jwtkit.Auth, cfg jwthttp.Config) http.Handler {
	mux := http.NewServeMux()
	jwthttp.Mount(mux, jwtkit.DefaultPrefix, auth)
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(adaptertest.Me(id))
	})
	mux.Handle("GET /api/me", jwthttp.Middleware(auth, cfg)(me))
	mux.Handle("POST /api/me", jwthttp.Middleware(auth, cfg)(me))
	mux.Handle(jwtkit.JWKSPath, jwthttp.JWKS(auth))
	mux.Handle("GET /api/optional", jwthttp.Optional(auth, cfg)(me))
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	return mux
}

func start(t testing.TB, auth *jwtkit.Auth, opts adaptertest.Options) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: app(auth, jwthttp.Config{Sources: opts.Sources}), MaxHeaderBytes: opts.MaxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestConformance runs the suite on net/http's default header limit, 1 MiB.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, start, adaptertest.Options{Server: adaptertest.NetHTTP, MaxHeaderBytes: http.DefaultMaxHeaderBytes})
}

// newAuth is a stateless Auth on a memory store with one access token for user 7.
func newAuth(t testing.TB) (*jwtkit.Auth, string) {
	store, err := memstore.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("jwthttp-tests-secret-0123456789-abcdefgh"), "")
	require.NoError(t, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true})
	require.NoError(t, err)
	p, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(7), map[string]string{"tenant": "acme"})
	require.NoError(t, err)
	return auth, p.Access
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestSkipErrorHandlerAndHelpers(t *testing.T) {
	auth, access := newAuth(t)
	var seen error
	type claims struct {
		Tenant string `json:"tenant"`
	}
	h := jwthttp.Middleware(auth, jwthttp.Config{
		Skip: func(r *http.Request) bool { return r.URL.Path == "/open" },
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error, resp jwtkit.Response) {
			seen = err
			w.WriteHeader(418)
			_, _ = w.Write(append([]byte("custom "), resp.Body...))
		},
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := jwthttp.FromContext(r.Context())
		if !ok {
			_, _ = w.Write([]byte("anonymous"))
			return
		}
		c, err := jwthttp.Claims[claims](r.Context())
		if err != nil {
			w.WriteHeader(500)
			return
		}
		_, _ = w.Write([]byte(id.User.ID.String() + " " + c.Tenant))
	}))

	w := serve(h, httptest.NewRequest("GET", "/open", nil))
	assert.Equal(t, "anonymous", w.Body.String(), "Skip lets the route through without a token")

	w = serve(h, httptest.NewRequest("GET", "/closed", nil))
	assert.Equal(t, 418, w.Code)
	assert.Equal(t, `custom {"detail":"Authentication credentials were not provided."}`, w.Body.String())
	assert.True(t, errors.Is(seen, jwtkit.ErrNoCredentials))

	r := httptest.NewRequest("GET", "/closed", nil)
	r.Header.Set("Authorization", "Bearer "+access)
	w = serve(h, r)
	assert.Equal(t, "7 acme", w.Body.String(), "typed claims from the context")

	_, err := jwthttp.Claims[claims](context.Background())
	assert.ErrorIs(t, err, jwtkit.ErrNoCredentials)
	// A value stored under a look-alike key is not an identity.
	_, ok := jwthttp.FromContext(context.WithValue(context.Background(), "identity", &jwtkit.Identity{})) //nolint:staticcheck // the point of the test
	assert.False(t, ok)
}

func TestSourcesAreOptIn(t *testing.T) {
	auth, access := newAuth(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })

	def := jwthttp.Middleware(auth)(ok)
	assert.Equal(t, 401, serve(def, httptest.NewRequest("GET", "/?token="+access, nil)).Code, "no query tokens by default")

	q := jwthttp.Middleware(auth, jwthttp.Config{Sources: []jwtkit.TokenSource{jwtkit.FromQuery("token")}})(ok)
	assert.Equal(t, 200, serve(q, httptest.NewRequest("GET", "/?token="+access, nil)).Code)

	c := jwthttp.Middleware(auth, jwthttp.Config{Sources: []jwtkit.TokenSource{jwtkit.FromCookie("at")}})(ok)
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "at", Value: access})
	assert.Equal(t, 200, serve(c, r).Code)
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+access)
	assert.Equal(t, 401, serve(c, r).Code, "a cookie-only middleware ignores the header")
}

func TestErrorResponseIsNotShared(t *testing.T) {
	auth, _ := newAuth(t)
	h := jwthttp.Middleware(auth)(http.NotFoundHandler())
	w := serve(h, httptest.NewRequest("GET", "/", nil))
	w.Header().Add("WWW-Authenticate", "Extra")
	w2 := serve(h, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, []string{`Bearer realm="api"`}, w2.Header().Values("WWW-Authenticate"))
}
