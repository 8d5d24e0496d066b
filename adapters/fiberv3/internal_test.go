package jwtfiberv3

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// TestValuesOutliveRequestBuffers: fiber's c.Get, c.Cookies, c.Query and c.Method return
// strings that point into fasthttp's request buffers, which the next request on the
// connection overwrites in place. Everything request hands to core's endpoints must be a copy,
// since core may keep it: here the buffers are rewritten in place after the values were taken,
// as fasthttp does when it reuses a RequestCtx, and the values must not change. (The
// middleware's lookup hands out views: core reads them during the check only, which
// TestMiddlewareIdentityOutlivesRequestBuffers and core's
// TestAuthenticateFromKeepsNoBorrowedBytes check.)
func TestValuesOutliveRequestBuffers(t *testing.T) {
	app := fiber.New()
	fctx := &fasthttp.RequestCtx{}
	fill := func(v string) {
		fctx.Request.Header.SetMethod(map[string]string{"AAAA": "POST", "BBBB": "COPY"}[v])
		fctx.Request.Header.Set("Authorization", "Bearer "+v)
		fctx.Request.Header.Set("Content-Type", "application/"+v)
		fctx.Request.Header.Set("X-CSRF-Token", v)
		fctx.Request.Header.SetCookie("jwt", v)
		fctx.QueryArgs().Set("t", v)
	}
	fctx.Request.SetRequestURI("/x?t=AAAA")
	fctx.Request.SetBodyString(`{"token":"AAAA"}`)
	fill("AAAA")
	c := app.AcquireCtx(fctx)
	defer app.ReleaseCtx(c)

	req := request(c, "Authorization")
	csrfHeader, csrfCookie := req.Header("X-CSRF-Token"), req.Cookie("jwt")
	require.Equal(t, "AAAA", c.Query("t"), "the test reads what it rewrites")
	unsafeQuery := c.Query("t") // fiber's own value, not copied: proves the rewrite below happens in place

	fill("BBBB")
	fctx.Request.SetBodyString(`{"token":"BBBB"}`)
	require.Equal(t, "BBBB", unsafeQuery, "fasthttp rewrote the query buffer in place")

	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "application/AAAA", req.ContentType)
	assert.Equal(t, "Bearer AAAA", req.Authorization)
	assert.Equal(t, "AAAA", csrfHeader, "a header value core may keep is a copy")
	assert.Equal(t, "AAAA", csrfCookie, "a cookie value core may keep (the CSRF cookie) is a copy")
	assert.Equal(t, fctx.RemoteIP().String(), req.ClientAddr, "the connection's address, never a header's")
	body, err := io.ReadAll(req.Body) // core reads the body during Serve, before the handler returns
	require.NoError(t, err)
	assert.Equal(t, `{"token":"BBBB"}`, string(body), "the body is read through, not kept")

	assert.Empty(t, lookup(c, jwtkit.FromHeader("X-None")))
	assert.Empty(t, lookup(c, jwtkit.FromCookie("none")))
	assert.Empty(t, lookup(c, jwtkit.FromQuery("none")))
}

// TestWriteKeepsEveryValue: a header core sends several times (cookie mode's Set-Cookie lines,
// a multi-valued Vary) goes out with every value, in order, replacing what an earlier handler
// set under that name.
func TestWriteKeepsEveryValue(t *testing.T) {
	resp := jwtkit.Response{Status: http.StatusOK, Body: []byte(`{}`), Header: http.Header{
		"Content-Type": {"application/json"},
		"Set-Cookie":   {"a=1; Path=/; Secure", "b=2; Path=/api/token/; HttpOnly", "c=; Max-Age=0"},
		"Vary":         {"Cookie", "Authorization"},
	}}
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		c.Set("Vary", "Accept")
		c.Cookie(&fiber.Cookie{Name: "earlier", Value: "x"})
		return write(c, resp)
	})
	r, err := app.Test(httptest.NewRequest(http.MethodGet, "/", nil), fiber.TestConfig{})
	require.NoError(t, err)
	defer func() { _ = r.Body.Close() }()
	assert.Equal(t, []string{"a=1; Path=/; Secure", "b=2; Path=/api/token/; HttpOnly", "c=; Max-Age=0"}, r.Header.Values("Set-Cookie"))
	assert.Equal(t, []string{"Cookie", "Authorization"}, r.Header.Values("Vary"))
	assert.Equal(t, []string{"application/json"}, r.Header.Values("Content-Type"))
}
