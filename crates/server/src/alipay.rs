//! Alipay quick authentication (支付宝快捷认证, method B) of real-name authentication:
//!
//! 1. `POST /api/v1/real-name/{verification_id}/alipay` (no body) checks the verification like
//!    every method (owner, not expired, method available, budgets) and opens an *authorization
//!    session*: `{"session_id", "authorize_path": "/sandbox/alipay/authorize?token=...",
//!    "expires_in": 300}`. The token is random and single-use; only its SHA-256 is stored. A new
//!    session replaces the caller's open ones (they end as `window_closed`).
//! 2. The app opens the page in its own window. In sandbox mode the server serves it
//!    (`GET /sandbox/alipay/authorize?token=...`): the identity being verified (name, masked
//!    number), a choice of sandbox Alipay accounts ([`crate::SANDBOX_ALIPAY_ACCOUNTS`]), and the
//!    buttons 同意并认证 (`POST /sandbox/alipay/authorize/agree`: Alipay — the
//!    [`AlipayProvider`] — compares the account's real-name identity with the verification's)
//!    and 取消 (`POST /sandbox/alipay/authorize/cancel`: `user_cancelled`).
//! 3. The app polls `GET /api/v1/real-name/{verification_id}/alipay/{session_id}` (not subject
//!    to the per-minute real-name limit) until the status is `success` or `failure`; a closed
//!    window is reported with `POST .../alipay/{session_id}/cancel` (`window_closed`).
//!
//! A pending session past its expiry ends as `alipay_timeout` when it is next read (or when the
//! user starts another session). Each decided session records exactly one attempt (method
//! `alipay`). Budgets: every failure counts (mismatch, declined, cancelled, window closed, and
//! an authorization the user let expire), except when Alipay itself did not answer after the
//! user agreed (the sandbox account `timeout@sandbox.alipay`): that session ends as
//! `alipay_timeout` too, but is recorded with outcome `provider_timeout` and not counted.

use std::time::Duration;

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use signet_domain::api::{
    AlipaySessionStatus, AlipayStart, AlipayStatus, AttemptOutcome, FailureReason,
    MismatchedElement, RealNameStatus, VerificationResult,
};
use signet_domain::identity::{DocumentType, VerificationMethod};
use signet_domain::ErrorCode;
use sqlx::Row;

use crate::error::{AppError, NoStore};
use crate::providers::{
    AlipayCheck, AlipayQuery, ProviderTimeout, SandboxAlipay, SANDBOX_ALIPAY_ACCOUNTS,
};
use crate::real_name::{
    app_version, attempts_left, complete_verification, ensure_available, load_verification,
    record_attempt, Attempt, Verification, VerifyingUser,
};
use crate::sandbox::{china_time, ensure_sandbox, escape};
use crate::sessions::Authenticated;
use crate::state::AppState;
use crate::tokens::{new_id, new_token, sha256_hex};

const METHOD: VerificationMethod = VerificationMethod::Alipay;

/// The sandbox authorization page; `authorize_path` is this with `?token=...`.
pub const SANDBOX_ALIPAY_AUTHORIZE_PATH: &str = "/sandbox/alipay/authorize";
const AGREE_PATH: &str = "/sandbox/alipay/authorize/agree";
const CANCEL_PATH: &str = "/sandbox/alipay/authorize/cancel";

/// The platform name the authorization page shows.
const PLATFORM_NAME: &str = "Signet 可信电子凭证平台";

