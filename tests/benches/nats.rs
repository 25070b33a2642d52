//! Over a real loopback `nats-server`, in one run:
//!
//! - request/reply latency: our generated client (`scale_component`: subject built and checked,
//!   command encoded, reply decoded and its status read) against raw async-nats `request` with the
//!   same payload, both answered by the same raw responder;
//! - `get_hosts` wall time with three mock hosts: our client finishing after a quiet period (and
//!   after the expected count) against the official client, which always waits its 5 s.
//!
//! `cargo bench -p workspace-tests --bench nats`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use futures::StreamExt;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::control_interface::types as ctl;
use wasmcloud_protocol::runtime::nats::{async_nats, round_trip, GatherOptions};
use workspace_tests::mock_host::{LatticeStore, MockHost, MockHostConfig};
use workspace_tests::nats_server::NatsServer;

const HOSTS: [&str; 3] = [
    "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N",
    "NBG37K5KJUZ3SRRCOTFG3IOIRA77FFG3HINLDD66HXCECGEHJ4VWB7RB",
    "NCBAWBHRBEDDSK5ZMHBMCYHU2XTZHYCF4WLB3ZO5JCWBB3EGJNDRU3OU",
];

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = NatsServer::start();
    let url = server.url();

    // A responder that answers every scale command with the same acknowledgment.
    let subject = format!("wasmbus.ctl.v1.default.component.scale.{}", HOSTS[0]);
    let (nats, mut sub) = rt.block_on(async {
        let nats = async_nats::connect(&url).await.unwrap();
        let sub = nats.subscribe(subject.clone()).await.unwrap();
        round_trip(&nats).await.unwrap();
        (nats, sub)
    });
    let responder = rt.spawn(async move {
        let ack = br#"{"success":true,"message":""}"#.to_vec();
        while let Some(msg) = sub.next().await {
            nats.publish(msg.reply.unwrap(), ack.clone().into())
                .await
                .unwrap();
        }
    });
    let cmd = ctl::ScaleComponentCommand {
        component_ref: "ghcr.io/wasmcloud/components/http-hello-world-rust:0.1.0".into(),
        component_id: "hello".into(),
        count: 5,
        host_id: HOSTS[0].into(),
        annotations: None,
        component_limits: None,
        config: vec![],
        allow_update: false,
    };
    let payload = bytes::Bytes::from(serde_json::to_vec(&cmd).unwrap());
    let (raw, client) = rt.block_on(async {
        let raw = async_nats::connect(&url).await.unwrap();
        let client = Client::new(async_nats::connect(&url).await.unwrap(), "default").unwrap();
        (raw, client)
    });

    let mut g = c.benchmark_group("request-reply loopback");
    g.bench_function("raw async-nats request (baseline)", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    raw.request(subject.clone(), payload.clone()).await.unwrap();
                }
                start.elapsed()
            })
        })
    });
    g.bench_function("generated client scale_component", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    client.scale_component(HOSTS[0], &cmd).await.unwrap();
                }
                start.elapsed()
            })
        })
    });
    g.finish();
    responder.abort();

    // Three mock hosts.
    let _hosts = rt.block_on(async {
        let store = Arc::new(LatticeStore::default());
        let mut servers = Vec::new();
        for id in HOSTS {
            let nats = async_nats::connect(&url).await.unwrap();
            let host = MockHost::new(
                nats.clone(),
                MockHostConfig::new("default", id),
                store.clone(),
            )
            .unwrap();
            servers.push(host.serve(nats).await.unwrap());
        }
        servers
    });
    let official = rt.block_on(async {
        wasmcloud_control_interface::ClientBuilder::new(official_nats::connect(&url).await.unwrap())
            .build()
    });
    let mut g = c.benchmark_group("get_hosts, three hosts");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    for (name, gather) in [
        (
            "ours, quiet 100 ms",
            GatherOptions::new().quiet(Duration::from_millis(100)),
        ),
        ("ours, expecting 3", GatherOptions::new().expected(3)),
    ] {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let found = client.get_hosts_with(&gather).await.unwrap();
                        assert_eq!(found.replies.len(), 3);
                    }
                    start.elapsed()
                })
            })
        });
    }
    g.bench_function("official client (fixed 5 s wait)", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    assert_eq!(official.get_hosts().await.unwrap().len(), 3);
                }
                start.elapsed()
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
