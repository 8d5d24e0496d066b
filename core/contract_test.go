package jwtkit_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

const (
	bodyInvalid     = `{"detail":"Token is invalid or expired","code":"token_not_valid"}`
	bodyWrongType   = `{"detail":"Token has wrong type","code":"token_not_valid"}`
	bodyBlacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	bodyNoType      = `{"detail":"Token has no type","code":"token_not_valid"}`
	bodyCredentials = `{"detail":"No active account found with the given credentials"}`
	bodyUnavailable = `{"detail":"Service temporarily unavailable, try again later.","code":"store_unavailable"}`
	challenge       = `Bearer realm="api"`
)

func protectedBody(msg string) string {
	return `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"` + msg + `"}]}`
}

// forge signs any header and payload JSON with the test secret, byte for byte as given, so
// tests can build tokens the issuer would never write.
func forge(header, payload string) string { return forgeWith(testSecret, header, payload) }

// forgeWith is forge with another HMAC secret.
func forgeWith(secret []byte, header, payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

const hs256Header = `{"alg":"HS256","typ":"JWT"}`

// claimsAt is a simplejwt payload of the given type issued at the env's clock.
func (e *env) claimsAt(typ string, extra string) string {
	now := e.clock.Now().Unix()
	p := fmt.Sprintf(`{"token_type":%q,"exp":%d,"iat":%d,"jti":"0123456789abcdef0123456789abcdef","user_id":1`, typ, now+300, now)
	if extra != "" {
		p += "," + extra
	}
	return p + "}"
}

func assertResponse(t *testing.T, r jwtkit.Response, status int, body string) {
	t.Helper()
	assert.Equal(t, status, r.Status)
	assert.Equal(t, body, string(r.Body))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	if status == http.StatusUnauthorized {
		assert.Equal(t, challenge, r.Header.Get("WWW-Authenticate"), "every 401 carries the challenge")
	} else {
		assert.Empty(t, r.Header.Get("WWW-Authenticate"), "only 401s carry the challenge")
	}
}

func jsonBody(t *testing.T, r jwtkit.Response) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal(r.Body, &m), string(r.Body))
	return m
}

