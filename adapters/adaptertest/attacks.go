package adaptertest

import (
	"crypto"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
)

// The attack table: hostile requests, each with the exact answer the contract gives it. Every
// case runs against every adapter over a real connection, written byte for byte (so a header
// can hold what an HTTP client refuses to send), on one of the servers below.

// serverKind is the configuration of the table server a case runs on.
type serverKind int

const (
	// srvMain is the suite's HS256 key and demo users, on the table's clock with its leeway.
	srvMain serverKind = iota
	// srvAudIss is srvMain with Audience and Issuer configured.
	srvAudIss
	// srvRSA signs and verifies with an RS256 key only.
	srvRSA
	// srvES signs and verifies with the fixed ES256 key only.
	srvES
	// srvSources is srvMain with the header, the access_token cookie and the token query
	// parameter as sources, in that order.
	srvSources
)

// The audience and issuer of srvAudIss.
const (
	tableAudience = "api.example"
	tableIssuer   = "https://auth.example"
)

// request is one hostile request, written to the connection as given.
type request struct {
	method, path string
	auth         []string // Authorization header values, one header line each, in order
	cookie       string   // the Cookie header's raw value; "" sends none
	query        string   // the raw query string, without '?'
	body         string   // a JSON body (POST)
}

// want is an expected answer.
type want struct {
	status int
	body   string // the contract's exact body
	// server says the HTTP server answers by itself before the app sees the request (a
	// malformed or oversized header): the status is exact, the body is the server's own.
	server bool
}

// attack is one case of the table.
type attack struct {
	group, name string
	srv         serverKind
	req         request
	want        want
	// fast is the answer behind fasthttp when its parsing leads elsewhere than net/http's.
	fast *want
	// ctlByte marks a header holding a control byte: FastHTTPStrict refuses it as net/http
	// does, so fast applies to FastHTTP alone.
	ctlByte bool
	// secrets must not appear in the answer; the token the request carries always is one.
	secrets []string
}

// verdict is the contract's reason for an answer to a token.
type verdict int

const (
	vOK verdict = iota
	vInvalid
	vWrongType
	vNoType
	vNoID
	vNoUser
	vNotFound
	vInactive
	vNotProvided
	vBadHeader
)

const (
	bodyNoUserID  = `{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`
	bodyNotFound  = `{"detail":"User not found","code":"user_not_found"}`
	bodyInactive  = `{"detail":"User is inactive","code":"user_inactive"}`
	bodyAnonymous = `{"user_id":null}`
	bodyTooLarge  = `{"detail":"Request body is too large."}`
)

// protected is the answer of GET /api/me.
func (v verdict) protected() want {
	switch v {
	case vOK:
		return want{status: http.StatusOK, body: bodyDemo}
	case vNoUser:
		return want{status: http.StatusUnauthorized, body: bodyNoUserID}
	case vNotFound:
		return want{status: http.StatusUnauthorized, body: bodyNotFound}
	case vInactive:
		return want{status: http.StatusUnauthorized, body: bodyInactive}
	case vNotProvided:
		return want{status: http.StatusUnauthorized, body: bodyNotProvided}
	case vBadHeader:
		return want{status: http.StatusUnauthorized, body: bodyBadHeader}
	}
	return want{status: http.StatusUnauthorized, body: protectedBody(v.message())}
}

// endpoint is the answer of a token endpoint to a token it refuses, or verify's 200.
func (v verdict) endpoint() want {
	switch v {
	case vOK:
		return want{status: http.StatusOK, body: `{}`}
	case vNoUser:
		return want{status: http.StatusUnauthorized, body: bodyNoUserID}
	}
	return want{status: http.StatusUnauthorized, body: `{"detail":"` + v.message() + `","code":"token_not_valid"}`}
}

func (v verdict) message() string {
	switch v {
	case vWrongType:
		return "Token has wrong type"
	case vNoType:
		return "Token has no type"
	case vNoID:
		return "Token has no id"
	}
	return "Token is invalid or expired"
}

