//! The phone method (手机号认证, method C) of real-name authentication:
//!
//! 1. `POST /api/v1/real-name/{verification_id}/phone` `{phone}`: the carrier compares name, ID
//!    number and phone (three elements). A mismatch is a recorded failed attempt answered as
//!    `{"status": "failed", "result": VerificationResult}`; a match sends a 6-digit SMS code and
//!    answers `{"status": "code_sent", "challenge": PhoneChallenge}`. A carrier timeout is 504
//!    `provider_timeout`, recorded but not counted.
//! 2. `POST .../phone/resend`: a new code to the same number; the previous one is void.
//! 3. `POST .../phone/confirm` `{code}`: the right code verifies the user (the same success path
//!    as the bank method). A wrong one answers 400 `wrong_sms_code` with
//!    `details.attempts_left`; the fifth wrong one voids the code (400 `sms_code_voided`), an
//!    expired one answers 400 `sms_code_expired`. The phone method counts as one attempt when
//!    it ends: success, a voided code (`sms_code_voided`) or an expired one (`sms_code_expired`).
//!
//! SMS rules (`spec/identity-rules.md`, constants in `signet_domain::identity`): codes valid
//! 5 minutes, 5 wrong tries, a new code no sooner than 60 s after the previous one to the same
//! number (429 `rate_limited`, `retry_after_secs`), at most 10 codes per number per platform
//! day whoever asks (429 `sms_daily_limit`).
//!
//! Nothing sensitive is kept in clear: the number as HMAC (`phone_hmac`) and masked, the code as
//! an HMAC bound to its challenge, and — for resending only — the number sealed with an HMAC
//! keystream of the challenge id (`phone_sealed`) on the newest challenge of the verification,
//! wiped when it succeeds. Only the sandbox SMS outbox holds numbers and codes (for testers).

use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use rand::Rng;
use serde_json::json;
use signet_domain::api::{
    AttemptOutcome, FailureReason, MismatchedElement, PhoneChallenge, PhoneRequest, PhoneStart,
    SmsCodeRequest, VerificationResult,
};
use signet_domain::identity::{
    mask_phone, validate_mobile_number, validate_sms_code, ValidMobileNumber, VerificationMethod,
    SMS_CODES_PER_PHONE_PER_DAY, SMS_CODE_TTL_SECS, SMS_MAX_WRONG_TRIES, SMS_RESEND_AFTER_SECS,
};
use signet_domain::ErrorCode;
use sqlx::Row;

use crate::clock::platform_day_start;
use crate::error::{ApiJson, AppError, NoStore};
use crate::providers::{CarrierCheck, CarrierQuery, ProviderTimeout, SmsMessage};
use crate::real_name::{
    app_version, attempts_left, complete_verification, ensure_available, load_verification,
    next_day_in, record_attempt, Attempt, Verification, VerifyingUser,
};
use crate::secrets::IdentityHasher;
use crate::state::AppState;
use crate::tokens::new_id;

const METHOD: VerificationMethod = VerificationMethod::Phone;

/// HMAC purposes (see [`IdentityHasher::keyed`]).
const PHONE_PURPOSE: &str = "phone";
const CODE_PURPOSE: &str = "sms-code";
const SEAL_PURPOSE: &str = "phone-seal";

/// `sms_challenges.void_reason` values.
const VOID_REPLACED: &str = "replaced";
const VOID_WRONG_TRIES: &str = "wrong_tries";
const VOID_EXPIRED: &str = "expired";
const VOID_SEND_FAILED: &str = "send_failed";

