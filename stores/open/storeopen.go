package storeopen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	// The database/sql drivers of the SQL kinds, registered for every program that opens a
	// store through this package (importing pgx's stdlib registers "pgx").
	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
	redisstore "github.com/jwtkit/jwtkit/stores/redis"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// The store kinds, spelled as JWTKIT_STORE spells them.
const (
	Memory   = "memory"
	SQLite   = "sqlite"
	Redis    = "redis"
	Postgres = "postgres"
	MySQL    = "mysql" // MariaDB too
	// Django keeps revocations in simplejwt's token_blacklist tables of a Django database
	// (PostgreSQL, MySQL/MariaDB or SQLite), beside a Django service (jwtdjango.Store).
	Django = "django"
)

// DefaultKind is the kind used when none is set: an embedded SQLite file, so the example
// servers run with no server to start and still keep revocations across restarts.
const DefaultKind = SQLite

// The environment variables FromEnv reads.
const (
	EnvStore = "JWTKIT_STORE"
	EnvDSN   = "JWTKIT_STORE_DSN"
)

// SQLitePragmas is the query Open adds to a SQLite DSN that sets no _pragma of its own: wait up
// to 5 s for another connection's write lock instead of failing with "database is locked"
// (several processes share the file: a server and the CLI), and write-ahead logging so readers
// never wait for a writer. A request's store call still ends by core's deadline
// (jwtkit.Config.StoreTimeout, 2 s): the driver ends a lock wait when the context does. WAL also
// keeps a connection opened during another process's lock from waiting, which the
// rollback-journal modes would, outside any deadline.
const SQLitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"

// ErrNotSQL is returned by Opened.Migrate and Opened.MigrationVersion for a store that has no
// schema: memory and Redis.
var ErrNotSQL = errors.New("storeopen: migrations are for SQL stores")

// Kinds returns every kind Open accepts, in the order the wire contract lists them.
func Kinds() []string { return []string{Memory, SQLite, Redis, Postgres, MySQL, Django} }

// IsSQL reports whether kind is one of the SQL kinds (sqlite, postgres, mysql, django): the
// kinds with tables, a table prefix and migrations.
func IsSQL(kind string) bool {
	return kind == SQLite || kind == Postgres || kind == MySQL || kind == Django
}

// DjangoDatabase tells which database a django kind's DSN names: Postgres for a postgres:// or
// postgresql:// URL or a key=value string naming a host or dbname, MySQL for a
// go-sql-driver/mysql DSN (user@tcp(host)/db, user@unix(path)/db, user@/db), SQLite for
// anything else, taken as a file path (or a modernc.org/sqlite DSN).
func DjangoDatabase(dsn string) string {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"),
		strings.Contains(dsn, "host="), strings.Contains(dsn, "dbname="):
		return Postgres
	case strings.Contains(dsn, "@tcp("), strings.Contains(dsn, "@unix("), strings.Contains(dsn, "@/"):
		return MySQL
	}
	return SQLite
}

// Settings says which store to open and where. The zero value of every field means its
// default, so Settings{} is the embedded SQLite file.
type Settings struct {
	// Kind is memory, sqlite, redis, postgres, mysql (MariaDB too) or django.
	//
	// Optional. Default: DefaultKind ("sqlite").
	Kind string

	// DSN says where the store is: a redis:// (or rediss://, unix://) URL for Redis, a pgx
	// connection string for PostgreSQL, a go-sql-driver/mysql DSN for MySQL, a file path (or a
	// modernc.org/sqlite DSN) for SQLite, any of the last three for django (the Django
	// database; see DjangoDatabase). It is ignored for memory. A SQLite DSN that sets no _pragma
	// gets SQLitePragmas.
	//
	// Optional. Default: DefaultDSN(Kind).
	DSN string

	// TablePrefix starts the names of the SQL store's tables (sqlstore.Config.TablePrefix).
	// Used by the SQL kinds only.
	//
	// Optional. Default: sqlstore's, "jwtkit_".
	TablePrefix string

	// KeyPrefix starts every Redis key the store writes (redisstore.Config.Prefix). Used by
	// redis only.
	//
	// Optional. Default: redisstore's, "jwtkit:".
	KeyPrefix string

	// PurgeBatch is how many expired rows one DELETE of the SQL store's Purge removes at most
	// (sqlstore.Config.PurgeBatch). Used by the SQL kinds only.
	//
	// Optional. Default: sqlstore's, 1000.
	PurgeBatch int

	// AutoMigrate makes Open bring a SQL store's schema up to date (Opened.Migrate) before it
	// returns, for programs that must run with no set-up step, like the example servers on
	// their default SQLite file. Migrate is idempotent and serialized across processes, so
	// every replica may do it at start. Leave it off where schema changes are a deliberate
	// deployment step, and run `jwtkit migrate` then. Ignored for memory and Redis.
	//
	// Optional. Default: false.
	AutoMigrate bool

	// PoolSize caps the open connections of a SQL kind's *sql.DB and is also how many idle
	// ones it keeps (SetMaxOpenConns and SetMaxIdleConns). database/sql would keep only 2
	// idle connections and open new ones without limit: under more concurrent requests than
	// that, every protected request opened, and closed, a connection of its own (for SQLite a
	// file handle, its schema read and the store's statements prepared again). Ignored for
	// memory and Redis (go-redis sizes its own pool).
	//
	// Optional. Default: DefaultPoolSize().
	PoolSize int
}

