//! Every message of every spec has a golden JSON payload in `tests/golden/<spec>/<Message>.json`,
//! and it survives the typed round trip: decode into the generated type, encode, compare.

use std::path::Path;

use wasmcloud_protocol::runtime::MessageInfo;
use wasmcloud_protocol::{control_interface, lattice_events};

fn check_all(messages: &[MessageInfo]) {
    let mut failures = Vec::new();
    for info in messages {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("golden")
            .join(info.spec)
            .join(format!("{}.json", info.name));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: every message needs a golden payload: {e}",
                path.display()
            )
        });
        let golden: serde_json::Value = serde_json::from_str(&text).unwrap();
        match (info.normalize)(&golden) {
            Ok(again) if again == golden => {}
            Ok(again) => failures.push(format!(
                "{}/{}: changed by the round trip:\n  golden: {golden}\n  again:  {again}",
                info.spec, info.name
            )),
            Err(e) => failures.push(format!("{}/{}: does not decode: {e}", info.spec, info.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn control_interface_messages_round_trip() {
    assert!(!control_interface::messages::ALL.is_empty());
    check_all(control_interface::messages::ALL);
}

#[test]
fn lattice_events_messages_round_trip() {
    assert!(!lattice_events::messages::ALL.is_empty());
    check_all(lattice_events::messages::ALL);
}

#[test]
fn golden_files_all_belong_to_a_message() {
    for (spec, messages) in [
        (control_interface::SPEC, control_interface::messages::ALL),
        (lattice_events::SPEC, lattice_events::messages::ALL),
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("golden")
            .join(spec);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let stem = name.trim_end_matches(".json");
            assert!(
                messages.iter().any(|m| m.name == stem),
                "{}/{name} is not a message of {spec}",
                dir.display()
            );
        }
    }
}
