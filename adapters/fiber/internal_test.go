package jwtfiber

import (
	"io"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// TestValuesOutliveRequestBuffers: fiber's c.Get, c.Cookies, c.Query and c.Method return
// strings that point into fasthttp's request buffers, which the next request on the
// connection overwrites in place. Everything lookup and request hand to core must be a copy:
// here the buffers are rewritten in place after the values were taken, as fasthttp does when
// it reuses a RequestCtx, and the values must not change.
func TestValuesOutliveRequestBuffers(t *testing.T) {
	app := fiber.New()
	fctx := &fasthttp.RequestCtx{}
	fill := func(v string) {
		fctx.Request.Header.SetMethod(map[string]string{"AAAA": "POST", "BBBB": "COPY"}[v])
		fctx.Request.Header.Set("Authorization", "Bearer "+v)
		fctx.Request.Header.Set("Content-Type", "application/"+v)
		fctx.Request.Header.SetCookie("jwt", v)
		fctx.QueryArgs().Set("t", v)
	}
	fctx.Request.SetRequestURI("/x?t=AAAA")
	fctx.Request.SetBodyString(`{"token":"AAAA"}`)
	fill("AAAA")
	c := app.AcquireCtx(fctx)
	defer app.ReleaseCtx(c)

	header := lookup(c, jwtkit.FromHeader("Authorization"))
	cookie := lookup(c, jwtkit.FromCookie("jwt"))
	query := lookup(c, jwtkit.FromQuery("t"))
	req := request(c, "Authorization")
	require.Equal(t, "AAAA", c.Query("t"), "the test reads what it rewrites")
	unsafeQuery := c.Query("t") // fiber's own value, not copied: proves the rewrite below happens in place

	fill("BBBB")
	fctx.Request.SetBodyString(`{"token":"BBBB"}`)
	require.Equal(t, "BBBB", unsafeQuery, "fasthttp rewrote the query buffer in place")

	assert.Equal(t, "Bearer AAAA", header)
	assert.Equal(t, "AAAA", cookie)
	assert.Equal(t, "AAAA", query)
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "application/AAAA", req.ContentType)
	assert.Equal(t, "Bearer AAAA", req.Authorization)
	body, err := io.ReadAll(req.Body) // core reads the body during Serve, before the handler returns
	require.NoError(t, err)
	assert.Equal(t, `{"token":"BBBB"}`, string(body), "the body is read through, not kept")

	assert.Empty(t, lookup(c, jwtkit.FromHeader("X-None")))
	assert.Empty(t, lookup(c, jwtkit.FromCookie("none")))
	assert.Empty(t, lookup(c, jwtkit.FromQuery("none")))
}