// DefaultPoolSize is the SQL kinds' PoolSize when none is set: 4 connections per CPU Go may
// use (GOMAXPROCS), at least 8. Each Revoked check holds a connection for one round trip and
// each rotation or login attempt for one short transaction, so a few per CPU keep every CPU
// busy while others wait on the database; with ten replicas of a 2-CPU service that is 80 of
// PostgreSQL's default 100 connections.
func DefaultPoolSize() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// FromEnv reads the settings of the example servers from the environment: JWTKIT_STORE (default
// "sqlite") and JWTKIT_STORE_DSN (default DefaultDSN of that kind). An empty variable counts as
// unset. AutoMigrate and the prefixes are left zero for the caller to set.
func FromEnv() Settings { return FromEnvFunc(os.Getenv) }

// FromEnvFunc is FromEnv with the environment read through getenv, for callers that keep their
// own (tests, a CLI run with a given environment).
func FromEnvFunc(getenv func(key string) string) Settings {
	s := Settings{Kind: getenv(EnvStore), DSN: getenv(EnvDSN)}
	if s.Kind == "" {
		s.Kind = DefaultKind
	}
	if s.DSN == "" {
		s.DSN = DefaultDSN(s.Kind)
	}
	return s
}

// DefaultDSN is where each kind's store is by default, as the wire contract's table of the
// example servers says: the local servers for redis, postgres and mysql, and for sqlite the
// file jwtkit.sqlite3 in the OS temp directory with SQLitePragmas. It is "" for memory, for
// django (a Django database has no default place) and for an unknown kind.
func DefaultDSN(kind string) string {
	switch kind {
	case Redis:
		return "redis://127.0.0.1:6379/0"
	case Postgres:
		return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	case MySQL:
		return "root@tcp(127.0.0.1:3306)/test?parseTime=true"
	case SQLite:
		return filepath.Join(os.TempDir(), "jwtkit.sqlite3") + "?" + SQLitePragmas
	}
	return ""
}

// sqlKinds maps each SQL kind to its database/sql driver name and its sqlstore dialect.
var sqlKinds = map[string]struct {
	driver  string
	dialect sqlstore.Dialect
}{
	SQLite:   {"sqlite", sqlstore.SQLite},
	Postgres: {"pgx", sqlstore.Postgres}, // opened through stdlib.OpenDB, see openSQL
	MySQL:    {"mysql", sqlstore.MySQL},
}

// Opened is a store opened by Open, with what Open opened for it.
type Opened struct {
	// Store is the revocation store to give jwtkit.Config.Store. It implements jwtkit.Purger
	// for the memory and SQL kinds (Redis expires entries by itself).
	Store jwtkit.Store
	// Kind is the kind opened, defaults applied.
	Kind string
	// Prefix is the table prefix (SQL kinds) or key prefix (redis) in use, defaults applied;
	// "" for memory.
	Prefix string
	// Dialect is the SQL dialect, "" for memory and Redis.
	Dialect sqlstore.Dialect
	// DB is the connection pool of a SQL kind, nil for memory and Redis. Close closes it.
	DB *sql.DB

	sql       migrator
	close     func() error
	closeOnce sync.Once
	closeErr  error
}

// migrator is what the SQL kinds' stores (sqlstore's and jwtdjango's) offer for their schema.
type migrator interface {
	Migrate(ctx context.Context) error
	MigrationVersion(ctx context.Context) (current, latest int, err error)
}

// Open opens the store s describes. It does not reach a network server unless s.AutoMigrate
// asks for a migration: a store that is down makes later calls fail (and jwtkit answer 503)
// until it is back. Settings that cannot work (an unknown kind, a malformed DSN, an invalid
// prefix) return an error wrapping jwtkit.ErrInvalidConfig; a failed automatic migration
// returns the store's error. Call Close when done.
func Open(ctx context.Context, s Settings) (*Opened, error) {
	kind := s.Kind
	if kind == "" {
		kind = DefaultKind
	}
	dsn := s.DSN
	if dsn == "" {
		dsn = DefaultDSN(kind)
	}
	switch kind {
	case Memory:
		st, err := memstore.New()
		if err != nil {
			return nil, err
		}
		return &Opened{Store: st, Kind: kind, close: st.Close}, nil
	case Redis:
		cfg := redisstore.Config{Prefix: s.KeyPrefix}
		st, err := redisstore.NewFromURL(dsn, cfg)
		if err != nil {
			return nil, err
		}
		prefix := cmpOr(s.KeyPrefix, redisstore.ConfigDefault.Prefix)
		return &Opened{Store: st, Kind: kind, Prefix: prefix, close: st.Close}, nil
	case SQLite, Postgres, MySQL:
		return openSQL(ctx, kind, kind, dsn, s)
	case Django:
		if dsn == "" {
			return nil, fmt.Errorf("%w: storeopen: the django store needs a DSN naming the Django database "+
				"(a postgres:// URL, a MySQL DSN or a SQLite file)", jwtkit.ErrInvalidConfig)
		}
		return openSQL(ctx, Django, DjangoDatabase(dsn), dsn, s)
	}
	return nil, fmt.Errorf("%w: storeopen: unknown store kind %q (want one of: %s)",
		jwtkit.ErrInvalidConfig, kind, strings.Join(Kinds(), ", "))
}

