//! `GET /api/v1/openapi.json`: the API described as OpenAPI 3.1, written by hand. A test checks
//! that it lists exactly the routes the router serves.

use axum::Json;
use serde_json::Map;
use serde_json::{json, Value};
use signet_domain::api::{
    FailureReason, LivenessReason, ManualPhotoKind, RealNameStatus, RejectReason, Role,
    SignatureKind, ACCESS_TOKEN_TTL_SECS, FACE_CHALLENGE_MAX_DIGITS, FACE_CHALLENGE_MIN_DIGITS,
    FACE_CHALLENGE_TTL_SECS, FACE_CLIP_MAX_DURATION_MS, FACE_CLIP_MIN_DURATION_MS,
    FACE_UPLOAD_MAX_BYTES, LOCKOUT_SECS, MANUAL_REVIEW_EXPECTED_MINUTES_MAX,
    MANUAL_REVIEW_EXPECTED_MINUTES_MIN, MANUAL_UPLOAD_CHUNK_BYTES, MANUAL_UPLOAD_MAX_BYTES,
    MANUAL_UPLOAD_MAX_CHUNK_BYTES, MAX_ACCOUNT_CHARS, MAX_FAILED_SIGN_INS, MAX_PASSWORD_CHARS,
    MAX_SIGNATURES, MAX_SIGNATURE_NAME_CHARS, MAX_SIGNATURE_PNG_BYTES, MAX_SIGNATURE_SIDE_PX,
    MAX_SIGNATURE_SVG_BYTES, REFRESH_TOKEN_TTL_SECS,
};
use signet_domain::identity::{
    DocumentType, VerificationMethod, BANK_CARD_LENGTHS, SMS_CODES_PER_PHONE_PER_DAY,
    SMS_CODE_TTL_SECS, SMS_MAX_WRONG_TRIES, SMS_RESEND_AFTER_SECS,
};

use crate::state::Limits;
use crate::updates::{UPDATE_ARCHES, UPDATE_INSTALLERS, UPDATE_TARGETS};
use crate::{SANDBOX_ALIPAY_ACCOUNTS, SANDBOX_BANK_CARDS, SANDBOX_FACE_IDENTITIES, SANDBOX_PHONES};
use signet_domain::ErrorCode;

/// The error codes this server answers with.
const SERVER_ERROR_CODES: &[ErrorCode] = &[
    ErrorCode::InvalidInput,
    ErrorCode::MalformedJson,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::PayloadTooLarge,
    ErrorCode::InvalidCredentials,
    ErrorCode::AccountLocked,
    ErrorCode::RateLimited,
    ErrorCode::Unauthorized,
    ErrorCode::SessionExpired,
    ErrorCode::RefreshTokenReused,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::Conflict,
    ErrorCode::Internal,
    ErrorCode::ProviderTimeout,
    ErrorCode::WrongSmsCode,
    ErrorCode::SmsCodeExpired,
    ErrorCode::SmsCodeVoided,
    ErrorCode::SmsDailyLimit,
    ErrorCode::InvalidPhoto,
    ErrorCode::ChecksumMismatch,
    ErrorCode::RealNameRequired,
    ErrorCode::InvalidSignature,
    ErrorCode::SignatureLimit,
    ErrorCode::FaceUnavailable,
];

pub async fn openapi() -> Json<Value> {
    Json(document())
}

/// The whole document.
pub fn document() -> Value {
    let mut document = base_document();
    add_manual_review(&mut document);
    add_face(&mut document);
    add_signatures(&mut document);
    add_updates(&mut document);
    document
}

fn base_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Signet platform API",
            "version": crate::VERSION,
            "description": "Accounts, sessions and real-name authentication of the Signet \
                trusted electronic credential platform. Every error answers with an \
                `ErrorBody`; clients branch on `code`.",
        },
        "paths": {
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness and database reachability",
                    "responses": {
                        "200": json_response("The server and its database are up", "Health"),
                        "503": json_response("The database is unreachable", "Health"),
                    },
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1 document",
                            "content": { "application/json": { "schema": { "type": "object" } } },
                        },
                    },
                },
            },
            "/api/v1/auth/sign-in": {
                "post": {
                    "operationId": "signIn",
                    "summary": "Sign in with account and password",
                    "description": format!(
                        "{MAX_FAILED_SIGN_INS} wrong passwords in a row lock the account for \
                         {LOCKOUT_SECS} s; an unknown account answers exactly like a wrong \
                         password. Rate limited per client IP."),
                    "requestBody": json_body("SignInRequest"),
                    "responses": {
                        "200": json_response("A new session", "SessionTokens"),
                        "400": error_response("`malformed_json` or `invalid_input` (`details.field`)"),
                        "401": error_response("`invalid_credentials` with `details.attempts_left`"),
                        "413": error_response("`payload_too_large`"),
                        "415": error_response("`unsupported_media_type`"),
                        "423": error_response("`account_locked` with `details.retry_after_secs` and `Retry-After`"),
                        "429": error_response("`rate_limited` with `details.retry_after_secs` and `Retry-After`"),
                    },
                },
            },
            "/api/v1/auth/refresh": {
                "post": {
                    "operationId": "refresh",
                    "summary": "Exchange a refresh token for a new token pair",
                    "description": "The refresh token is single-use: it rotates on every call. \
                        Presenting a used one revokes the whole session. Rate limited per client IP.",
                    "requestBody": json_body("RefreshRequest"),
                    "responses": {
                        "200": json_response("The next token pair of the same session", "SessionTokens"),
                        "400": error_response("`malformed_json`"),
                        "401": error_response("`unauthorized` (unknown token), `session_expired`, or `refresh_token_reused` (the session is now revoked)"),
                        "413": error_response("`payload_too_large`"),
                        "415": error_response("`unsupported_media_type`"),
                        "429": error_response("`rate_limited`"),
                    },
                },
            },
            "/api/v1/auth/sign-out": {
                "post": {
                    "operationId": "signOut",
                    "summary": "End the session of the bearer token",
                    "description": "Revokes every token of the session. Accepts an access token \
                        that has already expired.",
                    "security": [{ "bearer": [] }],
                    "responses": {
                        "204": { "description": "Signed out" },
                        "401": error_response("`unauthorized`"),
                    },
                },
            },
            "/api/v1/me": {
                "get": {
                    "operationId": "me",
                    "summary": "The signed-in user's profile",
                    "security": [{ "bearer": [] }],
                    "responses": {
                        "200": json_response("The profile, with the identity masked", "Profile"),
                        "401": error_response("`unauthorized` or `session_expired`"),
                    },
                },
            },
            "/api/v1/real-name/identity": real_name_identity(),
            "/api/v1/real-name/{verification_id}/bank-card": real_name_bank_card(),
            "/api/v1/real-name/{verification_id}/phone": real_name_phone(),
            "/api/v1/real-name/{verification_id}/phone/resend": real_name_phone_resend(),
            "/api/v1/real-name/{verification_id}/phone/confirm": real_name_phone_confirm(),
            "/api/v1/real-name/{verification_id}/alipay": real_name_alipay(),
            "/api/v1/real-name/{verification_id}/alipay/{session_id}": real_name_alipay_status(),
            "/api/v1/real-name/{verification_id}/alipay/{session_id}/cancel": real_name_alipay_cancel(),
            "/api/v1/real-name/attempts": real_name_attempts(),
            "/sandbox/sms": sandbox_sms_page(),
            "/sandbox/sms.json": sandbox_sms_json(),
            "/sandbox/alipay/authorize": sandbox_alipay_page(),
            "/sandbox/alipay/authorize/agree": sandbox_alipay_form("agree"),
            "/sandbox/alipay/authorize/cancel": sandbox_alipay_form("cancel"),
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": format!("An access token from sign-in or refresh, valid {ACCESS_TOKEN_TTL_SECS} s."),
                },
            },
            "schemas": schemas(),
        },
    })
}

