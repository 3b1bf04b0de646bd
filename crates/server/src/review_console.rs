//! The reviewer console (审核控制台): HTML pages served by the platform for `reviewer` accounts
//! only. No JavaScript; every value escaped; a strict CSP (`default-src 'none'`, images and
//! forms from this server only), `X-Frame-Options: DENY`, never cached.
//!
//! - `GET /review/login`, `POST /review/login`: the API sign-in's password check, lockout and
//!   per-IP limit; only `reviewer` accounts enter (staff get a 403 page). The session is a random
//!   token in an HttpOnly, SameSite=Strict cookie (`signet_review`, path `/review`, 8 h), stored
//!   only as its SHA-256 in `reviewer_sessions`.
//! - `GET /review`: pending reviews, oldest first, with their waiting time.
//! - `GET /review/{review_id}`: the entered identity beside both photos
//!   (`GET /review/{review_id}/photo/{kind}`, cookie required, `no-store`), with the approve and
//!   reject forms. Every form carries a CSRF token derived from the cookie's session token.
//! - `POST /review/{review_id}/approve` verifies the user exactly like a successful method;
//!   `POST /review/{review_id}/reject` sets the user `rejected` with the reason. Both record the
//!   attempt and an audit row in `review_decisions`.

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use signet_domain::api::{
    check_text, AttemptOutcome, ManualPhotoKind, RealNameStatus, RejectReason, ReviewStatus, Role,
    SignInRequest,
};
use signet_domain::identity::{DocumentType, VerificationMethod};
use signet_domain::{ErrorCode, Sensitive};
use sqlx::Row;

use crate::auth::verify_credentials;
use crate::blobs;
use crate::error::AppError;
use crate::rate_limit::AuthRateLimit;
use crate::real_name::{complete_verification, record_attempt, Attempt, Verification};
use crate::sandbox::{china_time, escape};
use crate::state::AppState;
use crate::tokens::{new_id, new_token, sha256_hex};

/// The console session cookie.
pub const REVIEW_COOKIE: &str = "signet_review";
/// How long a console session lasts.
pub const REVIEW_SESSION_SECS: i64 = 8 * 60 * 60;
/// Longest reject text.
const MAX_REJECT_TEXT_CHARS: usize = 200;

const CSP: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn secure_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let mut response = (status, Html(layout(title, body))).into_response();
    secure_headers(&mut response);
    response
}

fn redirect(to: &'static str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(header::LOCATION, HeaderValue::from_static(to));
    secure_headers(&mut response);
    response
}

fn message_page(status: StatusCode, id: &str, title: &str, detail: &str) -> Response {
    let body = format!(
        "<section class=\"card\" id=\"{id}\" data-status=\"{}\">\n<h1>{}</h1>\n<p>{}</p>\n\
         <p><a href=\"/review\">返回审核队列</a> · <a href=\"/review/login\">登录</a></p>\n</section>",
        status.as_u16(),
        escape(title),
        escape(detail),
    );
    html(status, title, &body)
}

