package demo

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestDefaults(t *testing.T) {
	s, err := FromEnvFunc(envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, Settings{
		Addr:       "127.0.0.1:8000",
		Store:      storeopen.Settings{Kind: "sqlite", DSN: storeopen.DefaultDSN("sqlite"), AutoMigrate: true},
		AccessTTL:  5 * time.Minute,
		RefreshTTL: 24 * time.Hour,
	}, s)
}

func TestEveryVariable(t *testing.T) {
	s, err := FromEnvFunc(envOf(map[string]string{
		"JWTKIT_ADDR":                     ":9000",
		"JWTKIT_SIGNING_KEY":              "a key of at least thirty-two characters",
		"JWTKIT_STORE":                    "redis",
		"JWTKIT_STORE_DSN":                "redis://127.0.0.1:6380/2",
		"JWTKIT_ACCESS_TTL":               "90s",
		"JWTKIT_REFRESH_TTL":              "1h30m",
		"JWTKIT_ROTATE_REFRESH":           "true",
		"JWTKIT_BLACKLIST_AFTER_ROTATION": "1",
	}))
	require.NoError(t, err)
	assert.Equal(t, Settings{
		Addr:                   ":9000",
		SigningKey:             "a key of at least thirty-two characters",
		Store:                  storeopen.Settings{Kind: "redis", DSN: "redis://127.0.0.1:6380/2", AutoMigrate: true},
		AccessTTL:              90 * time.Second,
		RefreshTTL:             90 * time.Minute,
		RotateRefresh:          true,
		BlacklistAfterRotation: true,
	}, s)
}

func TestInvalidSettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"JWTKIT_ADDR": "localhost"}, `JWTKIT_ADDR="localhost" is not a host:port address`},
		{map[string]string{"JWTKIT_STORE": "sqlite3"}, `JWTKIT_STORE="sqlite3": want one of memory, sqlite, redis, postgres, mysql`},
		{map[string]string{"JWTKIT_ACCESS_TTL": "5"}, `JWTKIT_ACCESS_TTL="5" is not a Go duration`},
		{map[string]string{"JWTKIT_ACCESS_TTL": "500ms"}, `JWTKIT_ACCESS_TTL="500ms" must be at least 1s`},
		{map[string]string{"JWTKIT_REFRESH_TTL": "0s"}, `JWTKIT_REFRESH_TTL="0s" must be at least 1s`},
		{map[string]string{"JWTKIT_ROTATE_REFRESH": "yes"}, `JWTKIT_ROTATE_REFRESH="yes" is not true or false`},
		{map[string]string{"JWTKIT_BLACKLIST_AFTER_ROTATION": "on"}, `JWTKIT_BLACKLIST_AFTER_ROTATION="on" is not true or false`},
		{map[string]string{"JWTKIT_BLACKLIST_AFTER_ROTATION": "true"}, `JWTKIT_BLACKLIST_AFTER_ROTATION=true needs JWTKIT_ROTATE_REFRESH=true`},
	} {
		_, err := FromEnvFunc(envOf(c.env))
		require.Error(t, err, c.env)
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
		assert.Contains(t, err.Error(), c.want)
		assert.Equal(t, 2, ExitCode(err))
	}
}
