package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSQLiteFile(t *testing.T) {
	t.Parallel()
	for dsn, want := range map[string]string{
		"/var/lib/jwtkit.sqlite3":                        "/var/lib/jwtkit.sqlite3",
		"/tmp/jwtkit.sqlite3?_pragma=busy_timeout(5000)": "/tmp/jwtkit.sqlite3",
		"relative.db":               "relative.db",
		"file:relative.db?mode=rwc": "relative.db",
		"file:///srv/auth%20db.sqlite3?_pragma=journal_mode(WAL)": "/srv/auth db.sqlite3",
		"file://localhost/srv/a.db":                               "/srv/a.db",
		":memory:":                                                "",
		"file::memory:?cache=shared":                              "",
		"file:shared?mode=memory&cache=shared":                    "",
		"":                                                        "",
	} {
		assert.Equal(t, want, sqliteFile(dsn), dsn)
	}
}

// TestOnlyMigrateCreatesTheSQLiteFile: every other store command refuses a SQLite file that
// does not exist, naming it, and leaves nothing behind: the driver would otherwise create an
// empty database and the command would then complain about missing tables.
func TestOnlyMigrateCreatesTheSQLiteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "typo.sqlite3")
	flags := []string{"--store", "sqlite", "--dsn", file}
	token := pair(t, hmacKey(t, testSecret)).Access
	for _, args := range [][]string{{"revoke-user", "7"}, {"revoke-jti", "abc"}, {"flush-expired"}, {"inspect", token}} {
		r := cli{env: map[string]string{"JWTKIT_SIGNING_KEY": testSecret}}.run(t, with(flags, args...)...)
		failure(t, r, args[0], "the SQLite database "+file+" does not exist: 'jwtkit migrate' creates it")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries, "%s left a file behind", args[0])
	}
	// The same through the environment, with a file: URI.
	r := cli{env: map[string]string{"JWTKIT_STORE_DSN": "file:" + file + "?_pragma=busy_timeout(5000)"}}.run(t, "revoke-user", "7")
	failure(t, r, "revoke-user", "the SQLite database "+file+" does not exist")
	assert.NoFileExists(t, file)

	r = runArgs(t, with(flags, "migrate")...)
	success(t, r)
	assert.Equal(t, "sqlite store "+file+", tables jwtkit_*: applied migrations 1 to 2: schema version 2 (up to date)\n", r.stdout)
	assert.FileExists(t, file)
	r = runArgs(t, with(flags, "revoke-user", "7")...)
	success(t, r)
	assert.Contains(t, r.stdout, "sqlite store "+file+", tables jwtkit_*: revoked every token of user \"7\"")
}

// TestUnusableSQLitePathIsNamed: a path SQLite cannot open gives an error naming it, for
// migrate (which may create the file) as for the other commands.
func TestUnusableSQLitePathIsNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notADir := filepath.Join(dir, "plain-file")
	require.NoError(t, os.WriteFile(notADir, []byte("x"), 0o600))
	cases := []struct {
		name, path, want string
	}{
		{"missing folder", filepath.Join(dir, "no", "such", "jwtkit.sqlite3"),
			"cannot create the SQLite database " + filepath.Join(dir, "no", "such", "jwtkit.sqlite3") + ": the folder " + filepath.Join(dir, "no", "such") + " does not exist"},
		{"a folder", dir, "the SQLite database " + dir + " is a directory, not a file"},
		{"under a plain file", filepath.Join(notADir, "jwtkit.sqlite3"),
			"cannot open the SQLite database " + filepath.Join(notADir, "jwtkit.sqlite3") + ": not a directory"},
	}
	if os.Geteuid() != 0 { // root reads any file, whatever its mode
		unreadable := filepath.Join(dir, "unreadable.sqlite3")
		require.NoError(t, os.WriteFile(unreadable, nil, 0o200))
		cases = append(cases, struct{ name, path, want string }{"unreadable", unreadable,
			"cannot read the SQLite database " + unreadable + ": permission denied"})
	}
	for _, c := range cases {
		r := runArgs(t, "migrate", "--store", "sqlite", "--dsn", c.path)
		failure(t, r, "migrate", c.want)
		assert.Empty(t, r.stdout, c.name)
		if c.name == "missing folder" {
			c.want = "the SQLite database " + c.path + " does not exist"
		}
		r = runArgs(t, "revoke-user", "7", "--store", "sqlite", "--dsn", c.path)
		failure(t, r, "revoke-user", c.want)
	}
	assert.NoDirExists(t, filepath.Join(dir, "no"))
}

// TestFailedMigrateRemovesTheFileItCreated: a migrate that fails after SQLite created the file
// (here a read-only connection, which opens and creates the file but cannot write the tables)
// leaves no empty database behind; a file that was there before is never removed.
func TestFailedMigrateRemovesTheFileItCreated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "new.sqlite3")
	r := runArgs(t, "migrate", "--store", "sqlite", "--dsn", file+"?_pragma=query_only(1)")
	failure(t, r, "migrate", "sqlite store "+file+", tables jwtkit_*: ")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the failed migrate left files behind")

	existing := filepath.Join(dir, "existing.sqlite3")
	require.NoError(t, os.WriteFile(existing, nil, 0o600))
	r = runArgs(t, "migrate", "--store", "sqlite", "--dsn", existing+"?_pragma=query_only(1)")
	failure(t, r, "migrate", "sqlite store "+existing)
	assert.FileExists(t, existing, "a file migrate did not create is kept")
}