/// `POST /api/v1/real-name/{verification_id}/phone`.
pub async fn start(
    State(state): State<AppState>,
    user: VerifyingUser,
    headers: HeaderMap,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<PhoneRequest>,
) -> Result<NoStore<Json<PhoneStart>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    let phone = validate_mobile_number(request.phone.expose())
        .map_err(|e| AppError::invalid_field("phone", e))?;
    ensure_available(&state, &user.user_id, &verification, METHOD, now).await?;
    let hasher = state.identity_hasher();
    let phone_hmac = hex::encode(hasher.keyed(PHONE_PURPOSE, phone.number()));
    let codes_sent = check_sms_budget(&state, &phone_hmac, now).await?;

    let query = CarrierQuery {
        name: &verification.name,
        id_number_hmac: &verification.number_hmac,
        hasher,
        phone: &phone,
    };
    let wait = Duration::from_secs(state.limits().provider_timeout_secs);
    let answer = tokio::time::timeout(wait, state.providers().carrier.check(query))
        .await
        .unwrap_or(Err(ProviderTimeout));
    let attempt = Attempt {
        user_id: &user.user_id,
        verification: &verification,
        method: METHOD,
        app_version: app_version(&headers),
        now,
    };
    let failure = match answer {
        Err(ProviderTimeout) => {
            record_attempt(state.pool(), &attempt, AttemptOutcome::ProviderTimeout, None).await?;
            tracing::warn!(
                user_id = %user.user_id,
                verification_id = %verification.id,
                method = METHOD.as_str(),
                "provider timeout"
            );
            return Err(AppError::new(
                ErrorCode::ProviderTimeout,
                "the carrier did not answer in time",
            )
            .with_details(json!({ "method": METHOD.as_str() })));
        }
        Ok(CarrierCheck::Match) => None,
        Ok(CarrierCheck::Mismatch { element }) => Some((FailureReason::ElementsMismatch, element)),
        Ok(CarrierCheck::Unsupported) => Some((FailureReason::CarrierCheckUnsupported, None)),
    };
    if let Some((reason, element)) = failure {
        record_attempt(state.pool(), &attempt, AttemptOutcome::Failure, Some((reason, element)))
            .await?;
        let attempts_left =
            attempts_left(&state, &user.user_id, &verification.number_hmac, METHOD, now).await?;
        tracing::info!(
            user_id = %user.user_id,
            verification_id = %verification.id,
            method = METHOD.as_str(),
            reason_code = reason.as_str(),
            mismatched_element = element.map_or("unknown", MismatchedElement::as_str),
            attempts_left,
            "verification failed"
        );
        return Ok(NoStore(Json(PhoneStart::Failed {
            result: VerificationResult {
                outcome: AttemptOutcome::Failure,
                reason_code: Some(reason),
                mismatched_element: element,
                reasons: Vec::new(),
                attempts_left: Some(attempts_left),
                warnings: phone.warnings().to_vec(),
            },
        })));
    }

    let challenge =
        send_code(&state, &user.user_id, &verification, &phone, &phone_hmac, codes_sent, now)
            .await?;
    Ok(NoStore(Json(PhoneStart::CodeSent { challenge })))
}

/// `POST /api/v1/real-name/{verification_id}/phone/resend`.
pub async fn resend(
    State(state): State<AppState>,
    user: VerifyingUser,
    verification_id: Result<Path<String>, PathRejection>,
) -> Result<NoStore<Json<PhoneChallenge>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    let challenge = current_challenge(&state, &verification.id).await?.ok_or_else(no_code_sent)?;
    let sealed = challenge.phone_sealed.as_deref().ok_or_else(no_code_sent)?;
    let hasher = state.identity_hasher();
    let phone = unseal(hasher, &challenge.id, sealed)?;
    ensure_available(&state, &user.user_id, &verification, METHOD, now).await?;
    let codes_sent = check_sms_budget(&state, &challenge.phone_hmac, now).await?;
    let challenge = send_code(
        &state,
        &user.user_id,
        &verification,
        &phone,
        &challenge.phone_hmac,
        codes_sent,
        now,
    )
    .await?;
    Ok(NoStore(Json(challenge)))
}