// optionalOf is GET /api/optional's answer to what GET /api/me answers w: the same, except
// that a request without credentials passes anonymously.
func optionalOf(w want) want {
	if !w.server && w.body == bodyNotProvided {
		return want{status: http.StatusOK, body: bodyAnonymous}
	}
	return w
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func post(path, field, token string) request {
	return request{method: http.MethodPost, path: path, body: `{"` + field + `":` + jsonString(token) + `}`}
}

// protectedAttacks sends the Authorization header values to GET /api/me and /api/optional.
func protectedAttacks(group, name string, srv serverKind, values []string, w want, fast *want, secrets ...string) []attack {
	var out []attack
	for _, path := range []string{"/api/me", "/api/optional"} {
		a := attack{group: group, name: name + " " + path, srv: srv, req: request{method: http.MethodGet, path: path, auth: values},
			want: w, fast: fast, secrets: secrets}
		if path == "/api/optional" {
			a.want = optionalOf(w)
			if fast != nil {
				f := optionalOf(*fast)
				a.fast = &f
			}
		}
		out = append(out, a)
	}
	return out
}

// tokenAttacks presents tok as a bearer token to GET /api/me and /api/optional, and in the
// body of the verify endpoint; when verify refuses it, to refresh and blacklist as well (a
// token that verify accepts is never sent there: it would change the store's state).
func tokenAttacks(group, name string, srv serverKind, tok string, me, verify verdict) []attack {
	out := protectedAttacks(group, name, srv, []string{"Bearer " + tok}, me.protected(), nil, tok)
	paths := [][2]string{{"/api/token/verify/", "token"}}
	if verify != vOK {
		paths = append(paths, [2]string{"/api/token/refresh/", "refresh"}, [2]string{"/api/token/blacklist/", "refresh"})
	}
	for _, p := range paths {
		out = append(out, attack{group: group, name: name + " " + p[0], srv: srv, req: post(p[0], p[1], tok),
			want: verify.endpoint(), secrets: []string{tok}})
	}
	return out
}

// refused is tokenAttacks for a token refused as invalid everywhere.
func refused(group, name string, srv serverKind, tok string) []attack {
	return tokenAttacks(group, name, srv, tok, vInvalid, vInvalid)
}

// attackEnv is what the table is built from besides the suite's fixed keys.
type attackEnv struct {
	// lure is the URL the jku and x5u headers point at.
	lure string
	// rsaPEM and rsaDER are the public key of srvRSA, and rsaToken a token it issued; with
	// rsaPEM nil the RSA cases are left out.
	rsaPEM, rsaDER []byte
	rsaToken       string
	// maxHeaderBytes is the server's own header limit (Options.MaxHeaderBytes); 0 leaves the
	// cases about it out.
	maxHeaderBytes int
}

// attacks is the table.
func attacks(env attackEnv) []attack {
	return slicesOf(algorithmAttacks(env), claimAttacks(), audienceAttacks(), headerAttacks(env), encodingAttacks(env), httpAttacks(env))
}

func algorithmAttacks(env attackEnv) []attack {
	const g = "algorithm"
	good := accessClaims().String()
	var out []attack
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		header := `{"alg":"` + alg + `","typ":"JWT"}`
		out = append(out, refused(g, "alg "+alg+" unsigned", srvMain, signingInput(header, good)+".")...)
		// The signature is a valid HS256 one over the same input: only alg differs.
		out = append(out, refused(g, "alg "+alg+" with a signature", srvMain, hs(header, good))...)
	}
	out = append(out,
		slicesOf(
			refused(g, "HS384 header, HS384 signature with the HS256 key", srvMain, hmacToken(crypto.SHA384, secret, `{"alg":"HS384","typ":"JWT"}`, good)),
			refused(g, "HS512 header, HS512 signature with the HS256 key", srvMain, hmacToken(crypto.SHA512, secret, `{"alg":"HS512","typ":"JWT"}`, good)),
			refused(g, "RS256 header, HS256 signature", srvMain, hmacToken(crypto.SHA256, secret, `{"alg":"RS256","typ":"JWT"}`, good)),
			refused(g, "ES256 header on the HS256 server", srvMain, es(esKey, `{"alg":"ES256","typ":"JWT"}`, good)),
			refused(g, "alg empty", srvMain, hs(`{"alg":"","typ":"JWT"}`, good)),
			refused(g, "alg missing", srvMain, hs(`{"typ":"JWT"}`, good)),
			refused(g, "alg a number", srvMain, hs(`{"alg":256,"typ":"JWT"}`, good)),
			refused(g, "alg lowercase hs256", srvMain, hs(`{"alg":"hs256","typ":"JWT"}`, good)),
			refused(g, "alg with a trailing space", srvMain, hs(`{"alg":"HS256 ","typ":"JWT"}`, good)),
		)...)

	esHeader := `{"alg":"ES256","typ":"JWT"}`
	in, r, s := esSignature(esKey, esHeader, good)
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		panic(err)
	}
	zero := new(big.Int)
	out = append(out, slicesOf(
		tokenAttacks(g, "ES256 control: a valid r||s signature", srvES, in+"."+rs(r, s), vOK, vOK),
		refused(g, "ES256 all-zero r||s", srvES, in+"."+rs(zero, zero)),
		refused(g, "ES256 DER-encoded signature", srvES, in+"."+b64.EncodeToString(der)),
		refused(g, "ES256 r = n", srvES, in+"."+rs(p256N, s)),
		refused(g, "ES256 s = n", srvES, in+"."+rs(r, p256N)),
		refused(g, "ES256 signature truncated to 63 bytes", srvES, in+"."+b64.EncodeToString(mustDecode(rs(r, s))[:63])),
		refused(g, "HS256 signed with the ES256 public key's bytes", srvES, hmacToken(crypto.SHA256, mustPublicBytes(), hsHeader, good)),
	)...)

	if env.rsaPEM != nil {
		out = append(out, slicesOf(
			tokenAttacks(g, "RS256 control: a token the server issued", srvRSA, env.rsaToken, vOK, vOK),
			refused(g, "HS256 signed with the RSA public key's PEM", srvRSA, hmacToken(crypto.SHA256, env.rsaPEM, hsHeader, good)),
			refused(g, "HS256 signed with the RSA public key's DER", srvRSA, hmacToken(crypto.SHA256, env.rsaDER, hsHeader, good)),
			refused(g, "RS256 header, HMAC with the RSA public key's PEM", srvRSA, hmacToken(crypto.SHA256, env.rsaPEM, `{"alg":"RS256","typ":"JWT"}`, good)),
		)...)
	}
	return out
}