/// A signed-in reviewer, from the cookie.
struct Reviewer {
    user_id: String,
    display_name: String,
    token_hash: String,
    csrf: String,
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REVIEW_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// The CSRF token of the session whose cookie holds `token`: not guessable without the cookie,
/// and not stored anywhere.
fn csrf_for(token: &str) -> String {
    sha256_hex(&format!("signet-review-csrf:{token}"))
}

async fn reviewer(state: &AppState, headers: &HeaderMap) -> Result<Option<Reviewer>, AppError> {
    let Some(token) = cookie_token(headers) else { return Ok(None) };
    let token_hash = sha256_hex(&token);
    let row = sqlx::query(
        "SELECT s.user_id, s.expires_at, s.revoked_at, u.role, u.display_name
         FROM reviewer_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: i64 = row.try_get("expires_at")?;
    let revoked_at: Option<i64> = row.try_get("revoked_at")?;
    let role: String = row.try_get("role")?;
    if revoked_at.is_some() || expires_at <= state.now() || role != Role::Reviewer.as_str() {
        return Ok(None);
    }
    Ok(Some(Reviewer {
        user_id: row.try_get("user_id")?,
        display_name: row.try_get("display_name")?,
        token_hash,
        csrf: csrf_for(&token),
    }))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The reviewer behind a form post, if the form's CSRF token (`None` when the form did not
/// parse) is their session's; otherwise the page to answer with: sign-in, or the refusal.
async fn form_reviewer(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<Result<Reviewer, Response>, AppError> {
    let Some(reviewer) = reviewer(state, headers).await? else {
        return Ok(Err(redirect("/review/login")));
    };
    match csrf {
        Some(csrf) if same(csrf, &reviewer.csrf) => Ok(Ok(reviewer)),
        _ => Ok(Err(csrf_refused())),
    }
}

fn csrf_refused() -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        "review-csrf",
        "请求无效",
        "The form's security token is missing or wrong. Reload the page and try again.",
    )
}

fn login_form(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"login-error\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    format!(
        "<section class=\"card\">
<h1>审核员登录 · Reviewer sign-in</h1>
{error}<form method=\"post\" action=\"/review/login\" id=\"login-form\">
<label for=\"account\">账号</label><input type=\"text\" name=\"account\" id=\"account\" autocomplete=\"username\" required>
<label for=\"password\">密码</label><input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\" required>
<button type=\"submit\" id=\"login\">登录</button>
</form>
</section>"
    )
}

/// `GET /review/login`.
pub async fn login_page() -> Response {
    html(StatusCode::OK, "审核员登录", &login_form(None))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    password: String,
}

/// `POST /review/login`.
pub async fn login(
    State(state): State<AppState>,
    limit: Result<AuthRateLimit, AppError>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, AppError> {
    let refused =
        |status: StatusCode, message: &str| html(status, "审核员登录", &login_form(Some(message)));
    if limit.is_err() {
        return Ok(refused(StatusCode::TOO_MANY_REQUESTS, "请求过于频繁，请稍后再试。"));
    }
    let Ok(Form(form)) = form else {
        return Ok(refused(StatusCode::BAD_REQUEST, "请填写账号和密码。"));
    };
    let request = SignInRequest { account: form.account, password: Sensitive::new(form.password) };
    let user_id = match verify_credentials(&state, request).await {
        Ok(user_id) => user_id,
        Err(e) => {
            let secs = e.details().and_then(|d| d.get("retry_after_secs")).and_then(|v| v.as_u64());
            let left = e.details().and_then(|d| d.get("attempts_left")).and_then(|v| v.as_i64());
            return Ok(match e.code() {
                ErrorCode::InvalidCredentials => refused(
                    StatusCode::UNAUTHORIZED,
                    &format!("账号或密码错误，还可尝试 {} 次。", left.unwrap_or(0)),
                ),
                ErrorCode::AccountLocked => refused(
                    StatusCode::LOCKED,
                    &format!(
                        "密码错误次数过多，账号已锁定，请 {} 分钟后再试。",
                        secs.unwrap_or(60).div_ceil(60)
                    ),
                ),
                ErrorCode::InvalidInput => refused(StatusCode::BAD_REQUEST, "请填写账号和密码。"),
                _ => return Err(e),
            });
        }
    };
    let role: String = sqlx::query("SELECT role FROM users WHERE id = $1")
        .bind(&user_id)
        .fetch_one(state.pool())
        .await?
        .try_get("role")?;
    if role != Role::Reviewer.as_str() {
        tracing::warn!(user_id = %user_id, "review console refused: not a reviewer");
        return Ok(message_page(
            StatusCode::FORBIDDEN,
            "review-forbidden",
            "无权访问审核控制台",
            "仅审核员（reviewer）账号可以登录审核控制台。Only reviewer accounts may use the review console.",
        ));
    }
    let token = new_token();
    let now = state.now();
    sqlx::query(
        "INSERT INTO reviewer_sessions (token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(sha256_hex(token.expose()))
    .bind(&user_id)
    .bind(now)
    .bind(now.saturating_add(REVIEW_SESSION_SECS))
    .execute(state.pool())
    .await?;
    tracing::info!(user_id = %user_id, "reviewer signed in to the console");
    let mut response = redirect("/review");
    let cookie = format!(
        "{REVIEW_COOKIE}={}; Path=/review; HttpOnly; SameSite=Strict; Max-Age={REVIEW_SESSION_SECS}",
        token.expose()
    );
    let cookie = HeaderValue::from_str(&cookie)
        .map_err(|e| AppError::internal("cannot build the session cookie", e))?;
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /review/logout`.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, AppError> {
    let csrf = form.ok().map(|Form(f)| f.csrf);
    let reviewer = match form_reviewer(&state, &headers, csrf.as_deref()).await? {
        Ok(reviewer) => reviewer,
        Err(page) => return Ok(page),
    };
    sqlx::query("UPDATE reviewer_sessions SET revoked_at = $1 WHERE token_hash = $2")
        .bind(state.now())
        .bind(&reviewer.token_hash)
        .execute(state.pool())
        .await?;
    let mut response = redirect("/review/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "signet_review=; Path=/review; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(response)
}

fn document_label(document_type: &str) -> &'static str {
    match DocumentType::parse(document_type) {
        Some(DocumentType::IdCard) => "居民身份证",
        Some(DocumentType::Passport) => "护照",
        Some(DocumentType::HkMacaoPermit) => "港澳居民来往内地通行证",
        Some(DocumentType::TaiwanPermit) => "台湾居民来往大陆通行证",
        Some(DocumentType::ResidencePermit) => "港澳台居民居住证",
        Some(DocumentType::ForeignPermanent) => "外国人永久居留身份证",
        None => "未知证件",
    }
}

fn reason_label(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::PhotoUnclear => "照片不清晰",
        RejectReason::DocumentMismatch => "证件与填写信息不符",
        RejectReason::NotHoldingDocument => "未手持证件",
        RejectReason::DocumentExpired => "证件已过期",
        RejectReason::Other => "其他（见说明）",
    }
}

fn header_bar(reviewer: &Reviewer) -> String {
    format!(
        "<header class=\"bar\"><span>审核控制台 · {}</span>
<form method=\"post\" action=\"/review/logout\" id=\"logout-form\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\" id=\"logout\">退出</button></form></header>",
        escape(&reviewer.display_name),
        escape(&reviewer.csrf),
    )
}

/// `GET /review`: the pending reviews, oldest first.
pub async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(reviewer) = reviewer(&state, &headers).await? else {
        return Ok(redirect("/review/login"));
    };
    let now = state.now();
    let rows = sqlx::query(
        "SELECT id, document_type, number_masked, name, submitted_at FROM manual_reviews
         WHERE status = $1 ORDER BY submitted_at ASC, id ASC LIMIT 200",
    )
    .bind(ReviewStatus::Pending.as_str())
    .fetch_all(state.pool())
    .await?;
    let mut table = String::new();
    for row in &rows {
        let id: String = row.try_get("id")?;
        let document_type: String = row.try_get("document_type")?;
        let number: String = row.try_get("number_masked")?;
        let name: String = row.try_get("name")?;
        let submitted_at: i64 = row.try_get("submitted_at")?;
        let minutes = now.saturating_sub(submitted_at).max(0) / 60;
        table.push_str(&format!(
            "<tr><td><a id=\"review-{id}\" href=\"/review/{id}\">{name}</a></td><td>{doc}</td>\
             <td>{number}</td><td>{submitted}</td><td class=\"wait\">已等待 {minutes} 分钟</td></tr>\n",
            id = escape(&id),
            name = escape(&name),
            doc = escape(document_label(&document_type)),
            number = escape(&number),
            submitted = escape(&china_time(submitted_at)),
        ));
    }
    let content = if rows.is_empty() {
        "<p id=\"queue-empty\">暂无待审核的申请。</p>".to_owned()
    } else {
        format!(
            "<table id=\"queue\"><thead><tr><th>姓名</th><th>证件类型</th><th>证件号码</th>\
             <th>提交时间（北京时间）</th><th>等待</th></tr></thead><tbody>\n{table}</tbody></table>"
        )
    };
    let body = format!(
        "{}\n<section class=\"card wide\">\n<h1>待审核（{}）</h1>\n{content}\n</section>",
        header_bar(&reviewer),
        rows.len()
    );
    Ok(html(StatusCode::OK, "审核队列", &body))
}

fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn review_not_found() -> Response {
    message_page(StatusCode::NOT_FOUND, "review-not-found", "没有这条申请", "No such review.")
}

/// `GET /review/{review_id}`.
pub async fn detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Some(reviewer) = reviewer(&state, &headers).await? else {
        return Ok(redirect("/review/login"));
    };
    let id = id.map(|Path(id)| id).unwrap_or_default();
    if !valid_id(&id) {
        return Ok(review_not_found());
    }
    let row = sqlx::query(
        "SELECT id, document_type, number_masked, name, status, reason_code, reason_text,
                submitted_at, decided_at, photos_deleted_at
         FROM manual_reviews WHERE id = $1",
    )
    .bind(&id)
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Ok(review_not_found()) };
    let status: String = row.try_get("status")?;
    let document_type: String = row.try_get("document_type")?;
    let submitted_at: i64 = row.try_get("submitted_at")?;
    let photos_deleted: Option<i64> = row.try_get("photos_deleted_at")?;
    let id = escape(&id);
    let photos = if photos_deleted.is_some() {
        "<p id=\"photos-deleted\">照片已按保留期限删除。</p>".to_owned()
    } else {
        ManualPhotoKind::ALL
            .iter()
            .map(|kind| {
                let (kind, label) = match kind {
                    ManualPhotoKind::IdFront => ("id_front", "证件正面"),
                    ManualPhotoKind::HoldingId => ("holding_id", "手持证件"),
                };
                format!(
                    "<figure class=\"photo\"><a href=\"/review/{id}/photo/{kind}\" target=\"_blank\" \
                     id=\"zoom-{kind}\" title=\"查看原图\"><img src=\"/review/{id}/photo/{kind}\" \
                     alt=\"{label}\" id=\"photo-{kind}\"></a><figcaption>{label} · \
                     <a href=\"/review/{id}/photo/{kind}\" target=\"_blank\">查看原图（放大）</a>\
                     </figcaption></figure>"
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let csrf = escape(&reviewer.csrf);
    let decision = if status == ReviewStatus::Pending.as_str() {
        let options: String = RejectReason::ALL
            .iter()
            .map(|r| format!("<option value=\"{}\">{}</option>", r.as_str(), reason_label(*r)))
            .collect();
        format!(
            "<form method=\"post\" action=\"/review/{id}/approve\" id=\"approve-form\">
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">
<button type=\"submit\" class=\"primary\" id=\"approve\">通过</button>
</form>
<form method=\"post\" action=\"/review/{id}/reject\" id=\"reject-form\">
<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">
<label for=\"reject-reason\">驳回原因</label>
<select name=\"reason\" id=\"reject-reason\">{options}</select>
<label for=\"reject-text\">说明（选择“其他”时必填）</label>
<textarea name=\"text\" id=\"reject-text\" maxlength=\"{MAX_REJECT_TEXT_CHARS}\"></textarea>
<button type=\"submit\" class=\"danger\" id=\"reject\">驳回</button>
</form>"
        )
    } else {
        let reason: Option<String> = row.try_get("reason_code")?;
        let text: Option<String> = row.try_get("reason_text")?;
        let decided_at: Option<i64> = row.try_get("decided_at")?;
        let reason = reason
            .as_deref()
            .and_then(RejectReason::parse)
            .map(|r| format!("（{}）", reason_label(r)))
            .unwrap_or_default();
        format!(
            "<p id=\"decision\" data-status=\"{}\">已{}{} {} {}</p>",
            escape(&status),
            if status == ReviewStatus::Approved.as_str() { "通过" } else { "驳回" },
            escape(&reason),
            escape(&text.unwrap_or_default()),
            escape(&decided_at.map(china_time).unwrap_or_default()),
        )
    };
    let body = format!(
        "{bar}
<section class=\"card wide\">
<p><a href=\"/review\">← 返回队列</a></p>
<h1>人工审核</h1>
<div class=\"review\">
<dl class=\"identity\" id=\"review-identity\">
<dt>姓名</dt><dd id=\"identity-name\">{name}</dd>
<dt>证件类型</dt><dd id=\"identity-type\">{doc}</dd>
<dt>证件号码</dt><dd id=\"identity-number\">{number}</dd>
<dt>提交时间</dt><dd>{submitted}</dd>
</dl>
<div class=\"photos\">{photos}</div>
</div>
{decision}
</section>",
        bar = header_bar(&reviewer),
        name = escape(&row.try_get::<String, _>("name")?),
        doc = escape(document_label(&document_type)),
        number = escape(&row.try_get::<String, _>("number_masked")?),
        submitted = escape(&china_time(submitted_at)),
    );
    Ok(html(StatusCode::OK, "人工审核", &body))
}

/// `GET /review/{review_id}/photo/{kind}`: the cleaned JPEG, for reviewers only.
pub async fn photo(
    State(state): State<AppState>,
    headers: HeaderMap,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, AppError> {
    if reviewer(&state, &headers).await?.is_none() {
        return Ok(message_page(
            StatusCode::UNAUTHORIZED,
            "review-unauthorized",
            "请先登录",
            "Sign in to the review console first.",
        ));
    }
    let (id, kind) = ids.map(|Path(ids)| ids).unwrap_or_default();
    let Some(kind) = ManualPhotoKind::parse(&kind).filter(|_| valid_id(&id)) else {
        return Ok(review_not_found());
    };
    let row = sqlx::query(
        "SELECT front_blob, holding_blob, photos_deleted_at FROM manual_reviews WHERE id = $1",
    )
    .bind(&id)
    .fetch_optional(state.pool())
    .await?;
    let Some(row) = row else { return Ok(review_not_found()) };
    let deleted: Option<i64> = row.try_get("photos_deleted_at")?;
    let blob: String = row.try_get(match kind {
        ManualPhotoKind::IdFront => "front_blob",
        ManualPhotoKind::HoldingId => "holding_blob",
    })?;
    let bytes = match deleted {
        Some(_) => None,
        None => blobs::read_optional(state.blob_dir(), &blob).await?,
    };
    let Some(bytes) = bytes else {
        return Ok(message_page(
            StatusCode::GONE,
            "photo-gone",
            "照片已删除",
            "The photo was deleted.",
        ));
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    secure_headers(&mut response);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    text: String,
}

/// The review being decided, with what its attempt needs.
struct Decidable {
    user_id: String,
    verification: Verification,
    app_version: Option<String>,
}

async fn claim(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    reviewer: &Reviewer,
    decision: ReviewStatus,
    reason: Option<RejectReason>,
    text: Option<&str>,
    now: i64,
) -> Result<Option<Decidable>, AppError> {
    let claimed = sqlx::query(
        "UPDATE manual_reviews SET status = $1, reason_code = $2, reason_text = $3,
                                   decided_at = $4, decided_by = $5
         WHERE id = $6 AND status = $7",
    )
    .bind(decision.as_str())
    .bind(reason.map(RejectReason::as_str))
    .bind(text)
    .bind(now)
    .bind(&reviewer.user_id)
    .bind(id)
    .bind(ReviewStatus::Pending.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO review_decisions (id, review_id, reviewer_id, decision, reason_code,
                                       reason_text, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(id)
    .bind(&reviewer.user_id)
    .bind(decision.as_str())
    .bind(reason.map(RejectReason::as_str))
    .bind(text)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        "SELECT r.user_id, r.app_version, v.id, v.document_type, v.number_masked, v.number_hmac,
                v.name
         FROM manual_reviews r JOIN verifications v ON v.id = r.verification_id
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let document_type: String = row.try_get("document_type")?;
    Ok(Some(Decidable {
        user_id: row.try_get("user_id")?,
        app_version: row.try_get("app_version")?,
        verification: Verification {
            id: row.try_get("id")?,
            document_type: DocumentType::parse(&document_type).ok_or_else(|| {
                AppError::internal("unexpected value in the database", "document_type")
            })?,
            number_masked: row.try_get("number_masked")?,
            number_hmac: row.try_get("number_hmac")?,
            name: row.try_get("name")?,
        },
    }))
}

fn already_decided() -> Response {
    message_page(
        StatusCode::CONFLICT,
        "review-decided",
        "该申请已处理",
        "This review has already been decided.",
    )
}

/// `POST /review/{review_id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, AppError> {
    let csrf = form.ok().map(|Form(f)| f.csrf);
    let reviewer = match form_reviewer(&state, &headers, csrf.as_deref()).await? {
        Ok(reviewer) => reviewer,
        Err(page) => return Ok(page),
    };
    let id = id.map(|Path(id)| id).unwrap_or_default();
    if !valid_id(&id) {
        return Ok(review_not_found());
    }
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    let Some(review) =
        claim(&mut tx, &id, &reviewer, ReviewStatus::Approved, None, None, now).await?
    else {
        return already_decided_or_missing(&state, &id).await;
    };
    let user_status: String = sqlx::query("SELECT real_name_status FROM users WHERE id = $1")
        .bind(&review.user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("real_name_status")?;
    if user_status == RealNameStatus::Verified.as_str() {
        // Verified by another method meanwhile: that identity stays; nothing is decided here.
        return Ok(message_page(
            StatusCode::CONFLICT,
            "review-user-verified",
            "用户已通过其他方式完成实名认证",
            "The user was verified by another method meanwhile; reject this review instead.",
        ));
    }
    let attempt = Attempt {
        user_id: &review.user_id,
        verification: &review.verification,
        method: VerificationMethod::ManualReview,
        app_version: review.app_version.clone(),
        now,
    };
    complete_verification(&mut tx, &attempt).await?;
    tx.commit().await?;
    tracing::info!(review_id = %id, reviewer_id = %reviewer.user_id, user_id = %review.user_id,
        "manual review approved");
    Ok(redirect("/review"))
}

async fn already_decided_or_missing(state: &AppState, id: &str) -> Result<Response, AppError> {
    let exists = sqlx::query("SELECT id FROM manual_reviews WHERE id = $1")
        .bind(id)
        .fetch_optional(state.pool())
        .await?
        .is_some();
    Ok(if exists { already_decided() } else { review_not_found() })
}

/// `POST /review/{review_id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<RejectForm>, FormRejection>,
) -> Result<Response, AppError> {
    let form = form.ok().map(|Form(f)| f);
    let reviewer =
        match form_reviewer(&state, &headers, form.as_ref().map(|f| f.csrf.as_str())).await? {
            Ok(reviewer) => reviewer,
            Err(page) => return Ok(page),
        };
    // `form_reviewer` accepted its token, so the form parsed.
    let Some(form) = form else { return Ok(csrf_refused()) };
    let id = id.map(|Path(id)| id).unwrap_or_default();
    if !valid_id(&id) {
        return Ok(review_not_found());
    }
    let bad = |detail: &str| {
        message_page(StatusCode::BAD_REQUEST, "review-invalid", "驳回信息无效", detail)
    };
    let Some(reason) = RejectReason::parse(form.reason.trim()) else {
        return Ok(bad("请选择驳回原因。Choose a reason from the list."));
    };
    let text = form.text.trim();
    if check_text(text, MAX_REJECT_TEXT_CHARS).is_err() && !text.is_empty() {
        return Ok(bad("说明过长或包含不允许的字符。"));
    }
    if reason == RejectReason::Other && text.is_empty() {
        return Ok(bad("选择“其他”时请填写说明。"));
    }
    let text = (!text.is_empty()).then_some(text);
    let now = state.now();
    let mut tx = state.pool().begin().await?;
    let Some(review) =
        claim(&mut tx, &id, &reviewer, ReviewStatus::Rejected, Some(reason), text, now).await?
    else {
        return already_decided_or_missing(&state, &id).await;
    };
    let attempt = Attempt {
        user_id: &review.user_id,
        verification: &review.verification,
        method: VerificationMethod::ManualReview,
        app_version: review.app_version.clone(),
        now,
    };
    record_attempt(
        &mut *tx,
        &attempt,
        AttemptOutcome::Failure,
        Some((reason.failure_reason(), None)),
    )
    .await?;
    sqlx::query(
        "UPDATE users SET real_name_status = $1, updated_at = $2 WHERE id = $3
                                                                  AND real_name_status <> $4",
    )
    .bind(RealNameStatus::Rejected.as_str())
    .bind(now)
    .bind(&review.user_id)
    .bind(RealNameStatus::Verified.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(review_id = %id, reviewer_id = %reviewer.user_id, user_id = %review.user_id,
        reason = reason.as_str(), "manual review rejected");
    Ok(redirect("/review"))
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>
<html lang=\"zh-CN\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
<title>{title} · Signet 审核控制台</title>
<style>
body {{ margin: 0; font-family: system-ui, \"PingFang SC\", \"Noto Sans CJK SC\", sans-serif; background: #f5f7fa; color: #1f2933; }}
header.bar {{ display: flex; justify-content: space-between; align-items: center; background: #243b53; color: #fff; padding: .6rem 1.2rem; }}
header.bar button {{ width: auto; margin: 0; padding: .3rem .8rem; }}
section.card {{ background: #fff; max-width: 26rem; margin: 1.5rem auto; padding: 1.2rem 1.5rem; border-radius: .6rem; box-shadow: 0 1px 4px rgba(0,0,0,.08); }}
section.card.wide {{ max-width: 72rem; }}
h1 {{ font-size: 1.15rem; }}
label {{ display: block; margin-top: .6rem; color: #52606d; }}
input, select, textarea {{ width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }}
button {{ width: 100%; padding: .6rem; border-radius: .4rem; font-size: 1rem; margin-top: .8rem; cursor: pointer; border: 1px solid #cbd2d9; background: #fff; }}
button.primary {{ background: #2f855a; color: #fff; border: none; }}
button.danger {{ background: #c53030; color: #fff; border: none; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ text-align: left; padding: .4rem; border-bottom: 1px solid #e4e7eb; }}
.review {{ display: grid; grid-template-columns: 16rem 1fr; gap: 1rem; }}
dl.identity {{ display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; align-content: start; }}
dt {{ color: #7b8794; }}
dd {{ margin: 0; font-weight: 600; }}
.photos {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }}
figure.photo {{ margin: 0; }}
figure.photo img {{ width: 100%; cursor: zoom-in; border: 1px solid #e4e7eb; transition: transform .2s; }}
figure.photo img:hover {{ transform: scale(1.6); position: relative; z-index: 1; }}
p.error {{ color: #c53030; font-weight: 600; }}
</style>
</head>
<body>
{body}
</body>
</html>
",
        title = escape(title),
    )
}
