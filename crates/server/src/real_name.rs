//! Real-name authentication (个人实名认证): step 1 (`POST /api/v1/real-name/identity`), the
//! bank-card method (`POST /api/v1/real-name/{verification_id}/bank-card`) and the user's
//! attempt history (`GET /api/v1/real-name/attempts`).
//!
//! - Step 1 validates the identity with the domain's rules (today = the platform date, China
//!   time), stores a *verification* (masked number, keyed hash, name; never the full number)
//!   that expires after [`crate::Limits::verification_ttl_secs`], and lists the methods with the
//!   reason each unavailable one cannot be chosen.
//! - Every method attempt is recorded in `verification_attempts` (masked) and counted against
//!   two daily budgets (platform days, China time): per user and method, and per identity
//!   number (all users, every method but manual review and face). Face recognition has its own
//!   budgets per identity number, per minute and per day ([`crate::Limits`]). Provider timeouts
//!   are recorded but not counted. A spent budget makes the method unavailable with
//!   `retry_after_secs` (the next platform midnight, or the end of the minute).
//! - All real-name requests share a per-user limit per minute (429 `rate_limited`).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::json;
use signet_domain::api::{
    check_text, AttemptBudget, AttemptHistory, AttemptOutcome, AttemptRecord, BankCardRequest,
    FailureReason, IdentityAccepted, LivenessReason, MethodOption, MethodUnavailable,
    MismatchedElement, RealNameStatus, VerificationResult, APP_VERSION_HEADER,
};
use signet_domain::identity::{
    invalid_input_body, mask_name, method_availability, validate_bank_card, validate_identity,
    validate_mobile_number, validate_name, DocumentType, IdentityInput, Unavailable,
    VerificationMethod, Warning,
};
use signet_domain::{ErrorBody, ErrorCode};
use sqlx::Row;

use crate::accounts::{write_real_name, StoredIdentity};
use crate::clock::{platform_date, platform_day_start};
use crate::error::{ApiJson, AppError, NoStore};
use crate::providers::{BankCardCheck, BankCardQuery, ProviderTimeout};
use crate::sessions::Authenticated;
use crate::state::AppState;
use crate::tokens::new_id;

/// `verifications.status` of a submission waiting for a method.
const STATUS_SUBMITTED: &str = "identity_submitted";
/// `verifications.status` once a method proved it.
const STATUS_VERIFIED: &str = "verified";

/// Longest app version recorded from [`APP_VERSION_HEADER`]; longer or odd values are ignored.
const MAX_APP_VERSION_CHARS: usize = 32;
/// Most attempts `GET /api/v1/real-name/attempts` returns.
const HISTORY_LIMIT: i64 = 100;
const DAY_SECS: i64 = 24 * 60 * 60;
const MINUTE_SECS: i64 = 60;

/// A signed-in user admitted under the per-user real-name request limit. Put it before the body
/// extractor, so that refused requests cost no parsing.
#[derive(Debug, Clone)]
pub(crate) struct VerifyingUser {
    pub(crate) user_id: String,
}

impl FromRequestParts<AppState> for VerifyingUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Authenticated { user_id } = Authenticated::from_request_parts(parts, state).await?;
        match state.verification_limiter().check(user_id.clone(), state.now()) {
            Ok(()) => Ok(Self { user_id }),
            Err(retry_after_secs) => {
                tracing::warn!(user_id = %user_id, retry_after_secs, "real-name requests rate limited");
                Err(AppError::rate_limited(retry_after_secs))
            }
        }
    }
}