/// `POST /api/v1/real-name/{verification_id}/alipay`.
pub async fn start(
    State(state): State<AppState>,
    user: VerifyingUser,
    headers: HeaderMap,
    verification_id: Result<Path<String>, PathRejection>,
) -> Result<NoStore<Json<AlipayStart>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    // Earlier sessions end first (their attempts may use up today's budget).
    settle_open_sessions(&state, &user.user_id, now).await?;
    ensure_available(&state, &user.user_id, &verification, METHOD, now).await?;

    let verification_expires_at: i64 =
        sqlx::query("SELECT expires_at FROM verifications WHERE id = $1")
            .bind(&verification.id)
            .fetch_one(state.pool())
            .await?
            .try_get("expires_at")?;
    let ttl = i64::try_from(state.limits().alipay_session_ttl_secs).unwrap_or(i64::MAX);
    let expires_at = now.saturating_add(ttl).min(verification_expires_at);
    let session_id = new_id();
    let token = new_token();
    sqlx::query(
        "INSERT INTO alipay_sessions (id, verification_id, user_id, token_hash, status,
                                      app_version, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&session_id)
    .bind(&verification.id)
    .bind(&user.user_id)
    .bind(sha256_hex(token.expose()))
    .bind(AlipaySessionStatus::Pending.as_str())
    .bind(app_version(&headers))
    .bind(now)
    .bind(expires_at)
    .execute(state.pool())
    .await?;
    tracing::info!(
        user_id = %user.user_id,
        verification_id = %verification.id,
        session_id = %session_id,
        "alipay authorization session started"
    );
    Ok(NoStore(Json(AlipayStart {
        session_id,
        authorize_path: format!("{SANDBOX_ALIPAY_AUTHORIZE_PATH}?token={}", token.expose()),
        expires_in: secs_until(expires_at, now),
    })))
}

/// `GET /api/v1/real-name/{verification_id}/alipay/{session_id}`.
pub async fn status(
    State(state): State<AppState>,
    user: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<NoStore<Json<AlipayStatus>>, AppError> {
    let now = state.now();
    let session = owned_session(&state, &user.user_id, ids).await?;
    if session.status == AlipaySessionStatus::Pending && session.expires_at <= now {
        decide(&state, &session, timeout_ending(), session.expires_at).await?;
    }
    Ok(NoStore(Json(status_of(&state, &session.id, now).await?)))
}

/// `POST /api/v1/real-name/{verification_id}/alipay/{session_id}/cancel`: the user closed the
/// authorization window. Ends a pending session as `window_closed` (as `alipay_timeout` when it
/// had expired or Alipay had not answered); idempotent.
pub async fn cancel(
    State(state): State<AppState>,
    user: Authenticated,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<NoStore<Json<AlipayStatus>>, AppError> {
    let now = state.now();
    let session = owned_session(&state, &user.user_id, ids).await?;
    if session.status == AlipaySessionStatus::Pending {
        if session.expires_at <= now {
            decide(&state, &session, timeout_ending(), session.expires_at).await?;
        } else if session.provider_timeout_at.is_some() {
            decide(&state, &session, timeout_ending(), now).await?;
        } else {
            decide(&state, &session, Ending::Failure(FailureReason::WindowClosed, None), now)
                .await?;
        }
    }
    Ok(NoStore(Json(status_of(&state, &session.id, now).await?)))
}

/// How a session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Success,
    Failure(FailureReason, Option<MismatchedElement>),
}

fn timeout_ending() -> Ending {
    Ending::Failure(FailureReason::AlipayTimeout, None)
}

/// A session row with its verification.
struct Session {
    id: String,
    user_id: String,
    status: AlipaySessionStatus,
    app_version: Option<String>,
    expires_at: i64,
    token_used_at: Option<i64>,
    provider_timeout_at: Option<i64>,
    verification: Verification,
}

const SESSION_COLUMNS: &str = "s.id, s.user_id, s.status, s.reason, s.mismatched_element,
    s.app_version, s.expires_at, s.token_used_at, s.provider_timeout_at,
    v.id AS v_id, v.document_type, v.number_masked, v.number_hmac, v.name";

fn session_from_row(row: &sqlx::any::AnyRow) -> Result<Session, AppError> {
    let status: String = row.try_get("status")?;
    let document_type: String = row.try_get("document_type")?;
    Ok(Session {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        status: AlipaySessionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        app_version: row.try_get("app_version")?,
        expires_at: row.try_get("expires_at")?,
        token_used_at: row.try_get("token_used_at")?,
        provider_timeout_at: row.try_get("provider_timeout_at")?,
        verification: Verification {
            id: row.try_get("v_id")?,
            document_type: DocumentType::parse(&document_type)
                .ok_or_else(|| corrupt("document_type", &document_type))?,
            number_masked: row.try_get("number_masked")?,
            number_hmac: row.try_get("number_hmac")?,
            name: row.try_get("name")?,
        },
    })
}

fn is_hex_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The caller's session `session_id` of verification `verification_id`; anything else (unknown,
/// malformed, another user's, another verification's) answers 404 `not_found` alike.
async fn owned_session(
    state: &AppState,
    user_id: &str,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Session, AppError> {
    let not_found = || AppError::new(ErrorCode::NotFound, "no such Alipay authorization session");
    let Ok(Path((verification_id, session_id))) = ids else { return Err(not_found()) };
    if !is_hex_id(&verification_id) || !is_hex_id(&session_id) {
        return Err(not_found());
    }
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM alipay_sessions s
         JOIN verifications v ON v.id = s.verification_id
         WHERE s.id = $1 AND s.verification_id = $2 AND s.user_id = $3"
    ))
    .bind(&session_id)
    .bind(&verification_id)
    .bind(user_id)
    .fetch_optional(state.pool())
    .await?;
    match row {
        Some(row) => session_from_row(&row),
        None => Err(not_found()),
    }
}

