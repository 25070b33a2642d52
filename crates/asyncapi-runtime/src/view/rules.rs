//! `format` and `pattern`, judged by the reference validator itself on the string alone, so a view
//! and the reference cannot disagree on them.

use std::sync::OnceLock;

use serde_json::Value;

/// A string's `format` and `pattern` keywords, as a schema of their own (`{"format": "uuid"}`),
/// compiled on first use.
#[derive(Debug)]
pub struct StringRule {
    schema: &'static str,
    compiled: OnceLock<Option<jsonschema::Validator>>,
}

impl StringRule {
    /// The rule of a schema text that holds only string keywords.
    pub const fn new(schema: &'static str) -> Self {
        Self {
            schema,
            compiled: OnceLock::new(),
        }
    }

    /// The schema text.
    pub fn schema(&self) -> &'static str {
        self.schema
    }

    /// Whether `s` keeps the rule. A rule whose schema does not compile keeps nothing (the
    /// reference validator then reports the schema).
    pub fn accepts(&self, s: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| {
            serde_json::from_str(self.schema)
                .ok()
                .and_then(|schema: Value| crate::validate::compile_reference(&schema).ok())
        });
        compiled.as_ref().is_some_and(|validator| {
            crate::validate::as_json_string(s, |value| validator.is_valid(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_patterns_are_the_reference_validators() {
        static UUID: StringRule = StringRule::new(r#"{"format": "uuid"}"#);
        static TIME: StringRule = StringRule::new(r#"{"format": "date-time", "pattern": "Z$"}"#);
        static BROKEN: StringRule = StringRule::new(r#"{"pattern": "("}"#);
        assert!(UUID.accepts("01890a5d-ac96-774b-bcce-b302099a8057"));
        assert!(!UUID.accepts("01890a5d-ac96-774b-bcce-b302099a805"));
        assert!(TIME.accepts("2024-05-01T10:00:00.123Z"));
        assert!(!TIME.accepts("2024-05-01T10:00:00+00:00"));
        assert!(!TIME.accepts("2024-02-30T10:00:00Z"));
        assert!(!BROKEN.accepts("anything"));
    }
}
