//! Bytes to a validated typed message, against plain typed decoding of the same bytes as the
//! baseline, for three messages: a realistic host heartbeat (three components, two providers,
//! about 2.2 KB), a signed `component_scaled` event and a `ScaleComponentCommand`; and the
//! failure path (every violation reported) on an invalid variant of each.
//!
//! `cargo bench -p wasmcloud-protocol --features validate --bench validate`, or
//! `benches/validation-vs-ajv`, which runs this and the same payloads through ajv in one go and
//! prints the ratios. The exact bytes measured are written to `target/bench-payloads/`.

mod payloads;

use std::hint::black_box;

use payloads::{for_message, Payloads, MESSAGES};

use criterion::{criterion_group, criterion_main, Criterion};
use serde::de::DeserializeOwned;
use wasmcloud_protocol::lattice_events::messages::{HostHeartbeat, LatticeEvent};
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::view::MessageView;
use wasmcloud_protocol::runtime::Message;

fn group<M: MessageView>(c: &mut Criterion, payloads: &Payloads)
where
    M::Payload: DeserializeOwned,
{
    let (valid, invalid) = payloads.read();
    // Compiled outside the measurement, as a service does once.
    validate::validator(&M::INFO).unwrap();
    assert!(validate::decode::<M>(&valid).is_ok());
    assert!(validate::decode::<M>(&invalid).is_err());

    let mut g = c.benchmark_group(payloads.name);
    for mode in ["typed", "validated", "view", "invalid"] {
        let call = payloads::mode::<M>(mode);
        g.bench_function(mode, |b| b.iter(|| call(&valid, &invalid)));
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    for payloads in MESSAGES {
        for_message!(payloads.name, group(c, payloads));
    }

    // The halves of the heartbeat's validated decode, and decoding by event type.
    let heartbeat = MESSAGES.iter().find(|p| p.name == "host_heartbeat");
    let (bytes, _) = heartbeat.expect("the heartbeat's payloads").read();
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
