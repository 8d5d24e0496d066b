package jwtkit_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// pyjwtFixture is a token signed the way a simplejwt server (PyJWT) signs it; see
// testdata/pyjwt/make_fixtures.py.
type pyjwtFixture struct {
	Name    string         `json:"name"`
	Alg     string         `json:"alg"`
	KID     string         `json:"kid"`
	Secret  string         `json:"secret"`
	Now     int64          `json:"now"`
	Token   string         `json:"token"`
	Payload map[string]any `json:"payload"`
}

func loadPyJWTFixtures(t *testing.T) []pyjwtFixture {
	t.Helper()
	b, err := os.ReadFile("testdata/pyjwt/fixtures.json")
	require.NoError(t, err)
	var fs []pyjwtFixture
	require.NoError(t, json.Unmarshal(b, &fs))
	require.NotEmpty(t, fs)
	return fs
}

func TestPyJWTTokensValidate(t *testing.T) {
	ctx := context.Background()
	for _, f := range loadPyJWTFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			key, err := jwtkit.NewHMACKey(jwtkit.Algorithm(f.Alg), []byte(f.Secret), f.KID)
			require.NoError(t, err)
			users := newTestUsers()
			a, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: newTestStore(), Users: users, SlidingTokens: true,
				Clock: func() time.Time { return time.Unix(f.Now, 0) }})
			require.NoError(t, err)

			tok, err := a.Validate(ctx, f.Token, jwtkit.TypeAny)
			require.NoError(t, err)
			assert.Equal(t, f.Payload["jti"], tok.ID)
			assert.Equal(t, f.Payload["token_type"], string(tok.Type))
			assert.Equal(t, int64(f.Payload["exp"].(float64)), tok.ExpiresAt.Unix())
			assert.Equal(t, f.KID, tok.KeyID)
			var all map[string]any
			all, err = jwtkit.CustomClaims[map[string]any](tok)
			require.NoError(t, err)
			assert.Equal(t, f.Payload, all, "custom claims, non-ASCII escapes included, decode as PyJWT wrote them")

			switch tok.Type {
			case jwtkit.TypeAccess:
				id, err := a.Authenticate(ctx, "Bearer "+f.Token)
				require.NoError(t, err)
				assert.Equal(t, tok.UserID.String(), id.User.ID.String())
			case jwtkit.TypeRefresh:
				res, err := a.Refresh(ctx, f.Token)
				require.NoError(t, err)
				_, err = a.Authenticate(ctx, "Bearer "+res.Access)
				require.NoError(t, err, "an access token minted from a simplejwt refresh token works")
			case jwtkit.TypeSliding:
				renewed, err := a.RefreshSliding(ctx, f.Token)
				require.NoError(t, err)
				_, err = a.Authenticate(ctx, "Bearer "+renewed)
				require.NoError(t, err)
			}

			// The same token under another secret is rejected.
			other, err := jwtkit.NewHMACKey(jwtkit.Algorithm(f.Alg), []byte("a-different-secret-that-is-long-enough-for-any-hmac-algorithm-0123"), f.KID)
			require.NoError(t, err)
			b, err := jwtkit.New(jwtkit.Config{SigningKey: other, Store: newTestStore(), Stateless: true, SlidingTokens: true,
				Clock: func() time.Time { return time.Unix(f.Now, 0) }})
			require.NoError(t, err)
			_, err = b.Validate(ctx, f.Token, jwtkit.TypeAny)
			assert.ErrorIs(t, err, jwtkit.ErrTokenInvalid)
		})
	}
}