/// `POST /api/v1/real-name/identity`.
pub async fn submit_identity(
    State(state): State<AppState>,
    user: VerifyingUser,
    ApiJson(input): ApiJson<IdentityInput>,
) -> Result<NoStore<Json<IdentityAccepted>>, AppError> {
    let now = state.now();
    let identity = validate_identity(&input, platform_date(now))
        .map_err(|errors| from_body(invalid_input_body(&errors)))?;
    if real_name_status(&state, &user.user_id).await? == RealNameStatus::Verified {
        return Err(already_verified());
    }

    let number_hmac = state.identity_hasher().hmac_hex(identity.number().number());
    let masked = identity.masked();
    let ttl = state.limits().verification_ttl_secs;
    let expires_at = now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    let verification_id = new_id();
    sqlx::query(
        "INSERT INTO verifications (id, user_id, document_type, number_masked, number_hmac, name,
                                    status, created_at, expires_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)",
    )
    .bind(&verification_id)
    .bind(&user.user_id)
    .bind(masked.document_type.as_str())
    .bind(&masked.number)
    .bind(&number_hmac)
    .bind(&masked.name)
    .bind(STATUS_SUBMITTED)
    .bind(now)
    .bind(expires_at)
    .execute(state.pool())
    .await?;

    let methods = method_options(
        &state,
        &user.user_id,
        &number_hmac,
        identity.method_availability().into_iter().map(|a| (a.method, a.unavailable)),
        now,
    )
    .await?;
    tracing::info!(
        user_id = %user.user_id,
        verification_id = %verification_id,
        document_type = masked.document_type.as_str(),
        number = %masked.number,
        name = %mask_name(&masked.name),
        "identity submitted"
    );
    Ok(NoStore(Json(IdentityAccepted {
        verification_id,
        masked,
        converted_from_legacy: identity.number().converted_from_legacy(),
        warnings: identity.warnings().to_vec(),
        expires_in: ttl,
        methods,
    })))
}

/// `POST /api/v1/real-name/{verification_id}/bank-card`.
pub async fn bank_card(
    State(state): State<AppState>,
    user: VerifyingUser,
    headers: HeaderMap,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<BankCardRequest>,
) -> Result<NoStore<Json<VerificationResult>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;

    let card = validate_bank_card(request.card_number.expose());
    let phone = validate_mobile_number(request.phone.expose());
    let (card, phone) = match (card, phone) {
        (Ok(card), Ok(phone)) => (card, phone),
        (card, phone) => {
            let mut errors = Vec::new();
            let mut messages = Vec::new();
            if let Err(e) = card {
                messages.push(format!("card_number: {e}"));
                errors.push(json!({ "field": "card_number", "error": e }));
            }
            if let Err(e) = phone {
                messages.push(format!("phone: {e}"));
                errors.push(json!({ "field": "phone", "error": e }));
            }
            let first = errors.first().and_then(|e| e.get("field")).cloned();
            return Err(AppError::new(ErrorCode::InvalidInput, messages.join("; "))
                .with_details(json!({ "field": first, "errors": errors })));
        }
    };

    let method = VerificationMethod::BankCard;
    ensure_available(&state, &user.user_id, &verification, method, now).await?;

    let hasher = state.identity_hasher();
    let query = BankCardQuery {
        name: &verification.name,
        id_number_hmac: &verification.number_hmac,
        hasher,
        card: &card,
        phone: &phone,
    };
    let wait = Duration::from_secs(state.limits().provider_timeout_secs);
    let answer = tokio::time::timeout(wait, state.providers().bank_card.check(query))
        .await
        .unwrap_or(Err(ProviderTimeout));
    let attempt = Attempt {
        user_id: &user.user_id,
        verification: &verification,
        method,
        app_version: app_version(&headers),
        now,
    };
    let mut warnings: Vec<Warning> = card.warnings().to_vec();
    warnings.extend_from_slice(phone.warnings());

    match answer {
        Err(ProviderTimeout) => {
            record_attempt(state.pool(), &attempt, AttemptOutcome::ProviderTimeout, None).await?;
            tracing::warn!(
                user_id = %user.user_id,
                verification_id = %verification.id,
                method = method.as_str(),
                "provider timeout"
            );
            Err(AppError::new(ErrorCode::ProviderTimeout, "the bank did not answer in time")
                .with_details(json!({ "method": method.as_str() })))
        }
        Ok(BankCardCheck::Match) => {
            let mut tx = state.pool().begin().await?;
            complete_verification(&mut tx, &attempt).await?;
            tx.commit().await?;
            tracing::info!(
                user_id = %user.user_id,
                verification_id = %verification.id,
                method = method.as_str(),
                card = %card.masked(),
                "real name verified"
            );
            Ok(NoStore(Json(VerificationResult {
                outcome: AttemptOutcome::Success,
                reason_code: None,
                mismatched_element: None,
                reasons: Vec::new(),
                attempts_left: None,
                warnings,
            })))
        }
        Ok(BankCardCheck::Mismatch { element }) => {
            let failure = (FailureReason::ElementsMismatch, element);
            record_attempt(state.pool(), &attempt, AttemptOutcome::Failure, Some(failure)).await?;
            let attempts_left =
                attempts_left(&state, &user.user_id, &verification.number_hmac, method, now)
                    .await?;
            tracing::info!(
                user_id = %user.user_id,
                verification_id = %verification.id,
                method = method.as_str(),
                mismatched_element = element.map_or("unknown", MismatchedElement::as_str),
                attempts_left,
                "verification failed"
            );
            Ok(NoStore(Json(VerificationResult {
                outcome: AttemptOutcome::Failure,
                reason_code: Some(FailureReason::ElementsMismatch),
                mismatched_element: element,
                reasons: Vec::new(),
                attempts_left: Some(attempts_left),
                warnings,
            })))
        }
    }
}

