package docs_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/docs/internal/shellrun"
)

// shellBlocks says, for every shell block of README.md and docs/*.md (named by its file and
// first line), which test runs it as pasted, or why no test can. A new block fails
// TestShellBlocksAccounted until it is listed here.
var shellBlocks = map[string]string{
	"README.md: go run ./examples/gin     # an example server on 127.0.0.1:8000 (embedded SQLite, no server needed)": "not run as such: the first line serves until Ctrl-C and the second is the whole test suite, " +
		"this test among it; TestReadmeTour builds ./examples/gin and starts it as the first line does",
	`README.md: PAIR=$(curl -s -X POST 127.0.0.1:8000/api/token/ -H 'Content-Type: application/json' \`:                                          "run by TestReadmeTour",
	"docs/benchmarks.md: make bench-compare                      # bench/compare.sh: COUNT=6 runs of everything, benchstat tables (16 min here)": "not run: minutes of benchmarks and a wrk load on every example server; they are make targets of their own",
	"docs/getting-started.md: mkdir myapp && cd myapp":                                                                                           "not run: it starts a module outside the repository and needs the files the reader saves into it; the programs themselves are docs/snippets, tested there",
	"docs/getting-started.md: J=/path/to/jwtkit":                                                                                                 "not run: a path the reader fills in",
	`docs/getting-started.md: export JWTKIT_SIGNING_KEY="$(jwtkit keygen)"   # in a clone of the repository: $(go run ./cmd/jwtkit keygen)`: "not run as such: it serves until Ctrl-C; " +
		"TestGettingStartedShell (docs/snippets/nethttp) serves the same program in-process",
	"docs/getting-started.md: curl -s http://127.0.0.1:8000/api/health":                                                        "run by TestGettingStartedShell in docs/snippets/nethttp",
	"docs/key-rotation.md: jwtkit keygen                                        # an HS256 secret: 32 random bytes, base64url": "run by TestKeyRotationShell",
	"docs/stores.md: JWTKIT_STORE=postgres JWTKIT_STORE_DSN='postgres://app@db:5432/app?sslmode=verify-full' jwtkit migrate":   "not run: it names a deployment's database host; cmd/jwtkit's TestStoreCommands runs migrate on PostgreSQL",
	"docs/stores.md: JWTKIT_STORE=postgres jwtkit flush-expired --batch 5000 --timeout 10m": "not run: it would purge the PostgreSQL test database other modules' tests use at the same time; " +
		"cmd/jwtkit's TestStoreCommands runs flush-expired under a table prefix of its own",
	"docs/" + migrating + ": " + stepKey: "run by TestMigrationSteps, in one session with the next",
	"docs/" + migrating + ": " + stepShare: "run by TestMigrationSteps; its last line serves until Ctrl-C, so the test runs `env` in its place " +
		"and starts the server built from ./examples/gin with that environment",
	"docs/" + migrating + ": " + stepCheck: "run by TestMigrationSteps",
	"docs/" + migrating + ": " + stepFlush: "run by TestMigrationSteps",
}

func shellDocs(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../README.md"}, docs...)
}

func blockName(b shellrun.Block) string {
	return strings.TrimPrefix(b.File, "../") + ": " + b.First()
}

// TestShellBlocksAccounted: every shell block is run by a test or says why it cannot be.
func TestShellBlocksAccounted(t *testing.T) {
	seen := map[string]bool{}
	for _, doc := range shellDocs(t) {
		blocks, err := shellrun.Blocks(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			name := blockName(b)
			if !strings.HasPrefix(name, "README.md") {
				name = "docs/" + name
			}
			seen[name] = true
			if _, ok := shellBlocks[name]; !ok {
				t.Errorf("%s:%d: a shell block no test runs; run it as pasted, or list it in shellBlocks with the reason it cannot run: %q", b.File, b.Line, name)
			}
		}
	}
	for name := range shellBlocks {
		if !seen[name] {
			t.Errorf("shellBlocks lists %q, which no document holds any more", name)
		}
	}
}

// shellBlock returns the shell block of doc whose first line is first.
func shellBlock(t *testing.T, doc, first string) shellrun.Block {
	t.Helper()
	blocks, err := shellrun.Blocks(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.First() == first {
			return b
		}
	}
	t.Fatalf("%s has no shell block starting %q", doc, first)
	return shellrun.Block{}
}

// need skips, or fails under CI=true, when a command a block uses is missing.
func need(t *testing.T, commands ...string) {
	t.Helper()
	for _, c := range commands {
		if _, err := exec.LookPath(c); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (.ci/run installs it)", c)
			}
			t.Skipf("%s is not installed: apt-get install %s", c, c)
		}
	}
}

