package servertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jwtkit/jwtkit/adapters/adaptertest"
	jwtkit "github.com/jwtkit/jwtkit/core"
)

// corsOrigin is the front end JWTKIT_CORS_ORIGINS lists in runCORS.
const corsOrigin = "https://app.example.test"

// runCORS checks JWTKIT_CORS_ORIGINS: the whole contract still answers exactly (requests without
// Origin, as the walk sends, are not CORS requests), the listed origin's preflights and answers
// carry its CORS headers with credentials, and another origin's carry none, so its pages cannot
// read them. The frameworks' middlewares differ in what else they do for another origin (Gin's
// answers 403 itself), which is why only the headers are checked there.
func runCORS(t *testing.T, bin string, key *jwtkit.Key) {
	s := Start(t, bin, "JWTKIT_ADDR=127.0.0.1:0", "JWTKIT_STORE=memory", "JWTKIT_SIGNING_KEY="+Key,
		"JWTKIT_CORS_ORIGINS=http://localhost:5173, "+corsOrigin)
	adaptertest.Walk(t, s.URL, adaptertest.WalkOptions{SigningKey: key})

	preflight := func(origin, path, method, headers string) exchange {
		return do(t, call{method: http.MethodOptions, url: s.URL + path, header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}})
	}
	allowed := func(e exchange, what string) {
		t.Helper()
		assert.Equal(t, corsOrigin, e.Header.Get("Access-Control-Allow-Origin"), what)
		assert.Equal(t, "true", e.Header.Get("Access-Control-Allow-Credentials"), what)
	}
	for _, p := range []struct{ path, method, headers string }{
		{"/api/token/", http.MethodPost, "content-type"},
		{"/api/token/refresh/", http.MethodPost, "content-type,x-csrf-token"},
		{"/api/token/blacklist/", http.MethodPost, "content-type,x-csrf-token"},
		{"/api/me", http.MethodGet, "authorization"},
	} {
		e := preflight(corsOrigin, p.path, p.method, p.headers)
		what := "preflight of " + p.method + " " + p.path
		assert.Contains(t, []int{http.StatusOK, http.StatusNoContent}, e.Status, what)
		allowed(e, what)
		assert.Contains(t, strings.ToUpper(e.Header.Get("Access-Control-Allow-Methods")), p.method, what)
		for h := range strings.SplitSeq(p.headers, ",") {
			assert.Contains(t, strings.ToLower(e.Header.Get("Access-Control-Allow-Headers")), h, what)
		}
	}

	login := do(t, call{method: http.MethodPost, url: s.URL + "/api/token/", body: demoLogin,
		header: map[string]string{"Origin": corsOrigin}})
	require.Equal(t, http.StatusOK, login.Status, login.Body)
	allowed(login, "login from the listed origin")
	access := login.fields(t, "access", "refresh")["access"]
	e := do(t, call{method: http.MethodGet, url: s.URL + "/api/me", bearer: access, header: map[string]string{"Origin": corsOrigin}})
	expect(t, e, http.StatusOK, meBody, "/api/me from the listed origin")
	allowed(e, "/api/me from the listed origin")

	for _, e := range []exchange{
		preflight("https://evil.example", "/api/token/", http.MethodPost, "content-type"),
		preflight("https://evil.example", "/api/me", http.MethodGet, "authorization"),
		do(t, call{method: http.MethodPost, url: s.URL + "/api/token/", body: demoLogin, header: map[string]string{"Origin": "https://evil.example"}}),
		do(t, call{method: http.MethodGet, url: s.URL + "/api/health", header: map[string]string{"Origin": "https://evil.example"}}),
		do(t, call{method: http.MethodGet, url: s.URL + "/api/health", header: map[string]string{"Origin": "null"}}),
	} {
		assert.Empty(t, e.Header.Values("Access-Control-Allow-Origin"), "another origin")
		assert.Empty(t, e.Header.Values("Access-Control-Allow-Credentials"), "another origin")
	}
	s.Stop(t)
}
