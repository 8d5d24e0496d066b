package jwtechov5_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtechov5 "github.com/jwtkit/jwtkit/adapters/echov5"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

const notProvided = `{"detail":"Authentication credentials were not provided."}`

func newAuth(tb testing.TB) *jwtkit.Auth {
	tb.Helper()
	store, err := memstore.New()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = store.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("jwtechov5-tests-Hd3!pW8#tN5$cJ2&yF7*qG4^"), "")
	require.NoError(tb, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{}})
	require.NoError(tb, err)
	return auth
}

// me answers the suite's GET /api/me body for whatever identity the middleware stored.
func me(c *echo.Context) error {
	id, _ := jwtechov5.Identity(c)
	return c.Blob(http.StatusOK, "application/json", adaptertest.Me(id))
}

// Mount takes an *echo.Echo as well as a group.
var (
	_ jwtechov5.Registrar = (*echo.Echo)(nil)
	_ jwtechov5.Registrar = (*echo.Group)(nil)
)

// newApp is the conformance suite's app.
func newApp(auth *jwtkit.Auth, cfg jwtechov5.Config) *echo.Echo {
	e := echo.New()
	api := e.Group("/api")
	jwtechov5.Mount(api, auth)
	api.GET("/me", me, jwtechov5.Middleware(auth, cfg))
	api.POST("/me", me, jwtechov5.Middleware(auth, cfg))
	e.Any(jwtkit.JWKSPath, jwtechov5.JWKS(auth))
	api.GET("/optional", me, jwtechov5.Optional(auth, cfg))
	api.GET("/health", func(c *echo.Context) error {
		return c.Blob(http.StatusOK, "application/json", []byte(`{"status":"ok"}`))
	})
	return e
}

func start(t testing.TB, auth *jwtkit.Auth, opts adaptertest.Options) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: newApp(auth, jwtechov5.Config{Sources: opts.Sources}), ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes: opts.MaxHeaderBytes}
	go func() { _ = srv.Serve(ln) }()
	// Close, not Shutdown: every request of the test has been answered by now, and Shutdown
	// would wait 5s for a connection the client dialed but never used (net/http's StateNew rule).
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestConformance runs the suite behind an http.Server that caps request headers at 256 KiB.
func TestConformance(t *testing.T) {
	adaptertest.Run(t, start, adaptertest.Options{Server: adaptertest.NetHTTP, MaxHeaderBytes: 256 << 10})
}

// serve sends one in-process request; headers are name/value pairs.
func serve(e *echo.Echo, method, target string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func login(t testing.TB, auth *jwtkit.Auth, custom any) string {
	t.Helper()
	pair, err := auth.IssuePair(context.Background(), jwtkit.IntUserID(1), custom)
	require.NoError(t, err)
	return pair.Access
}

func TestSkip(t *testing.T) {
	auth := newAuth(t)
	e := echo.New()
	e.GET("/me", me, jwtechov5.Middleware(auth, jwtechov5.Config{
		Skip: func(c *echo.Context) bool { return c.Request().Header.Get("X-Internal") == "yes" },
	}))

	rec := serve(e, http.MethodGet, "/me", "X-Internal", "yes")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, `{"user_id":null}`, rec.Body.String(), "skipped: no identity")

	rec = serve(e, http.MethodGet, "/me")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, notProvided, rec.Body.String())
}

func TestErrorHandler(t *testing.T) {
	auth := newAuth(t)
	var got []error
	e := echo.New()
	e.GET("/me", me, jwtechov5.Middleware(auth, jwtechov5.Config{
		ErrorHandler: func(c *echo.Context, err error, resp jwtkit.Response) error {
			got = append(got, err)
			return c.JSON(http.StatusTeapot, map[string]any{"status": resp.Status, "problem": "auth"})
		},
	}))

	rec := serve(e, http.MethodGet, "/me")
	assert.Equal(t, http.StatusTeapot, rec.Code)
	assert.JSONEq(t, `{"status":401,"problem":"auth"}`, rec.Body.String())
	rec = serve(e, http.MethodGet, "/me", "Authorization", "Bearer not.a.token")
	assert.Equal(t, http.StatusTeapot, rec.Code)
	rec = serve(e, http.MethodGet, "/me", "Authorization", "Bearer "+login(t, auth, nil))
	assert.Equal(t, http.StatusOK, rec.Code, "a valid token never reaches the ErrorHandler")

	require.Len(t, got, 2)
	assert.ErrorIs(t, got[0], jwtkit.ErrNoCredentials)
	assert.ErrorIs(t, got[1], jwtkit.ErrTokenInvalid)
}

