package docs_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	jwtkit "github.com/jwtkit/jwtkit/core"
	jwtdjango "github.com/jwtkit/jwtkit/django"
	"github.com/jwtkit/jwtkit/docs/internal/shellrun"
)

const (
	migrating = "migrating-from-simplejwt.md"
	// djangoApp is the Django + simplejwt service the django module's tests run: simplejwt's
	// views under /api/token/, rotation with blacklist-after-rotation, the database and
	// SIGNING_KEY from DJANGO_* variables.
	djangoApp = "../django/testdata/djangoapp"
	// python is Debian's interpreter, where Debian's Django packages live; a python3 earlier on
	// PATH (pyenv, a virtualenv) may not have them.
	python = "/usr/bin/python3"
	// djangoKey is the Django service's SIGNING_KEY, which the document's first step reads.
	djangoKey = "docs-migration-signing-key-0123456789abcdef"
	// docDSN is the database the document's blocks name; the test puts its own in its place.
	docDSN = "/srv/app/db.sqlite3"

	// The first lines of the step-by-step blocks.
	stepKey   = `export JWTKIT_SIGNING_KEY="$(python manage.py shell -c 'from rest_framework_simplejwt.settings import api_settings; print(api_settings.SIGNING_KEY, end="")')"`
	stepShare = "python manage.py migrate   # Django's own tables; nothing to apply on a service already running"
	stepCheck = "DJANGO=http://127.0.0.1:8000/api GO=http://127.0.0.1:8001/api"
	stepFlush = "JWTKIT_STORE=django JWTKIT_STORE_DSN=/srv/app/db.sqlite3 jwtkit flush-expired   # daily, from cron"
)

// djangoSideBySide is the Go service of the document's "Sharing the users and the blacklist",
// on the Django database db.
func djangoSideBySide(ctx context.Context, db *sql.DB) (*jwtkit.Auth, error) {
	// snippet:django-side-by-side
	// db is the Django database (DATABASES["default"]), opened with its driver.
	store, err := jwtdjango.NewStore(db) // revocations in simplejwt's token_blacklist tables
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil { // jwtkit's own tables, beside Django's
		return nil, err
	}
	users, err := jwtdjango.NewUsers(db) // auth_user, with Django's password hashers
	if err != nil {
		return nil, err
	}
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("JWTKIT_SIGNING_KEY")), "")
	if err != nil {
		return nil, err
	}
	return jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users,
		// ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION, as the Django side has them
		RotateRefreshTokens: true, BlacklistAfterRotation: true})
	// endsnippet
}

