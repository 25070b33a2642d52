//! A `$ref` to a definition of the document's own schemas.

use std::fmt;

use serde_json::{Map, Value};

/// Where a document keeps its definitions, and so how a reference to one is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// `#/definitions/Name`: draft-07, as AsyncAPI 2 writes schemas and as the generator collects
    /// every schema of a spec.
    Definitions,
    /// `#/$defs/Name`: 2020-12, as the standalone schemas of messages are written.
    Defs,
}

impl Dialect {
    /// The reference's text before the name.
    pub const fn prefix(self) -> &'static str {
        match self {
            Dialect::Definitions => "#/definitions/",
            Dialect::Defs => "#/$defs/",
        }
    }

    /// The keyword that holds the definitions.
    pub const fn keyword(self) -> &'static str {
        match self {
            Dialect::Definitions => "definitions",
            Dialect::Defs => "$defs",
        }
    }
}

/// A `$ref` to one of a document's own definitions, by name.
///
/// Names with `/`, `~` or `%` (which a JSON pointer would escape) are not definition names:
/// the generator never makes one, and [`DefinitionRef::parse`] reads no such reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DefinitionRef<'a> {
    /// The definition's name.
    pub name: &'a str,
    /// Where the definition is kept.
    pub dialect: Dialect,
}

impl<'a> DefinitionRef<'a> {
    /// A reference to `#/definitions/{name}`.
    pub const fn definitions(name: &'a str) -> Self {
        Self {
            name,
            dialect: Dialect::Definitions,
        }
    }

    /// A reference to `#/$defs/{name}`.
    pub const fn defs(name: &'a str) -> Self {
        Self {
            name,
            dialect: Dialect::Defs,
        }
    }

    /// Reads a reference's text; `None` for anything but a definition of this document.
    pub fn parse(reference: &'a str) -> Option<Self> {
        [Dialect::Definitions, Dialect::Defs]
            .into_iter()
            .find_map(|dialect| {
                let name = reference.strip_prefix(dialect.prefix())?;
                let plain = !name.is_empty() && !name.contains(['/', '~', '%']);
                plain.then_some(Self { name, dialect })
            })
    }

    /// The definition a schema's `$ref` names, if it names one.
    pub fn of(schema: &'a Value) -> Option<Self> {
        Self::parse(schema.get("$ref")?.as_str()?)
    }

    /// The definition the schema's `$ref` names if it is a reference of `dialect`.
    pub fn of_dialect(schema: &'a Value, dialect: Dialect) -> Option<&'a str> {
        Self::of(schema)
            .filter(|r| r.dialect == dialect)
            .map(|r| r.name)
    }

    /// The same definition, kept where `dialect` keeps it.
    pub const fn to_dialect(self, dialect: Dialect) -> Self {
        Self {
            name: self.name,
            dialect,
        }
    }

    /// The schema that is nothing but this reference: `{"$ref": "…"}`.
    pub fn schema(self) -> Value {
        let mut map = Map::new();
        map.insert("$ref".into(), Value::String(self.to_string()));
        Value::Object(map)
    }
}

impl fmt::Display for DefinitionRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.dialect.prefix(), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_reference_reads_back_as_it_was_written() {
        for r in [
            DefinitionRef::definitions("A"),
            DefinitionRef::defs("HostInventory"),
        ] {
            let text = r.to_string();
            assert_eq!(DefinitionRef::parse(&text), Some(r));
            assert_eq!(r.schema(), json!({ "$ref": text }));
        }
        assert_eq!(
            DefinitionRef::definitions("A")
                .to_dialect(Dialect::Defs)
                .to_string(),
            "#/$defs/A"
        );
    }

    #[test]
    fn only_a_plain_name_of_this_document_is_a_definition() {
        for other in [
            "#/definitions/",
            "#/definitions/a/b",
            "#/$defs/a~1b",
            "#/$defs/a%20b",
            "#/components/schemas/A",
            "other.json#/definitions/A",
            "https://example.com/s.json",
        ] {
            assert_eq!(DefinitionRef::parse(other), None, "{other}");
        }
        assert_eq!(DefinitionRef::of(&json!({"type": "string"})), None);
        let r = json!({"$ref": "#/definitions/A"});
        assert_eq!(
            DefinitionRef::of_dialect(&r, Dialect::Definitions),
            Some("A")
        );
        assert_eq!(DefinitionRef::of_dialect(&r, Dialect::Defs), None);
    }
}