/// Ends the caller's pending sessions before a new one starts: overdue ones as `alipay_timeout`,
/// the others as `window_closed` (the new window replaces them).
async fn settle_open_sessions(state: &AppState, user_id: &str, now: i64) -> Result<(), AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM alipay_sessions s
         JOIN verifications v ON v.id = s.verification_id
         WHERE s.user_id = $1 AND s.status = $2"
    ))
    .bind(user_id)
    .bind(AlipaySessionStatus::Pending.as_str())
    .fetch_all(state.pool())
    .await?;
    for row in rows {
        let session = session_from_row(&row)?;
        if session.expires_at <= now {
            decide(state, &session, timeout_ending(), session.expires_at).await?;
        } else if session.provider_timeout_at.is_some() {
            decide(state, &session, timeout_ending(), now).await?;
        } else {
            decide(state, &session, Ending::Failure(FailureReason::WindowClosed, None), now)
                .await?;
        }
    }
    Ok(())
}

/// Decides a pending session and records its one attempt, in one transaction. False when it
/// was no longer pending (decided meanwhile by another request): nothing is recorded then.
async fn decide(
    state: &AppState,
    session: &Session,
    ending: Ending,
    at: i64,
) -> Result<bool, AppError> {
    let (status, reason, element) = match ending {
        Ending::Success => (AlipaySessionStatus::Success, None, None),
        Ending::Failure(reason, element) => (AlipaySessionStatus::Failure, Some(reason), element),
    };
    let mut tx = state.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE alipay_sessions SET status = $1, reason = $2, mismatched_element = $3,
                                    decided_at = $4
         WHERE id = $5 AND status = $6",
    )
    .bind(status.as_str())
    .bind(reason.map(FailureReason::as_str))
    .bind(element.map(MismatchedElement::as_str))
    .bind(at)
    .bind(&session.id)
    .bind(AlipaySessionStatus::Pending.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    let attempt = Attempt {
        user_id: &session.user_id,
        verification: &session.verification,
        method: METHOD,
        app_version: session.app_version.clone(),
        now: at,
    };
    match ending {
        Ending::Success => complete_verification(&mut tx, &attempt).await?,
        Ending::Failure(reason, element) => {
            // Alipay itself did not answer: recorded, but not counted against the budgets.
            let outcome = if reason == FailureReason::AlipayTimeout
                && session.provider_timeout_at.is_some()
            {
                AttemptOutcome::ProviderTimeout
            } else {
                AttemptOutcome::Failure
            };
            record_attempt(&mut *tx, &attempt, outcome, Some((reason, element))).await?;
        }
    }
    tx.commit().await?;
    match ending {
        Ending::Success => tracing::info!(
            user_id = %session.user_id,
            verification_id = %session.verification.id,
            session_id = %session.id,
            method = METHOD.as_str(),
            "real name verified"
        ),
        Ending::Failure(reason, element) => tracing::info!(
            user_id = %session.user_id,
            verification_id = %session.verification.id,
            session_id = %session.id,
            method = METHOD.as_str(),
            reason_code = reason.as_str(),
            mismatched_element = element.map_or("none", MismatchedElement::as_str),
            "verification failed"
        ),
    }
    Ok(true)
}

