// Package servertest runs an example server the way a person does, as a process of its own
// configured by JWTKIT_* variables, and walks the wire contract against it over HTTP with
// adaptertest.Walk. Each example's test is one call:
//
//	func TestServer(t *testing.T) { servertest.Run(t, "gin") }
package servertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Key is the HS256 secret the tests give JWTKIT_SIGNING_KEY.
const Key = "examples-servertest-key-7f3a9c21d5e84b06a1c3"

// Limits on waiting for the server; generous, since a test machine may be busy building.
const (
	readyTimeout = 30 * time.Second
	exitTimeout  = 10 * time.Second
)

// Run builds the example in the current directory and runs it through every scenario: the
// contract on the default SQLite store (and its revocations across a restart), with rotation,
// on the memory store, with a random key, each feature beyond simplejwt switched on by its
// variable, with its store hung, with settings that cannot work, and against slow and hostile
// clients (runSlowClients).
func Run(t *testing.T, framework string) {
	bin := Build(t)
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(Key), "")
	require.NoError(t, err)
	ready := regexp.MustCompile(`^time=\S+ level=INFO msg=ready framework=` + framework +
		` addr=127\.0\.0\.1:\d+ store=(sqlite|memory)$`)

	t.Run("sqlite", func(t *testing.T) {
		env := sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key)
		s := Start(t, bin, env...)
		assert.Regexp(t, ready, s.ReadyLine)
		assert.Contains(t, s.ReadyLine, " store=sqlite")
		assert.Equal(t, s.ReadyLine+"\n", s.Stderr(), "the ready line is the only line at start")
		adaptertest.Walk(t, s.URL, adaptertest.WalkOptions{SigningKey: key})
		_, refresh := login(t, s.URL)
		status, body := post(t, s.URL+"/api/token/blacklist/", `{"refresh":"`+refresh+`"}`)
		require.Equal(t, http.StatusOK, status, body)
		s.Stop(t)

		// The SQLite file keeps what was revoked: the same token is refused after a restart.
		s = Start(t, bin, env...)
		status, body = post(t, s.URL+"/api/token/refresh/", `{"refresh":"`+refresh+`"}`)
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Equal(t, `{"detail":"Token is blacklisted","code":"token_not_valid"}`, body)
		s.Stop(t)
	})

	t.Run("rotation", func(t *testing.T) {
		s := Start(t, bin, sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key,
			"JWTKIT_ROTATE_REFRESH=true", "JWTKIT_BLACKLIST_AFTER_ROTATION=true")...)
		adaptertest.Walk(t, s.URL, adaptertest.WalkOptions{SigningKey: key, Rotation: true})
		s.Stop(t)
	})

	t.Run("memory", func(t *testing.T) {
		s := Start(t, bin, "JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=memory", "JWTKIT_SIGNING_KEY="+Key)
		assert.Regexp(t, ready, s.ReadyLine)
		assert.Contains(t, s.ReadyLine, " store=memory")
		adaptertest.Walk(t, s.URL, adaptertest.WalkOptions{SigningKey: key})
		s.Stop(t)
	})

	t.Run("random key", func(t *testing.T) {
		s := Start(t, bin, sqliteEnv(t)...)
		lines := strings.Split(strings.TrimSuffix(s.Stderr(), "\n"), "\n")
		require.Len(t, lines, 2, "a warning, then the ready line")
		assert.Regexp(t, `^time=\S+ level=WARN msg="JWTKIT_SIGNING_KEY is not set: `, lines[0])
		assert.Regexp(t, ready, lines[1])
		access, _ := login(t, s.URL)
		status, body := get(t, s.URL+"/api/me", access)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, `{"user_id":1,"username":"demo"}`, body)
		s.Stop(t)
	})

	t.Run("features beyond simplejwt", func(t *testing.T) { runFeatures(t, bin) })

	t.Run("cors", func(t *testing.T) { runCORS(t, bin, key) })

	t.Run("hung store", func(t *testing.T) { runHungStore(t, bin) })

	t.Run("settings that cannot work", func(t *testing.T) { runInvalid(t, bin) })

	t.Run("slow clients", func(t *testing.T) { runSlowClients(t, framework) })
}

// sqliteEnv is the environment of a server on port 0 with a SQLite file of the test's own.
func sqliteEnv(t *testing.T, more ...string) []string {
	return append([]string{"JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=sqlite",
		"JWTKIT_STORE_DSN=" + filepath.Join(t.TempDir(), "jwtkit.sqlite3")}, more...)
}

