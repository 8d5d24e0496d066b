package main

import (
	"context"
	"flag"
	"fmt"

	jwtkit "github.com/jwtkit/jwtkit/core"
	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func flushExpiredCommand() *command {
	return &command{
		name:     "flush-expired",
		synopsis: "[flags]",
		summary:  "delete expired entries from a SQL store (simplejwt's flushexpiredtokens)",
		about: `
Delete the store's entries whose expiry has passed: blacklisted token ids, log-out-everywhere
cutoffs and revoked families that no longer matter, because the tokens they describe fail
their own exp check by now. Expired entries already count as absent, so this only gives the
space back; run it from cron (simplejwt's flushexpiredtokens). Rows go in batches of --batch,
so a large backlog never holds locks for long. Prints how many entries were removed.

Redis expires its entries by itself, and a memory store purges itself inside the server
process: for them there is nothing to do, and the command says so and exits 0.

Examples:
  jwtkit flush-expired
  JWTKIT_STORE=postgres jwtkit flush-expired --batch 5000 --timeout 10m`,
		env: storeEnv,
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var sf storeFlags
			sf.register(fs)
			batch := fs.Int("batch", 1000, "delete at most `n` rows per statement (SQL stores)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if *batch < 1 {
					return usagef("--batch must be at least 1, got %d", *batch)
				}
				s, err := sf.settings(a)
				if err != nil {
					return err
				}
				s.PurgeBatch = *batch
				ctx, cancel := sf.withTimeout(ctx)
				defer cancel()
				o, err := openStore(ctx, s, false)
				if err != nil {
					return err
				}
				defer func() { _ = o.Close() }()
				switch o.Kind {
				case storeopen.Redis:
					fmt.Fprintf(a.stdout, "%s: redis expires entries by itself, nothing to flush\n", describe(o))
					return nil
				case storeopen.Memory:
					fmt.Fprintf(a.stdout, "%s: a memory store purges itself inside the server process, nothing to flush from here\n", describe(o))
					return nil
				}
				purger, ok := o.Store.(jwtkit.Purger)
				if !ok {
					return fmt.Errorf("%s cannot purge", describe(o))
				}
				if err := requireSchema(ctx, o); err != nil {
					return err
				}
				removed, err := purger.Purge(ctx)
				if err != nil {
					fmt.Fprintf(a.stdout, "%s: removed %d expired entries before stopping\n", describe(o), removed)
					return storeFailed(o, err)
				}
				fmt.Fprintf(a.stdout, "%s: removed %d expired entries\n", describe(o), removed)
				return nil
			}
		},
	}
}