/// The session's state as the app sees it.
async fn status_of(state: &AppState, session_id: &str, now: i64) -> Result<AlipayStatus, AppError> {
    let row = sqlx::query(
        "SELECT s.user_id, s.status, s.reason, s.mismatched_element, s.expires_at, v.number_hmac
         FROM alipay_sessions s JOIN verifications v ON v.id = s.verification_id
         WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_one(state.pool())
    .await?;
    let status: String = row.try_get("status")?;
    let status = AlipaySessionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?;
    let expires_at: i64 = row.try_get("expires_at")?;
    let result = match status {
        AlipaySessionStatus::Pending => {
            return Ok(AlipayStatus {
                status,
                result: None,
                expires_in: secs_until(expires_at, now),
            })
        }
        AlipaySessionStatus::Success => VerificationResult {
            outcome: AttemptOutcome::Success,
            reason_code: None,
            mismatched_element: None,
            reasons: Vec::new(),
            attempts_left: None,
            warnings: Vec::new(),
        },
        AlipaySessionStatus::Failure => {
            let reason: Option<String> = row.try_get("reason")?;
            let element: Option<String> = row.try_get("mismatched_element")?;
            let user_id: String = row.try_get("user_id")?;
            let number_hmac: String = row.try_get("number_hmac")?;
            VerificationResult {
                outcome: AttemptOutcome::Failure,
                reason_code: reason
                    .map(|r| FailureReason::parse(&r).ok_or_else(|| corrupt("reason", &r)))
                    .transpose()?,
                mismatched_element: element
                    .map(|e| MismatchedElement::parse(&e).ok_or_else(|| corrupt("element", &e)))
                    .transpose()?,
                reasons: Vec::new(),
                attempts_left: Some(
                    attempts_left(state, &user_id, &number_hmac, METHOD, now).await?,
                ),
                warnings: Vec::new(),
            }
        }
    };
    Ok(AlipayStatus { status, result: Some(result), expires_in: 0 })
}

fn secs_until(at: i64, now: i64) -> u64 {
    u64::try_from(at.saturating_sub(now)).unwrap_or(0)
}

fn corrupt(column: &'static str, value: &str) -> AppError {
    AppError::internal("unexpected value in the database", format!("{column} = {value:?}"))
}

// The sandbox authorization page.

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AgreeForm {
    token: Option<String>,
    account: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CancelForm {
    token: Option<String>,
}

/// `GET /sandbox/alipay/authorize?token=...`.
pub async fn page(
    State(state): State<AppState>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    ensure_sandbox(&state)?;
    let now = state.now();
    let token = query.ok().and_then(|Query(q)| q.token).unwrap_or_default();
    let session = match session_for_token(&state, &token, now).await? {
        Ok(session) => session,
        Err(page) => return Ok(page),
    };
    Ok(html(StatusCode::OK, render_authorize(&session, &token, now)))
}

/// `POST /sandbox/alipay/authorize/agree` (form: `token`, `account`).
pub async fn agree(
    State(state): State<AppState>,
    form: Result<Form<AgreeForm>, FormRejection>,
) -> Result<Response, AppError> {
    ensure_sandbox(&state)?;
    let now = state.now();
    let Ok(Form(form)) = form else { return Ok(bad_request_page()) };
    let token = form.token.unwrap_or_default();
    let session = match session_for_token(&state, &token, now).await? {
        Ok(session) => session,
        Err(page) => return Ok(page),
    };
    let Some(account) = form.account.as_deref().and_then(SandboxAlipay::account) else {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            "请选择沙箱支付宝账号",
            "The form did not name one of the sandbox Alipay accounts. Go back and choose one.",
        ));
    };
    if user_is_verified(&state, &session.user_id).await? {
        return Ok(error_page(
            StatusCode::CONFLICT,
            "已完成实名认证",
            "This account is already verified; nothing was changed. 可关闭此窗口。",
        ));
    }
    if !use_token(&state, &session.id, now).await? {
        return Ok(used_page());
    }

    let query = AlipayQuery {
        account: account.account,
        name: &session.verification.name,
        id_number_hmac: &session.verification.number_hmac,
        hasher: state.identity_hasher(),
    };
    let wait = Duration::from_secs(state.limits().provider_timeout_secs);
    let answer = tokio::time::timeout(wait, state.providers().alipay.authorize(query))
        .await
        .unwrap_or(Err(ProviderTimeout));
    let ending = match answer {
        Err(ProviderTimeout) => {
            sqlx::query("UPDATE alipay_sessions SET provider_timeout_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&session.id)
                .execute(state.pool())
                .await?;
            tracing::warn!(
                user_id = %session.user_id,
                verification_id = %session.verification.id,
                session_id = %session.id,
                method = METHOD.as_str(),
                "provider timeout"
            );
            return Ok(done_page(
                "支付宝暂未返回认证结果",
                "Alipay did not answer. The platform will report the outcome when the \
                 authorization expires.",
            ));
        }
        Ok(AlipayCheck::Match) => Ending::Success,
        Ok(AlipayCheck::Mismatch { element }) => {
            Ending::Failure(FailureReason::ElementsMismatch, element)
        }
        Ok(AlipayCheck::Declined) => Ending::Failure(FailureReason::AlipayDeclined, None),
    };
    if !decide(&state, &session, ending, now).await? {
        return Ok(used_page());
    }
    Ok(match ending {
        Ending::Success => done_page("认证成功", "Alipay confirmed the identity."),
        Ending::Failure(FailureReason::AlipayDeclined, _) => {
            done_page("支付宝账号拒绝了授权", "The Alipay account declined the authorization.")
        }
        Ending::Failure(..) => done_page(
            "认证未通过",
            "The real-name identity of this Alipay account differs from the one entered.",
        ),
    })
}

/// `POST /sandbox/alipay/authorize/cancel` (form: `token`).
pub async fn cancel_page(
    State(state): State<AppState>,
    form: Result<Form<CancelForm>, FormRejection>,
) -> Result<Response, AppError> {
    ensure_sandbox(&state)?;
    let now = state.now();
    let Ok(Form(form)) = form else { return Ok(bad_request_page()) };
    let token = form.token.unwrap_or_default();
    let session = match session_for_token(&state, &token, now).await? {
        Ok(session) => session,
        Err(page) => return Ok(page),
    };
    if !use_token(&state, &session.id, now).await? {
        return Ok(used_page());
    }
    if !decide(&state, &session, Ending::Failure(FailureReason::UserCancelled, None), now).await? {
        return Ok(used_page());
    }
    Ok(done_page("已取消授权", "The authorization was cancelled."))
}

/// The open session of a page token, or the error page to answer: 400 for a missing, malformed
/// or unknown token, 410 for a used, decided or expired one (an expired pending session is
/// decided as `alipay_timeout` here).
async fn session_for_token(
    state: &AppState,
    token: &str,
    now: i64,
) -> Result<Result<Session, Response>, AppError> {
    let well_formed = token.len() == 43
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Ok(Err(invalid_token_page()));
    }
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM alipay_sessions s
         JOIN verifications v ON v.id = s.verification_id
         WHERE s.token_hash = $1"
    ))
    .bind(sha256_hex(token))
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Ok(Err(invalid_token_page())) };
    let session = session_from_row(&row)?;
    if session.token_used_at.is_some() {
        return Ok(Err(used_page()));
    }
    if session.status != AlipaySessionStatus::Pending {
        return Ok(Err(error_page(
            StatusCode::GONE,
            "此授权已结束",
            "This authorization has already ended (for example, the window was closed). \
             Start Alipay authentication again in the app.",
        )));
    }
    if session.expires_at <= now {
        decide(state, &session, timeout_ending(), session.expires_at).await?;
        return Ok(Err(error_page(
            StatusCode::GONE,
            "授权已过期",
            "This authorization link has expired. Start Alipay authentication again in the app.",
        )));
    }
    Ok(Ok(session))
}

