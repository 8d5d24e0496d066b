package frontend_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/examples/frontend"
	"github.com/jwtkit/jwtkit/examples/internal/servertest"
)

// The example servers that serve the front end (the gRPC example has no browser API).
var frameworks = []string{"nethttp", "gin", "echo", "echov5", "fiber", "fiberv3"}

// scenario is what e2e/scenario.mjs reads from its argument.
type scenario struct {
	Chromium string `json:"chromium"`
	Page     string `json:"page"`
	API      string `json:"api"`
	Mode     string `json:"mode"`
	Shots    string `json:"shots"`
	Name     string `json:"name"`
	Unlisted string `json:"unlisted,omitempty"`
}

// TestBrowser runs the front end in headless Chromium against every example server, in
// header mode and in cookie mode, served by the API itself and from another origin that
// JWTKIT_CORS_ORIGINS lists, and checks that a page on an origin the list leaves out reads
// no answer at all. Chromium, Node.js and e2e/node_modules (npm ci) must be installed: the
// test skips without them, and fails under CI=true.
//
// The other origin is another port of 127.0.0.1: cross-origin, so CORS applies, but the same
// site, which cookie mode needs. Its cookies are SameSite=Strict, which a browser leaves off
// a request from another site (localhost and 127.0.0.1 are two sites), and the page must read
// the jwtkit-csrf cookie, which only pages of the host that set it can (cookies ignore ports).
func TestBrowser(t *testing.T) {
	node, chromium := browserTools(t)
	shots := os.Getenv("JWTKIT_BROWSER_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "jwtkit-browser")
	}
	t.Logf("screenshots in %s (JWTKIT_BROWSER_ARTIFACTS)", shots)

	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			bin := servertest.BuildDir(t, filepath.Join("..", fw))
			// Most of a scenario is waiting for a token to expire, so a framework's four run at
			// once, each in its own browser (t.Run may be called from several goroutines; a
			// t.Parallel subtest would wait for a slot of -parallel, which is GOMAXPROCS).
			var modes sync.WaitGroup
			for _, mode := range []string{"header", "cookie"} {
				modes.Go(func() { t.Run(mode, func(t *testing.T) { runMode(t, fw, bin, mode, node, chromium, shots) }) })
			}
			modes.Wait()
		})
	}
}

// runMode starts one server in mode and runs the same-origin and cross-origin scenarios on it.
func runMode(t *testing.T, fw, bin, mode, node, chromium, shots string) {
	listed, unlisted := listen(t), listen(t)
	env := []string{"JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=memory",
		"JWTKIT_SIGNING_KEY=" + servertest.Key, "JWTKIT_ACCESS_TTL=2s",
		"JWTKIT_CORS_ORIGINS=" + origin(listed)}
	if mode == "cookie" {
		env = append(env, "JWTKIT_COOKIE_MODE=true")
	}
	s := servertest.Start(t, bin, env...)
	serve(t, listed, frontend.PageFor(s.URL))
	serve(t, unlisted, frontend.PageFor(s.URL))

	name := fw + "-" + mode
	same := scenario{Chromium: chromium, API: s.URL, Mode: mode, Shots: shots,
		Page: s.URL + "/", Name: name + "-same-origin"}
	cross := same
	cross.Page, cross.Unlisted, cross.Name = origin(listed)+"/", origin(unlisted)+"/", name+"-cross-origin"
	var both sync.WaitGroup
	both.Go(func() { t.Run("same origin", func(t *testing.T) { run(t, node, same) }) })
	both.Go(func() { t.Run("cross origin", func(t *testing.T) { run(t, node, cross) }) })
	both.Wait()
	s.Stop(t)
}

// browserTools finds node and Chromium ($JWTKIT_CHROMIUM, else chromium on PATH) and checks
// that npm ci has run in e2e/.
func browserTools(t *testing.T) (node, chromium string) {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		const how = "apt-get install chromium nodejs npm, then (cd examples/frontend/e2e && npm ci)"
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must run the browser tests: %s", what, how)
		}
		t.Skipf("browser tests skipped: %s (%s)", what, how)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	chromium = os.Getenv("JWTKIT_CHROMIUM")
	if chromium == "" {
		if chromium, err = exec.LookPath("chromium"); err != nil {
			missing("chromium is not installed")
		}
	}
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		missing("playwright-core is not installed in examples/frontend/e2e")
	}
	return node, chromium
}

// run runs one scenario in its own browser; the script says what went wrong.
func run(t *testing.T, node string, sc scenario) {
	t.Helper()
	arg, err := json.Marshal(sc)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "scenario.mjs", string(arg))
	cmd.Dir = "e2e"
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s:\n%s", sc.Name, out)
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

func origin(ln net.Listener) string { return "http://" + ln.Addr().String() }

// serve is the tiny static server of a front end on another origin: the page at GET /.
func serve(t *testing.T, ln net.Listener, page []byte) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", frontend.ContentType)
		_, _ = w.Write(page)
	}))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
}
