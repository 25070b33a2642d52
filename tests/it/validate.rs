//! Validation against the specs' JSON Schemas: the docs page's examples get the verdicts the wire
//! facts predict, every format the specs use is enforced, validation by subject picks the right
//! message, and the exported schema files stand on their own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use wasmcloud_protocol::control_interface::{messages as ctl, types};
use wasmcloud_protocol::runtime::validate::{self, Side, ValidationError};
use wasmcloud_protocol::runtime::{Message, SubjectPrefix};
use wasmcloud_protocol::{validate_subject, SPECS};

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";
const OTHER_HOST: &str = "NBG37K5KJUZ3SRRCOTFG3IOIRA77FFG3HINLDD66HXCECGEHJ4VWB7RB";

fn golden(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("golden/events/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The instance pointers of every violation, or `None` when the body is valid.
fn verdict(subject: &str, side: Side, body: &Value) -> Option<BTreeSet<String>> {
    let bytes = serde_json::to_vec(body).unwrap();
    match validate_subject(subject, &SubjectPrefix::new(), side, &bytes) {
        Ok(_) => None,
        Err(ValidationError::Invalid { violations, .. }) => {
            Some(violations.into_iter().map(|v| v.instance).collect())
        }
        Err(other) => panic!("{subject}: {other}"),
    }
}

fn set(pointers: &[&str]) -> Option<BTreeSet<String>> {
    Some(pointers.iter().map(|p| p.to_string()).collect())
}

#[test]
fn the_docs_pages_examples_get_the_verdicts_the_wire_facts_predict() {
    // `time` must be RFC 3339 ending in Z (nine examples have `+00:00Z`, one second 88, two
    // `+00:00`); claims revisions are integers and claims carry not_before_human/expires_human;
    // provider_start_failed has provider_ref, not image_ref; a heartbeat is a whole inventory;
    // host_started carries friendly_name, uptime_seconds and version.
    let expected: &[(&str, Option<BTreeSet<String>>)] = &[
        (
            "component_scaled",
            set(&["/time", "/data/claims", "/data/claims/revision"]),
        ),
        ("component_scale_failed", set(&["/time"])),
        ("linkdef_set", set(&["/time"])),
        ("linkdef_deleted", set(&["/time"])),
        ("provider_started", set(&["/data/claims"])),
        ("provider_start_failed", set(&["/time", "/data"])),
        ("provider_stopped", set(&["/time"])),
        ("health_check_passed", None),
        ("health_check_failed", set(&["/time"])),
        ("health_check_status", set(&["/time"])),
        ("config_set", set(&["/time"])),
        ("config_deleted", set(&["/time"])),
        ("labels_changed", set(&["/time"])),
        ("host_heartbeat", set(&["/time", "/data"])),
        ("host_started", set(&["/data"])),
        ("host_stopped", None),
    ];
    let examples = workspace_tests::docs_event_examples();
    assert_eq!(
        examples.len(),
        expected.len(),
        "one example per documented event"
    );
    for (event, want) in expected {
        let example = &examples[*event];
        assert_eq!(example["type"], format!("com.wasmcloud.lattice.{event}"));
        let subject = format!("wasmbus.evt.default.{event}");
        assert_eq!(&verdict(&subject, Side::Request, example), want, "{event}");
    }
}

#[test]
fn every_violation_is_reported_with_its_pointer_and_schema_location() {
    let mut hb = golden("host_heartbeat");
    hb["time"] = json!("2024-01-22T20:13:52+00:00");
    hb["specversion"] = json!(1.0);
    hb["data"]["components"][1]["max_instances"] = json!(-1);
    hb["data"]["providers"] = json!({});
    let body = serde_json::to_vec(&hb).unwrap();
    let err = validate_subject(
        "wasmbus.evt.default.host_heartbeat",
        &SubjectPrefix::new(),
        Side::Request,
        &body,
    )
    .unwrap_err();
    let ValidationError::Invalid {
        spec,
        message,
        violations,
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!((spec, message), ("lattice-events", "HostHeartbeat"));
    let at: BTreeSet<&str> = violations.iter().map(|v| v.instance.as_str()).collect();
    assert_eq!(
        at,
        [
            "/time",
            "/specversion",
            "/data/components/1/max_instances",
            "/data/providers"
        ]
        .into()
    );
    for v in &violations {
        assert!(
            v.schema.starts_with("/$defs/") || v.schema.starts_with("/$ref"),
            "{v:?}"
        );
        assert!(!v.message.is_empty());
    }
}

/// A payload breaking one format, per format the specs use.
fn format_case(format: &str) -> (&'static str, Value, &'static str) {
    let mut hb = golden("host_heartbeat");
    match format {
        "date-time" => {
            hb["time"] = json!("2023-06-13T01:12:88.856590Z");
            ("wasmbus.evt.default.host_heartbeat", hb, "/time")
        }
        "uuid" => {
            hb["id"] = json!("018d32cf-5b0c-4b3c-8d9e-0f1a2b3c4d5");
            ("wasmbus.evt.default.host_heartbeat", hb, "/id")
        }
        "int32" => {
            hb["data"]["components"][0]["revision"] = json!(2147483648u64);
            (
                "wasmbus.evt.default.host_heartbeat",
                hb,
                "/data/components/0/revision",
            )
        }
        "uint32" => {
            hb["data"]["components"][0]["max_instances"] = json!(4294967296u64);
            (
                "wasmbus.evt.default.host_heartbeat",
                hb,
                "/data/components/0/max_instances",
            )
        }
        "uint64" => {
            hb["data"]["uptime_seconds"] = json!(-30);
            (
                "wasmbus.evt.default.host_heartbeat",
                hb,
                "/data/uptime_seconds",
            )
        }
        other => panic!("no test case for the format {other:?} that a spec uses"),
    }
}

fn formats_in(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(f)) = map.get("format") {
                out.insert(f.clone());
            }
            map.values().for_each(|v| formats_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| formats_in(v, out)),
        _ => {}
    }
}

#[test]
fn every_format_the_specs_use_is_enforced() {
    let mut formats = BTreeSet::new();
    for spec in SPECS {
        for m in spec.messages {
            formats_in(&serde_json::from_str(m.schema).unwrap(), &mut formats);
        }
    }
    assert!(
        formats.contains("date-time") && formats.contains("uuid"),
        "{formats:?}"
    );
    for format in &formats {
        let (subject, body, pointer) = format_case(format);
        assert_eq!(
            verdict(subject, Side::Request, &body),
            set(&[pointer]),
            "{format}"
        );
    }
    // The same values with the format respected pass.
    assert_eq!(
        verdict(
            "wasmbus.evt.default.host_heartbeat",
            Side::Request,
            &golden("host_heartbeat")
        ),
        None
    );
}

#[test]
fn every_golden_event_is_valid_on_its_own_subject() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/events");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".json")
            .to_owned();
        let event = name.split('-').next().unwrap();
        assert_eq!(
            verdict(
                &format!("wasmbus.evt.default.{event}"),
                Side::Request,
                &golden(&name)
            ),
            None,
            "{name}"
        );
    }
}

