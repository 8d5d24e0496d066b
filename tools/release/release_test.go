package main

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The repository itself: its go.mod files and go.work must pass the static part of the check,
// and every published module's README must say what a user installs.

func TestRepositoryVersion(t *testing.T) {
	w, err := loadWorkspace("../..", unpublished)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.version(); err != nil {
		t.Fatal(err)
	}
	for _, d := range unpublished {
		if m := w.byDir(d); m == nil || m.published {
			t.Errorf("%s: listed as unpublished but not a module of go.work", d)
		}
	}
	if w.byDir("tools/release") != nil {
		t.Error("tools/release is in go.work: its requirements would change what the workspace builds with")
	}
	cfg := jwtkitCheck()
	covered := map[string]bool{cfg.cli.dir: true}
	sources := map[string]bool{}
	for _, c := range cfg.consumers {
		covered[c.module] = true
		if sources[c.source()] {
			t.Errorf("two consumers take their program from %s: they would share one folder", c.source())
		}
		sources[c.source()] = true
	}
	for _, m := range w.published() {
		if !covered[m.dir] {
			t.Errorf("%s is published but the release check has no consumer for it", m.dir)
		}
		readme, err := os.ReadFile(filepath.Join(w.root, m.dir, "README.md"))
		if err != nil {
			t.Error(err)
			continue
		}
		install := regexp.MustCompile(`(?s)## Install\n(.*?)\n## `).FindSubmatch(readme)
		want := "go get " + m.path + "@latest"
		if m.dir == cfg.cli.dir {
			want = "go install " + m.path + "@latest"
		}
		if install == nil || !strings.Contains(string(install[1]), want) {
			t.Errorf("%s/README.md: its Install section does not say %q", m.dir, want)
		}
	}
}

func TestBreakingAllowed(t *testing.T) {
	for _, c := range []struct {
		prev, next string
		want       bool
	}{
		{"v0.1.0", "v0.1.1", false},
		{"v0.1.3", "v0.2.0", true},
		{"v0.9.0", "v1.0.0", true},
		{"v1.2.0", "v1.3.0", false},
		{"v1.2.0", "v1.2.1", false},
		{"v0.2.0-rc.1", "v0.2.0", false},
	} {
		if got := breakingAllowed(c.prev, c.next); got != c.want {
			t.Errorf("breakingAllowed(%s, %s) = %v, want %v", c.prev, c.next, got, c.want)
		}
	}
}

func TestPreviousTag(t *testing.T) {
	tags := []string{"core/v0.1.0", "core/v0.2.0", "core/v0.10.0", "core/v0.3.0-rc.1", "stores/memory/v0.9.0",
		"stores/mem/v0.5.0", "core/vbad", "v0.4.0"}
	for _, c := range []struct{ dir, v, want string }{
		{"core", "v0.3.0", "core/v0.3.0-rc.1"},
		{"core", "v0.2.0", "core/v0.1.0"},
		{"core", "v0.11.0", "core/v0.10.0"},
		{"core", "v0.1.0", ""},
		{"stores/mem", "v1.0.0", "stores/mem/v0.5.0"},
		{"stores/open", "v1.0.0", ""},
	} {
		if got := previousTag(tags, c.dir, c.v); got != c.want {
			t.Errorf("previousTag(%s, %s) = %q, want %q", c.dir, c.v, got, c.want)
		}
	}
}

func TestCheckReleaseVersion(t *testing.T) {
	for v, ok := range map[string]bool{"v0.1.0": true, "v1.4.2": true, "v0.2.0-rc.1": true,
		"0.1.0": false, "v0.1": false, "v2.0.0": false, "v0.1.0+meta": false} {
		if err := checkReleaseVersion(v); (err == nil) != ok {
			t.Errorf("checkReleaseVersion(%s) = %v", v, err)
		}
	}
}

// mono is a small repository shaped like this one: module a, module b requiring a, an
// unpublished module app requiring b, a consumer program for b, and go.work.
type mono struct {
	t    *testing.T
	root string
}

