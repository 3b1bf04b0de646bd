//! Real-name authentication (个人实名认证) as the app runs it: the consent screen, step 1 checked
//! locally as the user types (the same domain rules the platform applies again), then the
//! platform's methods.
//!
//! Nothing of the identity, card or phone is stored here: the platform keeps the attempt; the
//! app keeps only which consent version the user accepted.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use signet_domain::api::{
    AlipaySessionStatus, AlipayStart, AttemptHistory, BankCardRequest, IdentityAccepted,
    PhoneChallenge, PhoneStart, VerificationResult,
};
use signet_domain::identity::{
    infer_document_type, invalid_input_body, validate_bank_card, validate_identity,
    validate_mobile_number, validate_sms_code, CalendarDate, DocumentType, FieldError,
    IdentityInput, Warning,
};
use signet_domain::{ErrorCode, Sensitive};

use crate::error::{AppError, AppResult};
use crate::session::Session;

/// The consent text's version: bump it when the text changes, and every user is asked again.
pub const CONSENT_VERSION: &str = "2026-11-29";

fn consent_key(user_id: &str) -> String {
    format!("consent.real_name.{user_id}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentState {
    pub version: &'static str,
    pub accepted: bool,
}

pub async fn consent(session: &Session) -> AppResult<ConsentState> {
    let user_id = session.user_id().await?;
    let accepted = session.store().setting(&consent_key(&user_id)).await?;
    Ok(ConsentState {
        version: CONSENT_VERSION,
        accepted: accepted.as_deref() == Some(CONSENT_VERSION),
    })
}

pub async fn accept_consent(session: &Session) -> AppResult<()> {
    let user_id = session.user_id().await?;
    session.store().set_setting(&consent_key(&user_id), CONSENT_VERSION).await
}

/// Step 1 as the form shows it while the user types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityCheck {
    pub valid: bool,
    pub errors: Vec<FieldError>,
    pub warnings: Vec<Warning>,
    /// The type the number looks like, when it is not the selected one.
    pub inferred_type: Option<DocumentType>,
    /// The 18-character number a legacy 15-digit one was converted to (the user's own input,
    /// shown back to them; never logged or stored).
    pub converted_number: Option<String>,
}

/// Today in China, where the platform's rules are dated.
pub fn today() -> CalendarDate {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    CalendarDate::in_china_at(now)
}

pub fn check_identity(input: &IdentityInput) -> IdentityCheck {
    let inferred = infer_document_type(input.number.expose())
        .filter(|inferred| *inferred != input.document_type);
    match validate_identity(input, today()) {
        Ok(valid) => IdentityCheck {
            valid: true,
            errors: Vec::new(),
            warnings: valid.warnings().to_vec(),
            inferred_type: inferred,
            converted_number: valid
                .number()
                .converted_from_legacy()
                .then(|| valid.number().number().to_string()),
        },
        Err(errors) => IdentityCheck {
            valid: false,
            errors,
            warnings: Vec::new(),
            inferred_type: inferred,
            converted_number: None,
        },
    }
}

