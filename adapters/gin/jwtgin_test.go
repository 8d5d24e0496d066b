package jwtgin_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtgin "github.com/jwtkit/jwtkit/adapters/gin"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// newApp is the app the conformance suite describes.
func newApp(auth *jwtkit.Auth, opts adaptertest.Options) *gin.Engine {
	r := gin.New()
	api := r.Group(jwtkit.DefaultPrefix)
	jwtgin.Mount(api, auth)
	me := func(c *gin.Context) {
		id, _ := jwtgin.Identity(c)
		c.Data(http.StatusOK, "application/json", adaptertest.Me(id))
	}
	api.GET("/me", jwtgin.Middleware(auth, jwtgin.Config{Sources: opts.Sources}), me)
	api.POST("/me", jwtgin.Middleware(auth, jwtgin.Config{Sources: opts.Sources}), me)
	r.Any(jwtkit.JWKSPath, jwtgin.JWKS(auth))
	api.GET("/optional", jwtgin.Optional(auth, jwtgin.Config{Sources: opts.Sources}), me)
	api.GET("/health", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", []byte(`{"status":"ok"}`)) })
	return r
}

func start(t testing.TB, auth *jwtkit.Auth, opts adaptertest.Options) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: newApp(auth, opts), ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: opts.MaxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
	})
	return "http://" + ln.Addr().String()
}

// TestConformance runs the suite behind an http.Server that caps request headers at 64 KiB.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, start, adaptertest.Options{Server: adaptertest.NetHTTP, MaxHeaderBytes: 64 << 10})
}

type users struct{}

func (users) Authenticate(context.Context, string, string) (jwtkit.User, error) {
	return jwtkit.User{}, jwtkit.ErrBadCredentials
}

func (users) LookupUser(_ context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	if n, _ := id.Int(); n == 1 {
		return jwtkit.User{ID: id, Active: true, Value: "demo"}, nil
	}
	return jwtkit.User{}, jwtkit.ErrUserNotFound
}

func newAuth(tb testing.TB) *jwtkit.Auth {
	tb.Helper()
	store, err := memstore.New()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = store.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("gin-adapter-test-k3y-9f2c81d7e64ab05c3e7Q"), "")
	require.NoError(tb, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users{}})
	require.NoError(tb, err)
	return auth
}

type tenantClaims struct {
	Tenant string `json:"tenant"`
	Level  int    `json:"level"`
}

func issue(tb testing.TB, auth *jwtkit.Auth, custom any) string {
	tb.Helper()
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), custom)
	require.NoError(tb, err)
	return pair.Access
}

// serve sends one in-process request through r; headers are name/value pairs.
func serve(r http.Handler, path string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func ok(c *gin.Context) { c.String(http.StatusOK, "ok") }

func TestSkip(t *testing.T) {
	auth := newAuth(t)
	r := gin.New()
	r.Use(jwtgin.Middleware(auth, jwtgin.Config{Skip: func(c *gin.Context) bool { return c.Request.URL.Path == "/public" }}))
	r.GET("/public", ok)
	r.GET("/private", ok)

	assert.Equal(t, http.StatusOK, serve(r, "/public").Code)
	assert.Equal(t, http.StatusUnauthorized, serve(r, "/private").Code)
}

func TestErrorHandler(t *testing.T) {
	auth := newAuth(t)
	var got error
	var gotResp jwtkit.Response
	r := gin.New()
	r.GET("/", jwtgin.Middleware(auth, jwtgin.Config{
		ErrorHandler: func(c *gin.Context, err error, resp jwtkit.Response) {
			got, gotResp = err, resp
			c.String(http.StatusTeapot, "custom")
		},
	}), func(c *gin.Context) { t.Error("the handler ran after a failed authentication") })

	w := serve(r, "/")
	assert.Equal(t, http.StatusTeapot, w.Code)
	assert.Equal(t, "custom", w.Body.String())
	assert.ErrorIs(t, got, jwtkit.ErrNoCredentials)
	assert.Equal(t, http.StatusUnauthorized, gotResp.Status)

	w = serve(r, "/", "Authorization", "Bearer a.b.c")
	assert.Equal(t, http.StatusTeapot, w.Code)
	assert.ErrorIs(t, got, jwtkit.ErrTokenInvalid)
}

func TestDefaultErrorWritesContractAnswer(t *testing.T) {
	auth := newAuth(t)
	r := gin.New()
	r.GET("/", jwtgin.Middleware(auth), ok)

	w := serve(r, "/")
	want := auth.ErrorResponse(jwtkit.ErrNoCredentials)
	assert.Equal(t, want.Status, w.Code)
	assert.Equal(t, string(want.Body), w.Body.String())
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, `Bearer realm="api"`, w.Header().Get("WWW-Authenticate"))

	// The response is shared between requests: a handler editing its copy must not change it.
	w.Header()["Www-Authenticate"][0] = "mutated"
	assert.Equal(t, `Bearer realm="api"`, auth.ErrorResponse(jwtkit.ErrNoCredentials).Header.Get("WWW-Authenticate"))
}

