//! The wasmCloud specs as received (`tests/fixtures/as-received/`): the control interface still
//! generates (its module is `tests/src/fixtures/original_control_interface.rs` in the workspace);
//! the lattice events are refused, as the official parser refuses them: a 2.x channel name holds
//! the NATS wildcard `>`, which no URI template can.

use asyncapi_codegen::{generate, ErrorKind, Settings};

use crate::CrateLoader;

#[test]
fn the_lattice_events_as_received_are_refused_for_their_wildcard_channel_name() {
    let path = "tests/fixtures/as-received/lattice-events.yaml";
    let err = generate(&CrateLoader, path.as_ref(), &Settings::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Structure(_)), "{err}");
    assert_eq!(err.pointer(), "/channels/wasmbus.evt.{lattice}.>");
    assert_eq!(err.line(), Some(32));
    let message = err.to_string();
    assert!(message.contains("is not a URI template"), "{message}");
    assert!(
        message.contains("say the channel in AsyncAPI 3"),
        "{message}"
    );
}

#[test]
fn the_control_interface_as_received_generates() {
    let path = "tests/fixtures/as-received/control-interface.yaml";
    let out = generate(&CrateLoader, path.as_ref(), &Settings::default()).unwrap();
    assert!(out.spec.operations.len() >= 10);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}
