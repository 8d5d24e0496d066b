package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/packages"
)

// breakingAllowed says whether a release from prev to next may break the API. Under v0 a new
// minor version may (v0.1.x to v0.2.0), as Go's own release tooling treats it; a patch release
// never may; from v1 on only a new major version may, and that needs a /vN module path, which
// checkReleaseVersion already refuses.
func breakingAllowed(prev, next string) bool {
	if semver.Major(prev) != semver.Major(next) {
		return true
	}
	if semver.Major(next) == "v0" {
		return semver.MajorMinor(prev) != semver.MajorMinor(next)
	}
	return false
}

// previousTag is the highest tag of the module in folder dir whose version is below v, or "".
func previousTag(tags []string, dir, v string) string {
	best, bestV := "", ""
	for _, t := range tags {
		tv, ok := strings.CutPrefix(t, dir+"/")
		if !ok || !semver.IsValid(tv) || semver.Canonical(tv) != tv || semver.Compare(tv, v) >= 0 {
			continue
		}
		if bestV == "" || semver.Compare(tv, bestV) > 0 {
			best, bestV = t, tv
		}
	}
	return best
}

func gitTags(root string) ([]string, error) {
	out, err := git(root, "tag", "--list")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}

func git(root string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// apiCheck compares the exported API of every published module with its latest tag below v
// (golang.org/x/exp/apidiff, all non-internal library packages of the module). It prints
// every change and fails on an incompatible one unless breakingAllowed says the version step
// may break. A module with no earlier tag has nothing to compare and passes.
func apiCheck(ctx context.Context, w *workspace, v string, logf func(string, ...any)) (err error) {
	tags, err := gitTags(w.root)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "jwtkit-apicheck-")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(tmp)) }()
	trees := map[string]string{} // commit -> extracted tree
	var failures []error
	for _, m := range w.published() {
		prev := previousTag(tags, m.dir, v)
		if prev == "" {
			logf("api  %s: no release before %s, nothing to compare", m.dir, v)
			continue
		}
		commit, err := git(w.root, "rev-parse", prev+"^{commit}")
		if err != nil {
			return err
		}
		commit = strings.TrimSpace(commit)
		old, ok := trees[commit]
		if !ok {
			old = filepath.Join(tmp, commit)
			if err := extractTree(w.root, commit, old); err != nil {
				return err
			}
			trees[commit] = old
		}
		oldPkgs, err := loadAPI(ctx, filepath.Join(old, filepath.FromSlash(m.dir)))
		if err != nil {
			return fmt.Errorf("%s at %s: %w", m.dir, prev, err)
		}
		newPkgs, err := loadAPI(ctx, filepath.Join(w.root, filepath.FromSlash(m.dir)))
		if err != nil {
			return fmt.Errorf("%s: %w", m.dir, err)
		}
		if len(oldPkgs) == 0 && len(newPkgs) == 0 {
			logf("api  %s: a command, no Go API to compare with %s", m.dir, prev)
			continue
		}
		report := apidiff.ModuleChanges(&apidiff.Module{Path: m.path, Packages: oldPkgs}, &apidiff.Module{Path: m.path, Packages: newPkgs})
		var incompatible, compatible []string
		for _, c := range report.Changes {
			if c.Compatible {
				compatible = append(compatible, c.Message)
			} else {
				incompatible = append(incompatible, c.Message)
			}
		}
		prevV := strings.TrimPrefix(prev, m.dir+"/")
		switch {
		case len(incompatible) == 0:
			logf("api  %s: compatible with %s (%d additions)", m.dir, prev, len(compatible))
		case breakingAllowed(prevV, v):
			logf("api  %s: %d incompatible changes since %s, allowed from %s to %s:", m.dir, len(incompatible), prev, prevV, v)
		default:
			logf("api  %s: %d incompatible changes since %s, not allowed from %s to %s:", m.dir, len(incompatible), prev, prevV, v)
			failures = append(failures, fmt.Errorf("%s: %d incompatible API changes since %s need a new minor version under v0 (a new major version from v1)", m.dir, len(incompatible), prev))
		}
		for _, msg := range incompatible {
			logf("       - %s", msg)
		}
	}
	return errors.Join(failures...)
}

// loadAPI type-checks the library packages of the module in dir, inside whatever workspace
// encloses it: the repository's own go.work, or the go.work of an extracted tag.
func loadAPI(ctx context.Context, dir string) ([]*types.Package, error) {
	cfg := &packages.Config{
		Context: ctx,
		Dir:     dir,
		Mode:    packages.NeedName | packages.NeedTypes,
		Env:     mergeEnv(os.Environ(), []string{"GOWORK=", "GOFLAGS=-mod=readonly"}),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	var out []*types.Package
	var errs []error
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, fmt.Errorf("%s: %s", p.PkgPath, e.Msg))
		}
		if p.Name == "main" || isInternal(p.PkgPath) || p.Types == nil {
			continue
		}
		out = append(out, p.Types)
	}
	return out, errors.Join(errs...)
}

func isInternal(pkgPath string) bool {
	for _, el := range strings.Split(pkgPath, "/") {
		if el == "internal" {
			return true
		}
	}
	return false
}

// extractTree writes the tree of a commit into dir.
func extractTree(root, commit, dir string) error {
	cmd := exec.Command("git", "archive", "--format=tar", commit)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git archive %s: %v: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	tr := tar.NewReader(bytes.NewReader(out))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("git archive %s: %q leaves the tree", commit, h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				return err
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				return err
			}
		}
	}
}
