package storetest

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

// Service skips the test when a real server the test needs is not reachable (err != nil), with
// a message naming the command that starts it; under CI=true it fails the test instead, so a
// CI run can never pass by skipping its stores.
func Service(tb testing.TB, name string, err error, startCommand string) {
	tb.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not reachable under CI=true: %v (start it with: %s)", name, err, startCommand)
	}
	tb.Skipf("%s is not reachable: %v; start it with: %s", name, err, startCommand)
}

// Proxy is a TCP proxy on a loopback port in front of a real server, so a test can cut the
// connection to a shared service, or make it hang, without touching the service itself, then
// restore it.
type Proxy struct {
	ln     net.Listener
	target string

	hung  atomic.Bool
	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
	held  map[net.Conn]struct{} // connections accepted while hung, never forwarded
	done  chan struct{}
}

// NewProxy listens on 127.0.0.1:0 and forwards every connection to target until the test ends.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy listen: %v", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, held: map[net.Conn]struct{}{},
		done: make(chan struct{})}
	go p.accept()
	tb.Cleanup(func() {
		_ = ln.Close()
		<-p.done
		p.Cut()
		p.Resume()
	})
	return p
}

// Addr is the proxy's host:port, to put in the DSN in place of the server's.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every open connection and refuses new ones until Restore, as a network partition
// or a stopped server would.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// Hang makes the proxy a server that stopped answering without closing anything, as a paused
// or overloaded server, or a link that drops every packet, does: open connections stay open and
// what they carry is read and dropped in both directions; new connections are accepted, read
// and never answered. Only a deadline ends a call waiting on it.
func (p *Proxy) Hang() { p.hung.Store(true) }

// Resume ends a hang. The connections that lived through it have lost bytes, so they are closed
// (their clients dial again); new connections are forwarded.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hung.Swap(false) {
		return
	}
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
	for c := range p.held {
		_ = c.Close()
	}
	clear(p.held)
}

func (p *Proxy) accept() {
	defer close(p.done)
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

func (p *Proxy) forward(client net.Conn) {
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		_ = client.Close()
		return
	}
	if p.hung.Load() {
		p.held[client] = struct{}{}
		p.mu.Unlock()
		_, _ = io.Copy(io.Discard, client) // until Resume or the client closes it
		_ = client.Close()
		return
	}
	p.mu.Unlock()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	p.mu.Lock()
	if p.cut { // cut while dialling
		p.mu.Unlock()
		_ = client.Close()
		_ = server.Close()
		return
	}
	p.conns[client] = struct{}{}
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if err != nil {
				break
			}
			if p.hung.Load() {
				continue // dropped: a hung server never answers, a black-holed link never delivers
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				break
			}
		}
		_ = dst.Close()
		_ = src.Close()
	}
	go pipe(server, client)
	go pipe(client, server)
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}
