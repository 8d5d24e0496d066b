-- Reuse detection's grace window and the login limiter. {prefix} is Config.TablePrefix.
-- expires_at is Unix seconds, rounded up, as in 0001: Purge removes a row once it has passed.
-- The other times are Unix nanoseconds, so windows open and close exactly. Keys and ids are
-- opaque, compared byte for byte, at most 1024 bytes (sqlstore.MaxKeyLen). As in 0001, every
-- statement can run twice.

-- The answer of a won refresh-token rotation (RotateOnce), sealed by core: opaque bytes,
-- handed out by RotatedAnswer while grace_until is in the future.
CREATE TABLE IF NOT EXISTS {prefix}rotation_answers (
    jti         VARBINARY(1024) NOT NULL PRIMARY KEY,
    answer      MEDIUMBLOB NOT NULL,
    grace_until BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    INDEX {prefix}rotation_answers_expires_at (expires_at)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;

-- One row per login key, locked by each LoginAttempt on the key for its transaction, so that
-- concurrent attempts count one after the other.
CREATE TABLE IF NOT EXISTS {prefix}login_keys (
    login_key  VARBINARY(1024) NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    INDEX {prefix}login_keys_expires_at (expires_at)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;

-- Login attempts counted in a key's sliding window.
CREATE TABLE IF NOT EXISTS {prefix}login_attempts (
    login_key    VARBINARY(1024) NOT NULL,
    attempt_id   VARBINARY(1024) NOT NULL,
    attempted_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (login_key, attempt_id),
    INDEX {prefix}login_attempts_key_at (login_key, attempted_at),
    INDEX {prefix}login_attempts_expires_at (expires_at)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;
