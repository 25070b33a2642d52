//! One standalone JSON Schema (2020-12) per message: every `$ref` points inside the document, so
//! any validator in any language can use it as is.

use asyncapi_schema::{keyword, DefinitionRef, Dialect};
use serde_json::{json, Map, Value};

use crate::model::{Message, Spec};
use crate::schema::reachable;

pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// Integer formats the specs use, with the bounds they imply: 2020-12 validators do not know
/// them (python-jsonschema ignores them, ajv refuses to compile a schema that has one), so the
/// bounds are written out and the format is left out.
fn integer_bounds(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i8::MIN as i128, i8::MAX as i128),
        "uint8" => (0, u8::MAX as i128),
        "int16" => (i16::MIN as i128, i16::MAX as i128),
        "uint16" => (0, u16::MAX as i128),
        "int32" | "int" => (i32::MIN as i128, i32::MAX as i128),
        "uint32" | "uint" => (0, u32::MAX as i128),
        "int64" => (i64::MIN as i128, i64::MAX as i128),
        "uint64" => (0, u64::MAX as i128),
        _ => return None,
    })
}

/// Rewrites a draft-07 schema (as AsyncAPI 2 writes them) into 2020-12.
fn to_2020(schema: &Value) -> Value {
    let mut out = schema.clone();
    upgrade(&mut out);
    out
}

/// Rewrites a schema's own keywords from draft-07 to 2020-12, then its subschemas'.
fn upgrade(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(Value::String(r)) = map.get_mut("$ref") {
        if let Some(name) = r.strip_prefix(Dialect::Definitions.prefix()) {
            *r = format!("{}{name}", Dialect::Defs.prefix());
        }
    }
    // Draft-07 tuples are 2020-12's prefixItems; additionalItems becomes items.
    let additional_items = map.remove("additionalItems");
    if map.get("items").is_some_and(Value::is_array) {
        if let Some(tuple) = map.remove("items") {
            map.insert("prefixItems".into(), tuple);
        }
        if let Some(extra) = additional_items {
            map.insert("items".into(), extra);
        }
    }
    // References are resolved already; an embedded `$id` would rebase the `$ref`s under it, and
    // a nested `$schema` would switch drafts.
    for key in ["$id", "id", "$schema"] {
        map.remove(key);
    }
    if let Some(dependencies) = map.remove("dependencies") {
        for (prop, dep) in dependencies.as_object().into_iter().flatten() {
            let key = if dep.is_array() {
                "dependentRequired"
            } else {
                "dependentSchemas"
            };
            if let Value::Object(by_prop) = map.entry(key).or_insert_with(|| json!({})) {
                by_prop.insert(prop.clone(), dep.clone());
            }
        }
    }
    if let Some(defs) = map.remove(Dialect::Definitions.keyword()) {
        if defs.is_object() {
            map.insert(Dialect::Defs.keyword().into(), defs);
        }
    }
    if let Some((min, max)) = map
        .get("format")
        .and_then(Value::as_str)
        .and_then(integer_bounds)
    {
        if allows_integers(map.get("type")) {
            map.entry("minimum").or_insert_with(|| json_int(min));
            map.entry("maximum").or_insert_with(|| json_int(max));
            map.remove("format");
        }
    }
    keyword::for_each_subschema_mut(schema, |_, sub| upgrade(sub));
}

/// Whether a schema's `type` names `integer`.
fn allows_integers(types: Option<&Value>) -> bool {
    match types {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    }
}

fn json_int(n: i128) -> Value {
    match (i64::try_from(n), u64::try_from(n)) {
        (Ok(i), _) => Value::from(i),
        (_, Ok(u)) => Value::from(u),
        _ => Value::Null,
    }
}

