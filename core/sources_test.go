package jwtkit_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func TestAuthenticateFrom(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	good := e.pair(t, jwtkit.IntUserID(1)).Access
	sources := []jwtkit.TokenSource{jwtkit.FromHeader("Authorization"), jwtkit.FromCookie("access"), jwtkit.FromQuery("token")}
	request := func(values map[jwtkit.TokenSource]string) func(jwtkit.TokenSource) string {
		return func(s jwtkit.TokenSource) string { return values[s] }
	}

	assert.Equal(t, []jwtkit.TokenSource{jwtkit.FromHeader("Authorization")}, e.auth.DefaultSources())

	_, err := e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, request(nil))
	assert.ErrorIs(t, err, jwtkit.ErrNoCredentials)

	id, err := e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, request(map[jwtkit.TokenSource]string{jwtkit.FromCookie("access"): good}))
	require.NoError(t, err, "a cookie carries the bare token")
	assert.Equal(t, "1", id.User.ID.String())

	id, err = e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, request(map[jwtkit.TokenSource]string{jwtkit.FromQuery("token"): good}))
	require.NoError(t, err)
	assert.NotNil(t, id)

	_, err = e.auth.AuthenticateFrom(ctx, http.MethodGet, sources, request(map[jwtkit.TokenSource]string{
		jwtkit.FromHeader("Authorization"): "Bearer not.a.token", jwtkit.FromCookie("access"): good,
	}))
	assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid, "the first source present decides; a good cookie does not rescue a bad header")

	_, err = e.auth.AuthenticateFrom(ctx, http.MethodGet, sources[:1], request(map[jwtkit.TokenSource]string{jwtkit.FromQuery("token"): good}))
	assert.ErrorIs(t, err, jwtkit.ErrNoCredentials, "sources not asked for are never read")
}
