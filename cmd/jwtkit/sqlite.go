package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// sqliteFile is the database file a modernc.org/sqlite DSN names, or "" for a database that
// lives in memory. The driver drops the query of a plain file name and hands a "file:" URI to
// SQLite whole, which reads the path from it (percent-decoded, after an empty or "localhost"
// authority) and keeps the database in memory with mode=memory.
func sqliteFile(dsn string) string {
	name, query, _ := strings.Cut(dsn, "?")
	if rest, ok := strings.CutPrefix(name, "file:"); ok {
		if v, err := url.ParseQuery(query); err == nil && v.Get("mode") == "memory" {
			return ""
		}
		if after, ok := strings.CutPrefix(rest, "//"); ok {
			rest = ""
			if i := strings.IndexByte(after, '/'); i >= 0 {
				rest = after[i:]
			}
		}
		if p, err := url.PathUnescape(rest); err == nil {
			rest = p
		}
		name = rest
	}
	if name == "" || name == ":memory:" {
		return ""
	}
	return name
}

// checkSQLiteFile makes sure SQLite can open file without creating it by accident: the
// driver creates a missing file, so a command run with a mistyped path would leave an empty
// database behind and then report missing tables. An existing file must be a readable file;
// a missing one is an error unless create is set, and then its folder must exist. existed
// reports whether the file was there. Every error names the path.
func checkSQLiteFile(file string, create bool) (existed bool, err error) {
	info, err := os.Stat(file)
	switch {
	case err == nil && info.IsDir():
		return true, fmt.Errorf("the SQLite database %s is a directory, not a file", file)
	case err == nil:
		f, err := os.Open(file)
		if err != nil {
			return true, fmt.Errorf("cannot read the SQLite database %s: %w", file, unwrapPath(err))
		}
		_ = f.Close()
		return true, nil
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("cannot open the SQLite database %s: %w", file, unwrapPath(err))
	case !create:
		return false, fmt.Errorf("the SQLite database %s does not exist: 'jwtkit migrate' creates it "+
			"(an example server creates it at its first start); check --dsn or $JWTKIT_STORE_DSN", file)
	}
	dir := filepath.Dir(file)
	switch info, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("cannot create the SQLite database %s: the folder %s does not exist", file, dir)
	case err != nil:
		return false, fmt.Errorf("cannot create the SQLite database %s: %w", file, unwrapPath(err))
	case !info.IsDir():
		return false, fmt.Errorf("cannot create the SQLite database %s: %s is not a folder", file, dir)
	}
	return false, nil
}

// unwrapPath drops the operation and path of a *fs.PathError, which the message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// removeIfEmpty deletes a SQLite database file this command created and left empty, with the
// journal files SQLite keeps beside it, so a failed migrate leaves the folder as it found it.
// A file with content is kept: another process may have created the database meanwhile.
func removeIfEmpty(file string) {
	info, err := os.Stat(file)
	if err != nil || info.Size() != 0 {
		return
	}
	_ = os.Remove(file)
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		_ = os.Remove(file + suffix)
	}
}