// TestMigrationSteps pastes the blocks of "A migration, step by step" into shells beside a
// real Django + simplejwt service (Debian's packages), on a SQLite file and on PostgreSQL: steps
// 1 and 2 in one session in the Django project's folder, with the jwtkit command built from
// this checkout and `python` on PATH; then the example server they start, with the variables
// they exported; step 3 against both services, and step 5. The test's own database stands in
// for the document's file, and free ports for 8000 and 8001.
func TestMigrationSteps(t *testing.T) {
	need(t, "bash", "curl", "sed")
	needDjango(t)
	key, share := shellBlock(t, migrating, stepKey), shellBlock(t, migrating, stepShare)
	check, flush := shellBlock(t, migrating, stepCheck), shellBlock(t, migrating, stepFlush)
	const serve = "JWTKIT_ADDR=127.0.0.1:8001 go run ./examples/gin"
	if !slices.Contains(share.Lines, serve) {
		t.Fatalf("step 2 no longer ends with %q; start what it says", serve)
	}

	bin := t.TempDir()
	if err := os.Symlink(python, filepath.Join(bin, "python")); err != nil {
		t.Fatal(err)
	}
	jwtkitBin := goBuild(t, "./cmd/jwtkit", "jwtkit")
	if err := os.Rename(jwtkitBin, filepath.Join(bin, "jwtkit")); err != nil {
		t.Fatal(err)
	}
	gin := goBuild(t, "./examples/gin", "gin")
	project, err := filepath.Abs(djangoApp)
	if err != nil {
		t.Fatal(err)
	}

	for _, db := range []struct {
		name string
		open func(t *testing.T) djangoDatabase
	}{{"SQLite", sqliteDjango}, {"Postgres", postgresDjango}} {
		t.Run(db.name, func(t *testing.T) {
			d := db.open(t)
			// A reader's shell in the Django project, whose settings reach the database.
			env := sessionEnv(append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "PYTHONDONTWRITEBYTECODE=1",
				"DJANGO_SIGNING_KEY=" + djangoKey}, d.env...)...)
			runDjango(t, project, env, "migrate") // the Django service was running before step 1
			tables := d.tables(t)

			envFile := filepath.Join(t.TempDir(), "env")
			shellrun.Session(t, shellrun.Options{Dir: project, Env: env, Replace: map[string]string{
				docDSN: d.dsn,
				// The server line's environment, for the test to start the server with.
				"go run ./examples/gin": "env -0 >" + envFile + " #",
			}}, key, share)
			if t.Failed() {
				t.FailNow()
			}
			added, removed := diff(tables, d.tables(t))
			if len(removed) > 0 || slices.ContainsFunc(added, func(tb string) bool { return !strings.HasPrefix(tb, "jwtkit_") }) {
				t.Errorf("the steps must add jwtkit_* tables only; they added %q and removed %q", added, removed)
			}

			served, err := os.ReadFile(envFile)
			if err != nil {
				t.Fatal(err)
			}
			serverEnv := strings.Split(strings.TrimSuffix(string(served), "\x00"), "\x00")
			if !slices.Contains(serverEnv, "JWTKIT_SIGNING_KEY="+djangoKey) {
				t.Error("step 1 does not give the Go service Django's SIGNING_KEY")
			}
			goAddr, _ := startServer(t, gin, append(serverEnv, "JWTKIT_ADDR=127.0.0.1:0"))
			djangoAddr := startDjango(t, project, env)

			shellrun.Run(t, check, shellrun.Options{Dir: project, Env: env, Replace: map[string]string{
				"127.0.0.1:8000": djangoAddr, "127.0.0.1:8001": goAddr}})

			// The Go snippet on the same database: a refresh token Django issued rotates once,
			// on the Go side.
			t.Setenv("JWTKIT_SIGNING_KEY", djangoKey)
			auth, err := djangoSideBySide(t.Context(), d.db)
			if err != nil {
				t.Fatal(err)
			}
			runDjango(t, project, env, "adduser", "99", "snippet-user", "snippet-password-1")
			code, body := post(t, "http://"+djangoAddr+"/api/token/", `{"username":"snippet-user","password":"snippet-password-1"}`)
			var pair struct{ Refresh string }
			if err := json.Unmarshal([]byte(body), &pair); code != http.StatusOK || err != nil {
				t.Fatalf("Django's login: %d %s", code, body)
			}
			refresh := pair.Refresh
			if _, err := auth.Refresh(t.Context(), refresh); err != nil {
				t.Errorf("Django's refresh token on the snippet's service: %v", err)
			}
			if code, body := post(t, "http://"+djangoAddr+"/api/token/refresh/", `{"refresh":"`+refresh+`"}`); code != http.StatusUnauthorized ||
				body != `{"detail":"Token is blacklisted","code":"token_not_valid"}` {
				t.Errorf("the refresh token the snippet's service rotated, on Django: %d %s", code, body)
			}

			shellrun.Run(t, flush, shellrun.Options{Dir: t.TempDir(), Env: env, Replace: map[string]string{docDSN: d.dsn}})
		})
	}
}

