package docs_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	jwthttp "github.com/jwtkit/jwtkit/adapters/nethttp"
	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// TestOpenAPI holds openapi.yaml to the server: the document must be a well-formed OpenAPI
// 3.1.0 document; every response it documents (each path, method and status) is produced by a
// real request to an in-process net/http app, whose status, documented headers and JSON body
// are validated against the document with a JSON Schema 2020-12 validator; every answer the app
// gives must be documented; and every status of the contract's tables must be documented. The
// mutants subtest breaks the document in the ways a stale document would be broken and requires
// the checks to notice each.
func TestOpenAPI(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := loadSpec(t, raw)

	t.Run("well-formed", func(t *testing.T) {
		for _, p := range wellFormed(doc) {
			t.Error(p)
		}
	})

	recs := runExchanges(t)
	t.Logf("%d exchanges cover %d path/method/status triples", len(recs), len(coveredTriples(recs)))

	t.Run("responses", func(t *testing.T) {
		for _, p := range checkExchanges(doc, recs) {
			t.Error(p)
		}
	})
	t.Run("every documented response is exercised", func(t *testing.T) {
		for _, p := range checkCoverage(doc, recs) {
			t.Error(p)
		}
	})
	t.Run("every contract status is documented", func(t *testing.T) {
		for _, p := range checkContractStatuses(doc) {
			t.Error(p)
		}
	})
	t.Run("mutants", func(t *testing.T) {
		for _, m := range mutants {
			t.Run(m.name, func(t *testing.T) {
				mutated := loadSpec(t, raw)
				m.apply(t, mutated)
				problems := wellFormed(mutated)
				if len(problems) == 0 {
					problems = append(checkExchanges(mutated, recs), checkCoverage(mutated, recs)...)
					problems = append(problems, checkContractStatuses(mutated)...)
				}
				if len(problems) == 0 {
					t.Errorf("the checks did not notice: %s", m.name)
					return
				}
				t.Logf("noticed (%d problems), first: %s", len(problems), problems[0])
			})
		}
	})
}

const specURL = "file:///jwtkit/docs/openapi.json"

// loadSpec parses the YAML (aliases expanded) into the JSON data model the validator uses.
func loadSpec(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var y any
	if err := yaml.Unmarshal(raw, &y); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	j, err := json.Marshal(y)
	if err != nil {
		t.Fatalf("openapi.yaml is not representable as JSON (a non-string key?): %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatal("openapi.yaml is not a mapping")
	}
	return doc
}

// ---- JSON pointers ----

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + escapeToken(t))
	}
	return b.String()
}

