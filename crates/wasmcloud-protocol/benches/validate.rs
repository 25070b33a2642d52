//! A realistic host heartbeat (three components, two providers, about 2.3 KB): bytes to a
//! validated typed message, and its halves, against plain typed decoding as the baseline.
//!
//! `cargo bench -p wasmcloud-protocol --features validate --bench validate`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use wasmcloud_protocol::lattice_events::messages::{HostHeartbeat, LatticeEvent};
use wasmcloud_protocol::lattice_events::types::HostHeartbeatPayload;
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::Message;

fn heartbeat() -> Vec<u8> {
    let pretty = include_str!("../../../tests/golden/events/host_heartbeat.json");
    let value: serde_json::Value = serde_json::from_str(pretty).unwrap();
    serde_json::to_vec(&value).unwrap()
}

fn bench(c: &mut Criterion) {
    let bytes = heartbeat();
    assert!((2048..3072).contains(&bytes.len()), "{} bytes", bytes.len());
    let info = HostHeartbeat::INFO;
    // Compile the validator outside the measurement, as a service does once.
    validate::validator(&info).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();

    let mut g = c.benchmark_group(format!("host_heartbeat-{}B", bytes.len()));
    g.bench_function("typed decode (baseline)", |b| {
        b.iter(|| serde_json::from_slice::<HostHeartbeatPayload>(black_box(&bytes)).unwrap())
    });
    g.bench_function("bytes to validated typed", |b| {
        b.iter(|| validate::decode::<HostHeartbeat>(black_box(&bytes)).unwrap())
    });
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
