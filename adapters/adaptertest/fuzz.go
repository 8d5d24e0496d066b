package adaptertest

import (
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	memstore "github.com/jwtkit/jwtkit/stores/memory"
)

// Support for each adapter's FuzzMiddleware: one corpus taken from the attack table, the Auth
// it was built for, and the checks every answer must pass.

// Seed is one fuzz input: what a request carries in each token source of FuzzSources. An
// empty value is an absent source.
type Seed struct {
	Header string // the Authorization header's value
	Cookie string // the access_token cookie's value
	Query  string // the token query parameter's value (unescaped)
}

// FuzzSources are the sources a fuzzed middleware reads, in order: the Authorization header,
// the access_token cookie, the token query parameter.
func FuzzSources() []jwtkit.TokenSource {
	return []jwtkit.TokenSource{jwtkit.FromHeader("Authorization"), jwtkit.FromCookie("access_token"), jwtkit.FromQuery("token")}
}

// maxSeed leaves the megabyte cases out of the corpus: every mutation of a seed copies it.
const maxSeed = 64 << 10

// Seeds returns the attack table's requests to a protected route as fuzz inputs, the same on
// every run. The valid ones are valid for FuzzAuth; the cases that need a key generated at run
// time (RSA) are left out.
func Seeds() []Seed {
	var out []Seed
	for _, a := range attacks(attackEnv{lure: "http://127.0.0.1:9"}) {
		r := a.req
		if r.method != http.MethodGet || len(r.path+r.cookie+r.query+strings.Join(r.auth, "")) > maxSeed {
			continue
		}
		var s Seed
		if len(r.auth) > 0 {
			s.Header = r.auth[0]
		}
		if v, ok := strings.CutPrefix(r.cookie, "access_token="); ok {
			s.Cookie, _, _ = strings.Cut(v, ";")
		}
		if v, ok := strings.CutPrefix(r.query, "token="); ok {
			v, _, _ = strings.Cut(v, "&")
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
			s.Query = v
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// FuzzAuth returns an Auth as the attack table's main server has it: the suite's key on the
// table's clock, the demo users, a memory store. The seeds' valid tokens are valid for it.
func FuzzAuth(tb testing.TB) *jwtkit.Auth {
	tb.Helper()
	mem, err := memstore.New()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = mem.Close() })
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, secret, "")
	require.NoError(tb, err)
	cfg := jwtkit.Config{SigningKey: key, Store: mem, Users: newUsers(), Audit: jwtkit.NoAudit}
	tableConfig(&cfg)
	auth, err := jwtkit.New(cfg)
	require.NoError(tb, err)
	return auth
}

// protectedBodies are every body the contract lets a protected route answer with 401.
var protectedBodies = []string{
	bodyNotProvided, bodyBadHeader, bodyNoUserID, bodyNotFound, bodyInactive,
	protectedBody("Token is invalid or expired"), protectedBody("Token has wrong type"), protectedBody("Token has no type"),
	protectedBody("Token has no id"), protectedBody("Token is blacklisted"),
}

// CheckAnswer checks the answer of a fuzzed protected route to in: GET /api/me behind
// Middleware, or /api/optional behind Optional when optional is set, with FuzzSources and
// FuzzAuth. The answer is 200 only for a token the suite's key signed, otherwise one of the
// contract's 401s, never anything else; its body is one of the contract's fixed bodies, so it
// cannot echo the input; and it carries the contract's headers.
func CheckAnswer(tb testing.TB, in Seed, optional bool, status int, header http.Header, body []byte) {
	tb.Helper()
	b := string(body)
	switch status {
	case http.StatusOK:
		switch {
		case optional && b == bodyAnonymous:
		case b != bodyDemo:
			tb.Fatalf("200 with body %q", clip(b))
		case !carriesSuiteToken(in):
			tb.Fatalf("200 for a request that carries no token signed with the suite's key: %q", in)
		}
	case http.StatusUnauthorized:
		if !slices.Contains(protectedBodies, b) || (optional && b == bodyNotProvided) {
			tb.Fatalf("401 with body %q", clip(b))
		}
		if got := header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
			tb.Fatalf("401 with WWW-Authenticate %q", got)
		}
	default:
		tb.Fatalf("status %d, body %q", status, clip(b))
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("Content-Type %q", ct)
	}
}

// carriesSuiteToken reports whether any source value holds a token the suite's key signed.
func carriesSuiteToken(in Seed) bool {
	for _, v := range []string{in.Header, in.Cookie, in.Query} {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return !isTokenChar(r) }) {
			if suiteSigned(f) {
				return true
			}
		}
	}
	return false
}

func isTokenChar(r rune) bool {
	return r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// The allocation budget of one fuzzed request. The fixed part is the most a token within
// core's length cap (MaxTokenLength, 8 KiB) can cost: encoding/json's parse stack for the
// deepest nesting that fits (about 6,000 levels) grows to some 130 KiB. The rest grows with the input: the frameworks copy the
// header and the URL and unescape the query (a value QueryEscape triples is copied two or
// three times over), the adapters clone the value. Measured in process, as the targets run:
// the heaviest input found was the table's 5,000 unclosed '[' (6,908 bytes): 135 KB in 31
// allocations on net/http, Gin and Echo, 142 KB in 41 on Fiber; a 16,000-byte query of '&'
// cost Fiber 113 KB in 36; every other input stayed under 20 KB. Counts grow at most with the
// logarithm of the input (buffer doublings).
const (
	allocFixedBytes = 192 << 10
	allocPerByte    = 16
	allocFixedCount = 128
)

// AllocBudget is the most heap a fuzzed request with in may allocate, in bytes and in
// allocations: a fixed budget plus a small multiple of the input's size in bytes (the count
// does not grow with it).
func AllocBudget(in Seed) (bytes, count uint64) {
	n := uint64(len(in.Header) + len(in.Cookie) + len(in.Query))
	return allocFixedBytes + allocPerByte*n, allocFixedCount
}

// Allocs measures the heap bytes and allocations of one call of serve. It reads the
// runtime's cumulative counters around the call, so it counts whatever else the process
// allocates meanwhile too; the budget leaves room for that.
func Allocs(serve func()) (bytes, count uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	serve()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, after.Mallocs - before.Mallocs
}

// CheckAllocs measures one call of serve, a request with in, against AllocBudget. Call it for
// a request that has been served once already, so one-time initialisation is not counted.
func CheckAllocs(tb testing.TB, in Seed, serve func()) {
	tb.Helper()
	bytes, count := Allocs(serve)
	maxBytes, maxCount := AllocBudget(in)
	if bytes > maxBytes || count > maxCount {
		tb.Fatalf("one request allocated %d bytes in %d allocations; the budget for %d input bytes is %d bytes, %d allocations",
			bytes, count, len(in.Header)+len(in.Cookie)+len(in.Query), maxBytes, maxCount)
	}
}
