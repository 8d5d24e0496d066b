// Command jwtkit administers a jwtkit deployment from the shell: it creates the SQL store's
// tables (migrate), deletes expired entries (flush-expired, simplejwt's flushexpiredtokens),
// logs a user out everywhere (revoke-user), revokes one token (revoke-jti), makes and converts
// keys (keygen), decodes and checks tokens (inspect), and prints its own version (version).
//
//	jwtkit migrate
//	jwtkit revoke-user 7
//	jwtkit keygen --alg ES256 --out signing.pem
//	jwtkit inspect - < token.txt
//
// It reads the example servers' settings from the same environment variables (JWTKIT_STORE,
// JWTKIT_STORE_DSN, JWTKIT_ACCESS_TTL, JWTKIT_REFRESH_TTL, JWTKIT_SIGNING_KEY,
// JWTKIT_ALGORITHM, JWTKIT_PRIVATE_KEY_FILE) and opens its store through storeopen, so a
// command run with a server's environment acts on that server's store. Every command has
// --help. Exit status: 0 on success, 1 when the work failed, 2 for a usage error or settings
// that cannot work.
//
// The program is all in run, which takes the arguments and the standard streams and returns
// the exit status; main only calls it, so the tests run every command with buffers.
package main
