package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// consumer is a fresh module outside the repository that needs one published module: it
// requires it with go get, takes its program, tidies, and builds or runs what the user would.
type consumer struct {
	module string      // the folder of the module it is for
	get    []string    // folders of the modules it go gets, at the checked version
	files  [][2]string // {file under the repository, name in the consumer}
	dir    string      // a folder under the repository whose files it takes as well
	steps  [][]string  // commands run in the consumer after go mod tidy
}

// cli is the command a user installs with go install, and what it is run with afterwards.
type cli struct {
	dir  string   // module folder; the command's package is the module's root
	args []string // arguments of the run that must succeed
	want string   // text the run must print
	// versionArgs, when set, make a second run that must print the version installed: the
	// module version the build recorded, as a user's `go install …@vX.Y.Z` records it.
	versionArgs []string
}

// checkConfig is what the release check builds: one consumer per library module, and the CLI.
type checkConfig struct {
	consumers []consumer
	cli       *cli
}

// source is the folder of the repository the consumer's program comes from.
func (c consumer) source() string {
	if c.dir != "" || len(c.files) == 0 {
		return c.dir
	}
	return path.Dir(c.files[0][0])
}

// jwtkitCheck is the check of this repository. The framework programs are the getting-started
// programs of docs/snippets, taken as they are (their main_test.go needs the docs module's
// internal walkthrough, so it stays behind); the others are the small programs in
// tools/release/testdata/consumers, where neither this module nor the workspace builds them:
// they need the published modules. The gRPC adapter has both: its own program runs the
// interceptor, and the getting-started program, which also needs the net/http adapter for the
// token endpoints, is built as a reader who copies it gets it.
func jwtkitCheck() checkConfig {
	snippet := func(fw string) consumer {
		return consumer{
			module: "adapters/" + fw,
			get:    []string{"adapters/" + fw},
			files: [][2]string{
				{"docs/snippets/" + fw + "/main.go", "main.go"},
				{"docs/snippets/" + fw + "/setup.go", "setup.go"},
			},
			steps: [][]string{{"go", "vet", "./..."}, {"go", "build", "-o", os.DevNull, "."}},
		}
	}
	own := func(dir, name string, get []string, steps ...[]string) consumer {
		return consumer{
			module: dir,
			get:    get,
			dir:    "tools/release/testdata/consumers/" + name,
			steps:  append([][]string{{"go", "vet", "./..."}}, steps...),
		}
	}
	run := []string{"go", "run", "."}
	return checkConfig{
		consumers: []consumer{
			own("core", "core", []string{"core"}, run),
			snippet("nethttp"),
			snippet("gin"),
			snippet("echo"),
			snippet("echov5"),
			snippet("fiber"),
			snippet("fiberv3"),
			own("adapters/grpc", "grpc", []string{"adapters/grpc", "stores/memory"}, run),
			snippet("grpc"),
			own("adapters/adaptertest", "adaptertest", []string{"adapters/adaptertest", "adapters/nethttp"},
				[]string{"go", "test", "-count=1", "./..."}),
			own("stores/memory", "memory", []string{"stores/memory"}, run),
			own("stores/redis", "redis", []string{"stores/redis"}, []string{"go", "build", "-o", os.DevNull, "."}),
			own("stores/sql", "sql", []string{"stores/sql"}, run),
			own("stores/open", "open", []string{"stores/open"}, run),
			own("django", "django", []string{"django"}, run),
			own("stores/storetest", "storetest", []string{"stores/storetest", "stores/memory"},
				[]string{"go", "test", "-count=1", "-run", "TestConformance/(Revoke|RevokeOnce|RevokeOnceRace|UserCutoff|Family)$", "./..."}),
		},
		cli: &cli{dir: "cmd/jwtkit", args: []string{"--help"}, want: "Usage: jwtkit", versionArgs: []string{"version"}},
	}
}

// checkOptions are the knobs of one run of the release check.
type checkOptions struct {
	verbose   bool
	keep      bool // keep the temporary folder (proxy, consumers, module cache) for a look
	vetOnly   bool // only vet each module with GOWORK=off against the proxy
	version   string
	logf      func(format string, args ...any)
	tmpParent string
}

// checkEnv is a proxy of the working tree and a go command that uses it, in a temporary folder.
type checkEnv struct {
	tmp    string
	proxy  *proxy
	g      *goRunner
	keep   bool
	logf   func(format string, args ...any)
	unlock func() error
}

