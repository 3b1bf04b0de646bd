-- Real-name authentication: the server's own secrets, step-1 submissions (verifications) and
-- every verification attempt. Portable between SQLite and PostgreSQL like the first migration.

-- Secrets generated once per database, e.g. the HMAC key for identity numbers. A copy of the
-- database holds them too: they protect against dictionary attacks on other copies and exports
-- of the tables, not against theft of the whole database.
CREATE TABLE server_secrets (
    name       TEXT   PRIMARY KEY,
    -- hex
    value      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- Identity numbers are recognised by HMAC-SHA256 (keyed with the `identity_hmac` secret) from now
-- on: a plain SHA-256 of an 18-character ID number can be reversed by trying every birth date,
-- region and sequence. `number_sha256` stays for rows written before, and is no longer filled.
-- SQLite cannot drop a NOT NULL constraint, so the table is rebuilt.
CREATE TABLE identities_v2 (
    user_id       TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- 'id_card' | 'passport' | ...
    document_type TEXT   NOT NULL,
    number_masked TEXT   NOT NULL,
    number_sha256 TEXT,
    number_hmac   TEXT,
    name          TEXT   NOT NULL,
    updated_at    BIGINT NOT NULL
);

INSERT INTO identities_v2 (user_id, document_type, number_masked, number_sha256, name, updated_at)
SELECT user_id, document_type, number_masked, number_sha256, name, updated_at FROM identities;

DROP TABLE identities;

ALTER TABLE identities_v2 RENAME TO identities;

-- Step 1 of real-name authentication: an identity a user submitted, to be proven by a method
-- before `expires_at`. The full document number is not stored: the masked form for display, the
-- HMAC to compare with providers' records and to count attempts per identity number.
CREATE TABLE verifications (
    id            TEXT   PRIMARY KEY,
    user_id       TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document_type TEXT   NOT NULL,
    number_masked TEXT   NOT NULL,
    number_hmac   TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    -- 'identity_submitted' | 'verified'
    status        TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE INDEX verifications_user ON verifications (user_id);

-- Every attempt of a method, kept as the user's authentication history and to count the daily
-- budgets. Not tied to `verifications` by a foreign key: history outlives expired submissions.
CREATE TABLE verification_attempts (
    id                 TEXT   PRIMARY KEY,
    user_id            TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    verification_id    TEXT   NOT NULL,
    -- 'bank_card' | 'alipay' | 'phone' | 'face' | 'manual_review'
    method             TEXT   NOT NULL,
    -- 'success' | 'failure' | 'provider_timeout'
    outcome            TEXT   NOT NULL,
    -- 'elements_mismatch' | NULL
    reason_code        TEXT,
    -- 'name' | 'id_number' | 'card_number' | 'phone' | NULL
    mismatched_element TEXT,
    document_type      TEXT   NOT NULL,
    number_masked      TEXT   NOT NULL,
    number_hmac        TEXT   NOT NULL,
    app_version        TEXT,
    created_at         BIGINT NOT NULL
);

CREATE INDEX verification_attempts_user ON verification_attempts (user_id, created_at);
CREATE INDEX verification_attempts_number ON verification_attempts (number_hmac, created_at);
