package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

// ShutdownTimeout is how long requests in flight get to finish after SIGINT or SIGTERM; it is
// well inside the 30 s a container runtime waits before it kills the process.
const ShutdownTimeout = 10 * time.Second

// JSON is the Content-Type of every answer, written without a charset as the token endpoints'.
const JSON = "application/json"

// Health is the body of GET /api/health.
var Health = []byte(`{"status":"ok"}`)

// Me is the body of GET /api/me for the caller Middleware authenticated:
// {"user_id":1,"username":"demo"}; {"user_id":null} for no caller. It is what json.Marshal
// would write, appended by hand: the route answers every authenticated request, and under load
// (bench/load) json.Marshal's reflection cost a third as much CPU as authenticating did.
func Me(id *jwtkit.Identity) []byte {
	if id == nil {
		return []byte(`{"user_id":null}`)
	}
	name, _ := id.User.Value.(string)
	uid, _ := id.User.ID.MarshalJSON() // a number, or a JSON string; never an error
	b := make([]byte, 0, len(`{"user_id":,"username":""}`)+len(uid)+len(name))
	b = append(b, `{"user_id":`...)
	b = append(b, uid...)
	b = append(b, `,"username":`...)
	b = appendJSONString(b, name)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, exactly as json.Marshal writes it: as it is
// when it needs no escape (printable ASCII other than the quote, the backslash and json's
// HTML-escaped <, > and &), through json.Marshal otherwise.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || strings.IndexByte(`"\<>&`, c) >= 0 {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Logger is the servers' logger: slog text lines on stderr, each with framework=<framework>.
// Nothing in the examples logs a token, a password, the key, a DSN or a request header.
func Logger(framework string) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("framework", framework)
}

// ExitCode is the exit status for an error that stopped the server from starting: 2 for
// settings that cannot work (a bad value, a weak key, an unknown store kind), which changing
// the environment fixes, and 1 for anything else (a store that cannot be reached).
func ExitCode(err error) int {
	if errors.Is(err, jwtkit.ErrInvalidConfig) {
		return 2
	}
	return 1
}

// App is an example server's state: its settings, the *jwtkit.Auth its routes use, and the
// store behind it.
type App struct {
	Settings Settings
	Auth     *jwtkit.Auth
	store    *storeopen.Opened
}

// Open reads the settings from the environment (FromEnv) and opens what they name.
func Open(ctx context.Context) (*App, error) {
	s, err := FromEnv()
	if err != nil {
		return nil, err
	}
	return s.Open(ctx)
}

// Open builds the signing key (Key: a random one, with a warning, when none is set),
// opens the store, creating its tables when it is a SQL one, and builds the *jwtkit.Auth over
// the demo users with the features the settings turn on. Close the App when done.
func (s Settings) Open(ctx context.Context) (*App, error) {
	key, err := s.Key()
	if err != nil {
		return nil, err
	}
	if s.Store.Kind == storeopen.Redis {
		// go-redis logs failed dials with a logger of its own; through slog, stderr keeps one format.
		redis.SetLogger(redisLogger{})
	}
	store, err := storeopen.Open(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	auth, err := jwtkit.New(s.config(key, store.Store))
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return &App{Settings: s, Auth: auth, store: store}, nil
}

// config is the jwtkit.Config the settings describe. Audit stays at its default, so the
// security events (logins, refreshes, reuse, revocations) are lines of the server's log.
func (s Settings) config(key *jwtkit.Key, store jwtkit.Store) jwtkit.Config {
	return jwtkit.Config{
		SigningKey:             key,
		Store:                  store,
		Users:                  Users{},
		AccessTokenLifetime:    s.AccessTTL,
		RefreshTokenLifetime:   s.RefreshTTL,
		RotateRefreshTokens:    s.RotateRefresh,
		BlacklistAfterRotation: s.BlacklistAfterRotation,
		ReuseDetection:         s.ReuseDetection,
		ReuseGrace:             s.ReuseGrace,
		Cookies:                jwtkit.CookieConfig{Enabled: s.CookieMode, TrustedOrigins: s.CORSOrigins},
		LoginRate:              s.LoginRate,
	}
}

// Serve listens on Settings.Addr, logs the ready line, and serves until ctx is done (SIGINT or
// SIGTERM), then shuts down gracefully: no new connections, requests in flight finish, for at
// most ShutdownTimeout. serve and shutdown are the framework's: an *http.Server's Serve and
// Shutdown, or a Fiber app's Listener and ShutdownWithContext. It returns the exit status: 0
// after a clean shutdown, 1 when the address cannot be listened on or the server fails.
func (a *App) Serve(ctx context.Context, serve func(net.Listener) error, shutdown func(context.Context) error) int {
	// Listen before saying ready, so that the ready line means connections are accepted.
	ln, err := net.Listen("tcp", a.Settings.Addr)
	if err != nil {
		slog.Error("cannot listen", "addr", a.Settings.Addr, "err", err)
		return 1
	}
	served := make(chan error, 1)
	go func() { served <- serve(ln) }()
	slog.Info("ready", "addr", ln.Addr().String(), "store", a.store.Kind)

	select {
	case err := <-served:
		slog.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := shutdown(stopCtx); err != nil {
		slog.Error("shutdown", "err", err)
		return 1
	}
	// Serve returns once shutdown closes the listener: http.ErrServerClosed, or nil for Fiber.
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("server stopped", "err", err)
		return 1
	}
	slog.Info("stopped")
	return 0
}

// Close closes the store: the SQLite file, the SQL or Redis connections, the memory store's
// purge. Call it after Serve returns, once no request can reach the store any more.
func (a *App) Close() {
	if err := a.store.Close(); err != nil {
		slog.Error("closing the store", "err", err)
	}
}

// redisLogger routes go-redis's own log lines through slog.
type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.WarnContext(ctx, fmt.Sprintf(format, v...))
}