// goBuild builds a package of the workspace (a path from the repository root) into a
// temporary folder, as `go run` would before running it.
func goBuild(t *testing.T, pkg, name string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = root
	// The packages live in sibling modules: build in the repository's workspace whatever
	// GOWORK this test was started with.
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(root, "go.work"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// sessionEnv is a reader's clean environment: PATH and HOME, no JWTKIT_ setting.
func sessionEnv(more ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LC_ALL=C"}, more...)
}

var readyAddr = regexp.MustCompile(`msg=ready .*addr=(\S+)`)

// TestReadmeTour starts the example server as the README's first block does (its default
// settings, no signing key, the SQLite file in the temp directory) and pastes the tour into a
// shell. The tour says 127.0.0.1:8000; the server here takes a free port and the test rewrites
// the address, so a server already on 8000 neither breaks the test nor gets its requests.
func TestReadmeTour(t *testing.T) {
	need(t, "bash", "curl", "sed")
	start := shellBlock(t, "../README.md", "go run ./examples/gin     # an example server on 127.0.0.1:8000 (embedded SQLite, no server needed)")
	if !slices.ContainsFunc(start.Lines, func(l string) bool { return strings.HasPrefix(l, "go run ./examples/gin ") }) {
		t.Fatal("the README no longer starts ./examples/gin; start what it says")
	}
	bin := goBuild(t, "./examples/gin", "gin")

	tmp := t.TempDir()
	addr, before := startServer(t, bin, sessionEnv("TMPDIR="+tmp, "JWTKIT_ADDR=127.0.0.1:0"))
	// What the README says about an unset key and where the SQLite file lives.
	if len(before) != 1 || !strings.Contains(before[0], "JWTKIT_SIGNING_KEY is not set") {
		t.Errorf("without JWTKIT_SIGNING_KEY the server warns once before it is ready; it printed %q", before)
	}
	if _, err := os.Stat(filepath.Join(tmp, "jwtkit.sqlite3")); err != nil {
		t.Errorf("the SQLite file is not $TMPDIR/jwtkit.sqlite3: %v", err)
	}

	shellrun.Run(t, shellBlock(t, "../README.md", `PAIR=$(curl -s -X POST 127.0.0.1:8000/api/token/ -H 'Content-Type: application/json' \`),
		shellrun.Options{Dir: t.TempDir(), Env: sessionEnv(), Replace: map[string]string{"127.0.0.1:8000": addr}})
}

// startServer starts an example server built at bin with env, waits for its ready line and
// returns the address it took and what it printed before; it stops the server with SIGTERM
// when the test ends, and fails the test unless it then exits cleanly.
func startServer(t *testing.T, bin string, env []string) (addr string, before []string) {
	t.Helper()
	srv := exec.Command(bin)
	srv.Env = env
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	exited := make(chan struct{})
	lines := make(chan string, 16)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			select {
			case lines <- s.Text():
			default: // nobody reads once the server is up
			}
		}
		exitErr = srv.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			if exitErr != nil {
				t.Errorf("the server did not stop cleanly: %v", exitErr)
			}
		case <-time.After(15 * time.Second):
			_ = srv.Process.Kill()
			t.Error("the server did not stop within 15 s of SIGTERM")
		}
	})
	deadline := time.After(60 * time.Second)
	for addr == "" {
		select {
		case l := <-lines:
			if m := readyAddr.FindStringSubmatch(l); m != nil {
				addr = m[1]
			} else {
				before = append(before, l)
			}
		case <-exited:
			t.Fatalf("the server exited before it was ready (%v); stderr: %q", exitErr, before)
		case <-deadline:
			t.Fatalf("no ready line within 60 s; stderr so far: %q", before)
		}
	}
	return addr, before
}

// TestKeyRotationShell pastes key-rotation.md's keygen block into a shell in an empty folder,
// with the jwtkit command built from this checkout on PATH, and checks the files it makes.
func TestKeyRotationShell(t *testing.T) {
	need(t, "bash")
	bin := goBuild(t, "./cmd/jwtkit", "jwtkit")
	dir := t.TempDir()
	shellrun.Run(t, shellBlock(t, "key-rotation.md", "jwtkit keygen                                        # an HS256 secret: 32 random bytes, base64url"),
		shellrun.Options{Dir: dir, Env: sessionEnv("PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"))})
	for _, f := range []string{"signing.pem", "public.pem"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the block does not leave %s: %v", f, err)
		}
	}
}

// TestShellrunMatch proves the comparison the shell tests rely on.
func TestShellrunMatch(t *testing.T) {
	cases := []struct {
		want, got []string
		ok        bool
	}{
		{[]string{`{"refresh":"eyJ…","access":"eyJ…"}`}, []string{`{"refresh":"eyJhbG.x.y","access":"eyJzz.a.b"}`}, true},
		{[]string{`{"user_id":1,"username":"demo"}`}, []string{`{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`}, false},
		{[]string{"HTTP/1.1 401 Unauthorized", "…", "{}"}, []string{"HTTP/1.1 401 Unauthorized", "Date: x", "", "{}"}, true},
		{[]string{"HTTP/1.1 401 Unauthorized", "...", "{}"}, []string{"HTTP/1.1 401 Unauthorized", "{}"}, true},
		{[]string{"{}"}, []string{"{}", "more"}, false},
		{[]string{"a.c"}, []string{"abc"}, false},
	}
	for _, c := range cases {
		if got := shellrun.Match(c.want, c.got); got != c.ok {
			t.Errorf("Match(%q, %q) = %v", c.want, c.got, got)
		}
	}
}
