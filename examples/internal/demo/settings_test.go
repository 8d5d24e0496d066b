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
		GRPCAddr:   "127.0.0.1:50051",
		Algorithm:  jwtkit.HS256,
		Store:      storeopen.Settings{Kind: "sqlite", DSN: storeopen.DefaultDSN("sqlite"), AutoMigrate: true},
		Users:      UsersDemo,
		AccessTTL:  5 * time.Minute,
		RefreshTTL: 24 * time.Hour,
	}, s, "every feature beyond simplejwt is off")
}

func TestEveryVariable(t *testing.T) {
	s, err := FromEnvFunc(envOf(map[string]string{
		"JWTKIT_ADDR":                     ":9000",
		"JWTKIT_GRPC_ADDR":                ":9001",
		"JWTKIT_SIGNING_KEY":              "a key of at least thirty-two characters",
		"JWTKIT_STORE":                    "redis",
		"JWTKIT_STORE_DSN":                "redis://127.0.0.1:6380/2",
		"JWTKIT_ACCESS_TTL":               "90s",
		"JWTKIT_REFRESH_TTL":              "1h30m",
		"JWTKIT_ROTATE_REFRESH":           "true",
		"JWTKIT_BLACKLIST_AFTER_ROTATION": "1",
		"JWTKIT_ALGORITHM":                "HS512",
		"JWTKIT_REUSE_DETECTION":          "true",
		"JWTKIT_REUSE_GRACE":              "5s",
		"JWTKIT_COOKIE_MODE":              "true",
		"JWTKIT_LOGIN_RATE":               "5/m",
		"JWTKIT_CORS_ORIGINS":             " https://app.example.com, http://localhost:5173,",
		"JWTKIT_USERS":                    "demo",
	}))
	require.NoError(t, err)
	assert.Equal(t, Settings{
		Addr:                   ":9000",
		GRPCAddr:               ":9001",
		Algorithm:              jwtkit.HS512,
		SigningKey:             "a key of at least thirty-two characters",
		Store:                  storeopen.Settings{Kind: "redis", DSN: "redis://127.0.0.1:6380/2", AutoMigrate: true},
		AccessTTL:              90 * time.Second,
		RefreshTTL:             90 * time.Minute,
		RotateRefresh:          true,
		BlacklistAfterRotation: true,
		ReuseDetection:         true,
		ReuseGrace:             5 * time.Second,
		CookieMode:             true,
		LoginRate:              jwtkit.Rate{Limit: 5, Per: time.Minute},
		CORSOrigins:            []string{"https://app.example.com", "http://localhost:5173"},
		Users:                  UsersDemo,
	}, s)
}

func TestAlgorithmAndKeyFile(t *testing.T) {
	for _, alg := range Algorithms {
		env := map[string]string{"JWTKIT_ALGORITHM": string(alg)}
		if !IsHMAC(alg) {
			env["JWTKIT_PRIVATE_KEY_FILE"] = "/etc/jwtkit/" + string(alg) + ".pem"
		}
		s, err := FromEnvFunc(envOf(env))
		require.NoError(t, err, alg)
		assert.Equal(t, alg, s.Algorithm)
		assert.Equal(t, env["JWTKIT_PRIVATE_KEY_FILE"], s.PrivateKeyFile)
	}
	assert.True(t, IsHMAC(jwtkit.HS384))
	assert.False(t, IsHMAC(jwtkit.ES256))
}

// Reuse detection turns rotation and blacklisting on by itself; saying so again is fine.
func TestReuseDetectionImpliesRotation(t *testing.T) {
	for _, env := range []map[string]string{
		{"JWTKIT_REUSE_DETECTION": "true"},
		{"JWTKIT_REUSE_DETECTION": "1", "JWTKIT_ROTATE_REFRESH": "true", "JWTKIT_BLACKLIST_AFTER_ROTATION": "TRUE"},
	} {
		s, err := FromEnvFunc(envOf(env))
		require.NoError(t, err, env)
		assert.True(t, s.ReuseDetection)
		assert.True(t, s.RotateRefresh)
		assert.True(t, s.BlacklistAfterRotation)
		assert.Zero(t, s.ReuseGrace)
	}
	s, err := FromEnvFunc(envOf(map[string]string{"JWTKIT_REUSE_DETECTION": "false", "JWTKIT_REUSE_GRACE": "0s"}))
	require.NoError(t, err)
	assert.False(t, s.ReuseDetection)
	assert.False(t, s.RotateRefresh)
	assert.Zero(t, s.ReuseGrace)
}