#[test]
fn a_cloud_event_must_match_its_subject() {
    let hb = golden("host_heartbeat");
    // On another event's subject, its type breaks that event's schema.
    assert!(
        verdict("wasmbus.evt.default.host_started", Side::Request, &hb)
            .unwrap()
            .contains("/type")
    );
    // On a subject no event has, it is refused for the subject, not the body.
    let err = validate_subject(
        "wasmbus.evt.default.not_an_event",
        &SubjectPrefix::new(),
        Side::Request,
        &serde_json::to_vec(&hb).unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ValidationError::NoMessage { reason, .. } if reason.contains("wasmbus.evt.{lattice}.host_heartbeat")),
        "{err}"
    );
    // An unknown type on the catch-all subject names the tag.
    let mut unknown = hb.clone();
    unknown["type"] = json!("com.wasmcloud.lattice.not_an_event");
    let err = validate_subject(
        "wasmbus.evt.default.not_an_event",
        &SubjectPrefix::new(),
        Side::Request,
        &serde_json::to_vec(&unknown).unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ValidationError::NoMessage { reason, .. } if reason.contains("`type`")),
        "{err}"
    );
}

#[test]
fn commands_and_replies_are_checked_by_subject() {
    let subject = format!("wasmbus.ctl.v1.default.component.scale.{HOST}");
    let scale = json!({"component_ref": "ghcr.io/x:1", "component_id": "hello", "count": 5, "host_id": HOST});
    assert_eq!(verdict(&subject, Side::Request, &scale), None);
    // The mistake the original spec taught: hosts would stop the component.
    let wrong = json!({"component_ref": "ghcr.io/x:1", "component_id": "hello", "max_instances": 5, "host_id": HOST});
    let bytes = serde_json::to_vec(&wrong).unwrap();
    let err = validate_subject(&subject, &SubjectPrefix::new(), Side::Request, &bytes).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("\"count\" is a required property") && text.contains("max_instances"),
        "{text}"
    );

    // A command whose body names another host than its subject: each valid alone, but the spec
    // says they are one value (generated responders refuse it in `Operation::bind`; a real host
    // acts under the body's id), so refused here, with every other violation.
    let elsewhere = format!("wasmbus.ctl.v1.default.component.scale.{}", OTHER_HOST);
    assert_eq!(
        verdict(&elsewhere, Side::Request, &scale),
        set(&["/host_id"])
    );
    let err = validate_subject(
        &elsewhere,
        &SubjectPrefix::new(),
        Side::Request,
        &serde_json::to_vec(&scale).unwrap(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&format!("the payload's `host_id` is \"{HOST}\""))
            && err.contains(&format!("the subject's `hostId` is \"{}\"", OTHER_HOST)),
        "{err}"
    );
    assert_eq!(
        verdict(&elsewhere, Side::Request, &wrong),
        set(&["", "/host_id"])
    );
    // Left empty, a generated responder fills it in from the subject.
    let mut unnamed = scale.clone();
    unnamed["host_id"] = json!("");
    assert_eq!(verdict(&elsewhere, Side::Request, &unnamed), None);

    let ack = json!({"success": true, "message": "successfully scaled"});
    assert_eq!(verdict(&subject, Side::Reply, &ack), None);
    assert_eq!(
        verdict(&subject, Side::Reply, &json!({"accepted": true})),
        set(&[""])
    );
    // A reply that comes only when asked for is checked like any other.
    let registries = "wasmbus.ctl.v1.default.registry.put";
    let confirmed = json!({"success": true, "message": "successfully put registries"});
    assert_eq!(verdict(registries, Side::Reply, &confirmed), None);
    assert_eq!(
        verdict(registries, Side::Reply, &json!({"message": "no status"})),
        set(&[""])
    );
    // An event has no reply.
    let err = validate_subject(
        "wasmbus.evt.default.host_heartbeat",
        &SubjectPrefix::new(),
        Side::Reply,
        b"{}",
    )
    .unwrap_err();
    assert!(matches!(err, ValidationError::NoMessage { .. }), "{err}");
    // Requests without payload have an empty body, and any body is ignored.
    for body in [&b""[..], b"{}", b"not json"] {
        let (m, _) = validate_subject(
            "wasmbus.ctl.v1.default.host.ping",
            &SubjectPrefix::new(),
            Side::Request,
            body,
        )
        .unwrap();
        assert_eq!(m.name, "EmptyRequest");
    }
    // Custom roots and accounts route as everywhere else.
    let prefix = SubjectPrefix::new()
        .with_root("acme.ctl")
        .unwrap()
        .with_account("T1")
        .unwrap();
    let (m, _) = validate_subject(
        "T1.acme.ctl.v1.default.link.get",
        &prefix,
        Side::Reply,
        br#"{"success":true,"message":"","response":[]}"#,
    )
    .unwrap();
    assert_eq!(m.name, "LinksResponse");
    // Not JSON, a bad subject value, and no channel are errors of their own kind.
    assert!(matches!(
        validate_subject(&subject, &SubjectPrefix::new(), Side::Request, b"{nope"),
        Err(ValidationError::NotJson(_))
    ));
    assert!(matches!(
        validate_subject(
            "wasmbus.ctl.v1.prod/eu.host.ping",
            &SubjectPrefix::new(),
            Side::Request,
            b""
        ),
        Err(ValidationError::Subject(_))
    ));
}

