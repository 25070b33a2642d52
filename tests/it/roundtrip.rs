//! Every message with a payload has at least one example in its spec, and every example survives
//! the typed round trip: decode into the generated type, encode, compare.
//!
//! The comparison is by meaning: encoding may add a field at its default (`"allow_update": false`)
//! or leave out one that holds nothing (`"config": []`, `"limits": null`), as serde defaults do on
//! both sides of the wire; any other difference fails.

use std::path::Path;

use asyncapi_codegen::{read_spec, FsLoader};
use wasmcloud_protocol::runtime::MessageInfo;
use wasmcloud_protocol::{control_interface, lattice_events};
use workspace_tests::same_meaning;

fn check(spec_file: &str, messages: &[MessageInfo]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../specs")
        .join(spec_file);
    let spec = read_spec(&FsLoader, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        spec.messages.len(),
        messages.len(),
        "every message has a Rust type"
    );
    let mut failures = Vec::new();
    for message in &spec.messages {
        let info = messages
            .iter()
            .find(|i| i.name == message.name)
            .unwrap_or_else(|| panic!("no generated message {}", message.name));
        assert_eq!(
            info.has_payload,
            message.payload.is_some(),
            "{}",
            message.name
        );
        if message.payload.is_none() {
            continue;
        }
        if message.examples.is_empty() {
            failures.push(format!("{}: no example", message.name));
        }
        for asyncapi_codegen::model::Example {
            pointer,
            payload: example,
            ..
        } in &message.examples
        {
            match (info.normalize)(example) {
                Ok(again) if same_meaning(example, &again) && (info.normalize)(&again).ok() == Some(again.clone()) => {}
                Ok(again) => failures.push(format!(
                    "{spec_file}#{pointer}: changed by the round trip:\n  example: {example}\n  again:   {again}"
                )),
                Err(e) => failures.push(format!("{spec_file}#{pointer}: does not decode: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn control_interface_examples_round_trip() {
    check("control-interface.yaml", control_interface::messages::ALL);
}

#[test]
fn lattice_events_examples_round_trip() {
    check("lattice-events.yaml", lattice_events::messages::ALL);
}

/// Property names that become the same Rust field (`fooBar`, `foo_bar`, `FooBar`, `foo-bar`;
/// `self`, `Self`) get distinct fields, and each keeps its own wire name.
#[test]
fn colliding_property_names_keep_their_wire_names() {
    use workspace_tests::fixtures::fixture_names::types::Crate;
    let wire = serde_json::json!({
        "fooBar": "a", "foo_bar": "b", "FooBar": "c", "foo-bar": "d",
        "self": "e", "Self": "f", "type": "g", "super": 1, "async": true
    });
    let typed: Crate = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(typed.foo_bar.as_deref(), Some("c"));
    assert_eq!(typed.foo_bar_2.as_deref(), Some("d"));
    assert_eq!(typed.foo_bar_3.as_deref(), Some("a"));
    assert_eq!(typed.foo_bar_4.as_deref(), Some("b"));
    assert_eq!(serde_json::to_value(&typed).unwrap(), wire);
}

#[test]
fn same_meaning_tolerates_empty_defaults_only() {
    use serde_json::json;
    assert!(same_meaning(
        &json!({"a": 1, "c": []}),
        &json!({"a": 1, "b": false})
    ));
    assert!(!same_meaning(&json!({"a": 1}), &json!({"a": 2})));
    assert!(!same_meaning(&json!({"a": [1]}), &json!({})));
    assert!(!same_meaning(&json!({}), &json!({"a": "x"})));
    assert!(!same_meaning(&json!([1, 2]), &json!([1])));
}

#[test]
fn a_request_left_at_its_defaults_has_the_specs_defaults() {
    use control_interface::types::{DeleteLinkCommand, LinkDefinition};
    // The spec gives a link's name a default of its own: `Default` honours it, as decoding does.
    let written = DeleteLinkCommand {
        source_id: "http-server".into(),
        ..Default::default()
    };
    assert_eq!(written.name, "default");
    let decoded: DeleteLinkCommand = serde_json::from_str(
        r#"{"source_id": "http-server", "wit_namespace": "", "wit_package": ""}"#,
    )
    .unwrap();
    assert_eq!(written, decoded);
    assert_eq!(LinkDefinition::default().name, "default");
}
