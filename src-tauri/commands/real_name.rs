use signet_domain::api::{
    AttemptHistory, IdentityAccepted, PhoneChallenge, PhoneStart, VerificationResult,
};
use signet_domain::identity::IdentityInput;
use tauri::State;

use crate::error::AppResult;
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
