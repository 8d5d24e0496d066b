-- jwtkit revocation state. {prefix} is Config.TablePrefix. Times are Unix seconds; an expiry
-- is rounded up to the second. A row whose expires_at has passed counts as absent and is
-- removed by Purge. Keys are opaque and compared byte for byte (SQLite's BINARY collation).

-- Revoked token ids: simplejwt's token_blacklist_blacklistedtoken, keyed on the jti itself.
CREATE TABLE {prefix}blacklisted_tokens (
    jti        TEXT NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL
);
CREATE INDEX {prefix}blacklisted_tokens_expires_at ON {prefix}blacklisted_tokens (expires_at);

-- "Log out everywhere": every token of user_id issued at or before issued_before is revoked.
CREATE TABLE {prefix}user_revocations (
    user_id       TEXT NOT NULL PRIMARY KEY,
    issued_before INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX {prefix}user_revocations_expires_at ON {prefix}user_revocations (expires_at);

-- Revoked token families (refresh-token reuse detection revokes a login's whole chain).
CREATE TABLE {prefix}family_revocations (
    family     TEXT NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL
);
CREATE INDEX {prefix}family_revocations_expires_at ON {prefix}family_revocations (expires_at);
