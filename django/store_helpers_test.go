package jwtdjango_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	jwtdjango "github.com/jwtkit/jwtkit/django"
	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
	"github.com/jwtkit/jwtkit/stores/storetest"
)

const (
	defaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test?parseTime=true"
	startPostgres      = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startMariaDB       = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
	sqlitePragmas      = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	// python is Debian's interpreter, where Debian's Django packages live; a python3 earlier on
	// PATH (pyenv, a virtualenv) may not have them.
	python = "/usr/bin/python3"
	// poolSize caps each *sql.DB, as a service would: the suite's races run 100 goroutines.
	poolSize = 32
)

var dialects = []struct {
	name    string
	dialect sqlstore.Dialect
}{
	{"Postgres", sqlstore.Postgres},
	{"MariaDB", sqlstore.MySQL},
	{"SQLite", sqlstore.SQLite},
}

// djangoDB is a fresh database (PostgreSQL, MariaDB) or SQLite file of its own, migrated by
// Django's real migrate, and dropped when the test ends.
type djangoDB struct {
	dialect sqlstore.Dialect
	driver  string
	dsn     string
	// env is what run.py's settings read to reach the same database.
	env []string
}

// needDjango skips the test without Debian's Django packages (and psycopg2 or MySQLdb for
// those databases), or fails it under CI=true.
func needDjango(tb testing.TB, modules ...string) {
	tb.Helper()
	imports := append([]string{"django", "rest_framework", "rest_framework_simplejwt"}, modules...)
	err := exec.Command(python, "-c", "import "+strings.Join(imports, ", ")).Run()
	if err == nil {
		return
	}
	msg := "the Django side needs Debian's packages: apt-get install python3-django " +
		"python3-djangorestframework python3-djangorestframework-simplejwt python3-psycopg2 python3-mysqldb"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// newDjangoDB makes a database for dialect d and runs Django's migrate on it.
func newDjangoDB(tb testing.TB, d sqlstore.Dialect) *djangoDB {
	tb.Helper()
	name := "jwtdjango_test_" + strings.ToLower(rand.Text()[:10])
	db := &djangoDB{dialect: d}
	switch d {
	case sqlstore.Postgres:
		needDjango(tb, "psycopg2")
		admin := envOr("JWTKIT_TEST_POSTGRES_DSN", defaultPostgresDSN)
		storetest.Service(tb, "PostgreSQL", ping("pgx", admin), startPostgres)
		u, err := url.Parse(admin)
		require.NoError(tb, err)
		pass, _ := u.User.Password()
		db.env = []string{"DJANGO_DB_VENDOR=postgres", "DJANGO_DB_NAME=" + name, "DJANGO_DB_HOST=" + u.Hostname(),
			"DJANGO_DB_PORT=" + u.Port(), "DJANGO_DB_USER=" + u.User.Username(), "DJANGO_DB_PASSWORD=" + pass}
		u.Path = "/" + name
		db.driver, db.dsn = "pgx", u.String()
		createDatabase(tb, "pgx", admin, name)
	case sqlstore.MySQL:
		needDjango(tb, "MySQLdb")
		admin := envOr("JWTKIT_TEST_MYSQL_DSN", defaultMySQLDSN)
		storetest.Service(tb, "MariaDB", ping("mysql", admin), startMariaDB)
		cfg, err := mysql.ParseDSN(admin)
		require.NoError(tb, err)
		host, port, _ := strings.Cut(cfg.Addr, ":")
		db.env = []string{"DJANGO_DB_VENDOR=mysql", "DJANGO_DB_NAME=" + name, "DJANGO_DB_HOST=" + host,
			"DJANGO_DB_PORT=" + port, "DJANGO_DB_USER=" + cfg.User, "DJANGO_DB_PASSWORD=" + cfg.Passwd}
		cfg.DBName = name
		db.driver, db.dsn = "mysql", cfg.FormatDSN()
		createDatabase(tb, "mysql", admin, name)
	case sqlstore.SQLite:
		needDjango(tb)
		file := filepath.Join(tb.TempDir(), "db.sqlite3")
		db.env = []string{"DJANGO_DB_VENDOR=sqlite", "DJANGO_DB_NAME=" + file}
		db.driver, db.dsn = "sqlite", "file:"+file+sqlitePragmas
	}
	db.django(tb, "migrate")
	return db
}

// createDatabase creates the database name on the server admin reaches, and drops it when tb
// ends.
func createDatabase(tb testing.TB, driver, admin, name string) {
	tb.Helper()
	db, err := sql.Open(driver, admin)
	require.NoError(tb, err)
	defer db.Close()
	_, err = db.Exec("CREATE DATABASE " + name)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		db, err := sql.Open(driver, admin)
		if err != nil {
			tb.Errorf("drop database %s: %v", name, err)
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		drop := "DROP DATABASE IF EXISTS " + name
		if driver == "pgx" {
			drop += " WITH (FORCE)" // pools a failed test left open must not keep it
		}
		if _, err := db.ExecContext(ctx, drop); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
}

// django runs testdata/djangoapp/run.py with args against the database and fails tb if it
// fails.
func (d *djangoDB) django(tb testing.TB, args ...string) {
	tb.Helper()
	cmd := exec.Command(python, append([]string{filepath.Join("testdata", "djangoapp", "run.py")}, args...)...)
	cmd.Env = append(os.Environ(), d.env...)
	out, err := cmd.CombinedOutput()
	require.NoError(tb, err, "run.py %s:\n%s", strings.Join(args, " "), out)
}

// open returns a new pool on the database, closed when tb ends: a fresh *sql.DB is what a
// second replica would have.
func (d *djangoDB) open(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open(d.driver, d.dsn)
	require.NoError(tb, err)
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// store returns a Store on a pool of its own, with cfg's fields kept.
func (d *djangoDB) store(tb testing.TB, cfg jwtdjango.StoreConfig) *jwtdjango.Store {
	tb.Helper()
	s, err := jwtdjango.NewStore(d.open(tb), cfg)
	require.NoError(tb, err)
	require.Equal(tb, d.dialect, s.Dialect())
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func ping(driver, dsn string) error {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}
