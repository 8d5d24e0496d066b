package parity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// request is one generated request, sent alike to both servers.
type request struct {
	method, path string
	header       [][2]string // in order; a name may repeat
	body         []byte
	// what the request is, for a failure's message and for the deviations: the endpoint it
	// aims at ("obtain", "refresh", "verify", "blacklist", "me", "health", "revoke-all", or
	// "" for a path no server routes), the tokens it carries, and how its body was made.
	endpoint string
	tokens   []token
	access   *token // an access token sent to blacklist beside the refresh token
	shape    string
	routed   bool // the path is exactly one the contract names
}

func (r request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)\n", r.method, r.path, r.shape)
	for _, h := range r.header {
		fmt.Fprintf(&b, "%s: %q\n", h[0], h[1])
	}
	for _, t := range r.tokens {
		fmt.Fprintf(&b, "(a token from %s, jti %q, strict %q)\n", t.from, t.jti, t.strict)
	}
	fmt.Fprintf(&b, "\n%q", r.body)
	return b.String()
}

// value is one field's value: its JSON text and its text in a form (absent: not sent).
type value struct {
	json, text string
	absent     bool
	// trailing: characters after the good value that Python's strip keeps. In a token's
	// signature PyJWT's lenient base64 skips them (see token.strict).
	trailing bool
}

func str(s string) value { return value{json: jsonString(s), text: s} }

func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// fieldValue varies a field's good value: mostly as it is, otherwise in each way DRF's
// CharField has an answer for (whitespace Python strips and Go's TrimSpace does not, NUL,
// lone surrogates, numbers, other JSON types, blank).
func fieldValue(rng *rand.Rand, good string) value {
	if rng.IntN(10) < 6 {
		return str(good)
	}
	variants := []value{
		str(" " + good + "\t"), str("\x1c" + good + "\x1f"), str("\u00a0" + good + "\u3000"),
		str("\u2028" + good + "\u0085"), str("\u200b" + good), str(""), str("  \n "), str(good + "\x00"),
		{json: `"` + good + `\ud800"`, text: good},
		{json: `"\u0000` + good + `\udc00x\ud801"`, text: good},
		{json: `"` + good + `\ud83d\ude00"`, text: good + "😀", trailing: true},
		{json: `"\ude00\ud83d"`, text: good},
		{json: "1e999", text: "1e999"}, {json: "-1e999", text: "-1e999"}, {json: "12", text: "12"},
		{json: "-0", text: "-0"}, {json: "1.5e3", text: "1.5e3"}, {json: "0.0001", text: "0.0001"},
		{json: "1e16", text: "1e16"}, {json: "123456789012345678901234567890", text: "1234"},
		{json: "2.5", text: "2.5"}, {json: "1E-7", text: "1E-7"}, {json: "true", text: "true"},
		{json: "null", text: ""}, {json: "[]", text: "[]"}, {json: `["` + good + `"]`, text: good},
		{json: `{"a":1}`, text: "{}"}, {absent: true},
	}
	return variants[rng.IntN(len(variants))]
}

// spelled is t as v sends it: strict when v adds characters PyJWT skips.
func spelled(t token, v value) token {
	if v.trailing && t.strict == "" {
		t.strict = "characters after the signature"
	}
	return t
}

// field is one named value of a body.
type field struct {
	name string
	v    value
}

// encode lays fields out in one of the bodies a client sends (or a malformed one), and returns
// the body, its Content-Type ("" for none) and a name for the shape.
func encode(rng *rand.Rand, fields []field) (body []byte, contentType, shape string) {
	present := fields[:0:0]
	for _, f := range fields {
		if !f.v.absent {
			present = append(present, f)
		}
	}
	if rng.IntN(4) == 0 {
		rng.Shuffle(len(present), func(i, j int) { present[i], present[j] = present[j], present[i] })
	}
	switch n := rng.IntN(100); {
	case n < 40:
		parts := make([]string, len(present))
		for i, f := range present {
			parts[i] = jsonString(f.name) + ":" + f.v.json
		}
		body = []byte("{" + strings.Join(parts, ",") + "}")
		types := []string{"application/json", "application/json", "application/json; charset=utf-8",
			"application/json; charset=UTF-8", "*/*", "application/*", "Application/JSON",
			"application/json;charset=latin-1", "application/json; charset=nonsense", "text/plain", "",
			"application/vnd.api+json", "text/json", "application/json; q=1", "application/x-www-form-urlencoded"}
		contentType = types[rng.IntN(len(types))]
		return body, contentType, "json"
	case n < 65:
		vs := url.Values{}
		var parts []string
		for _, f := range present {
			vs.Set(f.name, f.v.text)
			parts = append(parts, url.QueryEscape(f.name)+"="+url.QueryEscape(f.v.text))
		}
		if rng.IntN(5) == 0 && len(parts) > 0 { // a repeated key: the last one wins
			parts = append([]string{parts[0] + "x"}, parts...)
		}
		if rng.IntN(8) == 0 {
			parts = append(parts, "bad=%zz%", "=empty-name", "novalue")
		}
		types := []string{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
			"application/x-www-form-urlencoded; charset=latin-1"}
		return []byte(strings.Join(parts, "&")), types[rng.IntN(len(types))], "form"
	case n < 88:
		return multipartBody(rng, present)
	default:
		raws := []string{"", "null", "[]", `"text"`, "1", "true", "{", `{"a":1} x`, "{}", " {} ",
			"{\"username\":\"\xff\"}", "\xef\xbb\xbf{}", `{"username":NaN}`, `{"username":Infinity,"password":"x"}`,
			`{"username":"demo","username":"demo","password":"demo-password"}`, "{\"a\":\"\x01\"}", `[{"a":1}]`,
			`{"username":"demo","password":"demo-password"}` + "\n"}
		return []byte(raws[rng.IntN(len(raws))]), "application/json", "raw-json"
	}
}

