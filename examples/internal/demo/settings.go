package demo

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// The environment variables of the example servers (shared/contract/http-api.md). The store's
// two, JWTKIT_STORE and JWTKIT_STORE_DSN, are storeopen.EnvStore and storeopen.EnvDSN.
const (
	EnvAddr                   = "JWTKIT_ADDR"
	EnvSigningKey             = "JWTKIT_SIGNING_KEY"
	EnvAccessTTL              = "JWTKIT_ACCESS_TTL"
	EnvRefreshTTL             = "JWTKIT_REFRESH_TTL"
	EnvRotateRefresh          = "JWTKIT_ROTATE_REFRESH"
	EnvBlacklistAfterRotation = "JWTKIT_BLACKLIST_AFTER_ROTATION"
)

// DefaultAddr is loopback only, so a demo server is never reachable from the network by
// accident; set JWTKIT_ADDR=:8000 to listen on every interface.
const DefaultAddr = "127.0.0.1:8000"

// Settings are an example server's settings. FromEnv reads them; an empty variable counts as
// unset and means the default.
type Settings struct {
	// Addr is the listen address (JWTKIT_ADDR). Default: DefaultAddr.
	Addr string
	// SigningKey is the HS256 secret (JWTKIT_SIGNING_KEY), used as it is: its characters are
	// the HMAC key, as simplejwt uses its SIGNING_KEY string and as `jwtkit keygen` prints one,
	// so a Django service given the same text accepts the same tokens. It must be at least 32
	// bytes. Default: "", meaning a random key for this run, with a warning.
	SigningKey string
	// Store is the token store (JWTKIT_STORE, JWTKIT_STORE_DSN: storeopen.FromEnv), with
	// AutoMigrate on so the default SQLite file works on the first start. Default: sqlite, a
	// file in the OS temp directory.
	Store storeopen.Settings
	// AccessTTL and RefreshTTL are the token lifetimes (JWTKIT_ACCESS_TTL, JWTKIT_REFRESH_TTL),
	// Go durations of at least a second. Default: 5m and 24h.
	AccessTTL, RefreshTTL time.Duration
	// RotateRefresh (JWTKIT_ROTATE_REFRESH) makes refresh return a new refresh token too;
	// BlacklistAfterRotation (JWTKIT_BLACKLIST_AFTER_ROTATION) revokes the one it rotated, and
	// needs RotateRefresh. Default: false, false.
	RotateRefresh, BlacklistAfterRotation bool
}

// FromEnv reads the settings from the process's environment.
func FromEnv() (Settings, error) { return FromEnvFunc(os.Getenv) }

// FromEnvFunc reads the settings through getenv. A value that cannot work is an error wrapping
// jwtkit.ErrInvalidConfig that names its variable; the signing key's is never quoted.
func FromEnvFunc(getenv func(string) string) (Settings, error) {
	s := Settings{
		Addr:       cmp.Or(getenv(EnvAddr), DefaultAddr),
		SigningKey: getenv(EnvSigningKey),
		Store:      storeopen.FromEnvFunc(getenv),
	}
	s.Store.AutoMigrate = true
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		return Settings{}, invalid("%s=%q is not a host:port address such as 127.0.0.1:8000 or :8000", EnvAddr, s.Addr)
	}
	if !slices.Contains(storeopen.Kinds(), s.Store.Kind) {
		return Settings{}, invalid("%s=%q: want one of %s", storeopen.EnvStore, s.Store.Kind, strings.Join(storeopen.Kinds(), ", "))
	}
	var err error
	if s.AccessTTL, err = duration(getenv, EnvAccessTTL, jwtkit.DefaultAccessTokenLifetime); err != nil {
		return Settings{}, err
	}
	if s.RefreshTTL, err = duration(getenv, EnvRefreshTTL, jwtkit.DefaultRefreshTokenLifetime); err != nil {
		return Settings{}, err
	}
	if s.RotateRefresh, err = boolean(getenv, EnvRotateRefresh); err != nil {
		return Settings{}, err
	}
	if s.BlacklistAfterRotation, err = boolean(getenv, EnvBlacklistAfterRotation); err != nil {
		return Settings{}, err
	}
	if s.BlacklistAfterRotation && !s.RotateRefresh {
		// Blacklisting after a rotation that never happens would silently do nothing.
		return Settings{}, invalid("%s=true needs %s=true", EnvBlacklistAfterRotation, EnvRotateRefresh)
	}
	return s, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{jwtkit.ErrInvalidConfig}, args...)...)
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, invalid("%s=%q is not a Go duration such as 5m, 24h or 1h30m", name, v)
	}
	// Token times are whole seconds: a shorter lifetime would issue tokens already expired.
	if d < time.Second {
		return 0, invalid("%s=%q must be at least 1s", name, v)
	}
	return d, nil
}

func boolean(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, invalid("%s=%q is not true or false", name, v)
	}
	return b, nil
}