// at returns the value at a JSON pointer, or nil.
func at(doc any, ptr string) any {
	if ptr == "" {
		return doc
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
		if cur == nil {
			return nil
		}
	}
	return cur
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// follow resolves a Reference Object: it returns the object and the pointer it lives at.
func follow(doc map[string]any, ptr string) (map[string]any, string, error) {
	for range 10 {
		o := obj(at(doc, ptr))
		if o == nil {
			return nil, ptr, fmt.Errorf("nothing at %s", ptr)
		}
		ref, ok := o["$ref"].(string)
		if !ok {
			return o, ptr, nil
		}
		if !strings.HasPrefix(ref, "#") {
			return nil, ptr, fmt.Errorf("%s: only local references are used, got %s", ptr, ref)
		}
		ptr = strings.TrimPrefix(ref, "#")
	}
	return nil, ptr, fmt.Errorf("%s: reference loop", ptr)
}

// ---- well-formedness ----

var (
	pathItemKeys  = set("summary", "description", "get", "put", "post", "delete", "options", "head", "patch", "trace", "servers", "parameters", "$ref")
	operationKeys = set("tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody", "responses", "callbacks", "deprecated", "security", "servers")
	responseKeys  = set("description", "headers", "content", "links")
	headerKeys    = set("description", "required", "deprecated", "schema", "content", "style", "explode", "example", "examples")
	mediaKeys     = set("schema", "example", "examples", "encoding")
	bodyKeys      = set("description", "content", "required")
	methods       = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	statusKey     = regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`)
)

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func unknownKeys(where string, o map[string]any, allowed map[string]bool) []string {
	var out []string
	for k := range o {
		if !allowed[k] && !strings.HasPrefix(k, "x-") {
			out = append(out, fmt.Sprintf("%s: unknown field %q", where, k))
		}
	}
	sort.Strings(out)
	return out
}

// wellFormed checks what an OpenAPI 3.1.0 reader relies on: the version, the required fields,
// the fields of every object this document uses, that every $ref resolves, that operationIds
// are unique and security schemes exist, and that every schema compiles as JSON Schema 2020-12.
func wellFormed(doc map[string]any) []string {
	var p []string
	if doc["openapi"] != "3.1.0" {
		p = append(p, fmt.Sprintf("openapi is %v, want 3.1.0", doc["openapi"]))
	}
	info := obj(doc["info"])
	if _, ok := info["title"].(string); !ok {
		p = append(p, "info.title missing")
	}
	if _, ok := info["version"].(string); !ok {
		p = append(p, "info.version missing or not a string")
	}
	p = append(p, unknownKeys("document", doc, set("openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags", "externalDocs"))...)

	// Every $ref anywhere resolves inside the document.
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !strings.HasPrefix(ref, "#/") || at(doc, strings.TrimPrefix(ref, "#")) == nil {
					p = append(p, fmt.Sprintf("%s: $ref %s does not resolve", ptr, ref))
				}
			}
			for k, c := range x {
				walk(ptr+"/"+escapeToken(k), c)
			}
		case []any:
			for i, c := range x {
				walk(ptr+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("", doc)
	if len(p) > 0 {
		return p // the checks below follow references
	}

	schemes := obj(obj(doc["components"])["securitySchemes"])
	tags := map[string]bool{}
	for _, tg := range asSlice(doc["tags"]) {
		if name, ok := obj(tg)["name"].(string); ok {
			tags[name] = true
		}
	}
	opIDs := map[string]string{}
	var schemaPtrs []string
	paths := obj(doc["paths"])
	if len(paths) == 0 {
		p = append(p, "no paths")
	}
	for _, path := range sortedKeys(paths) {
		itemPtr := pointer("paths", path)
		if !strings.HasPrefix(path, "/") {
			p = append(p, itemPtr+": path does not start with /")
		}
		item := obj(paths[path])
		p = append(p, unknownKeys(itemPtr, item, pathItemKeys)...)
		for _, m := range methods {
			if item[m] == nil {
				continue
			}
			opPtr := itemPtr + "/" + m
			op := obj(item[m])
			p = append(p, unknownKeys(opPtr, op, operationKeys)...)
			if id, ok := op["operationId"].(string); ok {
				if prev, dup := opIDs[id]; dup {
					p = append(p, fmt.Sprintf("%s: operationId %s already used at %s", opPtr, id, prev))
				}
				opIDs[id] = opPtr
			}
			for _, tg := range asSlice(op["tags"]) {
				if name, _ := tg.(string); !tags[name] {
					p = append(p, fmt.Sprintf("%s: tag %v is not declared", opPtr, tg))
				}
			}
			for _, req := range asSlice(op["security"]) {
				for name := range obj(req) {
					if schemes[name] == nil {
						p = append(p, fmt.Sprintf("%s: security scheme %s is not declared", opPtr, name))
					}
				}
			}
			if op["requestBody"] != nil {
				body, bodyPtr, err := follow(doc, opPtr+"/requestBody")
				if err != nil {
					p = append(p, err.Error())
				} else {
					p = append(p, unknownKeys(bodyPtr, body, bodyKeys)...)
					for _, mt := range sortedKeys(obj(body["content"])) {
						mtPtr := bodyPtr + pointer("content", mt)
						p = append(p, unknownKeys(mtPtr, obj(at(doc, mtPtr)), mediaKeys)...)
						schemaPtrs = append(schemaPtrs, mtPtr+"/schema")
					}
				}
			}
			responses := obj(op["responses"])
			if len(responses) == 0 {
				p = append(p, opPtr+": no responses")
			}
			for _, status := range sortedKeys(responses) {
				if !statusKey.MatchString(status) {
					p = append(p, fmt.Sprintf("%s: response key %q is not a status code", opPtr, status))
				}
				resp, respPtr, err := follow(doc, opPtr+pointer("responses", status))
				if err != nil {
					p = append(p, err.Error())
					continue
				}
				p = append(p, unknownKeys(respPtr, resp, responseKeys)...)
				if d, _ := resp["description"].(string); d == "" {
					p = append(p, respPtr+": a response needs a description")
				}
				for _, name := range sortedKeys(obj(resp["headers"])) {
					h, hPtr, err := follow(doc, respPtr+pointer("headers", name))
					if err != nil {
						p = append(p, err.Error())
						continue
					}
					p = append(p, unknownKeys(hPtr, h, headerKeys)...)
					if h["schema"] == nil {
						p = append(p, hPtr+": header without a schema")
					} else {
						schemaPtrs = append(schemaPtrs, hPtr+"/schema")
					}
				}
				for _, mt := range sortedKeys(obj(resp["content"])) {
					mtPtr := respPtr + pointer("content", mt)
					p = append(p, unknownKeys(mtPtr, obj(at(doc, mtPtr)), mediaKeys)...)
					if at(doc, mtPtr+"/schema") == nil {
						p = append(p, mtPtr+": media type without a schema")
					} else {
						schemaPtrs = append(schemaPtrs, mtPtr+"/schema")
					}
				}
			}
		}
	}
	for _, name := range sortedKeys(obj(obj(doc["components"])["schemas"])) {
		schemaPtrs = append(schemaPtrs, pointer("components", "schemas", name))
	}
	v, err := newValidator(doc)
	if err != nil {
		return append(p, err.Error())
	}
	for _, ptr := range schemaPtrs {
		if _, err := v.schema(ptr); err != nil {
			p = append(p, fmt.Sprintf("%s: schema does not compile: %v", ptr, err))
		}
	}
	return p
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---- schema validation ----

type validator struct {
	c     *jsonschema.Compiler
	cache map[string]*jsonschema.Schema
}

func newValidator(doc map[string]any) (*validator, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, err
	}
	return &validator{c: c, cache: map[string]*jsonschema.Schema{}}, nil
}

func (v *validator) schema(ptr string) (*jsonschema.Schema, error) {
	if s, ok := v.cache[ptr]; ok {
		return s, nil
	}
	s, err := v.c.Compile(specURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	v.cache[ptr] = s
	return s, nil
}

// validate checks a JSON value against the schema at ptr, returning a one-line problem or "".
func (v *validator) validate(ptr string, value any) string {
	s, err := v.schema(ptr)
	if err != nil {
		return fmt.Sprintf("schema %s: %v", ptr, err)
	}
	if err := s.Validate(value); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return strings.ReplaceAll(fmt.Sprintf("%v", ve), "\n", "; ")
		}
		return err.Error()
	}
	return ""
}

// ---- the app and the exchanges ----

// hsSecret is the test app's HS256 secret, so the test can sign tokens the app never issues.
var hsSecret = []byte("openapi-test-secret-0123456789-abcdefghij")

// forge signs header and payload JSON exactly as given.
func forge(header, payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, hsSecret)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// outageStore is the memory store with a switch that makes every call fail, as an unreachable
// server would.
type outageStore struct {
	jwtkit.Store
	down atomic.Bool
}

var errDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func (o *outageStore) Revoke(ctx context.Context, jti string, exp time.Time) error {
	if o.down.Load() {
		return errDown
	}
	return o.Store.Revoke(ctx, jti, exp)
}

func (o *outageStore) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if o.down.Load() {
		return false, errDown
	}
	return o.Store.RevokeOnce(ctx, jti, exp)
}

func (o *outageStore) Revoked(ctx context.Context, ref jwtkit.TokenRef) (bool, error) {
	if o.down.Load() {
		return false, errDown
	}
	return o.Store.Revoked(ctx, ref)
}

func (o *outageStore) RevokeUser(ctx context.Context, user string, cutoff, expires time.Time) error {
	if o.down.Load() {
		return errDown
	}
	return o.Store.RevokeUser(ctx, user, cutoff, expires)
}

type app struct {
	url       string
	auth      *jwtkit.Auth
	store     *outageStore
	usersDown *atomic.Bool
}

// startApp serves the contract's example app: the token endpoints at /api, the JWKS at
// jwtkit.JWKSPath, GET /api/health, GET /api/me behind the middleware, a memory store and the
// demo users, sliding tokens on.
func startApp(t *testing.T, edit func(*jwtkit.Config)) *app {
	t.Helper()
	mem, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mem.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, hsSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{store: &outageStore{Store: mem}, usersDown: &atomic.Bool{}}
	cfg := jwtkit.Config{SigningKey: key, Store: a.store, Users: demoUsers{down: a.usersDown}, SlidingTokens: true}
	if edit != nil {
		edit(&cfg)
	}
	if a.auth, err = jwtkit.New(cfg); err != nil {
		t.Fatal(err)
	}
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	jwthttp.Mount(mux, "/api", a.auth)
	mux.Handle(jwtkit.JWKSPath, jwthttp.JWKS(a.auth))
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /api/me", jwthttp.Middleware(a.auth)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := jwthttp.FromContext(r.Context())
		writeJSON(w, map[string]any{"user_id": id.User.ID, "username": id.User.Value})
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// exchange is one request and the status it must produce.
type exchange struct {
	name        string
	app         *app
	method      string
	path        string
	contentType string
	body        string
	header      []string // name, value pairs
	raw         string   // when set, sent as is on a TCP connection instead
	status      int
	bodyHas     string // when set, the body must contain it: proves a case hits the variant it names
	storeDown   bool
	usersDown   bool
}

// recorded is an exchange with the answer the app gave.
type recorded struct {
	exchange
	gotStatus int
	gotHeader http.Header
	gotBody   []byte
}

const (
	jsonCT = "application/json"
	formCT = "application/x-www-form-urlencoded"
)

func runExchanges(t *testing.T) []recorded {
	t.Helper()
	ctx := context.Background()
	def := startApp(t, nil)
	rotating := startApp(t, func(c *jwtkit.Config) { c.RotateRefreshTokens = true; c.BlacklistAfterRotation = true })
	past := func(c *jwtkit.Config) { c.Clock = func() time.Time { return time.Now().Add(-48 * time.Hour) } }
	expiredIssuer := startApp(t, past)
	// The features beyond simplejwt that change answers: cookie mode (with the access cookie,
	// so revoke-all can be cookie-authenticated), login throttling, and an ES256 key whose
	// public half is published.
	cookies := startApp(t, func(c *jwtkit.Config) { c.Cookies = jwtkit.CookieConfig{Enabled: true, Access: true} })
	throttled := startApp(t, func(c *jwtkit.Config) {
		c.LoginRate = jwtkit.Rate{Limit: 1, Per: time.Minute}
		c.LoginLimiter, _ = c.Store.(*outageStore).Store.(jwtkit.LoginLimiter) // the memory store underneath
	})
	esKey, err := jwtkit.GenerateKey(jwtkit.ES256, "es-1")
	if err != nil {
		t.Fatal(err)
	}
	asymmetric := startApp(t, func(c *jwtkit.Config) { c.SigningKey = esKey })

	pair := func(a *app, user int64) jwtkit.Pair {
		t.Helper()
		p, err := a.auth.IssuePair(ctx, jwtkit.IntUserID(user), nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	sliding := func(user int64) string {
		t.Helper()
		s, err := def.auth.IssueSliding(ctx, jwtkit.IntUserID(user), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	blacklisted := pair(def, 1)
	if err := def.auth.Blacklist(ctx, blacklisted.Refresh); err != nil {
		t.Fatal(err)
	}
	revokedAccess := pair(def, 1)
	if tok, err := def.auth.Validate(ctx, revokedAccess.Access, jwtkit.TypeAccess); err != nil {
		t.Fatal(err)
	} else if err := def.store.Revoke(ctx, tok.ID, tok.ExpiresAt); err != nil {
		t.Fatal(err)
	}
	expired := pair(expiredIssuer, 1)
	now := time.Now().Unix()
	header := `{"alg":"HS256","typ":"JWT"}`
	noType := forge(header, fmt.Sprintf(`{"exp":%d,"iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`, now+300, now))
	noID := forge(header, fmt.Sprintf(`{"token_type":"access","exp":%d,"iat":%d,"user_id":1}`, now+300, now))
	noUser := forge(header, fmt.Sprintf(`{"token_type":"access","exp":%d,"iat":%d,"jti":"0123456789abcdef0123456789abcdef"}`, now+300, now))
	noUserRefresh := forge(header, fmt.Sprintf(`{"token_type":"refresh","exp":%d,"iat":%d,"jti":"0123456789abcdef0123456789abcdef"}`, now+300, now))
	other := pair(def, 1)
	wrongSig := other.Access[:strings.LastIndex(other.Access, ".")+1] + base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	big := `{"username":"` + strings.Repeat("x", 70<<10) + `"}`
	login := `{"username":"demo","password":"demo-password"}`
	loginForm := "username=demo&password=demo-password"
	field := func(name, tok string) string { return `{"` + name + `":"` + tok + `"}` }
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	// Cases named here must hit the variant of their status that the text belongs to.
	variant := map[string]string{
		"not JSON":                            `{"detail":"JSON parse error - `,
		"JSON but not an object":              "but got list.",
		"a JSON string":                       "but got str.",
		"empty object":                        "This field is required.",
		"password missing, form":              `{"password":["This field is required."]}`,
		"username blank":                      "This field may not be blank.",
		"password null":                       "This field may not be null.",
		"username an object":                  "Not a valid string.",
		"refresh blank":                       "This field may not be blank.",
		"token blank":                         "This field may not be blank.",
		"refresh a bool":                      "Not a valid string.",
		"token a bool":                        "Not a valid string.",
		"malformed token":                     "Token is invalid or expired",
		"wrong signature":                     "Token is invalid or expired",
		"expired token":                       "Token is invalid or expired",
		"wrong password":                      "No active account found with the given credentials",
		"refresh with rotation":               `"refresh":"`,
		"refresh with an access token":        "Token has wrong type",
		"refresh blacklisted":                 "Token is blacklisted",
		"refresh without type":                "Token has no type",
		"refresh without user id":             "no recognizable user identification",
		"refresh of an inactive user":         "no_active_account",
		"refresh of a removed user":           "no_active_account",
		"verify a revoked access token":       "Token is blacklisted",
		"verify without jti":                  "Token has no id",
		"the access token of a logout":        `"message":"Token is blacklisted"`,
		"sliding refresh of an inactive user": "no_active_account",
		"me: another scheme":                  "were not provided",
		"me: Bearer alone":                    "bad_authorization_header",
		"me: three parts":                     "bad_authorization_header",
		"me: refresh token":                   `"message":"Token has wrong type"},{"token_class":"SlidingToken"`,
		"me: revoked token":                   `"message":"Token is blacklisted"`,
		"me: no type":                         `"message":"Token has no type"`,
		"me: no jti":                          `"message":"Token has no id"`,
		"me: no user id":                      "no recognizable user identification",
		"me: user removed":                    "user_not_found",
		"me: user inactive":                   "user_inactive",
		"me: user database down":              "store_unavailable",
		"obtain, cookie mode":                 `{"access":"`,
		"refresh from the cookie":             `{"access":"`,
		"obtain, throttled":                   `"code":"throttled"`,
		"sliding obtain, throttled":           `"code":"throttled"`,
		"revoke-all with a refresh token":     `"message":"Token has wrong type"`,
		"revoke-all without credentials":      "were not provided",
		"jwks":                                `"kid":"es-1"`,
	}
	var ex []exchange
	add := func(e exchange) {
		if e.app == nil {
			e.app = def
		}
		if e.bodyHas == "" {
			e.bodyHas = variant[e.name]
		}
		ex = append(ex, e)
	}
	type endpoint struct {
		path, field string
		obtain      bool
	}
	endpoints := []endpoint{
		{"/api/token/", "", true},
		{"/api/token/refresh/", "refresh", false},
		{"/api/token/verify/", "token", false},
		{"/api/token/blacklist/", "refresh", false},
		{"/api/token/sliding/", "", true},
		{"/api/token/sliding/refresh/", "token", false},
	}

	// What every token endpoint answers alike.
	for _, ep := range endpoints {
		post := func(name, ct, body string, status int) {
			add(exchange{name: name, method: "POST", path: ep.path, contentType: ct, body: body, status: status})
		}
		add(exchange{name: "OPTIONS", method: "OPTIONS", path: ep.path, status: 200})
		for _, m := range []string{"GET", "PUT", "PATCH", "DELETE", "HEAD"} {
			add(exchange{name: m + " not allowed", method: m, path: ep.path, status: 405})
		}
		post("body too large", jsonCT, big, 413)
		post("unsupported media type", "text/plain", "username=demo", 415)
		post("not JSON", jsonCT, `{"x":`, 400)
		post("JSON but not an object", jsonCT, `["a"]`, 400)
		post("a JSON string", jsonCT, `"a"`, 400)
		post("empty object", jsonCT, `{}`, 400)
		if ep.obtain {
			post("obtain", jsonCT, login, 200)
			post("obtain with a form", formCT, loginForm, 200)
			post("password missing, form", formCT, "username=demo", 400)
			post("username blank", jsonCT, `{"username":"  ","password":"x"}`, 400)
			post("password null", jsonCT, `{"username":"demo","password":null}`, 400)
			post("username an object", jsonCT, `{"username":{},"password":"x"}`, 400)
			post("wrong password", jsonCT, `{"username":"demo","password":"nope"}`, 401)
			post("unknown user", jsonCT, `{"username":"nobody","password":"demo-password"}`, 401)
			post("inactive user", jsonCT, `{"username":"inactive","password":"demo-password"}`, 401)
			add(exchange{name: "user database down", method: "POST", path: ep.path, contentType: jsonCT, body: login, status: 503, usersDown: true})
			continue
		}
		post(ep.field+" blank", jsonCT, field(ep.field, ""), 400)
		post(ep.field+" null", jsonCT, `{"`+ep.field+`":null}`, 400)
		post(ep.field+" a bool", jsonCT, `{"`+ep.field+`":true}`, 400)
		post("malformed token", jsonCT, field(ep.field, "abc"), 401)
		post("wrong signature", jsonCT, field(ep.field, wrongSig), 401)
		post("expired token", jsonCT, field(ep.field, expired.Refresh), 401)
	}
	add(exchange{name: "body that cannot be read", raw: "POST /api/token/ HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", method: "POST", path: "/api/token/", status: 400,
		bodyHas: "Request body could not be read."})

	// Refresh.
	ref := "/api/token/refresh/"
	add(exchange{name: "refresh", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", pair(def, 1).Refresh), status: 200})
	add(exchange{name: "refresh with a form", method: "POST", path: ref, contentType: formCT, body: "refresh=" + url.QueryEscape(pair(def, 1).Refresh), status: 200})
	add(exchange{name: "refresh with rotation", app: rotating, method: "POST", path: ref, contentType: jsonCT, body: field("refresh", pair(rotating, 1).Refresh), status: 200})
	add(exchange{name: "refresh with an access token", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", other.Access), status: 401})
	add(exchange{name: "refresh blacklisted", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", blacklisted.Refresh), status: 401})
	add(exchange{name: "refresh without type", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", noType), status: 401})
	add(exchange{name: "refresh without user id", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", noUserRefresh), status: 401})
	add(exchange{name: "refresh of an inactive user", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", pair(def, 2).Refresh), status: 401})
	add(exchange{name: "refresh of a removed user", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", pair(def, 404).Refresh), status: 401})
	add(exchange{name: "refresh, store down", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", pair(def, 1).Refresh), status: 503, storeDown: true})
	add(exchange{name: "refresh, user database down", method: "POST", path: ref, contentType: jsonCT, body: field("refresh", pair(def, 1).Refresh), status: 503, usersDown: true})

	// Verify.
	ver := "/api/token/verify/"
	add(exchange{name: "verify an access token", method: "POST", path: ver, contentType: jsonCT, body: field("token", other.Access), status: 200})
	add(exchange{name: "verify a refresh token, form", method: "POST", path: ver, contentType: formCT, body: "token=" + other.Refresh, status: 200})
	add(exchange{name: "verify a sliding token", method: "POST", path: ver, contentType: jsonCT, body: field("token", sliding(1)), status: 200})
	add(exchange{name: "verify blacklisted", method: "POST", path: ver, contentType: jsonCT, body: field("token", blacklisted.Refresh), status: 401})
	add(exchange{name: "verify a revoked access token", method: "POST", path: ver, contentType: jsonCT, body: field("token", revokedAccess.Access), status: 401})
	add(exchange{name: "verify without type", method: "POST", path: ver, contentType: jsonCT, body: field("token", noType), status: 401})
	add(exchange{name: "verify without jti", method: "POST", path: ver, contentType: jsonCT, body: field("token", noID), status: 401})
	add(exchange{name: "verify without user id", method: "POST", path: ver, contentType: jsonCT, body: field("token", noUser), status: 401})
	add(exchange{name: "verify, store down", method: "POST", path: ver, contentType: jsonCT, body: field("token", other.Access), status: 503, storeDown: true})

	// Blacklist.
	bl := "/api/token/blacklist/"
	loggedOut := pair(def, 1)
	add(exchange{name: "blacklist", method: "POST", path: bl, contentType: jsonCT, body: field("refresh", pair(def, 1).Refresh), status: 200})
	add(exchange{name: "blacklist with the access token", method: "POST", path: bl, contentType: formCT, body: "refresh=" + loggedOut.Refresh, header: bearer(loggedOut.Access), status: 200})
	add(exchange{name: "the access token of a logout", method: "GET", path: "/api/me", header: bearer(loggedOut.Access), status: 401})
	add(exchange{name: "blacklist an access token", method: "POST", path: bl, contentType: jsonCT, body: field("refresh", other.Access), status: 401})
	add(exchange{name: "blacklist twice", method: "POST", path: bl, contentType: jsonCT, body: field("refresh", blacklisted.Refresh), status: 401})
	add(exchange{name: "blacklist, store down", method: "POST", path: bl, contentType: jsonCT, body: field("refresh", pair(def, 1).Refresh), status: 503, storeDown: true})

	// Sliding.
	sl, slr := "/api/token/sliding/", "/api/token/sliding/refresh/"
	add(exchange{name: "sliding obtain", method: "POST", path: sl, contentType: jsonCT, body: login, status: 200})
	add(exchange{name: "sliding refresh", method: "POST", path: slr, contentType: jsonCT, body: field("token", sliding(1)), status: 200})
	add(exchange{name: "sliding refresh with a form", method: "POST", path: slr, contentType: formCT, body: "token=" + sliding(1), status: 200})
	add(exchange{name: "sliding refresh with a refresh token", method: "POST", path: slr, contentType: jsonCT, body: field("token", other.Refresh), status: 401})
	add(exchange{name: "sliding refresh of an inactive user", method: "POST", path: slr, contentType: jsonCT, body: field("token", sliding(2)), status: 401})
	add(exchange{name: "sliding refresh, store down", method: "POST", path: slr, contentType: jsonCT, body: field("token", sliding(1)), status: 503, storeDown: true})

	// Log out everywhere.
	ra := "/api/token/revoke-all/"
	post := func(name string, a *app, path string, header []string, status int, down bool) {
		add(exchange{name: name, app: a, method: "POST", path: path, header: header, status: status, storeDown: down})
	}
	revoking := startApp(t, nil) // an app of its own: revoke-all ends every session of user 1
	post("revoke-all", revoking, ra, bearer(pair(revoking, 1).Access), 200, false)
	post("revoke-all without credentials", revoking, ra, nil, 401, false)
	post("revoke-all with a refresh token", revoking, ra, bearer(pair(revoking, 1).Refresh), 401, false)
	post("revoke-all, store down", revoking, ra, bearer(pair(revoking, 1).Access), 503, true)
	add(exchange{name: "OPTIONS", method: "OPTIONS", path: ra, status: 200})
	for _, m := range []string{"GET", "PUT", "PATCH", "DELETE", "HEAD"} {
		add(exchange{name: m + " not allowed", method: m, path: ra, status: 405})
	}

	// Cookie mode: the refresh token in a cookie, double-submit CSRF on every cookie use.
	const csrf = "double-submit-value"
	cookie := func(name, value string) []string {
		return []string{"Cookie", name + "=" + value + "; jwtkit-csrf=" + csrf}
	}
	withCSRF := func(h []string) []string { return append(h, "X-CSRF-Token", csrf) }
	add(exchange{name: "obtain, cookie mode", app: cookies, method: "POST", path: "/api/token/", contentType: jsonCT, body: login, status: 200})
	post("refresh from the cookie without the CSRF header", cookies, ref, cookie("__Secure-jwtkit-refresh", pair(cookies, 1).Refresh), 403, false)
	post("refresh from the cookie", cookies, ref, withCSRF(cookie("__Secure-jwtkit-refresh", pair(cookies, 1).Refresh)), 200, false)
	post("blacklist from the cookie without the CSRF header", cookies, bl, cookie("__Secure-jwtkit-refresh", pair(cookies, 1).Refresh), 403, false)
	post("blacklist from the cookie", cookies, bl, withCSRF(cookie("__Secure-jwtkit-refresh", pair(cookies, 1).Refresh)), 200, false)
	post("revoke-all from the access cookie without the CSRF header", cookies, ra, cookie("__Host-jwtkit-access", pair(cookies, 1).Access), 403, false)
	post("revoke-all from the access cookie", cookies, ra, withCSRF(cookie("__Host-jwtkit-access", pair(cookies, 1).Access)), 200, false)

	// Login throttling: one failure per minute per username and per address.
	add(exchange{name: "obtain, the failure allowed", app: throttled, method: "POST", path: "/api/token/", contentType: jsonCT, body: `{"username":"demo","password":"nope"}`, status: 401})
	add(exchange{name: "obtain, throttled", app: throttled, method: "POST", path: "/api/token/", contentType: jsonCT, body: login, status: 429})
	add(exchange{name: "sliding obtain, throttled", app: throttled, method: "POST", path: sl, contentType: jsonCT, body: login, status: 429})

	// The published keys: none with an HMAC key, the ES256 key's public half otherwise.
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		add(exchange{name: "jwks of an HMAC key", method: m, path: jwtkit.JWKSPath, status: 404})
		switch m {
		case "GET":
			add(exchange{name: "jwks", app: asymmetric, method: m, path: jwtkit.JWKSPath, status: 200})
		case "HEAD":
			add(exchange{name: "jwks, HEAD", app: asymmetric, method: m, path: jwtkit.JWKSPath, status: 200})
		default:
			add(exchange{name: "jwks, " + m + " not allowed", app: asymmetric, method: m, path: jwtkit.JWKSPath, status: 405})
		}
	}

	// The example server's routes.
	add(exchange{name: "health", method: "GET", path: "/api/health", status: 200})
	me := func(name string, header []string, status int, down bool) {
		add(exchange{name: "me: " + name, method: "GET", path: "/api/me", header: header, status: status, storeDown: down})
	}
	me("access token", bearer(other.Access), 200, false)
	me("sliding token", bearer(sliding(1)), 200, false)
	me("string user id", bearer(forge(header, fmt.Sprintf(`{"token_type":"access","exp":%d,"iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":"1"}`, now+300, now))), 200, false)
	me("no header", nil, 401, false)
	me("another scheme", []string{"Authorization", "Basic ZGVtbzpkZW1v"}, 401, false)
	me("Bearer alone", []string{"Authorization", "Bearer"}, 401, false)
	me("three parts", []string{"Authorization", "Bearer " + other.Access + " x"}, 401, false)
	me("malformed token", bearer("abc"), 401, false)
	me("expired token", bearer(expired.Access), 401, false)
	me("refresh token", bearer(other.Refresh), 401, false)
	me("revoked token", bearer(revokedAccess.Access), 401, false)
	me("no type", bearer(noType), 401, false)
	me("no jti", bearer(noID), 401, false)
	me("no user id", bearer(noUser), 401, false)
	me("user removed", bearer(pair(def, 404).Access), 401, false)
	me("user inactive", bearer(pair(def, 2).Access), 401, false)
	me("store down", bearer(other.Access), 503, true)
	add(exchange{name: "me: user database down", method: "GET", path: "/api/me", header: bearer(other.Access), status: 503, usersDown: true})

	client := &http.Client{Timeout: 10 * time.Second}
	var recs []recorded
	for _, e := range ex {
		e.app.store.down.Store(e.storeDown)
		e.app.usersDown.Store(e.usersDown)
		r := recorded{exchange: e}
		var err error
		if e.raw != "" {
			r.gotStatus, r.gotHeader, r.gotBody, err = sendRaw(e.app.url, e.raw)
		} else {
			r.gotStatus, r.gotHeader, r.gotBody, err = send(client, e)
		}
		e.app.store.down.Store(false)
		e.app.usersDown.Store(false)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func send(client *http.Client, e exchange) (int, http.Header, []byte, error) {
	var body io.Reader
	if e.body != "" {
		body = strings.NewReader(e.body)
	}
	req, err := http.NewRequest(e.method, e.app.url+e.path, body)
	if err != nil {
		return 0, nil, nil, err
	}
	if e.contentType != "" {
		req.Header.Set("Content-Type", e.contentType)
	}
	for i := 0; i+1 < len(e.header); i += 2 {
		req.Header.Add(e.header[i], e.header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// sendRaw writes a request byte for byte, for requests net/http's client would not send.
func sendRaw(baseURL, raw string) (int, http.Header, []byte, error) {
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(baseURL, "http://"), 5*time.Second)
	if err != nil {
		return 0, nil, nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		return 0, nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// ---- checking answers against the document ----

// contractHeaders must not appear on an answer that does not document them: a 400 or 405 with
// WWW-Authenticate, or a protected route with Cache-Control, is a difference from the contract.
var contractHeaders = []string{"WWW-Authenticate", "Allow", "Cache-Control", "Retry-After", "Set-Cookie"}

// multiValued are the headers an answer may repeat, each value validated on its own: cookie
// mode sets its cookies in one Set-Cookie line each (RFC 6265 forbids folding them).
var multiValued = map[string]bool{"Set-Cookie": true}

func checkExchanges(doc map[string]any, recs []recorded) []string {
	v, err := newValidator(doc)
	if err != nil {
		return []string{err.Error()}
	}
	var p []string
	for _, r := range recs {
		where := fmt.Sprintf("%s %s %q", r.method, r.path, r.name)
		body := strings.TrimSpace(string(r.gotBody))
		if r.gotStatus != r.status {
			p = append(p, fmt.Sprintf("%s: the app answered %d, the case expects %d: %s", where, r.gotStatus, r.status, body))
		}
		if r.bodyHas != "" && !strings.Contains(body, r.bodyHas) {
			p = append(p, fmt.Sprintf("%s: body %s lacks %q", where, body, r.bodyHas))
		}
		opPtr := pointer("paths", r.path, strings.ToLower(r.method))
		op := obj(at(doc, opPtr))
		if op == nil {
			p = append(p, fmt.Sprintf("%s: operation not documented", where))
			continue
		}
		status := strconv.Itoa(r.gotStatus)
		if obj(op["responses"])[status] == nil {
			p = append(p, fmt.Sprintf("%s: status %s not documented: %s", where, status, body))
			continue
		}
		resp, respPtr, err := follow(doc, opPtr+pointer("responses", status))
		if err != nil {
			p = append(p, err.Error())
			continue
		}

		documented := map[string]bool{}
		for _, name := range sortedKeys(obj(resp["headers"])) {
			documented[http.CanonicalHeaderKey(name)] = true
			h, hPtr, err := follow(doc, respPtr+pointer("headers", name))
			if err != nil {
				p = append(p, err.Error())
				continue
			}
			values := r.gotHeader.Values(name)
			if len(values) == 0 {
				if h["required"] == true {
					p = append(p, fmt.Sprintf("%s: required header %s missing", where, name))
				}
				continue
			}
			if len(values) > 1 && !multiValued[http.CanonicalHeaderKey(name)] {
				p = append(p, fmt.Sprintf("%s: header %s sent %d times", where, name, len(values)))
			}
			for _, value := range values {
				if msg := v.validate(hPtr+"/schema", value); msg != "" {
					p = append(p, fmt.Sprintf("%s: header %s: %q: %s", where, name, value, msg))
				}
			}
		}
		for _, name := range contractHeaders {
			if !documented[http.CanonicalHeaderKey(name)] && r.gotHeader.Get(name) != "" {
				p = append(p, fmt.Sprintf("%s: undocumented header %s: %q", where, name, r.gotHeader.Get(name)))
			}
		}

		content := obj(resp["content"])
		if len(content) == 0 {
			if len(r.gotBody) != 0 {
				p = append(p, fmt.Sprintf("%s: no body documented, got %s", where, body))
			}
		} else {
			mt, _, err := mime.ParseMediaType(r.gotHeader.Get("Content-Type"))
			if err != nil || content[mt] == nil {
				p = append(p, fmt.Sprintf("%s: Content-Type %q not documented", where, r.gotHeader.Get("Content-Type")))
			} else if value, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.gotBody)); err != nil {
				p = append(p, fmt.Sprintf("%s: body is not JSON: %q", where, body))
			} else if msg := v.validate(respPtr+pointer("content", mt, "schema"), value); msg != "" {
				p = append(p, fmt.Sprintf("%s: body %s: %s", where, body, msg))
			}
		}

		// A request the app accepted must be one the document describes.
		if r.gotStatus/100 == 2 && op["requestBody"] != nil && r.raw == "" {
			body, bodyPtr, err := follow(doc, opPtr+"/requestBody")
			if err != nil {
				p = append(p, err.Error())
				continue
			}
			if r.body == "" && r.contentType == "" {
				if body["required"] == true {
					p = append(p, fmt.Sprintf("%s: accepted without the body the document requires", where))
				}
				continue
			}
			if obj(body["content"])[r.contentType] == nil {
				p = append(p, fmt.Sprintf("%s: request Content-Type %s not documented", where, r.contentType))
				continue
			}
			var value any
			if r.contentType == formCT {
				form, _ := url.ParseQuery(r.body)
				m := map[string]any{}
				for k := range form {
					m[k] = form.Get(k)
				}
				value = m
			} else if value, err = jsonschema.UnmarshalJSON(strings.NewReader(r.body)); err != nil {
				p = append(p, fmt.Sprintf("%s: request body is not JSON", where))
				continue
			}
			if msg := v.validate(bodyPtr+pointer("content", r.contentType, "schema"), value); msg != "" {
				p = append(p, fmt.Sprintf("%s: request body: %s", where, msg))
			}
		}
	}
	return p
}

func triple(method, path string, status string) string {
	return strings.ToUpper(method) + " " + path + " " + status
}

func coveredTriples(recs []recorded) map[string]bool {
	m := map[string]bool{}
	for _, r := range recs {
		m[triple(r.method, r.path, strconv.Itoa(r.gotStatus))] = true
	}
	return m
}

// checkCoverage requires an exchange for every documented path, method and status.
func checkCoverage(doc map[string]any, recs []recorded) []string {
	covered := coveredTriples(recs)
	var p []string
	documented := 0
	paths := obj(doc["paths"])
	for _, path := range sortedKeys(paths) {
		for _, m := range methods {
			op := obj(obj(paths[path])[m])
			for _, status := range sortedKeys(obj(op["responses"])) {
				documented++
				if !covered[triple(m, path, status)] {
					p = append(p, "documented but never produced: "+triple(m, path, status))
				}
			}
		}
	}
	if documented == 0 {
		p = append(p, "no responses documented")
	}
	return p
}

// contractStatuses are the answers of the contract's tables (http-api.md): its
// endpoint table, its error table and the example servers' routes, plus the 413 and 415 the
// endpoint logic gives for oversized and non-JSON, non-form bodies.
func contractStatuses() []string {
	obtain := []string{"/api/token/", "/api/token/sliding/"}
	tokenIn := []string{"/api/token/refresh/", "/api/token/verify/", "/api/token/blacklist/", "/api/token/sliding/refresh/"}
	all := slices.Concat(obtain, tokenIn)
	var out []string
	for _, path := range all {
		for _, status := range []string{"200", "400", "401", "413", "415", "503"} {
			out = append(out, triple("POST", path, status))
		}
		out = append(out, triple("OPTIONS", path, "200"))
		for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
			out = append(out, triple(m, path, "405"))
		}
	}
	// The features beyond simplejwt: throttled logins, the cookie-mode CSRF check, log out
	// everywhere and the published keys.
	for _, path := range obtain {
		out = append(out, triple("POST", path, "429"))
	}
	out = append(out, triple("POST", "/api/token/refresh/", "403"), triple("POST", "/api/token/blacklist/", "403"))
	ra := "/api/token/revoke-all/"
	for _, status := range []string{"200", "401", "403", "503"} {
		out = append(out, triple("POST", ra, status))
	}
	out = append(out, triple("OPTIONS", ra, "200"))
	for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
		out = append(out, triple(m, ra, "405"))
	}
	out = append(out, triple("GET", jwtkit.JWKSPath, "200"), triple("GET", jwtkit.JWKSPath, "404"), triple("POST", jwtkit.JWKSPath, "405"))
	return append(out,
		triple("GET", "/api/health", "200"),
		triple("GET", "/api/me", "200"), triple("GET", "/api/me", "401"), triple("GET", "/api/me", "503"))
}

func checkContractStatuses(doc map[string]any) []string {
	var p []string
	for _, tr := range contractStatuses() {
		parts := strings.SplitN(tr, " ", 3)
		if at(doc, pointer("paths", parts[1], strings.ToLower(parts[0]), "responses", parts[2])) == nil {
			p = append(p, "the contract answers "+tr+", the document does not say so")
		}
	}
	return p
}

// ---- mutants ----

type mutant struct {
	name  string
	apply func(t *testing.T, doc map[string]any)
}

func mustObj(t *testing.T, doc map[string]any, ptr string) map[string]any {
	t.Helper()
	o := obj(at(doc, ptr))
	if o == nil {
		t.Fatalf("mutant: nothing at %s", ptr)
	}
	return o
}

var mutants = []mutant{
	{"not 3.1.0", func(t *testing.T, d map[string]any) { d["openapi"] = "3.0.3" }},
	{"a dangling $ref", func(t *testing.T, d map[string]any) {
		mustObj(t, d, pointer("paths", "/api/me", "get", "responses", "200", "content", "application/json", "schema"))["$ref"] = "#/components/schemas/Nope"
	}},
	{"a field OpenAPI does not have", func(t *testing.T, d map[string]any) {
		op := mustObj(t, d, pointer("paths", "/api/health", "get"))
		op["response"] = op["responses"]
	}},
	{"415 not documented at obtain", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, pointer("paths", "/api/token/", "post", "responses")), "415")
	}},
	{"a status nobody answers", func(t *testing.T, d map[string]any) {
		mustObj(t, d, pointer("paths", "/api/health", "get", "responses"))["404"] = map[string]any{"description": "not found"}
	}},
	{"blacklisted is not a token error", func(t *testing.T, d map[string]any) {
		detail := mustObj(t, d, "/components/schemas/TokenError/properties/detail")
		detail["enum"] = slices.DeleteFunc(slices.Clone(asSlice(detail["enum"])), func(v any) bool { return v == "Token is blacklisted" })
	}},
	{"401 without WWW-Authenticate", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, "/components/responses/BadCredentials/headers"), "WWW-Authenticate")
	}},
	{"503 without Cache-Control", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, "/components/responses/Unavailable/headers"), "Cache-Control")
	}},
	{"another Allow", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/headers/Allow/schema")["const"] = "POST"
	}},
	{"a field the pair does not have", func(t *testing.T, d map[string]any) {
		s := mustObj(t, d, "/components/schemas/TokenPair")
		s["required"] = append(slices.Clone(asSlice(s["required"])), "expires_in")
	}},
	{"a message the middleware does not send", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/schemas/NotAuthenticated/properties/detail")["const"] = "Not authenticated."
	}},
	{"user_id only a string", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/schemas/Me/properties/user_id")["type"] = "string"
	}},
	{"passwords of 50 characters", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/schemas/Credentials/properties/password")["minLength"] = json.Number("50")
	}},
	{"forms not accepted", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, "/components/requestBodies/Refresh/content"), formCT)
	}},
	{"rotation not documented", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, "/components/schemas/Refreshed/properties"), "refresh")
	}},
	{"HEAD with a body", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/responses/MethodNotAllowedHead")["content"] = map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/MethodNotAllowed"}},
		}
	}},
	{"no 503 at the protected route", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, pointer("paths", "/api/me", "get", "responses")), "503")
	}},
	{"429 without Retry-After", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, "/components/responses/Throttled/headers"), "Retry-After")
	}},
	{"the JWKS cached privately", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/headers/JWKSCacheControl/schema")["pattern"] = "^private, max-age=[0-9]+$"
	}},
	{"a private member in the JWKS", func(t *testing.T, d map[string]any) {
		s := mustObj(t, d, "/components/schemas/PublicJWK")
		s["required"] = append(slices.Clone(asSlice(s["required"])), "d")
	}},
	{"the refresh cookie readable by scripts", func(t *testing.T, d map[string]any) {
		mustObj(t, d, "/components/headers/Set-Cookie/schema")["pattern"] = "^(__Host-jwtkit-access|jwtkit-csrf)=[^;]*; Path=/; Max-Age=[0-9]+; (HttpOnly; )?Secure; SameSite=Strict$"
	}},
	{"no 403 at refresh", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, pointer("paths", "/api/token/refresh/", "post", "responses")), "403")
	}},
	{"revoke-all without authentication", func(t *testing.T, d map[string]any) {
		delete(mustObj(t, d, pointer("paths", "/api/token/revoke-all/", "post", "responses")), "401")
	}},
}