// TestErrorHandlerError: what the ErrorHandler returns goes to echo's HTTPErrorHandler.
func TestErrorHandlerError(t *testing.T) {
	auth := newAuth(t)
	e := echo.New()
	e.GET("/me", me, jwtechov5.Middleware(auth, jwtechov5.Config{
		ErrorHandler: func(*echo.Context, error, jwtkit.Response) error { return echo.ErrForbidden },
	}))
	rec := serve(e, http.MethodGet, "/me")
	assert.Equal(t, http.StatusForbidden, rec.Code)
}

func TestSources(t *testing.T) {
	auth := newAuth(t)
	access := login(t, auth, nil)
	e := echo.New()
	e.GET("/default", me, jwtechov5.Middleware(auth))
	e.GET("/optional", me, jwtechov5.Optional(auth))
	e.GET("/cookie", me, jwtechov5.Middleware(auth, jwtechov5.Config{Sources: []jwtkit.TokenSource{jwtkit.FromCookie("jwt")}}))
	e.GET("/query", me, jwtechov5.Middleware(auth, jwtechov5.Config{Sources: []jwtkit.TokenSource{jwtkit.FromQuery("access_token")}}))
	e.GET("/header", me, jwtechov5.Middleware(auth, jwtechov5.Config{Sources: []jwtkit.TokenSource{jwtkit.FromHeader("X-Token")}}))
	const demo = `{"user_id":1,"username":"demo"}`

	rec := serve(e, http.MethodGet, "/cookie", "Cookie", "jwt="+access)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, demo, rec.Body.String())
	rec = serve(e, http.MethodGet, "/query?access_token="+access)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, demo, rec.Body.String())
	rec = serve(e, http.MethodGet, "/header", "X-Token", "Bearer "+access)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, demo, rec.Body.String())
	rec = serve(e, http.MethodGet, "/cookie", "Authorization", "Bearer "+access)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "configured sources replace the default header")

	for _, rec := range []*httptest.ResponseRecorder{
		serve(e, http.MethodGet, "/default?access_token="+access+"&token="+access),
		serve(e, http.MethodGet, "/default", "Cookie", "jwt="+access+"; access_token="+access),
	} {
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "query and cookie are ignored by default")
		assert.Equal(t, notProvided, rec.Body.String())
	}
	rec = serve(e, http.MethodGet, "/optional?token="+access)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, `{"user_id":null}`, rec.Body.String(), "a query token is not read by default")
}

type tenantClaims struct {
	Tenant string   `json:"tenant"`
	Roles  []string `json:"roles"`
}

func TestIdentityAndClaims(t *testing.T) {
	auth := newAuth(t)
	type seen struct {
		ok     bool
		id     *jwtkit.Identity
		claims tenantClaims
		err    error
	}
	var last seen
	h := func(c *echo.Context) error {
		last = seen{}
		last.id, last.ok = jwtechov5.Identity(c)
		last.claims, last.err = jwtechov5.Claims[tenantClaims](c)
		return c.NoContent(http.StatusNoContent)
	}
	e := echo.New()
	e.GET("/optional", h, jwtechov5.Optional(auth))

	access := login(t, auth, tenantClaims{Tenant: "acme", Roles: []string{"admin", "billing"}})
	rec := serve(e, http.MethodGet, "/optional", "Authorization", "Bearer "+access)
	require.Equal(t, http.StatusNoContent, rec.Code)
	require.True(t, last.ok)
	assert.Equal(t, jwtkit.IntUserID(1), last.id.User.ID)
	assert.Equal(t, "demo", last.id.User.Value)
	require.NoError(t, last.err)
	assert.Equal(t, tenantClaims{Tenant: "acme", Roles: []string{"admin", "billing"}}, last.claims)

	rec = serve(e, http.MethodGet, "/optional")
	require.Equal(t, http.StatusNoContent, rec.Code)
	assert.False(t, last.ok)
	assert.Nil(t, last.id)
	assert.ErrorIs(t, last.err, jwtkit.ErrNoCredentials)
	assert.Zero(t, last.claims)
}

