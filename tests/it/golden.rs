//! Golden lattice events modelled on real host output (`golden/events/`, from wadm's captured
//! fixture, wasmCloud PR #1090 and the host's event code) decode into the typed events, and the
//! docs page's invalid timestamps are refused.

use std::path::{Path, PathBuf};

use serde_json::Value;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::lattice_events::types;
use workspace_tests::same_meaning;

fn goldens() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/events");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_golden_event_decodes_as_the_event_its_name_says() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, path) in goldens() {
        let json = load(&path);
        let event = LatticeEvent::from_value(json.clone())
            .unwrap_or_else(|e| panic!("{name}: does not decode: {e}"));
        let kind = name.split('-').next().unwrap();
        let expected = format!("com.wasmcloud.lattice.{kind}");
        assert_eq!(event.tag(), Some(expected.as_str()), "{name}");
        assert!(
            !matches!(event, LatticeEvent::Unknown(_)),
            "{name} decoded as unknown"
        );
        // As the file has it (the order a host writes, `type` before `data`), and with the keys
        // sorted as a JSON value writes them (`data` first, where the tag is found by a scan).
        let bytes = serde_json::to_vec(&json).unwrap();
        assert!(wasmcloud_protocol::runtime::tag_after_nested(&bytes, "type").is_some());
        for bytes in [std::fs::read(&path).unwrap(), bytes] {
            assert_eq!(
                LatticeEvent::from_slice(&bytes).unwrap(),
                event,
                "{name}: from_slice agrees"
            );
            assert_eq!(
                LatticeEvent::from_slice_validated(&bytes).unwrap(),
                event,
                "{name}: from_slice_validated agrees"
            );
        }
        let again = serde_json::to_value(&event).unwrap();
        assert!(
            same_meaning(&json, &again),
            "{name} changed:\n{json}\n{again}"
        );
        seen.insert(expected);
    }
    let all: std::collections::BTreeSet<String> = LatticeEvent::TAGS
        .iter()
        .map(|(t, _)| t.to_string())
        .collect();
    assert_eq!(seen, all, "one golden file per event type at least");
    assert_eq!(all.len(), 17, "a 1.x host emits 17 event types");
}

fn golden(name: &str) -> LatticeEvent {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("golden/events/{name}.json"));
    LatticeEvent::from_value(load(&path)).unwrap()
}

#[test]
fn typed_fields_hold_what_hosts_send() {
    let LatticeEvent::HostHeartbeat(hb) = golden("host_heartbeat") else {
        panic!()
    };
    assert_eq!(hb.data.components.len(), 3);
    assert_eq!(
        hb.data.components[0].limits, None,
        "hosts send limits: null"
    );
    let limits = hb.data.components[1].limits.as_ref().unwrap();
    assert_eq!(limits["max_memory_limit"], "67108864");
    assert_eq!(
        hb.data.components[2].max_instances,
        u32::MAX,
        "wash's default count"
    );
    assert_eq!(
        hb.data.providers[1].image_ref.as_deref(),
        Some("ghcr.io/wasmcloud/keyvalue-redis:0.27.0")
    );
    assert_eq!(hb.data.version, "1.9.2");
    assert!(hb.source.starts_with('N') && hb.source.len() == 56);

    let LatticeEvent::ComponentScaled(signed) = golden("component_scaled-signed") else {
        panic!()
    };
    let claims = signed.data.claims.unwrap();
    assert_eq!(claims.revision, Some(4));
    assert_eq!(claims.call_alias, None);
    assert!(
        signed.data.public_key.unwrap().starts_with('M'),
        "the component's key, not the host's"
    );
    assert_eq!(
        signed.id.to_string(),
        "018d32ce-6133-2f9d-0b69-1437b25cf59c"
    );

    let LatticeEvent::ComponentScaled(unsigned) = golden("component_scaled-empty-host-id") else {
        panic!()
    };
    assert_eq!(
        unsigned.data.host_id, "",
        "host_id comes from the request body and may be empty"
    );

    let LatticeEvent::ProviderStartFailed(old) = golden("provider_start_failed-pre-1.6") else {
        panic!()
    };
    assert_eq!(old.data.host_id, None, "host_id only since 1.6.0");
    assert_eq!(old.data.provider_ref, "wasmcloud.azurecr.io/httpserver");

    let LatticeEvent::LinkdefDeleted(missing) = golden("linkdef_deleted-missing-link") else {
        panic!()
    };
    assert_eq!((missing.data.target, missing.data.interfaces), (None, None));

    let LatticeEvent::HostStarted(started) = golden("host_started") else {
        panic!()
    };
    assert_eq!(started.data.uptime_seconds, 0);
    assert_eq!(
        started.source,
        "NBG37K5KJUZ3SRRCOTFG3IOIRA77FFG3HINLDD66HXCECGEHJ4VWB7RB"
    );

    let LatticeEvent::ProviderStarted(p) = golden("provider_started") else {
        panic!()
    };
    assert_eq!(
        p.data.claims.unwrap().tags,
        None,
        "provider claims tags are always null"
    );
    assert_eq!(p.data.link_name.as_deref(), Some("default"));
}

