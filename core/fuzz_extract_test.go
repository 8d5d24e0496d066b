package jwtkit_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// allocBudget is what one rejected or accepted request may allocate in core, on top of a
// small multiple of its own size: a token is decoded once (header, claims, signature), so the
// work a request causes grows with what it sends, never beyond. The numbers were set after
// fuzzing each target with -fuzz for minutes and reading the largest observed values, with
// headroom for the runtime's own bookkeeping.
const (
	allocBudgetBytes   = 24 << 10
	allocBytesPerInput = 4
	allocBudgetObjects = 120
)

// heapCost runs f once and returns the bytes and objects the heap grew by.
func heapCost(f func()) (bytes, objects uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, after.Mallocs - before.Mallocs
}

func checkBounded(t *testing.T, what string, inputLen int, f func()) {
	t.Helper()
	f() // warm up once: lazily built tables and the verified-token cache are not per request
	bytes, objects := heapCost(f)
	if limit := uint64(allocBudgetBytes + allocBytesPerInput*inputLen); bytes > limit {
		t.Fatalf("%s: allocated %d bytes for %d bytes of input, over the bound %d", what, bytes, inputLen, limit)
	}
	if objects > allocBudgetObjects {
		t.Fatalf("%s: %d allocations, over the bound %d", what, objects, allocBudgetObjects)
	}
}

// FuzzAuthenticateFrom is token extraction: a request with an auth header, a cookie and a query
// parameter, all three sources enabled. Whatever the values, the first present source alone
// decides; a success is only ever the valid token the fuzzer was seeded with; nothing panics;
// every rejection is a token error; and the heap cost of a request is bounded by its size.
func FuzzAuthenticateFrom(f *testing.F) {
	e := newEnv(f)
	access := e.pair(f, jwtkit.IntUserID(1)).Access
	refresh := e.pair(f, jwtkit.IntUserID(1)).Refresh
	for _, s := range []struct{ header, cookie, query string }{
		{"Bearer " + access, "", ""},
		{"", access, ""},
		{"", "", access},
		{"Bearer garbage", access, access},
		{"", "garbage", access},
		{"Bearer  " + access + " ", "", ""},
		{"bearer " + access, "", ""},
		{"Bearer " + access + " extra", "", ""},
		{"Bearer " + refresh, "", ""},
		{"Bearer\t" + access, "", ""},
		{"Bearer " + access + "\r\n", "", ""},
		{"Bearer " + strings.Repeat("A", 9000), "", ""},
		{"Token " + access, "", access},
		{"Bearer", "", ""},
	} {
		f.Add(s.header, s.cookie, s.query)
	}
	sources := []jwtkit.TokenSource{jwtkit.FromHeader("Authorization"), jwtkit.FromCookie("access"), jwtkit.FromQuery("token")}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, header, cookie, query string) {
		values := map[jwtkit.SourceKind]string{jwtkit.SourceHeader: header, jwtkit.SourceCookie: cookie, jwtkit.SourceQuery: query}
		get := func(s jwtkit.TokenSource) string { return values[s.Kind] }
		id, err := e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, get)
		if err != nil {
			assertTokenError(t, err)
		} else {
			// The first present source decided: its token alone is valid on its own and is
			// the token that was accepted. (Seeds are minted per process, so the fuzzer's
			// workers see tokens that are valid without being this process's.)
			raw := strings.TrimSpace(header)
			if raw != "" {
				raw = strings.TrimSpace(strings.TrimPrefix(raw, "Bearer"))
			} else if raw = cookie; raw == "" {
				raw = query
			}
			tok, verr := e.auth.Validate(ctx, raw, jwtkit.TypeAccess)
			if verr != nil || tok.ID != id.Token.ID {
				t.Fatalf("accepted %q/%q/%q, but the first present source's token %q gives %v", header, cookie, query, raw, verr)
			}
		}
		checkBounded(t, "AuthenticateFrom", len(header)+len(cookie)+len(query), func() {
			_, _ = e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, get)
		})
	})
}
