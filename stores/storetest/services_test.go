package storetest

import (
	"bufio"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					_, _ = c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

func TestProxyCutAndRestore(t *testing.T) {
	p := NewProxy(t, echoServer(t))
	require.NoError(t, roundTrip(p.Addr()))

	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("x\n"))
	require.NoError(t, err)
	_, err = bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)

	p.Cut()
	assert.Error(t, roundTrip(p.Addr()), "new connections fail while cut")
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte("y\n"))
	_, err = bufio.NewReader(c).ReadString('\n')
	assert.Error(t, err, "open connections are closed by the cut")

	p.Restore()
	assert.NoError(t, roundTrip(p.Addr()))
}

// TestProxyHangAndResume: while hung, the proxy keeps every connection open and answers
// nothing, on open connections and new ones alike; Resume closes what lived through the hang
// and forwards again.
func TestProxyHangAndResume(t *testing.T) {
	p := NewProxy(t, echoServer(t))
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	line := func() error {
		_ = c.SetDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := c.Write([]byte("x\n")); err != nil {
			return err
		}
		_, err := r.ReadString('\n')
		return err
	}
	require.NoError(t, line())

	p.Hang()
	var nerr net.Error
	if err := line(); assert.ErrorAs(t, err, &nerr, "an open connection gets no answer") {
		assert.True(t, nerr.Timeout(), "only the deadline ends the wait: the connection stays open: %v", err)
	}
	fresh, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	require.NoError(t, err, "a hung server still accepts connections")
	defer fresh.Close()
	_ = fresh.SetDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = fresh.Write([]byte("y\n"))
	require.NoError(t, err)
	_, err = bufio.NewReader(fresh).ReadString('\n')
	if assert.ErrorAs(t, err, &nerr, "a new connection gets no answer") {
		assert.True(t, nerr.Timeout(), "%v", err)
	}

	p.Resume()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	_, err = r.ReadString('\n')
	if assert.Error(t, err, "a connection that lived through the hang is closed") {
		assert.False(t, errors.As(err, &nerr) && nerr.Timeout(), "closed, not timed out: %v", err)
	}
	assert.NoError(t, roundTrip(p.Addr()), "new connections are forwarded again")
}

func TestServiceSkipsOrFails(t *testing.T) {
	t.Setenv("CI", "")
	ran := false
	t.Run("skip", func(t *testing.T) {
		Service(t, "redis", assert.AnError, "redis-server --daemonize yes")
		ran = true
	})
	assert.False(t, ran, "the subtest was skipped before the line after Service")
	Service(t, "redis", nil, "unused")
}