/// The standalone schema of a message.
pub(crate) fn standalone(spec: &Spec, message: &Message) -> Value {
    let mut description = String::new();
    for part in [&message.summary, &message.description]
        .into_iter()
        .flatten()
    {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(part.trim_end());
    }
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DRAFT_2020_12));
    root.insert(
        "title".into(),
        json!(format!("{}/{}", spec.id, message.name)),
    );
    match &message.payload {
        None => {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str("This message has no payload: senders send an empty body and receivers ignore any body.");
            root.insert("description".into(), json!(description));
        }
        Some(payload) => {
            if !description.is_empty() {
                root.insert("description".into(), json!(description));
            }
            root.insert(
                "$ref".into(),
                json!(DefinitionRef::defs(payload).to_string()),
            );
            let defs: Map<String, Value> = reachable(payload, |name| {
                spec.definitions.get(name).map(|d| &d.schema)
            })
            .into_iter()
            .filter_map(|name| {
                let d = spec.definitions.get(&name)?;
                Some((name, to_2020(&d.schema)))
            })
            .collect();
            root.insert("$defs".into(), Value::Object(defs));
            root.insert("$comment".into(), json!(stricter_receivers(&root)));
        }
    }
    Value::Object(root)
}

/// Where typed receivers refuse what JSON Schema accepts, said in the schema (`$comment` is
/// core 2020-12, so no validator refuses it as an unknown keyword).
fn stricter_receivers(schema: &Map<String, Value>) -> String {
    fn integers(value: &Value, at: &mut String, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let is_integer = allows_integers(map.get("type"));
                if is_integer {
                    out.push(format!("#{at}"));
                }
                for (key, item) in map {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&crate::error::escape_token(key));
                    integers(item, at, out);
                    at.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    integers(item, at, out);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut places = Vec::new();
    if let Some(defs) = schema.get("$defs") {
        integers(defs, &mut "/$defs".to_owned(), &mut places);
    }
    let mut comment = String::from(
        "Receivers of this message are stricter than JSON Schema: a key repeated within an object is refused (readers disagree on which value counts)",
    );
    if !places.is_empty() {
        comment.push_str(&format!(
            ", and an integer written with a fraction or an exponent (1.0, 1e2), which typed decoders refuse, is refused at {}",
            places.join(", ")
        ));
    }
    comment.push('.');
    comment
}

/// A validator for a standalone schema as the protocol crate builds it: 2020-12, formats checked.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_07_constructs_become_2020_12() {
        let s = to_2020(&json!({
            "type": "array",
            "items": [{"$ref": "#/definitions/A"}, {"type": "string"}],
            "additionalItems": false,
            "dependencies": {"a": ["b"], "c": {"required": ["d"]}},
            "definitions": {"X": {"type": "integer", "format": "uint32"}},
            "properties": {"n": {"type": ["integer", "null"], "format": "int32", "maximum": 5}}
        }));
        assert_eq!(s["prefixItems"][0]["$ref"], "#/$defs/A");
        assert_eq!(s["items"], json!(false));
        assert!(s.get("additionalItems").is_none());
        assert_eq!(s["dependentRequired"]["a"], json!(["b"]));
        assert_eq!(s["dependentSchemas"]["c"]["required"], json!(["d"]));
        assert_eq!(s["$defs"]["X"]["maximum"], json!(4294967295u64));
        assert_eq!(s["$defs"]["X"]["minimum"], json!(0));
        assert!(
            s["$defs"]["X"].get("format").is_none(),
            "said by the bounds"
        );
        assert_eq!(s["properties"]["n"]["minimum"], json!(i32::MIN));
        assert_eq!(
            s["properties"]["n"]["maximum"],
            json!(5),
            "explicit bounds are kept"
        );
    }

    #[test]
    fn the_comment_names_every_integer_receivers_refuse_as_float() {
        let root = json!({
            "$defs": {
                "A": {"type": "object", "properties": {
                    "n": {"type": "integer"},
                    "a/b": {"type": "array", "items": {"type": ["integer", "null"]}},
                    "s": {"type": "string"}
                }}
            }
        });
        let comment = stricter_receivers(root.as_object().unwrap());
        assert!(comment.contains("a key repeated"), "{comment}");
        assert!(
            comment.ends_with("at #/$defs/A/properties/a~1b/items, #/$defs/A/properties/n."),
            "{comment}"
        );
        let none = stricter_receivers(
            json!({"$defs": {"A": {"type": "string"}}})
                .as_object()
                .unwrap(),
        );
        assert!(!none.contains("integer"), "{none}");
    }
}
