package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tidy runs GOWORK=off go mod tidy in every module, on a copy of its go.mod and go.sum with the
// siblings served by the local proxy, and writes the result back without the siblings' go.sum
// lines: those hashes are of an unpublished tree, would change with every commit, and a go.sum
// matters only to the module built as the main module, here always inside the workspace.
func tidy(ctx context.Context, w *workspace, opt checkOptions) (err error) {
	v, err := w.version()
	if err != nil {
		return err
	}
	env, err := newCheckEnv(ctx, w, v, opt)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.close()) }()
	for _, m := range w.modules {
		dir := filepath.Join(env.tmp, "tidy", filepath.FromSlash(m.dir))
		modFile, err := tempModFile(w, m, env.proxy, dir)
		if err != nil {
			return err
		}
		src := filepath.Join(w.root, filepath.FromSlash(m.dir))
		if err := env.g.run(ctx, src, nil, "go", "mod", "tidy", "-modfile="+modFile); err != nil {
			return fmt.Errorf("%s: %w", m.dir, err)
		}
		goMod, err := os.ReadFile(modFile)
		if err != nil {
			return err
		}
		goSum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(src, "go.mod"), goMod, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(src, "go.sum"), withoutSiblings(w, goSum), 0o644); err != nil {
			return err
		}
		opt.logf("tidied %s", m.dir)
	}
	return nil
}

// withoutSiblings drops the go.sum lines of the workspace's own modules.
func withoutSiblings(w *workspace, sum []byte) []byte {
	var b strings.Builder
	for line := range strings.SplitSeq(string(sum), "\n") {
		if line == "" {
			continue
		}
		if path, _, _ := strings.Cut(line, " "); w.byPath(path) != nil {
			continue
		}
		b.WriteString(line + "\n")
	}
	return []byte(b.String())
}
