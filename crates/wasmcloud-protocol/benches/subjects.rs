//! Rendering and parsing subjects, against `format!` of the same subject as the baseline.
//!
//! `cargo bench -p wasmcloud-protocol --bench subjects`; compare each `render`/`parse` with the
//! `format` of its group (same run, same machine).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use wasmcloud_protocol::control_interface::subjects as ctl;
use wasmcloud_protocol::lattice_events::subjects as evt;
use wasmcloud_protocol::runtime::ChannelSubject;

const LATTICE: &str = "prod-eu";
const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

macro_rules! subject_group {
    ($c:expr, $name:literal, $format:expr, $build:expr, $ty:ty, $any:expr) => {{
        let mut g = $c.benchmark_group($name);
        g.bench_function("format", |b| {
            b.iter(|| $format(black_box(LATTICE), black_box(HOST)))
        });
        g.bench_function("render", |b| {
            b.iter(|| $build(black_box(LATTICE), black_box(HOST)).render())
        });
        let subject: String = $format(LATTICE, HOST);
        let prefix = wasmcloud_protocol::runtime::SubjectPrefix::new();
        g.bench_function("parse", |b| {
            b.iter(|| <$ty>::parse(black_box(&subject)).unwrap())
        });
        g.bench_function("route", |b| {
            b.iter(|| $any.route(black_box(&subject), &prefix).unwrap())
        });
        g.finish();
    }};
}

fn subjects(c: &mut Criterion) {
    subject_group!(
        c,
        "host.ping",
        |l: &str, _h: &str| format!("wasmbus.ctl.v1.{l}.host.ping"),
        |l, _h| ctl::HostPingSubject::new(l).unwrap(),
        ctl::HostPingSubject,
        wasmcloud_protocol::control_interface::INFO
    );
    subject_group!(
        c,
        "host.get",
        |l: &str, h: &str| format!("wasmbus.ctl.v1.{l}.host.get.{h}"),
        |l, h| ctl::HostGetSubject::new(l, h).unwrap(),
        ctl::HostGetSubject,
        wasmcloud_protocol::control_interface::INFO
    );
    subject_group!(
        c,
        "component.scale",
        |l: &str, h: &str| format!("wasmbus.ctl.v1.{l}.component.scale.{h}"),
        |l, h| ctl::ComponentScaleSubject::new(l, h).unwrap(),
        ctl::ComponentScaleSubject,
        wasmcloud_protocol::control_interface::INFO
    );
    subject_group!(
        c,
        "config.put",
        |l: &str, _h: &str| format!("wasmbus.ctl.v1.{l}.config.put.http-defaults"),
        |l, _h| ctl::ConfigPutSubject::new(l, "http-defaults").unwrap(),
        ctl::ConfigPutSubject,
        wasmcloud_protocol::control_interface::INFO
    );
    subject_group!(
        c,
        "evt.host_heartbeat",
        |l: &str, _h: &str| format!("wasmbus.evt.{l}.host_heartbeat"),
        |l, _h| evt::HostHeartbeatSubject::new(l).unwrap(),
        evt::HostHeartbeatSubject,
        wasmcloud_protocol::lattice_events::INFO
    );
    // Writing into a reused buffer: what a client does per request.
    let mut g = c.benchmark_group("host.get.reused-buffer");
    let prefix = wasmcloud_protocol::runtime::SubjectPrefix::new();
    let mut buf = String::with_capacity(128);
    g.bench_function("format", |b| {
        b.iter(|| {
            use std::fmt::Write;
            buf.clear();
            write!(
                buf,
                "wasmbus.ctl.v1.{}.host.get.{}",
                black_box(LATTICE),
                black_box(HOST)
            )
            .unwrap();
        })
    });
    g.bench_function("render", |b| {
        b.iter(|| {
            buf.clear();
            ctl::HostGetSubject::new(black_box(LATTICE), black_box(HOST))
                .unwrap()
                .write_with(&prefix, &mut buf);
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = subjects
}
criterion_main!(benches);
