package jwtkit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// FuzzValidate feeds arbitrary tokens to every validation path: nothing panics, and every
// rejection is one of the token errors the contract answers (never a store or other error).
func FuzzValidate(f *testing.F) {
	e := newEnv(f, func(c *jwtkit.Config) { c.SlidingTokens = true })
	p := e.pair(f, jwtkit.IntUserID(1))
	now := e.clock.Now().Unix()
	for _, seed := range []string{
		p.Access, p.Refresh, "", "a.b.c", p.Access + ".x", strings.ToUpper(p.Access),
		forge(hs256Header, `{"token_type":"sliding","jti":"a","user_id":1,"refresh_exp":`+itoa(now+60)+`}`),
		forge(hs256Header, `{"token_type":"access","exp":1e999,"jti":"a","user_id":1}`),
		forge(`{"alg":"HS256","kid":{"a":1}}`, `{}`),
		forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"jti":"a","user_id":[1]}`),
		// Many small members: a header or payload decoded into a map costs an allocation per
		// member, so these pin the bound on the number of allocations.
		forge(`{"alg":"HS256",`+manyMembers(400)+`}`, `{"token_type":"access","exp":`+itoa(now+60)+`,"jti":"a","user_id":1}`),
		forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"jti":"a","user_id":1,`+manyMembers(400)+`}`),
		forge(hs256Header, `{"token_type":"access","exp":`+itoa(now+60)+`,"jti":"a","user_id":1,"x":`+strings.Repeat("[", 3000)+strings.Repeat("]", 3000)+`}`),
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, tok string) {
		_, err := e.auth.Validate(ctx, tok, jwtkit.TypeAny)
		assertTokenError(t, err)
		_, err = e.auth.Authenticate(ctx, "Bearer "+tok)
		assertTokenError(t, err)
		_, err = e.auth.RefreshSliding(ctx, tok)
		assertTokenError(t, err)
		checkBounded(t, "Validate", len(tok), func() { _, _ = e.auth.Validate(ctx, tok, jwtkit.TypeAny) })
	})
}

// manyMembers is n JSON object members "a0":0,"a1":0,… without the braces.
func manyMembers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"a` + itoa(int64(i)) + `":0`
	}
	return strings.Join(parts, ",")
}

// assertTokenError fails unless err is nil or one of the token errors the contract answers
// with a 401 (never a store error, never an unclassified one).
func assertTokenError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, want := range []error{jwtkit.ErrTokenInvalid, jwtkit.ErrWrongType, jwtkit.ErrNoType, jwtkit.ErrNoID, jwtkit.ErrNoUserID, jwtkit.ErrBlacklisted, jwtkit.ErrUserNotFound, jwtkit.ErrUserInactive, jwtkit.ErrNoActiveAccount, jwtkit.ErrBadAuthHeader, jwtkit.ErrNoCredentials} {
		if errors.Is(err, want) {
			return
		}
	}
	t.Fatalf("unexpected error class: %v", err)
}

// FuzzServe feeds arbitrary bodies and content types to the token endpoints: every answer is
// a contract status with a JSON body, never a 500.
func FuzzServe(f *testing.F) {
	e := newEnv(f, func(c *jwtkit.Config) { c.SlidingTokens = true })
	p := e.pair(f, jwtkit.IntUserID(1))
	for _, seed := range []struct{ ct, body string }{
		{"application/json", `{"username":"demo","password":"demo-password"}`},
		{"application/json", `{"refresh":"` + p.Refresh + `"}`},
		{"application/x-www-form-urlencoded", "token=" + p.Access},
		{"application/json; charset=utf-8", `[{"a":1}]`},
		{"application/json", `{"token":1e999}`},
		{"text/plain", "x"},
		{"application/x-www-form-urlencoded", "%zz=1&refresh=%"},
		// DRF's parsers and CharField's rules: multipart, charsets, surrogates, Python's numbers.
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\ndemo\r\n--b\r\n" +
			"Content-Disposition: form-data; name=\"password\"; filename=\"p\"\r\nContent-Transfer-Encoding: base64\r\n\r\neA==\r\n--b--\r\n"},
		{"multipart/form-data; boundary=\"b c\"", "--b c\r\n\r\n--b c--"},
		{"*/*; charset=latin-1", "{\"token\":\"\xe9\\ud800\\udc00\\u0000\"}"},
		{"application/json", `{"username":"\u001c demo","password":-0.0}`},
	} {
		f.Add(seed.ct, seed.body)
	}
	allowed := map[int]bool{200: true, 400: true, 401: true, 404: true, 413: true, 415: true}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		for _, rt := range e.auth.Routes() {
			r := e.auth.Serve(context.Background(), rt.Endpoint, jwtkit.Request{Method: "POST", ContentType: contentType, Body: strings.NewReader(body)})
			if !allowed[r.Status] || r.Header.Get("Content-Type") != "application/json" || len(r.Body) == 0 {
				t.Fatalf("%v: status %d, body %q", rt.Path, r.Status, r.Body)
			}
		}
	})
}