// TestContractErrorTable walks every row of the contract's error table through the shared
// endpoint logic and the protected-route check.
func TestContractErrorTable(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	good := e.pair(t, jwtkit.IntUserID(1))
	expired := newEnv(t)
	expired.clock.Advance(-48 * time.Hour)
	old := expired.pair(t, jwtkit.IntUserID(1))
	other, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte("another-secret-key-for-wrong-signatures!"), "")
	require.NoError(t, err)
	wrongAuth, err := jwtkit.New(jwtkit.Config{SigningKey: other, Store: newTestStore(), Users: newTestUsers(), Clock: e.clock.Now})
	require.NoError(t, err)
	wrongSig, err := wrongAuth.IssuePair(ctx, jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	revoked := e.pair(t, jwtkit.IntUserID(1))
	require.NoError(t, e.auth.Blacklist(ctx, revoked.Refresh))

	endpointRows := []struct {
		name   string
		ep     jwtkit.Endpoint
		body   string
		status int
		want   string
	}{
		{"obtain wrong password", jwtkit.EndpointObtain, `{"username":"demo","password":"nope"}`, 401, bodyCredentials},
		{"obtain unknown user", jwtkit.EndpointObtain, `{"username":"ghost","password":"demo-password"}`, 401, bodyCredentials},
		{"obtain inactive user", jwtkit.EndpointObtain, `{"username":"inactive","password":"demo-password"}`, 401, bodyCredentials},
		{"obtain both missing", jwtkit.EndpointObtain, `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"obtain password missing", jwtkit.EndpointObtain, `{"username":"demo"}`, 400, `{"password":["This field is required."]}`},
		{"obtain empty body", jwtkit.EndpointObtain, ``, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"obtain blank username", jwtkit.EndpointObtain, `{"username":"  ","password":"x"}`, 400, `{"username":["This field may not be blank."]}`},
		{"obtain null password", jwtkit.EndpointObtain, `{"username":"demo","password":null}`, 400, `{"password":["This field may not be null."]}`},
		{"obtain object username", jwtkit.EndpointObtain, `{"username":{},"password":"x"}`, 400, `{"username":["Not a valid string."]}`},
		{"body is a list", jwtkit.EndpointObtain, `[1]`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"body is an int", jwtkit.EndpointVerify, `7`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got int."]}`},
		{"verify missing", jwtkit.EndpointVerify, `{}`, 400, `{"token":["This field is required."]}`},
		{"refresh missing", jwtkit.EndpointRefresh, `{"access":"x"}`, 400, `{"refresh":["This field is required."]}`},
		{"refresh blank", jwtkit.EndpointRefresh, `{"refresh":""}`, 400, `{"refresh":["This field may not be blank."]}`},
		{"blacklist blank", jwtkit.EndpointBlacklist, `{"refresh":" "}`, 400, `{"refresh":["This field may not be blank."]}`},
		{"refresh garbage", jwtkit.EndpointRefresh, `{"refresh":"not-a-token"}`, 401, bodyInvalid},
		{"refresh number", jwtkit.EndpointRefresh, `{"refresh":12}`, 401, bodyInvalid},
		{"refresh expired", jwtkit.EndpointRefresh, `{"refresh":"` + old.Refresh + `"}`, 401, bodyInvalid},
		{"refresh wrong signature", jwtkit.EndpointRefresh, `{"refresh":"` + wrongSig.Refresh + `"}`, 401, bodyInvalid},
		{"verify wrong signature", jwtkit.EndpointVerify, `{"token":"` + wrongSig.Access + `"}`, 401, bodyInvalid},
		{"verify expired", jwtkit.EndpointVerify, `{"token":"` + old.Access + `"}`, 401, bodyInvalid},
		{"blacklist expired", jwtkit.EndpointBlacklist, `{"refresh":"` + old.Refresh + `"}`, 401, bodyInvalid},
		{"access to refresh", jwtkit.EndpointRefresh, `{"refresh":"` + good.Access + `"}`, 401, bodyWrongType},
		{"access to blacklist", jwtkit.EndpointBlacklist, `{"refresh":"` + good.Access + `"}`, 401, bodyWrongType},
		{"blacklisted at refresh", jwtkit.EndpointRefresh, `{"refresh":"` + revoked.Refresh + `"}`, 401, bodyBlacklisted},
		{"blacklisted at verify", jwtkit.EndpointVerify, `{"token":"` + revoked.Refresh + `"}`, 401, bodyBlacklisted},
		{"blacklisted at blacklist", jwtkit.EndpointBlacklist, `{"refresh":"` + revoked.Refresh + `"}`, 401, bodyBlacklisted},
		{"no type at verify", jwtkit.EndpointVerify, `{"token":"` + forge(hs256Header, `{"exp":9999999999,"jti":"ab","user_id":1}`) + `"}`, 401, bodyNoType},
		{"no id at verify", jwtkit.EndpointVerify, `{"token":"` + forge(hs256Header, `{"token_type":"access","exp":9999999999,"user_id":1}`) + `"}`, 401, `{"detail":"Token has no id","code":"token_not_valid"}`},
	}
	for _, row := range endpointRows {
		t.Run(row.name, func(t *testing.T) {
			r := e.post(row.ep, row.body)
			assertResponse(t, r, row.status, row.want)
			assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		})
	}

	t.Run("invalid JSON", func(t *testing.T) {
		for _, body := range []string{`{"refresh":`, `{"refresh":"x"}}`, `{'refresh':1}`, "\xff"} {
			r := e.post(jwtkit.EndpointRefresh, body)
			assert.Equal(t, 400, r.Status, body)
			assert.True(t, strings.HasPrefix(jsonBody(t, r)["detail"], "JSON parse error - "), string(r.Body))
			assert.Empty(t, r.Header.Get("WWW-Authenticate"))
		}
	})

	protectedRows := []struct {
		name, header string
		want         string
	}{
		{"no header", "", `{"detail":"Authentication credentials were not provided."}`},
		{"other scheme", "Basic ZGVtbzpkZW1v", `{"detail":"Authentication credentials were not provided."}`},
		{"scheme is case sensitive", "bearer " + good.Access, `{"detail":"Authentication credentials were not provided."}`},
		{"bearer without token", "Bearer", `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`},
		{"bearer with three parts", "Bearer " + good.Access + " extra", `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`},
		{"garbage token", "Bearer abc.def", protectedBody("Token is invalid or expired")},
		{"expired token", "Bearer " + old.Access, protectedBody("Token is invalid or expired")},
		{"wrong signature", "Bearer " + wrongSig.Access, protectedBody("Token is invalid or expired")},
		{"refresh as access", "Bearer " + good.Refresh, protectedBody("Token has wrong type")},
		{"no type", "Bearer " + forge(hs256Header, `{"exp":9999999999,"jti":"ab","user_id":1}`), protectedBody("Token has no type")},
		{"revoked refresh token as access", "Bearer " + revoked.Refresh, protectedBody("Token has wrong type")},
		{"no user id", "Bearer " + forge(hs256Header, `{"token_type":"access","exp":9999999999,"jti":"ab"}`), `{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`},
		{"float user id", "Bearer " + forge(hs256Header, `{"token_type":"access","exp":9999999999,"jti":"ab","user_id":1.5}`), `{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`},
		{"user not found", "Bearer " + e.pair(t, jwtkit.IntUserID(404)).Access, `{"detail":"User not found","code":"user_not_found"}`},
		{"user inactive", "Bearer " + e.pair(t, jwtkit.IntUserID(2)).Access, `{"detail":"User is inactive","code":"user_inactive"}`},
	}
	for _, row := range protectedRows {
		t.Run("protected "+row.name, func(t *testing.T) {
			id, err := e.auth.Authenticate(ctx, row.header)
			require.Error(t, err)
			assert.Nil(t, id)
			assertResponse(t, e.auth.ErrorResponse(err), 401, row.want)
		})
	}

	t.Run("protected access token revoked", func(t *testing.T) {
		p := e.pair(t, jwtkit.IntUserID(1))
		tok, err := e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
		require.NoError(t, err)
		require.NoError(t, e.store.Revoke(ctx, tok.ID, tok.ExpiresAt))
		_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
		assert.ErrorIs(t, err, jwtkit.ErrBlacklisted)
		assertResponse(t, e.auth.ErrorResponse(err), 401, protectedBody("Token is blacklisted"))
	})

	t.Run("store unavailable fails closed everywhere", func(t *testing.T) {
		p := e.pair(t, jwtkit.IntUserID(1))
		e.store.setDown(true)
		defer e.store.setDown(false)
		for _, r := range []jwtkit.Response{
			e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`),
			e.post(jwtkit.EndpointVerify, `{"token":"`+p.Access+`"}`),
			e.post(jwtkit.EndpointBlacklist, `{"refresh":"`+p.Refresh+`"}`),
		} {
			assertResponse(t, r, 503, bodyUnavailable)
			assert.NotContains(t, string(r.Body), "6379", "no internal error text in a body")
		}
		_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
		assert.ErrorIs(t, err, jwtkit.ErrStoreUnavailable)
		assertResponse(t, e.auth.ErrorResponse(err), 503, bodyUnavailable)

		e.store.setDown(false)
		_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
		assert.NoError(t, err, "recovers once the store answers again")
	})

	t.Run("user store unavailable fails closed", func(t *testing.T) {
		p := e.pair(t, jwtkit.IntUserID(1))
		e.users.down = true
		defer func() { e.users.down = false }()
		assertResponse(t, e.post(jwtkit.EndpointObtain, `{"username":"demo","password":"demo-password"}`), 503, bodyUnavailable)
		assertResponse(t, e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`), 503, bodyUnavailable)
		_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
		assertResponse(t, e.auth.ErrorResponse(err), 503, bodyUnavailable)
	})

	t.Run("refresh of a removed or inactive user", func(t *testing.T) {
		p := e.pair(t, jwtkit.IntUserID(2))
		assertResponse(t, e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`), 401,
			`{"detail":"No active account found for the given token.","code":"no_active_account"}`)
		p = e.pair(t, jwtkit.IntUserID(99))
		assertResponse(t, e.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`), 401,
			`{"detail":"No active account found for the given token.","code":"no_active_account"}`)
	})
}