func newMono(t *testing.T, v string) *mono {
	t.Helper()
	for _, kv := range [][2]string{{"GIT_AUTHOR_NAME", "t"}, {"GIT_AUTHOR_EMAIL", "t@example.com"},
		{"GIT_COMMITTER_NAME", "t"}, {"GIT_COMMITTER_EMAIL", "t@example.com"},
		{"GIT_CONFIG_GLOBAL", os.DevNull}, {"GIT_CONFIG_NOSYSTEM", "1"},
		{"JWTKIT_RELEASE_MODCACHE", filepath.Join(t.TempDir(), "modcache")}, {"GOFLAGS", ""},
		// Everything the tests need is in the repository they make: nothing is fetched.
		{"GOPROXY", "off"}} {
		t.Setenv(kv[0], kv[1])
	}
	m := &mono{t: t, root: t.TempDir()}
	m.write("go.work", fmt.Sprintf("go 1.26\n\nuse (\n\t./a\n\t./b\n\t./app\n)\n\n// Each published module at its required version.\nreplace (\n\texample.com/mono/a %[1]s => ./a\n\texample.com/mono/b %[1]s => ./b\n)\n", v))
	m.write("a/go.mod", "module example.com/mono/a\n\ngo 1.26\n")
	m.write("a/a.go", "// Package a greets.\npackage a\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n\n// Bye says goodbye.\nfunc Bye() string { return \"bye\" }\n")
	m.write("a/nested/go.mod", "module example.com/mono/a/nested\n\ngo 1.26\n")
	m.write("a/nested/n.go", "package nested\n")
	m.write("a/ignored.txt", "not in any zip\n")
	m.write(".gitignore", "ignored.txt\n")
	m.write("b/go.mod", fmt.Sprintf("module example.com/mono/b\n\ngo 1.26\n\nrequire example.com/mono/a %s\n", v))
	m.write("b/b.go", "// Package b greets twice.\npackage b\n\nimport \"example.com/mono/a\"\n\n// Twice greets twice.\nfunc Twice() string { return a.Hello() + a.Hello() }\n")
	m.write("app/go.mod", fmt.Sprintf("module example.com/mono/app\n\ngo 1.26\n\nrequire (\n\texample.com/mono/a %[1]s // indirect\n\texample.com/mono/b %[1]s\n)\n", v))
	m.write("app/main.go", "package main\n\nimport \"example.com/mono/b\"\n\nfunc main() { println(b.Twice()) }\n")
	m.write("consumer/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/mono/b\"\n)\n\nfunc main() { fmt.Println(b.Twice()) }\n")
	m.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n- a and b.\n")
	m.git("init", "-q", "-b", "main")
	m.git("add", "-A")
	m.git("commit", "-q", "-m", "init")
	return m
}

func (m *mono) write(name, data string) {
	m.t.Helper()
	p := filepath.Join(m.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		m.t.Fatal(err)
	}
}

func (m *mono) git(args ...string) string {
	m.t.Helper()
	out, err := git(m.root, args...)
	if err != nil {
		m.t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func (m *mono) workspace() *workspace {
	m.t.Helper()
	w, err := loadWorkspace(m.root, []string{"app"})
	if err != nil {
		m.t.Fatal(err)
	}
	return w
}

func (m *mono) config() checkConfig {
	return checkConfig{consumers: []consumer{{module: "b", get: []string{"b"}, dir: "consumer",
		steps: [][]string{{"go", "run", "."}}}}}
}

func (m *mono) check(ctx context.Context, version string) (string, error) {
	var log strings.Builder
	err := runCheck(ctx, m.workspace(), m.config(), checkOptions{version: version, tmpParent: m.t.TempDir(),
		logf: func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }})
	return log.String(), err
}

func TestVersionRefusesWhatOnlyTheWorkspaceBuilds(t *testing.T) {
	for name, c := range map[string]struct{ file, data, want string }{
		"mixed versions":                       {"app/go.mod", "module example.com/mono/app\n\ngo 1.26\n\nrequire example.com/mono/b v0.0.9\n", "use one version"},
		"replace of a sibling":                 {"b/go.mod", "module example.com/mono/b\n\ngo 1.26\n\nrequire example.com/mono/a v0.1.0\n\nreplace example.com/mono/a => ../a\n", "replaces example.com/mono/a"},
		"replace in a published module":        {"b/go.mod", "module example.com/mono/b\n\ngo 1.26\n\nrequire example.com/mono/a v0.1.0\n\nreplace example.org/x => ../x\n", "ignores the replace"},
		"requirement of an unpublished module": {"b/go.mod", "module example.com/mono/b\n\ngo 1.26\n\nrequire (\n\texample.com/mono/a v0.1.0\n\texample.com/mono/app v0.1.0\n)\n", "never published"},
		"go.work without the replace":          {"go.work", "go 1.26\n\nuse (\n\t./a\n\t./b\n\t./app\n)\n\nreplace example.com/mono/a v0.1.0 => ./a\n", "does not replace example.com/mono/b"},
		"go.work replace at another version":   {"go.work", "go 1.26\n\nuse (\n\t./a\n\t./b\n\t./app\n)\n\nreplace (\n\texample.com/mono/a v0.1.0 => ./a\n\texample.com/mono/b v0.0.9 => ./b\n)\n", "want example.com/mono/b v0.1.0"},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMono(t, "v0.1.0")
			if _, err := m.workspace().version(); err != nil {
				t.Fatalf("before the change: %v", err)
			}
			m.write(c.file, c.data)
			_, err := m.workspace().version()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("version() = %v, want an error saying %q", err, c.want)
			}
		})
	}
}

