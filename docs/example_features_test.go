package docs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// The examples of features.md. Each builds a net/http app on a memory store with the demo
// users (demo / demo-password, id 1) and walks the feature over HTTP, printing the answers.

const demoLogin = `{"username":"demo","password":"demo-password"}`

// answer is one response of an in-process request.
type answer struct {
	status int
	header http.Header
	body   string
}

// request sends one request to h: a JSON body when body is set, then header's name, value
// pairs (a "Cookie" pair adds a cookie line).
func request(h http.Handler, method, path, body string, header ...string) answer {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return answer{status: w.Code, header: w.Header(), body: strings.TrimSuffix(w.Body.String(), "\n")}
}

// field returns one string member of a JSON body.
func (a answer) field(name string) string {
	var m map[string]string
	_ = json.Unmarshal([]byte(a.body), &m)
	return m[name]
}

// members lists a JSON body's member names, sorted: tokens differ on every run, names do not.
func (a answer) members() []string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal([]byte(a.body), &m)
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// cookies describes each Set-Cookie line with its value left out.
func (a answer) cookies() []string {
	var out []string
	for _, line := range a.header.Values("Set-Cookie") {
		name, rest, _ := strings.Cut(line, "=")
		_, attrs, _ := strings.Cut(rest, ";")
		out = append(out, name+"=…;"+attrs)
	}
	return out
}

// cookie returns the value of the cookie the answer set, by name.
func (a answer) cookie(name string) string {
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// meHandler is GET /api/me of the examples.
var meHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, _ := jwthttp.FromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"user_id": id.User.ID, "username": id.User.Value})
})

// exampleStoreAndKey are what every example starts from.
func exampleStoreAndKey() (*memstore.Store, *jwtkit.Key) {
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	if err != nil {
		log.Fatal(err)
	}
	return store, key
}

// Example_featuresReuseDetection replays a rotated refresh token: its whole login is revoked.
func Example_featuresReuseDetection() {
	store, key := exampleStoreAndKey()
	defer store.Close()
	users := demoUsers{}

	// snippet:features-reuse
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey:     key,
		Store:          store,
		Users:          users,
		ReuseDetection: true, // implies RotateRefreshTokens and BlacklistAfterRotation
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	// endsnippet
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(meHandler))

	login := request(mux, "POST", "/api/token/", demoLogin)
	stolen := login.field("refresh")
	owner := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+stolen+`"}`)
	fmt.Println("owner refreshes:", owner.status, owner.members())
	replay := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+stolen+`"}`)
	fmt.Println("replayed:", replay.status, replay.body)
	newest := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+owner.field("refresh")+`"}`)
	fmt.Println("the newest refresh token:", newest.status, newest.body)
	me := request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+owner.field("access"))
	fmt.Println("the newest access token:", me.status, me.body)
	other := request(mux, "POST", "/api/token/", demoLogin)
	fmt.Println("another login:", request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+other.field("access")).status)

	// Output:
	// owner refreshes: 200 [access refresh]
	// replayed: 401 {"detail":"Token is blacklisted","code":"token_not_valid"}
	// the newest refresh token: 401 {"detail":"Token is blacklisted","code":"token_not_valid"}
	// the newest access token: 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is blacklisted"}]}
	// another login: 200
}

// Example_featuresReuseGrace presents the same refresh token twice within the grace window, as
// a client that lost the first answer does: it gets that answer again.
func Example_featuresReuseGrace() {
	store, key := exampleStoreAndKey()
	defer store.Close()
	users := demoUsers{}

	// snippet:features-reuse-grace
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey:     key,
		Store:          store, // memstore, redisstore and sqlstore all keep rotation answers
		Users:          users,
		ReuseDetection: true,
		ReuseGrace:     5 * time.Second, // the same refresh token again within 5 s: the same answer
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)

	refresh := request(mux, "POST", "/api/token/", demoLogin).field("refresh")
	first := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+refresh+`"}`)
	again := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+refresh+`"}`)
	fmt.Println(first.status, again.status, "same answer:", again.body == first.body)
	next := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+first.field("refresh")+`"}`)
	fmt.Println("the login goes on:", next.status)

	// Output:
	// 200 200 same answer: true
	// the login goes on: 200
}