func TestEndpointMethodsAndMediaTypes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, rt := range e.auth.Routes() {
		r := e.auth.Serve(ctx, rt.Endpoint, jwtkit.Request{Method: "GET"})
		assertResponse(t, r, 405, `{"detail":"Method \"GET\" not allowed."}`)
		assert.Equal(t, "POST, OPTIONS", r.Header.Get("Allow"))

		r = e.auth.Serve(ctx, rt.Endpoint, jwtkit.Request{Method: "OPTIONS"})
		assert.Equal(t, 200, r.Status)
		assert.Equal(t, "POST, OPTIONS", r.Header.Get("Allow"))
		assert.Contains(t, string(r.Body), `"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]`)
	}
	r := e.auth.Serve(ctx, jwtkit.EndpointVerify, jwtkit.Request{Method: "DELETE"})
	assertResponse(t, r, 405, `{"detail":"Method \"DELETE\" not allowed."}`)

	r = e.auth.Serve(ctx, jwtkit.EndpointVerify, jwtkit.Request{Method: "POST", ContentType: "text/plain", Body: strings.NewReader("token=x")})
	assertResponse(t, r, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`)
	r = e.auth.Serve(ctx, jwtkit.EndpointVerify, jwtkit.Request{Method: "POST", Body: strings.NewReader("{}")})
	assertResponse(t, r, 415, `{"detail":"Unsupported media type \"\" in request."}`)

	big := `{"token":"` + strings.Repeat("a", jwtkit.DefaultMaxBodyBytes) + `"}`
	r = e.post(jwtkit.EndpointVerify, big)
	assertResponse(t, r, 413, `{"detail":"Request body is too large."}`)

	r = e.auth.Serve(ctx, jwtkit.EndpointSlidingObtain, jwtkit.Request{Method: "POST"})
	assertResponse(t, r, 404, `{"detail":"Not found."}`)
	r = e.auth.Serve(ctx, jwtkit.Endpoint(42), jwtkit.Request{Method: "POST"})
	assertResponse(t, r, 404, `{"detail":"Not found."}`)
}

func TestEndpointSuccessShapes(t *testing.T) {
	e := newEnv(t)
	form := func(ep jwtkit.Endpoint, body string) jwtkit.Response {
		return e.auth.Serve(context.Background(), ep, jwtkit.Request{Method: "POST", ContentType: "application/x-www-form-urlencoded; charset=utf-8", Body: strings.NewReader(body)})
	}

	r := e.post(jwtkit.EndpointObtain, `{"username":"demo","password":"demo-password"}`)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Regexp(t, `^\{"refresh":"[^"]+","access":"[^"]+"\}$`, string(r.Body))
	obtained := jsonBody(t, r)

	r = form(jwtkit.EndpointObtain, "username=demo&password=demo-password")
	assert.Equal(t, 200, r.Status, string(r.Body))

	r = form(jwtkit.EndpointRefresh, "refresh="+obtained["refresh"])
	assert.Equal(t, 200, r.Status)
	assert.Regexp(t, `^\{"access":"[^"]+"\}$`, string(r.Body))
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))

	r = form(jwtkit.EndpointVerify, "token="+obtained["access"])
	assertResponse(t, r, 200, `{}`)
	r = e.post(jwtkit.EndpointVerify, `{"token":"`+obtained["refresh"]+`"}`)
	assertResponse(t, r, 200, `{}`)

	r = form(jwtkit.EndpointBlacklist, "refresh="+obtained["refresh"])
	assertResponse(t, r, 200, `{}`)
	r = e.post(jwtkit.EndpointRefresh, `{"refresh":"`+obtained["refresh"]+`"}`)
	assertResponse(t, r, 401, bodyBlacklisted)

	rot := newEnv(t, func(c *jwtkit.Config) { c.RotateRefreshTokens = true })
	p := rot.pair(t, jwtkit.IntUserID(1))
	r = rot.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`)
	assert.Regexp(t, `^\{"access":"[^"]+","refresh":"[^"]+"\}$`, string(r.Body))
	r = rot.post(jwtkit.EndpointRefresh, `{"refresh":"`+p.Refresh+`"}`)
	assert.Equal(t, 200, r.Status, "without blacklist-after-rotation the old refresh token still works, as in simplejwt")
}

func TestSlidingEndpoints(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.SlidingTokens = true })
	r := e.post(jwtkit.EndpointSlidingObtain, `{"username":"demo","password":"demo-password"}`)
	require.Equal(t, 200, r.Status, string(r.Body))
	tok := jsonBody(t, r)["token"]

	id, err := e.auth.Authenticate(context.Background(), "Bearer "+tok)
	require.NoError(t, err, "sliding tokens authenticate when enabled")
	assert.Equal(t, jwtkit.TypeSliding, id.Token.Type)
	first := id.Token

	e.clock.Advance(10 * time.Minute) // past exp, within refresh_exp
	_, err = e.auth.Authenticate(context.Background(), "Bearer "+tok)
	require.ErrorIs(t, err, jwtkit.ErrTokenExpired)
	r = e.post(jwtkit.EndpointSlidingRefresh, `{"token":"`+tok+`"}`)
	require.Equal(t, 200, r.Status, string(r.Body))
	renewed := jsonBody(t, r)["token"]
	id, err = e.auth.Authenticate(context.Background(), "Bearer "+renewed)
	require.NoError(t, err)
	assert.Equal(t, first.ID, id.Token.ID, "a renewed sliding token keeps its jti")
	assert.Equal(t, first.RefreshExpiresAt, id.Token.RefreshExpiresAt)
	assert.Equal(t, e.clock.Now().Unix()+300, id.Token.ExpiresAt.Unix())

	e.clock.Advance(25 * time.Hour) // past refresh_exp
	r = e.post(jwtkit.EndpointSlidingRefresh, `{"token":"`+renewed+`"}`)
	assertResponse(t, r, 401, bodyInvalid)

	p := e.pair(t, jwtkit.IntUserID(1))
	r = e.post(jwtkit.EndpointSlidingRefresh, `{"token":"`+p.Access+`"}`)
	assertResponse(t, r, 401, bodyWrongType)

	_, err = e.auth.Authenticate(context.Background(), "Bearer "+p.Refresh)
	assertResponse(t, e.auth.ErrorResponse(err), 401, `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[`+
		`{"token_class":"AccessToken","token_type":"access","message":"Token has wrong type"},`+
		`{"token_class":"SlidingToken","token_type":"sliding","message":"Token has wrong type"}]}`)
}

func TestSlidingRefreshWithoutExp(t *testing.T) {
	e := newEnv(t, func(c *jwtkit.Config) { c.SlidingTokens = true })
	now := e.clock.Now().Unix()
	tok := forge(hs256Header, `{"token_type":"sliding","iat":`+fmt.Sprint(now)+`,"jti":"ab","user_id":1,"refresh_exp":`+fmt.Sprint(now+600)+`}`)
	assertResponse(t, e.post(jwtkit.EndpointSlidingRefresh, `{"token":"`+tok+`"}`), 401, bodyInvalid)
}

func TestBlacklistRevokesThePresentedAccessToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	blacklist := func(refresh, header string) jwtkit.Response {
		return e.auth.Serve(ctx, jwtkit.EndpointBlacklist, jwtkit.Request{Method: "POST", ContentType: "application/json",
			Authorization: header, Body: strings.NewReader(`{"refresh":"` + refresh + `"}`)})
	}

	p := e.pair(t, jwtkit.IntUserID(1))
	assertResponse(t, blacklist(p.Refresh, "Bearer "+p.Access), 200, `{}`)
	_, err := e.auth.Authenticate(ctx, "Bearer "+p.Access)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "the access token presented at logout is revoked")
	assertResponse(t, e.auth.ErrorResponse(err), 401, protectedBody("Token is blacklisted"))

	p = e.pair(t, jwtkit.IntUserID(1))
	assertResponse(t, blacklist(p.Refresh, ""), 200, `{}`)
	_, err = e.auth.Authenticate(ctx, "Bearer "+p.Access)
	assert.NoError(t, err, "without the header nothing else changes")

	mine, other := e.pair(t, jwtkit.IntUserID(1)), e.pair(t, jwtkit.IntUserID(3))
	assertResponse(t, blacklist(mine.Refresh, "Bearer "+other.Access), 200, `{}`)
	_, err = e.auth.Validate(ctx, other.Access, jwtkit.TypeAccess)
	assert.NoError(t, err, "another user's access token is never revoked by my logout")

	p = e.pair(t, jwtkit.IntUserID(1))
	assertResponse(t, blacklist(p.Refresh, "Bearer garbage"), 200, `{}`)
	assertResponse(t, blacklist(e.pair(t, jwtkit.IntUserID(1)).Refresh, "Bearer "+p.Refresh), 200, `{}`)
	_, err = e.auth.Validate(ctx, p.Access, jwtkit.TypeAccess)
	assert.NoError(t, err, "a refresh token in the header is not an access token to revoke")
}
