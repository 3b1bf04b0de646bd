//! Which verification methods (认证方式) a document and a name allow.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{DocumentType, ValidName};

/// How the user proves the identity entered in step 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    /// 银行卡认证: name, ID number, card and the bank's SMS code.
    BankCard,
    /// 支付宝认证
    Alipay,
    /// 手机号认证: the carrier matches name, ID number and phone.
    Phone,
    /// 人脸识别
    Face,
    /// 人工审核: document photos checked by a reviewer.
    ManualReview,
}

impl VerificationMethod {
    pub const ALL: [VerificationMethod; 5] =
        [Self::BankCard, Self::Alipay, Self::Phone, Self::Face, Self::ManualReview];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BankCard => "bank_card",
            Self::Alipay => "alipay",
            Self::Phone => "phone",
            Self::Face => "face",
            Self::ManualReview => "manual_review",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Why a method cannot be chosen. Serialised as `{"kind": "...", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unavailable {
    /// Only the resident ID card can be checked by banks, carriers, Alipay and face comparison;
    /// holders of any other document use manual review.
    DocumentRequiresManualReview { document_type: DocumentType },
    /// Bank and carrier checks (and the others, which match against the same records) accept
    /// only names of Chinese characters and `·`; a name with Latin letters uses manual review.
    NameNotInChineseCharacters,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DocumentRequiresManualReview { document_type } => {
                write!(f, "{} holders can use manual review only", document_type.as_str())
            }
            Self::NameNotInChineseCharacters => {
                f.write_str("only names of Chinese characters and the middle dot can be checked")
            }
        }
    }
}

/// One method and whether it can be chosen; `unavailable` says why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodAvailability {
    pub method: VerificationMethod,
    pub unavailable: Option<Unavailable>,
}

impl MethodAvailability {
    pub fn is_available(&self) -> bool {
        self.unavailable.is_none()
    }
}

/// Every method, in [`VerificationMethod::ALL`] order, with the reason it is unavailable if it is.
///
/// Manual review is always available. The others need a resident ID card and a name of Chinese
/// characters and `·` only. When both fail, the document is the reason given: changing the name
/// would not help.
pub fn method_availability(
    document_type: DocumentType,
    name: &ValidName,
) -> Vec<MethodAvailability> {
    let reason = if document_type != DocumentType::IdCard {
        Some(Unavailable::DocumentRequiresManualReview { document_type })
    } else if !name.is_accepted_by_carriers_and_banks() {
        Some(Unavailable::NameNotInChineseCharacters)
    } else {
        None
    };
    VerificationMethod::ALL
        .into_iter()
        .map(|method| MethodAvailability {
            method,
            unavailable: match method {
                VerificationMethod::ManualReview => None,
                _ => reason.clone(),
            },
        })
        .collect()
}

/// Just the methods that can be chosen.
pub fn available_methods(document_type: DocumentType, name: &ValidName) -> Vec<VerificationMethod> {
    method_availability(document_type, name)
        .into_iter()
        .filter(MethodAvailability::is_available)
        .map(|availability| availability.method)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::validate_name;
    use super::*;

    fn name(document_type: DocumentType, raw: &str) -> ValidName {
        validate_name(document_type, raw).expect("valid name")
    }

    #[test]
    fn id_card_with_a_chinese_name_can_use_every_method() {
        let methods = available_methods(DocumentType::IdCard, &name(DocumentType::IdCard, "张三"));
        assert_eq!(methods, VerificationMethod::ALL);
    }

    #[test]
    fn name_with_a_middle_dot_can_use_every_method() {
        let name = name(DocumentType::IdCard, "阿卜杜·买买提");
        assert_eq!(available_methods(DocumentType::IdCard, &name), VerificationMethod::ALL);
    }

    #[test]
    fn other_documents_can_use_manual_review_only() {
        let name = name(DocumentType::Passport, "张三");
        for document_type in DocumentType::ALL.into_iter().filter(|d| *d != DocumentType::IdCard) {
            let availability = method_availability(document_type, &name);
            assert_eq!(availability.len(), 5);
            for entry in availability {
                if entry.method == VerificationMethod::ManualReview {
                    assert!(entry.is_available());
                } else {
                    assert_eq!(
                        entry.unavailable,
                        Some(Unavailable::DocumentRequiresManualReview { document_type })
                    );
                }
            }
        }
    }

    #[test]
    fn latin_name_can_use_manual_review_only_because_of_the_name() {
        let name = name(DocumentType::Passport, "John Smith");
        for entry in method_availability(DocumentType::IdCard, &name) {
            let expected = match entry.method {
                VerificationMethod::ManualReview => None,
                _ => Some(Unavailable::NameNotInChineseCharacters),
            };
            assert_eq!(entry.unavailable, expected, "{:?}", entry.method);
        }
    }

    #[test]
    fn document_is_the_reason_when_both_document_and_name_rule_a_method_out() {
        let name = name(DocumentType::Passport, "John Smith");
        let availability = method_availability(DocumentType::Passport, &name);
        assert_eq!(
            availability[0].unavailable,
            Some(Unavailable::DocumentRequiresManualReview {
                document_type: DocumentType::Passport
            })
        );
    }

    #[test]
    fn methods_serialise_in_snake_case() {
        let names: Vec<_> =
            VerificationMethod::ALL.iter().filter_map(|m| serde_json::to_value(m).ok()).collect();
        assert_eq!(
            names,
            ["bank_card", "alipay", "phone", "face", "manual_review"].map(serde_json::Value::from)
        );
        for method in VerificationMethod::ALL {
            assert_eq!(VerificationMethod::parse(method.as_str()), Some(method));
        }
    }

    #[test]
    fn availability_serialises_with_its_reason() {
        let name = name(DocumentType::Passport, "John Smith");
        let availability = method_availability(DocumentType::IdCard, &name);
        assert_eq!(
            serde_json::to_value(&availability[0]).ok(),
            Some(serde_json::json!({
                "method": "bank_card",
                "unavailable": {"kind": "name_not_in_chinese_characters"}
            }))
        );
    }
}