/// A method's own field (bank card, phone, SMS code), checked as the user types.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum MethodInput {
    BankCard(Sensitive<String>),
    Phone(Sensitive<String>),
    SmsCode(Sensitive<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputCheck {
    pub valid: bool,
    pub error: Option<serde_json::Value>,
    pub warnings: Vec<Warning>,
    pub masked: Option<String>,
}

fn to_json(value: impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// `invalid_input` for a method field, carrying the domain's error (`{"kind": ...}`) so the UI
/// shows the same precise message as while typing.
fn invalid_field(field: &str, error: &(impl Serialize + std::fmt::Display)) -> AppError {
    let json = to_json(error);
    let reason =
        json.as_ref().and_then(|j| j.get("kind")).and_then(|k| k.as_str()).unwrap_or("invalid");
    AppError::new(ErrorCode::InvalidInput, format!("{field}: {error}"))
        .with_details(serde_json::json!({ "field": field, "reason": reason, "error": json }))
}

pub fn check_method_input(input: &MethodInput) -> InputCheck {
    let (error, warnings, masked) = match input {
        MethodInput::BankCard(raw) => match validate_bank_card(raw.expose()) {
            Ok(card) => (None, card.warnings().to_vec(), Some(card.masked())),
            Err(e) => (to_json(e), Vec::new(), None),
        },
        MethodInput::Phone(raw) => match validate_mobile_number(raw.expose()) {
            Ok(phone) => (None, phone.warnings().to_vec(), Some(phone.masked())),
            Err(e) => (to_json(e), Vec::new(), None),
        },
        MethodInput::SmsCode(raw) => match validate_sms_code(raw.expose()) {
            Ok(_) => (None, Vec::new(), None),
            Err(e) => (to_json(e), Vec::new(), None),
        },
    };
    InputCheck { valid: error.is_none(), error, warnings, masked }
}

/// Sends step 1 to the platform, after the same checks it will make.
pub async fn submit_identity(
    session: &Session,
    input: IdentityInput,
) -> AppResult<IdentityAccepted> {
    if let Err(errors) = validate_identity(&input, today()) {
        return Err(AppError(invalid_input_body(&errors)));
    }
    session
        .authorized(|client, token| {
            let input = input.clone();
            async move { client.submit_identity(&token, &input).await }
        })
        .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct BankCardForm {
    pub verification_id: String,
    pub card_number: Sensitive<String>,
    pub phone: Sensitive<String>,
}

pub async fn verify_bank_card(
    session: &Session,
    form: BankCardForm,
) -> AppResult<VerificationResult> {
    if let Err(e) = validate_bank_card(form.card_number.expose()) {
        return Err(invalid_field("card_number", &e));
    }
    if let Err(e) = validate_mobile_number(form.phone.expose()) {
        return Err(invalid_field("phone", &e));
    }
    let request = BankCardRequest { card_number: form.card_number, phone: form.phone };
    let id = form.verification_id;
    session
        .authorized(|client, token| {
            let (request, id) = (request.clone(), id.clone());
            async move { client.verify_bank_card(&token, &id, &request).await }
        })
        .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct PhoneForm {
    pub verification_id: String,
    pub phone: Sensitive<String>,
}

/// The carrier checks name, ID and phone; when they match, the platform texts a code.
pub async fn start_phone(session: &Session, form: PhoneForm) -> AppResult<PhoneStart> {
    if let Err(e) = validate_mobile_number(form.phone.expose()) {
        return Err(invalid_field("phone", &e));
    }
    let PhoneForm { verification_id: id, phone } = form;
    session
        .authorized(|client, token| {
            let (id, phone) = (id.clone(), phone.clone());
            async move { client.start_phone(&token, &id, &phone).await }
        })
        .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResendForm {
    pub verification_id: String,
}

pub async fn resend_sms_code(session: &Session, form: ResendForm) -> AppResult<PhoneChallenge> {
    let id = form.verification_id;
    session
        .authorized(|client, token| {
            let id = id.clone();
            async move { client.resend_sms_code(&token, &id).await }
        })
        .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmsCodeForm {
    pub verification_id: String,
    pub code: Sensitive<String>,
}

pub async fn confirm_sms_code(
    session: &Session,
    form: SmsCodeForm,
) -> AppResult<VerificationResult> {
    if let Err(e) = validate_sms_code(form.code.expose()) {
        return Err(invalid_field("code", &e));
    }
    let SmsCodeForm { verification_id: id, code } = form;
    session
        .authorized(|client, token| {
            let (id, code) = (id.clone(), code.clone());
            async move { client.confirm_sms_code(&token, &id, &code).await }
        })
        .await
}

/// Starts Alipay quick authentication: the platform opens an authorization session whose page
/// the app shows in its own window.
pub async fn start_alipay(session: &Session, verification_id: &str) -> AppResult<AlipayStart> {
    let id = verification_id.to_string();
    session
        .authorized(|client, token| {
            let id = id.clone();
            async move { client.start_alipay(&token, &id).await }
        })
        .await
}

/// Waits for the Alipay decision, asking the platform every `every`; when `window_closed`
/// says the user closed the authorization window first, tells the platform so. Returns the
/// decided result (success, or failure with its reason).
pub async fn await_alipay(
    session: &Session,
    verification_id: &str,
    session_id: &str,
    window_closed: impl Fn() -> bool,
    every: std::time::Duration,
) -> AppResult<VerificationResult> {
    let (vid, sid) = (verification_id.to_string(), session_id.to_string());
    loop {
        tokio::time::sleep(every).await;
        let closed = window_closed();
        let status = session
            .authorized(|client, token| {
                let (vid, sid) = (vid.clone(), sid.clone());
                async move {
                    if closed {
                        client.cancel_alipay(&token, &vid, &sid).await
                    } else {
                        client.alipay_status(&token, &vid, &sid).await
                    }
                }
            })
            .await?;
        if status.status != AlipaySessionStatus::Pending {
            return status.result.ok_or_else(|| {
                AppError::new(ErrorCode::ProtocolError, "decided Alipay session without a result")
            });
        }
    }
}

pub async fn attempt_history(session: &Session) -> AppResult<AttemptHistory> {
    session.authorized(|client, token| async move { client.attempt_history(&token).await }).await
}
