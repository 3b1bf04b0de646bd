-- Face recognition (人脸识别, method D): challenges, resumable clip uploads, and the liveness
-- reasons of attempts. Portable between SQLite and PostgreSQL like the earlier migrations (TEXT
-- and BIGINT only). Clip bytes live in the blob directory, never in the database.

-- A challenge of 4-6 digits the user reads aloud on camera. Single use: `used_at` is set by the
-- one submission that takes it (an UPDATE guarded by `used_at IS NULL AND expires_at > now`).
CREATE TABLE face_challenges (
    id              TEXT   PRIMARY KEY,
    verification_id TEXT   NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    user_id         TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digits          TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

CREATE INDEX face_challenges_verification ON face_challenges (verification_id, created_at);

-- One resumable upload of one clip, the same columns as `manual_uploads` (the upload code is
-- shared; `kind` is always 'face_clip'). `used_at` is set when a submission takes it. The clip
-- (`blob`) is deleted right after its analysis (`blob_deleted_at`), or at `delete_after` when a
-- retention period is configured; unused uploads older than a day are purged with their files.
CREATE TABLE face_uploads (
    id              TEXT   PRIMARY KEY,
    verification_id TEXT   NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    user_id         TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    sha256          TEXT   NOT NULL,
    received        BIGINT NOT NULL,
    part_blob       TEXT,
    blob            TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    completed_at    BIGINT,
    used_at         BIGINT,
    delete_after    BIGINT,
    blob_deleted_at BIGINT
);

CREATE INDEX face_uploads_verification ON face_uploads (verification_id, kind, sha256);
CREATE INDEX face_uploads_retention ON face_uploads (delete_after);

-- What a failed face attempt failed on: liveness reason codes, comma-separated in a fixed
-- order (`no_face,too_dark`). NULL for every other method.
ALTER TABLE verification_attempts ADD COLUMN reasons TEXT;