func claimAttacks() []attack {
	const g = "claims"
	c := accessClaims()
	tok := func(c claims) string { return hs(hsHeader, c.String()) }
	return slicesOf(
		tokenAttacks(g, "control: the valid access token", srvMain, tok(c), vOK, vOK),
		refused(g, "exp missing", srvMain, tok(c.del("exp"))),
		refused(g, "exp 0", srvMain, tok(c.set("exp", "0"))),
		refused(g, "exp quoted", srvMain, tok(c.set("exp", `"9999999999"`))),
		refused(g, "exp null", srvMain, tok(c.set("exp", "null"))),
		refused(g, "exp 1e300", srvMain, tok(c.set("exp", "1e300"))),
		refused(g, "exp 2^63", srvMain, tok(c.set("exp", "9223372036854775808"))),
		refused(g, "exp 2^63-1", srvMain, tok(c.set("exp", "9223372036854775807"))),
		refused(g, "exp negative", srvMain, tok(c.set("exp", "-1"))),
		refused(g, "exp an object", srvMain, tok(c.set("exp", `{"$gt":0}`))),
		tokenAttacks(g, "exp fractional, in the future", srvMain, tok(c.set("exp", num(tableNow+3600)+".5")), vOK, vOK),
		refused(g, "exp fractional, past the leeway", srvMain, tok(c.set("exp", num(tableNow-tableLeeway-1)+".5"))),
		tokenAttacks(g, "exp passed within the leeway", srvMain, tok(c.set("exp", num(tableNow-tableLeeway+1))), vOK, vOK),
		refused(g, "exp passed by exactly the leeway", srvMain, tok(c.set("exp", num(tableNow-tableLeeway)))),
		refused(g, "nbf beyond the leeway", srvMain, tok(c.set("nbf", num(tableNow+tableLeeway+1)))),
		tokenAttacks(g, "nbf within the leeway", srvMain, tok(c.set("nbf", num(tableNow+tableLeeway-1))), vOK, vOK),
		refused(g, "nbf far in the future", srvMain, tok(c.set("nbf", "4000000000"))),
		refused(g, "nbf quoted", srvMain, tok(c.set("nbf", `"0"`))),
		refused(g, "iat beyond the leeway", srvMain, tok(c.set("iat", num(tableNow+tableLeeway+1)))),
		refused(g, "iat far in the future", srvMain, tok(c.set("iat", "4000000000"))),
		refused(g, "iat quoted", srvMain, tok(c.set("iat", `"1893455940"`))),
		tokenAttacks(g, "token_type missing", srvMain, tok(c.del("token_type")), vNoType, vNoType),
		tokenAttacks(g, "token_type refresh as access", srvMain, tok(c.set("token_type", `"refresh"`)), vWrongType, vOK),
		tokenAttacks(g, "token_type unknown", srvMain, tok(c.set("token_type", `"admin"`)), vWrongType, vWrongType),
		tokenAttacks(g, "token_type in capitals", srvMain, tok(c.set("token_type", `"ACCESS"`)), vWrongType, vWrongType),
		// Verify takes a token of any type, as simplejwt's UntypedToken does, sliding tokens
		// switched on or not; the other endpoints still want their own type.
		tokenAttacks(g, "token_type sliding while sliding tokens are off", srvMain, tok(c.set("token_type", `"sliding"`)), vWrongType, vOK),
		[]attack{{group: g, name: "token_type sliding while sliding tokens are off /api/token/refresh/", srv: srvMain,
			req: post("/api/token/refresh/", "refresh", tok(c.set("token_type", `"sliding"`))), want: vWrongType.endpoint(),
			secrets: []string{tok(c.set("token_type", `"sliding"`))}}},
		tokenAttacks(g, "token_type empty", srvMain, tok(c.set("token_type", `""`)), vWrongType, vWrongType),
		refused(g, "token_type a number", srvMain, tok(c.set("token_type", "1"))),
		refused(g, "token_type a list", srvMain, tok(c.set("token_type", `["access"]`))),
		refused(g, "duplicate exp", srvMain, tok(c.set("exp", "1").add("exp", num(tableNow+3600)))),
		refused(g, "duplicate token_type", srvMain, tok(c.set("token_type", `"refresh"`).add("token_type", `"access"`))),
		refused(g, "duplicate user_id", srvMain, tok(c.add("user_id", "2"))),
		refused(g, "duplicate jti", srvMain, tok(c.add("jti", `"00000000000000000000000000000000"`))),
		refused(g, "duplicate exp, one spelled with an escape", srvMain, tok(c.set("exp", "1").add(`\u0065xp`, num(tableNow+3600)))),
		tokenAttacks(g, "jti missing", srvMain, tok(c.del("jti")), vNoID, vNoID),
		tokenAttacks(g, "jti empty", srvMain, tok(c.set("jti", `""`)), vNoID, vNoID),
		refused(g, "jti a number", srvMain, tok(c.set("jti", "7"))),
		tokenAttacks(g, "user_id missing", srvMain, tok(c.del("user_id")), vNoUser, vNoUser),
		tokenAttacks(g, "user_id null", srvMain, tok(c.set("user_id", "null")), vNoUser, vNoUser),
		tokenAttacks(g, "user_id a list", srvMain, tok(c.set("user_id", "[1]")), vNoUser, vNoUser),
		tokenAttacks(g, "user_id an object", srvMain, tok(c.set("user_id", `{"id":1}`)), vNoUser, vNoUser),
		tokenAttacks(g, "user_id fractional", srvMain, tok(c.set("user_id", "1.5")), vNoUser, vNoUser),
		tokenAttacks(g, "user_id true", srvMain, tok(c.set("user_id", "true")), vNoUser, vNoUser),
		tokenAttacks(g, "user_id as a string", srvMain, tok(c.set("user_id", `"1"`)), vOK, vOK),
		tokenAttacks(g, "user_id of nobody", srvMain, tok(c.set("user_id", "404")), vNotFound, vOK),
		tokenAttacks(g, "user_id of the inactive user", srvMain, tok(c.set("user_id", "2")), vInactive, vOK),
		tokenAttacks(g, "user_id SQL", srvMain, tok(c.set("user_id", `"1 OR 1=1"`)), vNotFound, vOK),
	)
}

