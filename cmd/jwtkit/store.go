package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"time"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// storeFlags are the flags of every command that uses the revocation store. Without them the
// store is the one the example servers use with the same environment (storeopen.FromEnv).
type storeFlags struct {
	kind        string
	dsn         string
	tablePrefix string
	keyPrefix   string
	timeout     durationFlag
}

// storeEnv documents the variables storeFlags fall back to.
var storeEnv = [][2]string{
	{"JWTKIT_STORE", "the store kind when --store is not given (default sqlite)"},
	{"JWTKIT_STORE_DSN", "where that store is, when --dsn is not given; ignored when --store names another kind"},
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.kind, "store", "", "store `kind`: memory, sqlite, redis, postgres or mysql (default $JWTKIT_STORE, else sqlite)")
	fs.StringVar(&f.dsn, "dsn", "", "where the store is (default $JWTKIT_STORE_DSN, else per kind: "+
		"redis://127.0.0.1:6379/0, postgres://postgres@127.0.0.1:5432/test?sslmode=disable, "+
		"root@tcp(127.0.0.1:3306)/test?parseTime=true, or jwtkit.sqlite3 in the OS temp directory)")
	fs.StringVar(&f.tablePrefix, "table-prefix", "", "`prefix` of the SQL store's table names (default jwtkit_)")
	fs.StringVar(&f.keyPrefix, "key-prefix", "", "`prefix` of the Redis store's keys (default jwtkit:)")
	f.timeout = durationFlag{d: time.Minute}
	fs.Var(&f.timeout, "timeout", "give up on the store after this `duration`; 0 waits as long as it takes")
}

// given reports whether the caller named a store, on the command line or in the environment,
// rather than leaving it to the default.
func (f *storeFlags) given(a *app) bool {
	return f.kind != "" || f.dsn != "" || f.tablePrefix != "" || f.keyPrefix != "" ||
		a.getenv(storeopen.EnvStore) != "" || a.getenv(storeopen.EnvDSN) != ""
}

// settings are the environment's store settings with the flags laid over them. The DSN from
// the environment belongs to the environment's kind: --store naming another kind starts from
// that kind's default DSN instead.
func (f *storeFlags) settings(a *app) (storeopen.Settings, error) {
	s := storeopen.FromEnvFunc(a.getenv)
	if f.kind != "" && f.kind != s.Kind {
		s.Kind, s.DSN = f.kind, storeopen.DefaultDSN(f.kind)
	}
	if f.dsn != "" {
		s.DSN = f.dsn
	}
	if slices.Contains(storeopen.Kinds(), s.Kind) { // an unknown kind is Open's to report
		if f.tablePrefix != "" && !storeopen.IsSQL(s.Kind) {
			return s, usagef("--table-prefix is for the SQL stores (sqlite, postgres, mysql), not %s", s.Kind)
		}
		if f.keyPrefix != "" && s.Kind != storeopen.Redis {
			return s, usagef("--key-prefix is for the redis store, not %s", s.Kind)
		}
	}
	s.TablePrefix, s.KeyPrefix = f.tablePrefix, f.keyPrefix
	return s, nil
}

// withTimeout bounds ctx by --timeout.
func (f *storeFlags) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.timeout.d == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, f.timeout.d)
}

// open opens the store the flags and environment name. It creates no tables.
func (f *storeFlags) open(ctx context.Context, a *app) (*storeopen.Opened, error) {
	s, err := f.settings(a)
	if err != nil {
		return nil, err
	}
	return storeopen.Open(ctx, s)
}

// describe names an opened store in messages, never with its DSN (it may hold a password).
func describe(o *storeopen.Opened) string {
	switch {
	case storeopen.IsSQL(o.Kind):
		return fmt.Sprintf("%s store, tables %s*", o.Kind, o.Prefix)
	case o.Kind == storeopen.Redis:
		return fmt.Sprintf("redis store, keys %s*", o.Prefix)
	}
	return o.Kind + " store"
}

// storeFailed wraps a store's error with the store it came from.
func storeFailed(o *storeopen.Opened, err error) error {
	return fmt.Errorf("%s: %w", describe(o), err)
}

// requireSchema refuses a SQL store whose tables were never created, with the command that
// creates them, instead of a driver's "no such table".
func requireSchema(ctx context.Context, o *storeopen.Opened) error {
	if !storeopen.IsSQL(o.Kind) {
		return nil
	}
	current, _, err := o.MigrationVersion(ctx)
	if err != nil {
		return storeFailed(o, err)
	}
	if current == 0 {
		return fmt.Errorf("%s: the tables do not exist yet: run 'jwtkit migrate' first", describe(o))
	}
	return nil
}

// refuseMemory stops a command that would write revocations nobody reads: a memory store lives
// inside one process, and the CLI's process is not the server's.
func refuseMemory(o *storeopen.Opened) error {
	if o.Kind == storeopen.Memory {
		return usagef("the memory store lives inside each server process, where this command cannot reach it; " +
			"choose the server's store with --store sqlite, redis, postgres or mysql")
	}
	return nil
}