// TestIdentityKey: the keys an application or another middleware would plausibly use with
// c.Set neither forge an identity nor overwrite the real one.
func TestIdentityKey(t *testing.T) {
	auth := newAuth(t)
	forged := &jwtkit.Identity{User: jwtkit.User{ID: jwtkit.IntUserID(666), Active: true, Value: "mallory"}}
	keys := []string{"identity", "Identity", "user", "jwt", "claims", "jwtkit", "jwtecho", "jwtechov5", "jwtecho.identity",
		"jwtechov5.identity", "jwtkit.identity", "github.com/jwtkit/jwtkit/adapters/echo.identity",
		"github.com/jwtkit/jwtkit/adapters/echov5", "ctxKey", "identityKey"}
	setAll := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			for _, k := range keys {
				c.Set(k, forged)
			}
			return next(c)
		}
	}
	e := echo.New()
	e.GET("/optional", me, setAll, jwtechov5.Optional(auth))
	e.GET("/after", me, jwtechov5.Middleware(auth), setAll)

	rec := serve(e, http.MethodGet, "/optional")
	assert.Equal(t, `{"user_id":null}`, rec.Body.String(), "no identity from another key")
	rec = serve(e, http.MethodGet, "/after", "Authorization", "Bearer "+login(t, auth, nil))
	assert.Equal(t, `{"user_id":1,"username":"demo"}`, rec.Body.String(), "the real identity is not overwritten")
}

// TestMountEveryMethod: echo v5's Any matches every method, those echo does not know included,
// so each gets the endpoint's own 405, never echo's 405 or a group catch-all's 404, and longer or
// shorter paths than an endpoint's stay echo's 404.
func TestMountEveryMethod(t *testing.T) {
	auth := newAuth(t)
	var groupMW int
	count := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error { groupMW++; return next(c) }
	}
	for _, withMW := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain group", true: "group with middleware"}[withMW], func(t *testing.T) {
			e := echo.New()
			g := e.Group("/auth/v1")
			if withMW {
				g.Use(count)
			}
			jwtechov5.Mount(g, auth)
			g.GET("/token/custom", func(c *echo.Context) error { return c.String(http.StatusOK, "custom") })

			for _, m := range []string{"GET", "HEAD", "PUT", "QUERY", "PROPFIND", "REPORT", "LOCK", "MKCOL", "BREW"} {
				rec := serve(e, m, "/auth/v1/token/refresh/")
				assert.Equal(t, http.StatusMethodNotAllowed, rec.Code, m)
				assert.Equal(t, "POST, OPTIONS", rec.Header().Get("Allow"), m)
				assert.Equal(t, []string{"application/json"}, rec.Header().Values("Content-Type"), m)
				assert.Equal(t, `{"detail":"Method \"`+m+`\" not allowed."}`, rec.Body.String(), m)
			}
			rec := serve(e, http.MethodOptions, "/auth/v1/token/")
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "POST, OPTIONS", rec.Header().Get("Allow"))

			req := httptest.NewRequest(http.MethodPost, "/auth/v1/token/", strings.NewReader(`{"username":"demo","password":"demo-password"}`))
			req.Header.Set("Content-Type", "application/json")
			rec = httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, []string{"application/json"}, rec.Header().Values("Content-Type"))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))

			for _, m := range []string{"POST", "LOCK"} {
				for _, p := range []string{"/auth/v1/token/nope/", "/auth/v1/token/refresh/x", "/auth/v1/token/refresh",
					"/auth/v1/token", "/auth/v1/Token/", "/auth/v1/token//", "/AUTH/v1/token/"} {
					rec := serve(e, m, p)
					assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", m, p)
					assert.NotContains(t, rec.Body.String(), "detail", "%s %s", m, p)
				}
			}
			assert.Equal(t, "custom", serve(e, http.MethodGet, "/auth/v1/token/custom").Body.String())
		})
	}
	assert.Equal(t, 24, groupMW, "the group's middleware runs for every request below the group's prefix")
}

// TestErrorResponseNotShared: writing an error answer copies its header slices, so a handler
// that edits the response headers cannot change the shared core response.
func TestErrorResponseNotShared(t *testing.T) {
	auth := newAuth(t)
	e := echo.New()
	tamper := true
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			err := next(c)
			if v := c.Response().Header().Values("WWW-Authenticate"); tamper && len(v) > 0 {
				v[0] = "tampered"
			}
			return err
		}
	})
	e.GET("/me", me, jwtechov5.Middleware(auth))
	assert.Equal(t, "tampered", serve(e, http.MethodGet, "/me").Header().Get("WWW-Authenticate"))
	tamper = false
	assert.Equal(t, `Bearer realm="api"`, auth.ErrorResponse(jwtkit.ErrNoCredentials).Header.Get("WWW-Authenticate"))
	assert.Equal(t, `Bearer realm="api"`, serve(e, http.MethodGet, "/me").Header().Get("WWW-Authenticate"))
}
