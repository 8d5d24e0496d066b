package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

func revokeJTICommand() *command {
	return &command{
		name:     "revoke-jti",
		synopsis: "<jti> [flags]",
		summary:  "revoke (blacklist) one token by its jti",
		about: `
Revoke one token by its id, the jti claim ('jwtkit inspect' shows it): the token is refused
everywhere the store is shared from now on, as if it had been blacklisted at the blacklist
endpoint. Revoking a jti twice keeps the later expiry.

The revocation is kept until --expires, which should be at or after the token's exp (an
expired token fails anyway). The default, now plus the refresh token lifetime, covers every
token the servers issue.

Examples:
  jwtkit revoke-jti 9f1c2e7a5b3d4f6e8a0b1c2d3e4f5a6b
  jwtkit revoke-jti 9f1c2e7a5b3d4f6e8a0b1c2d3e4f5a6b --expires 2026-05-01T12:00:00Z
  jwtkit revoke-jti 9f1c2e7a5b3d4f6e8a0b1c2d3e4f5a6b --expires 30m`,
		env: append([][2]string{
			{"JWTKIT_REFRESH_TTL", "refresh token lifetime, for the --expires default (default 24h)"},
		}, storeEnv...),
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var sf storeFlags
			sf.register(fs)
			expires := fs.String("expires", "", "keep the revocation until this `time`: RFC 3339 (2026-05-01T12:00:00Z) "+
				"or a Go duration from now (36h) (default now + $JWTKIT_REFRESH_TTL, 24h unless set)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("takes exactly one jti, got %d arguments", len(args))
				}
				jti := args[0]
				if err := checkID("jti", jti); err != nil {
					return err
				}
				now := a.now()
				until, err := a.expiry(*expires, now)
				if err != nil {
					return err
				}
				ctx, cancel := sf.withTimeout(ctx)
				defer cancel()
				o, err := sf.openForRevoking(ctx, a)
				if err != nil {
					return err
				}
				defer func() { _ = o.Close() }()
				if err := o.Store.Revoke(ctx, jti, until); err != nil {
					return storeFailed(o, err)
				}
				fmt.Fprintf(a.stdout, "%s: revoked jti %q until %s\n", describe(o), jti, utc(until))
				return nil
			}
		},
	}
}

// expiry reads --expires: an RFC 3339 time, or a duration from now; empty means now plus the
// refresh lifetime. It must lie in the future, or there would be nothing to revoke.
func (a *app) expiry(v string, now time.Time) (time.Time, error) {
	if v == "" {
		refresh, err := a.refreshTTL()
		if err != nil {
			return time.Time{}, err
		}
		return now.Add(refresh), nil
	}
	var until time.Time
	if d, err := time.ParseDuration(v); err == nil {
		until = now.Add(d)
	} else if t, err := time.Parse(time.RFC3339, v); err == nil {
		until = t
	} else {
		return time.Time{}, usagef("--expires %q is neither an RFC 3339 time (2026-05-01T12:00:00Z) nor a Go duration (36h)", v)
	}
	if !until.After(now) {
		return time.Time{}, usagef("--expires %s is not in the future: a token expired by then is refused anyway", utc(until))
	}
	return until, nil
}