/// Marks the page token used; false when it already was (a concurrent submission).
async fn use_token(state: &AppState, session_id: &str, now: i64) -> Result<bool, AppError> {
    let changed = sqlx::query(
        "UPDATE alipay_sessions SET token_used_at = $1
         WHERE id = $2 AND token_used_at IS NULL AND status = $3",
    )
    .bind(now)
    .bind(session_id)
    .bind(AlipaySessionStatus::Pending.as_str())
    .execute(state.pool())
    .await?
    .rows_affected();
    Ok(changed == 1)
}

async fn user_is_verified(state: &AppState, user_id: &str) -> Result<bool, AppError> {
    let status: Option<String> = sqlx::query("SELECT real_name_status FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(state.pool())
        .await?
        .map(|row| row.try_get("real_name_status"))
        .transpose()?;
    Ok(status.as_deref() == Some(RealNameStatus::Verified.as_str()))
}

/// An HTML answer: not cached, no scripts, no framing, the token-bearing URL not sent on.
fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, NoStore(Html(body))).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn invalid_token_page() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "授权链接无效",
        "This authorization link is not valid. Start Alipay authentication again in the app.",
    )
}

fn used_page() -> Response {
    error_page(
        StatusCode::GONE,
        "此授权链接已使用",
        "This authorization link has already been used; each link works once. 可关闭此窗口。",
    )
}

