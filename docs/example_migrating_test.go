package docs_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
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
