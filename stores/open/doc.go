// Package storeopen turns the example servers' store settings (JWTKIT_STORE and
// JWTKIT_STORE_DSN, see the wire contract) into a jwtkit.Store, so the example servers and the
// jwtkit command line open stores the same way, with the same defaults.
//
//	s := storeopen.FromEnv() // JWTKIT_STORE (default sqlite), JWTKIT_STORE_DSN
//	s.AutoMigrate = true     // the example servers: zero set-up
//	opened, err := storeopen.Open(ctx, s)
//	if err != nil { … }
//	defer opened.Close()
//	auth, err := jwtkit.New(jwtkit.Config{SigningKey: key, Store: opened.Store, Users: users})
//
// Importing the package registers the database/sql drivers of the SQL kinds: pgx for
// PostgreSQL, go-sql-driver/mysql for MySQL and MariaDB, and modernc.org/sqlite (pure Go, no
// cgo) for SQLite. A program that only wants one store, and not those dependencies, builds it
// with memstore, redisstore or sqlstore directly.
//
// Migrations: Open creates no tables unless Settings.AutoMigrate is set. The example servers
// set it, so the default SQLite file works on first start; the command line does not, and
// `jwtkit migrate` (Opened.Migrate) is the explicit step a deployment runs.
//
// The module lives in the folder stores/open; the package is named storeopen so call sites
// read storeopen.Open, which neither clashes with os.Open nor reads as if it opened a file.
package storeopen
