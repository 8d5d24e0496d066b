package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func TestMe(t *testing.T) {
	id := &jwtkit.Identity{User: jwtkit.User{ID: jwtkit.IntUserID(1), Active: true, Value: "demo"}}
	assert.Equal(t, `{"user_id":1,"username":"demo"}`, string(Me(id)))
	assert.Equal(t, `{"user_id":null}`, string(Me(nil)))
}

// Me appends its JSON by hand; it must write exactly what json.Marshal writes, for any id and
// any username: escapes, HTML characters, non-ASCII and invalid UTF-8 included.
func TestMeIsJSONMarshal(t *testing.T) {
	ids := []jwtkit.UserID{jwtkit.IntUserID(-42), jwtkit.StringUserID("7"), jwtkit.StringUserID(`u-"1"<&>`)}
	names := []string{"", "demo", `a"b\c`, "tab\tnl\n\x00\x1f\x7f", "<script>&amp;", "zoë ✓ \u2028", "bad \xff utf-8", "~!@#$%^*()_+`"}
	for _, uid := range ids {
		for _, name := range names {
			want, err := json.Marshal(struct {
				UserID   jwtkit.UserID `json:"user_id"`
				Username string        `json:"username"`
			}{uid, name})
			require.NoError(t, err)
			got := Me(&jwtkit.Identity{User: jwtkit.User{ID: uid, Value: name}})
			assert.Equal(t, string(want), string(got), "id %s, name %q", uid, name)
			assert.True(t, json.Valid(got))
		}
	}
}

func TestExitCode(t *testing.T) {
	assert.Equal(t, 2, ExitCode(jwtkit.ErrWeakKey))
	assert.Equal(t, 2, ExitCode(errors.Join(errors.New("x"), jwtkit.ErrInvalidConfig)))
	assert.Equal(t, 1, ExitCode(errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")))
}

// captureLog sends slog's default logger to a buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

func memorySettings() Settings {
	return Settings{AccessTTL: jwtkit.DefaultAccessTokenLifetime, RefreshTTL: jwtkit.DefaultRefreshTokenLifetime,
		Store: storeopen.Settings{Kind: storeopen.Memory}}
}

func TestOpenWithAKey(t *testing.T) {
	log := captureLog(t)
	s := memorySettings()
	s.SigningKey = "an HS256 key of at least thirty-two bytes, as text"
	app, err := s.Open(context.Background())
	require.NoError(t, err)
	defer app.Close()
	assert.Empty(t, log.String(), "no warning when the key is set")

	// The text is the key: a token signed with those bytes elsewhere is accepted.
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(s.SigningKey), "")
	require.NoError(t, err)
	other, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: app.Auth.Config().Store, Users: Users{}})
	require.NoError(t, err)
	pair, err := other.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	id, err := app.Auth.Authenticate(context.Background(), "Bearer "+pair.Access)
	require.NoError(t, err)
	assert.Equal(t, "demo", id.User.Value)
}

func TestOpenWithoutAKeyWarns(t *testing.T) {
	log := captureLog(t)
	app, err := memorySettings().Open(context.Background())
	require.NoError(t, err)
	defer app.Close()
	assert.Contains(t, log.String(), `level=WARN msg="JWTKIT_SIGNING_KEY is not set: signing with a random key`)
	assert.True(t, app.Auth.CanIssue())
}

func TestOpenRefusesAWeakKeyWithoutQuotingIt(t *testing.T) {
	s := memorySettings()
	s.SigningKey = "hunter2-hunter2"
	_, err := s.Open(context.Background())
	require.ErrorIs(t, err, jwtkit.ErrWeakKey)
	assert.Contains(t, err.Error(), "JWTKIT_SIGNING_KEY")
	assert.NotContains(t, err.Error(), s.SigningKey)
	assert.Equal(t, 2, ExitCode(err))
}