/// The success path of every method, inside the caller's transaction: records the successful
/// attempt, marks the verification `verified` and sets the user `verified` with the masked
/// identity and its HMAC.
pub(crate) async fn complete_verification(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    attempt: &Attempt<'_>,
) -> Result<(), AppError> {
    let verification = attempt.verification;
    record_attempt(&mut **tx, attempt, AttemptOutcome::Success, None).await?;
    sqlx::query("UPDATE verifications SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(STATUS_VERIFIED)
        .bind(attempt.now)
        .bind(&verification.id)
        .execute(&mut **tx)
        .await?;
    let identity = StoredIdentity {
        document_type: verification.document_type,
        number_masked: verification.number_masked.clone(),
        number_hmac: verification.number_hmac.clone(),
        name: verification.name.clone(),
    };
    write_real_name(tx, attempt.user_id, RealNameStatus::Verified, Some(&identity), attempt.now)
        .await
}

/// `GET /api/v1/real-name/attempts`: the caller's attempts, newest first, masked.
pub async fn attempts(
    State(state): State<AppState>,
    session: Authenticated,
) -> Result<NoStore<Json<AttemptHistory>>, AppError> {
    let rows = sqlx::query(
        "SELECT id, verification_id, method, outcome, reason_code, mismatched_element, reasons,
                document_type, number_masked, app_version, created_at
         FROM verification_attempts WHERE user_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(&session.user_id)
    .bind(HISTORY_LIMIT)
    .fetch_all(state.pool())
    .await?;
    let mut attempts = Vec::with_capacity(rows.len());
    for row in rows {
        let method: String = row.try_get("method")?;
        let outcome: String = row.try_get("outcome")?;
        let reason_code: Option<String> = row.try_get("reason_code")?;
        let element: Option<String> = row.try_get("mismatched_element")?;
        let document_type: String = row.try_get("document_type")?;
        let reasons: Option<String> = row.try_get("reasons")?;
        attempts.push(AttemptRecord {
            id: row.try_get("id")?,
            verification_id: row.try_get("verification_id")?,
            method: VerificationMethod::parse(&method).ok_or_else(|| corrupt("method", &method))?,
            outcome: AttemptOutcome::parse(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?,
            reason_code: reason_code
                .map(|r| FailureReason::parse(&r).ok_or_else(|| corrupt("reason_code", &r)))
                .transpose()?,
            mismatched_element: element
                .map(|e| MismatchedElement::parse(&e).ok_or_else(|| corrupt("element", &e)))
                .transpose()?,
            reasons: parse_reasons(reasons.as_deref())?,
            document_type: DocumentType::parse(&document_type)
                .ok_or_else(|| corrupt("document_type", &document_type))?,
            number_masked: row.try_get("number_masked")?,
            app_version: row.try_get("app_version")?,
            created_at: row.try_get("created_at")?,
        });
    }
    Ok(NoStore(Json(AttemptHistory { attempts })))
}

/// A verification row of the caller's, still open.
#[derive(Debug, Clone)]
pub(crate) struct Verification {
    pub(crate) id: String,
    pub(crate) document_type: DocumentType,
    pub(crate) number_masked: String,
    pub(crate) number_hmac: String,
    pub(crate) name: String,
}

/// The caller's verification `id`: another user's id, an unknown or malformed one answer 404
/// `not_found` alike; an expired one 404 with `details.reason = "expired"`; one already
/// verified (or a user verified meanwhile) 409 `conflict`.
pub(crate) async fn load_verification(
    state: &AppState,
    user_id: &str,
    id: Result<Path<String>, PathRejection>,
    now: i64,
) -> Result<Verification, AppError> {
    let not_found = || AppError::new(ErrorCode::NotFound, "no such verification");
    // A path that does not even parse is just another id that is not the caller's.
    let Ok(Path(id)) = id else { return Err(not_found()) };
    let id = id.as_str();
    if id.len() != 32 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(not_found());
    }
    let row = sqlx::query(
        "SELECT v.id, v.document_type, v.number_masked, v.number_hmac, v.name, v.status,
                v.expires_at, u.real_name_status
         FROM verifications v JOIN users u ON u.id = v.user_id
         WHERE v.id = $1 AND v.user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Err(not_found()) };
    let status: String = row.try_get("status")?;
    let user_status: String = row.try_get("real_name_status")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    if status == STATUS_VERIFIED || user_status == RealNameStatus::Verified.as_str() {
        return Err(already_verified());
    }
    if expires_at <= now {
        return Err(AppError::new(ErrorCode::NotFound, "this verification has expired")
            .with_details(json!({ "reason": "expired" })));
    }
    let document_type: String = row.try_get("document_type")?;
    Ok(Verification {
        id: row.try_get("id")?,
        document_type: DocumentType::parse(&document_type)
            .ok_or_else(|| corrupt("document_type", &document_type))?,
        number_masked: row.try_get("number_masked")?,
        number_hmac: row.try_get("number_hmac")?,
        name: row.try_get("name")?,
    })
}

/// Refuses `method` for `verification` unless the chooser would offer it now: 409 `conflict`
/// for document or name reasons, 429 `rate_limited` for a spent daily budget.
pub(crate) async fn ensure_available(
    state: &AppState,
    user_id: &str,
    verification: &Verification,
    method: VerificationMethod,
    now: i64,
) -> Result<(), AppError> {
    let name = validate_name(verification.document_type, &verification.name).map_err(|e| {
        AppError::internal("a stored name no longer passes validation", e.to_string())
    })?;
    let domain = method_availability(verification.document_type, &name)
        .into_iter()
        .filter(|a| a.method == method)
        .map(|a| (a.method, a.unavailable));
    let options = method_options(state, user_id, &verification.number_hmac, domain, now).await?;
    let reason = options.into_iter().find(|o| o.method == method).and_then(|o| o.reason);
    match reason {
        None => Ok(()),
        Some(MethodUnavailable::DailyAttemptsUsedUp { scope, retry_after_secs }) => Err(
            AppError::new(ErrorCode::RateLimited, "today's attempts of this method are used up")
                .with_details(json!({
                    "retry_after_secs": retry_after_secs,
                    "reason": "daily_attempts_used_up",
                    "scope": scope.as_str(),
                })),
        ),
        Some(MethodUnavailable::AttemptsPerMinuteUsedUp { scope, retry_after_secs }) => {
            Err(AppError::new(
                ErrorCode::RateLimited,
                "this minute's attempts of this method are used up",
            )
            .with_details(json!({
                "retry_after_secs": retry_after_secs,
                "reason": "attempts_per_minute_used_up",
                "scope": scope.as_str(),
            })))
        }
        Some(reason) => Err(AppError::new(
            ErrorCode::Conflict,
            format!("{} is not available for this identity", method.as_str()),
        )
        .with_details(json!({ "method": method.as_str(), "reason": reason }))),
    }
}

/// The chooser: each method with the domain's reason, then "not offered", then the budgets.
async fn method_options(
    state: &AppState,
    user_id: &str,
    number_hmac: &str,
    domain: impl IntoIterator<Item = (VerificationMethod, Option<Unavailable>)>,
    now: i64,
) -> Result<Vec<MethodOption>, AppError> {
    let limits = state.limits();
    let used = attempts_today(state, user_id, number_hmac, now).await?;
    let retry_after_secs = next_day_in(now);
    let daily = |scope| MethodUnavailable::DailyAttemptsUsedUp { scope, retry_after_secs };
    let mut options = Vec::new();
    for (method, unavailable) in domain {
        let reason = if let Some(reason) = unavailable {
            Some(reason.into())
        } else if method == VerificationMethod::Face {
            if state.liveness().is_none() {
                Some(MethodUnavailable::NotOffered)
            } else if used.face_today >= i64::from(limits.face_attempts_per_day) {
                Some(daily(AttemptBudget::IdentityNumber))
            } else {
                face_minute_budget(state, number_hmac, now).await?
            }
        } else if used.by_method(method) >= i64::from(limits.attempts_per_method_per_day) {
            Some(daily(AttemptBudget::UserAndMethod))
        } else if method != VerificationMethod::ManualReview
            && used.identity >= i64::from(limits.attempts_per_identity_per_day)
        {
            Some(daily(AttemptBudget::IdentityNumber))
        } else {
            None
        };
        options.push(match reason {
            Some(reason) => MethodOption::unavailable(method, reason),
            None => MethodOption::available(method),
        });
    }
    Ok(options)
}

/// The per-minute face budget of an identity number: `None` while attempts are left,
/// otherwise when enough of the last minute's counted attempts will have aged out of it.
async fn face_minute_budget(
    state: &AppState,
    number_hmac: &str,
    now: i64,
) -> Result<Option<MethodUnavailable>, AppError> {
    let limit = i64::from(state.limits().face_attempts_per_minute);
    let rows = sqlx::query(
        "SELECT created_at FROM verification_attempts
         WHERE number_hmac = $1 AND method = $2 AND outcome <> $3 AND created_at > $4
         ORDER BY created_at ASC",
    )
    .bind(number_hmac)
    .bind(VerificationMethod::Face.as_str())
    .bind(AttemptOutcome::ProviderTimeout.as_str())
    .bind(now.saturating_sub(MINUTE_SECS))
    .fetch_all(state.pool())
    .await?;
    let in_window = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    if in_window < limit {
        return Ok(None);
    }
    // Below the limit again once all but `limit - 1` of them are older than a minute.
    let index = usize::try_from(in_window - limit).unwrap_or(0);
    let oldest: i64 =
        rows.get(index).map(|row| row.try_get("created_at")).transpose()?.unwrap_or(now);
    let retry_after_secs =
        u64::try_from(oldest.saturating_add(MINUTE_SECS).saturating_sub(now)).unwrap_or(1).max(1);
    Ok(Some(MethodUnavailable::AttemptsPerMinuteUsedUp {
        scope: AttemptBudget::IdentityNumber,
        retry_after_secs,
    }))
}

/// Counted attempts (not provider timeouts) of the current platform day.
struct UsedToday {
    by_user_and_method: HashMap<String, i64>,
    /// On the identity number, by anyone, manual review and face excluded.
    identity: i64,
    /// Face attempts on the identity number, by anyone.
    face_today: i64,
}

impl UsedToday {
    fn by_method(&self, method: VerificationMethod) -> i64 {
        self.by_user_and_method.get(method.as_str()).copied().unwrap_or(0)
    }
}

async fn attempts_today(
    state: &AppState,
    user_id: &str,
    number_hmac: &str,
    now: i64,
) -> Result<UsedToday, AppError> {
    let since = platform_day_start(now);
    let timeout = AttemptOutcome::ProviderTimeout.as_str();
    let rows = sqlx::query(
        "SELECT method, COUNT(*) AS n FROM verification_attempts
         WHERE user_id = $1 AND created_at >= $2 AND outcome <> $3
         GROUP BY method",
    )
    .bind(user_id)
    .bind(since)
    .bind(timeout)
    .fetch_all(state.pool())
    .await?;
    let mut by_user_and_method = HashMap::new();
    for row in rows {
        by_user_and_method.insert(row.try_get::<String, _>("method")?, row.try_get::<i64, _>("n")?);
    }
    let rows = sqlx::query(
        "SELECT method, COUNT(*) AS n FROM verification_attempts
         WHERE number_hmac = $1 AND created_at >= $2 AND outcome <> $3
         GROUP BY method",
    )
    .bind(number_hmac)
    .bind(since)
    .bind(timeout)
    .fetch_all(state.pool())
    .await?;
    let (mut identity, mut face_today) = (0, 0);
    for row in rows {
        let method: String = row.try_get("method")?;
        let n: i64 = row.try_get("n")?;
        match VerificationMethod::parse(&method) {
            Some(VerificationMethod::Face) => face_today += n,
            Some(VerificationMethod::ManualReview) => {}
            _ => identity += n,
        }
    }
    Ok(UsedToday { by_user_and_method, identity, face_today })
}

/// Attempts of `method` left today for this user and identity number: the smaller budget.
pub(crate) async fn attempts_left(
    state: &AppState,
    user_id: &str,
    number_hmac: &str,
    method: VerificationMethod,
    now: i64,
) -> Result<u32, AppError> {
    let limits = state.limits();
    let used = attempts_today(state, user_id, number_hmac, now).await?;
    let left = |limit: u32, used: i64| {
        u32::try_from(i64::from(limit).saturating_sub(used).max(0)).unwrap_or(0)
    };
    if method == VerificationMethod::Face {
        return Ok(left(limits.face_attempts_per_day, used.face_today));
    }
    let by_method = left(limits.attempts_per_method_per_day, used.by_method(method));
    if method == VerificationMethod::ManualReview {
        return Ok(by_method);
    }
    Ok(by_method.min(left(limits.attempts_per_identity_per_day, used.identity)))
}

/// Seconds until the next platform midnight.
pub(crate) fn next_day_in(now: i64) -> u64 {
    let next = platform_day_start(now).saturating_add(DAY_SECS);
    u64::try_from(next.saturating_sub(now)).unwrap_or(1).max(1)
}

/// One attempt about to be recorded.
pub(crate) struct Attempt<'a> {
    pub(crate) user_id: &'a str,
    pub(crate) verification: &'a Verification,
    pub(crate) method: VerificationMethod,
    pub(crate) app_version: Option<String>,
    pub(crate) now: i64,
}

pub(crate) async fn record_attempt<'e, E>(
    executor: E,
    attempt: &Attempt<'_>,
    outcome: AttemptOutcome,
    failure: Option<(FailureReason, Option<MismatchedElement>)>,
) -> Result<(), AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    record_attempt_with_reasons(executor, attempt, outcome, failure, &[]).await
}