func TestSources(t *testing.T) {
	auth := newAuth(t)
	access := issue(t, auth, nil)
	build := func(cfg ...jwtgin.Config) *gin.Engine {
		r := gin.New()
		r.GET("/", jwtgin.Middleware(auth, cfg...), ok)
		return r
	}
	def := build()
	assert.Equal(t, http.StatusOK, serve(def, "/", "Authorization", "Bearer "+access).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(def, "/?token="+access).Code, "query ignored by default")
	assert.Equal(t, http.StatusUnauthorized, serve(def, "/", "Cookie", "jwt="+access).Code, "cookie ignored by default")

	cookie := build(jwtgin.Config{Sources: []jwtkit.TokenSource{jwtkit.FromCookie("jwt")}})
	assert.Equal(t, http.StatusOK, serve(cookie, "/", "Cookie", "jwt="+access).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(cookie, "/?token="+access).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(cookie, "/", "Authorization", "Bearer "+access).Code)

	query := build(jwtgin.Config{Sources: []jwtkit.TokenSource{jwtkit.FromQuery("token")}})
	assert.Equal(t, http.StatusOK, serve(query, "/?token="+access).Code)
	assert.Equal(t, http.StatusUnauthorized, serve(query, "/", "Cookie", "jwt="+access).Code)

	header := build(jwtgin.Config{Sources: []jwtkit.TokenSource{jwtkit.FromHeader("X-Token")}})
	assert.Equal(t, http.StatusOK, serve(header, "/", "X-Token", "Bearer "+access).Code)
}

func TestIdentityAndClaims(t *testing.T) {
	auth := newAuth(t)
	access := issue(t, auth, tenantClaims{Tenant: "acme", Level: 3})
	var id *jwtkit.Identity
	var found bool
	var claims tenantClaims
	var claimsErr error
	handler := func(c *gin.Context) {
		id, found = jwtgin.Identity(c)
		claims, claimsErr = jwtgin.Claims[tenantClaims](c)
	}
	r := gin.New()
	r.GET("/optional", jwtgin.Optional(auth), handler)

	require.Equal(t, http.StatusOK, serve(r, "/optional", "Authorization", "Bearer "+access).Code)
	require.True(t, found)
	n, _ := id.User.ID.Int()
	assert.Equal(t, int64(1), n)
	assert.Equal(t, "demo", id.User.Value)
	require.NoError(t, claimsErr)
	assert.Equal(t, tenantClaims{Tenant: "acme", Level: 3}, claims)

	require.Equal(t, http.StatusOK, serve(r, "/optional").Code)
	assert.False(t, found)
	assert.Nil(t, id)
	assert.ErrorIs(t, claimsErr, jwtkit.ErrNoCredentials)

	assert.Equal(t, http.StatusUnauthorized, serve(r, "/optional", "Authorization", "Bearer a.b.c").Code,
		"optional still rejects a bad token")
}

func TestIdentityKeyCannotCollide(t *testing.T) {
	auth := newAuth(t)
	access := issue(t, auth, nil)
	forged := &jwtkit.Identity{User: jwtkit.User{ID: jwtkit.IntUserID(666), Active: true}}
	setStrings := func(c *gin.Context) {
		// Every string spelling a handler might guess for the adapter's key.
		for _, k := range []string{"identityKey", "jwtgin.identityKey", "identity", "user",
			"github.com/jwtkit/jwtkit/adapters/gin.identityKey"} {
			c.Set(k, forged)
		}
	}
	var id *jwtkit.Identity
	var found bool
	r := gin.New()
	read := func(c *gin.Context) { id, found = jwtgin.Identity(c) }
	r.GET("/before", setStrings, jwtgin.Optional(auth), read)
	r.GET("/after", jwtgin.Middleware(auth), setStrings, read)

	serve(r, "/before")
	assert.False(t, found, "a string key set by a handler is not the identity")
	assert.Nil(t, id)

	serve(r, "/after", "Authorization", "Bearer "+access)
	require.True(t, found)
	n, _ := id.User.ID.Int()
	assert.Equal(t, int64(1), n, "a string key set by a handler does not replace the identity")
}

func TestHandlerCopiesRequestAndResponse(t *testing.T) {
	auth := newAuth(t)
	r := gin.New()
	jwtgin.Mount(r.Group("/auth"), auth)

	req := httptest.NewRequest(http.MethodPost, "/auth/token/verify/", nil)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, `{"token":["This field is required."]}`, w.Body.String())
	assert.Equal(t, []string{"application/json"}, w.Header().Values("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))

	for _, m := range []string{http.MethodHead, http.MethodConnect, http.MethodTrace} {
		req = httptest.NewRequest(m, "/auth/token/refresh/", nil)
		w = httptest.NewRecorder()
		r.ServeHTTP(w, req)
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code, m)
		assert.Equal(t, "POST, OPTIONS", w.Header().Get("Allow"), m)
	}
}
