// Command release checks that the repository's modules work once published, and releases them.
//
//	go run ./tools/release check            the release check (make release-check, make test)
//	go run ./tools/release vet              only GOWORK=off go vet of every module (make vet)
//	go run ./tools/release tidy             go mod tidy of every module (make tidy)
//	go run ./tools/release apicheck vX.Y.Z  the API compatibility check against the last tags
//	go run ./tools/release release vX.Y.Z   the release procedure (make release VERSION=vX.Y.Z)
//
// The check builds a module proxy in a temporary folder from the files git would commit,
// every published module at the one version the go.mod files require their siblings at, and
// then works as a user would, outside the repository and without go.work: GOWORK=off go vet
// of every module, a fresh consumer module per library module (go get, go mod tidy, build or
// run its program), and go install of the CLI. Modules come from that proxy, then from the
// machine's module cache, then from the configured GOPROXY: nothing else is fetched.
//
// Run it from the repository root (or pass -C).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: go run ./tools/release [-C dir] [-v] [-keep] <command> [version]

commands:
  check [version]    the release check; the version defaults to the one the go.mod files require
  vet                GOWORK=off go vet ./... in every module, siblings from the local proxy
  tidy               GOWORK=off go mod tidy in every module, siblings from the local proxy
  bump version       require every sibling at version in every go.mod
  apicheck version   compare each published module's API with its latest tag below version
  release version    bump, commit, check, compare APIs and tag every published module (no push)
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	root := fs.String("C", ".", "repository root (where go.work is)")
	verbose := fs.Bool("v", false, "print every command and its output")
	keep := fs.Bool("keep", false, "keep the temporary folder (proxy, consumers, module cache)")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	logf := func(format string, a ...any) { fmt.Fprintf(stdout, format+"\n", a...) }
	opt := checkOptions{verbose: *verbose, keep: *keep, logf: logf}

	cmd, rest := fs.Arg(0), fs.Args()[1:]
	version := func() (string, error) {
		if len(rest) != 1 {
			return "", fmt.Errorf("%s needs one version, such as v0.1.0", cmd)
		}
		return rest[0], checkReleaseVersion(rest[0])
	}
	w, err := loadWorkspace(*root, unpublished)
	if err == nil {
		switch cmd {
		case "check":
			if len(rest) > 1 {
				err = errors.New("check takes at most one version")
				break
			}
			if len(rest) == 1 {
				opt.version = rest[0]
			}
			err = runCheck(ctx, w, jwtkitCheck(), opt)
		case "vet":
			opt.vetOnly = true
			err = runCheck(ctx, w, checkConfig{}, opt)
		case "tidy":
			err = tidy(ctx, w, opt)
		case "bump":
			var v string
			if v, err = version(); err == nil {
				var changed []string
				changed, err = w.bump(v)
				for _, c := range changed {
					logf("bumped %s", c)
				}
			}
		case "apicheck":
			var v string
			if v, err = version(); err == nil {
				err = apiCheck(ctx, w, v, logf)
			}
		case "release":
			var v string
			if v, err = version(); err == nil {
				err = release(ctx, w, jwtkitCheck(), v, opt)
			}
		default:
			fs.Usage()
			return 2
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
