//! The keywords whose values are schemas, in one table, and the walkers over them.
//!
//! Draft-07 (as AsyncAPI 2 and most frameworks write schemas) and 2020-12 (as the exported
//! standalone schemas are written) together: a keyword of either holds the same kind of value in
//! both, except `items`, which draft-07 also allows as a list. Everything else (`enum`,
//! `default`, `examples`, `required`, extensions such as `x-rust`, unknown keywords) is data,
//! never walked into, so a property named `const` or an example holding a `$ref` stays as is.

use serde_json::Value;

/// What a keyword that holds subschemas holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// One schema: `not`, `additionalProperties`.
    Schema,
    /// A list of schemas: `allOf`, `prefixItems`.
    List,
    /// Schemas by name: `properties`, `$defs`. `dependencies` also maps names to lists of
    /// property names; those entries are not schemas and are not walked.
    Map,
    /// One schema or, in draft-07, a list of them: `items`.
    SchemaOrList,
}

/// Every keyword whose value is, or holds, a schema.
pub const SUBSCHEMA_KEYWORDS: &[(&str, Holds)] = &[
    ("additionalItems", Holds::Schema),
    ("additionalProperties", Holds::Schema),
    ("contains", Holds::Schema),
    ("contentSchema", Holds::Schema),
    ("else", Holds::Schema),
    ("if", Holds::Schema),
    ("not", Holds::Schema),
    ("propertyNames", Holds::Schema),
    ("then", Holds::Schema),
    ("unevaluatedItems", Holds::Schema),
    ("unevaluatedProperties", Holds::Schema),
    ("allOf", Holds::List),
    ("anyOf", Holds::List),
    ("oneOf", Holds::List),
    ("prefixItems", Holds::List),
    ("$defs", Holds::Map),
    ("definitions", Holds::Map),
    ("dependencies", Holds::Map),
    ("dependentSchemas", Holds::Map),
    ("patternProperties", Holds::Map),
    ("properties", Holds::Map),
    ("items", Holds::SchemaOrList),
];

/// What `keyword` holds, if it holds subschemas.
pub fn holds(keyword: &str) -> Option<Holds> {
    SUBSCHEMA_KEYWORDS
        .iter()
        .find(|(k, _)| *k == keyword)
        .map(|&(_, holds)| holds)
}

/// Where a subschema sits in the schema that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'a> {
    /// The value of a keyword: `not`, or `items` holding one schema.
    Keyword(&'a str),
    /// An item of a keyword's list: `allOf/0`.
    Item(&'a str, usize),
    /// An entry of a keyword's map: `properties/name`.
    Entry(&'a str, &'a str),
}

impl Place<'_> {
    /// The keyword that holds the subschema.
    pub fn keyword(&self) -> &str {
        match *self {
            Place::Keyword(k) | Place::Item(k, _) | Place::Entry(k, _) => k,
        }
    }

    /// The place as JSON pointer tokens, unescaped: `["allOf", "0"]`.
    pub fn tokens(&self) -> Vec<String> {
        match *self {
            Place::Keyword(k) => vec![k.to_owned()],
            Place::Item(k, i) => vec![k.to_owned(), i.to_string()],
            Place::Entry(k, name) => vec![k.to_owned(), name.to_owned()],
        }
    }
}

/// Whether a map's entry is one to walk: all but `dependencies`' lists of names. Anything else
/// is walked, a number too, so that a reader can refuse what is not a schema.
fn is_entry_schema(value: &Value) -> bool {
    !value.is_array()
}

