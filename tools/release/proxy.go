package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// proxy is a module proxy in a directory (GOPROXY=file://dir) serving every published module
// of the workspace at one version, built from the files git would commit.
type proxy struct {
	dir     string
	version string
	// sums are the go.sum lines of every module it serves: what a go.sum next to a published
	// go.mod would hold for its siblings once they are tagged.
	sums []string
}

// URL is the proxy's GOPROXY entry.
func (p *proxy) URL() string { return "file://" + filepath.ToSlash(p.dir) }

// buildProxy writes the proxy into dir. A module's files are those git tracks or would add
// (tracked, plus untracked files that are not ignored), as they are on disk: in a clean
// checkout, as in CI and in the release procedure, exactly the committed tree.
func buildProxy(w *workspace, dir, version string) (*proxy, error) {
	files, err := gitFiles(w.root)
	if err != nil {
		return nil, err
	}
	p := &proxy{dir: dir, version: version}
	info, err := json.Marshal(struct {
		Version string
		Time    string
	}{version, time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return nil, err
	}
	for _, m := range w.published() {
		escaped, err := module.EscapePath(m.path)
		if err != nil {
			return nil, err
		}
		vdir := filepath.Join(dir, filepath.FromSlash(escaped), "@v")
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return nil, err
		}
		base := filepath.Join(vdir, version)
		goMod, err := os.ReadFile(filepath.Join(w.root, filepath.FromSlash(m.dir), "go.mod"))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(base+".mod", goMod, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(base+".info", info, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(vdir, "list"), []byte(version+"\n"), 0o644); err != nil {
			return nil, err
		}
		if err := writeZip(base+".zip", w.root, module.Version{Path: m.path, Version: version}, m.dir, files); err != nil {
			return nil, err
		}
		zipSum, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
		if err != nil {
			return nil, err
		}
		modSum, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(goMod)), nil
		})
		if err != nil {
			return nil, err
		}
		p.sums = append(p.sums,
			fmt.Sprintf("%s %s %s", m.path, version, zipSum),
			fmt.Sprintf("%s %s/go.mod %s", m.path, version, modSum))
	}
	return p, nil
}

func writeZip(name, root string, mv module.Version, dir string, all []string) (err error) {
	var files []modzip.File
	prefix := dir + "/"
	for _, rel := range all {
		if in, ok := strings.CutPrefix(rel, prefix); ok {
			files = append(files, diskFile{path: in, name: filepath.Join(root, filepath.FromSlash(rel))})
		}
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	// Create leaves out nested modules and vendor folders, and refuses what the go command
	// would refuse to extract, exactly as for a tag served by a real proxy.
	return modzip.Create(f, mv, files)
}

// diskFile is one file of a module zip, read from the working tree.
type diskFile struct {
	path string // inside the module, slash-separated
	name string // on disk
}

func (f diskFile) Path() string                 { return f.path }
func (f diskFile) Lstat() (os.FileInfo, error)  { return os.Lstat(f.name) }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.name) }

// gitFiles lists the files under root that git tracks or would add, relative to root and
// slash-separated, leaving out tracked files deleted from disk.
func gitFiles(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %v: %s", root, err, strings.TrimSpace(stderr.String()))
	}
	var files []string
	seen := map[string]bool{}
	for rel := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if rel == "" || seen[rel] {
			continue
		}
		seen[rel] = true
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			continue
		}
		files = append(files, rel)
	}
	return files, nil
}
