//! The interop suite: our generated client, validators and typed event stream against a real
//! wasmCloud 1.x host (wasmcloud-host 0.27.1, the host library of the 1.9 line), and our mock
//! host held to what the real host does.

mod harness;
mod providers;
mod scenario;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};
use wasmcloud_protocol::control_interface;
use wasmcloud_protocol::runtime::{Direction, SubjectPrefix};

use harness::{Access, Kind, Lattice};
use scenario::Step;

/// Steps where the real host has a bug that the mock host does not copy; the spec's description
/// of the operation says what users see.
const HOST_BUGS: &[&str] = &["component.auction running"];

/// The events the scenario must cause.
const SCENARIO_EVENTS: &[&str] = &[
    "labels_changed",
    "config_set",
    "config_deleted",
    "component_scaled",
    "component_scale_failed",
    "linkdef_set",
    "linkdef_set_failed",
    "linkdef_deleted",
    "provider_start_failed",
    "host_stopped",
];

fn step<'a>(transcript: &'a [Step], name: &str) -> &'a Step {
    transcript
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name}"))
}

fn event_types(step: &Step) -> Vec<String> {
    step.events
        .iter()
        .map(|e| {
            e["type"]
                .as_str()
                .unwrap()
                .trim_start_matches("com.wasmcloud.lattice.")
                .to_owned()
        })
        .collect()
}

/// What every host must do in the scenario, the real one and the mock one alike.
fn check_outcomes(kind: Kind, t: &[Step]) {
    let ctx = |name: &str| format!("{kind:?}, step {name}: {:#?}", step(t, name));
    let s = step(t, "host.ping");
    assert_eq!(s.reply[0]["response"]["id"], "<host>", "{}", ctx(s.name));
    let s = step(t, "label.put");
    assert_eq!(event_types(s), ["labels_changed"], "{}", ctx(s.name));
    assert_eq!(
        s.events[0]["data"]["labels"]["team"],
        "blue",
        "{}",
        ctx(s.name)
    );
    let s = step(t, "label.put hostcore.*");
    assert!(
        s.reply["refused"].is_string() && s.events.is_empty(),
        "{}",
        ctx(s.name)
    );
    let s = step(t, "config.get");
    assert_eq!(
        s.reply["response"],
        json!({"lang": "en"}),
        "{}",
        ctx(s.name)
    );
    let s = step(t, "component.scale start");
    assert_eq!(s.reply["success"], true, "{}", ctx(s.name));
    assert_eq!(
        event_types(s),
        ["component_scaled", "component_scaled"],
        "a start is reported twice: {}",
        ctx(s.name)
    );
    let s = step(t, "component.scale another image");
    assert!(
        s.reply["message"]
            .as_str()
            .unwrap()
            .starts_with("Requested to scale existing component to a different image reference"),
        "{}",
        ctx(s.name)
    );
    assert_eq!(event_types(s), ["component_scaled"], "{}", ctx(s.name));
    assert_eq!(
        s.events[0]["data"]["image_ref"],
        "file://<files>/echo-a.wasm",
        "the event names the image that was running: {}",
        ctx(s.name)
    );
    let s = step(t, "component.update");
    assert!(
        s.reply["message"]
            .as_str()
            .unwrap()
            .contains("updating from"),
        "{}",
        ctx(s.name)
    );
    let scaled: Vec<(&Value, &Value)> = s
        .events
        .iter()
        .map(|e| (&e["data"]["image_ref"], &e["data"]["max_instances"]))
        .collect();
    assert_eq!(
        scaled,
        [
            (&json!("file://<files>/echo-c.wasm"), &json!(2)),
            (&json!("file://<files>/echo-c.wasm"), &json!(0))
        ],
        "{}",
        ctx(s.name)
    );
    let s = step(t, "component.auction new");
    assert_eq!(
        s.reply[0]["response"]["component_id"],
        "file://<files>/echo-a.wasm",
        "a bid's component_id is the requested component_ref: {}",
        ctx(s.name)
    );
    let s = step(t, "component.auction unmet constraints");
    assert_eq!(s.reply, json!([]), "{}", ctx(s.name));
    let s = step(t, "link.put missing config");
    assert!(s.reply["refused"].is_string(), "{}", ctx(s.name));
    assert_eq!(event_types(s), ["linkdef_set_failed"], "{}", ctx(s.name));
    let s = step(t, "link.get");
    assert_eq!(
        s.reply["response"].as_array().unwrap().len(),
        1,
        "{}",
        ctx(s.name)
    );
    let s = step(t, "component.scale broken");
    assert_eq!(
        event_types(s),
        ["component_scale_failed"],
        "{}",
        ctx(s.name)
    );
    let s = step(t, "registry.put asking for replies");
    assert_eq!(
        s.reply,
        json!([{"success": true, "message": "successfully put registries"}]),
        "{}",
        ctx(s.name)
    );
    let s = step(t, "host.stop");
    assert_eq!(event_types(s), ["host_stopped"], "{}", ctx(s.name));

    let seen: BTreeSet<String> = t.iter().flat_map(event_types).collect();
    for kind in SCENARIO_EVENTS {
        assert!(seen.contains(*kind), "{kind} never seen");
    }
}

/// Every request operation of the control interface spec sent at least once.
fn check_every_operation_was_sent(lattice: &Lattice) {
    let prefix = SubjectPrefix::new();
    let sent: BTreeSet<&str> = lattice
        .wire()
        .iter()
        .filter_map(|m| control_interface::INFO.route(&m.subject, &prefix).ok())
        .map(|(channel, _)| channel.name)
        .collect();
    let operations: Vec<&str> = control_interface::INFO
        .operations
        .iter()
        .filter(|o| o.direction == Direction::Publish && !sent.contains(o.channel.name))
        .map(|o| o.id)
        .collect();
    assert!(operations.is_empty(), "never sent: {operations:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_operation_on_the_real_and_the_mock_host_gives_the_same_answers_and_events() {
    let mut transcripts = Vec::new();
    for kind in [Kind::Real, Kind::Mock] {
        let mut lattice = Lattice::start(kind, Duration::from_secs(30)).await;
        let transcript = scenario::run(&lattice).await;
        lattice.wait_exit(Duration::from_secs(30));
        let report = lattice.check_wire();
        assert!(
            report.requests >= 30 && report.replies >= 28 && report.events >= 15,
            "{kind:?}: {report:?}"
        );
        check_every_operation_was_sent(&lattice);
        check_outcomes(kind, &transcript);
        transcripts.push(transcript);
    }
    let (real, mock) = (&transcripts[0], &transcripts[1]);
    assert_eq!(real.len(), mock.len());
    let mut differences = Vec::new();
    for (r, m) in real.iter().zip(mock) {
        if r != m && !HOST_BUGS.contains(&r.name) {
            differences.push(format!(
                "{}\n  real: {:?} {:?}\n  mock: {:?} {:?}",
                r.name, r.reply, r.events, m.reply, m.events
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "the mock host differs:\n{}",
        differences.join("\n")
    );
    // The documented bug is still there: when a host is fixed, this fails and the spec's
    // description (and this list) should change.
    let bug = step(real, "component.auction running");
    assert_eq!(bug.reply.as_array().map(Vec::len), Some(1), "{bug:?}");
    assert_eq!(step(mock, "component.auction running").reply, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_real_host_runs_every_operation_under_the_generated_host_permissions() {
    let mut lattice =
        Lattice::start_with(Kind::Real, Duration::from_secs(30), Access::LeastPrivilege).await;
    let transcript = scenario::run(&lattice).await;
    let violations = lattice.violations();
    assert!(violations.is_empty(), "{violations:#?}");
    lattice.wait_exit(Duration::from_secs(30));
    check_every_operation_was_sent(&lattice);
    check_outcomes(Kind::Real, &transcript);
}