/// [`record_attempt`] with the liveness reasons of a face attempt.
pub(crate) async fn record_attempt_with_reasons<'e, E>(
    executor: E,
    attempt: &Attempt<'_>,
    outcome: AttemptOutcome,
    failure: Option<(FailureReason, Option<MismatchedElement>)>,
    reasons: &[LivenessReason],
) -> Result<(), AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let reasons = (!reasons.is_empty())
        .then(|| reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","));
    let (reason_code, element) = match failure {
        Some((reason, element)) => (Some(reason.as_str()), element.map(MismatchedElement::as_str)),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO verification_attempts (id, user_id, verification_id, method, outcome,
                                            reason_code, mismatched_element, document_type,
                                            number_masked, number_hmac, app_version, created_at,
                                            reasons)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(new_id())
    .bind(attempt.user_id)
    .bind(&attempt.verification.id)
    .bind(attempt.method.as_str())
    .bind(outcome.as_str())
    .bind(reason_code)
    .bind(element)
    .bind(attempt.verification.document_type.as_str())
    .bind(&attempt.verification.number_masked)
    .bind(&attempt.verification.number_hmac)
    .bind(attempt.app_version.as_deref())
    .bind(attempt.now)
    .bind(reasons)
    .execute(executor)
    .await?;
    Ok(())
}