func audienceAttacks() []attack {
	const g = "audience and issuer"
	c := accessClaims().set("aud", jsonString(tableAudience)).set("iss", jsonString(tableIssuer))
	tok := func(c claims) string { return hs(hsHeader, c.String()) }
	return slicesOf(
		tokenAttacks(g, "control: aud and iss exact", srvAudIss, tok(c), vOK, vOK),
		tokenAttacks(g, "aud a list holding ours", srvAudIss, tok(c.set("aud", `["other.example","api.example"]`)), vOK, vOK),
		refused(g, "aud missing", srvAudIss, tok(c.del("aud"))),
		refused(g, "iss missing", srvAudIss, tok(c.del("iss"))),
		refused(g, "aud another", srvAudIss, tok(c.set("aud", `"api.example.evil"`))),
		refused(g, "aud a prefix of ours", srvAudIss, tok(c.set("aud", `"api"`))),
		refused(g, "aud in capitals", srvAudIss, tok(c.set("aud", `"API.EXAMPLE"`))),
		refused(g, "aud with a trailing space", srvAudIss, tok(c.set("aud", `"api.example "`))),
		refused(g, "aud an empty list", srvAudIss, tok(c.set("aud", `[]`))),
		refused(g, "aud a list without ours", srvAudIss, tok(c.set("aud", `["a","b"]`))),
		refused(g, "aud a number", srvAudIss, tok(c.set("aud", `7`))),
		refused(g, "iss with a trailing slash", srvAudIss, tok(c.set("iss", `"https://auth.example/"`))),
		refused(g, "iss in capitals", srvAudIss, tok(c.set("iss", `"HTTPS://AUTH.EXAMPLE"`))),
		refused(g, "iss a list", srvAudIss, tok(c.set("iss", `["https://auth.example"]`))),
	)
}

