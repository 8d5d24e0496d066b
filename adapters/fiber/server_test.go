package jwtfiber_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtfiber "github.com/jwtkit/jwtkit/adapters/fiber"
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
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/health", func(c *fiber.Ctx) error { return c.SendString("ok") })
	return app
}

// TestListenerOutlivesDescriptorExhaustion: fasthttp ends Serve on the first EMFILE; behind
// Listener the same app keeps accepting and serves once descriptors are back.
func TestListenerOutlivesDescriptorExhaustion(t *testing.T) {
	emfile := os.NewSyscallError("accept4", syscall.EMFILE)

	bare := listenFailing(t, 1, emfile)
	err := healthApp().Listener(bare)
	require.Error(t, err, "fasthttp alone gives up on EMFILE (the failure Listener exists for)")
	assert.ErrorIs(t, err, syscall.EMFILE)

	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		t.Run(errno.Error(), func(t *testing.T) {
			ln := listenFailing(t, 5, os.NewSyscallError("accept4", errno))
			app := healthApp()
			served := make(chan error, 1)
			go func() { served <- app.Listener(jwtfiber.Listener(ln)) }()
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
	err := healthApp().Listener(jwtfiber.Listener(ln))
	assert.ErrorIs(t, err, syscall.EINVAL)
}

// TestListenerCloseEndsTheWait: a shutdown during the backoff ends Accept at once with the
// listener's own error, not after the wait.
func TestListenerCloseEndsTheWait(t *testing.T) {
	ln := listenFailing(t, 1<<30, os.NewSyscallError("accept4", syscall.EMFILE))
	wrapped := jwtfiber.Listener(ln)
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
// BodyLimit or a handler raised it; every other error keeps Fiber's default answer.
func TestErrorHandlerFor413(t *testing.T) {
	auth := newAuth(t, nil)
	app := fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 16, ErrorHandler: jwtfiber.ErrorHandler(auth)})
	app.Post("/raise", func(*fiber.Ctx) error { return fiber.ErrRequestEntityTooLarge })
	app.Post("/echo", func(c *fiber.Ctx) error { return c.Send(c.Body()) })
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
	assert.Equal(t, "Cannot GET /nowhere", body)
	assert.Equal(t, fiber.MIMETextPlainCharsetUTF8, resp.Header.Get("Content-Type"))
}

// TestListenerLetsTheClientReadTheEarly413: fasthttp refuses a body over BodyLimit from its
// header and closes the connection while the client may still be sending the body; closed with
// unread bytes, the socket resets, and the client sees "broken pipe" or "connection reset"
// instead of the answer. Behind Listener the close is a lingering one, as net/http's: the
// answer first, then a bounded read of what the client still sends.
func TestListenerLetsTheClientReadTheEarly413(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 64 << 10})
	app.Post("/echo", func(c *fiber.Ctx) error { return c.Send(c.Body()) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = app.Listener(jwtfiber.Listener(ln)) }()
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

// TestErrorHandlerHidesUnparsedHeaders: from v1.69 fasthttp quotes the header lines it cannot
// parse, Authorization included, in the error Fiber hands its ErrorHandler as a 400. This
// module's own fasthttp predates that, but an application's go.mod can raise it (a Fiber v3
// module beside it does), so the handler is given such an error directly: the answer must be
// a bare 400 without the token.
func TestErrorHandlerHidesUnparsedHeaders(t *testing.T) {
	auth := newAuth(t, nil)
	token := pair(t, auth, 1, nil).Access
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: jwtfiber.ErrorHandler(auth)})
	app.Get("/quoted", func(*fiber.Ctx) error {
		return fiber.NewError(fiber.StatusBadRequest, "error when reading request headers: invalid header value: \"Authorization: Bearer "+token+"\\x00\"")
	})
	app.Get("/own", func(*fiber.Ctx) error { return fiber.NewError(fiber.StatusBadRequest, "a handler's own message") })
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, "/quoted", nil))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "Bad Request", string(body))
	resp, err = app.Test(httptest.NewRequest(http.MethodGet, "/own", nil))
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	assert.Equal(t, "a handler's own message", string(body), "a handler's 400 keeps its text")
}
