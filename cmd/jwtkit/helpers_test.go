package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
	"github.com/jwtkit/jwtkit/stores/open/opentest"
)

// result is what one run of the command line left behind.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command line with an environment of its own (nothing from the process's), a
// clock and standard input, so tests run in parallel.
type cli struct {
	env   map[string]string
	now   func() time.Time
	stdin string
}

func (c cli) run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	now := c.now
	if now == nil {
		now = time.Now
	}
	a := &app{stdin: strings.NewReader(c.stdin), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return c.env[k] }, now: now}
	code := a.run(context.Background(), args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// runArgs runs with an empty environment.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return cli{}.run(t, args...)
}

// usageFailure asserts exit status 2 and one line on stderr naming the command and holding
// want, with the pointer to --help.
func usageFailure(t *testing.T, r result, cmd, want string) {
	t.Helper()
	assert.Equal(t, exitUsage, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "jwtkit "+cmd+": "), r.stderr)
	assert.Contains(t, r.stderr, want)
	assert.Contains(t, r.stderr, "(see 'jwtkit "+cmd+" --help')")
}

// failure asserts exit status 1 and one line on stderr holding want.
func failure(t *testing.T, r result, cmd, want string) {
	t.Helper()
	assert.Equal(t, exitFailure, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	assert.True(t, strings.HasPrefix(r.stderr, "jwtkit "+cmd+": "), r.stderr)
	assert.Contains(t, r.stderr, want)
}

func success(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, exitOK, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	assert.Empty(t, r.stderr)
}

// storeKinds are the kinds that keep state outside the process, each tested on a real server.
var storeKinds = []string{storeopen.SQLite, storeopen.Redis, storeopen.Postgres, storeopen.MySQL, storeopen.Django}

// testStore is a store on a real server under a prefix of one test's own.
type testStore struct {
	settings storeopen.Settings
}

// flags are the command-line flags that name the store.
func (s testStore) flags() []string {
	f := []string{"--store", s.settings.Kind, "--dsn", s.settings.DSN}
	if s.settings.TablePrefix != "" {
		f = append(f, "--table-prefix", s.settings.TablePrefix)
	}
	if s.settings.KeyPrefix != "" {
		f = append(f, "--key-prefix", s.settings.KeyPrefix)
	}
	return f
}

// open opens the store directly, to read back what a command wrote.
func (s testStore) open(t *testing.T) *storeopen.Opened {
	t.Helper()
	o, err := storeopen.Open(context.Background(), s.settings)
	require.NoError(t, err)
	t.Cleanup(func() { _ = o.Close() })
	return o
}

// newTestStore reaches kind's test server (skipping, or failing under CI=true, when it is
// down) and picks a fresh prefix; everything under it is removed when the test ends. The SQL
// tables are not created: tests run migrate.
func newTestStore(t *testing.T, kind string) testStore {
	t.Helper()
	return testStore{settings: opentest.Settings(t, kind, "cli")}
}

func TestMain(m *testing.M) {
	// As run does for the program: the outage tests make go-redis log every failed dial.
	redis.SetLogger(discardLogger{})
	os.Exit(m.Run())
}
