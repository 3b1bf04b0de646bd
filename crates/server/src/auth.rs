//! `POST /api/v1/auth/sign-in`, `/refresh` and `/sign-out`, with the wrong-password lockout.
//!
//! Lockout counts wrong passwords per account *name* (table `sign_in_failures`), whether or not
//! the account exists, and an unknown account still pays for one argon2 verification: so the
//! answers, the countdown and the timing are the same for "no such account" and "wrong password".

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;
use signet_domain::api::{
    RefreshRequest, SessionTokens, SignInRequest, LOCKOUT_SECS, MAX_FAILED_SIGN_INS,
};
use signet_domain::ErrorCode;
use sqlx::Row;

use crate::accounts::{check_password, find_credentials, normalize_account};
use crate::error::{ApiJson, AppError, NoStore};
use crate::rate_limit::AuthRateLimit;
use crate::sessions::{self, KnownSession, RevokedBecause};
use crate::state::AppState;
use crate::tokens::sha256_hex;

pub async fn sign_in(
    State(state): State<AppState>,
    _: AuthRateLimit,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<NoStore<Json<SessionTokens>>, AppError> {
    let user_id = verify_credentials(&state, request).await?;
    let tokens = sessions::start(&state, &user_id).await?;
    Ok(NoStore(Json(tokens)))
}

/// The password check of sign-in, with its lockout: the user id when account and password are
/// right. The reviewer console signs in through the same function (the per-IP limit is the
/// caller's extractor).
pub(crate) async fn verify_credentials(
    state: &AppState,
    request: SignInRequest,
) -> Result<String, AppError> {
    let state = state.clone();
    let account = normalize_account(&request.account)?;
    check_password(request.password.expose())?;

    let now = state.now();
    if let Some(locked_until) = locked_until(&state, &account, now).await? {
        return Err(account_locked(locked_until.saturating_sub(now)));
    }

    let (user_id, stored_hash) = match find_credentials(&state, &account).await? {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let password_ok = state.passwords().verify(request.password, stored_hash).await?;

    match user_id {
        Some(user_id) if password_ok => {
            sqlx::query("DELETE FROM sign_in_failures WHERE account = $1")
                .bind(&account)
                .execute(state.pool())
                .await?;
            tracing::info!(account = %account, user_id = %user_id, "signed in");
            Ok(user_id)
        }
        user_id => {
            let failures = record_failure(&state, &account, now).await?;
            let max = i64::from(MAX_FAILED_SIGN_INS);
            if user_id.is_some() {
                tracing::warn!(account = %account, failures, "sign-in refused: wrong password");
            } else {
                // People type their password into the account field: an unknown account name
                // is logged only as a hash prefix, enough to correlate repeated attempts.
                tracing::warn!(
                    account_sha256 = &sha256_hex(&account)[..12],
                    failures,
                    "sign-in refused: unknown account"
                );
            }
            if failures >= max {
                lock(&state, &account, now).await?;
                tracing::warn!(
                    account_sha256 = &sha256_hex(&account)[..12],
                    lockout_secs = LOCKOUT_SECS,
                    "account locked"
                );
                return Err(account_locked(i64::try_from(LOCKOUT_SECS).unwrap_or(i64::MAX)));
            }
            Err(AppError::new(ErrorCode::InvalidCredentials, "wrong account or password")
                .with_details(json!({ "attempts_left": max - failures })))
        }
    }
}

pub async fn refresh(
    State(state): State<AppState>,
    _: AuthRateLimit,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<NoStore<Json<SessionTokens>>, AppError> {
    sessions::refresh(&state, &request.refresh_token).await.map(|tokens| NoStore(Json(tokens)))
}

pub async fn sign_out(
    State(state): State<AppState>,
    session: KnownSession,
) -> Result<StatusCode, AppError> {
    sessions::revoke(&state, &session.family_id, RevokedBecause::SignOut).await?;
    tracing::info!(user_id = %session.user_id, family_id = %session.family_id, "signed out");
    Ok(StatusCode::NO_CONTENT)
}

/// When the lock on `account` ends, if it is locked at `now`.
async fn locked_until(state: &AppState, account: &str, now: i64) -> Result<Option<i64>, AppError> {
    let row = sqlx::query("SELECT locked_until FROM sign_in_failures WHERE account = $1")
        .bind(account)
        .fetch_optional(state.pool())
        .await?;
    let locked_until: Option<i64> = match row {
        Some(row) => row.try_get("locked_until")?,
        None => None,
    };
    Ok(locked_until.filter(|until| *until > now))
}

/// Counts one more wrong password for `account` and returns the count.
async fn record_failure(state: &AppState, account: &str, now: i64) -> Result<i64, AppError> {
    let row = sqlx::query(
        "INSERT INTO sign_in_failures (account, failures, updated_at) VALUES ($1, 1, $2)
         ON CONFLICT (account) DO UPDATE SET
             failures = sign_in_failures.failures + 1,
             updated_at = excluded.updated_at
         RETURNING failures",
    )
    .bind(account)
    .bind(now)
    .fetch_one(state.pool())
    .await?;
    Ok(row.try_get("failures")?)
}

/// Locks `account` for [`LOCKOUT_SECS`] and starts a fresh count for after the lock.
async fn lock(state: &AppState, account: &str, now: i64) -> Result<(), AppError> {
    let until = now.saturating_add(i64::try_from(LOCKOUT_SECS).unwrap_or(i64::MAX));
    sqlx::query(
        "UPDATE sign_in_failures SET failures = 0, locked_until = $1, updated_at = $2
         WHERE account = $3",
    )
    .bind(until)
    .bind(now)
    .bind(account)
    .execute(state.pool())
    .await?;
    Ok(())
}

fn account_locked(retry_after_secs: i64) -> AppError {
    let retry_after_secs = u64::try_from(retry_after_secs).unwrap_or(0).max(1);
    AppError::new(ErrorCode::AccountLocked, "too many wrong passwords; the account is locked")
        .with_details(json!({ "retry_after_secs": retry_after_secs }))
}