func headerAttacks(env attackEnv) []attack {
	const g = "header injection"
	good := accessClaims().String()
	lure := env.lure
	attackerSecret := []byte("attacker-secret-attacker-secret-0123456789")
	jwk := `{"kty":"oct","k":"` + b64.EncodeToString(attackerSecret) + `"}`
	point, err := esAttacker.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		panic(err)
	}
	ecJWK := `{"kty":"EC","crv":"P-256","x":"` + b64.EncodeToString(point[1:33]) + `","y":"` + b64.EncodeToString(point[33:]) + `"}`
	x5c := base64.StdEncoding.EncodeToString([]byte("not a certificate anyone should read"))
	attacker := func(header string) string { return hmacToken(crypto.SHA256, attackerSecret, header, good) }
	return slicesOf(
		refused(g, "kid path traversal", srvMain, hs(`{"alg":"HS256","kid":"../../../../dev/null","typ":"JWT"}`, good)),
		refused(g, "kid SQL injection", srvMain, hs(`{"alg":"HS256","kid":"' OR 1=1 --","typ":"JWT"}`, good)),
		refused(g, "kid unknown", srvMain, hs(`{"alg":"HS256","kid":"2026-11","typ":"JWT"}`, good)),
		refused(g, "kid a number", srvMain, hs(`{"alg":"HS256","kid":7,"typ":"JWT"}`, good)),
		refused(g, "kid empty", srvMain, hs(`{"alg":"HS256","kid":"","typ":"JWT"}`, good)),
		refused(g, "kid null", srvMain, hs(`{"alg":"HS256","kid":null,"typ":"JWT"}`, good)),
		refused(g, "embedded jwk of the attacker's HMAC key", srvMain, attacker(`{"alg":"HS256","jwk":`+jwk+`,"typ":"JWT"}`)),
		refused(g, "embedded jwk of the attacker's EC key", srvES, es(esAttacker, `{"alg":"ES256","jwk":`+ecJWK+`,"typ":"JWT"}`, good)),
		refused(g, "jku to the lure, attacker-signed", srvMain, attacker(`{"alg":"HS256","jku":"`+lure+`/jwks.json","typ":"JWT"}`)),
		refused(g, "x5u to the lure, attacker-signed", srvMain, attacker(`{"alg":"HS256","x5u":"`+lure+`/cert.pem","typ":"JWT"}`)),
		refused(g, "jku with a kid, attacker-signed", srvES, es(esAttacker, `{"alg":"ES256","jku":"`+lure+`/jwks.json","kid":"k1","typ":"JWT"}`, good)),
		refused(g, "x5c of garbage, attacker-signed", srvMain, attacker(`{"alg":"HS256","x5c":["`+x5c+`"],"typ":"JWT"}`)),
		// Signed with the suite's key: the parameter is ignored, neither trusted nor fetched.
		tokenAttacks(g, "jku to the lure on a token we signed", srvMain, hs(`{"alg":"HS256","jku":"`+lure+`/jwks.json","typ":"JWT"}`, good), vOK, vOK),
		refused(g, `crit ["exp"]`, srvMain, hs(`{"alg":"HS256","crit":["exp"],"typ":"JWT"}`, good)),
		refused(g, "crit []", srvMain, hs(`{"alg":"HS256","crit":[],"typ":"JWT"}`, good)),
		refused(g, `crit ["b64"] with b64 false`, srvMain, hs(`{"alg":"HS256","b64":false,"crit":["b64"],"typ":"JWT"}`, good)),
		refused(g, "header a list", srvMain, hs(`["HS256"]`, good)),
		// RFC 7515 §4 lets a parser keep the last of duplicate names (here HS256, whose
		// signature is valid) or reject them: duplicates are refused in either order.
		refused(g, "alg twice, none then HS256", srvMain, hs(`{"alg":"none","alg":"HS256","typ":"JWT"}`, good)),
		refused(g, "alg twice, HS256 then none", srvMain, hs(`{"alg":"HS256","alg":"none","typ":"JWT"}`, good)),
	)
}

