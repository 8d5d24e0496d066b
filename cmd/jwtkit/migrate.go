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
		summary:  "create or update the SQL store's tables, and say which migrations it applied",
		about: `
Apply the SQL store's migrations: create the tables under the table prefix, or bring them up to
the newest schema this jwtkit knows. It is idempotent, and safe while servers run or while
another migrate runs (each database's lock serializes them). A database already at a newer
version than this jwtkit knows is left alone. It prints the migrations it applied and the
schema version, or that the schema was already up to date.

For SQLite, migrate is the one command that creates the database file when it does not exist
(its folder must); the others refuse a missing file, naming the path, rather than leave an
empty database behind. When migrate fails on a file it created, it removes it again.

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
				s, err := sf.settings(a)
				if err != nil {
					return err
				}
				o, err := openStore(ctx, s, true)
				if err != nil {
					return err
				}
				err = migrate(ctx, a, o)
				_ = o.Close()
				if err != nil && o.created {
					removeIfEmpty(o.file)
				}
				return err
			}
		},
	}
}

// migrate applies o's migrations and says what it did: which migrations it applied, or that
// the schema was already current.
func migrate(ctx context.Context, a *app, o *openedStore) error {
	if !storeopen.IsSQL(o.Kind) {
		fmt.Fprintf(a.stdout, "%s: nothing to migrate (migrations are for SQL stores)\n", describe(o))
		return nil
	}
	before, _, err := o.MigrationVersion(ctx)
	if err != nil {
		return storeFailed(o, err)
	}
	if err := o.Migrate(ctx); err != nil {
		return storeFailed(o, err)
	}
	after, latest, err := o.MigrationVersion(ctx)
	if err != nil {
		return storeFailed(o, err)
	}
	switch {
	case after > latest:
		fmt.Fprintf(a.stdout, "%s: schema version %d, newer than this jwtkit's %d: left alone\n", describe(o), after, latest)
	case after == before:
		fmt.Fprintf(a.stdout, "%s: schema version %d, already up to date: nothing applied\n", describe(o), after)
	default:
		// Another migrate running at the same time may have applied some of these; the
		// database's lock made the two take turns, and the versions are what it recorded.
		fmt.Fprintf(a.stdout, "%s: applied %s: schema version %d (up to date)\n", describe(o), migrations(before+1, after), after)
	}
	return nil
}

// migrations names the migrations from first to last.
func migrations(first, last int) string {
	if first == last {
		return fmt.Sprintf("migration %d", first)
	}
	return fmt.Sprintf("migrations %d to %d", first, last)
}
