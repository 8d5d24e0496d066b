package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// goRunner runs the go command as a user outside the repository would, except that the
// repository's modules come from the local proxy: no go.work, a module cache of its own (a
// cache that ever held a sibling at this version from elsewhere would serve that copy instead),
// and no checksum database for the repository's modules, which it has never seen.
type goRunner struct {
	env     []string
	verbose bool
}

// newGoRunner chains the local proxy, the machine's module cache (read as a proxy, so modules
// already downloaded cost no network) and the proxy the user configured.
func newGoRunner(ctx context.Context, p *proxy, repo, modcache string, verbose bool) (*goRunner, error) {
	upstream, err := goEnv(ctx, "GOPROXY")
	if err != nil {
		return nil, err
	}
	shared, err := goEnv(ctx, "GOMODCACHE")
	if err != nil {
		return nil, err
	}
	chain := []string{p.URL()}
	if shared != "" {
		chain = append(chain, "file://"+filepath.ToSlash(filepath.Join(shared, "cache", "download")))
	}
	if upstream != "" && upstream != "off" {
		chain = append(chain, upstream)
	}
	env := []string{
		"GOWORK=off",
		"GOPROXY=" + strings.Join(chain, ","),
		"GOMODCACHE=" + modcache,
		"GONOSUMDB=" + repo,
		"GOPRIVATE=",
		"GONOPROXY=",
		"GOTOOLCHAIN=local",
		// -trimpath keeps the module cache's location out of the build cache keys, so the
		// packages of a module cache of its own are compiled once, not once per cache; a
		// writable cache lets the next run remove the repository's modules from it.
		"GOFLAGS=-modcacherw -trimpath",
		// The go command indexes the packages of a module cache directory once per module
		// version and trusts that index from then on, as a published version never changes.
		// The repository's own modules are re-extracted from a new tree at the same version on
		// every run, so an index of an earlier tree would hide a file added since ("undefined"
		// errors for what the new file declares): no index.
		"GODEBUG=goindex=0",
	}
	return &goRunner{env: mergeEnv(os.Environ(), env), verbose: verbose}, nil
}

// mergeEnv returns base with every variable of over set to over's value.
func mergeEnv(base, over []string) []string {
	drop := map[string]bool{}
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		drop[k] = true
	}
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	return append(out, over...)
}

func goEnv(ctx context.Context, name string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// run runs a program in dir with the runner's environment and extra variables. Its output is
// returned in the error when it fails, and streamed when verbose.
func (g *goRunner) run(ctx context.Context, dir string, extraEnv []string, name string, args ...string) error {
	_, err := g.output(ctx, dir, extraEnv, name, args...)
	return err
}

func (g *goRunner) output(ctx context.Context, dir string, extraEnv []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = mergeEnv(g.env, extraEnv)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if g.verbose {
		fmt.Fprintf(os.Stderr, "  $ (cd %s && %s %s)\n", dir, name, strings.Join(args, " "))
	}
	err := cmd.Run()
	if g.verbose && out.Len() > 0 {
		os.Stderr.Write(out.Bytes())
	}
	if err != nil {
		return out.String(), fmt.Errorf("%s %s in %s: %w\n%s", name, strings.Join(args, " "), dir, err, indent(out.String()))
	}
	return out.String(), nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
