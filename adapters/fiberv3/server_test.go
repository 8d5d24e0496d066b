package jwtfiberv3_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtfiberv3 "github.com/jwtkit/jwtkit/adapters/fiberv3"
)

// failingListener is a loopback listener whose first Accepts fail with err, as accept4 does
// when the process is out of descriptors, before it accepts for real.
type failingListener struct {
	net.Listener
	failures atomic.Int32
	err      error
	closed   atomic.Bool
}

func (l *failingListener) Close() error {
	l.closed.Store(true)
	return l.Listener.Close()
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.closed.Load() {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: l.err}
	}
	return l.Listener.Accept()
}

func listenFailing(t *testing.T, failures int32, err error) *failingListener {
	ln, lerr := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, lerr)
	t.Cleanup(func() { _ = ln.Close() })
	l := &failingListener{Listener: ln, err: err}
	l.failures.Store(failures)
	return l
}

func healthApp() *fiber.App {
	app := fiber.New(fiber.Config{})
	app.Get("/health", func(c fiber.Ctx) error { return c.SendString("ok") })
	return app
}

// TestListenerOutlivesDescriptorExhaustion: fasthttp ends Serve on the first EMFILE; behind
// Listener the same app keeps accepting and serves once descriptors are back.
func TestListenerOutlivesDescriptorExhaustion(t *testing.T) {
	emfile := os.NewSyscallError("accept4", syscall.EMFILE)

	bare := listenFailing(t, 1, emfile)
	err := healthApp().Listener(bare, quiet)
	require.Error(t, err, "fasthttp alone gives up on EMFILE (the failure Listener exists for)")
	assert.ErrorIs(t, err, syscall.EMFILE)

	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		t.Run(errno.Error(), func(t *testing.T) {
			ln := listenFailing(t, 5, os.NewSyscallError("accept4", errno))
			app := healthApp()
			served := make(chan error, 1)
			go func() { served <- app.Listener(jwtfiberv3.Listener(ln), quiet) }()
			client := &http.Client{Timeout: 5 * time.Second}
			resp, err := client.Get("http://" + ln.Addr().String() + "/health")
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, "ok", string(b))
			assert.Negative(t, ln.failures.Load(), "every failure was retried")
			client.CloseIdleConnections()
			require.NoError(t, app.ShutdownWithTimeout(2*time.Second))
			assert.NoError(t, <-served)
		})
	}
}

// TestListenerPassesOtherErrors: an error that waiting does not cure still ends Serve.
func TestListenerPassesOtherErrors(t *testing.T) {
	ln := listenFailing(t, 1, os.NewSyscallError("accept4", syscall.EINVAL))
	err := healthApp().Listener(jwtfiberv3.Listener(ln), quiet)
	assert.ErrorIs(t, err, syscall.EINVAL)
}

// TestListenerCloseEndsTheWait: a shutdown during the backoff ends Accept at once with the
// listener's own error, not after the wait.
func TestListenerCloseEndsTheWait(t *testing.T) {
	ln := listenFailing(t, 1<<30, os.NewSyscallError("accept4", syscall.EMFILE))
	wrapped := jwtfiberv3.Listener(ln)
	accepted := make(chan error, 1)
	go func() {
		_, err := wrapped.Accept()
		accepted <- err
	}()
	time.Sleep(1500 * time.Millisecond) // the backoff has grown to its 1 s ceiling
	closed := time.Now()
	require.NoError(t, wrapped.Close())
	select {
	case err := <-accepted:
		assert.ErrorIs(t, err, net.ErrClosed)
		assert.Less(t, time.Since(closed), 300*time.Millisecond)
	case <-time.After(3 * time.Second):
		t.Fatal("Accept still waiting after Close")
	}
}

