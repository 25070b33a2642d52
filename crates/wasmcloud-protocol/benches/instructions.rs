//! Instructions per decode, typed against validated, counted by valgrind's callgrind: unlike
//! timings on these noisy machines, the counts repeat to the instruction, so a change to the
//! validation fast path shows as a ratio that means something.
//!
//! `cargo bench -p wasmcloud-protocol --features validate --bench instructions` (valgrind must be
//! on the PATH). It runs itself under callgrind for each message and mode, 1,000 and 3,000
//! decodes, and prints the difference over 2,000: the steady cost of one decode, without setup and
//! compiling the validators.

use std::hint::black_box;
use std::path::Path;
use std::process::{Command, ExitCode};

use serde::de::DeserializeOwned;
use wasmcloud_protocol::control_interface::messages::ScaleComponentCommand;
use wasmcloud_protocol::lattice_events::messages::{ComponentScaled, HostHeartbeat};
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::Message;

/// The payloads of the `validate` criterion bench, compact as senders write them.
const MESSAGES: &[(&str, &str)] = &[
    (
        "host_heartbeat",
        "../../tests/golden/events/host_heartbeat.json",
    ),
    (
        "component_scaled",
        "../../tests/golden/events/component_scaled-signed.json",
    ),
    (
        "ScaleComponentCommand",
        "../../tests/golden/commands/scale_component.json",
    ),
];

fn compact(path: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
    serde_json::to_vec(&value).expect("serializes")
}

fn decode<M: Message>(validated: bool, bytes: &[u8], n: usize)
where
    M::Payload: DeserializeOwned,
{
    // Compiled (and checked) before the loop, in both modes alike, as a service does once.
    validate::validator(&M::INFO).expect("compiles");
    assert!(validate::decode::<M>(bytes).is_ok(), "the payload is valid");
    for _ in 0..n {
        if validated {
            black_box(validate::decode::<M>(black_box(bytes)).expect("valid"));
        } else {
            black_box(serde_json::from_slice::<M::Payload>(black_box(bytes)).expect("decodes"));
        }
    }
}

/// One run: `--decode MESSAGE typed|validated N`.
fn child(message: &str, mode: &str, n: usize) {
    let path = MESSAGES
        .iter()
        .find(|(name, _)| *name == message)
        .map(|(_, path)| *path)
        .unwrap_or_else(|| panic!("no message {message:?}"));
    let bytes = compact(path);
    let validated = mode == "validated";
    match message {
        "host_heartbeat" => decode::<HostHeartbeat>(validated, &bytes, n),
        "component_scaled" => decode::<ComponentScaled>(validated, &bytes, n),
        _ => decode::<ScaleComponentCommand>(validated, &bytes, n),
    }
}

/// Instructions callgrind counts for one run.
fn instructions(message: &str, mode: &str, n: usize) -> Result<u64, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(me)
        .args(["--decode", message, mode, &n.to_string()])
        .output()
        .map_err(|e| format!("valgrind: {e} (is it installed?)"))?;
    let report = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the run under valgrind failed:\n{report}"));
    }
    report
        .lines()
        .find_map(|line| {
            line.split_once("refs:")
                .map(|(_, n)| n.trim().replace(',', ""))
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no instruction count in valgrind's report:\n{report}"))
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
        "{:<22} {:>10} {:>10} {:>17}",
        "message", "typed", "validated", "validated / typed"
    );
    for (message, _) in MESSAGES {
        if filter.is_some_and(|f| !message.contains(f.as_str())) {
            continue;
        }
        let counts = per_decode(message, "typed")
            .and_then(|typed| per_decode(message, "validated").map(|validated| (typed, validated)));
        match counts {
            Ok((typed, validated)) => println!(
                "{message:<22} {typed:>10} {validated:>10} {:>16.2}×",
                validated as f64 / typed as f64
            ),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