func encodingAttacks(env attackEnv) []attack {
	const g = "encoding"
	good := accessClaims().String()
	tok := hs(hsHeader, good)
	parts := strings.Split(tok, ".")
	// "???" encodes to "Pz8_" in base64url and "Pz8/" in standard base64, so this token has '_'
	// where its standard-alphabet twin has '/'.
	odd := hs(hsHeader, accessClaims().set("x", `"???>>>"`).String())
	std := strings.NewReplacer("-", "+", "_", "/").Replace(odd)
	padded := base64.URLEncoding.EncodeToString([]byte(hsHeader)) + "." + base64.URLEncoding.EncodeToString([]byte(good))
	padded += "." + base64.URLEncoding.EncodeToString(mac(crypto.SHA256, secret, padded))
	deep := func(n int, close bool) string {
		v := strings.Repeat("[", n)
		if close {
			v += strings.Repeat("]", n)
		}
		return hs(hsHeader, accessClaims().set("x", v).String())
	}
	jsonSerialization := `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`
	out := slicesOf(
		refused(g, "one segment", srvMain, parts[1]),
		refused(g, "two segments", srvMain, parts[0]+"."+parts[1]),
		refused(g, "four segments", srvMain, tok+"."+parts[2]),
		refused(g, "five segments (JWE shape)", srvMain, b64.EncodeToString([]byte(`{"alg":"dir","enc":"A128GCM"}`))+"..aXY."+parts[1]+".dGFn"),
		refused(g, "trailing dot", srvMain, tok+"."),
		refused(g, "leading dot", srvMain, "."+tok),
		refused(g, "empty signature", srvMain, parts[0]+"."+parts[1]+"."),
		refused(g, "empty payload", srvMain, parts[0]+".."+parts[2]),
		refused(g, "padded segments, correctly signed", srvMain, padded),
		refused(g, "padding after the signature", srvMain, tok+"=="),
		tokenAttacks(g, "control: a token with - and _ in it", srvMain, odd, vOK, vOK),
		refused(g, "the same token in the + and / alphabet", srvMain, std),
		// In a header a space splits the value into three parts; in a body it is in the token.
		tokenAttacks(g, "a space inside", srvMain, parts[0]+"."+parts[1]+" ."+parts[2], vBadHeader, vInvalid),
		refused(g, "percent-encoded dot", srvMain, parts[0]+"%2E"+parts[1]+"."+parts[2]),
		refused(g, "JSON serialization", srvMain, jsonSerialization),
		refused(g, "signature cut short", srvMain, tok[:len(tok)-2]),
		refused(g, "signature with a bit flipped", srvMain, parts[0]+"."+parts[1]+"."+flip(parts[2])),
		refused(g, "payload not JSON, correctly signed", srvMain, hs(hsHeader, "not json")),
		refused(g, "payload a list, correctly signed", srvMain, hs(hsHeader, `[1,2]`)),
		refused(g, "payload null, correctly signed", srvMain, hs(hsHeader, `null`)),
		refused(g, "payload with trailing garbage, correctly signed", srvMain, hs(hsHeader, good+`x`)),
		refused(g, "header not JSON, correctly signed", srvMain, hs(`{"alg":"HS256"`, good)),
		// A claim nested 2,000 deep fits the length cap; signed with our key it is the
		// application's data, not an attack on the parser, which must survive it.
		tokenAttacks(g, "2,000-deep JSON in a claim, correctly signed", srvMain, deep(2000, true), vOK, vOK),
		refused(g, "5,000 unclosed [ in a claim, correctly signed", srvMain, deep(5000, false)),
		// The header is decoded whole (into maps and slices) before the signature is checked.
		tokenAttacks(g, "2,500-deep list in the header, correctly signed", srvMain,
			hs(`{"alg":"HS256","typ":"JWT","x":`+strings.Repeat("[", 2500)+strings.Repeat("]", 2500)+`}`, good), vOK, vOK),
		tokenAttacks(g, "700-deep objects in the header, correctly signed", srvMain,
			hs(`{"alg":"HS256","typ":"JWT","x":`+strings.Repeat(`{"a":`, 700)+"1"+strings.Repeat("}", 700)+`}`, good), vOK, vOK),
		refused(g, "2,500-deep list in the header, unsigned", srvMain,
			signingInput(`{"alg":"HS256","typ":"JWT","x":`+strings.Repeat("[", 2500)+strings.Repeat("]", 2500)+`}`, good)+".c2ln"),
		refused(g, "10,000 [ in a claim (over the length cap)", srvMain, deep(10000, false)),
		// encoding/json would read invalid UTF-8 as U+FFFD, so two payloads would read alike;
		// PyJWT refuses such a payload, and so does core, wherever the bad bytes are.
		refused(g, "invalid UTF-8 in a custom claim, correctly signed", srvMain, hs(hsHeader, accessClaims().set("name", "\"\xff\xfe\"").String())),
		refused(g, "Latin-1 in a custom claim, correctly signed", srvMain, hs(hsHeader, accessClaims().set("name", "\"caf\xe9\"").String())),
		refused(g, "invalid UTF-8 in token_type, correctly signed", srvMain, hs(hsHeader, accessClaims().set("token_type", "\"acc\xffess\"").String())),
		refused(g, "invalid UTF-8 as the user id, correctly signed", srvMain, hs(hsHeader, accessClaims().set("user_id", "\"\xff\"").String())),
		refused(g, "non-ASCII letters in the token", srvMain, parts[0]+"é."+parts[1]+"."+parts[2]),
		refused(g, "8,193 bytes, one over the cap", srvMain, strings.Repeat("a", 8193-4)+".b.c"),
		refused(g, "8,192 bytes, at the cap", srvMain, strings.Repeat("a", 8192-4)+".b.c"),
	)
	// Through the body, where no HTTP server trims or refuses anything. The endpoints trim
	// whitespace around a field as DRF's CharField does, so the access token is read (verify
	// accepts it, refresh refuses its type); anything inside the token makes it invalid.
	for _, c := range []struct {
		name, tok       string
		verify, refresh verdict
	}{
		{"leading space", " " + tok, vOK, vWrongType},
		{"trailing space", tok + " ", vOK, vWrongType},
		{"trailing CR LF", tok + "\r\n", vOK, vWrongType},
		{"TAB before", "\t" + tok, vOK, vWrongType},
		{"CR LF inside", parts[0] + "." + parts[1] + "\r\n." + parts[2], vInvalid, vInvalid},
		{"Bearer prefix", "Bearer " + tok, vInvalid, vInvalid},
		{"60 KiB, under the body cap", strings.Repeat("a", 60<<10) + ".b.c", vInvalid, vInvalid},
	} {
		out = append(out,
			attack{group: g, name: "body token, " + c.name + " /api/token/verify/", srv: srvMain,
				req: post("/api/token/verify/", "token", c.tok), want: c.verify.endpoint(), secrets: []string{c.tok}},
			attack{group: g, name: "body token, " + c.name + " /api/token/refresh/", srv: srvMain,
				req: post("/api/token/refresh/", "refresh", c.tok), want: c.refresh.endpoint(), secrets: []string{c.tok}})
	}
	// A NUL is refused before the token is looked at, with DRF CharField's message.
	for _, p := range [][2]string{{"/api/token/verify/", "token"}, {"/api/token/refresh/", "refresh"}} {
		out = append(out, attack{group: g, name: "body token, NUL after " + p[0], srv: srvMain, req: post(p[0], p[1], tok+"\x00"),
			want: want{status: http.StatusBadRequest, body: `{"` + p[1] + `":["Null characters are not allowed."]}`}, secrets: []string{tok}})
	}
	big := strings.Repeat("a", 200<<10) + ".b.c"
	out = append(out, attack{group: g, name: "body token of 200 KiB, over the body cap", srv: srvMain,
		req: post("/api/token/verify/", "token", big), want: want{status: http.StatusRequestEntityTooLarge, body: bodyTooLarge}, secrets: []string{big}})
	return out
}

