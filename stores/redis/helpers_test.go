package redisstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	"github.com/jwtkit/jwtkit/stores/storetest"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// startCommand starts the shared server the tests expect, named when it is missing.
const startCommand = `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`

// testPrefix keeps this test run's keys apart from everything else on the shared server;
// TestMain deletes them all when the run ends.
var testPrefix = "jwtkit-test-" + rand.Text() + ":"

func redisURL() string {
	if u := os.Getenv("JWTKIT_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// reachable pings the shared server once per run.
var reachable = sync.OnceValue(func() error {
	c, err := rawClient()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
})

func needRedis(tb testing.TB) {
	tb.Helper()
	storetest.Service(tb, "Redis at "+redisURL()+" (JWTKIT_TEST_REDIS_URL)", reachable(), startCommand)
}

// rawClient is a go-redis client on the shared server, for looking at what the store wrote.
func rawClient() (*redis.Client, error) {
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		return nil, err
	}
	opt.ContextTimeoutEnabled = true
	return redis.NewClient(opt), nil
}

func newRawClient(tb testing.TB) *redis.Client {
	tb.Helper()
	c, err := rawClient()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the outage tests cause hundreds on purpose.
	redis.SetLogger(quietLogger{})
	code := m.Run()
	if reachable() == nil {
		if err := deleteKeys(testPrefix); err != nil {
			fmt.Fprintln(os.Stderr, "deleting this run's keys:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// deleteKeys removes every key under prefix with SCAN MATCH, which the prefix allows: it is made
// of letters, digits, '-' and ':' only, none of them glob characters.
func deleteKeys(prefix string) error {
	c, err := rawClient()
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := c.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return c.Unlink(ctx, batch...).Err()
	}
	return nil
}

// newAuth is core on store with rotation and blacklist-after-rotation, as the outage and
// rotation tests need it.
func newAuth(tb testing.TB, store jwtkit.Store) *jwtkit.Auth {
	tb.Helper()
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("redisstore-test-secret-0123456789-abcdefg"), "")
	require.NoError(tb, err)
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Stateless: true,
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	require.NoError(tb, err)
	return auth
}

// server is a private redis-server process on a free loopback port, which a test may kill and
// start again on the same port.
type server struct {
	port int
	args []string
	cmd  *exec.Cmd
}

// startServer starts redis-server with args added to a private port, no RDB snapshots and a
// directory of its own; it is killed when the test ends.
func startServer(tb testing.TB, args ...string) *server {
	tb.Helper()
	s := newServer(tb, args...)
	s.start(tb)
	return s
}

// newServer is startServer without the start: its port stays closed until start.
func newServer(tb testing.TB, args ...string) *server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	storetest.Service(tb, "the redis-server binary", err, "apt-get install redis-server")
	s := &server{port: freePort(tb)}
	s.args = append([]string{bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "",
		"--dir", tb.TempDir(), "--daemonize", "no", "--loglevel", "warning"}, args...)
	tb.Cleanup(s.kill)
	return s
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *server) url() string { return "redis://" + s.addr() + "/0" }

func (s *server) start(tb testing.TB) {
	tb.Helper()
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	require.NoError(tb, s.cmd.Start())
	c := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redis-server on %s did not answer: %v", s.addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server with SIGKILL, as a crash would: no shutdown, no final save.
func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// pause stops the server with SIGSTOP: its connections stay open and the kernel still accepts
// new ones, but nothing answers, as with a frozen or overloaded server. cont ends the pause.
func (s *server) pause(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, s.cmd.Process.Signal(syscall.SIGSTOP))
}

func (s *server) cont(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, s.cmd.Process.Signal(syscall.SIGCONT))
}

// freePort returns a loopback port nobody listens on, whose cluster bus port (+10000) is free
// too.
func freePort(tb testing.TB) int {
	tb.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(tb, err)
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		_ = bus.Close()
		return port
	}
	tb.Fatal("no free port pair found")
	return 0
}