// djangoDatabase is an empty database for the Django service and the Go service of one run.
type djangoDatabase struct {
	env    []string // what the Django app's settings read to reach it
	dsn    string   // JWTKIT_STORE_DSN for it
	db     *sql.DB
	tables func(t *testing.T) []string
}

func sqliteDjango(t *testing.T) djangoDatabase {
	file := filepath.Join(t.TempDir(), "db.sqlite3")
	db := openDB(t, "sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	return djangoDatabase{env: []string{"DJANGO_DB_VENDOR=sqlite", "DJANGO_DB_NAME=" + file}, dsn: file, db: db,
		tables: func(t *testing.T) []string {
			return queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
		}}
}

// postgresDjango is a new database on the server of JWTKIT_TEST_POSTGRES_DSN, dropped at the
// end. A server that does not answer skips the run (fails it under CI=true).
func postgresDjango(t *testing.T) djangoDatabase {
	needDjango(t, "psycopg2")
	admin := os.Getenv("JWTKIT_TEST_POSTGRES_DSN")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	adminDB := openDB(t, "pgx", admin)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if err := adminDB.PingContext(ctx); err != nil {
		unavailable(t, "PostgreSQL: "+err.Error())
	}
	name := "jwtkit_docs_" + strings.ToLower(rand.Text()[:10])
	if _, err := adminDB.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := adminDB.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	env := []string{"DJANGO_DB_VENDOR=postgres", "DJANGO_DB_NAME=" + name, "DJANGO_DB_HOST=" + u.Hostname(),
		"DJANGO_DB_PORT=" + u.Port(), "DJANGO_DB_USER=" + u.User.Username(), "DJANGO_DB_PASSWORD=" + pass}
	u.Path = "/" + name
	db := openDB(t, "pgx", u.String())
	return djangoDatabase{env: env, dsn: u.String(), db: db, tables: func(t *testing.T) []string {
		return queryStrings(t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`)
	}}
}

// needDjango skips the test without Django, DRF and simplejwt (and the modules named) for
// /usr/bin/python3, or fails it under CI=true.
func needDjango(t *testing.T, modules ...string) {
	t.Helper()
	imports := append([]string{"django", "rest_framework", "rest_framework_simplejwt"}, modules...)
	if out, err := exec.Command(python, "-c", "import "+strings.Join(imports, ", ")).CombinedOutput(); err != nil {
		unavailable(t, "Django + simplejwt for "+python+" (apt-get install python3-django python3-djangorestframework "+
			"python3-djangorestframework-simplejwt python3-psycopg2): "+string(bytes.TrimSpace(out)))
	}
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("not available under CI=true: %s", why)
	}
	t.Skipf("not available: %s", why)
}

func openDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diff returns what after has that before has not, and the other way round.
func diff(before, after []string) (added, removed []string) {
	for _, s := range after {
		if !slices.Contains(before, s) {
			added = append(added, s)
		}
	}
	for _, s := range before {
		if !slices.Contains(after, s) {
			removed = append(removed, s)
		}
	}
	return added, removed
}

// runDjango runs the Django app's run.py (manage.py's commands, and adduser) with env.
func runDjango(t *testing.T, project string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(python, append([]string{filepath.Join(project, "run.py")}, args...)...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// startDjango serves the Django app on a free port of 127.0.0.1 and returns its address; it
// stops when the test ends, as its standard input, a pipe the test holds, closes.
func startDjango(t *testing.T, project string, env []string) string {
	t.Helper()
	cmd := exec.Command(python, filepath.Join(project, "run.py"), "serve")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		port, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
		if !ok {
			_ = stdin.Close()
			<-done // stderr is complete
			t.Fatalf("the Django server did not start: %q\n%s", line, stderr.String())
		}
		return "127.0.0.1:" + port
	case <-time.After(60 * time.Second):
		t.Fatal("the Django server printed no ready line in 60 s")
	}
	return ""
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := bufio.NewReader(resp.Body).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b.String()
}
