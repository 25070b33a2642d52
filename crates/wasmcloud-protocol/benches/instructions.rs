//! Instructions per decode, typed against validated, counted by valgrind's callgrind: unlike
//! timings on these noisy machines, the counts repeat to the instruction, so a change to the
//! validation fast path shows as a ratio that means something.
//!
//! `cargo bench -p wasmcloud-protocol --features validate --bench instructions` (valgrind must be
//! on the PATH). It runs itself under callgrind for each message and mode, 1,000 and 3,000
//! decodes, and prints the difference over 2,000: the steady cost of one decode, without setup and
//! compiling the validators. The modes are those of `payloads/mod.rs`. For the events, a second
//! table reads the same bodies through the enum over events, as an event stream does: typed
//! (`LatticeEvent::from_slice`), validated (`LatticeEvent::from_slice_validated`, as the
//! validated stream decodes: the tag found in place, then the message it names decoded and
//! checked straight from the text) and as the enum's view (`views::LatticeEvent::read`, as
//! `Arrived::view` reads), beside a reference point: serde_json's syntax pass alone, building
//! and checking nothing (`IgnoredAny`); the heartbeat a second time with its keys sorted, which
//! puts its `data` before the `type` the enum dispatches on, and a third time indented as in its
//! file (the body of the scale bench's indented stream).

#[path = "../../../tests/src/callgrind.rs"]
mod callgrind;
mod payloads;

use std::path::Path;
use std::process::ExitCode;

use serde::de::DeserializeOwned;
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::view::MessageView;

use payloads::{for_message, MESSAGES};

const MODES: &[&str] = &[
    "typed",
    "typed-str",
    "validated",
    "checked",
    "invalid",
    "view",
];

fn decode<M: MessageView>(mode: &str, valid: &[u8], invalid: &[u8], n: usize)
where
    M::Payload: DeserializeOwned,
{
    // Compiled (and checked) before the loop, in every mode alike, as a service does once.
    validate::validator(&M::INFO).expect("compiles");
    assert!(validate::decode::<M>(valid).is_ok(), "the payload is valid");
    assert!(
        validate::decode::<M>(invalid).is_err(),
        "the variant is not"
    );
    let call = payloads::mode::<M>(mode);
    for _ in 0..n {
        call(valid, invalid);
    }
}

/// The modes of the enum over events, and a reference point beside them: serde_json's syntax
/// pass alone, building and checking nothing (`IgnoredAny`).
const EVENT_MODES: &[&str] = &["enum-typed", "enum-validated", "enum-view", "syntax"];

/// `n` reads of an event body through the enum over events.
fn event(mode: &str, valid: &[u8], n: usize) {
    use std::hint::black_box;
    use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
    use wasmcloud_protocol::lattice_events::views::LatticeEvent as View;
    let tag: serde_json::Value = serde_json::from_slice(valid).expect("JSON");
    let info =
        LatticeEvent::message_for_tag(tag["type"].as_str().expect("a type")).expect("an event");
    validate::validator(&info).expect("compiles");
    assert!(View::read(valid).is_ok(), "the event is valid");
    for _ in 0..n {
        match mode {
            "enum-typed" => {
                black_box(LatticeEvent::from_slice(black_box(valid)).expect("decodes"));
            }
            "enum-validated" => {
                // As the validated stream decodes: the tag found in place, then the message it
                // names decoded straight from the text, checked in the same pass.
                black_box(LatticeEvent::from_slice_validated(black_box(valid)).expect("valid"));
            }
            "enum-view" => {
                black_box(View::read(black_box(valid)).expect("valid"));
            }
            "syntax" => {
                black_box(
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(valid))
                        .expect("JSON"),
                );
            }
            other => unreachable!("no mode {other}"),
        }
    }
}

/// The suffix of an event's name that has its body read with its top-level keys sorted, as Go's
/// `encoding/json` and serde_json's `Value` write a map: `data` then comes before `type`.
const SORTED: &str = ", keys sorted";

/// `body` with its top-level keys in sorted order.
fn keys_sorted(body: &[u8]) -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    let mut members: Vec<_> = value.as_object().expect("an object").iter().collect();
    members.sort_by_key(|(key, _)| *key);
    let members: Vec<String> = members
        .into_iter()
        .map(|(key, value)| format!("{}:{value}", serde_json::Value::from(key.as_str())))
        .collect();
    format!("{{{}}}", members.join(",")).into_bytes()
}

