package main

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var commandNames = []string{"migrate", "flush-expired", "revoke-user", "revoke-jti", "keygen", "inspect", "version"}

func TestHelpListsEveryCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"-help"}} {
		r := runArgs(t, args...)
		success(t, r)
		assert.Contains(t, r.stdout, "Usage: jwtkit <command>")
		for _, name := range commandNames {
			assert.Contains(t, r.stdout, "\n  "+name+" ", args)
		}
	}
}

func TestNoCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	r := runArgs(t)
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "Usage: jwtkit <command>")
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"frobnicate"}, {"help", "frobnicate"}, {"--store"}} {
		r := runArgs(t, args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Empty(t, r.stdout)
		assert.True(t, strings.HasPrefix(r.stderr, "jwtkit: unknown command "), r.stderr)
		assert.Contains(t, r.stderr, "Usage: jwtkit <command>", "usage follows the error")
	}
}

// TestCommandHelp checks every command's help: the usage line, every flag it declares, and
// the environment variables it reads, on stdout with exit status 0, the same through
// "jwtkit help <command>".
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	envs := map[string][]string{
		"migrate":       {"JWTKIT_STORE", "JWTKIT_STORE_DSN"},
		"flush-expired": {"JWTKIT_STORE", "JWTKIT_STORE_DSN"},
		"revoke-user":   {"JWTKIT_ACCESS_TTL", "JWTKIT_REFRESH_TTL", "JWTKIT_STORE", "JWTKIT_STORE_DSN"},
		"revoke-jti":    {"JWTKIT_REFRESH_TTL", "JWTKIT_STORE", "JWTKIT_STORE_DSN"},
		"keygen":        {"JWTKIT_ALGORITHM"},
		"inspect":       {"JWTKIT_SIGNING_KEY", "JWTKIT_ALGORITHM", "JWTKIT_PRIVATE_KEY_FILE", "JWTKIT_STORE", "JWTKIT_STORE_DSN"},
	}
	for _, name := range commandNames {
		r := runArgs(t, name, "--help")
		success(t, r)
		usage, _, _ := strings.Cut(r.stdout, "\n")
		assert.True(t, usage == "Usage: jwtkit "+name || strings.HasPrefix(usage, "Usage: jwtkit "+name+" "), r.stdout)
		fs := newFlagSet(name)
		findCommand(name).setup(&app{}, fs)
		count := 0
		fs.VisitAll(func(f *flag.Flag) {
			count++
			assert.Contains(t, r.stdout, "\n  --"+f.Name, "%s documents --%s", name, f.Name)
		})
		if name == "version" {
			assert.Zero(t, count, "version takes no flags")
			assert.NotContains(t, r.stdout, "\nEnvironment:\n", "version reads no environment")
		} else {
			assert.Positive(t, count)
			assert.Contains(t, r.stdout, "\nEnvironment:\n")
		}
		for _, env := range envs[name] {
			assert.Contains(t, r.stdout, "\n  "+env+" ", "%s documents %s", name, env)
		}
		assert.Equal(t, r, runArgs(t, "help", name), "jwtkit help "+name)
		assert.Equal(t, r, runArgs(t, name, "revoke-me", "-h"), "help wins over arguments")
	}
}

func TestUnknownFlag(t *testing.T) {
	t.Parallel()
	for _, name := range commandNames {
		r := runArgs(t, name, "--frobnicate")
		usageFailure(t, r, name, "flag provided but not defined: -frobnicate")
		assert.Empty(t, r.stdout)
	}
}

func TestFlagWithoutValue(t *testing.T) {
	t.Parallel()
	usageFailure(t, runArgs(t, "keygen", "--alg"), "keygen", "flag needs an argument: -alg")
}

func TestBadDurationFlag(t *testing.T) {
	t.Parallel()
	r := runArgs(t, "revoke-user", "7", "--timeout", "soon")
	usageFailure(t, r, "revoke-user", `invalid value "soon" for flag -timeout: not a Go duration`)
}

func TestParseArgsTakesFlagsAnywhere(t *testing.T) {
	t.Parallel()
	fs := newFlagSet("x")
	a := fs.String("a", "", "")
	b := fs.Bool("b", false, "")
	pos, err := parseArgs(fs, []string{"one", "-a", "1", "two", "-b", "--", "-c", "three"})
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "two", "-c", "three"}, pos)
	assert.Equal(t, "1", *a)
	assert.True(t, *b)

	pos, err = parseArgs(newFlagSet("y"), []string{"-"})
	require.NoError(t, err)
	assert.Equal(t, []string{"-"}, pos, `"-" is an argument: standard input`)
}

// TestRunWithTheProcessEnvironment goes through run itself, as main does: the environment
// is the process's.
func TestRunWithTheProcessEnvironment(t *testing.T) {
	t.Setenv("JWTKIT_ALGORITHM", "EdDSA")
	t.Setenv("JWTKIT_STORE", "memory")
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"keygen"}, strings.NewReader(""), &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "-----BEGIN PRIVATE KEY-----")

	stdout.Reset()
	assert.Equal(t, exitUsage, run([]string{"revoke-user", "7"}, strings.NewReader(""), &stdout, &stderr))
	assert.Contains(t, stderr.String(), "the memory store lives inside each server process")
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a b c", oneLine("a\nb\r\n\tc\n"))
}

func TestHelpHelp(t *testing.T) {
	t.Parallel()
	r := runArgs(t, "help", "help")
	success(t, r)
	assert.Contains(t, r.stdout, "Usage: jwtkit <command>")
}