// snippet:features-logout-client

// logout ends a session: the refresh token in the body and the access token in the header,
// so that neither works any more, including the access token's remaining minutes.
func logout(ctx context.Context, client *http.Client, api, access, refresh string) error {
	body, err := json.Marshal(map[string]string{"refresh": refresh})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/token/blacklist/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("logout: %s", resp.Status)
	}
	return nil
}

// endsnippet

// Example_featuresAccessRevocation logs out with both tokens: the access token stops working
// at once instead of when it expires.
func Example_featuresAccessRevocation() {
	auth, store := newDemoAuth()
	defer store.Close()
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(meHandler))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	login := request(mux, "POST", "/api/token/", demoLogin)
	access, refresh := login.field("access"), login.field("refresh")
	fmt.Println("logout:", logout(context.Background(), srv.Client(), srv.URL+"/api", access, refresh))
	me := request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+access)
	fmt.Println(me.status, me.body)

	// Output:
	// logout: <nil>
	// 401 {"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is blacklisted"}]}
}

// changingUsers are the demo users with a password that can change: PasswordHash is what
// CheckRevokeToken fingerprints.
type changingUsers struct {
	demoUsers
	mu   *sync.Mutex
	hash map[string]string // by user id
}

func newChangingUsers() changingUsers {
	return changingUsers{mu: &sync.Mutex{}, hash: map[string]string{"1": "pbkdf2_sha256$1000000$salt$first"}}
}

func (u changingUsers) withHash(user jwtkit.User) jwtkit.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	user.PasswordHash = u.hash[user.ID.String()]
	return user
}

func (u changingUsers) Authenticate(ctx context.Context, name, password string) (jwtkit.User, error) {
	user, err := u.demoUsers.Authenticate(ctx, name, password)
	return u.withHash(user), err
}

func (u changingUsers) LookupUser(ctx context.Context, id jwtkit.UserID) (jwtkit.User, error) {
	user, err := u.demoUsers.LookupUser(ctx, id)
	return u.withHash(user), err
}

// setPassword stands for the application's own password change (a new hash in its database).
func (u changingUsers) setPassword(_ context.Context, id jwtkit.UserID, password string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hash[id.String()] = "pbkdf2_sha256$1000000$salt$" + password
	return nil
}

