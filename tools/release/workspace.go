package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// unpublished are the workspace modules that are never tagged: they hold programs, guides and
// measurements, and no library requires them. This tool is a module outside go.work, so that
// its own requirements never raise the versions the workspace builds with.
var unpublished = []string{"bench", "docs", "examples"}

// workspace is the repository as go.work describes it.
type workspace struct {
	root    string // absolute path of the repository (and of go.work)
	repo    string // the module path prefix every module shares, e.g. github.com/jwtkit/jwtkit
	modules []*mod
	work    *modfile.WorkFile
}

// mod is one module of the workspace.
type mod struct {
	dir       string // relative to the root, slash-separated: the tag prefix too
	path      string
	published bool
	file      *modfile.File
}

// tag is the tag Go expects for version v of a module in a subdirectory of the repository.
func (m *mod) tag(v string) string { return m.dir + "/" + v }

// loadWorkspace reads go.work at root and the go.mod of every module it uses. Every module
// path must be the repository path followed by the module's folder, or the nested-module tags
// (core/v0.1.0) would not resolve.
func loadWorkspace(root string, unpub []string) (*workspace, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		return nil, err
	}
	wf, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		return nil, err
	}
	w := &workspace{root: root, work: wf}
	for _, u := range wf.Use {
		dir := path.Clean(filepath.ToSlash(u.Path))
		if dir == "." || strings.HasPrefix(dir, "../") || path.IsAbs(dir) {
			return nil, fmt.Errorf("go.work: module %q is not in a subfolder of the repository", u.Path)
		}
		f, err := readModFile(filepath.Join(root, filepath.FromSlash(dir), "go.mod"))
		if err != nil {
			return nil, err
		}
		p := f.Module.Mod.Path
		repo, ok := strings.CutSuffix(p, "/"+dir)
		if !ok {
			return nil, fmt.Errorf("%s/go.mod: module path %s does not end in its folder %s", dir, p, dir)
		}
		if w.repo == "" {
			w.repo = repo
		} else if repo != w.repo {
			return nil, fmt.Errorf("%s/go.mod: module path %s is not under %s", dir, p, w.repo)
		}
		if _, _, ok := module.SplitPathVersion(p); !ok {
			return nil, fmt.Errorf("%s/go.mod: malformed module path %s", dir, p)
		}
		w.modules = append(w.modules, &mod{dir: dir, path: p, published: !slices.Contains(unpub, dir), file: f})
	}
	if len(w.modules) == 0 {
		return nil, errors.New("go.work uses no module")
	}
	return w, nil
}

func readModFile(name string) (*modfile.File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return modfile.Parse(name, data, nil)
}

func (w *workspace) byDir(dir string) *mod {
	for _, m := range w.modules {
		if m.dir == dir {
			return m
		}
	}
	return nil
}

func (w *workspace) byPath(p string) *mod {
	for _, m := range w.modules {
		if m.path == p {
			return m
		}
	}
	return nil
}

func (w *workspace) published() []*mod {
	var out []*mod
	for _, m := range w.modules {
		if m.published {
			out = append(out, m)
		}
	}
	return out
}

