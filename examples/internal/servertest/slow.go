package servertest

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example's timeouts as the slow-client tests build it: the values in its main.go are
// seconds to a minute, which would make every case below wait that long. The settings stay
// the example's own code: only the values are swapped, at build time (go build -overlay).
const (
	shortHeader = 1 * time.Second // ReadHeaderTimeout (net/http only)
	shortRead   = 2 * time.Second // ReadTimeout
	shortWrite  = 3 * time.Second // WriteTimeout: a login's bcrypt takes well under a second
	shortIdle   = 2 * time.Second // IdleTimeout
	// slack is how long past a timeout a server may take to close, on a busy machine.
	slack = 1500 * time.Millisecond
)

// shortValues maps each timeout field of main.go to the expression the tests build it with.
var shortValues = map[string]string{
	"ReadHeaderTimeout": "1 * time.Second",
	"ReadTimeout":       "2 * time.Second",
	"WriteTimeout":      "3 * time.Second",
	"IdleTimeout":       "2 * time.Second",
}

// timeoutField is one `Field: value,` line of a server's settings.
var timeoutField = regexp.MustCompile(`(?m)^(\s*(ReadHeaderTimeout|ReadTimeout|WriteTimeout|IdleTimeout):\s*)[^,\n]+,`)

// buildShort builds the example in the current directory with its timeouts shortened, after
// checking that main.go sets every limit the contract requires of the framework's server: the
// four net/http timeouts and MaxHeaderBytes, or Fiber's three timeouts, ReadBufferSize (its
// header limit), BodyLimit and the ErrorHandler that makes its 413 the contract's.
func buildShort(t *testing.T, fiber bool) string {
	t.Helper()
	main, err := filepath.Abs("main.go")
	require.NoError(t, err)
	src, err := os.ReadFile(main)
	require.NoError(t, err)
	want := []string{"ReadHeaderTimeout", "ReadTimeout", "WriteTimeout", "IdleTimeout"}
	others := []string{`MaxHeaderBytes:\s+\S`}
	if fiber {
		want = want[1:]
		others = []string{`ReadBufferSize:\s+\S`, `BodyLimit:\s+\S`, `ErrorHandler:\s+jwtfiber(v3)?\.ErrorHandler\(`}
	}
	seen := map[string]int{}
	short := timeoutField.ReplaceAllStringFunc(string(src), func(m string) string {
		sub := timeoutField.FindStringSubmatch(m)
		seen[sub[2]]++
		return sub[1] + shortValues[sub[2]] + ","
	})
	for _, f := range want {
		require.Equal(t, 1, seen[f], "main.go sets %s once, as `%s: <value>,` on a line of its own", f, f)
	}
	require.Len(t, seen, len(want), "main.go sets only the timeouts its server has")
	for _, re := range others {
		require.Regexp(t, re, string(src), "main.go sets it")
	}

	dir := t.TempDir()
	shortMain := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(shortMain, []byte(short), 0o600))
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {main: shortMain}})
	require.NoError(t, err)
	overlayFile := filepath.Join(dir, "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, overlay, 0o600))
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command builds the server")
	bin := filepath.Join(dir, "server")
	out, err := exec.Command(goTool, "build", "-overlay", overlayFile, "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// runSlowClients runs the example, built with short timeouts, against the clients a server
// exposed to the internet meets: one that declares a large body and sends none, one that sends
// its header or its body a byte at a time, and more of them than the process has descriptors.
func runSlowClients(t *testing.T, framework string) {
	fiber := strings.HasPrefix(framework, "fiber") // fiber (v2) and fiberv3: both on fasthttp
	bin := buildShort(t, fiber)
	// Fasthttp has no header timeout: ReadTimeout bounds the header too.
	headerLimit := shortHeader
	if fiber {
		headerLimit = shortRead
	}
	env := []string{"JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=memory", "JWTKIT_SIGNING_KEY=" + Key}

	t.Run("declared bodies", func(t *testing.T) {
		s := Start(t, bin, env...)
		floodDeclared(t, s, 100)
		s.Stop(t)
	})

	t.Run("header sent slowly", func(t *testing.T) {
		s := Start(t, bin, env...)
		held := holdSlowly(t, s.URL, "", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "+strings.Repeat("a", 200))
		assert.Less(t, held, headerLimit+slack, "the connection is closed by the header deadline (%v)", headerLimit)
		s.Stop(t)
	})

	t.Run("body sent slowly", func(t *testing.T) {
		s := Start(t, bin, env...)
		head := "POST /api/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
		held := holdSlowly(t, s.URL, head, `{"username":"demo","password":"`+strings.Repeat("a", 200))
		assert.Less(t, held, shortRead+slack, "the connection is closed by ReadTimeout (%v)", shortRead)
		s.Stop(t)
	})

	t.Run("out of descriptors", func(t *testing.T) { runOutOfDescriptors(t, bin, env) })
}

// floodDeclared opens n connections that each declare a 4 MB body and send only the header:
// every one gets the contract's 413 from the header alone, and the server's memory does not
// grow with the declared sizes (fasthttp with its default BodyLimit allocates each one: 100
// such connections once took the Fiber example from 13 to 416 MiB).
func floodDeclared(t *testing.T, s *Server, n int) {
	before := rss(t, s.cmd.Process.Pid)
	addr := strings.TrimPrefix(s.URL, "http://")
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range n {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
		_, err = io.WriteString(c, "POST /api/token/ HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 4000000\r\n\r\n")
		require.NoError(t, err)
	}
	deadline := time.Now().Add(5 * time.Second) // all n at once; one alone answers in microseconds
	for i, c := range conns {
		require.NoError(t, c.SetReadDeadline(deadline))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err, "connection %d: no answer from the header alone", i)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "connection %d: %s", i, b)
		require.Equal(t, `{"detail":"Request body is too large."}`, string(b))
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	}
	grown := rss(t, s.cmd.Process.Pid) - before
	t.Logf("resident memory grew by %d KiB under %d connections declaring 4 MB", grown>>10, n)
	assert.Less(t, grown, int64(64<<20), "resident memory stays far below the declared %d MB", 4*n)
}

// rss is the resident memory of process pid, in bytes.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	require.NoError(t, err, "the memory bound is read from Linux's /proc")
	m := regexp.MustCompile(`(?m)^VmRSS:\s+(\d+) kB$`).FindSubmatch(b)
	require.NotNil(t, m, "VmRSS in /proc/%d/status", pid)
	kb, err := strconv.ParseInt(string(m[1]), 10, 64)
	require.NoError(t, err)
	return kb << 10
}