// runInvalid checks that each setting that cannot work stops the server at once with one
// error line naming the variable, never a panic, and exit status 2 (1 for a failure that is
// not the settings' fault).
func runInvalid(t *testing.T, bin string) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = busy.Close() }()
	cases := []struct {
		name string
		env  []string
		code int
		says string
	}{
		{"addr", []string{"JWTKIT_ADDR=8000"}, 2, "JWTKIT_ADDR"},
		{"addr in use", []string{"JWTKIT_ADDR=" + busy.Addr().String()}, 1, "cannot listen"},
		{"access ttl", []string{"JWTKIT_ACCESS_TTL=5"}, 2, "JWTKIT_ACCESS_TTL"},
		{"refresh ttl", []string{"JWTKIT_REFRESH_TTL=-1h"}, 2, "JWTKIT_REFRESH_TTL"},
		{"rotate", []string{"JWTKIT_ROTATE_REFRESH=yes"}, 2, "JWTKIT_ROTATE_REFRESH"},
		{"blacklist without rotation", []string{"JWTKIT_BLACKLIST_AFTER_ROTATION=true"}, 2, "JWTKIT_ROTATE_REFRESH=true"},
		{"weak key", []string{"JWTKIT_SIGNING_KEY=short-but-secret"}, 2, "JWTKIT_SIGNING_KEY"},
		{"store", []string{"JWTKIT_STORE=oracle"}, 2, "JWTKIT_STORE"},
		{"algorithm", []string{"JWTKIT_ALGORITHM=none"}, 2, `JWTKIT_ALGORITHM=\"none\"`},
		{"key file with an HS key", []string{"JWTKIT_PRIVATE_KEY_FILE=/etc/key.pem"}, 2, "JWTKIT_PRIVATE_KEY_FILE is for RS, PS, ES and EdDSA keys"},
		{"missing key file", []string{"JWTKIT_SIGNING_KEY=", "JWTKIT_ALGORITHM=ES256", "JWTKIT_PRIVATE_KEY_FILE=/nonexistent/key.pem"}, 2, "JWTKIT_PRIVATE_KEY_FILE"},
		{"reuse detection", []string{"JWTKIT_REUSE_DETECTION=maybe"}, 2, "JWTKIT_REUSE_DETECTION"},
		{"grace without reuse detection", []string{"JWTKIT_REUSE_GRACE=5s"}, 2, "JWTKIT_REUSE_GRACE=5s needs JWTKIT_REUSE_DETECTION=true"},
		{"cookie mode", []string{"JWTKIT_COOKIE_MODE=please"}, 2, "JWTKIT_COOKIE_MODE"},
		{"login rate", []string{"JWTKIT_LOGIN_RATE=5/day"}, 2, "JWTKIT_LOGIN_RATE"},
		{"unreachable database", []string{"JWTKIT_STORE=postgres",
			"JWTKIT_STORE_DSN=postgres://jwtkit:hunter2-secret@127.0.0.1:1/test?sslmode=disable&connect_timeout=5"}, 1, "postgres"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := append(sqliteEnv(t, "JWTKIT_SIGNING_KEY="+Key), c.env...)
			code, stdout, stderr := runToExit(t, bin, env...)
			assert.Equal(t, c.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Regexp(t, `^time=\S+ level=ERROR msg="cannot (start|listen)" `, stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %s", stderr)
			assert.Contains(t, stderr, c.says)
			assert.NotContains(t, stderr, "short-but-secret", "the key is never quoted")
			assert.NotContains(t, stderr, "hunter2-secret", "the DSN's password is never quoted")
			assert.NotContains(t, stderr, "panic")
		})
	}
}

// Build compiles the package in the current directory into t.TempDir() and returns the
// binary's path. It is a plain build (no -race): bcrypt at cost 10 takes over a second a
// comparison under the race detector, and the walk logs in a dozen times.
func Build(t *testing.T) string {
	t.Helper()
	return BuildDir(t, ".")
}

// BuildDir is Build for the package in dir, a path relative to the current directory.
func BuildDir(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds the server")
	bin := filepath.Join(t.TempDir(), "server")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build in %s: %s", dir, out)
	return bin
}

// Server is an example server running as a process.
type Server struct {
	// URL is where it listens, as its ready line says: http://127.0.0.1:port.
	URL string
	// ReadyLine is the line it printed on stderr when ready, without the newline.
	ReadyLine string

	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	exited chan struct{}
}