#[test]
fn decode_validates_and_types_in_one_call() {
    let body = br#"{"component_ref": "ghcr.io/x:1", "component_id": "hello", "count": 5, "host_id": "N1"}"#;
    let cmd: types::ScaleComponentCommand =
        validate::decode::<ctl::ScaleComponentCommand>(body).unwrap();
    assert_eq!(cmd.count, 5);
    let err = validate::decode::<ctl::ScaleComponentCommand>(br#"{"count": -1}"#).unwrap_err();
    let ValidationError::Invalid { violations, .. } = err else {
        panic!()
    };
    assert_eq!(
        violations.len(),
        4,
        "three missing fields and a negative count: {violations:?}"
    );
    assert!(validate::validate_value(
        &ctl::CtlOperationAck::INFO,
        &json!({"success": false, "message": "no"})
    )
    .is_ok());
}

fn schema_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/wasmcloud-protocol/schemas");
    let mut out = Vec::new();
    for spec in std::fs::read_dir(dir).unwrap() {
        for file in std::fs::read_dir(spec.unwrap().path()).unwrap() {
            out.push(file.unwrap().path());
        }
    }
    out.sort();
    out
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn exported_schemas_are_valid_2020_12_and_stand_alone() {
    let files = schema_files();
    let messages: usize = SPECS.iter().map(|s| s.messages.len()).sum();
    assert_eq!(files.len(), messages, "one file per message");
    for path in files {
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            path.display()
        );
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{}: not a valid 2020-12 schema: {e}", path.display());
        }
        let mut all = Vec::new();
        refs(&schema, &mut all);
        for r in all {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{}: {r} leaves the file", path.display()));
            assert!(
                schema.pointer(pointer).is_some(),
                "{}: {r} points at nothing",
                path.display()
            );
        }
        // The file is what the crate embeds.
        let spec = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let name = path.file_stem().unwrap().to_str().unwrap();
        let info = SPECS
            .iter()
            .find(|s| s.id == spec)
            .unwrap()
            .message(name)
            .unwrap();
        assert_eq!(info.schema, std::fs::read_to_string(&path).unwrap());
    }
}

