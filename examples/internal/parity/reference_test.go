package parity

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// python is Debian's interpreter, where Debian's Django packages live; a python3 earlier on
// PATH (pyenv, a virtualenv) may not have them.
const python = "/usr/bin/python3"

// needDjango skips the test without the reference's packages, or fails it under CI=true.
func needDjango(t *testing.T) {
	t.Helper()
	err := exec.Command(python, "-c", "import django, rest_framework, rest_framework_simplejwt").Run()
	if err == nil {
		return
	}
	msg := "the reference simplejwt server needs Debian's packages: " +
		"apt-get install python3-django python3-djangorestframework python3-djangorestframework-simplejwt"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// startReference runs the simplejwt server of simplejwt/ on a fresh database with env
// (PARITY_*) and returns its base URL. It stops when the test ends: its standard input is a
// pipe the test holds, and it exits when that closes.
func startReference(t *testing.T, env ...string) string {
	t.Helper()
	cmd := exec.Command(python, filepath.Join("simplejwt", "serve.py"))
	cmd.Env = append(os.Environ(), "PARITY_DB="+filepath.Join(t.TempDir(), "db.sqlite3"))
	cmd.Env = append(cmd.Env, env...)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		port, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
		require.True(t, ok, "the reference server did not start: %q\n%s", line, stderr.String())
		return "http://127.0.0.1:" + port
	case <-time.After(60 * time.Second):
		t.Fatalf("the reference server printed no ready line in 60s:\n%s", stderr.String())
	}
	return ""
}
