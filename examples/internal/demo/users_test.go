package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

// The hashes in users.go are demo-password's at bcrypt.DefaultCost, and the dummy hash has the
// same cost, so that comparing against it takes as long.
func TestHashes(t *testing.T) {
	t.Parallel() // bcrypt is slow on purpose, and over a second a comparison under -race
	for _, a := range accounts {
		require.NoError(t, bcrypt.CompareHashAndPassword(a.hash, []byte("demo-password")), a.username)
		cost, err := bcrypt.Cost(a.hash)
		require.NoError(t, err)
		assert.Equal(t, bcrypt.DefaultCost, cost, a.username)
	}
	cost, err := bcrypt.Cost(dummyHash)
	require.NoError(t, err)
	assert.Equal(t, bcrypt.DefaultCost, cost)
	assert.Error(t, bcrypt.CompareHashAndPassword(dummyHash, []byte("demo-password")))
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, err := Users{}.Authenticate(ctx, "demo", "demo-password")
	require.NoError(t, err)
	assert.Equal(t, jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: "demo", PasswordHash: string(accounts[0].hash)}, u)

	u, err = Users{}.Authenticate(ctx, "inactive", "demo-password")
	require.NoError(t, err, "core, not Users, turns an inactive user away")
	assert.Equal(t, jwtkit.User{ID: jwtkit.IntUserID(2), Active: false, Value: "inactive", PasswordHash: string(accounts[1].hash)}, u)

	for _, c := range [][2]string{{"demo", "wrong"}, {"inactive", "Demo-password"}, {"nobody", "demo-password"}} {
		_, err := Users{}.Authenticate(ctx, c[0], c[1])
		assert.ErrorIs(t, err, jwtkit.ErrBadCredentials, c)
	}
}

// An unknown username costs one bcrypt comparison, as a known one does: at cost 10 that takes
// tens of milliseconds on any machine, against microseconds for a map miss alone.
func TestUnknownUsernameCostsAComparison(t *testing.T) {
	t.Parallel()
	start := time.Now()
	_, err := Users{}.Authenticate(context.Background(), "nobody", "demo-password")
	assert.ErrorIs(t, err, jwtkit.ErrBadCredentials)
	assert.Greater(t, time.Since(start), 15*time.Millisecond)
}

func TestLookupUser(t *testing.T) {
	ctx := context.Background()
	for _, id := range []jwtkit.UserID{jwtkit.IntUserID(1), jwtkit.StringUserID("1")} {
		u, err := Users{}.LookupUser(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "demo", u.Value)
		assert.True(t, u.Active)
		assert.Equal(t, string(accounts[0].hash), u.PasswordHash, "the same hash as at login, or CheckRevokeToken would refuse every token")
	}
	u, err := Users{}.LookupUser(ctx, jwtkit.IntUserID(2))
	require.NoError(t, err)
	assert.False(t, u.Active)
	for _, id := range []jwtkit.UserID{jwtkit.IntUserID(404), jwtkit.StringUserID("demo"), jwtkit.IntUserID(0)} {
		_, err := Users{}.LookupUser(ctx, id)
		assert.ErrorIs(t, err, jwtkit.ErrUserNotFound, id.String())
	}
}
