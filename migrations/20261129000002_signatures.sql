-- Signatures (签名维护) cached per platform and user, so they show offline, and the outbox of
-- changes that must still reach the platform.

CREATE TABLE signatures (
    server      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    -- 32 hex digits made on this machine: also the idempotency key of the create.
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('drawn', 'uploaded')),
    png         BLOB NOT NULL,
    svg         TEXT,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    png_sha256  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    -- 1 once the platform is known to have it.
    on_platform INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (server, user_id, id)
) STRICT;

-- The user's default signature as this machine last knew or chose it.
CREATE TABLE signature_default (
    server       TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    signature_id TEXT,
    PRIMARY KEY (server, user_id)
) STRICT;

-- Changes made here that the platform has not confirmed yet, sent in `seq` order. An entry is
-- deleted only after the platform answered it, so a killed app sends it again on the next run;
-- each operation is idempotent on the platform (the create carries the signature's own id).
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    server          TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    -- signature_create | signature_rename | signature_default | signature_delete
    op              TEXT NOT NULL,
    -- The signature the operation is about (empty for "no default").
    target          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    -- The platform's error body (JSON) when it refused the operation for good.
    failure         TEXT,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_by_user ON outbox (server, user_id, seq);