/// `POST /api/v1/real-name/{verification_id}/phone/confirm`.
pub async fn confirm(
    State(state): State<AppState>,
    user: VerifyingUser,
    headers: HeaderMap,
    verification_id: Result<Path<String>, PathRejection>,
    ApiJson(request): ApiJson<SmsCodeRequest>,
) -> Result<NoStore<Json<VerificationResult>>, AppError> {
    let now = state.now();
    let verification = load_verification(&state, &user.user_id, verification_id, now).await?;
    let code =
        validate_sms_code(request.code.expose()).map_err(|e| AppError::invalid_field("code", e))?;
    let challenge = current_challenge(&state, &verification.id).await?.ok_or_else(no_code_sent)?;
    let attempt = Attempt {
        user_id: &user.user_id,
        verification: &verification,
        method: METHOD,
        app_version: app_version(&headers),
        now,
    };
    match challenge.void_reason.as_deref() {
        None if challenge.used_at.is_none() => {}
        Some(VOID_WRONG_TRIES) => return Err(voided(&state, &user.user_id, &verification).await?),
        Some(VOID_EXPIRED) => return Err(expired()),
        _ => return Err(no_code_sent()),
    }

    if challenge.expires_at <= now {
        if void(&state, &challenge.id, VOID_EXPIRED, now).await? {
            let failure = Some((FailureReason::SmsCodeExpired, None));
            record_attempt(state.pool(), &attempt, AttemptOutcome::Failure, failure).await?;
            log_failure(&user.user_id, &verification.id, FailureReason::SmsCodeExpired);
        }
        return Err(expired());
    }

    let hasher = state.identity_hasher();
    let entered = code_hash(hasher, &challenge.id, code.expose());
    if !constant_time_eq(entered.as_bytes(), challenge.code_hash.as_bytes()) {
        let tries = count_wrong_try(&state, &challenge.id).await?;
        let Some(tries) = tries else {
            // Voided or used meanwhile by a concurrent request.
            return Err(voided(&state, &user.user_id, &verification).await?);
        };
        if tries >= i64::from(SMS_MAX_WRONG_TRIES) {
            if void(&state, &challenge.id, VOID_WRONG_TRIES, now).await? {
                let failure = Some((FailureReason::SmsCodeVoided, None));
                record_attempt(state.pool(), &attempt, AttemptOutcome::Failure, failure).await?;
                log_failure(&user.user_id, &verification.id, FailureReason::SmsCodeVoided);
            }
            return Err(voided(&state, &user.user_id, &verification).await?);
        }
        let attempts_left = u32::try_from(i64::from(SMS_MAX_WRONG_TRIES) - tries).unwrap_or(0);
        tracing::info!(
            user_id = %user.user_id,
            verification_id = %verification.id,
            attempts_left,
            "wrong SMS code"
        );
        return Err(AppError::new(ErrorCode::WrongSmsCode, "the SMS code is wrong")
            .with_details(json!({ "attempts_left": attempts_left })));
    }

    let mut tx = state.pool().begin().await?;
    let used = sqlx::query(
        "UPDATE sms_challenges SET used_at = $1
         WHERE id = $2 AND voided_at IS NULL AND used_at IS NULL",
    )
    .bind(now)
    .bind(&challenge.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if used != 1 {
        tx.rollback().await?;
        return Err(voided(&state, &user.user_id, &verification).await?);
    }
    sqlx::query("UPDATE sms_challenges SET phone_sealed = NULL WHERE verification_id = $1")
        .bind(&verification.id)
        .execute(&mut *tx)
        .await?;
    complete_verification(&mut tx, &attempt).await?;
    tx.commit().await?;
    tracing::info!(
        user_id = %user.user_id,
        verification_id = %verification.id,
        method = METHOD.as_str(),
        "real name verified"
    );
    Ok(NoStore(Json(VerificationResult {
        outcome: AttemptOutcome::Success,
        reason_code: None,
        mismatched_element: None,
        reasons: Vec::new(),
        attempts_left: None,
        warnings: Vec::new(),
    })))
}

/// The newest challenge of a verification (the one a resend replaces and a code confirms).
struct Challenge {
    id: String,
    phone_hmac: String,
    phone_sealed: Option<String>,
    code_hash: String,
    expires_at: i64,
    void_reason: Option<String>,
    used_at: Option<i64>,
}

async fn current_challenge(
    state: &AppState,
    verification_id: &str,
) -> Result<Option<Challenge>, AppError> {
    let row = sqlx::query(
        "SELECT id, phone_hmac, phone_sealed, code_hash, expires_at, void_reason, used_at
         FROM sms_challenges WHERE verification_id = $1 AND superseded_at IS NULL
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(verification_id)
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Challenge {
        id: row.try_get("id")?,
        phone_hmac: row.try_get("phone_hmac")?,
        phone_sealed: row.try_get("phone_sealed")?,
        code_hash: row.try_get("code_hash")?,
        expires_at: row.try_get("expires_at")?,
        void_reason: row.try_get("void_reason")?,
        used_at: row.try_get("used_at")?,
    }))
}

