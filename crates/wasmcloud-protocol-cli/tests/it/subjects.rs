//! `wasmcloud-protocol subjects`, `match` and `subject`, run as a user runs them.

use std::process::{Command, Output};

use serde_json::Value;

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmcloud-protocol"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The subjects of the wire reference (`../shared/reference/wasmcloud-1x-wire.md`), after the
/// root, with the operation each belongs to.
const CONTROL: &[(&str, &str)] = &[
    ("host.ping", "getHosts"),
    ("host.get.{HOST}", "getHostInventory"),
    ("host.stop.{HOST}", "stopHost"),
    ("component.scale.{HOST}", "scaleComponent"),
    ("component.update.{HOST}", "updateComponent"),
    ("component.auction", "performComponentAuction"),
    ("provider.start.{HOST}", "startProvider"),
    ("provider.stop.{HOST}", "stopProvider"),
    ("provider.auction", "performProviderAuction"),
    ("link.put", "putLink"),
    ("link.del", "deleteLink"),
    ("link.get", "getLinks"),
    ("claims.get", "getClaims"),
    ("config.put.my-config", "putConfig"),
    ("config.get.my-config", "getConfig"),
    ("config.del.my-config", "deleteConfig"),
    ("label.put.{HOST}", "putLabel"),
    ("label.del.{HOST}", "deleteLabel"),
    ("registry.put", "putRegistries"),
];

const EVENTS: &[&str] = &[
    "component_scaled",
    "component_scale_failed",
    "provider_started",
    "provider_start_failed",
    "provider_stopped",
    "health_check_passed",
    "health_check_failed",
    "health_check_status",
    "linkdef_set",
    "linkdef_set_failed",
    "linkdef_deleted",
    "config_set",
    "config_deleted",
    "labels_changed",
    "host_heartbeat",
    "host_started",
    "host_stopped",
];

fn matched(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn match_routes_every_real_subject_with_and_without_prefix_and_account() {
    for (rest, op) in CONTROL {
        let rest = rest.replace("{HOST}", HOST);
        for (subject, flags) in [
            (format!("wasmbus.ctl.v1.default.{rest}"), vec![]),
            (
                format!("acme.ctl.v1.default.{rest}"),
                vec!["--ctl-prefix", "acme.ctl"],
            ),
            (
                format!("ACCT.acme.ctl.v1.default.{rest}"),
                vec!["--ctl-prefix", "acme.ctl", "--account", "ACCT"],
            ),
            (
                format!("ACCT.wasmbus.ctl.v1.default.{rest}"),
                vec!["--account", "ACCT"],
            ),
        ] {
            let mut args = vec!["match", subject.as_str()];
            args.extend(&flags);
            let v = matched(&args);
            assert_eq!(v["spec"], "control-interface", "{subject}");
            assert_eq!(v["operations"], serde_json::json!([op]), "{subject}");
            assert_eq!(v["params"]["lattice"], "default", "{subject}");
            if rest.ends_with(HOST) {
                assert_eq!(v["params"]["hostId"], HOST);
            }
            if rest.starts_with("config") {
                assert_eq!(v["params"]["configName"], "my-config");
            }
            assert!(v["channel"]
                .as_str()
                .unwrap()
                .starts_with("wasmbus.ctl.v1.{lattice}."));
        }
        // Without the flags, the custom root does not match.
        let out = run(&["match", &format!("acme.ctl.v1.default.{rest}")]);
        assert_eq!(out.status.code(), Some(1));
    }
    for event in EVENTS {
        for (subject, flags) in [
            (format!("wasmbus.evt.prod-eu.{event}"), vec![]),
            // Event subjects keep their root whatever the control interface's.
            (
                format!("ACCT.wasmbus.evt.prod-eu.{event}"),
                vec!["--account", "ACCT", "--ctl-prefix", "acme.ctl"],
            ),
        ] {
            let mut args = vec!["match", subject.as_str()];
            args.extend(&flags);
            let v = matched(&args);
            assert_eq!(v["spec"], "lattice-events");
            assert_eq!(v["channel"], format!("wasmbus.evt.{{lattice}}.{event}"));
            assert_eq!(v["params"], serde_json::json!({"lattice": "prod-eu"}));
            assert_eq!(v["operations"].as_array().unwrap().len(), 1);
        }
    }
    // An event type no host sends yet lands on the subscription channel.
    let v = matched(&["match", "wasmbus.evt.default.something_new"]);
    assert_eq!(v["channel"], "wasmbus.evt.{lattice}.>");
    assert_eq!(v["params"]["tail"], "something_new");
}

#[test]
fn a_repeated_option_takes_its_last_value() {
    let v = matched(&[
        "match",
        "ACCT.wasmbus.ctl.v1.default.host.ping",
        "--account",
        "OTHER",
        "--account=ACCT",
    ]);
    assert_eq!(v["operations"], serde_json::json!(["getHosts"]));
}

#[test]
fn match_prints_the_documented_shape() {
    let out = run(&["match", &format!("wasmbus.ctl.v1.default.host.get.{HOST}")]);
    let text = stdout(&out);
    let keys: Vec<usize> = ["\"spec\"", "\"channel\"", "\"operations\"", "\"params\""]
        .iter()
        .map(|k| text.find(k).unwrap())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "key order: {text}");
}

