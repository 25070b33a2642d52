//! What the validation benches measure, shared by the criterion bench `validate`, the
//! `instructions` and the `interleaved` bench so all measure the same: the payloads, as senders
//! write them (each run keeps them in `target/bench-payloads/` for ajv's side,
//! `tests/tools/bench.mjs`), and the ways of decoding them, the modes:
//!
//! - `typed`: `serde_json::from_slice` into the payload type, the baseline;
//! - `typed-str`: the same from a `&str`, the body's UTF-8 checked first, at once (serde_json then
//!   checks no string on its own), as the validated decode does;
//! - `validated`: `validate::decode`, bytes to a validated typed payload;
//! - `checked`: `validate::check_bytes`, the bytes checked and nothing decoded, as a service that
//!   only forwards them checks them;
//! - `invalid`: `validate::decode` of the invalid variant: a failed fast pass and the report of
//!   every violation.

use std::hint::black_box;
use std::path::Path;

use serde::de::DeserializeOwned;
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::view::MessageView;

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

/// One call of a mode on message `M`'s valid and invalid payload, chosen once, before the calls
/// that are measured.
pub fn mode<M: MessageView>(mode: &str) -> fn(&[u8], &[u8])
where
    M::Payload: DeserializeOwned,
{
    match mode {
        "typed" => |valid, _| {
            black_box(serde_json::from_slice::<M::Payload>(black_box(valid)).expect("decodes"));
        },
        "typed-str" => |valid, _| {
            let text = std::str::from_utf8(black_box(valid)).expect("UTF-8");
            black_box(serde_json::from_str::<M::Payload>(text).expect("decodes"));
        },
        "validated" => |valid, _| {
            black_box(validate::decode::<M>(black_box(valid)).expect("valid"));
        },
        "checked" => |valid, _| validate::check_bytes(&M::INFO, black_box(valid)).expect("valid"),
        "view" => |valid, _| {
            black_box(validate::view::<M>(black_box(valid)).expect("valid"));
        },
        "invalid" => |_, invalid| {
            black_box(
                validate::decode::<M>(black_box(invalid))
                    .err()
                    .expect("invalid"),
            );
        },
        other => unreachable!("no mode {other}"),
    }
}

/// `$f::<M>(args…)`, with `M` the message type of the payloads named `$name`.
macro_rules! for_message {
    ($name:expr, $f:ident($($arg:expr),*)) => {
        match $name {
            "host_heartbeat" => {
                $f::<wasmcloud_protocol::lattice_events::messages::HostHeartbeat>($($arg),*)
            }
            "component_scaled" => {
                $f::<wasmcloud_protocol::lattice_events::messages::ComponentScaled>($($arg),*)
            }
            "ScaleComponentCommand" => {
                $f::<wasmcloud_protocol::control_interface::messages::ScaleComponentCommand>($($arg),*)
            }
            other => unreachable!("no message {other}"),
        }
    };
}
pub(crate) use for_message;
