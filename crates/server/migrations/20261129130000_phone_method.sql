-- The phone method (手机号认证): SMS challenges, and the sandbox SMS outbox. Portable between
-- SQLite and PostgreSQL like the earlier migrations (TEXT and BIGINT only).

-- One SMS code sent for a verification. Neither the number nor the code is kept in clear:
-- `phone_hmac` (HMAC-SHA256 under the server key, purpose "phone") counts codes per number and
-- day; `code_hash` is the HMAC of the challenge id and the code (short-lived, 5 tries);
-- `phone_sealed` is the number XORed with an HMAC keystream of the challenge id (hex), kept only
-- on the newest challenge of a verification so that `.../phone/resend` can send a new code, and
-- wiped when the verification succeeds.
CREATE TABLE sms_challenges (
    id              TEXT   PRIMARY KEY,
    verification_id TEXT   NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    user_id         TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phone_hmac      TEXT   NOT NULL,
    phone_masked    TEXT   NOT NULL,
    phone_sealed    TEXT,
    code_hash       TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    wrong_tries     BIGINT NOT NULL,
    voided_at       BIGINT,
    -- 'replaced' (a newer code was sent) | 'wrong_tries' | 'expired' | 'send_failed' | NULL
    void_reason     TEXT,
    used_at         BIGINT,
    -- Set when a newer code is sent for the same verification: the current challenge is the
    -- one without it.
    superseded_at   BIGINT
);

CREATE INDEX sms_challenges_verification ON sms_challenges (verification_id, created_at);
CREATE INDEX sms_challenges_phone ON sms_challenges (phone_hmac, created_at);

-- SANDBOX ONLY: the messages the sandbox SMS gateway "sent", with the full number and code, so
-- that testers can read them (GET /sandbox/sms, `signet-server sandbox sms`). A real SMS gateway
-- adapter writes nothing here.
CREATE TABLE sandbox_sms_outbox (
    id           TEXT   PRIMARY KEY,
    phone_masked TEXT   NOT NULL,
    phone        TEXT   NOT NULL,
    code         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE INDEX sandbox_sms_outbox_created ON sandbox_sms_outbox (created_at);
