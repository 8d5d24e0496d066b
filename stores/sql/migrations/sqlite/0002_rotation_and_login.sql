-- Reuse detection's grace window and the login limiter. {prefix} is Config.TablePrefix.
-- expires_at is Unix seconds, rounded up, as in 0001: Purge removes a row once it has passed.
-- The other times are Unix nanoseconds, so windows open and close exactly.

-- The answer of a won refresh-token rotation (RotateOnce), sealed by core: opaque bytes,
-- handed out by RotatedAnswer while grace_until is in the future.
CREATE TABLE {prefix}rotation_answers (
    jti         TEXT NOT NULL PRIMARY KEY,
    answer      BLOB NOT NULL,
    grace_until INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX {prefix}rotation_answers_expires_at ON {prefix}rotation_answers (expires_at);

-- One row per login key, written first by each LoginAttempt on the key, which takes SQLite's
-- write lock for the transaction, so that concurrent attempts count one after the other.
CREATE TABLE {prefix}login_keys (
    login_key  TEXT NOT NULL PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX {prefix}login_keys_expires_at ON {prefix}login_keys (expires_at);

-- Login attempts counted in a key's sliding window.
CREATE TABLE {prefix}login_attempts (
    login_key    TEXT NOT NULL,
    attempt_id   TEXT NOT NULL,
    attempted_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (login_key, attempt_id)
);
CREATE INDEX {prefix}login_attempts_key_at ON {prefix}login_attempts (login_key, attempted_at);
CREATE INDEX {prefix}login_attempts_expires_at ON {prefix}login_attempts (expires_at);
