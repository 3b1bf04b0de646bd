//! Sessions: token families, rotation and revocation, and the bearer-token extractors.
//!
//! A sign-in starts a *family* and hands out an access token (15 minutes) and a refresh token
//! (30 days). Each refresh marks the presented refresh token used and adds a new pair to the
//! same family. A refresh token presented a second time means it leaked (or the client raced
//! itself): the whole family is revoked, so the thief's tokens die with the victim's. Tokens are
//! random and stored only as SHA-256 hashes, so a copy of the database cannot be replayed.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use signet_domain::api::{SessionTokens, ACCESS_TOKEN_TTL_SECS, REFRESH_TOKEN_TTL_SECS};
use signet_domain::{ErrorCode, Sensitive};
use sqlx::{Any, Row, Transaction};

use crate::error::AppError;
use crate::state::AppState;
use crate::tokens::{new_id, new_token, sha256_hex};

/// Our tokens are 43 characters; anything much longer is not worth hashing and looking up.
const MAX_TOKEN_CHARS: usize = 256;

/// Why a family was revoked, as stored in `session_families.revoked_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RevokedBecause {
    SignOut,
    RefreshTokenReused,
}

impl RevokedBecause {
    fn as_str(self) -> &'static str {
        match self {
            Self::SignOut => "sign_out",
            Self::RefreshTokenReused => "refresh_token_reused",
        }
    }
}

/// Starts a new family for `user_id` and returns its first token pair.
pub(crate) async fn start(state: &AppState, user_id: &str) -> Result<SessionTokens, AppError> {
    let now = state.now();
    let family_id = new_id();
    let mut tx = state.pool().begin().await?;
    sqlx::query("INSERT INTO session_families (id, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(&family_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let tokens = issue_pair(&mut tx, &family_id, user_id, now).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Exchanges a refresh token for a new pair in the same family.
pub(crate) async fn refresh(
    state: &AppState,
    refresh_token: &Sensitive<String>,
) -> Result<SessionTokens, AppError> {
    let raw = refresh_token.expose();
    if raw.is_empty() || raw.chars().count() > MAX_TOKEN_CHARS {
        return Err(unknown_token());
    }
    let hash = sha256_hex(raw);
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    // Claim the token first: the write takes the lock (SQLite) or the row lock (PostgreSQL), so
    // of two concurrent exchanges exactly one claims it and the other sees a reuse.
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(&hash)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let row = sqlx::query(
        "SELECT r.family_id, r.expires_at, f.user_id, f.revoked_at
         FROM refresh_tokens r JOIN session_families f ON f.id = r.family_id
         WHERE r.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(unknown_token());
    };
    let family_id: String = row.try_get("family_id")?;
    let user_id: String = row.try_get("user_id")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;

    if !claimed {
        revoke_in(&mut tx, &family_id, RevokedBecause::RefreshTokenReused, now).await?;
        tx.commit().await?;
        tracing::warn!(user_id = %user_id, family_id = %family_id,
            "refresh token reused: session family revoked");
        return Err(AppError::new(
            ErrorCode::RefreshTokenReused,
            "this refresh token was already used; the session was ended",
        ));
    }
    if revoked_at.is_some() || expires_at <= now {
        // Dropping the transaction rolls the claim back; the answer is the same either way.
        return Err(session_expired());
    }
    let tokens = issue_pair(&mut tx, &family_id, &user_id, now).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, family_id = %family_id, "session refreshed");
    Ok(tokens)
}

/// Ends the family: its access and refresh tokens stop working at once.
pub(crate) async fn revoke(
    state: &AppState,
    family_id: &str,
    because: RevokedBecause,
) -> Result<(), AppError> {
    let mut tx = state.pool().begin().await?;
    revoke_in(&mut tx, family_id, because, state.now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn revoke_in(
    tx: &mut Transaction<'static, Any>,
    family_id: &str,
    because: RevokedBecause,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE session_families SET revoked_at = $1, revoked_reason = $2
         WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(because.as_str())
    .bind(family_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn issue_pair(
    tx: &mut Transaction<'static, Any>,
    family_id: &str,
    user_id: &str,
    now: i64,
) -> Result<SessionTokens, AppError> {
    let access_ttl = i64::try_from(ACCESS_TOKEN_TTL_SECS).unwrap_or(i64::MAX);
    let refresh_ttl = i64::try_from(REFRESH_TOKEN_TTL_SECS).unwrap_or(i64::MAX);
    let access = new_token();
    let refresh = new_token();
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, family_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(sha256_hex(access.expose()))
    .bind(family_id)
    .bind(now)
    .bind(now.saturating_add(access_ttl))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(sha256_hex(refresh.expose()))
    .bind(family_id)
    .bind(now)
    .bind(now.saturating_add(refresh_ttl))
    .execute(&mut **tx)
    .await?;
    Ok(SessionTokens {
        user_id: user_id.to_owned(),
        access_token: access,
        access_expires_in: ACCESS_TOKEN_TTL_SECS,
        refresh_token: refresh,
        refresh_expires_in: REFRESH_TOKEN_TTL_SECS,
    })
}

fn unknown_token() -> AppError {
    AppError::new(ErrorCode::Unauthorized, "unknown token")
}

fn session_expired() -> AppError {
    AppError::new(ErrorCode::SessionExpired, "the session has expired or was ended; sign in again")
}

/// The session behind the bearer access token, whatever its state.
#[derive(Debug, Clone)]
struct BearerRecord {
    user_id: String,
    family_id: String,
    expires_at: i64,
    revoked: bool,
}

async fn bearer_record(parts: &Parts, state: &AppState) -> Result<BearerRecord, AppError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| AppError::new(ErrorCode::Unauthorized, "missing bearer token"))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty() && token.len() <= MAX_TOKEN_CHARS)
        .ok_or_else(|| {
            AppError::new(ErrorCode::Unauthorized, "expected `Authorization: Bearer <token>`")
        })?;
    let row = sqlx::query(
        "SELECT a.expires_at, f.id AS family_id, f.user_id, f.revoked_at
         FROM access_tokens a JOIN session_families f ON f.id = a.family_id
         WHERE a.token_hash = $1",
    )
    .bind(sha256_hex(token))
    .fetch_optional(state.pool())
    .await?
    .ok_or_else(unknown_token)?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    Ok(BearerRecord {
        user_id: row.try_get("user_id")?,
        family_id: row.try_get("family_id")?,
        expires_at: row.try_get("expires_at")?,
        revoked: revoked_at.is_some(),
    })
}

/// A request carrying a valid access token: known, unexpired, family not revoked.
/// Missing or unknown → 401 `unauthorized`; expired or revoked → 401 `session_expired`.
#[derive(Debug, Clone)]
pub(crate) struct Authenticated {
    pub(crate) user_id: String,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let record = bearer_record(parts, state).await?;
        if record.revoked || record.expires_at <= state.now() {
            return Err(session_expired());
        }
        Ok(Self { user_id: record.user_id })
    }
}

/// A request carrying an access token we issued, even if it has expired or was revoked. Only
/// sign-out takes it: a client whose access token lapsed must still be able to end its session
/// (and with it the 30-day refresh token) without refreshing first.
#[derive(Debug, Clone)]
pub(crate) struct KnownSession {
    pub(crate) user_id: String,
    pub(crate) family_id: String,
}

impl FromRequestParts<AppState> for KnownSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let record = bearer_record(parts, state).await?;
        Ok(Self { user_id: record.user_id, family_id: record.family_id })
    }
}
