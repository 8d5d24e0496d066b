// Package djangotest runs real Django for jwtdjango's tests: djangotest.py (beside this file,
// with its settings and a tiny app of custom user models) makes password hashes with Django's
// make_password, migrates a database and creates users in it with create_user, on SQLite,
// PostgreSQL (a throwaway schema) or MariaDB (a throwaway database).
//
// It runs Debian's python3-django (3.2) with python3-argon2, python3-bcrypt, python3-psycopg2
// and python3-mysqldb, under /usr/bin/python3: a python3 earlier on PATH may not have them.
package djangotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // the drivers the databases below are opened with
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	sqlstore "github.com/jwtkit/jwtkit/stores/sql"
)

// Python is Debian's interpreter, where Debian's Django packages live.
const Python = "/usr/bin/python3"

// Packages is what the tests need from apt.
const Packages = "python3-django python3-argon2 python3-bcrypt python3-psycopg2 python3-mysqldb"

const (
	defaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test?parseTime=true"
	startPostgres      = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	startMariaDB       = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
)

// Need skips the test when Django or a library it needs is missing, and fails it under CI=true.
func Need(tb testing.TB) {
	tb.Helper()
	out, err := exec.Command(Python, "-c", "import django, argon2, bcrypt, psycopg2, MySQLdb").CombinedOutput()
	if err == nil {
		return
	}
	unavailable(tb, "Django and its hasher and database libraries", string(bytes.TrimSpace(out)), "apt-get install "+Packages)
}

func unavailable(tb testing.TB, what, why, fix string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s: not available under CI=true: %s (%s)", what, why, fix)
	}
	tb.Skipf("%s: not available: %s; %s", what, why, fix)
}

// Run runs `djangotest.py command` with env added to the environment, in, as JSON, on its
// standard input and its standard output decoded into out.
func Run(tb testing.TB, env []string, command string, in, out any) {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	body, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, filepath.Join(filepath.Dir(file), "djangotest.py"), command)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("djangotest.py %s: %v\n%s", command, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		tb.Fatalf("djangotest.py %s: %v in %q", command, err, stdout.String())
	}
}

// Database is one empty database Django and the test share, dropped when the test ends.
type Database struct {
	Name    string // subtest name: SQLite, Postgres, MariaDB
	Dialect sqlstore.Dialect
	DB      *sql.DB  // the test's pool on it
	Env     []string // what djangotest.py reads to reach it
	// Schema is the PostgreSQL schema the tables are in (Django reaches it through its
	// search_path); empty elsewhere.
	Schema string
}

// Table is table as a query names it: schema-qualified on PostgreSQL.
func (d *Database) Table(table string) string {
	if d.Schema != "" {
		return d.Schema + "." + table
	}
	return table
}

// ForEach runs f as a subtest per database: a fresh SQLite file, PostgreSQL schema and
// MariaDB database. A server that is down skips its subtest (fails it under CI=true).
func ForEach(t *testing.T, f func(t *testing.T, d *Database)) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *Database
	}{{"SQLite", SQLite}, {"Postgres", Postgres}, {"MariaDB", MariaDB}} {
		// Each database is its own (a file, a schema, a database): they run side by side.
		t.Run(db.name, func(t *testing.T) { t.Parallel(); f(t, db.open(t)) })
	}
}

// SQLite is a new database file in the test's temporary directory.
func SQLite(tb testing.TB) *Database {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), "django.sqlite3")
	return &Database{Name: "SQLite", Dialect: sqlstore.SQLite,
		DB:  open(tb, "sqlite", "file:"+file+"?_pragma=busy_timeout(5000)"),
		Env: []string{"DJANGOTEST_ENGINE=sqlite3", "DJANGOTEST_NAME=" + file}}
}

// Postgres is a new schema in the database of JWTKIT_TEST_POSTGRES_DSN.
func Postgres(tb testing.TB) *Database {
	tb.Helper()
	dsn := envOr("JWTKIT_TEST_POSTGRES_DSN", defaultPostgresDSN)
	admin := reach(tb, "PostgreSQL", "pgx", dsn, startPostgres)
	schema := throwaway()
	exec1(tb, admin, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { exec1(tb, admin, "DROP SCHEMA "+schema+" CASCADE") })
	cfg, err := pgxConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	env := []string{"DJANGOTEST_ENGINE=postgresql", "DJANGOTEST_NAME=" + cfg.database,
		"DJANGOTEST_HOST=" + cfg.host, "DJANGOTEST_PORT=" + cfg.port, "DJANGOTEST_USER=" + cfg.user,
		"DJANGOTEST_SCHEMA=" + schema}
	return &Database{Name: "Postgres", Dialect: sqlstore.Postgres, DB: admin, Env: env, Schema: schema}
}

// MariaDB is a new database on the server of JWTKIT_TEST_MYSQL_DSN.
func MariaDB(tb testing.TB) *Database {
	tb.Helper()
	dsn := envOr("JWTKIT_TEST_MYSQL_DSN", defaultMySQLDSN)
	admin := reach(tb, "MariaDB", "mysql", dsn, startMariaDB)
	name := throwaway()
	exec1(tb, admin, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4")
	tb.Cleanup(func() { exec1(tb, admin, "DROP DATABASE "+name) })
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.DBName = name
	env := []string{"DJANGOTEST_ENGINE=mysql", "DJANGOTEST_NAME=" + name, "DJANGOTEST_USER=" + cfg.User}
	if host, port, ok := strings.Cut(cfg.Addr, ":"); ok {
		env = append(env, "DJANGOTEST_HOST="+host, "DJANGOTEST_PORT="+port)
	}
	return &Database{Name: "MariaDB", Dialect: sqlstore.MySQL, DB: open(tb, "mysql", cfg.FormatDSN()), Env: env}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// throwaway is a schema or database name of this test only.
func throwaway() string { return "djt_" + strings.ToLower(rand.Text()[:10]) }

func open(tb testing.TB, driver, dsn string) *sql.DB {
	tb.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// reach opens dsn, skipping (failing under CI=true) when the server does not answer.
func reach(tb testing.TB, name, driver, dsn, start string) *sql.DB {
	tb.Helper()
	db := open(tb, driver, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		unavailable(tb, name, err.Error(), "start it with: "+start)
	}
	return db
}

func exec1(tb testing.TB, db *sql.DB, query string) {
	tb.Helper()
	if _, err := db.ExecContext(context.Background(), query); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}