#[test]
fn unknown_event_types_are_kept_and_malformed_known_ones_are_errors() {
    let mut json = load(&goldens()[0].1);
    json["type"] = "com.wasmcloud.lattice.something_new".into();
    let event = LatticeEvent::from_value(json.clone()).unwrap();
    assert!(matches!(&event, LatticeEvent::Unknown(v) if *v == json));
    assert_eq!(event.tag(), Some("com.wasmcloud.lattice.something_new"));
    assert_eq!(event.message(), None);

    let mut broken =
        load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/events/config_set.json"));
    broken["data"] = serde_json::json!({"name": "no config_name"});
    assert!(LatticeEvent::from_value(broken).is_err());
    let bytes = serde_json::to_vec(&json).unwrap();
    assert!(
        matches!(LatticeEvent::from_slice(&bytes).unwrap(), LatticeEvent::Unknown(v) if v == json)
    );
    let mut untagged = json;
    untagged.as_object_mut().unwrap().remove("type");
    let err = LatticeEvent::from_value(untagged.clone()).unwrap_err();
    assert!(err.to_string().contains("`type`"), "{err}");
    let err = LatticeEvent::from_slice(&serde_json::to_vec(&untagged).unwrap()).unwrap_err();
    assert!(err.to_string().contains("`type`"), "{err}");
}

#[test]
fn the_validated_decode_reports_every_violation_and_keeps_unknown_events() {
    use wasmcloud_protocol::lattice_events::messages::ConfigSet;
    use wasmcloud_protocol::runtime::validate::{self, ValidationError};

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/events");
    // Two violations in one event, its keys sorted (`data` before `type`): both reported, as
    // decoding it as the message its tag names reports them.
    let mut broken = load(&dir.join("config_set.json"));
    broken["data"] = serde_json::json!({"name": "no config_name"});
    broken["time"] = "yesterday".into();
    let bytes = serde_json::to_vec(&broken).unwrap();
    let Err(ValidationError::Invalid {
        message,
        violations,
        ..
    }) = LatticeEvent::from_slice_validated(&bytes)
    else {
        panic!("a broken config_set is refused as invalid");
    };
    assert_eq!(message, "ConfigSet");
    let pointers: Vec<&str> = violations.iter().map(|v| v.instance.as_str()).collect();
    assert!(pointers.contains(&"/data"), "{pointers:?}");
    assert!(pointers.contains(&"/time"), "{pointers:?}");
    let Err(ValidationError::Invalid {
        violations: by_message,
        ..
    }) = validate::decode::<ConfigSet>(&bytes)
    else {
        panic!("decode refuses it too");
    };
    assert_eq!(violations, by_message);

    // A type no event has: any JSON object, kept whole.
    let mut unknown = load(&dir.join("host_stopped.json"));
    unknown["type"] = "com.wasmcloud.lattice.something_new".into();
    let decoded = LatticeEvent::from_slice_validated(&serde_json::to_vec(&unknown).unwrap());
    assert!(
        matches!(&decoded, Ok(LatticeEvent::Unknown(v)) if *v == unknown),
        "{decoded:?}"
    );

    // No type, a type that is not a string, not JSON: refused, saying which.
    let mut untagged = unknown.clone();
    untagged.as_object_mut().unwrap().remove("type");
    let mut numbered = unknown;
    numbered["type"] = 7.into();
    for body in [untagged, numbered] {
        let error = LatticeEvent::from_slice_validated(&serde_json::to_vec(&body).unwrap())
            .expect_err("no event without a string type");
        assert!(
            matches!(&error, ValidationError::NoMessage { reason, .. } if reason.contains("`type`")),
            "{error:?}"
        );
    }
    let error =
        LatticeEvent::from_slice_validated(br#"{"type": "com.wasmcloud.lattice.host_stopped","#)
            .expect_err("not JSON");
    assert!(matches!(error, ValidationError::NotJson(_)), "{error:?}");
    // Larger than NATS carries by default, known type or not.
    let limit = wasmcloud_protocol::runtime::MAX_PAYLOAD_BYTES;
    for tag in ["host_stopped", "something_new"] {
        let padded = format!(
            r#"{{"type":"com.wasmcloud.lattice.{tag}","pad":"{}"}}"#,
            "x".repeat(limit)
        );
        let error = LatticeEvent::from_slice_validated(padded.as_bytes()).expect_err("too large");
        assert!(
            matches!(error, ValidationError::TooLarge { size, .. } if size == padded.len()),
            "{error:?}"
        );
    }
}

#[test]
fn the_docs_pages_invalid_timestamps_are_refused() {
    let examples = workspace_tests::docs_event_examples();
    assert_eq!(examples.len(), 16, "one example per documented event");
    let mut refused = 0;
    for example in examples.values() {
        let time = example["time"].as_str().unwrap();
        let invalid = time.ends_with("+00:00Z") || time.contains(":88.");
        let parsed =
            serde_json::from_value::<types::CloudEventEnvelopeTime>(example["time"].clone());
        assert_eq!(parsed.is_err(), invalid, "{time}");
        if invalid {
            refused += 1;
            assert!(
                LatticeEvent::from_value(example.clone()).is_err(),
                "an event with time {time} must not decode"
            );
        }
    }
    assert_eq!(
        refused, 10,
        "nine `+00:00Z` examples and one with second 88"
    );
}