#[test]
fn every_message_of_both_specs_has_a_fast_path() {
    use wasmcloud_protocol::runtime::validate::has_fast_path;
    for spec in wasmcloud_protocol::SPECS {
        for message in spec.messages {
            assert!(
                has_fast_path(message),
                "{}/{} is always checked by the reference validator",
                message.spec,
                message.name
            );
        }
    }
}

/// What serde's typed decoding takes and the schema refuses: the fast path must not let any of it
/// through. Each edit is made to the golden heartbeat.
#[test]
fn the_fast_path_refuses_what_typed_decoding_alone_would_take() {
    use wasmcloud_protocol::lattice_events::messages::HostHeartbeat;
    let info = HostHeartbeat::INFO;
    let valid = serde_json::to_string(&golden("host_heartbeat")).unwrap();
    assert!(validate::fast_path_accepts(&info, valid.as_bytes()));
    assert!((info.fast_decodes)(&info, valid.as_bytes()));
    let cases: Vec<(&str, String)> = vec![
        // An optional field of a Rust `Option` given `null`, which its schema does not allow.
        (
            "/data/components/0/name",
            valid.replacen(r#""name":"http-hello-world""#, r#""name":null"#, 1),
        ),
        // serde_json also reads a unit variant from `{"variant": null}`.
        (
            "/datacontenttype",
            valid.replacen(
                r#""datacontenttype":"application/json""#,
                r#""datacontenttype":{"application/json":null}"#,
                1,
            ),
        ),
        // A map's key twice (`BTreeMap` keeps the last).
        (
            "/data/labels/hostcore.os",
            valid.replacen(r#""labels":{"#, r#""labels":{"hostcore.os":"plan9","#, 1),
        ),
        // A uuid in a form the `uuid` crate reads and the format refuses.
        (
            "/id",
            valid.replacen(
                r#""id":"018d32cf-5b0c-4b3c-8d9e-0f1a2b3c4d5e""#,
                r#""id":"{018d32cf-5b0c-4b3c-8d9e-0f1a2b3c4d5e}""#,
                1,
            ),
        ),
        // An integer written as a float.
        (
            "/data/uptime_seconds",
            valid.replacen(r#""uptime_seconds":"#, r#""uptime_seconds":1.0,"x":"#, 1),
        ),
    ];
    for (pointer, body) in cases {
        assert_ne!(body, valid, "{pointer}: the edit applies");
        assert!(
            !validate::fast_path_accepts(&info, body.as_bytes()),
            "{pointer}: {body}"
        );
        assert!(!(info.fast_decodes)(&info, body.as_bytes()), "{pointer}");
        let Err(ValidationError::Invalid { violations, .. }) =
            validate::decode::<HostHeartbeat>(body.as_bytes())
        else {
            panic!("{pointer}: not refused with violations")
        };
        assert!(
            violations.iter().any(|v| v.instance.starts_with(pointer)
                || pointer.starts_with(&v.instance) && !v.instance.is_empty()),
            "{pointer}: {violations:?}"
        );
    }
}
