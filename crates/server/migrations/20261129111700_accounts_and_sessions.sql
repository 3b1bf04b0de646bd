-- Accounts, real-name identities, sign-in lockouts and sessions.
--
-- Portable between SQLite and PostgreSQL: only TEXT and BIGINT columns, ids are random TEXT made
-- by the server, times are BIGINT unix seconds, flags are nullable timestamps.

CREATE TABLE users (
    id               TEXT   PRIMARY KEY,
    account          TEXT   NOT NULL UNIQUE,
    -- argon2id, PHC string format.
    password_hash    TEXT   NOT NULL,
    display_name     TEXT   NOT NULL,
    -- 'staff' | 'reviewer'
    role             TEXT   NOT NULL,
    -- 'unverified' | 'pending_review' | 'verified' | 'rejected'
    real_name_status TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- The identity a user verified or submitted. The full document number is never stored: only its
-- masked form (for display) and a SHA-256 hash (to recognise the same number again).
CREATE TABLE identities (
    user_id       TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- 'id_card' | 'passport' | ...
    document_type TEXT   NOT NULL,
    number_masked TEXT   NOT NULL,
    number_sha256 TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Wrong passwords in a row, per account NAME rather than per user row, so that an account that
-- does not exist counts down and locks exactly like one that does (no account enumeration).
CREATE TABLE sign_in_failures (
    account      TEXT   PRIMARY KEY,
    failures     BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at   BIGINT NOT NULL
);

-- One sign-in starts a family; every refresh adds a token pair to it. Revoking the family
-- (sign-out, or a refresh token used twice) ends all of its tokens at once.
CREATE TABLE session_families (
    id             TEXT   PRIMARY KEY,
    user_id        TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    -- 'sign_out' | 'refresh_token_reused'
    revoked_reason TEXT
);

CREATE INDEX session_families_user ON session_families (user_id);

-- Tokens are stored only as SHA-256 hashes (hex) of the opaque value handed to the client.
CREATE TABLE access_tokens (
    token_hash TEXT   PRIMARY KEY,
    family_id  TEXT   NOT NULL REFERENCES session_families (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX access_tokens_family ON access_tokens (family_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT   PRIMARY KEY,
    family_id  TEXT   NOT NULL REFERENCES session_families (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Set when the token is exchanged; a second exchange is a reuse.
    used_at    BIGINT
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