// Example_featuresRevokeAll logs a user out on every device: through the endpoint, and from the
// application's own password-change handler.
func Example_featuresRevokeAll() {
	auth, store := newDemoAuth()
	defer store.Close()
	users := newChangingUsers()

	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth) // serves POST /api/token/revoke-all/ too
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(meHandler))
	// snippet:features-password-change
	mux.Handle("POST /api/password/", jwthttp.Middleware(auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		if err := users.setPassword(r.Context(), id.User.ID, r.FormValue("new_password")); err != nil {
			http.Error(w, "the password was not changed", http.StatusInternalServerError)
			return
		}
		// Every token the user holds, on every device, stops working now.
		if err := auth.RevokeUser(r.Context(), id.User.ID); err != nil {
			http.Error(w, "the password changed but the sessions are not revoked yet, try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))
	// endsnippet

	laptop := request(mux, "POST", "/api/token/", demoLogin).field("access")
	phone := request(mux, "POST", "/api/token/", demoLogin)
	fmt.Println(request(mux, "POST", "/api/token/revoke-all/", "").body)
	revokeAll := request(mux, "POST", "/api/token/revoke-all/", "", "Authorization", "Bearer "+laptop)
	fmt.Println("revoke-all:", revokeAll.status, revokeAll.body)
	fmt.Println("the phone:", request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+phone.field("access")).status)
	refresh := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+phone.field("refresh")+`"}`)
	fmt.Println("the phone's refresh token:", refresh.status, refresh.body)

	// Tokens issued within the revoking second are revoked too: log in again a second later.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	access := request(mux, "POST", "/api/token/", demoLogin).field("access")
	req := httptest.NewRequest("POST", "/api/password/", strings.NewReader("new_password=correct-horse"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+access)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	fmt.Println("password change:", w.Code)
	fmt.Println("the session that changed it:", request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+access).status)

	// Output:
	// {"detail":"Authentication credentials were not provided."}
	// revoke-all: 200 {}
	// the phone: 401
	// the phone's refresh token: 401 {"detail":"Token is blacklisted","code":"token_not_valid"}
	// password change: 204
	// the session that changed it: 401
}

// Example_featuresCheckRevokeToken changes a password: tokens carry a fingerprint of the old
// hash and stop working, as simplejwt's CHECK_REVOKE_TOKEN does.
func Example_featuresCheckRevokeToken() {
	store, key := exampleStoreAndKey()
	defer store.Close()
	users := newChangingUsers() // its User values carry PasswordHash

	// snippet:features-check-revoke-token
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey:       key,
		Store:            store,
		Users:            users, // User.PasswordHash set by Authenticate and LookupUser
		CheckRevokeToken: true,  // CHECK_REVOKE_TOKEN; the claim is "hash_password" (REVOKE_TOKEN_CLAIM)
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	mux.Handle("GET /api/me", jwthttp.Middleware(auth)(meHandler))

	login := request(mux, "POST", "/api/token/", demoLogin)
	fmt.Println("before:", request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+login.field("access")).body)
	if err := users.setPassword(context.Background(), jwtkit.IntUserID(1), "correct-horse"); err != nil {
		log.Fatal(err)
	}
	me := request(mux, "GET", "/api/me", "", "Authorization", "Bearer "+login.field("access"))
	fmt.Println("after:", me.status, me.body)
	refresh := request(mux, "POST", "/api/token/refresh/", `{"refresh":"`+login.field("refresh")+`"}`)
	fmt.Println("refresh:", refresh.status, refresh.body)

	// Output:
	// before: {"user_id":1,"username":"demo"}
	// after: 401 {"detail":"The user's password has been changed.","code":"password_changed"}
	// refresh: 401 {"detail":"The user's password has been changed.","code":"password_changed"}
}

// Example_featuresCookieMode logs in the way a browser app does in cookie mode.
func Example_featuresCookieMode() {
	store, key := exampleStoreAndKey()
	defer store.Close()
	users := demoUsers{}

	// snippet:features-cookie-mode
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey: key,
		Store:      store,
		Users:      users,
		Cookies:    jwtkit.CookieConfig{Enabled: true}, // serve the site and the API over HTTPS
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)

	login := request(mux, "POST", "/api/token/", demoLogin)
	fmt.Println("obtain:", login.status, login.members())
	for _, c := range login.cookies() {
		fmt.Println("  Set-Cookie:", c)
	}
	cookies := "__Secure-jwtkit-refresh=" + login.cookie("__Secure-jwtkit-refresh") + "; jwtkit-csrf=" + login.cookie("jwtkit-csrf")
	forged := request(mux, "POST", "/api/token/refresh/", "", "Cookie", cookies)
	fmt.Println("refresh without X-CSRF-Token:", forged.status, forged.body)
	refreshed := request(mux, "POST", "/api/token/refresh/", "", "Cookie", cookies, "X-CSRF-Token", login.cookie("jwtkit-csrf"))
	fmt.Println("refresh with it:", refreshed.status, refreshed.members())
	out := request(mux, "POST", "/api/token/blacklist/", "", "Cookie", cookies, "X-CSRF-Token", login.cookie("jwtkit-csrf"))
	fmt.Println("logout:", out.status, out.body)
	for _, c := range out.cookies() {
		fmt.Println("  Set-Cookie:", c)
	}

	// Output:
	// obtain: 200 [access]
	//   Set-Cookie: __Secure-jwtkit-refresh=…; Path=/api/token/; Max-Age=86400; HttpOnly; Secure; SameSite=Strict
	//   Set-Cookie: jwtkit-csrf=…; Path=/; Max-Age=86400; Secure; SameSite=Strict
	// refresh without X-CSRF-Token: 403 {"detail":"CSRF Failed: CSRF token missing or incorrect.","code":"csrf_failed"}
	// refresh with it: 200 [access]
	// logout: 200 {}
	//   Set-Cookie: __Secure-jwtkit-refresh=…; Path=/api/token/; Max-Age=0; HttpOnly; Secure; SameSite=Strict
	//   Set-Cookie: jwtkit-csrf=…; Path=/; Max-Age=0; Secure; SameSite=Strict
}

