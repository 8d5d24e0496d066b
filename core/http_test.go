package jwtkit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func TestEndpointHandler(t *testing.T) {
	e := newEnv(t)
	p := e.pair(t, jwtkit.IntUserID(1))
	h := e.auth.EndpointHandler(jwtkit.EndpointBlacklist)
	r := httptest.NewRequest("POST", "/api/token/blacklist/", strings.NewReader("refresh="+p.Refresh))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Bearer "+p.Access)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "{}", w.Body.String())
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	_, err := e.auth.Validate(r.Context(), p.Access, jwtkit.TypeAccess)
	assert.ErrorIs(t, err, jwtkit.ErrBlacklisted, "the auth header reached the endpoint")

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/token/blacklist/", nil))
	assert.Equal(t, 405, w.Code)
	assert.Equal(t, "POST, OPTIONS", w.Header().Get("Allow"))
}

func TestResponseWriteCopiesSharedHeaders(t *testing.T) {
	e := newEnv(t)
	shared := e.auth.ErrorResponse(jwtkit.ErrNoCredentials)
	w := httptest.NewRecorder()
	require.NoError(t, shared.Write(w))
	w.Header()["Www-Authenticate"][0] = "tampered"
	assert.Equal(t, `Bearer realm="api"`, e.auth.ErrorResponse(jwtkit.ErrNoCredentials).Header.Get("WWW-Authenticate"))
	assert.Equal(t, 401, w.Code)
}

func TestAuthenticateRequest(t *testing.T) {
	e := newEnv(t)
	access := e.pair(t, jwtkit.IntUserID(1)).Access
	all := []jwtkit.TokenSource{jwtkit.FromHeader("X-Token"), jwtkit.FromCookie("at"), jwtkit.FromQuery("t")}

	r := httptest.NewRequest("GET", "/?t="+access, nil)
	_, err := e.auth.AuthenticateRequest(r, all)
	assert.NoError(t, err, "query")
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "at", Value: access})
	_, err = e.auth.AuthenticateRequest(r, all)
	assert.NoError(t, err, "cookie")
	r = httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Token", "Bearer "+access)
	_, err = e.auth.AuthenticateRequest(r, all)
	assert.NoError(t, err, "header with its scheme")
	_, err = e.auth.AuthenticateRequest(httptest.NewRequest("GET", "/?t="+access, nil), e.auth.DefaultSources())
	assert.ErrorIs(t, err, jwtkit.ErrNoCredentials, "no query tokens unless asked")
}
