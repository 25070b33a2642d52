//! Support for the workspace-level tests, and the code generated from the generator's fixtures:
//! the two original specs as received and one small spec per construct. They are compiled here so
//! that a generator change that emits broken code for any of them fails the build.

pub mod callgrind;
pub mod fixtures;
pub mod mock_host;
pub mod nats_server;
pub mod operator;
pub mod props;
pub mod tools;

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

/// The JSON examples of the wasmCloud docs page `reference/cloud-event-list`, one per documented
/// event (`data/docs-page-events/<event>.json`, as the page prints them), by event name.
pub fn docs_event_examples() -> std::collections::BTreeMap<String, Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/docs-page-events");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, value)
        })
        .collect()
}
