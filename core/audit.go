package jwtkit

import (
	"context"
	"log/slog"
	"time"
)

// AuditKind names a security event.
type AuditKind string

// The audited events.
const (
	AuditLoginSucceeded AuditKind = "login_succeeded"
	// AuditLoginFailed: wrong credentials, an unknown user or an inactive one (the event does
	// not say which, as the answer does not).
	AuditLoginFailed AuditKind = "login_failed"
	// AuditLoginThrottled: a login refused by Config.LoginRate before the password was checked.
	AuditLoginThrottled AuditKind = "login_throttled"
	// AuditRefreshed: a refresh token minted new tokens (Grace: the answer of an earlier
	// rotation handed out again within Config.ReuseGrace).
	AuditRefreshed AuditKind = "refreshed"
	// AuditReuseDetected: a rotated or blacklisted refresh token was presented again; its
	// family was revoked.
	AuditReuseDetected AuditKind = "reuse_detected"
	// AuditBlacklisted: a refresh token was revoked at logout.
	AuditBlacklisted AuditKind = "blacklisted"
	// AuditAccessRevoked: the access token presented at logout was revoked with it.
	AuditAccessRevoked AuditKind = "access_revoked"
	// AuditRevokedAll: every token of a user issued until now was revoked.
	AuditRevokedAll AuditKind = "revoked_all"
)

// AuditEvent is one security event. It never carries a password or a token, only token ids.
type AuditEvent struct {
	Kind AuditKind
	// UserID is the user concerned; zero for a failed or throttled login.
	UserID UserID
	// Username is the name given at login, for login events only.
	Username string
	// ClientAddr is the client address of a login event: the connection's peer, or the client
	// behind Config.TrustedProxies.
	ClientAddr string
	// TokenID is the jti of the token presented (the refresh token at refresh and logout).
	TokenID string
	// Family is the token family under Config.ReuseDetection.
	Family string
	// Grace marks a refresh answered from an earlier rotation within Config.ReuseGrace.
	Grace bool
	// RetryAfter is how long a throttled login must wait.
	RetryAfter time.Duration
}

// NoAudit is an Audit hook that discards every event.
func NoAudit(context.Context, AuditEvent) {}

// SlogAudit is an Audit hook that logs each event to l with the request's context (so a
// handler can add a request id): failures, throttling and reuse at Warn, logins and
// revocations at Info, refreshes at Debug.
func SlogAudit(l *slog.Logger) func(context.Context, AuditEvent) {
	return func(ctx context.Context, e AuditEvent) {
		level := slog.LevelInfo
		switch e.Kind {
		case AuditLoginFailed, AuditLoginThrottled, AuditReuseDetected:
			level = slog.LevelWarn
		case AuditRefreshed:
			level = slog.LevelDebug
		}
		if !l.Enabled(ctx, level) {
			return
		}
		attrs := make([]slog.Attr, 0, 6)
		if !e.UserID.IsZero() {
			attrs = append(attrs, slog.String("user_id", e.UserID.String()))
		}
		for _, kv := range [...][2]string{
			{"username", e.Username}, {"client", e.ClientAddr}, {"jti", e.TokenID}, {"family", e.Family},
		} {
			if kv[1] != "" {
				attrs = append(attrs, slog.String(kv[0], kv[1]))
			}
		}
		if e.Grace {
			attrs = append(attrs, slog.Bool("grace", true))
		}
		if e.RetryAfter > 0 {
			attrs = append(attrs, slog.Duration("retry_after", e.RetryAfter))
		}
		l.LogAttrs(ctx, level, "jwtkit: "+string(e.Kind), attrs...)
	}
}

func (a *Auth) audit(ctx context.Context, e AuditEvent) { a.cfg.Audit(ctx, e) }

// defaultAudit logs to whatever slog.Default() is when the event happens, so an application
// that sets its default logger after New still gets the events there.
func defaultAudit(ctx context.Context, e AuditEvent) { SlogAudit(slog.Default())(ctx, e) }
