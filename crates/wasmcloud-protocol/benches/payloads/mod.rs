//! The payloads the validation benches measure, as senders write them, shared by the criterion
//! bench `validate` and the `instructions` bench so both measure the same bytes; each run keeps
//! them in `target/bench-payloads/` for ajv's side (`tests/other-validators/bench.mjs`).

use std::path::Path;

/// A message's name, its valid payload and an invalid variant, relative to this crate.
pub struct Payloads {
    pub name: &'static str,
    pub valid: &'static str,
    pub invalid: &'static str,
}

/// A realistic host heartbeat (three components, two providers, about 2.2 KB), a signed
/// `component_scaled` event and a `ScaleComponentCommand`.
pub const MESSAGES: &[Payloads] = &[
    Payloads {
        name: "host_heartbeat",
        valid: "../../tests/golden/events/host_heartbeat.json",
        invalid: "../../tests/data/invalid-payloads/lattice-events/HostHeartbeat/uptime-negative.json",
    },
    Payloads {
        name: "component_scaled",
        valid: "../../tests/golden/events/component_scaled-signed.json",
        invalid: "../../tests/data/invalid-payloads/lattice-events/ComponentScaled/max-instances-negative.json",
    },
    Payloads {
        name: "ScaleComponentCommand",
        valid: "../../tests/golden/commands/scale_component.json",
        invalid: "../../tests/data/invalid-payloads/control-interface/ScaleComponentCommand/count-negative.json",
    },
];

impl Payloads {
    /// The valid and the invalid payload, compact, and kept for ajv's side.
    pub fn read(&self) -> (Vec<u8>, Vec<u8>) {
        let (valid, invalid) = (compact(self.valid), compact(self.invalid));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-payloads");
        std::fs::create_dir_all(&dir).expect("target/bench-payloads");
        std::fs::write(dir.join(format!("{}.valid.json", self.name)), &valid).expect("written");
        std::fs::write(dir.join(format!("{}.invalid.json", self.name)), &invalid).expect("written");
        (valid, invalid)
    }
}

/// The payload as a sender writes it: compact, keys in the file's order.
fn compact(path: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let (mut out, mut in_string, mut escaped) = (Vec::with_capacity(text.len()), false, false);
    for b in text.bytes() {
        if in_string {
            out.push(b);
            (escaped, in_string) = match (escaped, b) {
                (true, _) => (false, true),
                (false, b'\\') => (true, true),
                (false, b'"') => (false, false),
                _ => (false, true),
            };
        } else if !b.is_ascii_whitespace() {
            in_string = b == b'"';
            out.push(b);
        }
    }
    let _: serde_json::Value = serde_json::from_slice(&out).expect("still the same JSON");
    out
}
