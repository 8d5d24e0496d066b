-- jwtkit revocation state. {prefix} is Config.TablePrefix. Times are Unix seconds; an expiry
-- is rounded up to the second. A row whose expires_at has passed counts as absent and is
-- removed by Purge. Keys are opaque and compared byte for byte (VARBINARY), at most 1024 bytes
-- (sqlstore.MaxKeyLen). DDL is not transactional in MySQL, so every statement here can run
-- twice: a Migrate cut short is finished by the next one.

-- Revoked token ids: simplejwt's token_blacklist_blacklistedtoken, keyed on the jti itself.
CREATE TABLE IF NOT EXISTS {prefix}blacklisted_tokens (
    jti        VARBINARY(1024) NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL,
    INDEX {prefix}blacklisted_tokens_expires_at (expires_at)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;

-- "Log out everywhere": every token of user_id issued at or before issued_before is revoked.
CREATE TABLE IF NOT EXISTS {prefix}user_revocations (
    user_id       VARBINARY(1024) NOT NULL PRIMARY KEY,
    issued_before BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    INDEX {prefix}user_revocations_expires_at (expires_at)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;

-- Revoked token families (refresh-token reuse detection revokes a login's whole chain).
CREATE TABLE IF NOT EXISTS {prefix}family_revocations (
    family     VARBINARY(1024) NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL,
    INDEX {prefix}family_revocations_expires_at (expires_at)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;