func newCheckEnv(ctx context.Context, w *workspace, v string, opt checkOptions) (_ *checkEnv, err error) {
	tmp, err := os.MkdirTemp(opt.tmpParent, "jwtkit-release-")
	if err != nil {
		return nil, err
	}
	e := &checkEnv{tmp: tmp, keep: opt.keep, logf: opt.logf}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.close())
		}
	}()
	modcache, err := checkModCache()
	if err != nil {
		return nil, err
	}
	// One run at a time uses the module cache: each puts its own tree there under the same
	// versions.
	if e.unlock, err = lockFile(modcache + ".lock"); err != nil {
		return nil, err
	}
	if err := forgetModules(modcache, w.repo); err != nil {
		return nil, err
	}
	if e.proxy, err = buildProxy(w, filepath.Join(tmp, "proxy"), v); err != nil {
		return nil, err
	}
	if e.g, err = newGoRunner(ctx, e.proxy, w.repo, modcache, opt.verbose); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *checkEnv) close() error {
	var err error
	if e.unlock != nil {
		err = e.unlock()
	}
	if e.keep {
		e.logf("kept %s", e.tmp)
		return err
	}
	return errors.Join(err, os.RemoveAll(e.tmp))
}

// checkModCache is the module cache of the check: its own, since it serves the repository's
// modules at versions that may also exist as real releases, and kept between runs so other
// modules are downloaded and extracted once. JWTKIT_RELEASE_MODCACHE overrides its place.
func checkModCache() (string, error) {
	if dir := os.Getenv("JWTKIT_RELEASE_MODCACHE"); dir != "" {
		return filepath.Abs(dir)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "jwtkit-release", "modcache"), nil
}

// forgetModules removes the repository's modules from the module cache, extracted and
// downloaded, so this run's proxy is the only source of them.
func forgetModules(modcache, repo string) error {
	for _, d := range []string{modcache, filepath.Join(modcache, "cache", "download")} {
		if err := os.RemoveAll(filepath.Join(d, filepath.FromSlash(repo))); err != nil {
			return err
		}
	}
	return nil
}

// runCheck builds the proxy of the working tree and runs the whole check against it.
func runCheck(ctx context.Context, w *workspace, cfg checkConfig, opt checkOptions) (err error) {
	start := time.Now()
	var failures []error
	fail := func(what string, err error) {
		opt.logf("FAIL %s", what)
		failures = append(failures, fmt.Errorf("%s: %w", what, err))
	}
	// A problem in the go.mod files is reported with everything else when a version to check
	// is given, so one run shows what a user would meet.
	v, verr := w.version()
	switch {
	case opt.version != "":
		v = opt.version
		if verr != nil {
			fail("go.mod files", verr)
		}
	case verr != nil:
		return verr
	}
	env, err := newCheckEnv(ctx, w, v, opt)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.close()) }()
	p, g, tmp := env.proxy, env.g, env.tmp
	opt.logf("proxy of %d modules at %s (%s)", len(w.published()), v, p.URL())

	for _, m := range w.modules {
		t := time.Now()
		if err := vetOutside(ctx, g, w, m, p, tmp); err != nil {
			fail("GOWORK=off go vet in "+m.dir, err)
			continue
		}
		opt.logf("ok   GOWORK=off go vet ./... in %s (%s)", m.dir, since(t))
	}
	if opt.vetOnly {
		return joinFailures(failures, start)
	}

	for _, c := range cfg.consumers {
		t := time.Now()
		n, err := runConsumer(ctx, g, w, c, v, tmp)
		if err != nil {
			fail("consumer of "+c.module+" ("+c.source()+")", err)
			continue
		}
		opt.logf("ok   consumer of %s (%s): go get, go mod tidy (%d modules in go list -m all), %s (%s)", c.module, c.source(), n, stepNames(c.steps), since(t))
	}
	if cfg.cli != nil {
		t := time.Now()
		if err := installCLI(ctx, g, w, cfg.cli, v, tmp); err != nil {
			fail("go install of "+cfg.cli.dir, err)
		} else {
			opt.logf("ok   go install %s@%s, then %s %s (%s)", w.byDir(cfg.cli.dir).path, v, filepath.Base(cfg.cli.dir),
				strings.Join(append(append([]string{}, cfg.cli.args...), cfg.cli.versionArgs...), ", "), since(t))
		}
	}
	return joinFailures(failures, start)
}

func joinFailures(failures []error, start time.Time) error {
	if len(failures) > 0 {
		return fmt.Errorf("release check failed after %s:\n%w", since(start), errors.Join(failures...))
	}
	return nil
}

func since(t time.Time) string { return time.Since(t).Round(100 * time.Millisecond).String() }

func stepNames(steps [][]string) string {
	var names []string
	for _, s := range steps {
		names = append(names, strings.Join(s[:min(len(s), 2)], " "))
	}
	return strings.Join(names, ", ")
}

