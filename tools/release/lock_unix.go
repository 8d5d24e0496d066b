//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockFile takes an exclusive lock on name, waiting for it, and returns its release.
func lockFile(name string) (func() error, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f.Close, nil
}
