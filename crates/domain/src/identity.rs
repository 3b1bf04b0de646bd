//! Step 1 of real-name authentication: document types, identity-number rules, names, bank cards,
//! mobile numbers, SMS codes, masking, and which verification methods a user may choose.
//! The rules are those of `spec/identity-rules.md`.
//!
//! The desktop app calls these as the user types (precise, machine-readable errors the UI
//! translates); the server calls them again on submission. Main items:
//!
//! - [`validate_document_number`] → [`ValidNumber`] or [`NumberError`]; [`infer_document_type`]
//!   guesses the [`DocumentType`] from a number's shape.
//! - [`validate_name`] → [`ValidName`] or [`NameError`].
//! - [`validate_bank_card`], [`validate_mobile_number`], [`validate_sms_code`].
//! - [`validate_identity`]: document number and name together, errors reported per field.
//! - [`method_availability`]: which [`VerificationMethod`]s a document and name allow, and why not.
//! - [`mask_id_number`], [`mask_bank_card`], [`mask_phone`], [`mask_name`] for screens and logs.
//!
//! Input accepted with a hint carries [`Warning`]s in the valid value; errors reject it. Every
//! error and warning serialises as `{"kind": "snake_case", ...fields}`, and its `Display` is a
//! short English message for developers (the UI shows its own text for each kind).
//!
//! Checks run in a fixed order, so one input always yields the same error: characters first
//! (the error names the 1-based position in the normalised input), then length, then structure
//! (prefix, region, date) and the check character last.
//!
//! The crate has no clock: rules that depend on today take a [`CalendarDate`].
//!
//! `Valid*` types implement `Serialize` but not `Deserialize`: the only way to get one is to
//! validate, so a server can never mistake client-supplied data for checked data.

use serde::{Deserialize, Serialize};

mod bank_card;
mod checksum;
mod date;
mod form;
mod infer;
mod mask;
mod method;
mod name;
mod number;
mod phone;
mod text;
mod warning;

pub use bank_card::{validate_bank_card, BankCardError, ValidBankCard, BANK_CARD_LENGTHS};
pub use date::{CalendarDate, InvalidCalendarDate};
pub use form::{invalid_input_body, validate_identity, FieldError, IdentityInput, ValidIdentity};
pub use infer::infer_document_type;
pub use mask::{mask_bank_card, mask_id_number, mask_name, mask_phone};
pub use method::{
    available_methods, method_availability, MethodAvailability, Unavailable, VerificationMethod,
};
pub use name::{
    is_accepted_by_carriers_and_banks, validate_name, NameError, ValidName, NAME_MAX_CHARS,
    NAME_MIN_CHARS,
};
pub use number::{validate_document_number, NumberError, Sex, ValidNumber};
pub use phone::{
    validate_mobile_number, validate_sms_code, PhoneError, SmsCode, SmsCodeError,
    ValidMobileNumber, SMS_CODES_PER_PHONE_PER_DAY, SMS_CODE_LENGTH, SMS_CODE_TTL_SECS,
    SMS_MAX_WRONG_TRIES, SMS_RESEND_AFTER_SECS, VIRTUAL_OPERATOR_PREFIXES,
};
pub use text::CharacterClass;
pub use warning::Warning;

/// 证件类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// 居民身份证
    IdCard,
    /// 护照
    Passport,
    /// 港澳居民来往内地通行证
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证
    TaiwanPermit,
    /// 港澳台居民居住证
    ResidencePermit,
    /// 外国人永久居留身份证
    ForeignPermanent,
}

impl DocumentType {
    pub const ALL: [DocumentType; 6] = [
        Self::IdCard,
        Self::Passport,
        Self::HkMacaoPermit,
        Self::TaiwanPermit,
        Self::ResidencePermit,
        Self::ForeignPermanent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdCard => "id_card",
            Self::Passport => "passport",
            Self::HkMacaoPermit => "hk_macao_permit",
            Self::TaiwanPermit => "taiwan_permit",
            Self::ResidencePermit => "residence_permit",
            Self::ForeignPermanent => "foreign_permanent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_type_parses_back_from_its_wire_name() {
        for doc in DocumentType::ALL {
            assert_eq!(DocumentType::parse(doc.as_str()), Some(doc));
            assert_eq!(serde_json::to_value(doc).ok(), Some(serde_json::json!(doc.as_str())));
        }
    }

    #[test]
    fn an_unknown_document_type_does_not_parse() {
        assert_eq!(DocumentType::parse("driving_licence"), None);
    }
}
