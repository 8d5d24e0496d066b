-- Reuse detection's grace window and the login limiter. {prefix} is Config.TablePrefix.
-- expires_at is Unix seconds, rounded up, as in 0001: Purge removes a row once it has passed.
-- The other times are Unix nanoseconds, so windows open and close exactly.

-- The answer of a won refresh-token rotation (RotateOnce), sealed by core: opaque bytes,
-- handed out by RotatedAnswer while grace_until is in the future.
CREATE TABLE {prefix}rotation_answers (
    jti         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    answer      BYTEA NOT NULL,
    grace_until BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX {prefix}rotation_answers_expires_at ON {prefix}rotation_answers (expires_at);

-- One row per login key, locked by each LoginAttempt on the key for its transaction, so that
-- concurrent attempts count one after the other.
CREATE TABLE {prefix}login_keys (
    login_key  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX {prefix}login_keys_expires_at ON {prefix}login_keys (expires_at);

-- Login attempts counted in a key's sliding window.
CREATE TABLE {prefix}login_attempts (
    login_key    TEXT COLLATE "C" NOT NULL,
    attempt_id   TEXT COLLATE "C" NOT NULL,
    attempted_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (login_key, attempt_id)
);
CREATE INDEX {prefix}login_attempts_key_at ON {prefix}login_attempts (login_key, attempted_at);
CREATE INDEX {prefix}login_attempts_expires_at ON {prefix}login_attempts (expires_at);