func httpAttacks(env attackEnv) []attack {
	const g = "http"
	good := hs(hsHeader, accessClaims().String())
	bad := hs(`{"alg":"none","typ":"JWT"}`, accessClaims().String())
	parts := strings.Split(good, ".")
	p := func(name string, values []string, v verdict) []attack {
		return protectedAttacks(g, name, srvMain, values, v.protected(), nil, good, bad)
	}
	// Control bytes other than TAB: net/http and fasthttp from v1.69 answer 400 themselves;
	// older fasthttp passes the value on and the contract answers.
	ctl := func(name string, values []string, fast verdict) []attack {
		f := fast.protected()
		out := protectedAttacks(g, name, srvMain, values, want{status: http.StatusBadRequest, server: true}, &f, good)
		for i := range out {
			out[i].ctlByte = true
		}
		return out
	}
	out := slicesOf(
		// One request, one credential: two header lines are refused, never resolved.
		p("two Authorization headers, the valid one first", []string{"Bearer " + good, "Bearer " + bad}, vBadHeader),
		p("two Authorization headers, the bad one first", []string{"Bearer " + bad, "Bearer " + good}, vBadHeader),
		p("two Authorization headers, both the valid token", []string{"Bearer " + good, "Bearer " + good}, vBadHeader),
		p("a valid Authorization header and an empty one", []string{"Bearer " + good, ""}, vBadHeader),
		p("an empty Authorization header and a valid one", []string{"", "Bearer " + good}, vBadHeader),
		p("Basic first, then a valid Bearer", []string{"Basic ZGVtbzpkZW1v", "Bearer " + good}, vBadHeader),
		p("lowercase scheme", []string{"bearer " + good}, vNotProvided),
		p("uppercase scheme", []string{"BEARER " + good}, vNotProvided),
		p("scheme without a space", []string{"Bearer" + good}, vNotProvided),
		p("Bearer with no token", []string{"Bearer"}, vBadHeader),
		p("Bearer and a space", []string{"Bearer "}, vBadHeader),
		p("Bearer a b", []string{"Bearer a b"}, vBadHeader),
		p("two tokens", []string{"Bearer " + good + " " + good}, vBadHeader),
		p("empty header", []string{""}, vNotProvided),
		p("two spaces after the scheme", []string{"Bearer  " + good}, vOK),
		p("leading and trailing spaces", []string{"   Bearer " + good + "   "}, vOK),
		p("TAB as the separator", []string{"Bearer\t" + good}, vOK),
		p("trailing TAB", []string{"Bearer " + good + "\t"}, vOK),
		p("TAB inside the token", []string{"Bearer " + parts[0] + "\t." + parts[1] + "." + parts[2]}, vBadHeader),
		p("space inside the token", []string{"Bearer " + parts[0] + ". " + parts[1] + "." + parts[2]}, vBadHeader),
		// An obsolete line folding (RFC 9112 §5.2): both servers replace it with a space.
		p("folded line before the token", []string{"Bearer\r\n " + good}, vOK),
		p("folded line inside the token", []string{"Bearer " + parts[0] + ".\r\n " + parts[1] + "." + parts[2]}, vBadHeader),
		protectedAttacks(g, "LF inside the token", srvMain, []string{"Bearer " + parts[0] + "\n." + parts[1] + "." + parts[2]},
			want{status: http.StatusBadRequest, server: true}, nil, good),
		ctl("CR inside the token", []string{"Bearer " + parts[0] + "\r." + parts[1] + "." + parts[2]}, vBadHeader),
		ctl("CR as the separator", []string{"Bearer\r" + good}, vOK),
		ctl("vertical tab as the separator", []string{"Bearer\v" + good}, vOK),
		ctl("form feed inside the token", []string{"Bearer " + parts[0] + "\f." + parts[1] + "." + parts[2]}, vBadHeader),
		ctl("NUL inside the token", []string{"Bearer " + parts[0] + "\x00." + parts[1] + "." + parts[2]}, vInvalid),
		ctl("DEL after the token", []string{"Bearer " + good + "\x7f"}, vInvalid),
		p("Latin-1 byte in the token", []string{"Bearer " + parts[0] + "\xe9." + parts[1] + "." + parts[2]}, vInvalid),
	)

	// Header, cookie and query at once: the first present source is the only one read.
	src := func(name string, r request, w want, fast *want) []attack {
		var out []attack
		for _, path := range []string{"/api/me", "/api/optional"} {
			r.method, r.path = http.MethodGet, path
			a := attack{group: g, name: "sources: " + name + " " + path, srv: srvSources, req: r, want: w, fast: fast, secrets: []string{good, bad}}
			if path == "/api/optional" {
				a.want = optionalOf(w)
				if fast != nil {
					f := optionalOf(*fast)
					a.fast = &f
				}
			}
			out = append(out, a)
		}
		return out
	}
	ok, invalid, none := vOK.protected(), vInvalid.protected(), vNotProvided.protected()
	out = append(out, slicesOf(
		src("bad header, good cookie and query", request{auth: []string{"Bearer " + bad}, cookie: "access_token=" + good, query: "token=" + good}, invalid, nil),
		src("good header, bad cookie and query", request{auth: []string{"Bearer " + good}, cookie: "access_token=" + bad, query: "token=" + bad}, ok, nil),
		src("other scheme in the header, good cookie", request{auth: []string{"Basic ZGVtbzpkZW1v"}, cookie: "access_token=" + good}, none, nil),
		src("Bearer alone in the header, good cookie", request{auth: []string{"Bearer"}, cookie: "access_token=" + good}, vBadHeader.protected(), nil),
		src("empty header, good cookie", request{auth: []string{""}, cookie: "access_token=" + good}, ok, nil),
		src("bad cookie, good query", request{cookie: "access_token=" + bad, query: "token=" + good}, invalid, nil),
		src("two cookies, the bad one first", request{cookie: "access_token=" + bad + "; access_token=" + good}, invalid, nil),
		src("two cookies, the good one first", request{cookie: "access_token=" + good + "; access_token=" + bad}, ok, nil),
		src("quoted cookie", request{cookie: `access_token="` + good + `"`}, ok, nil),
		src("cookie named in capitals", request{cookie: "Access_Token=" + good}, none, nil),
		src("cookie holding Bearer and the token", request{cookie: "access_token=Bearer%20" + good}, invalid, nil),
		src("two query parameters, the bad one first", request{query: "token=" + bad + "&token=" + good}, invalid, nil),
		src("query token after a +", request{query: "token=+" + good}, invalid, nil),
		src("query token after a percent-encoded LF", request{query: "token=%0A" + good}, invalid, nil),
		src("query token as a list", request{query: "token[]=" + good}, none, nil),
	)...)
	// Where the two HTTP stacks read a cookie or a query differently: net/http keeps a space
	// after "=" in a cookie and drops a query pair it cannot unescape; fasthttp trims the
	// cookie and keeps the pair as it came.
	out = append(out, slicesOf(
		src("cookie with a space after =", request{cookie: "access_token= " + good}, invalid, &ok),
		src("query token with a bad escape", request{query: "token=" + good + "%zz"}, none, &invalid),
	)...)

	if env.maxHeaderBytes > 0 {
		limit := env.maxHeaderBytes
		for _, c := range []struct {
			name string
			size int
		}{
			{"a token just over the length cap", 8193},
			{"a token filling the header limit", limit - 1024},
			{"a megabyte token", 1_000_000},
			{"a header over the server's limit", limit + 8192},
		} {
			tok := strings.Repeat("a", c.size-4) + ".b.c"
			var w want
			switch {
			case c.size+1024 <= limit:
				// Within the server's limit: the adapter sees it and the length cap refuses it.
				w = vInvalid.protected()
			case c.size >= limit+8192:
				// net/http allows 4 KiB of slop over MaxHeaderBytes; 8 KiB over is refused
				// by both stacks: 431.
				w = want{status: http.StatusRequestHeaderFieldsTooLarge, server: true}
			default:
				panic(fmt.Sprintf("adaptertest: Options.MaxHeaderBytes %d is within 8 KiB of a %d-byte case; choose another", limit, c.size))
			}
			out = append(out, protectedAttacks(g, fmt.Sprintf("%s (%d bytes)", c.name, c.size), srvMain, []string{"Bearer " + tok}, w, nil, tok)...)
		}
	}
	return out
}

func slicesOf(groups ...[]attack) []attack {
	var out []attack
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func mustDecode(s string) []byte {
	b, err := b64.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// flip changes the first character of a base64url segment, so its bytes differ.
func flip(seg string) string {
	if seg[0] == 'A' {
		return "B" + seg[1:]
	}
	return "A" + seg[1:]
}

func mustPublicBytes() []byte {
	b, err := esKey.PublicKey.Bytes()
	if err != nil {
		panic(err)
	}
	return b
}
