//! Signet's shared domain: the rules and wire types that the desktop app and the platform server
//! must agree on.
//!
//! - [`api`]: request and response bodies of the platform's HTTP API (`/api/v1/...`).
//! - [`error`]: [`ErrorCode`], the stable snake_case codes carried in every error body and sent
//!   on to the UI, which branches on them.
//! - [`identity`]: document types and the identity-number, name, phone and bank-card rules of
//!   `spec/identity-rules.md`, with masking.
//! - [`signature`]: hand-drawn signatures: [`signature::Drawing`], the quality check before
//!   saving, and deterministic rendering to a transparent PNG and an SVG of the same outline.
//! - [`sensitive`]: [`Sensitive`], a wrapper that never shows its value in `Debug` or `Display`.
//!
//! No I/O, no async runtime, no Tauri: everything here is a pure function or a plain type.

pub mod api;
pub mod error;
pub mod identity;
pub mod sensitive;
pub mod signature;

pub use error::{ErrorBody, ErrorCode};
pub use sensitive::Sensitive;