// TestErrorHandlerFor413: the 413 is the contract's, whether fasthttp refused the body over
// BodyLimit or a handler raised it; every other error keeps Fiber's default answer, a 400 of
// the handler's own included.
func TestErrorHandlerFor413(t *testing.T) {
	auth := newAuth(t, nil)
	app := fiber.New(fiber.Config{BodyLimit: 16, ErrorHandler: jwtfiberv3.ErrorHandler(auth)})
	app.Post("/raise", func(fiber.Ctx) error { return fiber.ErrRequestEntityTooLarge })
	app.Post("/echo", func(c fiber.Ctx) error { return c.Send(c.Body()) })
	app.Get("/bad", func(fiber.Ctx) error {
		return fiber.NewError(fiber.StatusBadRequest, "error when reading request: mine")
	})
	base := serve(t, app)
	client := &http.Client{Timeout: 5 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	call := func(method, path, body string) (*http.Response, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return resp, string(b)
	}

	for _, path := range []string{"/echo", "/raise"} {
		resp, body := call(http.MethodPost, path, strings.Repeat("x", 17))
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, path)
		assert.Equal(t, `{"detail":"Request body is too large."}`, body, path)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), path)
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), path)
	}
	resp, body := call(http.MethodPost, "/echo", "small")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "small", body)

	resp, body = call(http.MethodGet, "/nowhere", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "Not Found", body)
	assert.Equal(t, fiber.MIMETextPlainCharsetUTF8, resp.Header.Get("Content-Type"))

	resp, body = call(http.MethodGet, "/bad", "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "error when reading request: mine", body, "a handler's 400 keeps its text")
}

// TestErrorHandlerHidesUnparsedHeaders: fasthttp refuses a header value holding a control byte
// and quotes the whole line in its error, SecureErrorLogMessage or not, and Fiber's default
// error handler sends that text as the body: the token comes back in the answer. Behind
// ErrorHandler the answer is a bare 400.
func TestErrorHandlerHidesUnparsedHeaders(t *testing.T) {
	auth := newAuth(t, nil)
	token := pair(t, auth, 1, nil).Access
	raw := func(base string, authz string) (int, string) {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
		_, err = io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: "+authz+"\r\nConnection: close\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	bare := healthApp()
	bare.Server().SecureErrorLogMessage = true
	bareBase := serve(t, bare)
	for _, authz := range []string{"Bearer\v" + token, "Bearer " + token + "\x00", "Bearer " + token + "\x7f"} {
		status, body := raw(bareBase, authz)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, token, "Fiber alone echoes the token (the failure ErrorHandler exists for)")
	}

	app := fiber.New(fiber.Config{ErrorHandler: jwtfiberv3.ErrorHandler(auth)})
	app.Get("/health", func(c fiber.Ctx) error { return c.SendString("ok") })
	base := serve(t, app)
	for _, authz := range []string{"Bearer\v" + token, "Bearer " + token + "\x00", "Bearer " + token + "\x7f", "Bearer\r" + token} {
		status, body := raw(base, authz)
		assert.Equal(t, http.StatusBadRequest, status, "%q", authz)
		assert.Equal(t, "Bad Request", body, "%q", authz)
	}
	status, body := raw(base, "Bearer "+token)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", body)
}

// TestListenerLetsTheClientReadTheEarly413: fasthttp refuses a body over BodyLimit from its
// header and closes the connection while the client may still be sending the body; closed with
// unread bytes, the socket resets, and the client sees "broken pipe" or "connection reset"
// instead of the answer. Behind Listener the close is a lingering one, as net/http's: the
// answer first, then a bounded read of what the client still sends.
func TestListenerLetsTheClientReadTheEarly413(t *testing.T) {
	app := fiber.New(fiber.Config{BodyLimit: 64 << 10})
	app.Post("/echo", func(c fiber.Ctx) error { return c.Send(c.Body()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = app.Listener(jwtfiberv3.Listener(ln), quiet) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(2 * time.Second); <-done })

	body := strings.Repeat("x", 200<<10) // over BodyLimit, under what the close reads
	for i := range 40 {
		resp, err := http.Post("http://"+ln.Addr().String()+"/echo", "text/plain", strings.NewReader(body))
		require.NoError(t, err, "request %d: the client must read the answer, not a reset", i)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "request %d", i)
	}
}
