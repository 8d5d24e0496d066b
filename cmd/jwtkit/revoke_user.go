package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	jwtkit "github.com/jwtkit/jwtkit/core"
)

func revokeUserCommand() *command {
	return &command{
		name:     "revoke-user",
		synopsis: "<user-id> [flags]",
		summary:  "log a user out everywhere: revoke every token issued to them until now",
		about: `
Log a user out everywhere: every token of the user issued before the command returns is
revoked, on every device and every server sharing the store: refresh, access and sliding
tokens alike. Tokens issued after it returns are not affected. A token's iat is whole seconds,
so the command waits for the current second to end (at most a second) before it returns. Use
it after a password change, or to lock out a stolen session.

<user-id> is the id as text, the way tokens carry it in the user_id claim: "7" covers the
integer id 7 (a JSON number in the token) and every spelling of it as a string ("7", "07",
"+7") alike. Spaces make another id.

The record is kept for --lifetime, long enough to outlive every token it covers.

Examples:
  jwtkit revoke-user 7
  JWTKIT_STORE=redis jwtkit revoke-user 3f2c9a-user --lifetime 720h`,
		env: append([][2]string{
			{"JWTKIT_ACCESS_TTL", "access token lifetime, for the --lifetime default (default 5m)"},
			{"JWTKIT_REFRESH_TTL", "refresh token lifetime, for the --lifetime default (default 24h)"},
		}, storeEnv...),
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var sf storeFlags
			sf.register(fs)
			var lifetime durationFlag
			fs.Var(&lifetime, "lifetime", "keep the revocation for this `duration`, the longest token lifetime in use "+
				"(default the longer of $JWTKIT_ACCESS_TTL and $JWTKIT_REFRESH_TTL, 24h unless set)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("takes exactly one user id, got %d arguments", len(args))
				}
				userID := args[0]
				if err := checkID("user id", userID); err != nil {
					return err
				}
				keep := lifetime.d
				if !lifetime.set {
					access, err := a.accessTTL()
					if err != nil {
						return err
					}
					refresh, err := a.refreshTTL()
					if err != nil {
						return err
					}
					keep = max(access, refresh)
				}
				if keep < time.Second {
					return usagef("--lifetime must be at least 1s, got %v", keep)
				}
				ctx, cancel := sf.withTimeout(ctx)
				defer cancel()
				o, err := sf.openForRevoking(ctx, a)
				if err != nil {
					return err
				}
				defer func() { _ = o.Close() }()
				cutoff, err := jwtkit.RevokeUserNow(ctx, o.Store, jwtkit.StringUserID(userID), keep, a.now)
				if err != nil {
					return storeFailed(o, err)
				}
				fmt.Fprintf(a.stdout, "%s: revoked every token of user %q issued at or before %s (recorded until %s)\n",
					describe(o), userID, utc(cutoff), utc(cutoff.Add(keep)))
				return nil
			}
		},
	}
}

// checkID refuses ids that can only be mistakes: empty, or with spaces or control characters
// at either end (a copied line break), which would name another id than the tokens carry.
func checkID(what, id string) error {
	switch {
	case id == "":
		return usagef("the %s is empty", what)
	case strings.TrimSpace(id) != id:
		return usagef("the %s %q starts or ends with white space", what, id)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return usagef("the %s %q contains a control character", what, id)
		}
	}
	return nil
}
