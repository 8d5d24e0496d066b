package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func versionCommand() *command {
	return &command{
		name:     "version",
		synopsis: "",
		summary:  "print this jwtkit's module version and the Go it was built with",
		about: `
Print the module version of this binary as Go recorded it at build time, then the Go version
and platform, and the commit when the build recorded one.

A binary installed with 'go install github.com/jwtkit/jwtkit/cmd/jwtkit@v1.2.3' says v1.2.3.
Built from a clone of the repository (go build, go run, or go install ./cmd/jwtkit) it says
(devel): Go gives a module built from its own source tree no version. A commit line follows
when Go recorded the commit in the binary.

Example:
  jwtkit version`,
		setup: func(a *app, _ *flag.FlagSet) func(context.Context, []string) error {
			return func(_ context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				info, ok := debug.ReadBuildInfo()
				if !ok {
					return errors.New("this binary carries no build information (built without module support)")
				}
				fmt.Fprint(a.stdout, versionText(info))
				return nil
			}
		},
	}
}

// versionText is what version prints for info.
func versionText(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "jwtkit %s\n", version)
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	fmt.Fprintf(&b, "built with %s for %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	var revision, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision != "" {
		fmt.Fprintf(&b, "commit %s", revision)
		if at != "" {
			fmt.Fprintf(&b, " (%s)", at)
		}
		if modified {
			b.WriteString(", with uncommitted changes")
		}
		b.WriteString("\n")
	}
	return b.String()
}
