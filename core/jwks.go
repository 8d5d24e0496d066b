package jwtkit

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// JWKSPath is where a JWKS is conventionally published (RFC 8414's jwks_uri is often this),
// at the root of the site rather than under DefaultPrefix.
const JWKSPath = "/.well-known/jwks.json"

// publicJWKS is the JWKS document of the signing key's and the verifying keys' public halves,
// in that order; nil when every key is an HMAC key (a shared secret has nothing to publish).
func publicJWKS(keys []*Key) []byte {
	set := struct {
		Keys []JWK `json:"keys"`
	}{}
	for _, k := range keys {
		if j, err := k.PublicJWK(); err == nil {
			set.Keys = append(set.Keys, j)
		}
	}
	if len(set.Keys) == 0 {
		return nil
	}
	b, _ := json.Marshal(set) // a struct of strings always marshals
	return b
}

// JWKS returns the published key set, {"keys":[...]}: the public halves of the signing key and
// of every verifying key, so a key announced as a verifying key before it signs, and one kept
// after it stopped signing, are both there for the whole rotation. It returns nil when there is
// no public key (HMAC keys only). The caller must not modify the returned bytes.
func (a *Auth) JWKS() []byte { return a.jwks }

// ServeJWKS answers a request for the JWKS: 200 with the document and
// Cache-Control: public, max-age=Config.JWKSMaxAge to GET and HEAD, 405 to other methods, and
// 404 {"detail":"Not found."} when the Auth has no public key.
func (a *Auth) ServeJWKS(method string) Response {
	if a.jwks == nil {
		return a.respond(http.StatusNotFound, detail{Detail: "Not found."})
	}
	if method != http.MethodGet && method != http.MethodHead {
		r := a.respond(http.StatusMethodNotAllowed, detail{Detail: "Method \"" + method + "\" not allowed."})
		r.Header.Set("Allow", "GET, HEAD")
		return r
	}
	h := http.Header{
		"Content-Type":  {"application/json"},
		"Cache-Control": {"public, max-age=" + strconv.Itoa(int(a.cfg.JWKSMaxAge.Seconds()))},
	}
	return Response{Status: http.StatusOK, Header: h, Body: a.jwks}
}

// JWKSHandler serves ServeJWKS as an http.Handler, to mount at JWKSPath.
func (a *Auth) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = a.ServeJWKS(r.Method).Write(w)
	})
}
