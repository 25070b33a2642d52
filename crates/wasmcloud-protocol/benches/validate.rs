//! Bytes to a validated typed message, against plain typed decoding of the same bytes as the
//! baseline, for three messages: a realistic host heartbeat (three components, two providers,
//! about 2.2 KB), a signed `component_scaled` event and a `ScaleComponentCommand`; and the
//! failure path (every violation reported) on an invalid variant of each.
//!
//! `cargo bench -p wasmcloud-protocol --features validate --bench validate`, or
//! `benches/validation-vs-ajv`, which runs this and the same payloads through ajv in one go and
//! prints the ratios. The exact bytes measured are written to `target/criterion/payloads/`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use serde::de::DeserializeOwned;
use wasmcloud_protocol::control_interface::messages::ScaleComponentCommand;
use wasmcloud_protocol::lattice_events::messages::{ComponentScaled, HostHeartbeat, LatticeEvent};
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::Message;

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

/// Keeps the bytes measured, for the ajv side of `benches/validation-vs-ajv`.
fn keep(name: &str, valid: &[u8], invalid: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion/payloads");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.valid.json")), valid).unwrap();
    std::fs::write(dir.join(format!("{name}.invalid.json")), invalid).unwrap();
}

fn group<M: Message>(c: &mut Criterion, name: &str, valid: &str, invalid: &str)
where
    M::Payload: DeserializeOwned + std::fmt::Debug,
{
    let (valid, invalid) = (compact(valid), compact(invalid));
    keep(name, &valid, &invalid);
    // Compiled outside the measurement, as a service does once.
    validate::validator(&M::INFO).unwrap();
    assert!(validate::decode::<M>(&valid).is_ok());
    assert!(validate::decode::<M>(&invalid).is_err());

    let mut g = c.benchmark_group(name);
    g.bench_function("typed", |b| {
        b.iter(|| serde_json::from_slice::<M::Payload>(black_box(&valid)).unwrap())
    });
    g.bench_function("validated", |b| {
        b.iter(|| validate::decode::<M>(black_box(&valid)).unwrap())
    });
    g.bench_function("invalid", |b| {
        b.iter(|| validate::decode::<M>(black_box(&invalid)).unwrap_err())
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    group::<HostHeartbeat>(
        c,
        "host_heartbeat",
        "../../tests/golden/events/host_heartbeat.json",
        "../../tests/data/invalid-payloads/lattice-events/HostHeartbeat/uptime-negative.json",
    );
    group::<ComponentScaled>(
        c,
        "component_scaled",
        "../../tests/golden/events/component_scaled-signed.json",
        "../../tests/data/invalid-payloads/lattice-events/ComponentScaled/max-instances-negative.json",
    );
    group::<ScaleComponentCommand>(
        c,
        "ScaleComponentCommand",
        "../../tests/golden/commands/scale_component.json",
        "../../tests/data/invalid-payloads/control-interface/ScaleComponentCommand/count-negative.json",
    );

    // The halves of the heartbeat's validated decode, and decoding by event type.
    let bytes = compact("../../tests/golden/events/host_heartbeat.json");
    let info = HostHeartbeat::INFO;
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut g = c.benchmark_group("host_heartbeat-parts");
    g.bench_function("validation alone (bytes)", |b| {
        b.iter(|| validate::validate_bytes(&info, black_box(&bytes)).unwrap())
    });
    g.bench_function("validation alone (parsed value)", |b| {
        b.iter(|| validate::validate_value(&info, black_box(&value)).unwrap())
    });
    g.bench_function("dispatch by type (LatticeEvent)", |b| {
        b.iter(|| LatticeEvent::from_slice(black_box(&bytes)).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