func TestLoginRate(t *testing.T) {
	for v, want := range map[string]jwtkit.Rate{
		"1/s":         {Limit: 1, Per: time.Second},
		"5/m":         {Limit: 5, Per: time.Minute},
		"100/h":       {Limit: 100, Per: time.Hour},
		"999999999/s": {Limit: 999999999, Per: time.Second},
	} {
		s, err := FromEnvFunc(envOf(map[string]string{"JWTKIT_LOGIN_RATE": v}))
		require.NoError(t, err, v)
		assert.Equal(t, want, s.LoginRate, v)
	}
}

func TestInvalidSettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"JWTKIT_ADDR": "localhost"}, `JWTKIT_ADDR="localhost" is not a host:port address`},
		{map[string]string{"JWTKIT_GRPC_ADDR": "50051"}, `JWTKIT_GRPC_ADDR="50051" is not a host:port address`},
		{map[string]string{"JWTKIT_STORE": "sqlite3"}, `JWTKIT_STORE="sqlite3": want one of memory, sqlite, redis, postgres, mysql`},
		{map[string]string{"JWTKIT_ACCESS_TTL": "5"}, `JWTKIT_ACCESS_TTL="5" is not a Go duration`},
		{map[string]string{"JWTKIT_ACCESS_TTL": "500ms"}, `JWTKIT_ACCESS_TTL="500ms" must be at least 1s`},
		{map[string]string{"JWTKIT_REFRESH_TTL": "0s"}, `JWTKIT_REFRESH_TTL="0s" must be at least 1s`},
		{map[string]string{"JWTKIT_ROTATE_REFRESH": "yes"}, `JWTKIT_ROTATE_REFRESH="yes" is not true or false`},
		{map[string]string{"JWTKIT_BLACKLIST_AFTER_ROTATION": "on"}, `JWTKIT_BLACKLIST_AFTER_ROTATION="on" is not true or false`},
		{map[string]string{"JWTKIT_BLACKLIST_AFTER_ROTATION": "true"}, `JWTKIT_BLACKLIST_AFTER_ROTATION=true needs JWTKIT_ROTATE_REFRESH=true`},
		{map[string]string{"JWTKIT_ALGORITHM": "none"}, `JWTKIT_ALGORITHM="none": want one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA`},
		{map[string]string{"JWTKIT_ALGORITHM": "es256"}, `JWTKIT_ALGORITHM="es256": want one of`},
		{map[string]string{"JWTKIT_ALGORITHM": "Ed25519"}, `JWTKIT_ALGORITHM="Ed25519": want one of`},
		{map[string]string{"JWTKIT_PRIVATE_KEY_FILE": "key.pem"}, `JWTKIT_PRIVATE_KEY_FILE is for RS, PS, ES and EdDSA keys; JWTKIT_ALGORITHM=HS256 signs with JWTKIT_SIGNING_KEY`},
		{map[string]string{"JWTKIT_ALGORITHM": "HS384", "JWTKIT_PRIVATE_KEY_FILE": "key.pem"}, `JWTKIT_ALGORITHM=HS384 signs with JWTKIT_SIGNING_KEY`},
		{map[string]string{"JWTKIT_ALGORITHM": "ES256", "JWTKIT_SIGNING_KEY": "a key of at least thirty-two characters"}, `JWTKIT_SIGNING_KEY is an HMAC secret; JWTKIT_ALGORITHM=ES256 signs with the PEM key in JWTKIT_PRIVATE_KEY_FILE`},
		{map[string]string{"JWTKIT_REUSE_DETECTION": "yes"}, `JWTKIT_REUSE_DETECTION="yes" is not true or false`},
		{map[string]string{"JWTKIT_REUSE_DETECTION": "true", "JWTKIT_ROTATE_REFRESH": "false"}, `JWTKIT_REUSE_DETECTION=true implies rotation with blacklisting; JWTKIT_ROTATE_REFRESH="false" contradicts it`},
		{map[string]string{"JWTKIT_REUSE_DETECTION": "true", "JWTKIT_ROTATE_REFRESH": "true", "JWTKIT_BLACKLIST_AFTER_ROTATION": "0"}, `JWTKIT_BLACKLIST_AFTER_ROTATION="0" contradicts it`},
		{map[string]string{"JWTKIT_REUSE_DETECTION": "true", "JWTKIT_REUSE_GRACE": "5"}, `JWTKIT_REUSE_GRACE="5" is not a Go duration`},
		{map[string]string{"JWTKIT_REUSE_DETECTION": "true", "JWTKIT_REUSE_GRACE": "-1s"}, `JWTKIT_REUSE_GRACE="-1s" must not be negative`},
		{map[string]string{"JWTKIT_REUSE_GRACE": "5s"}, `JWTKIT_REUSE_GRACE=5s needs JWTKIT_REUSE_DETECTION=true`},
		{map[string]string{"JWTKIT_COOKIE_MODE": "on"}, `JWTKIT_COOKIE_MODE="on" is not true or false`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "5"}, `JWTKIT_LOGIN_RATE="5" is not N/s, N/m or N/h`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "0/m"}, `JWTKIT_LOGIN_RATE="0/m" is not N/s, N/m or N/h with N from 1`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "-3/m"}, `JWTKIT_LOGIN_RATE="-3/m"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "5/d"}, `JWTKIT_LOGIN_RATE="5/d"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "5/min"}, `JWTKIT_LOGIN_RATE="5/min"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "5/M"}, `JWTKIT_LOGIN_RATE="5/M"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": " 5/m"}, `JWTKIT_LOGIN_RATE=" 5/m"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "05/m"}, `JWTKIT_LOGIN_RATE="05/m"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "1000000000/s"}, `JWTKIT_LOGIN_RATE="1000000000/s"`},
		{map[string]string{"JWTKIT_LOGIN_RATE": "x/m"}, `JWTKIT_LOGIN_RATE="x/m"`},
		{map[string]string{"JWTKIT_CORS_ORIGINS": "*"}, `JWTKIT_CORS_ORIGINS: "*" is not an origin`},
		{map[string]string{"JWTKIT_CORS_ORIGINS": "https://*.example.com"}, `"https://*.example.com" is not an origin`},
		{map[string]string{"JWTKIT_CORS_ORIGINS": "https://app.example.com/"}, `"https://app.example.com/" is not an origin`},
		{map[string]string{"JWTKIT_CORS_ORIGINS": "app.example.com"}, `"app.example.com" is not an origin`},
		{map[string]string{"JWTKIT_CORS_ORIGINS": "https://a.example, ftp://b.example"}, `"ftp://b.example" is not an origin`},
	} {
		_, err := FromEnvFunc(envOf(c.env))
		require.Error(t, err, c.env)
		assert.NotContains(t, err.Error(), "thirty-two", "the signing key is never quoted")
		assert.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
		assert.Contains(t, err.Error(), c.want)
		assert.Equal(t, 2, ExitCode(err))
	}
}

// TestUsersDjango: JWTKIT_USERS=django reads the Django database, so it needs the django store
// that names it; any other value is refused.
func TestUsersDjango(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	s, err := FromEnvFunc(env(map[string]string{"JWTKIT_USERS": "django", "JWTKIT_STORE": "django",
		"JWTKIT_STORE_DSN": "/srv/app/db.sqlite3"}))
	require.NoError(t, err)
	assert.Equal(t, UsersDjango, s.Users)

	_, err = FromEnvFunc(env(map[string]string{"JWTKIT_USERS": "django"}))
	require.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "JWTKIT_STORE=django")
	_, err = FromEnvFunc(env(map[string]string{"JWTKIT_USERS": "ldap"}))
	require.ErrorIs(t, err, jwtkit.ErrInvalidConfig)
	assert.Contains(t, err.Error(), `JWTKIT_USERS="ldap"`)
}
