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
            owned.data.labels.get(&*key).map(String::as_str),
            Some(&*value)
        );
        assert!(matches!(value, Cow::Borrowed(_)), "read in place");
        assert_eq!(labels.get(&key), Some(value));
    }
    assert_eq!(labels.keys().count(), labels.len());
    assert_eq!(labels.get("no such label"), None);
    assert_eq!(view.data.uptime_seconds, Some(owned.data.uptime_seconds));
}

#[test]
fn whitespace_of_every_style_reads_as_compact_text_does() {
    use wasmcloud_protocol::lattice_events::views::LatticeEvent;
    let compact =
        serde_json::to_string(&serde_json::from_str::<Value>(&golden("host_heartbeat")).unwrap())
            .unwrap();
    let read =
        |body: &str| LatticeEvent::read(body.as_bytes()).map(|v| serde_json::to_value(v).unwrap());
    let expected = read(&compact).unwrap();
    // Outside strings, each `:` or `,` written another way: pretty printers put one space after a
    // colon, Python's `json` after a comma too, others more, or other blanks, or some before.
    for (colon, comma) in [
        (": ", ","),
        (": ", ", "),
        (":  ", ",\n  "),
        (":\t", ",\r\n"),
        (" :\n ", " ,"),
        (" : ", "\n,\n"),
    ] {
        let mut body = String::new();
        let mut in_string = false;
        let mut escaped = false;
        for c in compact.chars() {
            match c {
                _ if in_string => {
                    in_string = c != '"' || escaped;
                    escaped = c == '\\' && !escaped;
                    body.push(c);
                }
                '"' => {
                    in_string = true;
                    body.push(c);
                }
                ':' => body.push_str(colon),
                ',' => body.push_str(comma),
                _ => body.push(c),
            }
        }
        assert_ne!(body, compact);
        assert_eq!(read(&body).as_ref().ok(), Some(&expected), "{body}");
        // A colon missing, or one too many, is still refused.
        let missing = body.replacen(colon, " ", 1);
        assert!(read(&missing).is_err(), "{missing}");
        let doubled = body.replacen(colon, &format!("{colon}:"), 1);
        assert!(read(&doubled).is_err(), "{doubled}");
    }
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

#[test]
fn what_comes_before_an_events_tag_is_judged_by_the_event_it_names() {
    use wasmcloud_protocol::lattice_events::views::LatticeEvent;
    // Keys sorted put `data` first: the tag search passes it by its brackets, and the read of the
    // event the tag names reports what is wrong in it, with its pointer.
    let stopped =
        r#"{"data":{"reason":"r","reason":"s"},"type":"com.wasmcloud.lattice.host_stopped"}"#;
    let error = LatticeEvent::read(stopped.as_bytes()).unwrap_err();
    let ValidationError::Invalid {
        message,
        violations,
        ..
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!(*message, "HostStopped");
    assert!(
        violations.iter().any(|v| v.instance == "/data/reason"),
        "{error}"
    );
    // Text that is not JSON there is not JSON.
    for data in ["{x}", "[1,]"] {
        let broken = format!(r#"{{"data":{data},"type":"com.wasmcloud.lattice.host_stopped"}}"#);
        let error = LatticeEvent::read(broken.as_bytes()).unwrap_err();
        assert!(
            matches!(error, ValidationError::NotJson(_)),
            "{broken}: {error}"
        );
    }
}

#[test]
fn a_view_that_would_not_hand_a_body_over_whole_leaves_the_validated_decode_to_the_text() {
    use workspace_tests::fixtures::fixture_views::messages::Gathered;
    use workspace_tests::fixtures::fixture_views::types::GatheredPayload;
    use workspace_tests::fixtures::fixture_views::views::ALL;
    let view = ALL.iter().find(|v| v.message.name == "Gathered").unwrap();
    // Other keys, which the payload type gathers into a map the view has no field for; an
    // integer past 2^53 for an `f32`, which the view holds as a double and the text rounds
    // once; then bodies the view hands over whole.
    let bodies = [
        (r#"{"a": "x", "b": 1, "c": [true]}"#, false),
        (r#"{"ratio": 1152921573326323713}"#, false),
        (r#"{"ratio": 9007199254740992}"#, true),
        (r#"{"a": "x", "ratio": 0.1}"#, true),
        ("{}", true),
    ];
    for (body, whole) in bodies {
        assert_eq!((view.hands_over)(body.as_bytes()), whole, "{body}");
        props::views_agree_in(ALL, body.as_bytes());
        let typed: GatheredPayload = serde_json::from_str(body).unwrap();
        assert_eq!(
            validate::decode::<Gathered>(body.as_bytes()).unwrap(),
            typed,
            "{body}"
        );
    }
    let gathered = validate::decode::<Gathered>(bodies[0].0.as_bytes()).unwrap();
    assert_eq!(
        gathered.extra.keys().collect::<Vec<_>>(),
        ["b", "c"],
        "other keys kept"
    );
    // Typed from the text, the integer is rounded once; through a double, it would be twice.
    let ratio = validate::decode::<Gathered>(bodies[1].0.as_bytes())
        .unwrap()
        .ratio
        .unwrap();
    assert_eq!(ratio, 1152921573326323713u64 as f32);
    assert_ne!(ratio, 1152921573326323713u64 as f64 as f32);
}

#[test]
fn views_read_what_payload_types_decode_where_their_types_are_narrower_than_the_schema() {
    use workspace_tests::fixtures::fixture_views::views::ALL;
    let names: Vec<(&str, bool)> = ALL
        .iter()
        .map(|v| (v.message.name, v.in_one_pass))
        .collect();
    // A schema for other keys, a string no enum value can be: views that keep those parts as
    // text, judged by the reference validator first. A value of several types is text the view
    // checks.
    assert_eq!(
        names,
        [
            ("Bounds", true),
            ("Contradiction", false),
            ("Extended", true),
            ("Gathered", true),
            ("Mixed", true),
            ("NoneMessage", true),
            ("Nullable", true),
            ("Open", false),
            ("Optional", true),
            ("OwnNames", true),
        ]
    );
    let bounds = r#"{"atLeastTwo": 2, "byte": 0, "positive": 1}"#;
    let bodies = [
        bounds.to_owned(),
        // Valid, but past the payload type's i64 (typify's type for `minimum: 2`).
        bounds.replace("\"atLeastTwo\": 2", "\"atLeastTwo\": 9223372036854775808"),
        // Valid, but below the payload type's u8 (typify's type for `maximum: 255`).
        bounds.replace("\"byte\": 0", "\"byte\": -1"),
        bounds.replace("\"byte\": 0", "\"byte\": 256"),
        bounds.replace("\"positive\": 1", "\"positive\": 0"),
        bounds.replace("}", ", \"ratio\": 0.5, \"tags\": [], \"code\": \"ab\"}"),
        bounds.replace(
            "}",
            ", \"ratio\": 1, \"tags\": [\"123456789\"], \"code\": \"a\"}",
        ),
        bounds.replace("}", ", \"tags\": [\"a\", \"b\", \"c\", \"d\"]}"),
        // Absent, `null` and given: the payload type's default tells the first two apart.
        r#"{}"#.to_owned(),
        r#"{"note": null}"#.to_owned(),
        r#"{"note": "n"}"#.to_owned(),
        r#"{"some": "x", "other": [1, {"a": -0}]}"#.to_owned(),
        r#"{"base": {"id": "a"}, "extended": {"id": "b", "extra": "c"}}"#.to_owned(),
        r#"{"extended": {"extra": 1}}"#.to_owned(),
        r#"{"id": 1}"#.to_owned(),
        r#"{"id": "one", "a": "x", "b": 2}"#.to_owned(),
        // What the views that keep text unchecked refuse by the reference validator.
        r#"{"id": true}"#.to_owned(),
        r#"{"id": [1, "a"], "id": 2}"#.to_owned(),
        r#"{"a": "x", "b": "y"}"#.to_owned(),
        r#"{"s": "abcd"}"#.to_owned(),
        r#"{"s": "abc"}"#.to_owned(),
        // Optional values as pydantic writes them: absent, `null`, given, and given wrong.
        r#"{"id": "o"}"#.to_owned(),
        r#"{"id": "o", "note": null, "base": null, "level": null, "tags": null}"#.to_owned(),
        r#"{"id": "o", "note": "abcde", "base": {"id": "b"}, "level": "low", "tags": [0, 3]}"#
            .to_owned(),
        r#"{"id": "o", "note": "abcdef"}"#.to_owned(),
        // Properties named as the decoder's own locals.
        r#"{"r": "a", "key": "b", "member": "c", "others": 1, "more": 2}"#.to_owned(),
        r#"{"member": "c", "member": "d"}"#.to_owned(),
        r#"{"id": "o", "level": "mid"}"#.to_owned(),
        r#"{"id": "o", "tags": [-1]}"#.to_owned(),
        r#"{"id": "o", "tags": [1.5]}"#.to_owned(),
        r#"{"id": "o", "base": 5}"#.to_owned(),
        r#"{"id": "o", "base": {"id": 5}}"#.to_owned(),
        r#"{"note": null}"#.to_owned(),
    ];
    for body in &bodies {
        props::views_agree_in(ALL, body.as_bytes());
    }
}

#[test]
fn nesting_and_numbers_in_keys_a_view_skips_are_judged_as_serde_json_reads_them() {
    let heartbeat = golden("host_heartbeat");
    let with = |value: &str| heartbeat.replacen('{', &format!("{{\"x\": {value}, "), 1);
    // The body's object is one level: 126 arrays inside it make the 127 serde_json reads.
    for (body, json) in [
        (
            with(&format!("{}{}", "[".repeat(126), "]".repeat(126))),
            true,
        ),
        (
            with(&format!("{}{}", "[".repeat(127), "]".repeat(127))),
            false,
        ),
        (with(&format!("1{}", "0".repeat(300))), true),
        (with(&format!("1{}", "0".repeat(400))), false),
    ] {
        let read = validate::view::<HostHeartbeat>(body.as_bytes());
        assert_eq!(read.is_ok(), json, "{:?}", read.as_ref().map(drop));
        if !json {
            assert!(matches!(read, Err(ValidationError::NotJson(_))));
        }
        props::views_agree(body.as_bytes());
    }
}

#[test]
fn parts_a_view_cannot_check_are_kept_as_text_the_reference_validator_judged() {
    use wasmcloud_protocol::runtime::view::{MessageView, OperationView};
    use workspace_tests::fixtures::fixture_recursion::{messages::Tree, views as tree};
    use workspace_tests::fixtures::fixture_views::{messages, operations, views};

    // A value of several types is its text, checked in the same pass; an integer is held to
    // the payload type's i64, as its decode holds it.
    const { assert!(<messages::Mixed as MessageView>::IN_ONE_PASS) };
    const { assert!(!<messages::Contradiction as MessageView>::IN_ONE_PASS) };
    let mixed = validate::view::<messages::Mixed>(br#"{"id": [1]}"#);
    assert!(
        matches!(&mixed, Err(ValidationError::Invalid { violations, .. }) if violations[0].instance == "/id"),
        "{mixed:?}"
    );
    let mixed = validate::view::<messages::Mixed>(br#"{"id" : 7 }"#).unwrap();
    assert_eq!(mixed.id.map(|id| id.get()), Some("7"));
    for (body, valid) in [
        (r#"{"id": -7}"#, true),
        (r#"{"id": "7"}"#, true),
        (r#"{"id": 1.0}"#, false),
        (r#"{"id": -0}"#, false),
        (r#"{"id": 9223372036854775808}"#, false),
        // With bounds: typify's NonZeroU64 and u64, which the view's text is held to.
        (r#"{"rank": 1, "natural": 0}"#, true),
        (r#"{"rank": 10, "natural": 18446744073709551615}"#, true),
        (r#"{"rank": "x", "natural": "y"}"#, true),
        (r#"{"natural": null}"#, true),
        (r#"{"rank": 0}"#, false),
        (r#"{"rank": 11}"#, false),
        (r#"{"rank": 1.0}"#, false),
        (r#"{"natural": -1}"#, false),
        (r#"{"natural": 18446744073709551616}"#, false),
    ] {
        let read = validate::view::<messages::Mixed>(body.as_bytes());
        assert_eq!(read.is_ok(), valid, "{body}: {read:?}");
        props::views_agree_in(views::ALL, body.as_bytes());
    }
    // A part no view checks is kept as text; the operation reads it so too, so the stream of
    // views has every operation.
    let read = operations::SendContradiction::read_view(br#"{"t": 1}"#).unwrap();
    assert_eq!(read.s, None);
    let read = operations::SendContradiction::read_view(br#"{"s": "abcd"}"#);
    assert!(
        matches!(&read, Err(ValidationError::Invalid { violations, .. }) if violations[0].instance == "/s"),
        "{read:?}"
    );

    // An object with a schema for its other keys: the whole body, as text.
    let body = r#"{"a": "x", "b": 2}"#;
    assert_eq!(
        validate::view::<messages::Open>(body.as_bytes())
            .unwrap()
            .0
            .get(),
        body
    );
    assert!(validate::view::<messages::Open>(br#"{"a": "x", "b": "2"}"#).is_err());
    let _: views::OpenPayload = validate::view::<messages::Open>(b"{}").unwrap();

    // A type that holds itself: read down to where it meets itself again.
    const { assert!(!<Tree as MessageView>::IN_ONE_PASS) };
    let body = r#"{"value": "root", "children": [{"value": "leaf", "children": []}], "parent": {"node": {"value": "up"}}}"#;
    let tree: tree::Node = validate::view::<Tree>(body.as_bytes()).unwrap();
    assert_eq!(tree.value, "root");
    let children = tree.children.unwrap();
    assert_eq!(children[0].get(), r#"{"value": "leaf", "children": []}"#);
    assert_eq!(
        tree.parent.unwrap().node.unwrap().get(),
        r#"{"value": "up"}"#
    );
    // Deep inside, where the view keeps text, a violation is still found.
    let deep = body.replace(r#""leaf""#, "5");
    let error = validate::view::<Tree>(deep.as_bytes()).unwrap_err();
    assert!(
        matches!(&error, ValidationError::Invalid { violations, .. } if violations[0].instance == "/children/0/value"),
        "{error}"
    );
    for body in [body, deep.as_str(), r#"{"value": "a", "value": "b"}"#] {
        props::views_agree_in(tree::ALL, body.as_bytes());
    }
}