// Example_featuresJWKS publishes an ES256 key, and a second service verifies the first one's
// tokens by fetching that JWKS.
func Example_featuresJWKS() {
	ctx := context.Background()
	store, _ := exampleStoreAndKey()
	defer store.Close()
	users := demoUsers{}
	generated, err := jwtkit.GenerateKey(jwtkit.ES256, "")
	if err != nil {
		log.Fatal(err)
	}
	pemData, err := generated.PrivatePEM()
	if err != nil {
		log.Fatal(err)
	}
	file := filepath.Join(os.TempDir(), fmt.Sprintf("jwtkit-features-%d.pem", time.Now().UnixNano()))
	if err := os.WriteFile(file, pemData, 0o600); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(file)
	os.Setenv("JWTKIT_PRIVATE_KEY_FILE", file)
	defer os.Unsetenv("JWTKIT_PRIVATE_KEY_FILE")

	// snippet:features-jwks-publish
	pemKey, err := os.ReadFile(os.Getenv("JWTKIT_PRIVATE_KEY_FILE")) // jwtkit keygen --alg ES256 --out key.pem
	if err != nil {
		log.Fatal(err)
	}
	key, err := jwtkit.ParsePEMKey(jwtkit.ES256, pemKey, "2026-05") // the kid tokens will name
	if err != nil {
		log.Fatal(err)
	}
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store, Users: users})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	mux.Handle(jwtkit.JWKSPath, jwthttp.JWKS(auth)) // GET /.well-known/jwks.json
	// endsnippet
	issuer := httptest.NewServer(mux)
	defer issuer.Close()
	issuerURL := issuer.URL

	jwks := request(mux, "GET", jwtkit.JWKSPath, "")
	var set struct{ Keys []jwtkit.JWK }
	if err := json.Unmarshal([]byte(jwks.body), &set); err != nil {
		log.Fatal(err)
	}
	fmt.Println(jwks.status, jwks.header.Get("Cache-Control"), set.Keys[0].Kty, set.Keys[0].Crv, set.Keys[0].Alg, set.Keys[0].Kid)

	verifierStore, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	defer verifierStore.Close()
	// snippet:features-jwks-remote
	keys, err := jwtkit.NewRemoteKeySet(ctx, jwtkit.RemoteKeySetConfig{URL: issuerURL + jwtkit.JWKSPath}) // https in production
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := jwtkit.New(jwtkit.Config{RemoteKeys: keys, Store: verifierStore, Stateless: true})
	if err != nil {
		log.Fatal(err)
	}
	api := http.NewServeMux()
	api.Handle("GET /api/me", jwthttp.Middleware(verifier)(meHandler))
	// endsnippet

	access := request(mux, "POST", "/api/token/", demoLogin).field("access")
	fmt.Println(request(api, "GET", "/api/me", "", "Authorization", "Bearer "+access).body)

	hmacOnly, hmacStore := newDemoAuth()
	defer hmacStore.Close()
	none := request(jwthttp.JWKS(hmacOnly), "GET", jwtkit.JWKSPath, "")
	fmt.Println("HS256:", none.status, none.body)

	// Output:
	// 200 public, max-age=300 EC P-256 ES256 2026-05
	// {"user_id":1,"username":null}
	// HS256: 404 {"detail":"Not found."}
}

