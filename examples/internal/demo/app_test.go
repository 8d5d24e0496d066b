package demo

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // simplejwt's password fingerprint, not a security boundary
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

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
	auth, closeStore, err := open(context.Background(), s)
	require.NoError(t, err)
	defer closeStore()
	assert.Empty(t, log.String(), "no warning when the key is set")

	// The text is the key: a token signed with those bytes elsewhere is accepted.
	key, err := jwtkit.NewHMACKey(jwtkit.HS256, []byte(s.SigningKey), "")
	require.NoError(t, err)
	other, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: auth.Config().Store, Users: Users{}})
	require.NoError(t, err)
	pair, err := other.IssuePair(context.Background(), jwtkit.IntUserID(1), nil)
	require.NoError(t, err)
	id, err := auth.Authenticate(context.Background(), "Bearer "+pair.Access)
	require.NoError(t, err)
	assert.Equal(t, "demo", id.User.Value)
}

func TestOpenWithoutAKeyWarns(t *testing.T) {
	log := captureLog(t)
	auth, closeStore, err := open(context.Background(), memorySettings())
	require.NoError(t, err)
	defer closeStore()
	assert.Contains(t, log.String(), `level=WARN msg="JWTKIT_SIGNING_KEY is not set: signing with a random key`)
	assert.True(t, auth.CanIssue())
}

func TestOpenRefusesAWeakKeyWithoutQuotingIt(t *testing.T) {
	s := memorySettings()
	s.SigningKey = "hunter2-hunter2"
	_, _, err := open(context.Background(), s)
	require.ErrorIs(t, err, jwtkit.ErrWeakKey)
	assert.Contains(t, err.Error(), "JWTKIT_SIGNING_KEY")
	assert.NotContains(t, err.Error(), s.SigningKey)
	assert.Equal(t, 2, ExitCode(err))
}

// With every variable unset, the Auth is simplejwt's: no feature beyond it is on.
func TestOpenEverythingOff(t *testing.T) {
	captureLog(t)
	s, err := FromEnvFunc(envOf(map[string]string{"JWTKIT_STORE": "memory"}))
	require.NoError(t, err)
	auth, closeStore, err := open(context.Background(), s)
	require.NoError(t, err)
	defer closeStore()
	cfg := auth.Config()
	assert.Equal(t, jwtkit.HS256, cfg.SigningKey.Algorithm())
	assert.False(t, cfg.RotateRefreshTokens)
	assert.False(t, cfg.ReuseDetection)
	assert.Zero(t, cfg.ReuseGrace)
	assert.False(t, cfg.CheckRevokeToken)
	assert.False(t, cfg.Cookies.Enabled)
	assert.Zero(t, cfg.LoginRate)
	assert.Nil(t, auth.JWKS(), "an HS key publishes nothing")
}

// Each feature variable reaches the Auth, on a store that supports every feature.
func TestOpenWithEveryFeature(t *testing.T) {
	captureLog(t)
	s, err := FromEnvFunc(envOf(map[string]string{
		"JWTKIT_STORE":           "memory",
		"JWTKIT_ALGORITHM":       "ES256",
		"JWTKIT_REUSE_DETECTION": "true",
		"JWTKIT_REUSE_GRACE":     "5s",
		"JWTKIT_COOKIE_MODE":     "true",
		"JWTKIT_LOGIN_RATE":      "3/h",
		"JWTKIT_CORS_ORIGINS":    "https://app.example.com",
	}))
	require.NoError(t, err)
	auth, closeStore, err := open(context.Background(), s)
	require.NoError(t, err)
	defer closeStore()
	cfg := auth.Config()
	assert.Equal(t, jwtkit.ES256, cfg.SigningKey.Algorithm())
	assert.True(t, cfg.ReuseDetection)
	assert.True(t, cfg.RotateRefreshTokens)
	assert.True(t, cfg.BlacklistAfterRotation)
	assert.Equal(t, 5*time.Second, cfg.ReuseGrace)
	assert.True(t, cfg.Cookies.Enabled)
	assert.False(t, cfg.Cookies.Access, "the contract's cookie mode: the refresh token only")
	assert.Equal(t, []string{"https://app.example.com"}, cfg.Cookies.TrustedOrigins)
	assert.Equal(t, jwtkit.Rate{Limit: 3, Per: time.Hour}, cfg.LoginRate)

	var set struct{ Keys []jwtkit.JWK }
	require.NoError(t, json.Unmarshal(auth.JWKS(), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, cfg.SigningKey.KeyID(), set.Keys[0].Kid)
	assert.Equal(t, "ES256", set.Keys[0].Alg)
}

// The demo users carry their password hash, so an application that copies them can turn on
// CheckRevokeToken: tokens then carry simplejwt's fingerprint of the hash and still work.
func TestUsersSupportCheckRevokeToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key, err := jwtkit.GenerateKey(jwtkit.HS256, "")
	require.NoError(t, err)
	store, err := storeopen.Open(ctx, storeopen.Settings{Kind: storeopen.Memory})
	require.NoError(t, err)
	defer func() { _ = store.Close() }()
	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: store.Store, Users: Users{}, CheckRevokeToken: true, Audit: jwtkit.NoAudit})
	require.NoError(t, err)

	resp := auth.Serve(ctx, jwtkit.EndpointObtain, jwtkit.Request{Method: "POST", ContentType: JSON,
		Body: strings.NewReader(`{"username":"demo","password":"demo-password"}`)})
	require.Equal(t, 200, resp.Status, string(resp.Body))
	var pair struct{ Access string }
	require.NoError(t, json.Unmarshal(resp.Body, &pair))
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(pair.Access, ".")[1])
	require.NoError(t, err)
	sum := md5.Sum(accounts[0].hash) //nolint:gosec // simplejwt's fingerprint, checked as it is written
	assert.Contains(t, string(payload), `"hash_password":"`+strings.ToUpper(hex.EncodeToString(sum[:]))+`"`)

	id, err := auth.Authenticate(ctx, "Bearer "+pair.Access)
	require.NoError(t, err)
	assert.Equal(t, "demo", id.User.Value)
}

// open builds the Auth as every example's main file does: the key, the store, the demo users,
// and what the settings turn on.
func open(ctx context.Context, s Settings) (*jwtkit.Auth, func(), error) {
	key, err := s.Key()
	if err != nil {
		return nil, nil, err
	}
	store, err := storeopen.Open(ctx, s.Store)
	if err != nil {
		return nil, nil, err
	}
	auth, err := jwtkit.New(s.Apply(jwtkit.Config{SigningKey: key, Store: store.Store, Users: Users{}}))
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return auth, func() { _ = store.Close() }, nil
}
