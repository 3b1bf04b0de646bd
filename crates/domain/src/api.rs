//! Request and response bodies of the platform API, version 1 (`/api/v1`).
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/health` | | [`Health`] |
//! | GET | `/api/v1/openapi.json` | | OpenAPI 3.1 document |
//! | POST | `/api/v1/auth/sign-in` | [`SignInRequest`] | [`SessionTokens`] |
//! | POST | `/api/v1/auth/refresh` | [`RefreshRequest`] | [`SessionTokens`] |
//! | POST | `/api/v1/auth/sign-out` | bearer | 204 |
//! | GET | `/api/v1/me` | bearer | [`Profile`] |

use serde::{Deserialize, Serialize};

use crate::identity::DocumentType;
use crate::Sensitive;

/// Longest account name the platform accepts, in characters.
pub const MAX_ACCOUNT_CHARS: usize = 64;
/// Longest password the platform accepts, in characters (argon2 cost stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Access tokens live this long.
pub const ACCESS_TOKEN_TTL_SECS: u64 = 15 * 60;
/// Refresh tokens live this long (and rotate on every use).
pub const REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 60 * 60;
/// Wrong passwords in a row before the account locks.
pub const MAX_FAILED_SIGN_INS: u32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_SECS: u64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub account: String,
    pub password: Sensitive<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Sensitive<String>,
}

/// A fresh pair of tokens. The access token goes in `Authorization: Bearer`; the refresh token
/// is kept in the OS keyring and exchanged (once) for the next pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionTokens {
    pub user_id: String,
    pub access_token: Sensitive<String>,
    pub access_expires_in: u64,
    pub refresh_token: Sensitive<String>,
    pub refresh_expires_in: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    Reviewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "staff" => Some(Self::Staff),
            "reviewer" => Some(Self::Reviewer),
            _ => None,
        }
    }
}

/// Where the user stands in real-name authentication (个人实名认证).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealNameStatus {
    /// 未实名认证
    Unverified,
    /// 审核中 (manual review pending)
    PendingReview,
    /// 已实名认证
    Verified,
    /// 认证未通过
    Rejected,
}

impl RealNameStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::PendingReview => "pending_review",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unverified" => Some(Self::Unverified),
            "pending_review" => Some(Self::PendingReview),
            "verified" => Some(Self::Verified),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// The identity the user has verified (or submitted), masked: safe to show and to cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedIdentity {
    pub document_type: DocumentType,
    /// e.g. `110***********002X`
    pub number: String,
    /// The full name is shown to its owner; logs use [`crate::identity::mask_name`].
    pub name: String,
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: String,
    pub account: String,
    pub display_name: String,
    pub role: Role,
    pub real_name_status: RealNameStatus,
    #[serde(default)]
    pub identity: Option<MaskedIdentity>,
}

/// Why a short text field (account, password, display name) was refused. The wire name goes in
/// `details.reason` of an `invalid_input` error, beside `details.field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
    InvalidCharacters,
}

impl TextProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::InvalidCharacters => "invalid_characters",
        }
    }
}

/// The one check both the app (before sending) and the server (on receipt) apply to account
/// names, passwords and display names: not empty, at most `max_chars`, no hidden characters.
pub fn check_text(value: &str, max_chars: usize) -> Result<(), TextProblem> {
    if value.is_empty() {
        Err(TextProblem::Empty)
    } else if value.chars().count() > max_chars {
        Err(TextProblem::TooLong)
    } else if value.chars().any(is_forbidden_in_text) {
        Err(TextProblem::InvalidCharacters)
    } else {
        Ok(())
    }
}

/// Characters no account name or password may hold: C0/C1 controls, and the invisible format
/// characters that can disguise text (zero-width, bidirectional overrides and isolates, BOM).
pub fn is_forbidden_in_text(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_forbidden_but_letters_are_not() {
        for c in ['\u{0}', '\u{7}', '\n', '\u{9f}', '\u{200B}', '\u{202E}', '\u{2066}', '\u{FEFF}']
        {
            assert!(is_forbidden_in_text(c), "{c:?}");
        }
        for c in ['a', '王', '·', ' ', '-', '\u{00E9}'] {
            assert!(!is_forbidden_in_text(c), "{c:?}");
        }
    }

    #[test]
    fn text_checks_name_the_first_problem() {
        assert_eq!(check_text("", 4), Err(TextProblem::Empty));
        assert_eq!(check_text("abcde", 4), Err(TextProblem::TooLong));
        assert_eq!(check_text("王芳王芳", 4), Ok(()));
        assert_eq!(check_text("ab\u{202E}", 4), Err(TextProblem::InvalidCharacters));
    }
}
