package docs_test

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// pyjwtFixture is one of core's tokens signed the way simplejwt (PyJWT) signs them.
type pyjwtFixture struct {
	Name   string `json:"name"`
	Alg    string `json:"alg"`
	KID    string `json:"kid"`
	Secret string `json:"secret"`
	Now    int64  `json:"now"`
	Token  string `json:"token"`
}

func pyjwtFixtures() []pyjwtFixture {
	b, err := os.ReadFile("../core/testdata/pyjwt/fixtures.json")
	if err != nil {
		log.Fatal(err)
	}
	var fs []pyjwtFixture
	if err := json.Unmarshal(b, &fs); err != nil {
		log.Fatal(err)
	}
	return fs
}

// Example_djangoSharedKey accepts tokens a simplejwt server signed with its SIGNING_KEY, and
// issues tokens laid out as PyJWT lays them out (migrating-from-simplejwt.md).
func Example_djangoSharedKey() {
	ctx := context.Background()
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	users := demoUsers{}
	fixtures := pyjwtFixtures()
	os.Setenv("DJANGO_SECRET_KEY", fixtures[0].Secret)
	defer os.Unsetenv("DJANGO_SECRET_KEY")

	// snippet:django-shared-key
	// SIMPLE_JWT["SIGNING_KEY"] (Django's SECRET_KEY unless set), byte for byte as in settings.py:
	// simplejwt uses the text itself as the HMAC key, not a decoding of it.
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(os.Getenv("DJANGO_SECRET_KEY")), "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}

	for _, f := range fixtures {
		if f.Alg != "HS256" || f.KID != "" || !strings.HasPrefix(f.Name, "access") {
			continue
		}
		atFixtureTime, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users,
			Clock: func() time.Time { return time.Unix(f.Now, 0) }})
		if err != nil {
			log.Fatal(err)
		}
		tok, err := atFixtureTime.Validate(ctx, f.Token, jwtkit.TypeAccess)
		if err != nil {
			log.Fatal(err)
		}
		n, isInt := tok.UserID.Int()
		fmt.Printf("%s: user %q, integer %v %d\n", f.Name, tok.UserID, isInt, n)
	}

	pair, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	header, err := base64.RawURLEncoding.DecodeString(strings.Split(pair.Access, ".")[0])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(header))

	// Output:
	// access int user_id: user "1", integer true 1
	// access string user_id: user "5f0c8a4e-uuid", integer false 0
	// access numeric string user_id: user "1", integer true 1
	// {"alg":"HS256","typ":"JWT"}
}

// snippet:django-users
// djangoUsers authenticates against Django's auth_user table, so the Go service and the Django
// service it replaces share one set of accounts during a migration. It verifies Django's
// default hasher, PBKDF2-SHA256; accounts hashed otherwise (argon2, bcrypt) fail to log in.
type djangoUsers struct{ db *sql.DB }

func (u djangoUsers) Authenticate(ctx context.Context, username, password string) (jwtkit.User, error) {
	var id int64
	var encoded string
	var active bool
	err := u.db.QueryRowContext(ctx, `SELECT id, password, is_active FROM auth_user WHERE username = $1`, username).
		Scan(&id, &encoded, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !checkDjangoPassword(password, encoded)) {
		return jwtkit.User{}, jwtkit.ErrBadCredentials
	}
	if err != nil {
		return jwtkit.User{}, err // the database did not answer: jwtkit answers 503
	}
	return jwtkit.User{ID: jwtkit.IntUserID(id), Active: active, Value: username}, nil
}

