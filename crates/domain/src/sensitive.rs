//! A wrapper for values that must never appear whole in logs: passwords, tokens, identity
//! numbers, bank cards, phone numbers, SMS codes.

use std::fmt;

/// Holds a sensitive value. `Debug` and `Display` print `<redacted>`; the value is reached only
/// through [`Sensitive::expose`], so every place that needs the real value is easy to find.
///
/// It deliberately implements `Deserialize` (requests carry such values in) and `Serialize`
/// (the app sends them to the platform), but never shows them when formatted.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The real value. Call sites are the audit trail of where secrets are used.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Sensitive::new("11010519491231002X".to_string());
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(secret.expose(), "11010519491231002X");
    }

    #[test]
    fn serialises_transparently_for_the_wire() {
        let secret = Sensitive::new("pw".to_string());
        assert_eq!(serde_json::to_string(&secret).ok().as_deref(), Some("\"pw\""));
    }
}
