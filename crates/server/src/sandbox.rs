//! The sandbox SMS outbox, for testers: `GET /sandbox/sms` (an HTML page, newest first),
//! `GET /sandbox/sms.json?phone=...` (the same as JSON) and `signet-server sandbox sms`.
//! The routes answer 404 unless the server runs in sandbox mode ([`crate::Settings::sandbox`]).
//!
//! The outbox (`sandbox_sms_outbox`) is the only place where full phone numbers and SMS codes
//! are stored, because it stands in for the phones of the test users.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use signet_domain::identity::validate_mobile_number;
use signet_domain::ErrorCode;
use sqlx::Row;

use crate::clock::{platform_date, PLATFORM_UTC_OFFSET_SECS};
use crate::error::{AppError, NoStore};
use crate::state::AppState;

/// Messages the page and the JSON list show, at most.
pub const SANDBOX_SMS_LIMIT: i64 = 100;

/// One message of the sandbox outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSms {
    pub id: String,
    /// e.g. `138****8000`
    pub phone_masked: String,
    /// The full number: sandbox only.
    pub phone: String,
    pub code: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// `GET /sandbox/sms.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSmsOutbox {
    /// Newest first.
    pub messages: Vec<SandboxSms>,
}

/// The newest `limit` messages of the outbox, to `phone` only when given (any form
/// `validate_mobile_number` accepts; an invalid number answers 400 `invalid_input`).
pub async fn sandbox_sms_messages(
    state: &AppState,
    phone: Option<&str>,
    limit: i64,
) -> Result<Vec<SandboxSms>, AppError> {
    let phone = phone
        .map(|raw| {
            validate_mobile_number(raw)
                .map(|p| p.number().to_owned())
                .map_err(|e| AppError::invalid_field("phone", e))
        })
        .transpose()?;
    let rows = match &phone {
        Some(phone) => {
            sqlx::query(
                "SELECT id, phone_masked, phone, code, created_at FROM sandbox_sms_outbox
                 WHERE phone = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            )
            .bind(phone)
            .bind(limit)
            .fetch_all(state.pool())
            .await?
        }
        None => {
            sqlx::query(
                "SELECT id, phone_masked, phone, code, created_at FROM sandbox_sms_outbox
                 ORDER BY created_at DESC, id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(state.pool())
            .await?
        }
    };
    rows.into_iter()
        .map(|row| {
            Ok(SandboxSms {
                id: row.try_get("id")?,
                phone_masked: row.try_get("phone_masked")?,
                phone: row.try_get("phone")?,
                code: row.try_get("code")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    phone: Option<String>,
}

pub(crate) fn ensure_sandbox(state: &AppState) -> Result<(), AppError> {
    if state.sandbox() {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::NotFound, "the server does not run in sandbox mode"))
    }
}

/// `GET /sandbox/sms.json?phone=...`.
pub async fn outbox_json(
    State(state): State<AppState>,
    query: Result<Query<OutboxQuery>, QueryRejection>,
) -> Result<NoStore<Json<SandboxSmsOutbox>>, AppError> {
    ensure_sandbox(&state)?;
    let Query(query) =
        query.map_err(|e| AppError::invalid_input("query", format!("bad query string: {e}")))?;
    let messages = sandbox_sms_messages(&state, query.phone.as_deref(), SANDBOX_SMS_LIMIT).await?;
    Ok(NoStore(Json(SandboxSmsOutbox { messages })))
}

/// `GET /sandbox/sms`: the outbox as a small HTML page, newest first.
pub async fn outbox_page(State(state): State<AppState>) -> Result<Response, AppError> {
    ensure_sandbox(&state)?;
    let messages = sandbox_sms_messages(&state, None, SANDBOX_SMS_LIMIT).await?;
    let mut response = NoStore(Html(render_page(&messages))).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    Ok(response)
}

fn render_page(messages: &[SandboxSms]) -> String {
    let mut rows = String::new();
    for m in messages {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"code\">{}</td></tr>\n",
            escape(&china_time(m.created_at)),
            escape(&m.phone_masked),
            escape(&m.phone),
            escape(&m.code),
        ));
    }
    if messages.is_empty() {
        rows.push_str("<tr><td colspan=\"4\">No messages yet (还没有短信).</td></tr>\n");
    }
    format!(
        "<!doctype html>
<html lang=\"zh-CN\">
<head>
<meta charset=\"utf-8\">
<title>Signet sandbox SMS outbox</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }}
p.note {{ color: #7b8794; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #cbd2d9; padding: .4rem .8rem; text-align: left; }}
th {{ background: #f5f7fa; }}
td.code {{ font-family: ui-monospace, monospace; font-size: 1.2rem; letter-spacing: .15rem; }}
</style>
</head>
<body>
<h1>沙箱短信发件箱 · Sandbox SMS outbox</h1>
<p class=\"note\">Sandbox only: the SMS codes the platform \"sent\", newest first (at most {SANDBOX_SMS_LIMIT}). Times are China time (UTC+8). Reload to update.</p>
<table>
<thead><tr><th>time</th><th>masked phone</th><th>phone</th><th>code</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"
    )
}

/// `YYYY-MM-DD HH:MM:SS` in China time.
pub(crate) fn china_time(unix_secs: i64) -> String {
    let local = unix_secs.saturating_add(PLATFORM_UTC_OFFSET_SECS).rem_euclid(24 * 60 * 60);
    format!(
        "{} {:02}:{:02}:{:02}",
        platform_date(unix_secs),
        local / 3600,
        local % 3600 / 60,
        local % 60
    )
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn times_are_shown_in_china_time() {
        assert_eq!(china_time(1_767_225_600), "2026-01-01 08:00:00");
        assert_eq!(china_time(1_767_225_600 + 16 * 3600 + 61), "2026-01-02 00:01:01");
    }

    #[test]
    fn the_page_escapes_every_value() {
        let page = render_page(&[SandboxSms {
            id: "1".into(),
            phone_masked: "<b>".into(),
            phone: "13800138000".into(),
            code: "123456".into(),
            created_at: 0,
        }]);
        assert!(page.contains("&lt;b&gt;"));
        assert!(!page.contains("<b>"));
        assert!(!page.contains("<script"));
    }
}
