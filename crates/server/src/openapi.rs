//! `GET /api/v1/openapi.json`: the API described as OpenAPI 3.1, written by hand. A test checks
//! that it lists exactly the routes the router serves.

use axum::Json;
use serde_json::{json, Value};
use signet_domain::api::{
    RealNameStatus, Role, ACCESS_TOKEN_TTL_SECS, LOCKOUT_SECS, MAX_ACCOUNT_CHARS,
    MAX_FAILED_SIGN_INS, MAX_PASSWORD_CHARS, REFRESH_TOKEN_TTL_SECS,
};
use signet_domain::identity::DocumentType;
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
];

pub async fn openapi() -> Json<Value> {
    Json(document())
}

/// The whole document.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Signet platform API",
            "version": crate::VERSION,
            "description": "Accounts and sessions of the Signet trusted electronic credential \
                platform. Every error answers with an `ErrorBody`; clients branch on `code`.",
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
        "ErrorBody": object(&["code", "message"], json!({
            "code": { "type": "string", "enum": codes },
            "message": { "type": "string", "description": "For logs and developers; not shown to users." },
            "details": { "type": "object", "description": "e.g. `field`, `attempts_left`, `retry_after_secs`." },
        })),
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