// Example_featuresLoginRate guesses passwords until the limit answers.
func Example_featuresLoginRate() {
	store, key := exampleStoreAndKey()
	defer store.Close()
	users := demoUsers{}

	// snippet:features-login-rate
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey: key,
		Store:      store, // counts the attempts: memstore, redisstore and sqlstore share them across replicas
		Users:      users,
		LoginRate:  jwtkit.Rate{Limit: 5, Per: time.Minute}, // 5 failed logins per minute, per username and per address
	})
	// endsnippet
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)

	var statuses []string
	for range 5 {
		statuses = append(statuses, strconv.Itoa(request(mux, "POST", "/api/token/", `{"username":"demo","password":"guess"}`).status))
	}
	fmt.Println(strings.Join(statuses, " "))
	sixth := request(mux, "POST", "/api/token/", demoLogin)
	fmt.Println(sixth.status, "Retry-After:", sixth.header.Get("Retry-After"))
	fmt.Println(sixth.body)
	nobody := request(mux, "POST", "/api/token/", `{"username":"nobody","password":"guess"}`)
	fmt.Println("from the same address:", nobody.status)

	// Output:
	// 401 401 401 401 401
	// 429 Retry-After: 60
	// {"detail":"Request was throttled. Expected available in 60 seconds.","code":"throttled"}
	// from the same address: 429
}

// snippet:features-audit-handler

// requestIDKey is where withRequestID keeps the request's id in its context.
type requestIDKey struct{}

// withRequestID gives every request an id, in its context and in the X-Request-Id answer header.
func withRequestID(next http.Handler) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id") // from the proxy in front, else our own
		if id == "" {
			id = strconv.FormatInt(n.Add(1), 10)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// requestIDHandler adds the request id of the context to every record it handles, the audit
// events included: jwtkit passes the request's context to the Audit hook.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// endsnippet

// Example_featuresAudit logs the security events with the request id of each request.
func Example_featuresAudit() {
	store, key := exampleStoreAndKey()
	defer store.Close()
	users := demoUsers{}
	// The output is compared below, so the time is left out and the token id shortened.
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey:
			return slog.Attr{}
		case "jti":
			return slog.String("jti", "…")
		}
		return a
	}})

	// snippet:features-audit
	logger := slog.New(requestIDHandler{text}) // text: your slog handler, e.g. slog.NewJSONHandler(os.Stderr, nil)
	auth, err := jwtkit.New(jwtkit.Config{
		SigningKey: key,
		Store:      store,
		Users:      users,
		Audit:      jwtkit.SlogAudit(logger), // the default is SlogAudit(slog.Default()); jwtkit.NoAudit turns it off
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", auth)
	handler := withRequestID(mux)
	// endsnippet

	request(handler, "POST", "/api/token/", `{"username":"demo","password":"guess"}`)
	login := request(handler, "POST", "/api/token/", demoLogin, "X-Request-Id", "req-7f3a")
	request(handler, "POST", "/api/token/blacklist/", `{"refresh":"`+login.field("refresh")+`"}`)

	// Output:
	// level=WARN msg="jwtkit: login_failed" username=demo client=192.0.2.1 request_id=1
	// level=INFO msg="jwtkit: login_succeeded" user_id=1 username=demo client=192.0.2.1 request_id=req-7f3a
	// level=INFO msg="jwtkit: blacklisted" user_id=1 jti=… request_id=2
}