#[test]
fn match_exit_codes() {
    let out = run(&["match", "wasmbus.ctl.v1.default.host.pong"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no channel matches"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    // A bad lattice matches no channel either, and the rule it breaks is said.
    for (subject, rule) in [
        ("wasmbus.ctl.v1.prod/eu.host.ping", "^[A-Za-z0-9_-]+$"),
        ("wasmbus.ctl.v1..host.ping", "empty"),
        ("wasmbus.ctl.v1.*.host.ping", "'*'"),
    ] {
        let out = run(&["match", subject]);
        assert_eq!(out.status.code(), Some(1), "{subject}");
        let err = stderr(&out);
        assert!(
            err.contains("no channel matches") && err.contains("`lattice`") && err.contains(rule),
            "{subject}: {err}"
        );
    }
    for bad in [
        &["match"][..],
        &["match", "a", "b"],
        &["match", "a", "--nope"],
        &["match", "a", "--account", "a.b"],
        &["nope"],
        &[],
    ] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn subject_builds_every_operation_and_names_bad_parameters() {
    let out = run(&[
        "subject",
        "getHostInventory",
        "lattice=default",
        &format!("hostId={HOST}"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("wasmbus.ctl.v1.default.host.get.{HOST}")
    );
    // Spec names, snake case or kebab case all name the parameter.
    let out = run(&[
        "subject",
        "getConfig",
        "lattice=prod-eu",
        "config_name=db",
        "--ctl-prefix",
        "acme.ctl",
        "--account",
        "T1",
    ]);
    assert_eq!(stdout(&out).trim(), "T1.acme.ctl.v1.prod-eu.config.get.db");
    let out = run(&["subject", "receiveHostHeartbeat", "lattice=default"]);
    assert_eq!(stdout(&out).trim(), "wasmbus.evt.default.host_heartbeat");

    let out = run(&["subject", "getHostInventory", "lattice=default"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("parameter `hostId` is missing"),
        "{}",
        stderr(&out)
    );
    for (value, rule) in [
        ("prod.eu", "'.'"),
        ("prod eu", "whitespace"),
        ("*", "'*'"),
        (">", "'>'"),
        ("", "empty"),
        ("prod/eu", "^[A-Za-z0-9_-]+$"),
    ] {
        let out = run(&["subject", "getHosts", &format!("lattice={value}")]);
        assert_eq!(out.status.code(), Some(2), "{value:?}");
        let err = stderr(&out);
        assert!(
            err.contains("parameter `lattice`") && err.contains(rule),
            "{value:?}: {err}"
        );
        assert!(
            stdout(&out).is_empty(),
            "nothing is rendered from a bad value"
        );
    }
    let out = run(&["subject", "getHosts", "lattice=default", "colour=blue"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("colour"));
    // One parameter twice, under one spelling or two: refused, not one value picked unsaid.
    let host = format!("hostId={HOST}");
    for args in [
        [
            "subject",
            "getHostInventory",
            "lattice=default",
            "lattice=other",
            &host,
        ],
        [
            "subject",
            "getHostInventory",
            "lattice=default",
            &host,
            "host_id=B",
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("more than once"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(run(&["subject", "noSuchOperation"]).status.code(), Some(2));
    assert_eq!(
        run(&["subject", "getHosts", "lattice"]).status.code(),
        Some(2)
    );
}

#[test]
fn subjects_lists_every_channel_and_operation() {
    let out = run(&["subjects", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let all: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(all.len(), 19 + 18);
    for entry in &all {
        for key in ["spec", "channel", "params", "operations"] {
            assert!(entry.get(key).is_some(), "{key} in {entry}");
        }
        for op in entry["operations"].as_array().unwrap() {
            for key in [
                "operationId",
                "request",
                "reply",
                "pattern",
                "replyOptional",
            ] {
                assert!(op.get(key).is_some(), "{key} in {op}");
            }
        }
    }
    let ping = all
        .iter()
        .find(|e| e["channel"] == "wasmbus.ctl.v1.{lattice}.host.ping")
        .unwrap();
    assert_eq!(
        ping["operations"][0],
        serde_json::json!({"operationId": "getHosts", "request": "EmptyRequest", "reply": "HostSummaryResponse", "pattern": "scatter-gather", "replyOptional": false})
    );
    let text = stdout(&run(&["subjects"]));
    for (_, op) in CONTROL {
        assert!(text.contains(op), "{op}");
    }
    assert_eq!(run(&["subjects", "extra"]).status.code(), Some(2));
}