fn bad_request_page() -> Response {
    error_page(StatusCode::BAD_REQUEST, "请求无效", "The form could not be read.")
}

fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        "<section class=\"card\" id=\"alipay-error\" data-status=\"{}\">\n<h1>{}</h1>\n<p>{}</p>\n</section>",
        status.as_u16(),
        escape(title),
        escape(detail)
    );
    html(status, layout(title, &body))
}

fn done_page(title: &str, detail: &str) -> Response {
    let body = format!(
        "<section class=\"card\">\n<h1>{}</h1>\n<p>{}</p>\n<p class=\"done\" id=\"alipay-done\">已完成，可关闭此窗口</p>\n</section>",
        escape(title),
        escape(detail)
    );
    html(StatusCode::OK, layout(title, &body))
}

fn render_authorize(session: &Session, token: &str, now: i64) -> String {
    let verification = &session.verification;
    let mut accounts = String::new();
    for (index, entry) in SANDBOX_ALIPAY_ACCOUNTS.iter().enumerate() {
        accounts.push_str(&format!(
            "<label class=\"account\" for=\"alipay-account-{index}\"><input type=\"radio\" \
             name=\"account\" id=\"alipay-account-{index}\" value=\"{account}\"{checked}> \
             <span class=\"name\">{account}</span> <span class=\"note\">{note}</span></label>\n",
            account = escape(entry.account),
            note = escape(entry.note),
            checked = if index == 0 { " checked" } else { "" },
        ));
    }
    let token = escape(token);
    let body = format!(
        "<section class=\"card\">
<h1>{platform} 申请使用你的支付宝实名信息完成认证</h1>
<p class=\"hint\">核对以下身份信息，选择支付宝账号后同意授权。</p>
<dl class=\"identity\" id=\"alipay-identity\">
<dt>姓名</dt><dd id=\"alipay-identity-name\">{name}</dd>
<dt>证件号码</dt><dd id=\"alipay-identity-number\">{number}</dd>
</dl>
<form method=\"post\" action=\"{AGREE_PATH}\" id=\"alipay-agree-form\">
<input type=\"hidden\" name=\"token\" value=\"{token}\">
<fieldset>
<legend>沙箱支付宝账号 · Sandbox Alipay account</legend>
{accounts}</fieldset>
<button type=\"submit\" class=\"primary\" id=\"alipay-agree\">同意并认证</button>
</form>
<form method=\"post\" action=\"{CANCEL_PATH}\" id=\"alipay-cancel-form\">
<input type=\"hidden\" name=\"token\" value=\"{token}\">
<button type=\"submit\" class=\"secondary\" id=\"alipay-cancel\">取消</button>
</form>
<p class=\"expiry\">此授权在 {expires}（北京时间）前有效，约 {left} 秒。</p>
</section>",
        platform = escape(PLATFORM_NAME),
        name = escape(&verification.name),
        number = escape(&verification.number_masked),
        expires = escape(&china_time(session.expires_at)),
        left = secs_until(session.expires_at, now),
    );
    layout("授权", &body)
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>
<html lang=\"zh-CN\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>{title} · 支付宝快捷认证（沙箱）</title>
<style>
body {{ margin: 0; font-family: system-ui, \"PingFang SC\", \"Noto Sans CJK SC\", sans-serif; background: #f5f7fa; color: #1f2933; }}
header.banner {{ background: #1677ff; color: #fff; padding: .8rem 1.2rem; font-size: 1.1rem; font-weight: 600; }}
header.banner .sandbox {{ background: #ffb020; color: #1f2933; border-radius: .3rem; padding: .1rem .4rem; margin-left: .6rem; font-size: .8rem; }}
section.card {{ background: #fff; max-width: 30rem; margin: 1.5rem auto; padding: 1.2rem 1.5rem; border-radius: .6rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.15rem; }}
dl.identity {{ display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; }}
dt {{ color: #7b8794; }}
dd {{ margin: 0; font-weight: 600; }}
fieldset {{ border: 1px solid #e4e7eb; border-radius: .4rem; margin: 1rem 0; }}
label.account {{ display: block; padding: .3rem 0; }}
label.account .note {{ color: #7b8794; font-size: .8rem; }}
button {{ width: 100%; padding: .7rem; border-radius: .4rem; font-size: 1rem; margin-top: .5rem; cursor: pointer; }}
button.primary {{ background: #1677ff; color: #fff; border: none; }}
button.secondary {{ background: #fff; color: #1f2933; border: 1px solid #cbd2d9; }}
p.hint, p.expiry {{ color: #7b8794; font-size: .85rem; }}
p.done {{ font-weight: 600; color: #1677ff; }}
</style>
</head>
<body>
<header class=\"banner\" id=\"alipay-banner\">支付宝 · 快捷认证<span class=\"sandbox\">沙箱 SANDBOX</span></header>
{body}
</body>
</html>
",
        title = escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str) -> Session {
        Session {
            id: "s".into(),
            user_id: "u".into(),
            status: AlipaySessionStatus::Pending,
            app_version: None,
            expires_at: 1_767_225_900,
            token_used_at: None,
            provider_timeout_at: None,
            verification: Verification {
                id: "v".into(),
                document_type: DocumentType::IdCard,
                number_masked: "110***********002X".into(),
                number_hmac: "h".into(),
                name: name.into(),
            },
        }
    }

    #[test]
    fn the_page_escapes_every_value_and_lists_every_sandbox_account() {
        let page = render_authorize(&session("<b>王芳</b>"), "tok\"en", 1_767_225_600);
        assert!(page.contains("&lt;b&gt;王芳&lt;/b&gt;"));
        assert!(!page.contains("<b>"));
        assert!(page.contains("tok&quot;en"));
        assert!(!page.contains("<script"));
        assert!(page.contains("110***********002X"));
        for (index, entry) in SANDBOX_ALIPAY_ACCOUNTS.iter().enumerate() {
            assert!(page
                .contains(&format!("id=\"alipay-account-{index}\" value=\"{}\"", entry.account)));
        }
        assert!(page.contains("id=\"alipay-agree\""));
        assert!(page.contains("id=\"alipay-cancel\""));
        assert!(page.contains("约 300 秒"));
    }
}
