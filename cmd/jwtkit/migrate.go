package main

import (
	"context"
	"flag"
	"fmt"

	storeopen "github.com/jwtkit/jwtkit/stores/open"
)

func migrateCommand() *command {
	return &command{
		name:     "migrate",
		synopsis: "[flags]",
		summary:  "create or update the SQL store's tables, and print the schema version",
		about: `
Apply the SQL store's migrations: create the tables under the table prefix, or bring them up to
the newest schema this jwtkit knows. It is idempotent, and safe while servers run or while
another migrate runs (each database's lock serializes them). A database already at a newer
version than this jwtkit knows is left alone.

The redis and memory stores have no schema: for them migrate says so and exits 0, so a
deployment script may run it whatever the store.

Examples:
  jwtkit migrate                                  # the default SQLite file, as the example servers use
  JWTKIT_STORE=postgres jwtkit migrate
  jwtkit migrate --store mysql --dsn 'app:secret@tcp(db:3306)/auth?parseTime=true' --table-prefix auth_`,
		env: storeEnv,
		setup: func(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
			var sf storeFlags
			sf.register(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				ctx, cancel := sf.withTimeout(ctx)
				defer cancel()
				o, err := sf.open(ctx, a)
				if err != nil {
					return err
				}
				defer func() { _ = o.Close() }()
				if !storeopen.IsSQL(o.Kind) {
					fmt.Fprintf(a.stdout, "%s: nothing to migrate (migrations are for SQL stores)\n", describe(o))
					return nil
				}
				if err := o.Migrate(ctx); err != nil {
					return storeFailed(o, err)
				}
				current, latest, err := o.MigrationVersion(ctx)
				if err != nil {
					return storeFailed(o, err)
				}
				if current > latest {
					fmt.Fprintf(a.stdout, "%s: schema version %d, newer than this jwtkit's %d: left alone\n", describe(o), current, latest)
					return nil
				}
				fmt.Fprintf(a.stdout, "%s: schema version %d (up to date)\n", describe(o), current)
				return nil
			}
		},
	}
}