/// The app's version from [`APP_VERSION_HEADER`], if it is short plain text.
pub(crate) fn app_version(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(APP_VERSION_HEADER)?.to_str().ok()?.trim();
    check_text(value, MAX_APP_VERSION_CHARS).ok()?;
    Some(value.to_owned())
}

async fn real_name_status(state: &AppState, user_id: &str) -> Result<RealNameStatus, AppError> {
    let row = sqlx::query("SELECT real_name_status FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(state.pool())
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::Unauthorized, "the account no longer exists"))?;
    let status: String = row.try_get("real_name_status")?;
    RealNameStatus::parse(&status).ok_or_else(|| corrupt("real_name_status", &status))
}

fn already_verified() -> AppError {
    AppError::new(ErrorCode::Conflict, "the real name is already verified")
        .with_details(json!({ "reason": "already_verified" }))
}

fn from_body(body: ErrorBody) -> AppError {
    let error = AppError::new(body.code, body.message);
    match body.details {
        Some(details) => error.with_details(details),
        None => error,
    }
}

/// The stored `reasons` column: comma-separated liveness reason codes.
fn parse_reasons(stored: Option<&str>) -> Result<Vec<LivenessReason>, AppError> {
    stored
        .unwrap_or("")
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| LivenessReason::parse(r).ok_or_else(|| corrupt("reasons", r)))
        .collect()
}

fn corrupt(column: &'static str, value: &str) -> AppError {
    AppError::internal("unexpected value in the database", format!("{column} = {value:?}"))
}
