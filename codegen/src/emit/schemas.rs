//! One standalone JSON Schema (2020-12) per message: every `$ref` points inside the document, so
//! any validator in any language can use it as is.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::model::{Definition, Message, Spec};

pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// Keywords whose value is one schema, in draft-07 and 2020-12 alike.
const ONE: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "additionalProperties",
];
const MANY: &[&str] = &["allOf", "anyOf", "oneOf"];
const MAP: &[&str] = &["properties", "patternProperties", "definitions", "$defs"];

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
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        match k.as_str() {
            "$ref" => {
                let r = v.as_str().unwrap_or_default();
                let r = r.replacen("#/definitions/", "#/$defs/", 1);
                out.insert(k.clone(), Value::String(r));
            }
            "items" => match v {
                // Draft-07 tuples are 2020-12's prefixItems; additionalItems becomes items.
                Value::Array(tuple) => {
                    out.insert(
                        "prefixItems".into(),
                        Value::Array(tuple.iter().map(to_2020).collect()),
                    );
                    if let Some(extra) = map.get("additionalItems") {
                        out.insert("items".into(), to_2020(extra));
                    }
                }
                other => {
                    out.insert(k.clone(), to_2020(other));
                }
            },
            "additionalItems" => {}
            // References are resolved already; an embedded `$id` would rebase the `$ref`s under it,
            // and a nested `$schema` would switch drafts.
            "$id" | "id" | "$schema" => {}
            "dependencies" => {
                if let Value::Object(deps) = v {
                    for (prop, dep) in deps {
                        let (key, value) = match dep {
                            Value::Array(_) => ("dependentRequired", dep.clone()),
                            other => ("dependentSchemas", to_2020(other)),
                        };
                        out.entry(key)
                            .or_insert_with(|| Value::Object(Map::new()))
                            .as_object_mut()
                            .expect("just inserted as an object")
                            .insert(prop.clone(), value);
                    }
                }
            }
            "definitions" | "$defs" if v.is_object() => {
                let defs = v
                    .as_object()
                    .expect("checked")
                    .iter()
                    .map(|(n, s)| (n.clone(), to_2020(s)))
                    .collect();
                out.insert("$defs".into(), Value::Object(defs));
            }
            key if MAP.contains(&key) && v.is_object() => {
                let m = v
                    .as_object()
                    .expect("checked")
                    .iter()
                    .map(|(n, s)| (n.clone(), to_2020(s)))
                    .collect();
                out.insert(k.clone(), Value::Object(m));
            }
            key if MANY.contains(&key) && v.is_array() => {
                let a = v.as_array().expect("checked").iter().map(to_2020).collect();
                out.insert(k.clone(), Value::Array(a));
            }
            key if ONE.contains(&key) => {
                out.insert(k.clone(), to_2020(v));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some((min, max)) = out
        .get("format")
        .and_then(Value::as_str)
        .and_then(integer_bounds)
    {
        let is_integer = allows_integers(out.get("type"));
        if is_integer {
            out.entry("minimum").or_insert_with(|| json_int(min));
            out.entry("maximum").or_insert_with(|| json_int(max));
            out.remove("format");
        }
    }
    Value::Object(out)
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

fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix("#/definitions/")) {
                        out.insert(name.to_owned());
                    }
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The definitions reachable from `root`.
fn closure(defs: &BTreeMap<String, Definition>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_owned()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(d) = defs.get(&name) {
            let mut refs = BTreeSet::new();
            collect_refs(&d.schema, &mut refs);
            todo.extend(refs.into_iter().filter(|r| !seen.contains(r)));
        }
    }
    seen
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
            root.insert("$ref".into(), json!(format!("#/$defs/{payload}")));
            let defs: Map<String, Value> = closure(&spec.definitions, payload)
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
pub(crate) fn compile(schema: &Value) -> std::result::Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

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
