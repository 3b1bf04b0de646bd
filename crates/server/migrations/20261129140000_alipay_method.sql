-- Alipay quick authentication (支付宝快捷认证, method B): authorization sessions. Portable between
-- SQLite and PostgreSQL like the earlier migrations (TEXT and BIGINT only).

-- One authorization session of a verification. The page URL carries a random single-use token;
-- only its SHA-256 is kept (`token_hash`). `status` is 'pending' | 'success' | 'failure';
-- `reason` the failure reason code ('elements_mismatch' | 'alipay_declined' | 'user_cancelled' |
-- 'window_closed' | 'alipay_timeout'); `token_used_at` is set when the page's form was
-- submitted (agree or cancel); `provider_timeout_at` when Alipay was asked and did not answer
-- (the session then stays pending until it expires, and ends as a provider timeout that is not
-- counted against the budgets). `app_version` is the app's, from the start request, for the
-- attempt recorded when the session is decided.
CREATE TABLE alipay_sessions (
    id                  TEXT   PRIMARY KEY,
    verification_id     TEXT   NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
    user_id             TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash          TEXT   NOT NULL UNIQUE,
    status              TEXT   NOT NULL,
    reason              TEXT,
    mismatched_element  TEXT,
    app_version         TEXT,
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    token_used_at       BIGINT,
    provider_timeout_at BIGINT,
    decided_at          BIGINT
);

CREATE INDEX alipay_sessions_verification ON alipay_sessions (verification_id, created_at);
CREATE INDEX alipay_sessions_user_status ON alipay_sessions (user_id, status);