// multipartBody writes fields as multipart/form-data the way a browser's FormData does, or one
// of the malformed forms a client can send.
func multipartBody(rng *rand.Rand, fields []field) ([]byte, string, string) {
	boundary := fmt.Sprintf("----jwtkitParity%08x", rng.Uint32())
	var b strings.Builder
	if rng.IntN(10) == 0 {
		b.WriteString("a preamble\r\n")
	}
	shape := "multipart"
	for i, f := range fields {
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		switch {
		case i == 0 && rng.IntN(8) == 0:
			fmt.Fprintf(&b, "Content-Disposition: form-data; name=%q; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\n%s\r\n", f.name, f.v.text)
			shape = "multipart-file"
		case i == 0 && rng.IntN(10) == 0:
			fmt.Fprintf(&b, "Content-Disposition: form-data; name=%q\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", f.name, f.v.text)
		default:
			fmt.Fprintf(&b, "Content-Disposition: form-data; name=%q\r\n\r\n%s\r\n", f.name, f.v.text)
		}
	}
	closing := "--" + boundary + "--\r\n"
	ct := "multipart/form-data; boundary=" + boundary
	switch rng.IntN(14) {
	case 0:
		closing = "" // truncated: no closing delimiter
		shape += "-unclosed"
	case 1:
		ct = "multipart/form-data"
		shape += "-no-boundary"
	case 2:
		ct = "multipart/form-data; boundary=another"
		shape += "-wrong-boundary"
	case 3:
		ct = "multipart/form-data; boundary="
		shape += "-empty-boundary"
	case 4:
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n", boundary)
		shape += "-nameless-part"
	case 5:
		ct = `multipart/form-data; boundary="` + boundary + `"`
	case 6:
		return []byte(strings.ReplaceAll(b.String()+closing, "\r\n", "\n")), ct, shape + "-lf"
	}
	return []byte(b.String() + closing), ct, shape
}

// generator draws requests from a seeded source and a pool of tokens it keeps current.
type generator struct {
	rng  *rand.Rand
	key  string
	pool []token
	now  func() time.Time
}

func (g *generator) pick(typ string) token {
	var c []token
	for _, t := range g.pool {
		if t.typ == typ {
			c = append(c, t)
		}
	}
	if len(c) == 0 {
		return craft(g.rng, g.key, g.now())
	}
	return c[g.rng.IntN(len(c))]
}

// anyToken is a token of the kind the endpoint wants most of the time, otherwise any: a pool
// token of another type, a signed or crafted one, or a mutation.
func (g *generator) anyToken(want string) token {
	switch n := g.rng.IntN(20); {
	case n < 11:
		return g.pick(want)
	case n < 14:
		return g.pick([]string{"access", "refresh"}[g.rng.IntN(2)])
	case n < 17:
		return craft(g.rng, g.key, g.now())
	default:
		return mutate(g.rng, g.pick([]string{"access", "refresh"}[g.rng.IntN(2)]))
	}
}

var paths = map[string]string{
	"obtain": "/api/token/", "refresh": "/api/token/refresh/", "verify": "/api/token/verify/",
	"blacklist": "/api/token/blacklist/", "me": "/api/me", "health": "/api/health", "revoke-all": "/api/token/revoke-all/",
}

