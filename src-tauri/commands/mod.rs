//! Tauri commands: one file per feature, each command a thin wrapper over a service.

pub mod diagnostics;
pub mod face;
pub mod kiosk;
pub mod manual_review;
pub mod real_name;
pub mod session;
pub mod settings;
pub mod signature;
pub mod updates;