func (u djangoUsers) LookupUser(ctx context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	n, ok := id.Int() // user_id 7 and "7" alike
	if !ok {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	var username string
	var active bool
	err := u.db.QueryRowContext(ctx, `SELECT username, is_active FROM auth_user WHERE id = $1`, n).Scan(&username, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return jwtkit.User{}, jwtkit.ErrUserNotFound
	}
	if err != nil {
		return jwtkit.User{}, err
	}
	return jwtkit.User{ID: jwtkit.IntUserID(n), Active: active, Value: username}, nil
}

// checkDjangoPassword checks a password against Django's "pbkdf2_sha256$<iterations>$<salt>$<hash>".
func checkDjangoPassword(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2_sha256" { // also refuses unusable passwords ("!...")
		return false
	}
	iterations, err := strconv.Atoi(parts[1])
	if err != nil || iterations < 1 {
		return false
	}
	want, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil || len(want) != sha256.Size {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, []byte(parts[2]), iterations, sha256.Size)
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// endsnippet

// Example_djangoUsers logs in against an auth_user table (migrating-from-simplejwt.md). The
// password hash was made by Python's hashlib.pbkdf2_hmac, as Django makes it, with 1000
// iterations to keep the test fast (Django 5 uses about a million).
func Example_djangoUsers() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jwtkit-docs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "django.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	const hash = "pbkdf2_sha256$1000$Gs7mW0ZqkYxV3bQp$gaNMFh1LujiII/Xx4fcVwvBbTGJL/oDotuhXbW621Z8="
	for _, q := range []string{
		`CREATE TABLE auth_user (id INTEGER PRIMARY KEY, password TEXT NOT NULL, username TEXT UNIQUE NOT NULL, is_active BOOLEAN NOT NULL)`,
		`INSERT INTO auth_user VALUES (1, '` + hash + `', 'demo', 1), (2, '` + hash + `', 'inactive', 0), (3, '!unusable', 'locked', 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			log.Fatal(err)
		}
	}
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: djangoUsers{db: db}})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)

	for _, login := range []string{
		`{"username":"demo","password":"demo-password"}`,
		`{"username":"demo","password":"wrong"}`,
		`{"username":"inactive","password":"demo-password"}`,
		`{"username":"locked","password":"demo-password"}`,
		`{"username":"nobody","password":"demo-password"}`,
	} {
		status, body := call(mux, "POST", "/api/token/", "application/json", login)
		fmt.Println(status, strings.HasPrefix(body, `{"refresh":"`))
	}
	u, err := djangoUsers{db: db}.LookupUser(ctx, jwtkit.StringUserID("1"))
	fmt.Println(u.ID, u.Value, u.Active, err)

	// Output:
	// 200 true
	// 401 false
	// 401 false
	// 401 false
	// 401 false
	// 1 demo true <nil>
}

// Example_customClaims is simplejwt's get_token override in Go (migrating-from-simplejwt.md).
func Example_customClaims() {
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}

	// snippet:custom-claims
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey: key,
		Store:      store,
		Users:      demoUsers{},
		// token["username"] = user.username in a TokenObtainPairSerializer.get_token override:
		// the claims ride along in both tokens, and refresh copies them into the new access token.
		CustomClaims: func(ctx context.Context, u jwtkit.User) (any, error) {
			return map[string]any{"username": u.Value}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	type claims struct {
		Username string `json:"username"`
	}
	me := jwthttp.Middleware(auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := jwthttp.Claims[claims](r.Context())
		if err != nil {
			http.Error(w, "bad claims", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "hello %s", c.Username)
	}))
	// endsnippet

	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	mux.Handle("GET /api/me", me)
	_, body := call(mux, "POST", "/api/token/", "application/json", `{"username":"demo","password":"demo-password"}`)
	var pair struct{ Access, Refresh string }
	if err := json.Unmarshal([]byte(body), &pair); err != nil {
		log.Fatal(err)
	}
	_, body = call(mux, "POST", "/api/token/refresh/", "application/json", `{"refresh":"`+pair.Refresh+`"}`)
	var fresh struct{ Access string }
	if err := json.Unmarshal([]byte(body), &fresh); err != nil {
		log.Fatal(err)
	}
	fmt.Println(call(mux, "GET", "/api/me", "", "", "Authorization", "Bearer "+pair.Access))
	fmt.Println(call(mux, "GET", "/api/me", "", "", "Authorization", "Bearer "+fresh.Access))

	// Output:
	// 200 hello demo
	// 200 hello demo
}

// importDjangoBlacklist copies simplejwt's blacklist into a jwtkit store at the cut-over, so a
// refresh token logged out on the Django side stays refused on the Go side. db is the Django
// database; rows of tokens that have expired are skipped, the store would forget them anyway.
func importDjangoBlacklist(ctx context.Context, db *sql.DB, store jwtkit.Store) (int, error) {
	// snippet:import-django-blacklist
	rows, err := db.QueryContext(ctx, `
		SELECT o.jti, o.expires_at
		FROM token_blacklist_blacklistedtoken b
		JOIN token_blacklist_outstandingtoken o ON o.id = b.token_id
		WHERE o.expires_at > $1`, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	imported := 0
	for rows.Next() {
		var jti string
		var expires time.Time
		if err := rows.Scan(&jti, &expires); err != nil {
			return imported, err
		}
		if err := store.Revoke(ctx, jti, expires); err != nil { // idempotent: safe to run again
			return imported, err
		}
		imported++
	}
	return imported, rows.Err()
	// endsnippet
}

// Example_importDjangoBlacklist moves simplejwt's blacklist into the jwtkit store
// (migrating-from-simplejwt.md).
func Example_importDjangoBlacklist() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jwtkit-docs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "django.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: demoUsers{}})
	if err != nil {
		log.Fatal(err)
	}
	// Two refresh tokens, as Django would have issued them with the same key; the first was
	// blacklisted by a logout on the Django side, before the cut-over.
	loggedOut, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	active, err := auth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := auth.Validate(ctx, loggedOut.Refresh, jwtkit.TypeRefresh)
	if err != nil {
		log.Fatal(err)
	}
	// simplejwt's two tables (token_blacklist migrations), reduced to the columns read here.
	for _, q := range []string{
		`CREATE TABLE token_blacklist_outstandingtoken (id INTEGER PRIMARY KEY, jti VARCHAR(255) UNIQUE NOT NULL, expires_at DATETIME NOT NULL)`,
		`CREATE TABLE token_blacklist_blacklistedtoken (id INTEGER PRIMARY KEY, token_id INTEGER UNIQUE NOT NULL REFERENCES token_blacklist_outstandingtoken (id))`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			log.Fatal(err)
		}
	}
	insert := `INSERT INTO token_blacklist_outstandingtoken (id, jti, expires_at) VALUES ($1, $2, $3)`
	if _, err := db.ExecContext(ctx, insert, 1, tok.ID, tok.ExpiresAt.UTC()); err != nil {
		log.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, insert, 2, "0123456789abcdef0123456789abcdef", time.Now().Add(-time.Hour).UTC()); err != nil {
		log.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO token_blacklist_blacklistedtoken (id, token_id) VALUES (1, 1), (2, 2)`); err != nil {
		log.Fatal(err)
	}

	fmt.Println(importDjangoBlacklist(ctx, db, store))
	_, err = auth.Refresh(ctx, loggedOut.Refresh)
	fmt.Println(err)
	_, err = auth.Refresh(ctx, active.Refresh)
	fmt.Println(err)

	// Output:
	// 1 <nil>
	// jwtkit: token is blacklisted
	// <nil>
}