// openSQL opens a store of kind on a database of the SQL kind database (kind itself, or the
// one a Django DSN names).
func openSQL(ctx context.Context, kind, database, dsn string, s Settings) (*Opened, error) {
	pool := s.PoolSize
	switch {
	case pool < 0:
		return nil, fmt.Errorf("%w: storeopen: PoolSize %d is negative", jwtkit.ErrInvalidConfig, pool)
	case pool == 0:
		pool = DefaultPoolSize()
	}
	k := sqlKinds[database]
	if database == SQLite {
		dsn = withSQLitePragmas(dsn)
	}
	var db *sql.DB
	if database == Postgres {
		// pgx's database/sql driver parses its DSN only when it first connects; parsed here,
		// a malformed one is a configuration error at once. pgx redacts passwords from it.
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("%w: storeopen: %s DSN: %v", jwtkit.ErrInvalidConfig, kind, err)
		}
		db = stdlib.OpenDB(*cfg)
	} else {
		// go-sql-driver/mysql parses its DSN here and never quotes it in the error.
		var err error
		if db, err = sql.Open(k.driver, dsn); err != nil {
			return nil, fmt.Errorf("%w: storeopen: %s DSN: %v", jwtkit.ErrInvalidConfig, kind, err)
		}
	}
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	st, err := newSQLStore(kind, db, k.dialect, s)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	o := &Opened{Store: st, Kind: kind, Prefix: cmpOr(s.TablePrefix, sqlstore.ConfigDefault.TablePrefix),
		Dialect: k.dialect, DB: db, sql: st, close: func() error {
			// The store's prepared statements first, then the pool they were prepared on.
			return errors.Join(st.Close(), db.Close())
		}}
	if s.AutoMigrate {
		if err := st.Migrate(ctx); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("storeopen: migrating the %s store: %w", kind, err)
		}
	}
	return o, nil
}

// sqlStore is what openSQL needs of a SQL kind's store.
type sqlStore interface {
	jwtkit.Store
	migrator
	Close() error
}

func newSQLStore(kind string, db *sql.DB, dialect sqlstore.Dialect, s Settings) (sqlStore, error) {
	if kind == Django {
		return jwtdjango.NewStore(db, jwtdjango.StoreConfig{Dialect: dialect, TablePrefix: s.TablePrefix, PurgeBatch: s.PurgeBatch})
	}
	return sqlstore.New(db, sqlstore.Config{Dialect: dialect, TablePrefix: s.TablePrefix, PurgeBatch: s.PurgeBatch})
}

// withSQLitePragmas adds SQLitePragmas to a SQLite DSN that sets no _pragma itself; one that
// does is taken as the caller's full choice.
func withSQLitePragmas(dsn string) string {
	switch {
	case strings.Contains(dsn, "_pragma="):
		return dsn
	case strings.Contains(dsn, "?"):
		return dsn + "&" + SQLitePragmas
	}
	return dsn + "?" + SQLitePragmas
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Migrate brings a SQL store's schema up to date (sqlstore's Store.Migrate: idempotent, and
// serialized across processes; for django, jwtkit's tables beside Django's, which must exist). For memory and Redis it returns an error wrapping ErrNotSQL.
func (o *Opened) Migrate(ctx context.Context) error {
	if o.sql == nil {
		return fmt.Errorf("%w (this is a %s store)", ErrNotSQL, o.Kind)
	}
	return o.sql.Migrate(ctx)
}

// MigrationVersion reports a SQL store's schema version (0 before the first Migrate) and the
// latest one this build ships (sqlstore's Store.MigrationVersion). For memory and Redis it
// returns an error wrapping ErrNotSQL.
func (o *Opened) MigrationVersion(ctx context.Context) (current, latest int, err error) {
	if o.sql == nil {
		return 0, 0, fmt.Errorf("%w (this is a %s store)", ErrNotSQL, o.Kind)
	}
	return o.sql.MigrationVersion(ctx)
}

// Close closes what Open opened: the *sql.DB of a SQL kind, the Redis client, the memory
// store's background purge. It is idempotent.
func (o *Opened) Close() error {
	o.closeOnce.Do(func() { o.closeErr = o.close() })
	return o.closeErr
}
