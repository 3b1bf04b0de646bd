/// The app's own commands. Naming them here makes tauri-build generate an `allow-<command>`
/// permission for each, so `capabilities/main.json` grants exactly these and nothing else.
const COMMANDS: &[&str] = &[
    "app_info",
    "get_settings",
    "set_language",
    "export_diagnostics",
    "restore_session",
    "sign_in",
    "refresh_profile",
    "sign_out",
    "real_name_consent",
    "accept_real_name_consent",
    "check_identity",
    "check_method_input",
    "submit_identity",
    "verify_bank_card",
    "attempt_history",
    "start_phone_verification",
    "resend_sms_code",
    "confirm_sms_code",
    "start_alipay",
    "close_alipay_window",
    "prepare_id_photo",
    "upload_manual_review",
    "manual_review_status",
    "discard_manual_photos",
    "camera_list",
    "camera_select",
    "face_preview_start",
    "face_preview_ack",
    "face_preview_stop",
    "face_challenge",
    "face_record",
    "face_record_finish",
    "face_discard_recording",
    "face_upload_submit",
    "signatures_list",
    "signature_render_drawing",
    "signature_load_photo",
    "signature_clean_photo",
    "signature_save_draft",
    "signature_discard_draft",
    "signature_rename",
    "signature_set_default",
    "signature_delete",
    "signature_sync_now",
    "update_status",
    "update_check",
    "update_download",
    "update_install",
    "kiosk_state",
    "kiosk_activity",
    "kiosk_unsynced_changes",
    "kiosk_admin_exit",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
