-- Signatures (签名维护): each user's signatures and their default. Portable between SQLite and
-- PostgreSQL (TEXT and BIGINT only). The PNG and SVG live in the blob directory, never in the
-- database; blob names are random ids.

-- One signature. `id` is made by the app (32 lowercase hex digits) and is the idempotency key of
-- the create, unique across all users. `seq` orders a user's signatures as they were created.
-- Deleting keeps the row as a tombstone (`deleted_at`), so a retried delete still answers 204
-- and a retried create of a deleted id is refused instead of bringing it back; the blob names
-- are cleared once the files are gone.
CREATE TABLE signatures (
    id         TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    -- 'drawn' | 'uploaded'
    kind       TEXT   NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    png_sha256 TEXT   NOT NULL,
    png_blob   TEXT,
    -- Drawn signatures only.
    svg_sha256 TEXT,
    svg_blob   TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);

CREATE UNIQUE INDEX signatures_user ON signatures (user_id, seq);

-- One row per user who ever changed a signature: the default (NULL: none), and the row every
-- signature change of that user writes first, which serialises them (the signature limit and
-- the default stay exact under concurrent requests on both databases).
CREATE TABLE signature_owners (
    user_id    TEXT   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    default_id TEXT   REFERENCES signatures (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
