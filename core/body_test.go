package jwtkit_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// blockingBody stands for a client that declared a body and sends nothing: every Read fails
// the test, since Serve must answer before it reads.
type blockingBody struct{ t *testing.T }

func (b blockingBody) Read([]byte) (int, error) {
	b.t.Error("Serve read a body whose declared length is over the limit")
	return 0, io.ErrUnexpectedEOF
}

func TestDeclaredBodyOverTheLimitIsRefusedUnread(t *testing.T) {
	e := newEnv(t)
	for _, ep := range []jwtkit.Endpoint{jwtkit.EndpointObtain, jwtkit.EndpointRefresh, jwtkit.EndpointVerify, jwtkit.EndpointBlacklist} {
		for _, n := range []int64{jwtkit.DefaultMaxBodyBytes + 1, 4_000_000} {
			r := e.auth.Serve(context.Background(), ep, jwtkit.Request{Method: "POST", ContentType: "application/json",
				Body: blockingBody{t}, ContentLength: n})
			assertResponse(t, r, 413, `{"detail":"Request body is too large."}`)
			assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
			assert.Equal(t, "close", r.Header.Get("Connection"), "the unread body stays on the connection")
		}
	}
	// TooLarge is the same answer, for a server that refuses the body before a handler runs,
	// but for the Allow header that only a token endpoint's answer carries.
	r := e.auth.Serve(context.Background(), jwtkit.EndpointVerify, jwtkit.Request{Method: "POST", ContentLength: 1 << 30})
	assert.Equal(t, "POST, OPTIONS", r.Header.Get("Allow"))
	r.Header.Del("Allow")
	assert.Equal(t, r, e.auth.TooLarge())
}

func TestDeclaredLengthWithinTheLimitStillReadsUnderIt(t *testing.T) {
	e := newEnv(t)
	body := `{"token":"a.b.c"}`
	for _, n := range []int64{-1, 0, int64(len(body)), jwtkit.DefaultMaxBodyBytes} {
		r := e.auth.Serve(context.Background(), jwtkit.EndpointVerify, jwtkit.Request{Method: "POST",
			ContentType: "application/json", Body: strings.NewReader(body), ContentLength: n})
		assertResponse(t, r, 401, bodyInvalid)
	}
	// A declared length that understates the body does not lift the limit.
	big := `{"token":"` + strings.Repeat("a", jwtkit.DefaultMaxBodyBytes) + `"}`
	r := e.auth.Serve(context.Background(), jwtkit.EndpointVerify, jwtkit.Request{Method: "POST",
		ContentType: "application/json", Body: strings.NewReader(big), ContentLength: 10})
	assertResponse(t, r, 413, `{"detail":"Request body is too large."}`)
}

// TestEndpointHandlerAnswersADeclaredBodyAtOnce serves EndpointHandler on a real net/http server
// and sends only the headers of a body over the limit: the 413 must arrive without the body,
// for a length net/http would otherwise try to drain (under 256 KiB) and one it would not.
func TestEndpointHandlerAnswersADeclaredBodyAtOnce(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: e.auth.EndpointHandler(jwtkit.EndpointObtain), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	for _, n := range []int{jwtkit.DefaultMaxBodyBytes + 1, 4_000_000} {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		_, err = io.WriteString(c, "POST /api/token/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
			"Content-Length: "+strconv.Itoa(n)+"\r\n\r\n")
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err, "declared %d: no answer before the body", n)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, 413, resp.StatusCode)
		assert.Equal(t, `{"detail":"Request body is too large."}`, string(b))
		assert.True(t, resp.Close, "the server closes the connection after the answer")
		_ = c.Close()
	}

	// A client that sends the body it declared gets the same answer, not a reset: the server
	// reads what it sent before closing.
	client := &http.Client{Timeout: 5 * time.Second}
	for range 10 {
		resp, err := client.Post("http://"+ln.Addr().String()+"/api/token/", "application/json",
			strings.NewReader(`{"username":"`+strings.Repeat("x", 100<<10)+`"}`))
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, 413, resp.StatusCode)
		assert.Equal(t, `{"detail":"Request body is too large."}`, string(b))
	}
}
