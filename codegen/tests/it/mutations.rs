//! Property tests: a valid spec with random parts replaced by random JSON, and random text, never
//! panic the generator, and never reach the panic guard (its "internal generator error" means an
//! input the generator did not check for). Fuzzing (`crates/wasmcloud-protocol/fuzz`) explores
//! further; this runs in every `cargo test`.

use std::path::Path;

use asyncapi_codegen::{generate, MemoryLoader, Settings, Views};
use proptest::prelude::*;
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "asyncapi": "2.6.0",
        "info": {"title": "Base", "version": "1.0.0"},
        "channels": {
            "fleet.{region}.truck.{id}": {
                "parameters": {
                    "region": {"$ref": "#/components/parameters/region"},
                    "id": {"schema": {"type": "integer"}}
                },
                "publish": {
                    "operationId": "report",
                    "message": {"$ref": "#/components/messages/Position"}
                },
                "subscribe": {
                    "operationId": "watch",
                    "message": {"oneOf": [
                        {"$ref": "#/components/messages/Position"},
                        {"name": "Alarm", "payload": {"type": "string", "enum": ["fire", "flood"]}}
                    ]}
                }
            }
        },
        "components": {
            "parameters": {"region": {"schema": {"type": "string", "enum": ["eu", "us"]}}},
            "messages": {
                "Position": {
                    "name": "Position",
                    "contentType": "application/json",
                    "payload": {"$ref": "#/components/schemas/Position"},
                    "examples": [{"payload": {"lat": 1.5, "lon": 2}}]
                }
            },
            "schemas": {
                "Position": {
                    "type": "object",
                    "required": ["lat", "lon"],
                    "properties": {
                        "lat": {"type": "number", "minimum": -90},
                        "lon": {"type": "number"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "kind": {"const": "gps"},
                        "next": {"$ref": "#/components/schemas/Position"},
                        "extra": {"allOf": [{"type": "object"}, {"properties": {"a": {"type": "string"}}}]}
                    },
                    "additionalProperties": {"type": "integer"}
                }
            }
        }
    })
}

/// The same protocol in AsyncAPI 3.0, with a reply on the requester's inbox and a queue group.
fn base_3() -> Value {
    let mut doc = json!({
        "asyncapi": "3.0.0",
        "info": {"title": "Base", "version": "1.0.0"},
        "channels": {
            "truck": {
                "address": "fleet.{region}.truck.{id}",
                "parameters": {
                    "region": {"$ref": "#/components/parameters/region"},
                    "id": {"x-pattern": "^[0-9]+$"}
                },
                "messages": {
                    "Position": {"$ref": "#/components/messages/Position"},
                    "Alarm": {"name": "Alarm", "payload": {"type": "string", "enum": ["fire", "flood"]}}
                }
            },
            "inbox": {
                "address": null,
                "messages": {"Position": {"$ref": "#/components/messages/Position"}}
            }
        },
        "operations": {
            "report": {
                "action": "receive",
                "channel": {"$ref": "#/channels/truck"},
                "messages": [{"$ref": "#/channels/truck/messages/Position"}],
                "reply": {
                    "channel": {"$ref": "#/channels/inbox"},
                    "messages": [{"$ref": "#/channels/inbox/messages/Position"}],
                    "x-pattern": "scatter-gather"
                },
                "bindings": {"nats": {"queue": "trucks"}}
            },
            "watch": {"action": "send", "channel": {"$ref": "#/channels/truck"}}
        },
        "components": {
            "parameters": {"region": {"enum": ["eu", "us"]}}
        }
    });
    let v2 = base();
    doc["components"]["messages"] = v2["components"]["messages"].clone();
    doc["components"]["schemas"] = v2["components"]["schemas"].clone();
    doc
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            "",
            " ",
            ".",
            "*",
            ">",
            "{id}",
            "{}",
            "a.{b}",
            "#",
            "#/",
            "#/components/schemas/Nope",
            "#/components/schemas/Position",
            "#/components/messages/Position",
            "other.yaml",
            "http://example.com/x.json",
            "string",
            "object",
            "array",
            "integer",
            "number",
            "boolean",
            "null",
            "self",
            "type",
            "Self",
            "名前",
            "🚀",
            "2.0.0",
            "3.0.0",
            "$ref",
            "date-time",
            "uuid",
            "^[a-z]+$",
            "(",
            "\u{0}",
        ])
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "$ref",
        "type",
        "properties",
        "items",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "enum",
        "const",
        "required",
        "additionalProperties",
        "payload",
        "name",
        "message",
        "schema",
        "format",
        "default",
        "examples",
        "x-reply",
        "bindings",
        "parameters",
        "operationId",
        "a",
        "",
    ]);
    leaf().prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(keys.clone().prop_map(String::from), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON Schemas made of the keywords specs use, nested.
fn schema() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec!["a", "b", "type", "self", "A", "a-b", "a_b", "", "名"]);
    let simple = prop_oneof![
        prop::sample::select(vec![
            "string", "number", "integer", "boolean", "null", "object", "array",
        ])
        .prop_map(|t| json!({ "type": t })),
        Just(json!({"type": ["string", "null"]})),
        Just(json!({"type": "string", "format": "date-time"})),
        Just(json!({"type": "string", "format": "uuid"})),
        Just(json!({"type": "integer", "format": "int32", "minimum": 0, "maximum": 10})),
        Just(json!({"type": "string", "pattern": "^[a-z]+$", "maxLength": 3})),
        Just(json!({"$ref": "#/components/schemas/Position"})),
        Just(json!({"$ref": "#/components/schemas/Other"})),
        Just(json!(true)),
        Just(json!(false)),
        Just(json!({})),
        prop::collection::vec(leaf(), 1..4).prop_map(|v| json!({ "enum": v })),
        leaf().prop_map(|v| json!({ "const": v })),
        leaf().prop_map(|v| json!({ "type": "string", "default": v })),
    ];
    simple.prop_recursive(4, 32, 4, move |inner| {
        prop_oneof![
            (
                prop::collection::btree_map(
                    names.clone().prop_map(String::from),
                    inner.clone(),
                    0..4
                ),
                prop::collection::vec(names.clone().prop_map(Value::from), 0..3),
                prop_oneof![Just(json!(true)), Just(json!(false)), inner.clone()],
            )
                .prop_map(|(props, required, additional)| {
                    json!({
                        "type": "object",
                        "properties": props,
                        "required": required,
                        "additionalProperties": additional,
                    })
                }),
            inner
                .clone()
                .prop_map(|i| json!({ "type": "array", "items": i })),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "oneOf": v })),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "anyOf": v })),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| json!({ "allOf": v })),
            inner.clone().prop_map(|i| json!({ "not": i })),
            inner.prop_map(|i| json!({ "type": "object", "additionalProperties": i })),
        ]
    })
}

