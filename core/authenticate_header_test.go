package jwtkit_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// splitLikeSimplejwt is the reference for Authenticate: simplejwt splits the header on runs of
// ASCII whitespace, takes no credentials from an unknown scheme or an empty header, refuses a
// known scheme with other than one value, and checks that value.
func splitLikeSimplejwt(ctx context.Context, a *jwtkit.Auth, schemes []string, h string) (*jwtkit.Identity, error) {
	parts := strings.FieldsFunc(h, func(r rune) bool { return strings.ContainsRune(" \t\n\r\v\f", r) })
	switch {
	case len(parts) == 0 || !slices.Contains(schemes, parts[0]):
		return nil, jwtkit.ErrNoCredentials
	case len(parts) != 2:
		return nil, jwtkit.ErrBadAuthHeader
	}
	return a.AuthenticateToken(ctx, parts[1])
}

// TestAuthenticateAgreesWithTheSplit: Authenticate checks the usual "<scheme> <token>" header
// without scanning the token for blanks first, and scans only a refused one. Whatever blanks,
// control bytes or stray characters a header holds, and whether or not the token is cached,
// its answer must be the split's: the same error, or the same token.
func TestAuthenticateAgreesWithTheSplit(t *testing.T) {
	schemes := []string{"Bearer", "JWT"}
	for _, cached := range []bool{true, false} {
		t.Run(map[bool]string{true: "cached", false: "cache off"}[cached], func(t *testing.T) {
			e := newEnv(t, func(c *jwtkit.Config) {
				c.AuthHeaderTypes = schemes
				if !cached {
					c.TokenCacheSize = -1
				}
			})
			ctx := context.Background()
			tok := e.pair(t, jwtkit.IntUserID(1)).Access
			revoked := e.pair(t, jwtkit.IntUserID(1)).Access
			id, err := e.auth.Authenticate(ctx, "Bearer "+revoked) // cached as valid, then revoked
			require.NoError(t, err)
			require.NoError(t, e.store.Revoke(ctx, id.Token.ID, id.Token.ExpiresAt))

			check := func(h string) {
				t.Helper()
				got, gotErr := e.auth.Authenticate(ctx, h)
				want, wantErr := splitLikeSimplejwt(ctx, e.auth, schemes, h)
				if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && !sameKind(gotErr, wantErr)) {
					t.Fatalf("header %q: Authenticate %v, split %v", h, gotErr, wantErr)
				}
				if gotErr == nil && got.Token.ID != want.Token.ID {
					t.Fatalf("header %q: Authenticate token %s, split %s", h, got.Token.ID, want.Token.ID)
				}
			}
			for _, raw := range []string{tok, revoked, tok[:len(tok)-1] + "A"} {
				for _, h := range []string{"Bearer " + raw, "JWT " + raw, "Bearer  " + raw, "Bearer " + raw + " ", "Bearer\t" + raw,
					" Bearer " + raw, "Bearer " + raw + "\n", "Bearer " + raw + " x", "Bearer " + raw[:10] + " " + raw[10:],
					"Bearer " + raw[:10] + "\r\n" + raw[10:], "Bearer " + raw + "\x00", "bearer " + raw, "Bearer", "Bearer ", ""} {
					check(h)
				}
			}
			rng := rand.New(rand.NewPCG(3, 4))
			noise := " \t\r\n\v\f\x00\x01\x1f\x7f\x80\xa0aZ9-_."
			for range 20_000 {
				raw := []byte([]string{tok, revoked}[rng.IntN(2)])
				for range rng.IntN(3) {
					i := rng.IntN(len(raw) + 1)
					raw = slices.Insert(raw, i, noise[rng.IntN(len(noise))])
				}
				check([]string{"Bearer ", "JWT ", "Bearer  ", " Bearer "}[rng.IntN(4)] + string(raw))
			}
		})
	}
}

// sameKind reports whether two refusals are the same answer: the same sentinel error of the
// contract.
func sameKind(a, b error) bool {
	for _, k := range []error{jwtkit.ErrNoCredentials, jwtkit.ErrBadAuthHeader, jwtkit.ErrBlacklisted, jwtkit.ErrTokenInvalid,
		jwtkit.ErrTokenExpired, jwtkit.ErrWrongType} {
		if errors.Is(a, k) || errors.Is(b, k) {
			return errors.Is(a, k) && errors.Is(b, k)
		}
	}
	return a.Error() == b.Error()
}

// TestAuthenticateFromKeepsNoBorrowedBytes: AuthenticateFrom reads what get returns only during
// the call, so an adapter may hand it views of a buffer its framework reuses for the next
// request (fasthttp does) without copying them. Here the header is such a view, rewritten in
// place after each call: the identity, and the cache entry made from the first call, must not
// change with it.
func TestAuthenticateFromKeepsNoBorrowedBytes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.pair(t, jwtkit.IntUserID(1)).Access
	buf := []byte("Bearer " + tok)
	view := unsafe.String(&buf[0], len(buf))
	get := func(jwtkit.TokenSource) string { return view }
	sources := e.auth.DefaultSources()

	for _, pass := range []string{"cold", "cached"} {
		id, err := e.auth.AuthenticateFrom(ctx, "GET", sources, get)
		require.NoError(t, err, pass)
		jti, user, kid := id.Token.ID, id.Token.UserID, id.Token.KeyID
		claims, err := jwtkit.ClaimsOf[map[string]any](id)
		require.NoError(t, err, pass)

		copy(buf, "Bearer "+strings.Repeat("x", len(tok))) // the framework reuses its buffer
		assert.Equal(t, jti, id.Token.ID, pass)
		assert.Equal(t, user, id.Token.UserID, pass)
		assert.Equal(t, kid, id.Token.KeyID, pass)
		again, err := jwtkit.ClaimsOf[map[string]any](id)
		require.NoError(t, err, pass)
		assert.Equal(t, claims, again, pass)
		assert.True(t, jwtkit.CacheHolds(e.auth, tok), "%s: the cache keeps its own copy of the token", pass)
		copy(buf, "Bearer "+tok)
	}
}