// holdSlowly connects to base, sends head at once and then trickle a byte every 100 ms, and
// returns how long the server kept the connection open. It fails the test if the server has
// not closed it 10 s after the start.
func holdSlowly(t *testing.T, base, head, trickle string) time.Duration {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	start := time.Now()
	require.NoError(t, c.SetDeadline(start.Add(10*time.Second)))
	_, err = io.WriteString(c, head)
	require.NoError(t, err)
	closed := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, c) // an answer (408, 400) may come before the close
		closed <- err
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case err := <-closed:
			held := time.Since(start)
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "still open after 10 s")
			return held
		case <-tick.C:
			if i < len(trickle) {
				_, _ = c.Write([]byte{trickle[i]}) // fails once the server has closed; the reader tells
			}
		}
	}
}

// descriptorLimit is the child's RLIMIT_NOFILE in the exhaustion test: enough for the
// runtime, the listener and a few dozen connections, so that a hundred exhaust it quickly.
const descriptorLimit = 64

// runOutOfDescriptors runs the server with descriptorLimit descriptors and holds more slow
// connections than that: the server must stay up while accept fails, shed the slow
// connections by its timeouts, and serve again.
func runOutOfDescriptors(t *testing.T, bin string, env []string) {
	// sh's ulimit sets the hard limit too, so the Go runtime cannot raise it back at start.
	cmd := command("sh", env)
	cmd.Args = []string{"sh", "-c", `ulimit -n ` + strconv.Itoa(descriptorLimit) + ` && exec "$0"`, bin}
	s := startCmd(t, cmd)
	limits, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/limits")
	require.NoError(t, err)
	require.Regexp(t, `Max open files\s+`+strconv.Itoa(descriptorLimit)+`\s+`+strconv.Itoa(descriptorLimit)+`\s`, string(limits))

	addr := strings.TrimPrefix(s.URL, "http://")
	const slow = 2 * descriptorLimit
	head := "POST /api/token/ HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
	conns := make([]net.Conn, 0, slow)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range slow {
		// Past the server's limit the kernel still completes the handshake: the connection
		// waits in the listen queue until the server can accept it.
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err)
		conns = append(conns, c)
		_, err = io.WriteString(c, head)
		require.NoError(t, err)
	}

	exhausted := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.Stderr(), "too many open files") {
		require.True(t, time.Now().Before(exhausted), "the server never ran out of descriptors; stderr:\n%s", s.Stderr())
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-s.exited:
		t.Fatalf("the server exited when it ran out of descriptors; stderr:\n%s", s.Stderr())
	default:
	}

	// Each slow connection is cut off ReadTimeout after it is accepted; the queued ones are
	// accepted as descriptors come back. Until then a new client waits in the queue too.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	recovered := time.Now().Add(4*shortRead + 10*time.Second)
	for {
		resp, err := client.Get(s.URL + "/api/health")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(b) == `{"status":"ok"}` {
				break
			}
		}
		require.True(t, time.Now().Before(recovered), "the server did not serve again after shedding the slow connections: %v", err)
		time.Sleep(200 * time.Millisecond)
	}

	// Every slow connection was closed by the server, none by this test.
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := 0
	shed := time.Now().Add(shortRead + shortIdle + slack)
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(shed)
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				mu.Lock()
				open++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, open, "slow connections the server still held")
	s.Stop(t)
}
