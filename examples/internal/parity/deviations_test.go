package parity

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
)

// standardMethods are the methods of RFC 9110 and PATCH.
var standardMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// deviation is a documented place where an example server deliberately answers otherwise than
// simplejwt. docs/http-api.md lists each by its id, with the reason given here.
type deviation struct {
	id, reason string
	// explains reports whether this deviation accounts for the difference between the
	// reference's answer ref and jwtkit's answer got to r.
	explains func(s *state, r request, ref, got answer) bool
}

// state is what a run knows beyond the requests: the access tokens jwtkit revoked at logout
// (simplejwt has no such revocation).
type state struct {
	revokedAccess map[string]bool
}

func isTokenRejection(a answer) bool {
	return a.status == http.StatusUnauthorized && bytes.Contains(a.body, []byte(`"code":"token_not_valid"`))
}

func says(a answer, text string) bool { return bytes.Contains(a.body, []byte(text)) }

var deviations = []deviation{
	{
		id: "strict-tokens",
		reason: "jwtkit accepts one spelling of a token (no padding, no characters outside base64url, no " +
			"unused bits set) and refuses claim sets no simplejwt server issues (no or an unknown " +
			"token_type, no user_id or one that is not an integer or its decimal string, a kid naming " +
			"no key, iat in the future); PyJWT's lenient base64 and simplejwt's untyped verify let some through",
		explains: func(_ *state, r request, _, got answer) bool {
			for _, t := range r.tokens {
				if t.strict != "" && isTokenRejection(got) {
					return true
				}
			}
			return false
		},
	},
	{
		id: "verify-blacklist",
		reason: "verify refuses a blacklisted token with the same 401 as refresh and blacklist; simplejwt 5.2 " +
			"lets it pass unless blacklist-after-rotation is on, and then answers 400 non_field_errors",
		explains: func(_ *state, r request, ref, got answer) bool {
			return r.endpoint == "verify" && isTokenRejection(got) && says(got, "Token is blacklisted") &&
				(ref.status == http.StatusOK || (ref.status == http.StatusBadRequest && says(ref, "Token is blacklisted")))
		},
	},
	{
		id: "access-revoked-at-logout",
		reason: "an access token sent in the Authorization header of a logout is revoked with the refresh " +
			"token; simplejwt cannot revoke access tokens, so it stays valid there until it expires",
		explains: func(s *state, r request, _, got answer) bool {
			for _, t := range r.tokens {
				if s.revokedAccess[t.jti] && got.status == http.StatusUnauthorized && says(got, "Token is blacklisted") {
					return true
				}
			}
			return false
		},
	},
	{
		id: "refresh-checks-user",
		reason: "refresh refuses a refresh token whose user is gone or inactive with 401 " +
			"no_active_account, as simplejwt does from 5.3 on; simplejwt 5.2 mints an access token for them",
		explains: func(_ *state, r request, ref, got answer) bool {
			return r.endpoint == "refresh" && ref.status == http.StatusOK && got.status == http.StatusUnauthorized &&
				says(got, `"code":"no_active_account"`)
		},
	},
	{
		id: "no-jti-at-refresh",
		reason: "a token without a jti sent to refresh or blacklist gets the 401 Token has no id; " +
			"simplejwt 5.2 answers 500 there (its blacklist check reads the claim before checking it)",
		explains: func(_ *state, _ request, ref, got answer) bool {
			return ref.status == http.StatusInternalServerError && isTokenRejection(got) && says(got, "Token has no id")
		},
	},
	{
		id: "access-iat",
		reason: "an access token minted by refresh carries its own issue time in iat; simplejwt 5.2 " +
			"copies the refresh token's iat into it, so its iat can be long before it was minted",
		explains: func(_ *state, r request, ref, got answer) bool {
			return r.endpoint == "refresh" && ref.status == http.StatusOK &&
				strings.ReplaceAll(comparable(ref, true), "iat=earlier", "iat=now") == comparable(got, true)
		},
	},
	{
		id:     "own-endpoints",
		reason: "POST /api/token/revoke-all/ (log out everywhere) is jwtkit's own; simplejwt has no such route",
		explains: func(_ *state, r request, ref, _ answer) bool {
			return r.endpoint == "revoke-all" && ref.status == http.StatusNotFound
		},
	},
	{
		id: "not-found-body",
		reason: "a path no route serves answers 404 with the framework's own body and Content-Type (Django's " +
			"is an HTML page); a JSON client sees the status either way",
		explains: func(_ *state, _ request, ref, got answer) bool {
			return ref.status == http.StatusNotFound && got.status == http.StatusNotFound
		},
	},
	{
		id: "example-routes",
		reason: "GET /api/me and GET /api/health are the example servers' own routes, not simplejwt's: " +
			"another method on them gets whatever the framework answers",
		explains: func(_ *state, r request, _, _ answer) bool {
			return (r.endpoint == "me" || r.endpoint == "health") && r.method != http.MethodGet
		},
	},
	{
		id: "malformed-multipart",
		reason: "a multipart body that is not well formed (parts not delimited by the boundary the " +
			"Content-Type names, lines ending in a bare LF, no closing delimiter) is refused with 400 " +
			"Multipart form parse error; Django's parser recovers fragments of such a body and hands " +
			"them to the serializer",
		explains: func(_ *state, r request, _, got answer) bool {
			malformed := false
			for _, m := range []string{"-lf", "-wrong-boundary", "-unclosed"} {
				malformed = malformed || strings.HasSuffix(r.shape, m)
			}
			return malformed && got.status == http.StatusBadRequest && says(got, `"Multipart form parse error - `)
		},
	},
	{
		id: "extension-methods",
		reason: "a method outside HTTP's standard set (FOO) is answered by the framework's router " +
			"where it has no route for unknown methods (Gin: 404); net/http, Echo and Fiber pass it " +
			"to the endpoint, which answers 405 as DRF does",
		explains: func(_ *state, r request, _, got answer) bool {
			return !slices.Contains(standardMethods, r.method) && got.status >= 400
		},
	},
	{
		id: "options-description",
		reason: "the OPTIONS metadata describes each endpoint in jwtkit's own words and renders JSON " +
			"only (simplejwt's docstrings, and text/html for DRF's browsable API)",
		explains: func(_ *state, r request, ref, got answer) bool {
			return r.method == http.MethodOptions && ref.status == http.StatusOK && got.status == http.StatusOK &&
				optionsShape(ref.body) == optionsShape(got.body)
		},
	},
}

// optionsShape is an OPTIONS body without its description and renders.
func optionsShape(b []byte) string {
	s := string(b)
	if i, j := strings.Index(s, `"description":`), strings.Index(s, `"parses":`); i >= 0 && j > i {
		s = s[:i] + s[j:]
	}
	return s
}

// headerDeviations are headers one side always sends and the comparison leaves out; each is
// documented with the deviations.
var headerDeviations = []deviation{
	{id: "cache-control", reason: "every token endpoint answer carries Cache-Control: no-store (it may hold tokens)"},
	{id: "vary-accept", reason: "DRF adds Vary: Accept because it can render HTML for a browser; jwtkit renders JSON only"},
}
