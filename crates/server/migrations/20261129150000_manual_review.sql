-- Manual review (人工审核, method E): resumable photo uploads, reviews, reviewer decisions and
-- reviewer console sessions. Portable between SQLite and PostgreSQL (TEXT and BIGINT only).
-- Photo bytes live in the blob directory, never in the database; blob names are random ids.

-- One resumable upload of one photo. `part_blob` names the partial file while bytes arrive;
-- `blob` the checked, re-encoded JPEG once complete (`completed_at`). `used_at` is set when a
-- submission takes it; unused uploads older than a day are purged with their files.
CREATE TABLE manual_uploads (
    id              TEXT   PRIMARY KEY,
    verification_id TEXT   NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    user_id         TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'id_front' | 'holding_id'
    kind            TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT   NOT NULL,
    received        BIGINT NOT NULL,
    part_blob       TEXT,
    blob            TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    completed_at    BIGINT,
    used_at         BIGINT
);

CREATE INDEX manual_uploads_verification ON manual_uploads (verification_id, kind, sha256);

-- A submission waiting for (or decided by) a reviewer. `status` is 'pending' | 'approved' |
-- 'rejected'; `reason_code` one of the fixed reject reasons. The photos' blob names stay after
-- `photos_deleted_at` (the files are gone then).
CREATE TABLE manual_reviews (
    id                TEXT   PRIMARY KEY,
    verification_id   TEXT   NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    user_id           TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document_type     TEXT   NOT NULL,
    number_masked     TEXT   NOT NULL,
    name              TEXT   NOT NULL,
    front_blob        TEXT   NOT NULL,
    holding_blob      TEXT   NOT NULL,
    status            TEXT   NOT NULL,
    reason_code       TEXT,
    reason_text       TEXT,
    app_version       TEXT,
    submitted_at      BIGINT NOT NULL,
    decided_at        BIGINT,
    decided_by        TEXT   REFERENCES users (id),
    photos_deleted_at BIGINT
);

CREATE INDEX manual_reviews_status ON manual_reviews (status, submitted_at);
CREATE INDEX manual_reviews_user ON manual_reviews (user_id, submitted_at);

-- The audit trail: one row per reviewer decision.
CREATE TABLE review_decisions (
    id          TEXT   PRIMARY KEY,
    review_id   TEXT   NOT NULL REFERENCES manual_reviews (id) ON DELETE CASCADE,
    reviewer_id TEXT   NOT NULL REFERENCES users (id),
    -- 'approved' | 'rejected'
    decision    TEXT   NOT NULL,
    reason_code TEXT,
    reason_text TEXT,
    decided_at  BIGINT NOT NULL
);

-- Reviewer console sessions (cookie). Only the SHA-256 of the cookie value is kept.
CREATE TABLE reviewer_sessions (
    token_hash TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