/// Calls `f` on each subschema `schema` holds directly (not on `schema`, not deeper), in the
/// order of its keywords.
pub fn for_each_subschema<'v>(schema: &'v Value, mut f: impl FnMut(Place<'v>, &'v Value)) {
    let Value::Object(map) = schema else {
        return;
    };
    for (key, child) in map {
        match (holds(key), child) {
            (Some(Holds::Schema), child)
            | (Some(Holds::SchemaOrList), child @ (Value::Object(_) | Value::Bool(_))) => {
                f(Place::Keyword(key), child)
            }
            (Some(Holds::List | Holds::SchemaOrList), Value::Array(items)) => items
                .iter()
                .enumerate()
                .for_each(|(i, item)| f(Place::Item(key, i), item)),
            (Some(Holds::Map), Value::Object(entries)) => entries
                .iter()
                .filter(|(_, v)| is_entry_schema(v))
                .for_each(|(name, entry)| f(Place::Entry(key, name), entry)),
            _ => {}
        }
    }
}

/// [`for_each_subschema`], with each subschema mutable; stops at the first error.
pub fn try_for_each_subschema_mut<E>(
    schema: &mut Value,
    mut f: impl FnMut(Place<'_>, &mut Value) -> Result<(), E>,
) -> Result<(), E> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    for (key, child) in map.iter_mut() {
        match (holds(key), child) {
            (Some(Holds::Schema), child)
            | (Some(Holds::SchemaOrList), child @ (Value::Object(_) | Value::Bool(_))) => {
                f(Place::Keyword(key), child)?
            }
            (Some(Holds::List | Holds::SchemaOrList), Value::Array(items)) => {
                for (i, item) in items.iter_mut().enumerate() {
                    f(Place::Item(key, i), item)?;
                }
            }
            (Some(Holds::Map), Value::Object(entries)) => {
                for (name, entry) in entries.iter_mut().filter(|(_, v)| is_entry_schema(v)) {
                    f(Place::Entry(key, name), entry)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// [`for_each_subschema`], with each subschema mutable.
pub fn for_each_subschema_mut(schema: &mut Value, mut f: impl FnMut(Place<'_>, &mut Value)) {
    let _ = try_for_each_subschema_mut(schema, |place, sub| {
        f(place, sub);
        Ok::<(), std::convert::Infallible>(())
    });
}

/// Calls `f` on `schema` and every schema nested in it, parents first.
pub fn walk<'v>(schema: &'v Value, f: &mut impl FnMut(&'v Value)) {
    f(schema);
    for_each_subschema(schema, |_, sub| walk(sub, f));
}

/// [`walk`], with each schema mutable: `f` changes a schema before its subschemas are visited.
pub fn walk_mut(schema: &mut Value, f: &mut impl FnMut(&mut Value)) {
    f(schema);
    for_each_subschema_mut(schema, |_, sub| walk_mut(sub, f));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subschemas_are_found_where_the_keywords_hold_them_and_nowhere_else() {
        let schema = json!({
            "properties": {"const": {"type": "string"}, "n": true},
            "items": [{"type": "integer"}, false],
            "allOf": [{"$ref": "#/definitions/A"}],
            "not": {"type": "null"},
            "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
            "enum": [{"type": "object"}],
            "default": {"properties": {}},
            "x-rust": {"not": {}},
            "required": ["n"],
        });
        let mut places = Vec::new();
        for_each_subschema(&schema, |place, _| places.push(place.tokens().join("/")));
        places.sort();
        assert_eq!(
            places,
            [
                "allOf/0",
                "dependencies/c",
                "items/0",
                "items/1",
                "not",
                "properties/const",
                "properties/n"
            ]
        );
        let mut count = 0;
        walk(&schema, &mut |_| count += 1);
        assert_eq!(count, 1 + places.len());
    }

    #[test]
    fn a_mutable_walk_sees_each_change_before_going_deeper() {
        let mut schema = json!({"properties": {"a": {"const": 1, "items": {"const": 2}}}});
        walk_mut(&mut schema, &mut |s| {
            if let Some(c) = s.as_object_mut().and_then(|m| m.remove("const")) {
                s["enum"] = json!([c]);
            }
        });
        assert_eq!(
            schema,
            json!({"properties": {"a": {"enum": [1], "items": {"enum": [2]}}}})
        );
        let failed =
            try_for_each_subschema_mut(&mut schema, |place, _| Err(place.keyword().to_owned()));
        assert_eq!(failed, Err("properties".to_owned()));
    }
}
