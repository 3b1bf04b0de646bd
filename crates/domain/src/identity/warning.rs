//! Hints on input that is accepted anyway.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Accepted, but the UI should show a hint. Serialised as `{"kind": "...", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// A resident ID number whose province code is 71 (Taiwan), 81 (Hong Kong) or 82 (Macao):
    /// present in some datasets, not issued on the mainland.
    RegionOutsideMainland { code: String },
    /// A Taiwan permit number in an older alphanumeric form instead of 8 or 10 digits.
    OldTaiwanPermitFormat,
    /// The bank card number fails the Luhn test; some issuers' numbers do, so it is not rejected.
    LuhnFailed,
    /// A virtual-operator mobile number (170, 171, 162, 165, 167), which carrier checks often fail.
    VirtualOperator { prefix: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RegionOutsideMainland { code } => {
                write!(f, "province code {code} is outside the mainland (Taiwan, Hong Kong, Macao)")
            }
            Self::OldTaiwanPermitFormat => f.write_str("older alphanumeric Taiwan permit number"),
            Self::LuhnFailed => f.write_str("bank card number fails the Luhn check"),
            Self::VirtualOperator { prefix } => {
                write!(f, "virtual-operator number (prefix {prefix}) may fail carrier checks")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_serialise_with_a_kind_tag() {
        let json = serde_json::to_value(Warning::VirtualOperator { prefix: "170".into() });
        assert_eq!(
            json.ok(),
            Some(serde_json::json!({"kind": "virtual_operator", "prefix": "170"}))
        );
        let json = serde_json::to_value(Warning::LuhnFailed);
        assert_eq!(json.ok(), Some(serde_json::json!({"kind": "luhn_failed"})));
    }
}
