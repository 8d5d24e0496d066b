package sqlstore

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// Dialect names the SQL dialect a Store speaks.
type Dialect string

// The dialects a Store speaks. MySQL covers MariaDB too.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
	SQLite   Dialect = "sqlite"
)

// maxPrefixLen keeps the longest identifier the migrations derive from the prefix (the prefix
// plus "blacklisted_tokens_expires_at", 29 bytes) within PostgreSQL's 63 and MySQL's 64.
const maxPrefixLen = 32

// Config configures a Store. The zero value of every field means its default.
type Config struct {
	// Dialect is the SQL dialect of the database behind the *sql.DB.
	//
	// Optional. Default: detected from the package of db.Driver(): github.com/jackc/pgx and
	// github.com/lib/pq give Postgres, github.com/go-sql-driver/mysql gives MySQL (MariaDB too),
	// modernc.org/sqlite and github.com/mattn/go-sqlite3 give SQLite. Any other driver (a
	// wrapped or instrumented one, say) is an error that asks for Dialect to be set.
	Dialect Dialect

	// TablePrefix starts the name of every table and index the store creates and queries, so
	// several deployments (or test runs) can share one database.
	//
	// Optional. Default: "jwtkit_". It must match [a-z_][a-z0-9_]* and be at most 32 bytes: it
	// is spliced into SQL text, so nothing else is accepted.
	TablePrefix string

	// PurgeBatch is how many expired rows one DELETE of Purge removes at most. Purge repeats
	// batches until nothing expired is left, so a large backlog never holds locks for long.
	//
	// Optional. Default: 1000. Negative is an error.
	PurgeBatch int

	// Clock tells the store the time; expiries are compared against it, not against the
	// database server's clock. Tests use it to move time without sleeping.
	//
	// Optional. Default: time.Now.
	Clock func() time.Time
}

// ConfigDefault is the configuration New uses when given none (the dialect then detected from
// the driver), and the source of the default of every field left zero.
var ConfigDefault = Config{
	TablePrefix: "jwtkit_",
	PurgeBatch:  1000,
	Clock:       time.Now,
}

// configDefault fills in defaults from ConfigDefault and the driver, and validates the result,
// so even a ConfigDefault changed by the application cannot make New panic. Its errors wrap
// jwtkit.ErrInvalidConfig.
func configDefault(db *sql.DB, cfgs []Config) (Config, error) {
	if db == nil {
		return Config{}, invalid("New needs a db")
	}
	if len(cfgs) > 1 {
		return Config{}, invalid("New takes at most one Config, got %d", len(cfgs))
	}
	cfg := ConfigDefault
	if len(cfgs) == 1 {
		cfg = cfgs[0]
	}
	if cfg.Dialect == "" {
		d, err := detectDialect(db)
		if err != nil {
			return Config{}, err
		}
		cfg.Dialect = d
	}
	if cfg.TablePrefix == "" {
		cfg.TablePrefix = ConfigDefault.TablePrefix
	}
	if cfg.PurgeBatch == 0 {
		cfg.PurgeBatch = ConfigDefault.PurgeBatch
	}
	if cfg.Clock == nil {
		cfg.Clock = ConfigDefault.Clock
	}

	switch {
	case cfg.Dialect != Postgres && cfg.Dialect != MySQL && cfg.Dialect != SQLite:
		return Config{}, invalid("unknown Dialect %q (want sqlstore.Postgres, sqlstore.MySQL or sqlstore.SQLite)", cfg.Dialect)
	case !validPrefix(cfg.TablePrefix):
		return Config{}, invalid("TablePrefix %q must match [a-z_][a-z0-9_]* and be at most %d bytes", cfg.TablePrefix, maxPrefixLen)
	case cfg.PurgeBatch < 1:
		return Config{}, invalid("PurgeBatch must be positive, got %d", cfg.PurgeBatch)
	case cfg.Clock == nil:
		return Config{}, invalid("Clock is nil in both Config and ConfigDefault")
	}
	return cfg, nil
}

// driverDialects maps the import path of a database/sql driver's package to its dialect.
var driverDialects = map[string]Dialect{
	"github.com/jackc/pgx/v5/stdlib": Postgres,
	"github.com/jackc/pgx/v4/stdlib": Postgres,
	"github.com/lib/pq":              Postgres,
	"github.com/go-sql-driver/mysql": MySQL,
	"modernc.org/sqlite":             SQLite,
	"github.com/mattn/go-sqlite3":    SQLite,
}

func detectDialect(db *sql.DB) (Dialect, error) {
	t := reflect.TypeOf(db.Driver())
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if d, ok := driverDialects[t.PkgPath()]; ok {
		return d, nil
	}
	return "", invalid("cannot tell the dialect of driver %s.%s: set Config.Dialect", t.PkgPath(), t.Name())
}

func validPrefix(p string) bool {
	if len(p) > maxPrefixLen || p == "" || (p[0] >= '0' && p[0] <= '9') {
		return false
	}
	return strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: sqlstore: "+format, append([]any{jwtkit.ErrInvalidConfig}, args...)...)
}