/// The suffix of an event's name that has its body read as its golden file writes it, indented
/// (two spaces a level, a space after each colon), as `serde_json::to_vec_pretty` and most
/// pretty printers write JSON.
const INDENTED: &str = ", indented";

/// One run: `--decode MESSAGE MODE N`.
fn child(message: &str, mode: &str, n: usize) {
    let (name, form) = match (message.strip_suffix(SORTED), message.strip_suffix(INDENTED)) {
        (Some(name), _) => (name, SORTED),
        (_, Some(name)) => (name, INDENTED),
        _ => (message, ""),
    };
    let payloads = MESSAGES
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no message {name:?}"));
    let (valid, invalid) = payloads.read();
    if EVENT_MODES.contains(&mode) {
        let valid = match form {
            SORTED => keys_sorted(&valid),
            INDENTED => {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(payloads.valid);
                std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            }
            _ => valid,
        };
        return event(mode, &valid, n);
    }
    for_message!(message, decode(mode, &valid, &invalid, n));
}

/// Instructions callgrind counts for one run.
fn instructions(message: &str, mode: &str, n: usize) -> Result<u64, String> {
    let out = callgrind::command(
        &["--decode", message, mode, &n.to_string()],
        Path::new("/dev/null"),
    )
    .output()
    .map_err(|e| format!("valgrind: {e} (is it installed?)"))?;
    callgrind::instruction_count(&out)
}

fn per_decode(message: &str, mode: &str) -> Result<u64, String> {
    let (few, many) = (
        instructions(message, mode, 1_000)?,
        instructions(message, mode, 3_000)?,
    );
    Ok(many.saturating_sub(few) / 2_000)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, message, mode, n] = args.as_slice() {
        if flag == "--decode" {
            child(message, mode, n.parse().expect("a count"));
            return ExitCode::SUCCESS;
        }
    }
    // `cargo bench` passes `--bench`; a filter, as for criterion, keeps to matching messages.
    let filter = args.iter().find(|a| !a.starts_with("--"));
    println!(
        "{:<22} {:>8} {:>10} {:>10} {:>8} {:>8} {:>8}   {:>17} {:>21} {:>15}",
        "message",
        "typed",
        "typed-str",
        "validated",
        "checked",
        "invalid",
        "view",
        "validated / typed",
        "validated / typed-str",
        "invalid / typed"
    );
    for message in MESSAGES.iter().map(|p| p.name) {
        if filter.is_some_and(|f| !message.contains(f.as_str())) {
            continue;
        }
        let counts: Result<Vec<u64>, String> =
            MODES.iter().map(|mode| per_decode(message, mode)).collect();
        match counts.as_deref() {
            Ok(&[typed, typed_str, validated, checked, invalid, view]) => {
                let ratio = |a: u64, b: u64| format!("{:.2}×", a as f64 / b as f64);
                println!(
                    "{message:<22} {typed:>8} {typed_str:>10} {validated:>10} {checked:>8} {invalid:>8} {view:>8}   {:>17} {:>21} {:>15}",
                    ratio(validated, typed),
                    ratio(validated, typed_str),
                    ratio(invalid, typed),
                );
            }
            Ok(_) => unreachable!("one count per mode"),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "\n{:<28} {:>10} {:>14} {:>9} {:>9}   {:>18} {:>13} {:>14}",
        "event (the enum)",
        "typed",
        "validated",
        "view",
        "syntax",
        "validated / typed",
        "view / typed",
        "view / syntax"
    );
    for message in [
        "host_heartbeat",
        "component_scaled",
        &format!("host_heartbeat{SORTED}"),
        &format!("host_heartbeat{INDENTED}"),
    ] {
        if filter.is_some_and(|f| !message.contains(f.as_str())) {
            continue;
        }
        let counts: Result<Vec<u64>, String> = EVENT_MODES
            .iter()
            .map(|mode| per_decode(message, mode))
            .collect();
        match counts.as_deref() {
            Ok(&[typed, validated, view, syntax]) => {
                let ratio = |a: u64, b: u64| format!("{:.2}×", a as f64 / b as f64);
                println!(
                    "{message:<28} {typed:>10} {validated:>14} {view:>9} {syntax:>9}   {:>18} {:>13} {:>14}",
                    ratio(validated, typed),
                    ratio(view, typed),
                    ratio(view, syntax),
                );
            }
            Ok(_) => unreachable!("one count per mode"),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
