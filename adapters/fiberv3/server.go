package jwtfiberv3

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Fasthttp reads a whole request body before any handler runs, closes a connection it refused a
// body on without reading the rest, quotes a header it cannot parse in its error, and ends
// Serve on an accept error it does not know to be a timeout. The two helpers below keep the
// contract's answers, the request's secrets and the server alive at those edges; neither takes
// part in authentication.

// ErrorHandler is a fiber.Config.ErrorHandler for the errors fasthttp raises before any handler
// runs; every other error goes to fiber.DefaultErrorHandler:
//
//   - a body over fiber.Config.BodyLimit gets the contract's JSON 413 (auth.TooLarge);
//
//   - a request fasthttp cannot parse gets a plain 400 "Bad Request". Fasthttp (v1.69, under
//     Fiber v3) quotes the offending header line in its error, an Authorization header's token
//     included, whatever Server().SecureErrorLogMessage says, and Fiber's default answer sends
//     that text as the body.
//
//     app := fiber.New(fiber.Config{BodyLimit: 64 << 10, ErrorHandler: jwtfiberv3.ErrorHandler(auth)})
//
// Set BodyLimit to the largest body a route of the app accepts (jwtkit.DefaultMaxBodyBytes
// when the token endpoints are the only ones): fasthttp allocates a buffer of the declared
// length as soon as the header arrives, so the limit bounds the memory every connection can
// claim. An application with an error handler of its own calls this one for those two errors.
func ErrorHandler(auth *jwtkit.Auth) fiber.ErrorHandler {
	tooLarge := auth.TooLarge()
	// fasthttp refuses the body before routing, so the endpoint is told by its path: a token
	// endpoint's answer names its methods (Allow), as every other answer of it does.
	atEndpoint := tooLarge
	atEndpoint.Header = tooLarge.Header.Clone()
	atEndpoint.Header.Set("Allow", "POST, OPTIONS")
	routes := auth.Routes()
	return func(c fiber.Ctx, err error) error {
		var fe *fiber.Error
		switch {
		case errors.As(err, &fe) && fe.Code == fiber.StatusRequestEntityTooLarge:
			for _, rt := range routes {
				if strings.HasSuffix(c.Path(), rt.Path) {
					return write(c, atEndpoint)
				}
			}
			return write(c, tooLarge)
		case errors.As(err, &fe) && fe.Code == fiber.StatusBadRequest && strings.HasPrefix(fe.Message, unparsed):
			return fiber.DefaultErrorHandler(c, fiber.ErrBadRequest)
		}
		return fiber.DefaultErrorHandler(c, err)
	}
}

// unparsed begins the text of every error fasthttp raises for a request it cannot read, which
// Fiber hands to the ErrorHandler as a 400 carrying that text alone.
const unparsed = "error when reading request "

// Listener wraps ln so that the server survives the two edges net/http's Server survives:
//
//   - When the process is out of file descriptors (EMFILE, ENFILE) or the kernel out of memory
//     for a socket, Accept logs the error, waits (5 ms, doubling up to 1 s) and tries again,
//     instead of handing the error to fasthttp, whose Serve returns on it and ends
//     app.Listener. Connections already open keep being served, and the server's timeouts shed
//     the slow ones until descriptors are free again.
//   - A connection closes as net/http closes one after an early answer (a 413 from the header
//     alone): the write side first, so the answer is delivered, then up to 256 KiB of what the
//     client still sends is read and dropped for at most half a second before the socket
//     closes. Closing a socket with unread bytes resets it, and a client still sending its body
//     would see "connection reset" instead of the answer.
//
// Serve the app with
//
//	err := app.Listener(jwtfiberv3.Listener(ln))
func Listener(ln net.Listener) net.Listener {
	return &retryListener{Listener: ln, closed: make(chan struct{})}
}

type retryListener struct {
	net.Listener
	closed    chan struct{}
	closeOnce sync.Once
}

// Backoff bounds between two accepts that failed for want of resources.
const (
	firstRetry = 5 * time.Millisecond
	lastRetry  = time.Second
)

func (l *retryListener) Accept() (net.Conn, error) {
	delay := firstRetry
	for {
		c, err := l.Listener.Accept()
		if err == nil {
			return &lingerConn{Conn: c}, nil
		}
		if !outOfResources(err) {
			return nil, err
		}
		slog.Warn("jwtfiberv3: accept failed, retrying", "err", err, "in", delay)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-l.closed: // Close during the wait: the next Accept returns the listener's own error
			t.Stop()
		}
		delay = min(2*delay, lastRetry)
	}
}

func (l *retryListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// What a lingering close reads at most, as net/http's Server after an unread body.
const (
	lingerBytes = 256 << 10
	lingerTime  = 500 * time.Millisecond
)

// lingerConn is an accepted connection whose Close lingers (Listener).
type lingerConn struct {
	net.Conn
	once sync.Once
	err  error
}

func (c *lingerConn) Close() error {
	c.once.Do(func() {
		cw, ok := c.Conn.(interface{ CloseWrite() error })
		if !ok || cw.CloseWrite() != nil || c.Conn.SetReadDeadline(time.Now().Add(lingerTime)) != nil {
			c.err = c.Conn.Close()
			return
		}
		go func() {
			_, _ = io.CopyN(io.Discard, c.Conn, lingerBytes)
			_ = c.Conn.Close()
		}()
	})
	return c.err
}

// outOfResources reports an accept error that passes once other connections close.
func outOfResources(err error) bool {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}
