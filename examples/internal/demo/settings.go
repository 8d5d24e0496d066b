package demo

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// The environment variables of the example servers (docs/http-api.md). The store's
// two, JWTKIT_STORE and JWTKIT_STORE_DSN, are storeopen.EnvStore and storeopen.EnvDSN.
const (
	EnvAddr                   = "JWTKIT_ADDR"
	EnvGRPCAddr               = "JWTKIT_GRPC_ADDR"
	EnvSigningKey             = "JWTKIT_SIGNING_KEY"
	EnvAccessTTL              = "JWTKIT_ACCESS_TTL"
	EnvRefreshTTL             = "JWTKIT_REFRESH_TTL"
	EnvRotateRefresh          = "JWTKIT_ROTATE_REFRESH"
	EnvBlacklistAfterRotation = "JWTKIT_BLACKLIST_AFTER_ROTATION"
	EnvAlgorithm              = "JWTKIT_ALGORITHM"
	EnvPrivateKeyFile         = "JWTKIT_PRIVATE_KEY_FILE"
	EnvReuseDetection         = "JWTKIT_REUSE_DETECTION"
	EnvReuseGrace             = "JWTKIT_REUSE_GRACE"
	EnvCookieMode             = "JWTKIT_COOKIE_MODE"
	EnvLoginRate              = "JWTKIT_LOGIN_RATE"
	EnvCORSOrigins            = "JWTKIT_CORS_ORIGINS"
	EnvUsers                  = "JWTKIT_USERS"
)

// The values of JWTKIT_USERS: the demo accounts, or the users of the Django database
// JWTKIT_STORE=django names (its auth_user table).
const (
	UsersDemo   = "demo"
	UsersDjango = "django"
)

// Algorithms are the values JWTKIT_ALGORITHM accepts, every algorithm core can sign with.
var Algorithms = []jwtkit.Algorithm{
	jwtkit.HS256, jwtkit.HS384, jwtkit.HS512,
	jwtkit.RS256, jwtkit.RS384, jwtkit.RS512,
	jwtkit.PS256, jwtkit.PS384, jwtkit.PS512,
	jwtkit.ES256, jwtkit.ES384, jwtkit.ES512,
	jwtkit.EdDSA,
}

// DefaultAddr is loopback only, so a demo server is never reachable from the network by
// accident; set JWTKIT_ADDR=:8000 to listen on every interface.
const DefaultAddr = "127.0.0.1:8000"

// DefaultGRPCAddr is the gRPC example's gRPC listen address, loopback only as DefaultAddr.
const DefaultGRPCAddr = "127.0.0.1:50051"

// Settings are an example server's settings. FromEnv reads them; an empty variable counts as
// unset and means the default.
type Settings struct {
	// Addr is the listen address (JWTKIT_ADDR). Default: DefaultAddr.
	Addr string
	// GRPCAddr is the gRPC listen address of the gRPC example (JWTKIT_GRPC_ADDR); the other
	// examples ignore it. Default: DefaultGRPCAddr.
	GRPCAddr string
	// Algorithm signs every token (JWTKIT_ALGORITHM), one of Algorithms. Default: HS256.
	Algorithm jwtkit.Algorithm
	// SigningKey is the HMAC secret of an HS algorithm (JWTKIT_SIGNING_KEY), used as it is: its
	// characters are the HMAC key, as simplejwt uses its SIGNING_KEY string and as
	// `jwtkit keygen` prints one, so a Django service given the same text accepts the same
	// tokens. It must be at least 32 bytes (48 for HS384, 64 for HS512). Default: "", meaning a
	// random key for this run, with a warning.
	SigningKey string
	// PrivateKeyFile is the PEM file of the private key of an RS, PS, ES or EdDSA algorithm
	// (JWTKIT_PRIVATE_KEY_FILE), as `jwtkit keygen --alg ES256` writes one. Default: "",
	// meaning a random key for this run, with a warning.
	PrivateKeyFile string
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
	// ReuseDetection (JWTKIT_REUSE_DETECTION) makes the refresh tokens of one login a family
	// that a replayed refresh token revokes whole. It implies RotateRefresh and
	// BlacklistAfterRotation, which FromEnvFunc then sets. Default: false.
	ReuseDetection bool
	// ReuseGrace (JWTKIT_REUSE_GRACE) is how long after a rotation the same refresh token may
	// be presented again and get the same answer; it needs ReuseDetection. Default: 0, none.
	ReuseGrace time.Duration
	// CookieMode (JWTKIT_COOKIE_MODE) hands the refresh token out in an HttpOnly cookie, with
	// a double-submit CSRF check. Default: false.
	CookieMode bool
	// LoginRate (JWTKIT_LOGIN_RATE, N/s, N/m or N/h) limits failed logins per username and per
	// client address. Default: the zero Rate, no limit.
	LoginRate jwtkit.Rate
	// Users says where the users come from (JWTKIT_USERS): UsersDemo, or UsersDjango, which
	// needs JWTKIT_STORE=django and reads the Django database's users. Default: UsersDemo.
	Users string
	// CORSOrigins (JWTKIT_CORS_ORIGINS, comma-separated) are the origins besides the server's
	// own whose pages may call the API with credentials; cookie mode trusts them for its
	// cross-site check. Default: none.
	CORSOrigins []string
}