func TestBump(t *testing.T) {
	m := newMono(t, "v0.1.0")
	changed, err := m.workspace().bump("v0.2.0")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b/go.mod", "app/go.mod", "go.work"}; !slices.Equal(changed, want) {
		t.Errorf("bump changed %v, want %v", changed, want)
	}
	for name, want := range map[string]string{
		"b/go.mod":   "require example.com/mono/a v0.2.0\n",
		"app/go.mod": "\texample.com/mono/a v0.2.0 // indirect\n\texample.com/mono/b v0.2.0\n",
		"go.work":    "// Each published module at its required version.\nreplace (\n\texample.com/mono/a v0.2.0 => ./a\n\texample.com/mono/b v0.2.0 => ./b\n)\n",
	} {
		data, err := os.ReadFile(filepath.Join(m.root, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("%s after bump:\n%s\nwant it to hold:\n%s", name, data, want)
		}
	}
	if v, err := m.workspace().version(); err != nil || v != "v0.2.0" {
		t.Errorf("version() after bump = %s, %v", v, err)
	}
}

// TestProxyServesTheTree builds the proxy and uses it as the only GOPROXY: the module zips hold
// what git would commit, without nested modules or ignored files, and the go command accepts the
// sums the check writes into go.sum copies.
func TestProxyServesTheTree(t *testing.T) {
	m := newMono(t, "v0.1.0")
	m.write("a/new.go", "package a\n\n// New is not committed yet, but git would add it.\nfunc New() {}\n")
	w := m.workspace()
	p, err := buildProxy(w, t.TempDir(), "v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(filepath.Join(p.dir, "example.com/mono/a/@v/v0.1.0.zip"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	slices.Sort(names)
	if want := []string{"example.com/mono/a@v0.1.0/a.go", "example.com/mono/a@v0.1.0/go.mod", "example.com/mono/a@v0.1.0/new.go"}; !slices.Equal(names, want) {
		t.Errorf("zip of a holds %v, want %v", names, want)
	}

	dir := t.TempDir()
	env := mergeEnv(os.Environ(), []string{"GOWORK=off", "GOPROXY=" + p.URL(), "GONOSUMDB=example.com/mono",
		"GOMODCACHE=" + filepath.Join(t.TempDir(), "mc"), "GOFLAGS=-modcacherw", "GOTOOLCHAIN=local"})
	gorun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	gorun("mod", "init", "example.com/user")
	gorun("get", "example.com/mono/b@v0.1.0")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport \"example.com/mono/b\"\n\nfunc main() { print(b.Twice()) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gorun("mod", "tidy")
	if out := gorun("run", "."); out != "hellohello" {
		t.Errorf("the consumer printed %q", out)
	}
	sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range p.sums {
		if !strings.Contains(string(sum), line+"\n") {
			t.Errorf("the go command's go.sum has no line %q:\n%s", line, sum)
		}
	}
}

func TestCheckPassesAndFails(t *testing.T) {
	ctx := context.Background()
	m := newMono(t, "v0.1.0")
	log, err := m.check(ctx, "")
	if err != nil {
		t.Fatalf("check of a good tree: %v\n%s", err, log)
	}
	for _, want := range []string{"ok   GOWORK=off go vet ./... in app", "ok   consumer of b"} {
		if !strings.Contains(log, want) {
			t.Errorf("log has no %q:\n%s", want, log)
		}
	}

	// b uses an API of a that is only in the workspace's a, not in a's published go.mod
	// requirements: a needs a module it does not require. Inside the workspace nothing fails.
	m.write("a/a.go", "// Package a greets.\npackage a\n\nimport \"example.com/mono/app/lib\"\n\n// Hello greets.\nfunc Hello() string { return lib.X }\n")
	m.write("app/lib/lib.go", "package lib\n\n// X is a greeting.\nconst X = \"hi\"\n")
	log, err = m.check(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "GOWORK=off go vet in a") || !strings.Contains(err.Error(), "consumer of b") {
		t.Fatalf("check of a module importing a package its go.mod does not require: %v\n%s", err, log)
	}
}

func TestAPICheck(t *testing.T) {
	ctx := context.Background()
	m := newMono(t, "v0.1.0")
	m.git("tag", "a/v0.1.0")
	m.git("tag", "b/v0.1.0")
	var log strings.Builder
	logf := func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }
	if err := apiCheck(ctx, m.workspace(), "v0.1.1", logf); err != nil {
		t.Fatalf("no change: %v\n%s", err, log.String())
	}
	m.write("a/a.go", "// Package a greets.\npackage a\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n\n// Hi greets shortly.\nfunc Hi() string { return \"hi\" }\n")
	m.git("commit", "-q", "-am", "a: Bye is gone")

	log.Reset()
	err := apiCheck(ctx, m.workspace(), "v0.1.1", logf)
	if err == nil || !strings.Contains(err.Error(), "a: 1 incompatible API changes since a/v0.1.0") {
		t.Fatalf("a removed function in a patch release: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "- Bye: removed") {
		t.Errorf("the report does not name the removed function:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "api  b: compatible with b/v0.1.0") {
		t.Errorf("b did not change:\n%s", log.String())
	}

	log.Reset()
	if err := apiCheck(ctx, m.workspace(), "v0.2.0", logf); err != nil {
		t.Fatalf("a removed function in a new minor version under v0: %v", err)
	}
	if !strings.Contains(log.String(), "1 incompatible changes since a/v0.1.0, allowed from v0.1.0 to v0.2.0") {
		t.Errorf("the allowed break is not reported:\n%s", log.String())
	}
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	m := newMono(t, "v0.0.1")
	opt := checkOptions{tmpParent: t.TempDir(), logf: t.Logf}
	if err := release(ctx, m.workspace(), m.config(), "v0.1.0", opt); err != nil {
		t.Fatal(err)
	}
	tags := strings.Fields(m.git("tag", "--list", "--points-at", "HEAD"))
	if want := []string{"a/v0.1.0", "b/v0.1.0"}; !slices.Equal(tags, want) {
		t.Errorf("tags at HEAD: %v, want %v", tags, want)
	}
	if msg := m.git("log", "-1", "--format=%s"); msg != "release: every module requires its siblings at v0.1.0" {
		t.Errorf("HEAD is %q", msg)
	}
	if st := m.git("status", "--porcelain"); st != "" {
		t.Errorf("the tree is not clean after the release:\n%s", st)
	}

	if err := release(ctx, m.workspace(), m.config(), "v0.1.0", opt); err == nil || !strings.Contains(err.Error(), "already released") {
		t.Errorf("releasing v0.1.0 again: %v", err)
	}
	if err := release(ctx, m.workspace(), m.config(), "v0.2.0", opt); err == nil || !strings.Contains(err.Error(), "CHANGELOG.md has no section") {
		t.Errorf("a release without its changelog entry: %v", err)
	}

	// A failing check undoes the release commit and makes no tag.
	m.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [0.2.0]\n\n## [0.1.0] - 2026-01-01\n")
	m.write("consumer/main.go", "package main\n\nfunc main() { panic(\"the consumer fails\") }\n")
	m.git("commit", "-q", "-am", "a consumer that fails")
	head := m.git("rev-parse", "HEAD")
	err := release(ctx, m.workspace(), m.config(), "v0.2.0", opt)
	if err == nil || !strings.Contains(err.Error(), "consumer of b") {
		t.Fatalf("a release whose check fails: %v", err)
	}
	if got := m.git("rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD is %s after a failed release, want %s", got, head)
	}
	if tags := m.git("tag", "--list", "*/v0.2.0"); tags != "" {
		t.Errorf("a failed release made tags: %s", tags)
	}
}

// TestCheckSeesTheTreeOfEachRun: a second run at the same version, after a file was added to a
// module, builds the new tree, not what the module cache's index remembers of the first run's.
func TestCheckSeesTheTreeOfEachRun(t *testing.T) {
	ctx := context.Background()
	m := newMono(t, "v0.1.0")
	if log, err := m.check(ctx, ""); err != nil {
		t.Fatalf("first check: %v\n%s", err, log)
	}
	m.write("a/more.go", "package a\n\n// greeting is in a file of its own.\nconst greeting = \"hello again\"\n")
	m.write("a/a.go", "// Package a greets.\npackage a\n\n// Hello greets.\nfunc Hello() string { return greeting }\n\n// Bye says goodbye.\nfunc Bye() string { return \"bye\" }\n")
	m.git("add", "-A")
	m.git("commit", "-q", "-m", "a: a file more")
	if log, err := m.check(ctx, ""); err != nil {
		t.Fatalf("second check, a file added to a: %v\n%s", err, log)
	}
}