/// Refuses a new code to this number when today's codes are used up (429 `sms_daily_limit`)
/// or the last one is less than 60 s old (429 `rate_limited`); otherwise the number of codes
/// sent to it today.
async fn check_sms_budget(state: &AppState, phone_hmac: &str, now: i64) -> Result<u32, AppError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM sms_challenges WHERE phone_hmac = $1 AND created_at >= $2",
    )
    .bind(phone_hmac)
    .bind(platform_day_start(now))
    .fetch_one(state.pool())
    .await?;
    let sent: i64 = row.try_get("n")?;
    if sent >= i64::from(SMS_CODES_PER_PHONE_PER_DAY) {
        let retry_after_secs = next_day_in(now);
        return Err(AppError::new(
            ErrorCode::SmsDailyLimit,
            "today's SMS codes for this number are used up",
        )
        .with_details(json!({
            "retry_after_secs": retry_after_secs,
            "limit": SMS_CODES_PER_PHONE_PER_DAY,
        })));
    }
    let last: Option<i64> = sqlx::query(
        "SELECT created_at FROM sms_challenges WHERE phone_hmac = $1
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(phone_hmac)
    .fetch_optional(state.pool())
    .await?
    .map(|row| row.try_get("created_at"))
    .transpose()?;
    let resend_after = i64::try_from(SMS_RESEND_AFTER_SECS).unwrap_or(i64::MAX);
    if let Some(last) = last {
        let wait = last.saturating_add(resend_after).saturating_sub(now);
        if wait > 0 {
            let retry_after_secs = u64::try_from(wait).unwrap_or(1);
            return Err(AppError::new(
                ErrorCode::RateLimited,
                "a new SMS code can be requested 60 s after the previous one",
            )
            .with_details(json!({
                "retry_after_secs": retry_after_secs,
                "reason": "sms_resend_too_soon",
            })));
        }
    }
    Ok(u32::try_from(sent).unwrap_or(u32::MAX))
}

/// Makes a new code the verification's current challenge (the previous one void and its sealed
/// number wiped) and sends it.
async fn send_code(
    state: &AppState,
    user_id: &str,
    verification: &Verification,
    phone: &ValidMobileNumber,
    phone_hmac: &str,
    codes_sent_before: u32,
    now: i64,
) -> Result<PhoneChallenge, AppError> {
    let hasher = state.identity_hasher();
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
    let id = new_id();
    let ttl = i64::try_from(SMS_CODE_TTL_SECS).unwrap_or(i64::MAX);

    let mut tx = state.pool().begin().await?;
    sqlx::query(
        "UPDATE sms_challenges SET voided_at = $1, void_reason = $2
         WHERE verification_id = $3 AND voided_at IS NULL AND used_at IS NULL",
    )
    .bind(now)
    .bind(VOID_REPLACED)
    .bind(&verification.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE sms_challenges SET superseded_at = $1, phone_sealed = NULL
         WHERE verification_id = $2 AND superseded_at IS NULL",
    )
    .bind(now)
    .bind(&verification.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO sms_challenges (id, verification_id, user_id, phone_hmac, phone_masked,
                                     phone_sealed, code_hash, created_at, expires_at, wrong_tries)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)",
    )
    .bind(&id)
    .bind(&verification.id)
    .bind(user_id)
    .bind(phone_hmac)
    .bind(phone.masked())
    .bind(seal(hasher, &id, phone.number()))
    .bind(code_hash(hasher, &id, &code))
    .bind(now)
    .bind(now.saturating_add(ttl))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    let wait = Duration::from_secs(state.limits().provider_timeout_secs);
    let message = SmsMessage { phone, code: &code, sent_at: now };
    let sent = tokio::time::timeout(wait, state.providers().sms.send(message, state.pool())).await;
    let failure = match sent {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some("timeout".to_owned()),
    };
    if let Some(error) = failure {
        void(state, &id, VOID_SEND_FAILED, now).await?;
        tracing::warn!(
            user_id = %user_id,
            verification_id = %verification.id,
            error = %error,
            "SMS not sent"
        );
        return Err(AppError::new(ErrorCode::ProviderTimeout, "the SMS gateway did not answer")
            .with_details(json!({ "method": METHOD.as_str() })));
    }
    tracing::info!(
        user_id = %user_id,
        verification_id = %verification.id,
        phone = %phone.masked(),
        "SMS code sent"
    );
    Ok(PhoneChallenge {
        masked_phone: phone.masked(),
        expires_in: SMS_CODE_TTL_SECS,
        resend_after: SMS_RESEND_AFTER_SECS,
        codes_left_today: SMS_CODES_PER_PHONE_PER_DAY
            .saturating_sub(codes_sent_before.saturating_add(1)),
        warnings: phone.warnings().to_vec(),
    })
}