// FromEnv reads the settings from the process's environment.
func FromEnv() (Settings, error) { return FromEnvFunc(os.Getenv) }

// FromEnvFunc reads the settings through getenv. A value that cannot work is an error wrapping
// jwtkit.ErrInvalidConfig that names its variable; the signing key's is never quoted.
func FromEnvFunc(getenv func(string) string) (Settings, error) {
	s := Settings{
		Addr:       cmp.Or(getenv(EnvAddr), DefaultAddr),
		GRPCAddr:   cmp.Or(getenv(EnvGRPCAddr), DefaultGRPCAddr),
		SigningKey: getenv(EnvSigningKey),
		Store:      storeopen.FromEnvFunc(getenv),
		Users:      cmp.Or(getenv(EnvUsers), UsersDemo),
	}
	s.Store.AutoMigrate = true
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		return Settings{}, invalid("%s=%q is not a host:port address such as 127.0.0.1:8000 or :8000", EnvAddr, s.Addr)
	}
	if _, _, err := net.SplitHostPort(s.GRPCAddr); err != nil {
		return Settings{}, invalid("%s=%q is not a host:port address such as 127.0.0.1:50051 or :50051", EnvGRPCAddr, s.GRPCAddr)
	}
	if !slices.Contains(storeopen.Kinds(), s.Store.Kind) {
		return Settings{}, invalid("%s=%q: want one of %s", storeopen.EnvStore, s.Store.Kind, strings.Join(storeopen.Kinds(), ", "))
	}
	switch {
	case s.Users != UsersDemo && s.Users != UsersDjango:
		return Settings{}, invalid("%s=%q: want %s or %s", EnvUsers, s.Users, UsersDemo, UsersDjango)
	case s.Users == UsersDjango && s.Store.Kind != storeopen.Django:
		return Settings{}, invalid("%s=%s reads the Django database, which %s=%s names: set it", EnvUsers, UsersDjango,
			storeopen.EnvStore, storeopen.Django)
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
	if err := s.readKeySettings(getenv); err != nil {
		return Settings{}, err
	}
	if err := s.readFeatures(getenv); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// readKeySettings reads the algorithm and where its key comes from. A key variable the
// algorithm would not read is an error rather than ignored: the server would otherwise sign
// with a random key while the operator believes it uses theirs.
func (s *Settings) readKeySettings(getenv func(string) string) error {
	s.Algorithm = jwtkit.Algorithm(cmp.Or(getenv(EnvAlgorithm), string(jwtkit.HS256)))
	if !slices.Contains(Algorithms, s.Algorithm) {
		names := make([]string, len(Algorithms))
		for i, a := range Algorithms {
			names[i] = string(a)
		}
		return invalid("%s=%q: want one of %s", EnvAlgorithm, s.Algorithm, strings.Join(names, ", "))
	}
	s.PrivateKeyFile = getenv(EnvPrivateKeyFile)
	switch {
	case IsHMAC(s.Algorithm) && s.PrivateKeyFile != "":
		return invalid("%s is for RS, PS, ES and EdDSA keys; %s=%s signs with %s", EnvPrivateKeyFile, EnvAlgorithm, s.Algorithm, EnvSigningKey)
	case !IsHMAC(s.Algorithm) && s.SigningKey != "":
		return invalid("%s is an HMAC secret; %s=%s signs with the PEM key in %s", EnvSigningKey, EnvAlgorithm, s.Algorithm, EnvPrivateKeyFile)
	}
	return nil
}

// readFeatures reads the variables of the features beyond simplejwt, all off by default.
func (s *Settings) readFeatures(getenv func(string) string) error {
	var err error
	if s.ReuseDetection, err = boolean(getenv, EnvReuseDetection); err != nil {
		return err
	}
	if s.ReuseDetection {
		// Reuse detection implies both; an explicit false would be silently overridden.
		for _, name := range []string{EnvRotateRefresh, EnvBlacklistAfterRotation} {
			if v := getenv(name); v != "" {
				if b, _ := strconv.ParseBool(v); !b {
					return invalid("%s=true implies rotation with blacklisting; %s=%q contradicts it (leave it unset)", EnvReuseDetection, name, v)
				}
			}
		}
		s.RotateRefresh, s.BlacklistAfterRotation = true, true
	}
	if v := getenv(EnvReuseGrace); v != "" {
		if s.ReuseGrace, err = time.ParseDuration(v); err != nil {
			return invalid("%s=%q is not a Go duration such as 5s or 1m", EnvReuseGrace, v)
		}
		switch {
		case s.ReuseGrace < 0:
			return invalid("%s=%q must not be negative", EnvReuseGrace, v)
		case s.ReuseGrace > 0 && !s.ReuseDetection:
			return invalid("%s=%s needs %s=true", EnvReuseGrace, v, EnvReuseDetection)
		}
	}
	if s.CookieMode, err = boolean(getenv, EnvCookieMode); err != nil {
		return err
	}
	if s.LoginRate, err = rate(getenv, EnvLoginRate); err != nil {
		return err
	}
	for o := range strings.SplitSeq(getenv(EnvCORSOrigins), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		// Every listed origin may send credentials; a wildcard would hand them to any site.
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
			strings.Contains(u.Host, "*") {
			return invalid("%s: %q is not an origin such as https://app.example.com or http://localhost:5173", EnvCORSOrigins, o)
		}
		s.CORSOrigins = append(s.CORSOrigins, o)
	}
	return nil
}

// CORSMethods and CORSHeaders are what a page on a JWTKIT_CORS_ORIGINS origin may send: the
// methods of the API's routes and the headers of a front end in either mode (the token in
// Authorization, JSON bodies, cookie mode's CSRF header). CORS itself is each framework's own
// middleware, set up in each main.go.
var (
	CORSMethods = []string{http.MethodGet, http.MethodPost}
	CORSHeaders = []string{"Authorization", "Content-Type", "X-CSRF-Token"}
)

// IsHMAC reports whether alg is an HS algorithm, whose key is a shared secret.
func IsHMAC(alg jwtkit.Algorithm) bool {
	return alg == jwtkit.HS256 || alg == jwtkit.HS384 || alg == jwtkit.HS512
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

// ratePattern is the contract's N/s, N/m, N/h with N a positive integer.
var ratePattern = regexp.MustCompile(`^([1-9][0-9]{0,8})/([smh])$`)

func rate(getenv func(string) string, name string) (jwtkit.Rate, error) {
	v := getenv(name)
	if v == "" {
		return jwtkit.Rate{}, nil
	}
	m := ratePattern.FindStringSubmatch(v)
	if m == nil {
		return jwtkit.Rate{}, invalid("%s=%q is not N/s, N/m or N/h with N from 1, such as 5/m", name, v)
	}
	n, _ := strconv.Atoi(m[1]) // nine digits at most: always an int
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[m[2]]
	return jwtkit.Rate{Limit: n, Per: per}, nil
}
