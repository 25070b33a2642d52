//! `format` and `pattern`, judged by the reference validator itself on the string alone, so a view
//! and the reference cannot disagree on them; a string of a simple shape that the rule surely
//! accepts is told apart without it ([`asyncapi_schema::quick`]).

use std::sync::OnceLock;

use asyncapi_schema::quick::QuickRule;
use serde_json::Value;

/// A string's `format` and `pattern` keywords, as a schema of their own (`{"format": "uuid"}`),
/// compiled on first use.
#[derive(Debug)]
pub struct StringRule {
    schema: &'static str,
    compiled: OnceLock<Option<Compiled>>,
}

#[derive(Debug)]
struct Compiled {
    reference: jsonschema::Validator,
    quick: Option<QuickRule>,
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
    #[inline]
    pub fn accepts(&self, s: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| {
            let schema: Value = serde_json::from_str(self.schema).ok()?;
            Some(Compiled {
                reference: crate::validate::compile_reference(&schema).ok()?,
                quick: QuickRule::of(&schema),
            })
        });
        compiled.as_ref().is_some_and(|rule| {
            rule.quick.as_ref().is_some_and(|quick| quick.accepts(s))
                || crate::validate::as_json_string(s, |value| rule.reference.is_valid(value))
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

    #[test]
    fn a_quick_no_asks_the_reference() {
        static STAMP: StringRule = StringRule::new(
            r#"{"format": "date-time", "pattern": "^[0-9-]{10}T[0-9:]{8}(\\.[0-9]+)?Z$"}"#,
        );
        // Taken quickly.
        assert!(STAMP.accepts("2024-01-22T20:13:52.615463837Z"));
        // A leap second has no quick yes; the reference takes it.
        assert!(STAMP.accepts("2024-12-31T23:59:60Z"));
        assert!(!STAMP.accepts("2024-12-31T23:58:60Z"));
        assert!(!STAMP.accepts("2024-02-30T10:00:00Z"));
    }
}
