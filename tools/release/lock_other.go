//go:build !unix

package main

import (
	"errors"
	"os"
	"path/filepath"
)

// lockFile takes the lock by creating name exclusively; a run that died leaves it behind, and
// the error says which file to remove.
func lockFile(name string) (func() error, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, errors.Join(err, errors.New("another release check runs, or a stopped one left the lock file: remove it"))
	}
	return func() error { return errors.Join(f.Close(), os.Remove(name)) }, nil
}
