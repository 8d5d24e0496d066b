package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestVersion runs the command in this test binary, whose build information Go fills in as
// for any binary built from this checkout.
func TestVersion(t *testing.T) {
	t.Parallel()
	r := runArgs(t, "version")
	success(t, r)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("a test binary carries build information")
	}
	assert.Equal(t, versionText(info), r.stdout)
	first, _, _ := strings.Cut(r.stdout, "\n")
	assert.Regexp(t, `^jwtkit (\(devel\)|v\d+\.\d+\.\d+\S*)$`, first)
	assert.Contains(t, r.stdout, "built with "+runtime.Version()+" for "+runtime.GOOS+"/"+runtime.GOARCH+"\n")

	usageFailure(t, runArgs(t, "version", "extra"), "version", `takes no arguments, got "extra"`)
}

func TestVersionText(t *testing.T) {
	t.Parallel()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cases := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"released", debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/jwtkit/jwtkit/cmd/jwtkit", Version: "v1.2.3"}},
			"jwtkit v1.2.3\nbuilt with go1.26.1 for " + platform + "\n"},
		{"checkout with a commit", debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"jwtkit (devel)\nbuilt with go1.26.1 for " + platform + "\ncommit 0123abcd (2026-05-01T10:00:00Z), with uncommitted changes\n"},
		{"no version recorded", debug.BuildInfo{},
			"jwtkit (devel)\nbuilt with " + runtime.Version() + " for " + platform + "\n"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, versionText(&c.info), c.name)
	}
}