/// Voids an open challenge; true when this call voided it (so its attempt is recorded once).
async fn void(state: &AppState, id: &str, reason: &str, now: i64) -> Result<bool, AppError> {
    let changed = sqlx::query(
        "UPDATE sms_challenges SET voided_at = $1, void_reason = $2
         WHERE id = $3 AND voided_at IS NULL AND used_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(state.pool())
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Counts a wrong try on an open challenge: its wrong tries so far, or `None` when it is no
/// longer open.
async fn count_wrong_try(state: &AppState, id: &str) -> Result<Option<i64>, AppError> {
    let changed = sqlx::query(
        "UPDATE sms_challenges SET wrong_tries = wrong_tries + 1
         WHERE id = $1 AND voided_at IS NULL AND used_at IS NULL",
    )
    .bind(id)
    .execute(state.pool())
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(None);
    }
    let tries: i64 = sqlx::query("SELECT wrong_tries FROM sms_challenges WHERE id = $1")
        .bind(id)
        .fetch_one(state.pool())
        .await?
        .try_get("wrong_tries")?;
    Ok(Some(tries))
}

/// 400 `sms_code_voided`, with the phone attempts left today (a new code can be requested).
async fn voided(
    state: &AppState,
    user_id: &str,
    verification: &Verification,
) -> Result<AppError, AppError> {
    let left =
        attempts_left(state, user_id, &verification.number_hmac, METHOD, state.now()).await?;
    Ok(AppError::new(
        ErrorCode::SmsCodeVoided,
        "the SMS code was entered wrongly too many times; request a new one",
    )
    .with_details(json!({ "method_attempts_left": left })))
}

fn expired() -> AppError {
    AppError::new(ErrorCode::SmsCodeExpired, "the SMS code has expired; request a new one")
}

fn no_code_sent() -> AppError {
    AppError::new(ErrorCode::NotFound, "no SMS code is open for this verification")
        .with_details(json!({ "reason": "no_sms_code" }))
}

fn log_failure(user_id: &str, verification_id: &str, reason: FailureReason) {
    tracing::info!(
        user_id = %user_id,
        verification_id = %verification_id,
        method = METHOD.as_str(),
        reason_code = reason.as_str(),
        "verification failed"
    );
}

/// The stored form of a code: HMAC of the challenge id and the code, hex.
fn code_hash(hasher: &IdentityHasher, challenge_id: &str, code: &str) -> String {
    hex::encode(hasher.keyed(CODE_PURPOSE, &format!("{challenge_id}:{code}")))
}

/// The number XORed with the HMAC keystream of the challenge id (unique per challenge, so no
/// keystream is used twice), hex. Eleven ASCII digits fit in one 32-byte block.
fn seal(hasher: &IdentityHasher, challenge_id: &str, number: &str) -> String {
    let stream = hasher.keyed(SEAL_PURPOSE, challenge_id);
    hex::encode(number.bytes().zip(stream).map(|(b, k)| b ^ k).collect::<Vec<u8>>())
}

fn unseal(
    hasher: &IdentityHasher,
    challenge_id: &str,
    sealed: &str,
) -> Result<ValidMobileNumber, AppError> {
    let corrupt = |e: String| AppError::internal("corrupt sealed phone number", e);
    let bytes = hex::decode(sealed).map_err(|e| corrupt(e.to_string()))?;
    let stream = hasher.keyed(SEAL_PURPOSE, challenge_id);
    let plain: Vec<u8> = bytes.iter().zip(stream).map(|(b, k)| b ^ k).collect();
    let number = String::from_utf8(plain).map_err(|_| corrupt("not UTF-8".to_owned()))?;
    validate_mobile_number(&number).map_err(|_| corrupt(mask_phone(&number)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_number_unseals_with_the_same_key_and_challenge_only() {
        let hasher = IdentityHasher::with_key(&[9; 32]);
        let sealed = seal(&hasher, "c1", "13800138000");
        assert!(!sealed.contains("13800138000"));
        assert_eq!(sealed.len(), 22);
        assert_eq!(
            unseal(&hasher, "c1", &sealed).map(|p| p.number().to_owned()).ok(),
            Some("13800138000".to_owned())
        );
        assert_ne!(seal(&hasher, "c2", "13800138000"), sealed);
        assert!(unseal(&IdentityHasher::with_key(&[8; 32]), "c1", &sealed).is_err());
    }

    #[test]
    fn code_hashes_depend_on_the_challenge() {
        let hasher = IdentityHasher::with_key(&[9; 32]);
        assert_ne!(code_hash(&hasher, "c1", "123456"), code_hash(&hasher, "c2", "123456"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