fn schemas() -> Value {
    let document_types: Vec<&str> = DocumentType::ALL.iter().map(|t| t.as_str()).collect();
    let roles: Vec<&str> = [Role::Staff, Role::Reviewer].iter().map(|r| r.as_str()).collect();
    let statuses: Vec<&str> = [
        RealNameStatus::Unverified,
        RealNameStatus::PendingReview,
        RealNameStatus::Verified,
        RealNameStatus::Rejected,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    let codes: Vec<&str> = SERVER_ERROR_CODES.iter().map(|c| c.as_str()).collect();
    let methods: Vec<&str> = VerificationMethod::ALL.iter().map(|m| m.as_str()).collect();
    let elements = ["name", "id_number", "card_number", "phone"];
    let reasons: Vec<&str> = FailureReason::ALL.iter().map(|r| r.as_str()).collect();
    let liveness: Vec<&str> = LivenessReason::ALL.iter().map(|r| r.as_str()).collect();
    json!({
        "Health": object(&["status", "version"], json!({
            "status": { "type": "string", "enum": ["ok", "unavailable"] },
            "version": { "type": "string" },
        })),
        "SignInRequest": object(&["account", "password"], json!({
            "account": { "type": "string", "minLength": 1, "maxLength": MAX_ACCOUNT_CHARS,
                         "description": "Trimmed; no control characters." },
            "password": { "type": "string", "minLength": 1, "maxLength": MAX_PASSWORD_CHARS,
                          "format": "password" },
        })),
        "RefreshRequest": object(&["refresh_token"], json!({
            "refresh_token": { "type": "string" },
        })),
        "SessionTokens": object(
            &["user_id", "access_token", "access_expires_in", "refresh_token", "refresh_expires_in"],
            json!({
                "user_id": { "type": "string" },
                "access_token": { "type": "string", "description": "Opaque; send as `Authorization: Bearer`." },
                "access_expires_in": { "type": "integer", "minimum": 0, "examples": [ACCESS_TOKEN_TTL_SECS] },
                "refresh_token": { "type": "string", "description": "Opaque and single-use." },
                "refresh_expires_in": { "type": "integer", "minimum": 0, "examples": [REFRESH_TOKEN_TTL_SECS] },
            }),
        ),
        "MaskedIdentity": object(&["document_type", "number", "name"], json!({
            "document_type": { "type": "string", "enum": document_types },
            "number": { "type": "string", "description": "Masked: first 3 and last 4 kept.",
                        "examples": ["110***********002X"] },
            "name": { "type": "string" },
        })),
        "Profile": object(
            &["user_id", "account", "display_name", "role", "real_name_status"],
            json!({
                "user_id": { "type": "string" },
                "account": { "type": "string" },
                "display_name": { "type": "string" },
                "role": { "type": "string", "enum": roles },
                "real_name_status": { "type": "string", "enum": statuses },
                "identity": { "oneOf": [{ "$ref": "#/components/schemas/MaskedIdentity" }, { "type": "null" }] },
            }),
        ),
        "IdentityInput": object(&["document_type", "number", "name"], json!({
            "document_type": { "type": "string", "enum": document_types },
            "number": { "type": "string", "description": "As typed: spaces, full-width forms and a lowercase `x` are normalised; a 15-digit resident ID number is converted." },
            "name": { "type": "string", "description": "2-30 characters; Latin letters for passports only." },
        })),
        "IdentityAccepted": object(
            &["verification_id", "masked", "converted_from_legacy", "warnings", "expires_in", "methods"],
            json!({
                "verification_id": { "type": "string" },
                "masked": schema_ref("MaskedIdentity"),
                "converted_from_legacy": { "type": "boolean" },
                "warnings": { "type": "array", "items": schema_ref("Warning") },
                "expires_in": { "type": "integer", "minimum": 0, "examples": [Limits::default().verification_ttl_secs] },
                "methods": { "type": "array", "items": schema_ref("MethodOption") },
            }),
        ),
        "MethodOption": object(&["method", "available"], json!({
            "method": { "type": "string", "enum": methods },
            "available": { "type": "boolean" },
            "reason": schema_ref("MethodUnavailable"),
        })),
        "MethodUnavailable": {
            "type": "object",
            "required": ["kind"],
            "description": "`document_requires_manual_review` (`document_type`), `name_not_in_chinese_characters`, \
                `daily_attempts_used_up` (`scope`: `user_and_method` | `identity_number`, `retry_after_secs`), \
                `attempts_per_minute_used_up` (face: `scope` = `identity_number`, `retry_after_secs`), \
                `not_offered` (also face without an installed liveness analysis).",
            "properties": {
                "kind": { "type": "string", "enum": ["document_requires_manual_review", "name_not_in_chinese_characters", "daily_attempts_used_up", "attempts_per_minute_used_up", "not_offered"] },
                "document_type": { "type": "string", "enum": document_types },
                "scope": { "type": "string", "enum": ["user_and_method", "identity_number"] },
                "retry_after_secs": { "type": "integer", "minimum": 1 },
            },
        },
        "Warning": {
            "type": "object",
            "required": ["kind"],
            "description": "A hint on input accepted anyway: `region_outside_mainland` (`code`), `old_taiwan_permit_format`, `luhn_failed`, `virtual_operator` (`prefix`).",
            "properties": { "kind": { "type": "string" } },
        },
        "BankCardRequest": object(&["card_number", "phone"], json!({
            "card_number": { "type": "string", "description": format!("{}-{} digits, spaces allowed; a Luhn failure only warns.", BANK_CARD_LENGTHS.0, BANK_CARD_LENGTHS.1) },
            "phone": { "type": "string", "description": "The mobile number reserved at the bank; `+86`, spaces and hyphens allowed." },
        })),
        "VerificationResult": object(&["outcome"], json!({
            "outcome": { "type": "string", "enum": ["success", "failure"] },
            "reason_code": { "type": "string", "enum": reasons },
            "mismatched_element": { "type": "string", "enum": elements },
            "reasons": { "type": "array", "items": { "type": "string", "enum": liveness.clone() }, "description": "Face recognition failures: every problem of the clip, in a fixed order." },
            "attempts_left": { "type": "integer", "minimum": 0, "description": "After a failure: attempts of this method left today." },
            "warnings": { "type": "array", "items": schema_ref("Warning") },
        })),
        "AttemptRecord": object(
            &["id", "verification_id", "method", "outcome", "document_type", "number_masked", "created_at"],
            json!({
                "id": { "type": "string" },
                "verification_id": { "type": "string" },
                "method": { "type": "string", "enum": methods },
                "outcome": { "type": "string", "enum": ["success", "failure", "provider_timeout"] },
                "reason_code": { "type": "string", "enum": reasons },
                "mismatched_element": { "type": "string", "enum": elements },
                "reasons": { "type": "array", "items": { "type": "string", "enum": liveness } },
                "document_type": { "type": "string", "enum": document_types },
                "number_masked": { "type": "string", "examples": ["110***********002X"] },
                "app_version": { "type": "string" },
                "created_at": { "type": "integer", "description": "Unix seconds." },
            }),
        ),
        "PhoneRequest": object(&["phone"], json!({
            "phone": { "type": "string", "description": "Mainland mobile number; `+86`, spaces and hyphens allowed. Virtual operators (170/171/162/165/167) warn." },
        })),
        "SmsCodeRequest": object(&["code"], json!({
            "code": { "type": "string", "description": "The 6-digit SMS code; spaces and full-width digits allowed." },
        })),
        "PhoneChallenge": object(&["masked_phone", "expires_in", "resend_after", "codes_left_today"], json!({
            "masked_phone": { "type": "string", "examples": ["138****8000"] },
            "expires_in": { "type": "integer", "minimum": 0, "examples": [SMS_CODE_TTL_SECS] },
            "resend_after": { "type": "integer", "minimum": 0, "examples": [SMS_RESEND_AFTER_SECS] },
            "codes_left_today": { "type": "integer", "minimum": 0, "maximum": SMS_CODES_PER_PHONE_PER_DAY },
            "warnings": { "type": "array", "items": schema_ref("Warning") },
        })),
        "PhoneStart": {
            "description": "`{status: code_sent, challenge}` or `{status: failed, result}`.",
            "oneOf": [
                object(&["status", "challenge"], json!({
                    "status": { "const": "code_sent" },
                    "challenge": schema_ref("PhoneChallenge"),
                })),
                object(&["status", "result"], json!({
                    "status": { "const": "failed" },
                    "result": schema_ref("VerificationResult"),
                })),
            ],
        },
        "AlipayStart": object(&["session_id", "authorize_path", "expires_in"], json!({
            "session_id": { "type": "string" },
            "authorize_path": { "type": "string", "description": "Path and query (single-use token) of the authorization page, relative to the platform base URL; a secret.",
                                "examples": ["/sandbox/alipay/authorize?token=..."] },
            "expires_in": { "type": "integer", "minimum": 0, "examples": [Limits::default().alipay_session_ttl_secs] },
        })),
        "AlipayStatus": object(&["status", "expires_in"], json!({
            "status": { "type": "string", "enum": ["pending", "success", "failure"] },
            "result": schema_ref("VerificationResult"),
            "expires_in": { "type": "integer", "minimum": 0, "description": "Seconds until a pending session times out; 0 once decided." },
        })),
        "SandboxSmsOutbox": object(&["messages"], json!({
            "messages": { "type": "array", "description": "Newest first.", "items": object(
                &["id", "phone_masked", "phone", "code", "created_at"],
                json!({
                    "id": { "type": "string" },
                    "phone_masked": { "type": "string" },
                    "phone": { "type": "string" },
                    "code": { "type": "string" },
                    "created_at": { "type": "integer", "description": "Unix seconds." },
                }),
            ) },
        })),
        "AttemptHistory": object(&["attempts"], json!({
            "attempts": { "type": "array", "items": schema_ref("AttemptRecord"), "description": "Newest first, at most 100." },
        })),
        "ErrorBody": object(&["code", "message"], json!({
            "code": { "type": "string", "enum": codes },
            "message": { "type": "string", "description": "For logs and developers; not shown to users." },
            "details": { "type": "object", "description": "e.g. `field`, `attempts_left`, `retry_after_secs`." },
        })),
    })
}

fn real_name_identity() -> Value {
    let limits = Limits::default();
    json!({
        "post": {
            "operationId": "submitIdentity",
            "summary": "Step 1 of real-name authentication: submit the identity, get the methods",
            "description": format!(
                "Validates document type, number and name by the rules of \
                 `spec/identity-rules.md` (today = the date in China). Stores the identity \
                 masked and keyed-hashed (never the full number) for {} s, and lists every \
                 method with why it is unavailable: other documents than the resident ID card \
                 use manual review only; {} attempts per user and method and {} per identity \
                 number a day (China time; provider timeouts not counted). At most {} \
                 real-name requests per user a minute. Send `{}` to have the app version \
                 recorded with attempts.",
                limits.verification_ttl_secs,
                limits.attempts_per_method_per_day,
                limits.attempts_per_identity_per_day,
                limits.verification_requests_per_minute,
                signet_domain::api::APP_VERSION_HEADER,
            ),
            "security": [{ "bearer": [] }],
            "requestBody": json_body("IdentityInput"),
            "responses": {
                "200": json_response("Step 1 passed", "IdentityAccepted"),
                "400": error_response("`malformed_json`, or `invalid_input` with `details.field` (first failing field) and `details.errors` (`[{field, error: {kind, ...}}]`)"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "409": error_response("`conflict` with `details.reason = already_verified`"),
                "413": error_response("`payload_too_large`"),
                "415": error_response("`unsupported_media_type`"),
                "429": error_response("`rate_limited`"),
            },
        },
    })
}

fn real_name_bank_card() -> Value {
    let mut cards = Map::new();
    for card in SANDBOX_BANK_CARDS {
        cards.insert(card.card_number.to_owned(), Value::from(card.note));
    }
    json!({
        "post": {
            "operationId": "verifyWithBankCard",
            "summary": "Method A: the bank compares name, ID number, card and reserved phone",
            "description": "In the sandbox the bank answers from a registry of test cards (see \
                the server README and `x-sandbox-cards`); any other card is a `card_number` \
                mismatch. A failure counts against the daily budgets, a provider timeout does not.",
            "x-sandbox-cards": cards,
            "security": [{ "bearer": [] }],
            "parameters": [{
                "name": "verification_id",
                "in": "path",
                "required": true,
                "schema": { "type": "string" },
                "description": "From `POST /api/v1/real-name/identity`.",
            }],
            "requestBody": json_body("BankCardRequest"),
            "responses": {
                "200": json_response("The bank's answer: `success` (the user is now verified) or `failure`", "VerificationResult"),
                "400": error_response("`malformed_json`, or `invalid_input` with `details.field` and `details.errors` (`card_number`, `phone`)"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, another user's, or expired (`details.reason = expired`) verification"),
                "409": error_response("`conflict`: already verified, or the method is not available for this identity (`details.reason`)"),
                "413": error_response("`payload_too_large`"),
                "415": error_response("`unsupported_media_type`"),
                "429": error_response("`rate_limited`: per-minute limit, or today's attempts used up (`details.reason = daily_attempts_used_up`, `details.scope`, `retry_after_secs`)"),
                "504": error_response("`provider_timeout`: the bank did not answer; not counted, try again"),
            },
        },
    })
}

fn verification_id_parameter() -> Value {
    json!({
        "name": "verification_id",
        "in": "path",
        "required": true,
        "schema": { "type": "string" },
        "description": "From `POST /api/v1/real-name/identity`.",
    })
}

fn real_name_phone() -> Value {
    let mut phones = Map::new();
    for phone in SANDBOX_PHONES {
        phones.insert(phone.phone.to_owned(), Value::from(phone.note));
    }
    json!({
        "post": {
            "operationId": "verifyWithPhone",
            "summary": "Method C, step 1: the carrier compares name, ID number and phone; on a match an SMS code is sent",
            "description": format!(
                "In the sandbox the carrier answers from a registry of test numbers (see the                  server README and `x-sandbox-phones`); any other number is a `phone` mismatch,                  and the code lands in the sandbox outbox (`GET /sandbox/sms`). A failure counts                  against the daily budgets, a provider timeout does not. A code is valid {SMS_CODE_TTL_SECS} s;                  a new one to the same number no sooner than {SMS_RESEND_AFTER_SECS} s after the                  previous, at most {SMS_CODES_PER_PHONE_PER_DAY} a day per number."),
            "x-sandbox-phones": phones,
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "requestBody": json_body("PhoneRequest"),
            "responses": {
                "200": json_response("`code_sent` with the challenge, or `failed` with the carrier's answer (a recorded failed attempt)", "PhoneStart"),
                "400": error_response("`malformed_json`, or `invalid_input` with `details.field = phone` and `details.errors`"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, another user's, or expired (`details.reason = expired`) verification"),
                "409": error_response("`conflict`: already verified, or the method is not available for this identity"),
                "413": error_response("`payload_too_large`"),
                "415": error_response("`unsupported_media_type`"),
                "429": error_response("`sms_daily_limit` (`retry_after_secs`), or `rate_limited`: a code was sent to this number less than 60 s ago (`details.reason = sms_resend_too_soon`), today's attempts used up, or the per-minute limit"),
                "504": error_response("`provider_timeout`: the carrier or SMS gateway did not answer; not counted"),
            },
        },
    })
}

fn real_name_phone_resend() -> Value {
    json!({
        "post": {
            "operationId": "resendPhoneCode",
            "summary": "Method C: a new SMS code to the same number; the previous code is void",
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "responses": {
                "200": json_response("The new code was sent", "PhoneChallenge"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, another user's or expired verification, or no code sent yet (`details.reason = no_sms_code`)"),
                "409": error_response("`conflict`: already verified"),
                "429": error_response("`rate_limited` with `retry_after_secs` (less than 60 s since the last code), or `sms_daily_limit`"),
                "504": error_response("`provider_timeout`: the SMS gateway did not answer"),
            },
        },
    })
}

fn real_name_phone_confirm() -> Value {
    json!({
        "post": {
            "operationId": "confirmPhoneCode",
            "summary": "Method C, step 2: the SMS code; the right one verifies the user",
            "description": format!(
                "{SMS_MAX_WRONG_TRIES} wrong codes void the code. The phone method counts as one                  attempt when it ends: success, a voided code (`sms_code_voided`) or an expired                  one (`sms_code_expired`)."),
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "requestBody": json_body("SmsCodeRequest"),
            "responses": {
                "200": json_response("`{outcome: success}`: the user is now verified", "VerificationResult"),
                "400": error_response("`wrong_sms_code` (`details.attempts_left`), `sms_code_voided` (`details.method_attempts_left`), `sms_code_expired`, `malformed_json`, or `invalid_input` (`details.field = code`)"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, another user's or expired verification, or no code sent (`details.reason = no_sms_code`)"),
                "409": error_response("`conflict`: already verified"),
                "413": error_response("`payload_too_large`"),
                "415": error_response("`unsupported_media_type`"),
                "429": error_response("`rate_limited`"),
            },
        },
    })
}

fn sandbox_sms_page() -> Value {
    json!({
        "get": {
            "operationId": "sandboxSmsPage",
            "summary": "Sandbox only: the SMS outbox as an HTML page, newest first",
            "responses": {
                "200": { "description": "HTML page: time, masked phone, full phone, code", "content": { "text/html": { "schema": { "type": "string" } } } },
                "404": error_response("`not_found`: the server does not run in sandbox mode"),
            },
        },
    })
}

fn sandbox_sms_json() -> Value {
    json!({
        "get": {
            "operationId": "sandboxSmsOutbox",
            "summary": "Sandbox only: the SMS outbox, newest first",
            "parameters": [{
                "name": "phone",
                "in": "query",
                "required": false,
                "schema": { "type": "string" },
                "description": "Only messages to this number.",
            }],
            "responses": {
                "200": json_response("The messages", "SandboxSmsOutbox"),
                "400": error_response("`invalid_input`: not a mobile number"),
                "404": error_response("`not_found`: the server does not run in sandbox mode"),
            },
        },
    })
}

fn session_id_parameter() -> Value {
    json!({
        "name": "session_id",
        "in": "path",
        "required": true,
        "schema": { "type": "string" },
        "description": "From `POST /api/v1/real-name/{verification_id}/alipay`.",
    })
}

fn real_name_alipay() -> Value {
    let mut accounts = Map::new();
    for account in SANDBOX_ALIPAY_ACCOUNTS {
        accounts.insert(account.account.to_owned(), Value::from(account.note));
    }
    json!({
        "post": {
            "operationId": "startAlipay",
            "summary": "Method B: open an Alipay authorization session",
            "description": format!(
                "No body. Checks the verification and the method's budgets, ends the caller's                  open sessions (`window_closed`, or `alipay_timeout` when overdue) and opens a                  session valid {} s (never past the verification). Open `authorize_path` on the                  platform base URL in the app's own window, then poll the status. In the                  sandbox the page offers the test accounts of `x-sandbox-alipay-accounts`. Each                  decided session is one attempt; all failures count against the budgets except                  a provider timeout (Alipay did not answer after the user agreed).",
                Limits::default().alipay_session_ttl_secs),
            "x-sandbox-alipay-accounts": accounts,
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "responses": {
                "200": json_response("The session", "AlipayStart"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, another user's, or expired (`details.reason = expired`) verification"),
                "409": error_response("`conflict`: already verified, or the method is not available for this identity"),
                "429": error_response("`rate_limited`: today's attempts used up (`details.reason = daily_attempts_used_up`), or the per-minute limit"),
            },
        },
    })
}

fn real_name_alipay_status() -> Value {
    json!({
        "get": {
            "operationId": "alipayStatus",
            "summary": "Method B: where the authorization session stands (poll it)",
            "description": "Not subject to the per-minute real-name limit. A pending session                 past its expiry ends here as `alipay_timeout` (recorded once). Success verified                 the user. Readable after the verification has ended.",
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter(), session_id_parameter()],
            "responses": {
                "200": json_response("`pending` (no result), `success` or `failure` with the result", "AlipayStatus"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown or another user's session"),
            },
        },
    })
}

fn real_name_alipay_cancel() -> Value {
    json!({
        "post": {
            "operationId": "cancelAlipay",
            "summary": "Method B: the user closed the authorization window",
            "description": "No body. Ends a pending session as `window_closed` (as                 `alipay_timeout` when it had expired or Alipay had not answered); a decided one                 is left as it is. Idempotent.",
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter(), session_id_parameter()],
            "responses": {
                "200": json_response("The final status", "AlipayStatus"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown or another user's session"),
            },
        },
    })
}

fn html_page(description: &str) -> Value {
    json!({ "description": description, "content": { "text/html": { "schema": { "type": "string" } } } })
}

fn sandbox_alipay_page() -> Value {
    json!({
        "get": {
            "operationId": "sandboxAlipayPage",
            "summary": "Sandbox only: the Alipay authorization page (HTML, no scripts)",
            "parameters": [{
                "name": "token",
                "in": "query",
                "required": true,
                "schema": { "type": "string" },
                "description": "The single-use token of `authorize_path`.",
            }],
            "responses": {
                "200": html_page("The identity (name, masked number), the sandbox accounts (radios `alipay-account-<index>`), buttons `alipay-agree` and `alipay-cancel`"),
                "400": html_page("Missing, malformed or unknown token"),
                "404": error_response("`not_found`: the server does not run in sandbox mode"),
                "410": html_page("The token was used, or the session ended or expired"),
            },
        },
    })
}

fn sandbox_alipay_form(action: &str) -> Value {
    let (operation, summary, fields) = if action == "agree" {
        (
            "sandboxAlipayAgree",
            "Sandbox only: 同意并认证, the chosen account authorizes; Alipay compares identities",
            json!({ "token": { "type": "string" }, "account": { "type": "string" } }),
        )
    } else {
        (
            "sandboxAlipayCancel",
            "Sandbox only: 取消, the session ends as `user_cancelled`",
            json!({ "token": { "type": "string" } }),
        )
    };
    json!({
        "post": {
            "operationId": operation,
            "summary": summary,
            "requestBody": {
                "required": true,
                "content": { "application/x-www-form-urlencoded": { "schema": {
                    "type": "object", "required": ["token"], "properties": fields,
                } } },
            },
            "responses": {
                "200": html_page("Decided: the final page (`alipay-done`, 已完成，可关闭此窗口)"),
                "400": html_page("Unreadable form, unknown token or account"),
                "404": error_response("`not_found`: the server does not run in sandbox mode"),
                "409": html_page("The user is already verified"),
                "410": html_page("The token was used, or the session ended or expired"),
            },
        },
    })
}

fn real_name_attempts() -> Value {
    json!({
        "get": {
            "operationId": "verificationAttempts",
            "summary": "The signed-in user's authentication history, newest first, masked",
            "security": [{ "bearer": [] }],
            "responses": {
                "200": json_response("Attempts of every method", "AttemptHistory"),
                "401": error_response("`unauthorized` or `session_expired`"),
            },
        },
    })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": false,
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn json_response(description: &str, schema: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn error_response(description: &str) -> Value {
    json_response(description, "ErrorBody")
}

/// Manual review (method E) and the reviewer console: paths and schemas.
fn add_manual_review(document: &mut Value) {
    let upload_id = json!({
        "name": "upload_id", "in": "path", "required": true, "schema": { "type": "string" },
        "description": "From `POST .../manual/uploads`.",
    });
    let review_id = json!({
        "name": "review_id", "in": "path", "required": true, "schema": { "type": "string" },
    });
    let kinds: Vec<&str> = ManualPhotoKind::ALL.iter().map(|k| k.as_str()).collect();
    let reasons: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
    let console = |operation: &str, summary: &str, responses: Value| {
        json!({ "tags": ["reviewer-console"], "operationId": operation, "summary": summary,
                "responses": responses })
    };
    let csrf_form = |fields: Value| {
        json!({ "required": true, "content": { "application/x-www-form-urlencoded": { "schema": {
            "type": "object", "required": ["csrf"], "properties": fields } } } })
    };
    let paths = json!({
        "/api/v1/real-name/{verification_id}/manual/uploads": { "post": {
            "operationId": "manualUploadStart",
            "summary": "Start (or resume) the resumable upload of one manual-review photo",
            "description": format!("`size` at most {MANUAL_UPLOAD_MAX_BYTES} bytes. An unfinished \
                upload of the same verification, kind and SHA-256 is returned instead of a new one."),
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "requestBody": json_body("ManualUploadRequest"),
            "responses": {
                "200": json_response("The upload", "ManualUpload"),
                "400": error_response("`malformed_json` or `invalid_input` (`size`, `sha256`)"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, expired or another user's verification"),
                "409": error_response("`conflict`: already verified"),
                "413": error_response("`payload_too_large`: more than 10 MiB declared"),
                "429": error_response("`rate_limited`"),
            },
        } },
        "/api/v1/real-name/{verification_id}/manual/uploads/{upload_id}": {
            "get": {
                "operationId": "manualUploadStatus",
                "summary": "Where an upload stands (resume from `received`)",
                "security": [{ "bearer": [] }],
                "parameters": [verification_id_parameter(), upload_id.clone()],
                "responses": {
                    "200": json_response("The upload", "ManualUpload"),
                    "401": error_response("`unauthorized` or `session_expired`"),
                    "404": error_response("`not_found`: unknown or another user's upload"),
                },
            },
            "put": {
                "operationId": "manualUploadChunk",
                "summary": "Append one chunk",
                "description": format!("Header `Content-Range: bytes START-END/TOTAL`, body \
                    `application/octet-stream` of at most {MANUAL_UPLOAD_MAX_CHUNK_BYTES} bytes; \
                    START must equal `received`. After the last byte the SHA-256 and the photo are \
                    checked (`signet_imaging::prepare_id_photo`); only the re-encoded JPEG is kept."),
                "security": [{ "bearer": [] }],
                "parameters": [verification_id_parameter(), upload_id],
                "requestBody": { "required": true, "content": { "application/octet-stream": {
                    "schema": { "type": "string", "format": "binary" } } } },
                "responses": {
                    "200": json_response("The upload after this chunk (`complete` once checked)", "ManualUpload"),
                    "400": error_response("`invalid_input` (`content_range`)"),
                    "401": error_response("`unauthorized` or `session_expired`"),
                    "404": error_response("`not_found`: unknown or another user's upload"),
                    "409": error_response("`conflict`: START is not `details.received`, or the upload is complete"),
                    "413": error_response("`payload_too_large`: chunk over 1 MiB"),
                    "415": error_response("`unsupported_media_type`"),
                    "422": error_response("`checksum_mismatch` (the upload restarts at 0) or `invalid_photo` with `details.error` (a `PhotoError`: `kind` = not_an_image, too_many_pixels, too_small, too_dark, too_blurry, corrupt, ...); nothing is kept"),
                },
            },
        },
        "/api/v1/real-name/{verification_id}/manual/submit": { "post": {
            "operationId": "manualSubmit",
            "summary": "Submit both photos for manual review",
            "description": "No body. The user becomes `pending_review`.",
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "responses": {
                "200": json_response("The pending review", "ManualReviewStatus"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, expired or another user's verification"),
                "409": error_response("`conflict`: `details.reason` = `review_pending`, `photos_missing` (`missing`), or already verified"),
                "429": error_response("`rate_limited` (also the daily budget of the method)"),
            },
        } },
        "/api/v1/real-name/manual/status": { "get": {
            "operationId": "manualStatus",
            "summary": "The signed-in user's latest manual review",
            "security": [{ "bearer": [] }],
            "responses": {
                "200": json_response("The review", "ManualReviewStatus"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: nothing submitted"),
            },
        } },
        "/review/login": {
            "get": console("reviewLoginPage", "Reviewer console: sign-in page (HTML)", json!({
                "200": html_page("Form `login-form` (account, password)"),
            })),
            "post": {
                "tags": ["reviewer-console"],
                "operationId": "reviewLogin",
                "summary": "Reviewer console: sign in (reviewer accounts only)",
                "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": {
                    "schema": { "type": "object", "properties": {
                        "account": { "type": "string" }, "password": { "type": "string" } } } } } },
                "responses": {
                    "303": { "description": "Signed in: cookie `signet_review` (HttpOnly, SameSite=Strict, 8 h), to `/review`" },
                    "400": html_page("Empty form"),
                    "401": html_page("Wrong account or password"),
                    "403": html_page("Not a reviewer (`review-forbidden`)"),
                    "423": html_page("Locked after wrong passwords"),
                    "429": html_page("Rate limited"),
                },
            },
        },
        "/review/logout": { "post": {
            "tags": ["reviewer-console"],
            "operationId": "reviewLogout",
            "summary": "Reviewer console: sign out",
            "requestBody": csrf_form(json!({ "csrf": { "type": "string" } })),
            "responses": {
                "303": { "description": "Signed out, to `/review/login`" },
                "403": html_page("CSRF token missing or wrong"),
            },
        } },
        "/review": { "get": console("reviewQueue", "Reviewer console: pending reviews, oldest first", json!({
            "200": html_page("Table `queue`, rows linked `review-<review_id>`, 已等待 N 分钟"),
            "303": { "description": "Not signed in: to `/review/login`" },
        })) },
        "/review/{review_id}": { "get": {
            "tags": ["reviewer-console"],
            "operationId": "reviewDetail",
            "summary": "Reviewer console: identity beside both photos, approve / reject forms",
            "parameters": [review_id.clone()],
            "responses": {
                "200": html_page("Forms `approve-form` (button `approve`) and `reject-form` (`reject-reason`, `reject-text`, `reject`)"),
                "303": { "description": "Not signed in: to `/review/login`" },
                "404": html_page("No such review"),
            },
        } },
        "/review/{review_id}/photo/{kind}": { "get": {
            "tags": ["reviewer-console"],
            "operationId": "reviewPhoto",
            "summary": "Reviewer console: a photo (JPEG, `no-store`)",
            "parameters": [review_id.clone(), {
                "name": "kind", "in": "path", "required": true,
                "schema": { "type": "string", "enum": kinds.clone() },
            }],
            "responses": {
                "200": { "description": "The cleaned JPEG", "content": { "image/jpeg": {
                    "schema": { "type": "string", "format": "binary" } } } },
                "401": html_page("No reviewer session"),
                "404": html_page("No such review or kind"),
                "410": html_page("Deleted after the retention period"),
            },
        } },
        "/review/{review_id}/approve": { "post": {
            "tags": ["reviewer-console"],
            "operationId": "reviewApprove",
            "summary": "Reviewer console: approve (the user is verified; audited)",
            "parameters": [review_id.clone()],
            "requestBody": csrf_form(json!({ "csrf": { "type": "string" } })),
            "responses": {
                "303": { "description": "Decided (or not signed in: to `/review/login`)" },
                "403": html_page("CSRF token missing or wrong"),
                "404": html_page("No such review"),
                "409": html_page("Already decided"),
            },
        } },
        "/review/{review_id}/reject": { "post": {
            "tags": ["reviewer-console"],
            "operationId": "reviewReject",
            "summary": "Reviewer console: reject with a reason (the user is rejected; audited)",
            "parameters": [review_id],
            "requestBody": csrf_form(json!({
                "csrf": { "type": "string" },
                "reason": { "type": "string", "enum": reasons.clone() },
                "text": { "type": "string", "description": "Required for `other`; at most 200 characters." },
            })),
            "responses": {
                "303": { "description": "Decided (or not signed in: to `/review/login`)" },
                "400": html_page("Unknown reason, or `other` without text"),
                "403": html_page("CSRF token missing or wrong"),
                "404": html_page("No such review"),
                "409": html_page("Already decided"),
            },
        } },
    });
    let schemas = json!({
        "ManualUploadRequest": object(&["kind", "size", "sha256"], json!({
            "kind": { "type": "string", "enum": kinds.clone() },
            "size": { "type": "integer", "minimum": 1, "maximum": MANUAL_UPLOAD_MAX_BYTES },
            "sha256": { "type": "string", "pattern": "^[0-9a-fA-F]{64}$" },
        })),
        "ManualUpload": object(&["upload_id", "kind", "received", "size", "chunk_size", "complete"], json!({
            "upload_id": { "type": "string" },
            "kind": { "type": "string", "enum": kinds },
            "received": { "type": "integer", "minimum": 0 },
            "size": { "type": "integer", "minimum": 1 },
            "chunk_size": { "type": "integer", "examples": [MANUAL_UPLOAD_CHUNK_BYTES] },
            "complete": { "type": "boolean" },
        })),
        "ManualReviewStatus": object(
            &["review_id", "status", "submitted_at", "expected_minutes_min", "expected_minutes_max"],
            json!({
                "review_id": { "type": "string" },
                "status": { "type": "string", "enum": ["pending", "approved", "rejected"] },
                "submitted_at": { "type": "integer" },
                "expected_minutes_min": { "type": "integer", "examples": [MANUAL_REVIEW_EXPECTED_MINUTES_MIN] },
                "expected_minutes_max": { "type": "integer", "examples": [MANUAL_REVIEW_EXPECTED_MINUTES_MAX] },
                "decided_at": { "type": "integer" },
                "reason_code": { "type": "string", "enum": reasons },
                "reason_text": { "type": "string" },
            }),
        ),
    });
    if let (Some(target), Value::Object(paths)) =
        (document.get_mut("paths").and_then(Value::as_object_mut), paths)
    {
        target.extend(paths);
    }
    if let (Some(target), Value::Object(schemas)) =
        (document.pointer_mut("/components/schemas").and_then(Value::as_object_mut), schemas)
    {
        target.extend(schemas);
    }
}

/// Signatures (签名维护): paths and schemas.
fn add_signatures(document: &mut Value) {
    let signature_id = json!({
        "name": "signature_id", "in": "path", "required": true,
        "schema": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
        "description": "Made by the app (128 random bits); the idempotency key of the create.",
    });
    let kinds: Vec<&str> =
        [SignatureKind::Drawn, SignatureKind::Uploaded].iter().map(|k| k.as_str()).collect();
    let unauthorized = error_response("`unauthorized` or `session_expired`");
    let real_name_required = error_response(
        "`real_name_required`: the caller's real name is not verified (`details.real_name_status`)",
    );
    let rate_limited = error_response("`rate_limited` (signature changes per user per minute)");
    let not_found = error_response("`not_found`: no live signature of the caller has this id");
    let paths = json!({
        "/api/v1/signatures": { "get": {
            "tags": ["signatures"],
            "operationId": "signatureList",
            "summary": "The caller's signatures, oldest first, and the default",
            "security": [{ "bearer": [] }],
            "responses": {
                "200": json_response("The signatures", "SignatureList"),
                "401": unauthorized.clone(),
            },
        } },
        "/api/v1/signatures/default": { "put": {
            "tags": ["signatures"],
            "operationId": "signatureSetDefault",
            "summary": "Make a signature the default, or clear the default (`null`)",
            "security": [{ "bearer": [] }],
            "requestBody": json_body("DefaultSignature"),
            "responses": {
                "200": json_response("The signatures with the new default", "SignatureList"),
                "400": error_response("`malformed_json` or `invalid_input` (`signature_id`)"),
                "401": unauthorized.clone(),
                "403": real_name_required.clone(),
                "404": not_found.clone(),
                "429": rate_limited.clone(),
            },
        } },
        "/api/v1/signatures/{signature_id}": {
            "put": {
                "tags": ["signatures"],
                "operationId": "signatureCreate",
                "summary": "Create a signature under the app's id (idempotent)",
                "description": format!("A replay of the same create (same id, kind, PNG and SVG; the \
                    name is not compared) answers 200 with the stored signature. The same id with \
                    other content (`details.reason = different_content`), a deleted one \
                    (`deleted`: it is not brought back) or another user's id answer 409 `conflict`. \
                    The PNG (at most {MAX_SIGNATURE_PNG_BYTES} bytes and {MAX_SIGNATURE_SIDE_PX} px a \
                    side, with an alpha channel, not fully transparent nor fully opaque) is kept byte \
                    for byte; `svg` (at most {MAX_SIGNATURE_SVG_BYTES} bytes, no scripts, event \
                    attributes, `foreignObject`, `href`, animation or external `url()`) is required \
                    exactly for drawn signatures. The user's first signature becomes the default. \
                    At most {MAX_SIGNATURES} signatures per user."),
                "security": [{ "bearer": [] }],
                "parameters": [signature_id.clone()],
                "requestBody": json_body("SignatureUpload"),
                "responses": {
                    "200": json_response("Replayed: the stored signature", "SignatureInfo"),
                    "201": json_response("Created", "SignatureInfo"),
                    "400": error_response("`malformed_json` or `invalid_input` (`details.field`: `signature_id`, `name` with `reason`, `svg`, `png_base64`)"),
                    "401": unauthorized.clone(),
                    "403": real_name_required.clone(),
                    "409": error_response("`conflict` (the id is taken; `details.reason` = `different_content` or `deleted` for the caller's own) or `signature_limit` (`details.max`)"),
                    "413": error_response("`payload_too_large`"),
                    "415": error_response("`unsupported_media_type`"),
                    "422": error_response("`invalid_signature`: `details.field` (`png_base64` or `svg`) and `details.reason`: `not_png`, `too_large`, `too_many_pixels`, `no_transparency`, `corrupt`, `empty`; for the SVG `too_large`, `not_svg`, `unsafe_svg`"),
                    "429": rate_limited.clone(),
                },
            },
            "patch": {
                "tags": ["signatures"],
                "operationId": "signatureRename",
                "summary": "Rename a signature",
                "security": [{ "bearer": [] }],
                "parameters": [signature_id.clone()],
                "requestBody": json_body("SignatureRename"),
                "responses": {
                    "200": json_response("The renamed signature", "SignatureInfo"),
                    "400": error_response("`malformed_json` or `invalid_input` (`name`, `details.reason`)"),
                    "401": unauthorized.clone(),
                    "403": real_name_required,
                    "404": not_found.clone(),
                    "429": rate_limited.clone(),
                },
            },
            "delete": {
                "tags": ["signatures"],
                "operationId": "signatureDelete",
                "summary": "Delete a signature and its files (idempotent)",
                "description": "Also 204 when the caller deleted it before. Deleting the default leaves no default. No real-name verification needed.",
                "security": [{ "bearer": [] }],
                "parameters": [signature_id.clone()],
                "responses": {
                    "204": { "description": "Deleted (now or before)" },
                    "401": unauthorized.clone(),
                    "404": error_response("`not_found`: the caller never had a signature with this id"),
                    "429": rate_limited,
                },
            },
        },
        "/api/v1/signatures/{signature_id}/image": { "get": {
            "tags": ["signatures"],
            "operationId": "signatureImage",
            "summary": "The signature's PNG, byte for byte as uploaded",
            "security": [{ "bearer": [] }],
            "parameters": [signature_id.clone()],
            "responses": {
                "200": { "description": "The PNG (`no-store`, `nosniff`)", "content": { "image/png": {
                    "schema": { "type": "string", "format": "binary" } } } },
                "401": unauthorized.clone(),
                "404": not_found.clone(),
            },
        } },
        "/api/v1/signatures/{signature_id}/svg": { "get": {
            "tags": ["signatures"],
            "operationId": "signatureSvg",
            "summary": "The SVG of a drawn signature",
            "security": [{ "bearer": [] }],
            "parameters": [signature_id],
            "responses": {
                "200": { "description": "The SVG, with `Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'`, `nosniff`, `no-store`",
                         "content": { "image/svg+xml": { "schema": { "type": "string" } } } },
                "401": unauthorized,
                "404": error_response("`not_found`: no live signature of the caller has this id, or it was uploaded (no SVG)"),
            },
        } },
    });
    let schemas = json!({
        "SignatureUpload": object(&["name", "kind", "png_base64"], json!({
            "name": { "type": "string", "minLength": 1, "maxLength": MAX_SIGNATURE_NAME_CHARS },
            "kind": { "type": "string", "enum": kinds.clone() },
            "png_base64": { "type": "string", "contentEncoding": "base64", "contentMediaType": "image/png" },
            "svg": { "type": "string", "description": "Drawn signatures only." },
        })),
        "SignatureRename": object(&["name"], json!({
            "name": { "type": "string", "minLength": 1, "maxLength": MAX_SIGNATURE_NAME_CHARS },
        })),
        "DefaultSignature": object(&["signature_id"], json!({
            "signature_id": { "type": ["string", "null"] },
        })),
        "SignatureInfo": object(
            &["id", "name", "kind", "width", "height", "png_sha256", "created_at", "is_default"],
            json!({
                "id": { "type": "string" },
                "name": { "type": "string" },
                "kind": { "type": "string", "enum": kinds },
                "width": { "type": "integer", "minimum": 1, "maximum": MAX_SIGNATURE_SIDE_PX },
                "height": { "type": "integer", "minimum": 1, "maximum": MAX_SIGNATURE_SIDE_PX },
                "png_sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                "created_at": { "type": "integer", "description": "Unix seconds." },
                "is_default": { "type": "boolean" },
            }),
        ),
        "SignatureList": object(&["signatures", "default_id"], json!({
            "signatures": { "type": "array", "items": schema_ref("SignatureInfo"), "maxItems": MAX_SIGNATURES },
            "default_id": { "type": ["string", "null"] },
        })),
    });
    if let (Some(target), Value::Object(paths)) =
        (document.get_mut("paths").and_then(Value::as_object_mut), paths)
    {
        target.extend(paths);
    }
    if let (Some(target), Value::Object(schemas)) =
        (document.pointer_mut("/components/schemas").and_then(Value::as_object_mut), schemas)
    {
        target.extend(schemas);
    }
}

/// Face recognition (method D): paths and schemas.
fn add_face(document: &mut Value) {
    let limits = Limits::default();
    let upload_id = json!({
        "name": "upload_id", "in": "path", "required": true, "schema": { "type": "string" },
        "description": "From `POST .../face/uploads`.",
    });
    let mut identities = Map::new();
    for entry in SANDBOX_FACE_IDENTITIES {
        identities.insert(entry.id_number.to_owned(), Value::from(entry.note));
    }
    let unavailable =
        "`face_unavailable`: no liveness analysis installed (`details.reason = no_analyser`)";
    let paths = json!({
        "/api/v1/real-name/{verification_id}/face/challenge": { "post": {
            "operationId": "faceChallenge",
            "summary": "Method D: a challenge of digits to read aloud on camera",
            "description": format!("Needs `consent: true`. {FACE_CHALLENGE_MIN_DIGITS}-\
                {FACE_CHALLENGE_MAX_DIGITS} random digits, single use, valid \
                {FACE_CHALLENGE_TTL_SECS} s. Resident ID card and a name of Chinese characters \
                only. Budgets per identity number: {} attempts a minute and {} a day (China \
                time; provider timeouts not counted).",
                limits.face_attempts_per_minute, limits.face_attempts_per_day),
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "requestBody": json_body("FaceChallengeRequest"),
            "responses": {
                "200": json_response("The challenge", "FaceChallenge"),
                "400": error_response("`malformed_json`, or `invalid_input` with `details.field = consent` (`details.reason = consent_required`)"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, expired or another user's verification"),
                "409": error_response("`conflict`: already verified, or the method is not available for this identity (`details.reason`)"),
                "429": error_response("`rate_limited`: per-minute request limit, or the face budget (`details.reason` = `daily_attempts_used_up` | `attempts_per_minute_used_up`, `details.scope = identity_number`, `retry_after_secs`)"),
                "503": error_response(unavailable),
            },
        } },
        "/api/v1/real-name/{verification_id}/face/uploads": { "post": {
            "operationId": "faceUploadStart",
            "summary": "Start (or resume) the resumable upload of the clip (H.264 in MP4)",
            "description": format!("`size` at most {FACE_UPLOAD_MAX_BYTES} bytes. An unfinished \
                upload of the same verification and SHA-256 is returned instead of a new one. \
                Chunks and status as for manual-review uploads."),
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "requestBody": json_body("FaceUploadRequest"),
            "responses": {
                "200": json_response("The upload", "FaceUpload"),
                "400": error_response("`malformed_json` or `invalid_input` (`size`, `sha256`)"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, expired or another user's verification"),
                "409": error_response("`conflict`: already verified, or the method is not available"),
                "413": error_response("`payload_too_large`: more than 8 MiB declared"),
                "429": error_response("`rate_limited` (also the face budget, or too many unfinished uploads)"),
                "503": error_response(unavailable),
            },
        } },
        "/api/v1/real-name/{verification_id}/face/uploads/{upload_id}": {
            "get": {
                "operationId": "faceUploadStatus",
                "summary": "Where a clip upload stands (resume from `received`)",
                "security": [{ "bearer": [] }],
                "parameters": [verification_id_parameter(), upload_id.clone()],
                "responses": {
                    "200": json_response("The upload", "FaceUpload"),
                    "401": error_response("`unauthorized` or `session_expired`"),
                    "404": error_response("`not_found`: unknown or another user's upload"),
                },
            },
            "put": {
                "operationId": "faceUploadChunk",
                "summary": "Append one chunk of the clip",
                "description": format!("Header `Content-Range: bytes START-END/TOTAL`, body \
                    `application/octet-stream` of at most {MANUAL_UPLOAD_MAX_CHUNK_BYTES} bytes; \
                    START must equal `received`. After the last byte the SHA-256 is checked."),
                "security": [{ "bearer": [] }],
                "parameters": [verification_id_parameter(), upload_id],
                "requestBody": { "required": true, "content": { "application/octet-stream": {
                    "schema": { "type": "string", "format": "binary" } } } },
                "responses": {
                    "200": json_response("The upload after this chunk (`complete` once every byte arrived and the SHA-256 matched)", "FaceUpload"),
                    "400": error_response("`invalid_input` (`content_range`)"),
                    "401": error_response("`unauthorized` or `session_expired`"),
                    "404": error_response("`not_found`: unknown or another user's upload"),
                    "409": error_response("`conflict`: START is not `details.received`, or the upload is complete"),
                    "413": error_response("`payload_too_large`: chunk over 1 MiB"),
                    "415": error_response("`unsupported_media_type`"),
                    "422": error_response("`checksum_mismatch`: the upload restarts at 0"),
                },
            },
        },
        "/api/v1/real-name/{verification_id}/face/submit": { "post": {
            "operationId": "faceSubmit",
            "summary": "Method D: analyse the clip as the answer to the challenge",
            "description": "Takes the challenge and the upload once each, checks liveness (the \
                clip is deleted right after its analysis unless a retention period is \
                configured), then the face-compare service (in the sandbox: `x-sandbox-identities`; \
                any other ID number matches). A failure (`reason_code` = `liveness_failed` or \
                `face_mismatch`, with `reasons`) is a counted attempt, also for an expired, used \
                or unknown challenge; a provider timeout is not.",
            "x-sandbox-identities": identities,
            "security": [{ "bearer": [] }],
            "parameters": [verification_id_parameter()],
            "requestBody": json_body("FaceSubmitRequest"),
            "responses": {
                "200": json_response("`success` (the user is now verified) or `failure` with `reasons`", "VerificationResult"),
                "400": error_response("`malformed_json`"),
                "401": error_response("`unauthorized` or `session_expired`"),
                "404": error_response("`not_found`: unknown, expired or another user's verification, or unknown or another user's upload"),
                "409": error_response("`conflict`: `details.reason` = `upload_incomplete` (`received`), `upload_used`, or already verified / method not available"),
                "422": error_response("`checksum_mismatch`: the stored clip no longer matches"),
                "429": error_response("`rate_limited`: per-minute request limit, or the face budget (`details.reason`, `details.scope`, `retry_after_secs`)"),
                "503": error_response("`face_unavailable`: `details.reason` = `no_analyser`, or `busy` (every analysis slot stayed busy; nothing was consumed; `retry_after_secs`)"),
                "504": error_response("`provider_timeout`: the face-compare service did not answer; not counted, request a new challenge"),
            },
        } },
    });
    let liveness: Vec<&str> = LivenessReason::ALL.iter().map(|r| r.as_str()).collect();
    let schemas = json!({
        "FaceChallengeRequest": object(&["consent"], json!({
            "consent": { "type": "boolean", "description": "Must be true: the user agreed to the processing of face data." },
        })),
        "FaceChallenge": object(
            &["challenge_id", "digits", "expires_at", "expires_in", "min_duration_ms", "max_duration_ms"],
            json!({
                "challenge_id": { "type": "string" },
                "digits": { "type": "string", "pattern": format!("^[0-9]{{{FACE_CHALLENGE_MIN_DIGITS},{FACE_CHALLENGE_MAX_DIGITS}}}$") },
                "expires_at": { "type": "integer", "description": "Unix seconds." },
                "expires_in": { "type": "integer", "minimum": 0, "examples": [FACE_CHALLENGE_TTL_SECS] },
                "min_duration_ms": { "type": "integer", "examples": [FACE_CLIP_MIN_DURATION_MS] },
                "max_duration_ms": { "type": "integer", "examples": [FACE_CLIP_MAX_DURATION_MS] },
            }),
        ),
        "FaceUploadRequest": object(&["size", "sha256"], json!({
            "size": { "type": "integer", "minimum": 1, "maximum": FACE_UPLOAD_MAX_BYTES },
            "sha256": { "type": "string", "pattern": "^[0-9a-fA-F]{64}$" },
        })),
        "FaceUpload": object(&["upload_id", "received", "size", "chunk_size", "complete"], json!({
            "upload_id": { "type": "string" },
            "received": { "type": "integer", "minimum": 0 },
            "size": { "type": "integer", "minimum": 1 },
            "chunk_size": { "type": "integer", "examples": [MANUAL_UPLOAD_CHUNK_BYTES] },
            "complete": { "type": "boolean" },
        })),
        "FaceSubmitRequest": object(&["challenge_id", "upload_id"], json!({
            "challenge_id": { "type": "string" },
            "upload_id": { "type": "string" },
        })),
        "LivenessReason": { "type": "string", "enum": liveness },
    });
    if let (Some(target), Value::Object(paths)) =
        (document.get_mut("paths").and_then(Value::as_object_mut), paths)
    {
        target.extend(paths);
    }
    if let (Some(target), Value::Object(schemas)) =
        (document.pointer_mut("/components/schemas").and_then(Value::as_object_mut), schemas)
    {
        target.extend(schemas);
    }
}

/// Update manifests of the desktop app (tauri-plugin-updater v2): paths and schemas.
fn add_updates(document: &mut Value) {
    let installers: Vec<&str> =
        std::iter::once("unknown").chain(UPDATE_INSTALLERS.iter().map(|(name, _)| *name)).collect();
    let paths = json!({
        "/api/v1/updates/{target}/{arch}/{current_version}": { "get": {
            "tags": ["updates"],
            "operationId": "updateManifest",
            "summary": "The update the desktop app should install, if any (no authentication)",
            "description": "The endpoint the app's updater is configured with \
                (`.../{{target}}/{{arch}}/{{current_version}}`, optionally \
                `?bundle_type={{bundle_type}}`). Answers 204 when no published release is newer \
                than `current_version` (semver precedence: `1.2.0-beta.1` < `1.2.0`), or when the \
                newest release has no artifact the app will look up (`{target}-{arch}`, or \
                `{target}-{arch}-{bundle_type}`; without `bundle_type` any installer of the \
                platform counts). Otherwise 200 with the static manifest of the newest release, \
                covering every platform it has. Artifact URLs start with the server's configured \
                public URL, else `http://` and the request's `Host`.",
            "parameters": [
                { "name": "target", "in": "path", "required": true,
                  "schema": { "type": "string", "enum": UPDATE_TARGETS } },
                { "name": "arch", "in": "path", "required": true,
                  "schema": { "type": "string", "enum": UPDATE_ARCHES } },
                { "name": "current_version", "in": "path", "required": true,
                  "schema": { "type": "string" }, "description": "The app's semantic version." },
                { "name": "bundle_type", "in": "query", "required": false,
                  "schema": { "type": "string", "enum": installers },
                  "description": "How the app was installed (`{{bundle_type}}`)." },
            ],
            "responses": {
                "200": json_response("The newest release, for every platform", "UpdateManifest"),
                "204": { "description": "No update for this app" },
                "400": error_response("`invalid_input`: `details.field` = `target`, `arch`, `current_version`, `bundle_type`, or `host` (no public URL configured and no usable `Host` header)"),
            },
        } },
        "/api/v1/updates/artifacts/{version}/{file}": { "get": {
            "tags": ["updates"],
            "operationId": "updateArtifact",
            "summary": "A release's artifact (no authentication)",
            "description": "Only the files the release lists. The updater checks the artifact \
                against the manifest's signature before installing it.",
            "parameters": [
                { "name": "version", "in": "path", "required": true, "schema": { "type": "string" } },
                { "name": "file", "in": "path", "required": true,
                  "schema": { "type": "string", "pattern": "^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$" } },
            ],
            "responses": {
                "200": { "description": "The artifact, with `Content-Length`",
                         "content": { "application/octet-stream": {
                             "schema": { "type": "string", "format": "binary" } } } },
                "400": error_response("`invalid_input`: `details.field` = `version` (not a release version) or `file` (not an artifact name)"),
                "404": error_response("`not_found`: no such release, or it has no such file"),
            },
        } },
    });
    let schemas = json!({
        "UpdateManifest": object(&["version", "notes", "pub_date", "platforms"], json!({
            "version": { "type": "string" },
            "notes": { "type": "string" },
            "pub_date": { "type": "string", "format": "date-time" },
            "platforms": {
                "type": "object",
                "description": "By `{os}-{arch}` (`darwin-aarch64`) or `{os}-{arch}-{installer}` (`linux-x86_64-deb`).",
                "additionalProperties": schema_ref("UpdatePlatform"),
            },
        })),
        "UpdatePlatform": object(&["signature", "url"], json!({
            "signature": { "type": "string", "description": "The contents of the artifact's `.sig` file." },
            "url": { "type": "string", "format": "uri" },
        })),
    });
    if let (Some(target), Value::Object(paths)) =
        (document.get_mut("paths").and_then(Value::as_object_mut), paths)
    {
        target.extend(paths);
    }
    if let (Some(target), Value::Object(schemas)) =
        (document.pointer_mut("/components/schemas").and_then(Value::as_object_mut), schemas)
    {
        target.extend(schemas);
    }
}