// next draws one request.
func (g *generator) next() request {
	rng := g.rng
	endpoints := []string{"obtain", "obtain", "obtain", "refresh", "refresh", "refresh", "verify", "verify",
		"blacklist", "blacklist", "me", "me", "me", "health", "revoke-all"}
	r := request{endpoint: endpoints[rng.IntN(len(endpoints))], method: "POST", routed: true}
	r.path = paths[r.endpoint]
	var fields []field
	switch r.endpoint {
	case "obtain":
		users := []string{"demo", "demo", "demo", "inactive", "nobody", "Demo"}
		passwords := []string{"demo-password", "demo-password", "demo-password", "wrong"}
		fields = []field{{"username", fieldValue(rng, users[rng.IntN(len(users))])},
			{"password", fieldValue(rng, passwords[rng.IntN(len(passwords))])}}
	case "refresh", "blacklist":
		t := g.anyToken("refresh")
		v := fieldValue(rng, t.raw)
		r.tokens = append(r.tokens, spelled(t, v))
		fields = []field{{"refresh", v}}
		if r.endpoint == "blacklist" && rng.IntN(4) == 0 {
			a := g.pick("access")
			r.access = &a
			r.header = append(r.header, [2]string{"Authorization", "Bearer " + a.raw})
		}
	case "verify":
		t := g.anyToken([]string{"access", "refresh"}[rng.IntN(2)])
		v := fieldValue(rng, t.raw)
		r.tokens = append(r.tokens, spelled(t, v))
		fields = []field{{"token", v}}
	case "me", "health":
		r.method = "GET"
		r.header = append(r.header, g.authHeader(&r)...)
	case "revoke-all":
		// Never authenticated: a revoke-all that worked would revoke on one side only every
		// token the sequence holds.
		if rng.IntN(2) == 0 {
			r.header = append(r.header, [2]string{"Authorization", "Bearer"})
		}
	}
	if fields != nil {
		if rng.IntN(10) == 0 {
			fields = append(fields, field{"extra", str("ignored")})
		}
		var ct string
		r.body, ct, r.shape = encode(rng, fields)
		if ct != "" {
			r.header = append(r.header, [2]string{"Content-Type", ct})
		}
	}
	g.vary(&r)
	return r
}

// authHeader draws the Authorization lines of a protected call.
func (g *generator) authHeader(r *request) [][2]string {
	rng := g.rng
	t := g.anyToken("access")
	if strings.ContainsAny(t.raw, "\r\n") { // no HTTP client sends a line break in a header
		t = g.pick("access")
	}
	bearer := func(v string) [][2]string { return [][2]string{{"Authorization", v}} }
	switch n := rng.IntN(20); {
	case n < 12:
		r.tokens = append(r.tokens, t)
		return bearer("Bearer " + t.raw)
	case n == 12:
		return nil
	case n == 13:
		return bearer("Bearer")
	case n == 14:
		r.tokens = append(r.tokens, t)
		return bearer("Bearer " + t.raw + " extra")
	case n == 15:
		return bearer("Basic ZGVtbzpkZW1vLXBhc3N3b3Jk")
	case n == 16:
		r.tokens = append(r.tokens, t)
		return bearer("bearer " + t.raw)
	case n == 17:
		r.tokens = append(r.tokens, t)
		return [][2]string{{"Authorization", "Bearer " + t.raw}, {"Authorization", "Bearer " + t.raw}}
	case n == 18:
		r.tokens = append(r.tokens, t)
		return bearer("Bearer  " + t.raw)
	default:
		return bearer("")
	}
}

// vary sometimes changes the method, the path or the Accept header of a request.
func (g *generator) vary(r *request) {
	rng := g.rng
	if rng.IntN(12) == 0 {
		methods := []string{"GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OPTIONS", "FOO"}
		r.method = methods[rng.IntN(len(methods))]
		if r.method == "GET" || r.method == "HEAD" {
			r.body = nil
		}
	}
	if rng.IntN(14) == 0 {
		p := r.path
		variants := []string{strings.TrimSuffix(p, "/"), p + "/", strings.Replace(p, "api", "API", 1),
			strings.Replace(p, "/token", "/Token", 1), strings.Replace(p, "/api/", "/api//", 1), p + "x/",
			"/api/nothing/", "/.well-known/jwks.json"}
		if v := variants[rng.IntN(len(variants))]; v != p {
			r.path, r.routed = v, false
		}
	} else if rng.IntN(20) == 0 {
		r.path += "?format=json&x=1"
	}
	accepts := []string{"", "", "", "application/json", "*/*", "application/json, text/plain, */*"}
	if a := accepts[rng.IntN(len(accepts))]; a != "" {
		r.header = append(r.header, [2]string{"Accept", a})
	}
}
