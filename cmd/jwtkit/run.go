package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Exit codes: 2 for anything the caller can fix by changing the command line or the settings
// (the convention of flag and of most Unix tools), 1 for a failure while doing the work.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// app is one run of the command line, with its standard streams, environment and clock, so
// tests run it with buffers, an environment of their own and in parallel.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
}

// run is the whole program; main only passes it the process's streams and exits with its code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// go-redis logs every failed dial to the process's stderr; the command's own one-line
	// error says what went wrong.
	redis.SetLogger(discardLogger{})
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return a.run(ctx, args)
}

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

// command is one subcommand. setup declares its flags on fs and returns the action, which
// reads them once fs has parsed the command line.
type command struct {
	name     string
	synopsis string // what follows the name in the usage line
	summary  string // one line for the command list
	about    string // the paragraphs of --help between the usage line and the flags
	env      [][2]string
	setup    func(a *app, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// commands in the order the help lists them.
func commands() []*command {
	return []*command{migrateCommand(), flushExpiredCommand(), revokeUserCommand(), revokeJTICommand(),
		keygenCommand(), inspectCommand(), versionCommand()}
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && name == "help" && args[1] != "help" {
			c := findCommand(args[1])
			if c == nil {
				return a.unknownCommand(args[1])
			}
			fs := newFlagSet(c.name)
			c.setup(a, fs)
			a.commandHelp(a.stdout, c, fs)
			return exitOK
		}
		a.usage(a.stdout)
		return exitOK
	}
	c := findCommand(name)
	if c == nil {
		return a.unknownCommand(name)
	}
	return a.runCommand(ctx, c, args[1:])
}

func (a *app) unknownCommand(name string) int {
	fmt.Fprintf(a.stderr, "jwtkit: unknown command %q\n\n", name)
	a.usage(a.stderr)
	return exitUsage
}

func (a *app) runCommand(ctx context.Context, c *command, args []string) int {
	fs := newFlagSet(c.name)
	action := c.setup(a, fs)
	positional, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		a.commandHelp(a.stdout, c, fs)
		return exitOK
	}
	if err != nil {
		err = usageError{err}
	} else {
		err = action(ctx, positional)
	}
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	msg := oneLine(err.Error())
	if code == exitUsage {
		msg += fmt.Sprintf(" (see 'jwtkit %s --help')", c.name)
	}
	fmt.Fprintf(a.stderr, "jwtkit %s: %s\n", c.name, msg)
	return code
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors and help are printed by runCommand, in one line and on the right stream.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses flags wherever they stand, before or after the positional arguments
// (flag stops at the first argument that is not a flag), until a "--" after which everything
// is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `jwtkit administers a jwtkit deployment: its revocation store, its keys and its tokens.

Usage: jwtkit <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help           show this list, or a command's help (jwtkit help <command>)

Run 'jwtkit <command> --help' for a command's flags and the environment variables it reads.
`)
}

func (a *app) commandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", strings.TrimSpace("jwtkit "+c.name+" "+c.synopsis), strings.TrimSpace(c.about))
	fmt.Fprint(w, "\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		valueName, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if valueName != "" {
			line += " " + valueName
		}
		fmt.Fprintf(w, "%s\n      %s", line, usage)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprint(w, "  --help\n      show this help\n")
	if len(c.env) > 0 {
		fmt.Fprint(w, "\nEnvironment:\n")
		for _, e := range c.env {
			fmt.Fprintf(w, "  %-26s %s\n", e[0], e[1])
		}
	}
}

// usageError is a mistake on the command line or in the settings: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitCode is 2 for usage errors and for settings the suite refuses (an unknown store kind, a
// weak key: jwtkit.ErrInvalidConfig), 1 for everything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, jwtkit.ErrInvalidConfig) {
		return exitUsage
	}
	return exitFailure
}

// oneLine keeps an error message on one line of the terminal, whatever a driver put in it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// durationFlag is a flag holding a Go duration, with an error message that says what is
// expected, and a record of whether it was given.
type durationFlag struct {
	d   time.Duration
	set bool
}

func (f *durationFlag) String() string {
	if f == nil || !f.set && f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return errors.New("not a Go duration (like 30s, 90m or 24h)")
	}
	f.d, f.set = d, true
	return nil
}

// envDuration reads a positive duration from the environment, def when the variable is empty.
func (a *app) envDuration(name string, def time.Duration) (time.Duration, error) {
	v := a.getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("%s=%q is not a positive Go duration (like 5m or 24h)", name, v)
	}
	return d, nil
}

// Token lifetimes as the example servers read them (JWTKIT_ACCESS_TTL, JWTKIT_REFRESH_TTL).
func (a *app) accessTTL() (time.Duration, error) {
	return a.envDuration("JWTKIT_ACCESS_TTL", jwtkit.DefaultAccessTokenLifetime)
}

func (a *app) refreshTTL() (time.Duration, error) {
	return a.envDuration("JWTKIT_REFRESH_TTL", jwtkit.DefaultRefreshTokenLifetime)
}

// utc formats a time the way every command prints times.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }
