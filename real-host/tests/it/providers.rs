//! Providers, claims and the clock-driven events, on the real host: a provider archive made at
//! test time is started, health-checked (the test answers the host's checks) and stopped; a
//! component signed at test time gives claims to `claims.get` and to `component_scaled`; a file
//! that is not a provider archive fails to start; heartbeats arrive.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use wasmcloud_protocol::control_interface::types as ctl;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;

use crate::harness::{Kind, Lattice};

fn command<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid command")
}

/// The event types this test must see.
pub const EVENTS: &[&str] = &[
    "host_started",
    "host_heartbeat",
    "component_scaled",
    "provider_started",
    "provider_start_failed",
    "provider_stopped",
    "health_check_passed",
    "health_check_failed",
    "health_check_status",
    "host_stopped",
];

/// Answers the host's health checks of `provider`: `answers[i]` for the i-th check, the last
/// one for every check after.
async fn answer_health_checks(lattice: &Lattice, provider: &str, answers: &'static [bool]) {
    let subject = format!("wasmbus.rpc.{}.{provider}.health", lattice.name);
    let mut checks = lattice.nats.subscribe(subject).await.unwrap();
    lattice.nats.flush().await.unwrap();
    let nats = lattice.nats.clone();
    let count = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Some(check) = checks.next().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let healthy = answers[n.min(answers.len() - 1)];
            let body =
                json!({"healthy": healthy, "message": if healthy { "" } else { "not today" }});
            if let Some(reply) = check.reply {
                let _ = nats.publish(reply, body.to_string().into()).await;
            }
        }
    });
}

fn kind_of(event: &LatticeEvent) -> &'static str {
    match event {
        LatticeEvent::HostStarted(_) => "host_started",
        LatticeEvent::HostHeartbeat(_) => "host_heartbeat",
        LatticeEvent::HostStopped(_) => "host_stopped",
        LatticeEvent::ComponentScaled(_) => "component_scaled",
        LatticeEvent::ComponentScaleFailed(_) => "component_scale_failed",
        LatticeEvent::ProviderStarted(_) => "provider_started",
        LatticeEvent::ProviderStartFailed(_) => "provider_start_failed",
        LatticeEvent::ProviderStopped(_) => "provider_stopped",
        LatticeEvent::HealthCheckPassed(_) => "health_check_passed",
        LatticeEvent::HealthCheckFailed(_) => "health_check_failed",
        LatticeEvent::HealthCheckStatus(_) => "health_check_status",
        LatticeEvent::LinkdefSet(_) => "linkdef_set",
        LatticeEvent::LinkdefSetFailed(_) => "linkdef_set_failed",
        LatticeEvent::LinkdefDeleted(_) => "linkdef_deleted",
        LatticeEvent::ConfigSet(_) => "config_set",
        LatticeEvent::ConfigDeleted(_) => "config_deleted",
        LatticeEvent::LabelsChanged(_) => "labels_changed",
        LatticeEvent::Unknown(_) => "unknown",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn providers_claims_and_clock_driven_events_on_the_real_host() {
    let mut lattice = Lattice::start(Kind::Real, Duration::from_secs(1)).await;
    let host = lattice.host_id.clone();
    let c = lattice.client.clone();
    let wait = Duration::from_secs(20);

    // A signed component: its claims reach `component_scaled` and `claims.get`.
    let signed = wasmcloud_real_host::signed_component("echo", &["interop"], 3, "0.3.0").unwrap();
    let path = lattice
        .files
        .write("echo-signed.wasm", &signed.bytes)
        .unwrap();
    let scale: ctl::ScaleComponentCommand = command(json!({
        "component_ref": wasmcloud_real_host::file_ref(&path), "component_id": "echo",
        "host_id": host, "count": 1
    }));
    let ack = c.scale_component(&host, &scale).await.unwrap();
    assert!(ack.success, "{ack:?}");
    let scaled = lattice
        .wait_for(wait, |s| {
            s.json["type"] == "com.wasmcloud.lattice.component_scaled"
        })
        .await
        .expect("component_scaled");
    let claims = &scaled.json["data"]["claims"];
    assert_eq!(claims["issuer"], signed.issuer.as_str(), "{claims}");
    assert_eq!(claims["name"], "echo", "{claims}");
    assert_eq!(claims["version"], "0.3.0", "{claims}");
    assert_eq!(claims["revision"], 3, "{claims}");
    assert_eq!(claims["tags"], json!(["interop"]), "{claims}");
    assert_eq!(claims["not_before_human"], "never", "{claims}");
    assert_eq!(claims["expires_human"], "never", "{claims}");
    assert_eq!(scaled.json["data"]["public_key"], signed.subject.as_str());
    let all_claims = c.get_claims().await.unwrap();
    let listed = serde_json::to_value(&all_claims.response).unwrap();
    let ours = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"] == signed.subject.as_str())
        .unwrap_or_else(|| panic!("no claims for {} in {listed}", signed.subject));
    assert_eq!(ours["issuer"], signed.issuer.as_str());
    assert_eq!(ours["name"], "echo");
    assert_eq!(ours["version"], "0.3.0");
    assert_eq!(ours["revision"], "3");
    assert_eq!(ours["tags"], "interop");

    // Two providers: the test answers "steady"'s checks healthy then unhealthy (passed at the
    // first check, failed at the second), and "sick"'s unhealthy from the start (no change:
    // status). Each from an archive of its own: the host unpacks an archive to an executable
    // named for the host and the reference, so a second start of one archive rewrites the file
    // the first may be starting ("text file busy").
    let mut provider_subjects = Vec::new();
    for id in ["steady", "sick"] {
        let archive = lattice.files.path().join(format!("idle-{id}.par.gz"));
        let subject = wasmcloud_real_host::provider_archive(
            &archive,
            "idle",
            wasmcloud_real_host::IDLE_PROVIDER.as_bytes(),
        )
        .await
        .unwrap();
        provider_subjects.push((id, archive, subject));
    }
    answer_health_checks(&lattice, "steady", &[true, false]).await;
    answer_health_checks(&lattice, "sick", &[false]).await;
    for (id, archive, _) in &provider_subjects {
        let start: ctl::StartProviderCommand = command(json!({
            "provider_ref": wasmcloud_real_host::file_ref(archive), "provider_id": id,
            "host_id": host, "annotations": {"app": "interop"}
        }));
        let ack = c.start_provider(&host, &start).await.unwrap();
        assert!(ack.success, "{ack:?}");
    }
    let started = lattice
        .wait_for(wait, |s| {
            s.json["type"] == "com.wasmcloud.lattice.provider_started"
                && s.json["data"]["provider_id"] == "steady"
        })
        .await
        .expect("provider_started");
    let claims = &started.json["data"]["claims"];
    assert_eq!(claims["name"], "idle", "{claims}");
    assert_eq!(claims["not_before_human"], "never", "{claims}");
    assert_eq!(claims["expires_human"], "never", "{claims}");
    // "sick" may start after "steady" (a loaded machine): the inventory lists both in time.
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let inventory = c
            .get_host_inventory(&host)
            .await
            .unwrap()
            .into_inner()
            .response
            .unwrap();
        let ids: BTreeSet<String> = inventory.providers.iter().map(|p| p.id.clone()).collect();
        if ids.len() == 2 || tokio::time::Instant::now() > deadline {
            assert_eq!(
                ids,
                BTreeSet::from(["sick".to_owned(), "steady".to_owned()]),
                "{inventory:?}"
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = serde_json::to_value(c.get_claims().await.unwrap().into_inner().response).unwrap();
    for (id, _, subject) in &provider_subjects {
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["subject"] == subject.as_str()),
            "{id}'s claims in {listed}"
        );
    }

    // Not a provider archive.
    let bogus = lattice
        .files
        .write("bogus.par.gz", b"not an archive")
        .unwrap();
    let start: ctl::StartProviderCommand = command(json!({
        "provider_ref": wasmcloud_real_host::file_ref(&bogus), "provider_id": "bogus", "host_id": host
    }));
    let ack = c.start_provider(&host, &start).await.unwrap();
    assert!(
        ack.success,
        "the host acknowledges before it fails: {ack:?}"
    );
    let failed = lattice
        .wait_for(wait, |s| {
            s.json["type"] == "com.wasmcloud.lattice.provider_start_failed"
        })
        .await
        .expect("provider_start_failed");
    assert_eq!(failed.json["data"]["provider_id"], "bogus");

    // The host checks first after 5 s, then every 30 s: a failed check comes at about 35 s,
    // later if a slow answer makes the host drop a check.
    let check = Duration::from_secs(80);
    for (kind, provider) in [
        ("health_check_passed", "steady"),
        ("health_check_status", "sick"),
        ("health_check_failed", "steady"),
    ] {
        let seen = lattice
            .wait_for(check, |s| {
                s.json["type"] == format!("com.wasmcloud.lattice.{kind}")
                    && s.json["data"]["provider_id"] == provider
            })
            .await;
        assert!(seen.is_some(), "{kind} for {provider}");
    }

    for id in ["steady", "sick"] {
        let stop: ctl::StopProviderCommand = command(json!({"provider_id": id, "host_id": host}));
        let ack = c.stop_provider(&host, &stop).await.unwrap();
        assert!(ack.success, "{ack:?}");
    }
    assert!(lattice
        .wait_for(wait, |s| s.json["type"]
            == "com.wasmcloud.lattice.provider_stopped")
        .await
        .is_some());

    let stop: ctl::StopHostCommand = command(json!({"host_id": host}));
    c.stop_host(&host, &stop).await.unwrap();
    assert!(lattice
        .wait_for(wait, |s| s.json["type"]
            == "com.wasmcloud.lattice.host_stopped")
        .await
        .is_some());
    lattice.wait_exit(Duration::from_secs(30));

    let seen: BTreeSet<&str> = lattice
        .events()
        .iter()
        .map(|s| kind_of(&s.event))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    for kind in EVENTS {
        assert!(seen.contains(kind), "{kind} not seen; seen: {seen:?}");
    }
    let report = lattice.check_wire();
    assert!(report.events >= EVENTS.len(), "{report:?}");
}