// Start runs bin with env (NAME=value) on top of this process's environment less its JWTKIT_*
// variables, and waits for the ready line. The process is killed at cleanup if still running.
func Start(t *testing.T, bin string, env ...string) *Server {
	t.Helper()
	return startCmd(t, command(bin, env))
}

// startCmd is Start for a command already built.
func startCmd(t *testing.T, cmd *exec.Cmd) *Server {
	t.Helper()
	s := &Server{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{ready: make(chan string, 1)},
		exited: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	require.NoError(t, s.cmd.Start())
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
	select {
	case s.ReadyLine = <-s.stderr.ready:
	case <-s.exited:
		t.Fatalf("the server exited before it was ready; stderr:\n%s", s.stderr.String())
	case <-time.After(readyTimeout):
		t.Fatalf("no ready line within %v; stderr:\n%s", readyTimeout, s.stderr.String())
	}
	m := regexp.MustCompile(` addr=(\S+)`).FindStringSubmatch(s.ReadyLine)
	require.NotNil(t, m, "the ready line names the address: %s", s.ReadyLine)
	s.URL = "http://" + m[1]
	return s
}

// Stderr is what the server has printed on stderr so far.
func (s *Server) Stderr() string { return s.stderr.String() }

// Stop sends SIGTERM and checks a clean exit: status 0 within exitTimeout, nothing on stdout,
// and nothing secret on stderr. It returns stderr.
func (s *Server) Stop(t *testing.T) string {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-s.exited:
	case <-time.After(exitTimeout):
		t.Fatalf("still running %v after SIGTERM; stderr:\n%s", exitTimeout, s.Stderr())
	}
	stderr := s.Stderr()
	assert.Equal(t, 0, s.cmd.ProcessState.ExitCode(), "a clean exit after SIGTERM; stderr:\n%s", stderr)
	assert.Empty(t, s.stdout.String(), "the server prints nothing on stdout")
	assert.Regexp(t, `level=INFO msg=stopped`, stderr)
	assertNoSecrets(t, stderr)
	return stderr
}

// assertNoSecrets checks that stderr holds no password, no token (every JWT with a JSON header
// starts with "eyJ", base64 of `{"`), no signing key and no Authorization header value.
func assertNoSecrets(t *testing.T, stderr string) {
	t.Helper()
	for _, secret := range []string{"demo-password", "eyJ", Key, "Bearer", "Basic ", "$2a$"} {
		assert.NotContains(t, stderr, secret)
	}
}

// runToExit runs bin until it exits by itself, as it does on settings that cannot work.
func runToExit(t *testing.T, bin string, env ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := command(bin, env)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			require.NoError(t, err)
		}
	case <-time.After(readyTimeout):
		_ = cmd.Process.Kill()
		err := <-done // the output is complete once Wait has returned
		t.Fatalf("still running after %v, then %v; stderr:\n%s", readyTimeout, err, errOut.String())
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

func command(bin string, env []string) *exec.Cmd {
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		// The developer's own settings would change what the server does.
		if !strings.HasPrefix(kv, "JWTKIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// lockedBuffer collects a stream of the process; a ready channel, when set, receives the first
// complete line containing " msg=ready ".
type lockedBuffer struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	ready    chan string
	notified bool
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := b.buf.Len()
	b.buf.Write(p)
	if b.ready == nil || b.notified {
		return len(p), nil
	}
	// Look at every line this write completed, including one a previous write began.
	text := b.buf.String()
	from := strings.LastIndexByte(text[:start], '\n') + 1
	for _, line := range strings.SplitAfter(text[from:], "\n") {
		if strings.HasSuffix(line, "\n") && strings.Contains(line, " msg=ready ") {
			b.ready <- strings.TrimSuffix(line, "\n")
			b.notified = true
			break
		}
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// login obtains a pair for demo / demo-password.
func login(t *testing.T, base string) (access, refresh string) {
	t.Helper()
	status, body := post(t, base+"/api/token/", `{"username":"demo","password":"demo-password"}`)
	require.Equal(t, http.StatusOK, status, body)
	var pair struct{ Access, Refresh string }
	require.NoError(t, json.Unmarshal([]byte(body), &pair))
	return pair.Access, pair.Refresh
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	return send(t, req, "")
}

func get(t *testing.T, url, bearer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	return send(t, req, bearer)
}

func send(t *testing.T, req *http.Request, bearer string) (int, string) {
	t.Helper()
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	// No keep-alive: an idle connection would hold up the server's graceful shutdown.
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b.String()
}