// vetOutside vets a module with GOWORK=off, its siblings from the proxy. The go command reads
// a copy of the module's go.mod and go.sum (-modfile), the go.sum completed with the siblings'
// hashes as they will be at the tag, so nothing in the tree changes and a requirement or a
// checksum that only the workspace supplies still fails.
func vetOutside(ctx context.Context, g *goRunner, w *workspace, m *mod, p *proxy, tmp string) error {
	modFile, err := tempModFile(w, m, p, filepath.Join(tmp, "vet", filepath.FromSlash(m.dir)))
	if err != nil {
		return err
	}
	return g.run(ctx, filepath.Join(w.root, filepath.FromSlash(m.dir)), nil, "go", "vet", "-modfile="+modFile, "./...")
}

// tempModFile copies m's go.mod and go.sum into dir, adding the siblings' go.sum lines, and
// returns the go.mod's path.
func tempModFile(w *workspace, m *mod, p *proxy, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	src := filepath.Join(w.root, filepath.FromSlash(m.dir))
	goMod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return "", err
	}
	goSum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	sum := strings.TrimRight(string(goSum), "\n")
	if sum != "" {
		sum += "\n"
	}
	sum += strings.Join(p.sums, "\n") + "\n"
	modFile := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(modFile, goMod, 0o644); err != nil {
		return "", err
	}
	return modFile, os.WriteFile(filepath.Join(dir, "go.sum"), []byte(sum), 0o644)
}

// runConsumer makes the consumer module and runs its steps. It returns the number of modules
// in the consumer's build list.
func runConsumer(ctx context.Context, g *goRunner, w *workspace, c consumer, v, tmp string) (int, error) {
	// Named after the program rather than the module: one module may have two consumers.
	dir := filepath.Join(tmp, "consumers", strings.ReplaceAll(c.source(), "/", "-"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	if err := g.run(ctx, dir, nil, "go", "mod", "init", "example.com/consumer"); err != nil {
		return 0, err
	}
	get := []string{"get"}
	for _, d := range c.get {
		m := w.byDir(d)
		if m == nil || !m.published {
			return 0, fmt.Errorf("%s is not a published module of go.work", d)
		}
		get = append(get, m.path+"@"+v)
	}
	if err := g.run(ctx, dir, nil, "go", get...); err != nil {
		return 0, err
	}
	files := c.files
	if c.dir != "" {
		entries, err := os.ReadDir(filepath.Join(w.root, filepath.FromSlash(c.dir)))
		if err != nil {
			return 0, err
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, [2]string{c.dir + "/" + e.Name(), e.Name()})
			}
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(w.root, filepath.FromSlash(f[0])))
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, f[1]), data, 0o644); err != nil {
			return 0, err
		}
	}
	if err := g.run(ctx, dir, nil, "go", "mod", "tidy"); err != nil {
		return 0, err
	}
	for _, s := range c.steps {
		if err := g.run(ctx, dir, nil, s[0], s[1:]...); err != nil {
			return 0, err
		}
	}
	out, err := g.output(ctx, dir, nil, "go", "list", "-m", "all")
	if err != nil {
		return 0, err
	}
	return len(strings.Split(strings.TrimSpace(out), "\n")), nil
}

// installCLI installs the command at v the way its README says, from outside any module, and
// runs it.
func installCLI(ctx context.Context, g *goRunner, w *workspace, c *cli, v, tmp string) error {
	m := w.byDir(c.dir)
	if m == nil || !m.published {
		return fmt.Errorf("%s is not a published module of go.work", c.dir)
	}
	bin := filepath.Join(tmp, "bin")
	dir := filepath.Join(tmp, "install")
	for _, d := range []string{bin, dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := g.run(ctx, dir, []string{"GOBIN=" + bin}, "go", "install", m.path+"@"+v); err != nil {
		return err
	}
	exe := filepath.Join(bin, filepath.Base(m.path))
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	out, err := g.output(ctx, dir, nil, exe, c.args...)
	if err != nil {
		return err
	}
	if !strings.Contains(out, c.want) {
		return fmt.Errorf("%s %s printed no %q:\n%s", exe, strings.Join(c.args, " "), c.want, indent(out))
	}
	if c.versionArgs == nil {
		return nil
	}
	if out, err = g.output(ctx, dir, nil, exe, c.versionArgs...); err != nil {
		return err
	}
	if !strings.Contains(out, " "+v) {
		return fmt.Errorf("%s %s does not print the installed version %s:\n%s", exe, strings.Join(c.versionArgs, " "), v, indent(out))
	}
	return nil
}
