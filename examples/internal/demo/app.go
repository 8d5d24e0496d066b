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
// go-redis's own log lines (failed dials) go through it too, so stderr keeps one format.
// Nothing in the examples logs a token, a password, the key, a DSN or a request header.
func Logger(framework string) *slog.Logger {
	redis.SetLogger(redisLogger{})
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("framework", framework)
}

// CannotStart logs why the server cannot start and returns its exit status (ExitCode).
func CannotStart(err error) int {
	slog.Error("cannot start", "err", err)
	return ExitCode(err)
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

// Apply returns c with what the JWTKIT_* variables set besides the key and the store: token
// lifetimes, rotation, and the features beyond simplejwt (reuse detection, cookie mode with its
// trusted origins, login rate limiting). Audit stays at its default, so the security events
// (logins, refreshes, reuse, revocations) are lines of the server's log.
func (s Settings) Apply(c jwtkit.Config) jwtkit.Config {
	c.AccessTokenLifetime, c.RefreshTokenLifetime = s.AccessTTL, s.RefreshTTL
	c.RotateRefreshTokens, c.BlacklistAfterRotation = s.RotateRefresh, s.BlacklistAfterRotation
	c.ReuseDetection, c.ReuseGrace = s.ReuseDetection, s.ReuseGrace
	c.Cookies = jwtkit.CookieConfig{Enabled: s.CookieMode, TrustedOrigins: s.CORSOrigins}
	c.LoginRate = s.LoginRate
	return c
}

// Serve listens on addr, logs the ready line (naming the store kind), and serves until ctx is
// done (SIGINT or SIGTERM), then shuts down gracefully: no new connections, requests in flight
// finish, for at most ShutdownTimeout. serve and shutdown are the framework's: an
// *http.Server's Serve and Shutdown, or a Fiber app's Listener and ShutdownWithContext. It
// returns the exit status: 0 after a clean shutdown, 1 when the address cannot be listened on
// or the server fails.
func Serve(ctx context.Context, addr, store string, serve func(net.Listener) error, shutdown func(context.Context) error) int {
	// Listen before saying ready, so that the ready line means connections are accepted.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		slog.Error("cannot listen", "addr", addr, "err", err)
		return 1
	}
	served := make(chan error, 1)
	go func() { served <- serve(ln) }()
	slog.Info("ready", "addr", ln.Addr().String(), "store", store)

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

// redisLogger routes go-redis's own log lines through slog.
type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.WarnContext(ctx, fmt.Sprintf(format, v...))
}