/// Every JSON pointer of `doc`, in document order.
fn pointers(doc: &Value, at: String, out: &mut Vec<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                let child = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(child.clone());
                pointers(v, child, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let child = format!("{at}/{i}");
                out.push(child.clone());
                pointers(v, child, out);
            }
        }
        _ => {}
    }
}

/// `doc` with the value at each edit's pointer (picked among all pointers) replaced.
fn mutated(mut doc: Value, edits: Vec<(prop::sample::Index, Value)>) -> String {
    for (at, replacement) in edits {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        if let Some(target) = doc.pointer_mut(&all[at.index(all.len())]) {
            *target = replacement;
        }
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

fn check(text: String) -> Result<(), TestCaseError> {
    let mut loader = MemoryLoader::new();
    loader.insert("spec.yaml", text);
    // Views too: the schema compiler and the views' emitter read every mutated schema.
    let settings = Settings::default()
        .with_runtime_path("::wasmcloud_protocol::runtime")
        .with_views(Views::Always);
    if let Err(e) = generate(&loader, Path::new("spec.yaml"), &settings) {
        let text = e.to_string();
        prop_assert!(!text.contains("internal generator error"), "{}", text);
        prop_assert!(text.starts_with("spec.yaml"), "{}", text);
    }
    Ok(())
}

proptest! {
    // Failures are kept as explicit cases in `hostile.rs`, not in files beside the source.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_specs_give_code_or_an_error(
        edits in prop::collection::vec((any::<prop::sample::Index>(), value()), 1..4)
    ) {
        check(mutated(base(), edits))?;
    }

    #[test]
    fn mutated_3_x_specs_give_code_or_an_error(
        edits in prop::collection::vec((any::<prop::sample::Index>(), value()), 1..4)
    ) {
        check(mutated(base_3(), edits))?;
    }

    #[test]
    fn random_schemas_give_code_or_an_error(position in schema(), other in schema()) {
        let mut doc = base();
        doc["components"]["schemas"]["Position"] = position;
        doc["components"]["schemas"]["Other"] = other;
        // The example may no longer fit; that is its own, tested, error.
        doc["components"]["messages"]["Position"]
            .as_object_mut()
            .unwrap()
            .remove("examples");
        check(serde_json::to_string_pretty(&doc).unwrap())?;
    }

    #[test]
    fn random_text_gives_an_error(text in ".{0,200}") {
        check(text)?;
    }

    #[test]
    fn random_yaml_around_a_valid_spec_gives_code_or_an_error(
        prefix in "[ \\-:{}\\[\\]&*!|>'\"#%@`a-z0-9\\n]{0,12}",
        suffix in "[ \\-:{}\\[\\]&*!|>'\"#%@`a-z0-9\\n]{0,12}",
    ) {
        let body = serde_yaml_ng::to_string(&base()).unwrap();
        check(format!("{prefix}{body}{suffix}"))?;
    }
}

fn generated(doc: &Value) -> asyncapi_codegen::Output {
    let mut loader = MemoryLoader::new();
    loader.insert("spec.yaml", serde_json::to_string(doc).unwrap());
    let settings = Settings::default().with_runtime_path("::wasmcloud_protocol::runtime");
    generate(&loader, Path::new("spec.yaml"), &settings).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_unmutated_spec_generates() {
    assert_eq!(generated(&base()).spec.messages.len(), 2);
}

#[test]
fn the_unmutated_3_x_spec_generates() {
    let out = generated(&base_3());
    assert_eq!(out.spec.messages.len(), 2);
    assert_eq!(out.spec.operations.len(), 2);
    assert!(out.spec.operations[0].reply.is_some());
}
