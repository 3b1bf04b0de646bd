-- Signet's local store on the desktop. Only data that may rest on disk unencrypted lives here:
-- settings, and the profile as the platform shows it (identity number already masked).
-- Tokens never come here: the refresh token lives in the OS keyring, the access token in memory.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE profile_cache (
    server       TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    profile_json TEXT NOT NULL,
    fetched_at   INTEGER NOT NULL,
    PRIMARY KEY (server, user_id)
) STRICT;
