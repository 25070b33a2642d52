//! Support for the workspace-level tests, and the code generated from the generator's fixtures:
//! the two original specs as received and one small spec per construct. They are compiled here so
//! that a generator change that emits broken code for any of them fails the build.

pub mod fixtures;
pub mod mock_host;
pub mod nats_server;
pub mod props;

use serde_json::Value;

/// Whether a value holds nothing, as a field left at its serde default does.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) => false,
    }
}

/// Whether two JSON values mean the same payload: equal, except that either side may leave out a
/// field the other holds at an empty default (`"config": []`, `"limits": null`,
/// `"allow_update": false`), as serde defaults do on both sides of the wire.
pub fn same_meaning(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.iter()
                .all(|(k, v)| y.get(k).map_or(is_empty(v), |w| same_meaning(v, w)))
                && y.iter().all(|(k, w)| x.contains_key(k) || is_empty(w))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_meaning(v, w))
        }
        _ => a == b,
    }
}

/// The JSON examples of the wasmCloud docs page `reference/cloud-event-list.md` (read from
/// `../shared`), one per documented event, in page order.
pub fn docs_event_examples() -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/cloud-event-list.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Each example starts with a line `{`; it ends where its braces balance.
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    for line in text.lines() {
        if depth == 0 && line != "{" {
            continue;
        }
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
        current.push_str(line);
        current.push('\n');
        if depth == 0 {
            out.push(serde_json::from_str(&current).expect("the page's examples are JSON"));
            current.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::same_meaning;
    use serde_json::json;

    #[test]
    fn same_meaning_tolerates_empty_defaults_only() {
        assert!(same_meaning(
            &json!({"a": 1, "c": []}),
            &json!({"a": 1, "b": false})
        ));
        assert!(!same_meaning(&json!({"a": 1}), &json!({"a": 2})));
        assert!(!same_meaning(&json!({"a": [1]}), &json!({})));
        assert!(!same_meaning(&json!({}), &json!({"a": "x"})));
        assert!(!same_meaning(&json!([1, 2]), &json!([1])));
    }
}
