use signet_domain::api::{
    AttemptHistory, IdentityAccepted, PhoneChallenge, PhoneStart, VerificationResult,
};
use signet_domain::identity::IdentityInput;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use signet_domain::ErrorCode;
use tauri::{AppHandle, Manager, State, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use crate::error::{AppError, AppResult};
use crate::real_name::{
    self, BankCardForm, ConsentState, IdentityCheck, InputCheck, MethodInput, PhoneForm,
    ResendForm, SmsCodeForm,
};
use crate::AppState;

#[tauri::command]
pub async fn real_name_consent(state: State<'_, AppState>) -> AppResult<ConsentState> {
    real_name::consent(&state.session).await
}

#[tauri::command]
pub async fn accept_real_name_consent(state: State<'_, AppState>) -> AppResult<()> {
    real_name::accept_consent(&state.session).await
}

#[tauri::command]
pub fn check_identity(input: IdentityInput) -> IdentityCheck {
    real_name::check_identity(&input)
}

#[tauri::command]
pub fn check_method_input(input: MethodInput) -> InputCheck {
    real_name::check_method_input(&input)
}

#[tauri::command]
pub async fn submit_identity(
    state: State<'_, AppState>,
    input: IdentityInput,
) -> AppResult<IdentityAccepted> {
    real_name::submit_identity(&state.session, input).await
}

#[tauri::command]
pub async fn verify_bank_card(
    state: State<'_, AppState>,
    request: BankCardForm,
) -> AppResult<VerificationResult> {
    real_name::verify_bank_card(&state.session, request).await
}

#[tauri::command]
pub async fn attempt_history(state: State<'_, AppState>) -> AppResult<AttemptHistory> {
    real_name::attempt_history(&state.session).await
}

#[tauri::command]
pub async fn start_phone_verification(
    state: State<'_, AppState>,
    request: PhoneForm,
) -> AppResult<PhoneStart> {
    real_name::start_phone(&state.session, request).await
}

#[tauri::command]
pub async fn resend_sms_code(
    state: State<'_, AppState>,
    request: ResendForm,
) -> AppResult<PhoneChallenge> {
    real_name::resend_sms_code(&state.session, request).await
}

#[tauri::command]
pub async fn confirm_sms_code(
    state: State<'_, AppState>,
    request: SmsCodeForm,
) -> AppResult<VerificationResult> {
    real_name::confirm_sms_code(&state.session, request).await
}

/// The label of the Alipay authorization window. No capability names it, so the page it shows
/// (served by the platform) cannot call any of the app's commands.
const ALIPAY_WINDOW: &str = "alipay";

#[derive(Debug, Deserialize)]
pub struct AlipayForm {
    verification_id: String,
}

/// Opens the platform's Alipay authorization page in a window of the app's own, waits until
/// the user decides there (or closes it, or time runs out), closes it, and returns the result.
#[tauri::command]
pub async fn start_alipay(
    app: AppHandle,
    state: State<'_, AppState>,
    request: AlipayForm,
) -> AppResult<VerificationResult> {
    let session = &state.session;
    let started = real_name::start_alipay(session, &request.verification_id).await?;
    let url = session.client().await?.page_url(&started.authorize_path)?;
    if let Some(old) = app.get_webview_window(ALIPAY_WINDOW) {
        let _ = old.destroy();
    }
    let builder = WebviewWindowBuilder::new(&app, ALIPAY_WINDOW, WebviewUrl::External(url))
        .title("支付宝快捷认证 · Alipay")
        .inner_size(520.0, 720.0)
        .min_inner_size(420.0, 560.0)
        .center();
    let window = crate::kiosk::window::lock_down_method_window(builder, state.kiosk.is_on())
        .build()
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("Alipay window: {e}")))?;
    let closed = Arc::new(AtomicBool::new(false));
    let flag = closed.clone();
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed) {
            flag.store(true, Ordering::SeqCst);
        }
    });
    let result = real_name::await_alipay(
        session,
        &request.verification_id,
        &started.session_id,
        || closed.load(Ordering::SeqCst),
        Duration::from_millis(700),
    )
    .await;
    if let Some(window) = app.get_webview_window(ALIPAY_WINDOW) {
        let _ = window.destroy();
    }
    result
}

/// The user gave up waiting: closing the window ends the session as "window closed".
#[tauri::command]
pub fn close_alipay_window(app: AppHandle) {
    if let Some(window) = app.get_webview_window(ALIPAY_WINDOW) {
        let _ = window.close();
    }
}
