//! serde_json against the SIMD decoders (sonic-rs, simd-json) for the typed decode of our
//! messages: 15 interleaved rounds of 2,000 decodes each, the median round, and the ratio to
//! serde_json in the same run. And, for the heartbeat, serde_json against a decoder written for
//! its types alone (`specialized.rs`): what a generator emitting a decoder per payload type, with
//! no serde in between, would buy.
//!
//! `--count MODE N` decodes the heartbeat N times with one decoder (`serde_json`, `specialized`,
//! `borrowed`: the same into types that borrow their text from the body, `serde-borrowed`: such
//! types through serde_json and serde's derive, or `clone`: a clone and drop of the decoded
//! value, the floor of any decoder into these owned types), for callgrind: the difference between
//! N = 1,000 and N = 3,000 over 2,000 is the instructions of one decode.
mod specialized;

use std::time::Instant;
use wasmcloud_protocol::control_interface::types::ScaleComponentCommand;
use wasmcloud_protocol::lattice_events::types::{ComponentScaledPayload, HostHeartbeatPayload};

fn compact(path: &str) -> Vec<u8> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_vec(&v).unwrap()
}

fn time(n: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_nanos() as f64 / n as f64
}

/// serde_json against the decoder written for the heartbeat alone (`specialized.rs`).
fn run_specialized(bytes: &[u8]) {
    let n = 2000;
    let (mut a, mut s, mut b) = (vec![], vec![], vec![]);
    for _ in 0..15 {
        b.push(time(n, || {
            let text = std::str::from_utf8(bytes).unwrap();
            std::hint::black_box(specialized::borrowed::heartbeat(text).unwrap());
        }));
        a.push(time(n, || {
            std::hint::black_box(serde_json::from_slice::<HostHeartbeatPayload>(bytes).unwrap());
        }));
        s.push(time(n, || {
            std::hint::black_box(specialized::heartbeat(bytes).unwrap());
        }));
    }
    let ratios: Vec<f64> = a.iter().zip(&s).map(|(a, s)| a / s).collect();
    let borrowed: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a / b).collect();
    let med = |mut v: Vec<f64>| {
        v.sort_by(|x, y| x.partial_cmp(y).unwrap());
        v[v.len() / 2]
    };
    println!(
        "host_heartbeat specialized {:>8.0} ns  serde_json {:>8.0} ns  ({:.2}x, median of the rounds' ratios)",
        med(s),
        med(a),
        med(ratios)
    );
    println!(
        "host_heartbeat borrowed    {:>8.0} ns  ({:.2}x serde_json's speed)",
        med(b),
        med(borrowed)
    );
}

fn run<T: serde::de::DeserializeOwned>(name: &str, bytes: &[u8]) {
    let n = 2000;
    let (mut a, mut b, mut c) = (vec![], vec![], vec![]);
    // simd-json decodes in place: a fresh copy per call, whose cost is measured apart.
    let mut copy = vec![];
    for _ in 0..15 {
        a.push(time(n, || {
            std::hint::black_box(serde_json::from_slice::<T>(bytes).unwrap());
        }));
        b.push(time(n, || {
            std::hint::black_box(sonic_rs::from_slice::<T>(bytes).unwrap());
        }));
        c.push(time(n, || {
            let mut v = bytes.to_vec();
            std::hint::black_box(simd_json::serde::from_slice::<T>(&mut v).unwrap());
        }));
        copy.push(time(n, || {
            std::hint::black_box(bytes.to_vec());
        }));
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(|x, y| x.partial_cmp(y).unwrap());
        v[v.len() / 2]
    };
    let (a, b, c, k) = (med(&mut a), med(&mut b), med(&mut c), med(&mut copy));
    println!("{name:<22} {:>5} B  serde_json {:>8.0} ns  sonic-rs {:>8.0} ns ({:.2}x)  simd-json {:>8.0} ns ({:.2}x, copy {:.0} ns)",
        bytes.len(), a, b, a / b, c, a / c, k);
}

/// `--count MODE N`: N heartbeat decodes by one decoder, for callgrind to count.
fn count(mode: &str, n: usize) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../tests");
    let bytes = compact(&format!("{root}/golden/events/host_heartbeat.json"));
    let decoded: HostHeartbeatPayload = serde_json::from_slice(&bytes).unwrap();
    assert!(specialized::heartbeat(&bytes).unwrap() == decoded);
    for _ in 0..n {
        match mode {
            "serde_json" => drop(std::hint::black_box(
                serde_json::from_slice::<HostHeartbeatPayload>(std::hint::black_box(&bytes))
                    .unwrap(),
            )),
            "specialized" => drop(std::hint::black_box(
                specialized::heartbeat(std::hint::black_box(&bytes)).unwrap(),
            )),
            "borrowed" => {
                let text = std::str::from_utf8(std::hint::black_box(&bytes)).unwrap();
                drop(std::hint::black_box(
                    specialized::borrowed::heartbeat(text).unwrap(),
                ))
            }
            "serde-borrowed" => {
                let text = std::str::from_utf8(std::hint::black_box(&bytes)).unwrap();
                drop(std::hint::black_box(
                    serde_json::from_str::<specialized::serde_borrowed::Heartbeat>(text).unwrap(),
                ))
            }
            "clone" => drop(std::hint::black_box(std::hint::black_box(&decoded).clone())),
            _ => panic!("modes: serde_json, specialized, borrowed, clone"),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--count") {
        return count(&args[2], args[3].parse().unwrap());
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../tests");
    run_specialized(&compact(&format!(
        "{root}/golden/events/host_heartbeat.json"
    )));
    run::<HostHeartbeatPayload>(
        "host_heartbeat",
        &compact(&format!("{root}/golden/events/host_heartbeat.json")),
    );
    run::<ComponentScaledPayload>(
        "component_scaled",
        &compact(&format!(
            "{root}/golden/events/component_scaled-signed.json"
        )),
    );
    run::<ScaleComponentCommand>(
        "ScaleComponentCommand",
        &compact(&format!("{root}/golden/commands/scale_component.json")),
    );
}