// version is the one version at which every go.mod requires its siblings. Mixed versions, a
// requirement of an unpublished module, a replace of a sibling, or a module path of the
// repository that go.work does not use are errors: each of them builds inside the workspace and
// breaks for a user.
func (w *workspace) version() (string, error) {
	var v, first string
	for _, m := range w.modules {
		for _, r := range m.file.Replace {
			switch {
			case w.byPath(r.Old.Path) != nil:
				return "", fmt.Errorf("%s/go.mod replaces %s: go.work already points at the folder, and a user's build ignores the replace", m.dir, r.Old.Path)
			case m.published:
				return "", fmt.Errorf("%s/go.mod replaces %s: a user's build ignores the replace of a dependency", m.dir, r.Old.Path)
			}
		}
		for _, r := range m.file.Require {
			p := r.Mod.Path
			if !strings.HasPrefix(p, w.repo+"/") {
				continue
			}
			sib := w.byPath(p)
			switch {
			case sib == nil:
				return "", fmt.Errorf("%s/go.mod requires %s, which go.work does not use", m.dir, p)
			case !sib.published:
				return "", fmt.Errorf("%s/go.mod requires %s, which is never published", m.dir, p)
			case v == "":
				v, first = r.Mod.Version, m.dir
			case r.Mod.Version != v:
				return "", fmt.Errorf("%s/go.mod requires %s %s but %s/go.mod requires its siblings at %s: use one version across the repository", m.dir, p, r.Mod.Version, first, v)
			}
		}
	}
	if v == "" {
		return "", errors.New("no go.mod requires a sibling module: nothing says which version to check")
	}
	// The workspace reads the go.mod of every required version of its own modules, even
	// unpublished: go.work replaces each published module by its folder at that version.
	for _, m := range w.published() {
		found := false
		for _, r := range w.work.Replace {
			if r.Old.Path != m.path {
				continue
			}
			if r.Old.Version != v || path.Clean(filepath.ToSlash(r.New.Path)) != m.dir {
				return "", fmt.Errorf("go.work replaces %s %s => %s; want %s %s => ./%s", m.path, r.Old.Version, r.New.Path, m.path, v, m.dir)
			}
			found = true
		}
		if !found {
			return "", fmt.Errorf("go.work does not replace %s %s => ./%s: inside the workspace the go command would fetch that version", m.path, v, m.dir)
		}
	}
	if err := checkReleaseVersion(v); err != nil {
		return "", fmt.Errorf("siblings are required at %s: %w", v, err)
	}
	return v, nil
}

// checkReleaseVersion accepts the versions this repository can tag: canonical semver, and a
// major version of 0 or 1, since the module paths carry no /vN suffix.
func checkReleaseVersion(v string) error {
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return fmt.Errorf("%q is not a canonical semantic version such as v0.1.0", v)
	}
	if semver.Build(v) != "" {
		return fmt.Errorf("%s: build metadata is not allowed in a module version", v)
	}
	if m := semver.Major(v); m != "v0" && m != "v1" {
		return fmt.Errorf("%s: a %s release needs module paths ending in /%s", v, m, m)
	}
	return nil
}

// bump sets every requirement of a sibling, in every go.mod, to v, and moves go.work's
// replaces to v. It returns the files it changed, relative to the root. Formatting and
// comments are kept.
func (w *workspace) bump(v string) ([]string, error) {
	if err := checkReleaseVersion(v); err != nil {
		return nil, err
	}
	var changed []string
	for _, m := range w.modules {
		name := filepath.Join(w.root, filepath.FromSlash(m.dir), "go.mod")
		old, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := modfile.Parse(name, old, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range f.Require {
			if w.byPath(r.Mod.Path) != nil && r.Mod.Version != v {
				if err := f.AddRequire(r.Mod.Path, v); err != nil {
					return nil, err
				}
			}
		}
		out, err := f.Format()
		if err != nil {
			return nil, err
		}
		if bytes.Equal(out, old) {
			continue
		}
		if err := os.WriteFile(name, out, 0o644); err != nil {
			return nil, err
		}
		m.file = f
		changed = append(changed, m.dir+"/go.mod")
	}
	name := filepath.Join(w.root, "go.work")
	old, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	wf, err := modfile.ParseWork(name, old, nil)
	if err != nil {
		return nil, err
	}
	// modfile has no call that changes a replace's version in place; the version is the token
	// after the path on the replace's line, in a block or not, so the block and its comment stay.
	for _, r := range wf.Replace {
		if m := w.byPath(r.Old.Path); m == nil || !m.published || r.Old.Version == v {
			continue
		}
		tok := r.Syntax.Token
		i := slices.Index(tok, modfile.AutoQuote(r.Old.Path))
		if i < 0 || i+1 >= len(tok) || tok[i+1] != r.Old.Version {
			return nil, fmt.Errorf("go.work: cannot find the version of the replace of %s", r.Old.Path)
		}
		tok[i+1] = v
		r.Old.Version = v
	}
	wf.Cleanup()
	if out := modfile.Format(wf.Syntax); !bytes.Equal(out, old) {
		if err := os.WriteFile(name, out, 0o644); err != nil {
			return nil, err
		}
		changed = append(changed, "go.work")
	}
	w.work = wf
	return changed, nil
}
