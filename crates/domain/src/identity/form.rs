//! Step 1 as a whole: document type, number and name checked together, errors per field.

use serde::{Deserialize, Serialize};

use super::{
    method_availability, validate_document_number, validate_name, CalendarDate, DocumentType,
    MethodAvailability, NameError, NumberError, ValidName, ValidNumber, Warning,
};
use crate::api::MaskedIdentity;
use crate::{ErrorBody, ErrorCode, Sensitive};

/// What the user typed in step 1 (or what the app sends the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    pub document_type: DocumentType,
    pub number: Sensitive<String>,
    pub name: String,
}

/// A rejected field. Serialised as `{"field": "number", "error": {"kind": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "field", content = "error", rename_all = "snake_case")]
pub enum FieldError {
    #[error("number: {0}")]
    Number(NumberError),
    #[error("name: {0}")]
    Name(NameError),
}

impl FieldError {
    /// The field's wire name: `"number"` or `"name"`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Number(_) => "number",
            Self::Name(_) => "name",
        }
    }
}

/// Step 1 passed: the document number and name, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidIdentity {
    number: ValidNumber,
    name: ValidName,
}

impl ValidIdentity {
    pub fn document_type(&self) -> DocumentType {
        self.number.document_type()
    }

    pub fn number(&self) -> &ValidNumber {
        &self.number
    }

    pub fn name(&self) -> &ValidName {
        &self.name
    }

    /// The number's hints (the name has none).
    pub fn warnings(&self) -> &[Warning] {
        self.number.warnings()
    }

    /// The verification methods this identity allows, with reasons for the others.
    pub fn method_availability(&self) -> Vec<MethodAvailability> {
        method_availability(self.document_type(), &self.name)
    }

    /// The number masked, the name whole: what the profile shows its owner.
    pub fn masked(&self) -> MaskedIdentity {
        MaskedIdentity {
            document_type: self.document_type(),
            number: self.number.masked(),
            name: self.name.as_str().to_string(),
        }
    }
}

/// Checks number and name, reporting every field that fails (number first), so the form can
/// mark them all at once.
pub fn validate_identity(
    input: &IdentityInput,
    today: CalendarDate,
) -> Result<ValidIdentity, Vec<FieldError>> {
    let number = validate_document_number(input.document_type, input.number.expose(), today);
    let name = validate_name(input.document_type, &input.name);
    match (number, name) {
        (Ok(number), Ok(name)) => Ok(ValidIdentity { number, name }),
        (number, name) => {
            let number = number.err().map(FieldError::Number);
            let name = name.err().map(FieldError::Name);
            Err(number.into_iter().chain(name).collect())
        }
    }
}

/// The `invalid_input` body the server answers with: `details.field` names the first field
/// that failed (as for every `invalid_input`), `details.errors` lists them all.
pub fn invalid_input_body(errors: &[FieldError]) -> ErrorBody {
    let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
    let details = serde_json::json!({
        "field": errors.first().map(FieldError::field),
        "errors": errors,
    });
    ErrorBody::new(ErrorCode::InvalidInput, message).with_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> CalendarDate {
        CalendarDate::new(2025, 6, 1).expect("date exists")
    }

    fn input(document_type: DocumentType, number: &str, name: &str) -> IdentityInput {
        IdentityInput {
            document_type,
            number: Sensitive::new(number.to_string()),
            name: name.to_string(),
        }
    }

    #[test]
    fn valid_id_card_and_name_pass_step_one() {
        let identity = validate_identity(
            &input(DocumentType::IdCard, "11010519491231002x", " 张三 "),
            today(),
        )
        .expect("valid");
        assert_eq!(identity.number().number(), "11010519491231002X");
        assert_eq!(identity.name().as_str(), "张三");
        assert_eq!(
            identity.masked(),
            MaskedIdentity {
                document_type: DocumentType::IdCard,
                number: "110***********002X".into(),
                name: "张三".into(),
            }
        );
    }

    #[test]
    fn both_fields_are_reported_when_both_fail() {
        let errors =
            validate_identity(&input(DocumentType::IdCard, "110105194912310021", "张3"), today())
                .expect_err("invalid");
        assert_eq!(
            errors,
            vec![
                FieldError::Number(NumberError::WrongCheckCharacter { expected: 'X', found: '1' }),
                FieldError::Name(NameError::Digit { position: 2, found: '3' }),
            ]
        );
        assert_eq!(errors.iter().map(FieldError::field).collect::<Vec<_>>(), ["number", "name"]);
    }

    #[test]
    fn only_the_failing_field_is_reported() {
        let errors =
            validate_identity(&input(DocumentType::IdCard, "11010519491231002X", "张"), today())
                .expect_err("invalid");
        assert_eq!(errors, vec![FieldError::Name(NameError::TooShort { min: 2, actual: 1 })]);
    }

    #[test]
    fn passport_holder_with_a_latin_name_passes_and_can_use_manual_review_only() {
        let identity =
            validate_identity(&input(DocumentType::Passport, "E12345678", "John Smith"), today())
                .expect("valid");
        let available: Vec<_> = identity
            .method_availability()
            .into_iter()
            .filter(MethodAvailability::is_available)
            .map(|a| a.method)
            .collect();
        assert_eq!(available, [super::super::VerificationMethod::ManualReview]);
    }

    #[test]
    fn field_errors_serialise_with_the_field_name_and_the_tagged_error() {
        let error = FieldError::Number(NumberError::Empty);
        assert_eq!(
            serde_json::to_value(&error).ok(),
            Some(serde_json::json!({"field": "number", "error": {"kind": "empty"}}))
        );
    }

    #[test]
    fn invalid_input_body_names_the_first_field_and_lists_every_error() {
        let errors =
            vec![FieldError::Number(NumberError::Empty), FieldError::Name(NameError::Empty)];
        let body = invalid_input_body(&errors);
        assert_eq!(body.code, ErrorCode::InvalidInput);
        assert_eq!(body.message, "number: the number is empty; name: the name is empty");
        assert_eq!(
            body.details,
            Some(serde_json::json!({
                "field": "number",
                "errors": [
                    {"field": "number", "error": {"kind": "empty"}},
                    {"field": "name", "error": {"kind": "empty"}},
                ],
            }))
        );
    }

    #[test]
    fn input_never_shows_the_number_in_debug_output() {
        let input = input(DocumentType::IdCard, "11010519491231002X", "张三");
        assert!(!format!("{input:?}").contains("11010519491231002X"));
    }
}
