package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
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
	fs.StringVar(&f.kind, "store", "", "store `kind`: memory, sqlite, redis, postgres, mysql or django (default $JWTKIT_STORE, else sqlite)")
	fs.StringVar(&f.dsn, "dsn", "", "where the store is (default $JWTKIT_STORE_DSN, else per kind: "+
		"redis://127.0.0.1:6379/0, postgres://postgres@127.0.0.1:5432/test?sslmode=disable, "+
		"root@tcp(127.0.0.1:3306)/test?parseTime=true, or jwtkit.sqlite3 in the OS temp directory; "+
		"for django the Django database, which has no default: a postgres:// URL, a MySQL DSN or a SQLite file)")
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
			return s, usagef("--table-prefix is for the SQL stores (sqlite, postgres, mysql, django), not %s", s.Kind)
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

// open opens the store the flags and environment name. It creates no tables, and no SQLite
// database file: a file that does not exist is an error that says so.
func (f *storeFlags) open(ctx context.Context, a *app) (*openedStore, error) {
	s, err := f.settings(a)
	if err != nil {
		return nil, err
	}
	return openStore(ctx, s, false)
}

// openedStore is an opened store with the SQLite file it reads, which messages name: a
// newcomer's first question is where that file is.
type openedStore struct {
	*storeopen.Opened
	// file is the SQLite database file, "" for the other kinds and an in-memory SQLite.
	file string
	// created is set when the file did not exist before this command: only migrate creates one.
	created bool
}

// openStore opens the store s describes. For SQLite it first checks the database file, so an
// error names the path instead of a driver's "unable to open database file": the file must
// exist and be readable, unless create is set, and then its folder must exist.
func openStore(ctx context.Context, s storeopen.Settings, create bool) (*openedStore, error) {
	var file string
	existed := true
	if s.Kind == storeopen.SQLite || s.Kind == "" {
		file = sqliteFile(cmp.Or(s.DSN, storeopen.DefaultDSN(storeopen.SQLite)))
	}
	if s.Kind == storeopen.Django && storeopen.DjangoDatabase(s.DSN) == storeopen.SQLite {
		// Django's database file is Django's to create, with its tables: never made here.
		if file = sqliteFile(s.DSN); file != "" {
			if _, err := os.Stat(file); err != nil {
				return nil, fmt.Errorf("the Django database %s: %w (run Django's migrate first)", file, unwrapPath(err))
			}
		}
	} else if file != "" {
		var err error
		if existed, err = checkSQLiteFile(file, create); err != nil {
			return nil, err
		}
	}
	o, err := storeopen.Open(ctx, s)
	if err != nil {
		return nil, err
	}
	return &openedStore{Opened: o, file: file, created: !existed}, nil
}

// describe names an opened store in messages, never with its DSN (it may hold a password);
// a SQLite file's path is named, as it holds no secret.
func describe(o *openedStore) string {
	switch {
	case o.file != "":
		return fmt.Sprintf("%s store %s, tables %s*", o.Kind, o.file, o.Prefix)
	case storeopen.IsSQL(o.Kind):
		return fmt.Sprintf("%s store, tables %s*", o.Kind, o.Prefix)
	case o.Kind == storeopen.Redis:
		return fmt.Sprintf("redis store, keys %s*", o.Prefix)
	}
	return o.Kind + " store"
}

// storeFailed wraps a store's error with the store it came from.
func storeFailed(o *openedStore, err error) error {
	return fmt.Errorf("%s: %w", describe(o), err)
}

// requireSchema refuses a SQL store whose tables were never created, with the command that
// creates them, instead of a driver's "no such table".
func requireSchema(ctx context.Context, o *openedStore) error {
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
func refuseMemory(o *openedStore) error {
	if o.Kind == storeopen.Memory {
		return usagef("the memory store lives inside each server process, where this command cannot reach it; " +
			"choose the server's store with --store sqlite, redis, postgres, mysql or django")
	}
	return nil
}

// openForRevoking opens the store a revoking command writes to: a store of the process's own
// memory is refused (nobody would read what it records), and a SQL store only once its tables
// exist. The caller closes it.
func (f *storeFlags) openForRevoking(ctx context.Context, a *app) (*openedStore, error) {
	o, err := f.open(ctx, a)
	if err != nil {
		return nil, err
	}
	if err = refuseMemory(o); err == nil {
		err = requireSchema(ctx, o)
	}
	if err != nil {
		_ = o.Close()
		return nil, err
	}
	return o, nil
}
