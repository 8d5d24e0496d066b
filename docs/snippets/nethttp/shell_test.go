package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/docs/internal/shellrun"
)

// TestGettingStartedShell pastes the guide's curl session into a shell against this program,
// served in-process on a free port: the guide says 127.0.0.1:8000, and the test rewrites that
// address to the port it got.
func TestGettingStartedShell(t *testing.T) {
	for _, c := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(c); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (.ci/run installs it)", c)
			}
			t.Skipf("%s is not installed: apt-get install %s", c, c)
		}
	}
	t.Setenv("JWTKIT_SIGNING_KEY", "")
	handler, err := newHandler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()

	blocks, err := shellrun.Blocks("../../getting-started.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		if b.First() == "curl -s http://127.0.0.1:8000/api/health" {
			shellrun.Run(t, b, shellrun.Options{Dir: t.TempDir(),
				Env:     []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LC_ALL=C"},
				Replace: map[string]string{"http://127.0.0.1:8000": strings.TrimSuffix(srv.URL, "/")}})
			return
		}
	}
	t.Fatal("getting-started.md has no curl session starting with GET /api/health")
}
