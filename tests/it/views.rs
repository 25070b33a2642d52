//! Views: payloads read in place (`validate::view`), against the payload types and the reference
//! validator.

use std::borrow::Cow;

use serde_json::Value;
use wasmcloud_protocol::control_interface::messages::ScaleComponentCommand;
use wasmcloud_protocol::lattice_events::messages::HostHeartbeat;
use wasmcloud_protocol::runtime::validate::{self, ValidationError};
use workspace_tests::props;

fn golden(name: &str) -> String {
    let path = format!("{}/golden/events/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_payload_we_have_reads_as_its_payload_type_decodes_it() {
    // Each payload against every message with a view: what is valid and decodes reads, to the
    // same payload; what is not gets the reference validator's report (`props::views_agree`).
    let cases = crate::other_validators::cases();
    assert!(cases.len() > 40, "{} payloads", cases.len());
    for case in &cases {
        props::views_agree(case.payload.as_bytes());
    }
    let views = wasmcloud_protocol::control_interface::views::ALL.len()
        + wasmcloud_protocol::lattice_events::views::ALL.len();
    let with_payload = wasmcloud_protocol::SPECS
        .iter()
        .flat_map(|s| s.messages)
        .filter(|m| m.has_payload)
        .count();
    assert_eq!(
        views, with_payload,
        "every message with a payload has a view"
    );
}

#[test]
fn a_heartbeat_view_borrows_its_text_from_the_body_and_holds_what_the_payload_type_holds() {
    let body = golden("host_heartbeat");
    let view = validate::view::<HostHeartbeat>(body.as_bytes()).unwrap();
    let owned = validate::decode::<HostHeartbeat>(body.as_bytes()).unwrap();
    assert_eq!(view.source, owned.source.as_str());
    assert!(matches!(view.source, Cow::Borrowed(_)));
    let within = body.as_bytes().as_ptr_range();
    assert!(
        within.contains(&view.source.as_ptr()),
        "borrowed from the body"
    );
    assert_eq!(view.data.components.len(), owned.data.components.len());
    for (v, o) in view.data.components.iter().zip(&owned.data.components) {
        assert_eq!(v.image_ref.as_deref(), Some(o.image_ref.as_str()));
        assert_eq!(v.max_instances, Some(o.max_instances));
    }
    let labels = view.data.labels.as_ref().unwrap();
    assert_eq!(labels.len(), owned.data.labels.len());
    for (key, value) in labels.iter() {
        assert_eq!(
            owned.data.labels.get(key).map(String::as_str),
            Some(&**value)
        );
    }
    assert_eq!(view.data.uptime_seconds, Some(owned.data.uptime_seconds));
}

#[test]
fn escaped_strings_are_unescaped_and_owned() {
    let body = golden("host_heartbeat").replacen(
        "\"friendly_name\": \"",
        "\"friendly_name\": \"tab\\there \\u00e9 ",
        1,
    );
    assert_ne!(body, golden("host_heartbeat"), "the edit applies");
    let view = validate::view::<HostHeartbeat>(body.as_bytes()).unwrap();
    let name = view.data.friendly_name.unwrap();
    assert!(matches!(name, Cow::Owned(_)));
    assert!(name.starts_with("tab\there é "), "{name}");
}

#[test]
fn an_invalid_body_gets_every_violation_as_decode_reports_them() {
    let mut hb: Value = serde_json::from_str(&golden("host_heartbeat")).unwrap();
    hb["data"]["uptime_seconds"] = Value::from(-1);
    hb["time"] = Value::from("yesterday");
    let body = serde_json::to_vec(&hb).unwrap();
    let ValidationError::Invalid { violations, .. } =
        validate::view::<HostHeartbeat>(&body).unwrap_err()
    else {
        panic!("not a report")
    };
    let ValidationError::Invalid {
        violations: expected,
        ..
    } = validate::decode::<HostHeartbeat>(&body).unwrap_err()
    else {
        panic!("not a report")
    };
    assert_eq!(violations, expected);
    let pointers: Vec<&str> = violations.iter().map(|v| v.instance.as_str()).collect();
    assert!(pointers.contains(&"/data/uptime_seconds"), "{pointers:?}");
    assert!(pointers.contains(&"/time"), "{pointers:?}");
}

#[test]
fn what_receivers_refuse_a_view_refuses_too() {
    let scale = r#"{"host_id": "N1", "component_id": "c", "component_ref": "r", "count": 1}"#;
    assert!(validate::view::<ScaleComponentCommand>(scale.as_bytes()).is_ok());
    for (body, pointer) in [
        (scale.replace("\"count\": 1", "\"count\": 1.0"), "/count"),
        (scale.replace("\"count\": 1", "\"count\": 1e0"), "/count"),
        (
            scale.replace("\"count\": 1", "\"count\": 1, \"count\": 2"),
            "/count",
        ),
    ] {
        let error = validate::view::<ScaleComponentCommand>(body.as_bytes()).unwrap_err();
        let ValidationError::Invalid { violations, .. } = &error else {
            panic!("{body}: {error}")
        };
        assert!(
            violations.iter().any(|v| v.instance == pointer),
            "{body}: {error}"
        );
    }
    for not_json in ["", "{", "{\"host_id\": \"N1\",}", "\u{feff}{}"] {
        assert!(
            matches!(
                validate::view::<ScaleComponentCommand>(not_json.as_bytes()),
                Err(ValidationError::NotJson(_))
            ),
            "{not_json:?}"
        );
    }
}
