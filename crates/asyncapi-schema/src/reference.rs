//! The reference validator: JSON Schema 2020-12 with formats asserted, as the `jsonschema` crate
//! implements it. The runtime's fast path, the generated views and the schemas exported for
//! other languages are all held to its verdicts, so it is built in this one place.

use serde_json::Value;

/// Compiles a standalone 2020-12 schema for the reference validator, or says why it cannot
/// (a schema that breaks the meta-schema, a `$ref` it cannot resolve).
pub fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn formats_are_asserted() {
        let uuid = super::validator(&json!({"type": "string", "format": "uuid"})).unwrap();
        assert!(uuid.is_valid(&json!("67e55044-10b1-426f-9247-bb680e5fe0c8")));
        assert!(!uuid.is_valid(&json!("not a uuid")));
        assert!(super::validator(&json!({"$ref": "#/$defs/Missing"})).is_err());
    }
}
