package jwtkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
)

// Response is a complete HTTP answer: an adapter copies Status, Header and Body to its
// framework's response and adds nothing. Responses returned by ErrorResponse are shared between
// requests: treat Header and Body as read-only.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// The contract's error texts, in one place.
const (
	msgTokenInvalid     = "Token is invalid or expired"
	msgWrongType        = "Token has wrong type"
	msgNoType           = "Token has no type"
	msgNoID             = "Token has no id"
	msgBlacklisted      = "Token is blacklisted"
	msgNoUserID         = "Token contained no recognizable user identification"
	msgUnavailable      = "Service temporarily unavailable, try again later."
	codeTokenNotValid   = "token_not_valid"
	codeStoreUnavail    = "store_unavailable"
	msgPasswordChanged  = "The user's password has been changed."
	codePasswordChanged = "password_changed"
	allowTokenEndpoints = "POST, OPTIONS"
)

// detail is the common DRF error body; field order is the wire order.
type detail struct {
	Detail   string    `json:"detail"`
	Code     string    `json:"code,omitempty"`
	Messages []message `json:"messages,omitempty"`
}

type message struct {
	TokenClass string `json:"token_class"`
	TokenType  string `json:"token_type"`
	Message    string `json:"message"`
}

// marshal encodes v as DRF renders JSON: compact, UTF-8, without HTML escaping.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // every value passed here is built from strings, slices and maps of them
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// respond builds a JSON response; 401s carry the WWW-Authenticate challenge as the contract
// requires of every 401.
func (a *Auth) respond(status int, v any) Response {
	h := http.Header{"Content-Type": {"application/json"}}
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", a.challenge())
	}
	return Response{Status: status, Header: h, Body: marshal(v)}
}

func (a *Auth) challenge() string { return a.cfg.AuthHeaderTypes[0] + ` realm="api"` }

// tokenMessage is the contract's message for a token that failed validation, or "" when err
// is not about the token itself.
func tokenMessage(err error) string {
	switch {
	case errors.Is(err, ErrBlacklisted):
		return msgBlacklisted
	case errors.Is(err, ErrWrongType):
		return msgWrongType
	case errors.Is(err, ErrNoType):
		return msgNoType
	case errors.Is(err, ErrNoID):
		return msgNoID
	case errors.Is(err, ErrTokenInvalid):
		return msgTokenInvalid
	}
	return ""
}

// protectedErrors are the errors a protected route can answer, in the order ErrorResponse
// tests them.
var protectedErrors = []error{
	ErrStoreUnavailable, ErrCSRF, ErrNoCredentials, ErrBadAuthHeader, ErrNoUserID, ErrUserNotFound,
	ErrUserInactive, ErrPasswordChanged, ErrBlacklisted, ErrWrongType, ErrNoType, ErrNoID, ErrTokenInvalid,
}

func (a *Auth) protectedResponses() map[error]Response {
	m := make(map[error]Response, len(protectedErrors))
	for _, e := range protectedErrors {
		m[e] = a.protectedResponse(e)
	}
	return m
}

func (a *Auth) protectedResponse(err error) Response {
	switch {
	case errors.Is(err, ErrStoreUnavailable):
		return a.respond(http.StatusServiceUnavailable, detail{Detail: msgUnavailable, Code: codeStoreUnavail})
	case errors.Is(err, ErrNoCredentials):
		return a.respond(http.StatusUnauthorized, detail{Detail: "Authentication credentials were not provided."})
	case errors.Is(err, ErrBadAuthHeader):
		return a.respond(http.StatusUnauthorized, detail{Detail: "Authorization header must contain two space-delimited values", Code: "bad_authorization_header"})
	case errors.Is(err, ErrNoUserID):
		return a.respond(http.StatusUnauthorized, detail{Detail: msgNoUserID, Code: codeTokenNotValid})
	case errors.Is(err, ErrUserNotFound):
		return a.respond(http.StatusUnauthorized, detail{Detail: "User not found", Code: "user_not_found"})
	case errors.Is(err, ErrUserInactive):
		return a.respond(http.StatusUnauthorized, detail{Detail: "User is inactive", Code: "user_inactive"})
	case errors.Is(err, ErrPasswordChanged):
		return a.respond(http.StatusUnauthorized, detail{Detail: msgPasswordChanged, Code: codePasswordChanged})
	case errors.Is(err, ErrCSRF):
		return a.csrfFailed()
	}
	msg := tokenMessage(err)
	if msg == "" {
		msg = msgTokenInvalid
	}
	d := detail{Detail: "Given token not valid for any token type", Code: codeTokenNotValid}
	for _, t := range a.protectedTypes {
		d.Messages = append(d.Messages, message{TokenClass: tokenClass(t), TokenType: string(t), Message: msg})
	}
	return a.respond(http.StatusUnauthorized, d)
}

func tokenClass(t TokenType) string {
	if t == TypeSliding {
		return "SlidingToken"
	}
	return "AccessToken"
}

// ErrorResponse is the contract's answer for an error from Authenticate: the protected-route
// rows of the error table. An error it does not know fails closed as an invalid token. The
// returned Response is shared; do not modify it.
func (a *Auth) ErrorResponse(err error) Response {
	for _, e := range protectedErrors {
		if errors.Is(err, e) {
			return a.protected[e]
		}
	}
	return a.protected[ErrTokenInvalid]
}

// TooLarge is the contract's 413 {"detail":"Request body is too large."}, as Serve answers a
// body over Config.MaxBodyBytes. It is exported for a server that refuses a body before any
// handler runs (Fiber's BodyLimit), so that answer matches the endpoints' byte for byte. It
// carries Connection: close: the unread body is still on the connection, and net/http would
// otherwise try to read up to 256 KiB of it before sending the answer.
func (a *Auth) TooLarge() Response {
	r := a.respond(http.StatusRequestEntityTooLarge, detail{Detail: "Request body is too large."})
	r.Header.Set("Cache-Control", "no-store")
	r.Header.Set("Connection", "close")
	return r
}
