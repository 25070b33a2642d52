//! Hostile payloads: deeply nested JSON, bodies beyond NATS' 1 MiB default, invalid UTF-8 and
//! numbers out of range go through every decoder and validator of both specs (typed decode from
//! bytes and from JSON values, validation by message and by subject, the event enum's tag-first
//! decoder); each returns an error, and nothing panics. The CLI's share is in its own tests.

use serde_json::{json, Value};
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::runtime::validate::{self, Side, ValidationError};
use wasmcloud_protocol::runtime::{Message, MessageInfo, SubjectPrefix, MAX_PAYLOAD_BYTES};
use wasmcloud_protocol::{validate_subject, SPECS};

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

fn messages() -> impl Iterator<Item = &'static MessageInfo> {
    SPECS.iter().flat_map(|s| s.messages.iter())
}

/// One concrete subject per channel of both specs.
fn subjects() -> Vec<String> {
    let candidates = ["default", HOST, "x"];
    let mut out = Vec::new();
    for spec in SPECS {
        for channel in spec.channels {
            let n = channel.params.len();
            let found = (0..candidates.len().pow(n as u32)).find_map(|mut pick| {
                let values: Vec<(&str, &str)> = channel
                    .param_names()
                    .map(|p| {
                        let v = candidates[pick % candidates.len()];
                        pick /= candidates.len();
                        (p, v)
                    })
                    .collect();
                channel.render(&values, &SubjectPrefix::new()).ok()
            });
            out.push(found.unwrap_or_else(|| panic!("no subject for {}", channel.name)));
        }
    }
    out
}

/// Every decoder and validator on `body`: how many accepted it.
#[derive(Debug, Default)]
struct Tally {
    typed_from_bytes: usize,
    typed_from_value: usize,
    validated: usize,
    validated_by_subject: usize,
    event_enum: bool,
}

fn run_everything(body: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let value: Option<Value> = serde_json::from_slice(body).ok();
    for m in messages().filter(|m| m.has_payload) {
        tally.typed_from_bytes += usize::from((m.try_decode)(body).is_ok());
        if let Some(v) = &value {
            tally.typed_from_value += usize::from((m.normalize)(v).is_ok());
        }
        tally.validated += usize::from(validate::validate_bytes(m, body).is_ok());
    }
    for subject in subjects() {
        for side in [Side::Request, Side::Reply] {
            let result = validate_subject(&subject, &SubjectPrefix::new(), side, body);
            tally.validated_by_subject += usize::from(result.is_ok_and(|(m, _)| m.has_payload));
        }
    }
    tally.event_enum = LatticeEvent::from_slice(body).is_ok();
    tally
}

#[track_caller]
fn nothing_accepts(what: &str, body: &[u8]) {
    let t = run_everything(body);
    assert_eq!(t.typed_from_bytes, 0, "{what}: {t:?}");
    assert_eq!(t.typed_from_value, 0, "{what}: {t:?}");
    assert_eq!(t.validated, 0, "{what}: {t:?}");
    assert_eq!(t.validated_by_subject, 0, "{what}: {t:?}");
    assert!(!t.event_enum, "{what}: {t:?}");
}

fn heartbeat() -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/events/host_heartbeat.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn deeply_nested_json_is_refused_by_every_decoder() {
    nothing_accepts("arrays 100,000 deep", nested(100_000).as_bytes());
    let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    nothing_accepts("objects 10,000 deep", objects.as_bytes());
    // Unclosed, so the parser only meets the end after descending all the way.
    nothing_accepts("unclosed", "[".repeat(1_000_000).as_bytes());
}

#[test]
fn nesting_the_parser_allows_is_handled_where_extra_fields_are_allowed() {
    // As deep as serde_json goes (128 levels, the envelope takes 2), in a field the event's schema
    // and type both ignore: accepted, and the validator walks it on a test thread's stack.
    let mut event = heartbeat();
    event["data"]["x_deep"] = serde_json::from_str(&nested(120)).unwrap();
    let body = serde_json::to_vec(&event).unwrap();
    let subject = "wasmbus.evt.default.host_heartbeat";
    validate_subject(subject, &SubjectPrefix::new(), Side::Request, &body)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(LatticeEvent::from_slice(&body).is_ok());
    // Deeper than the parser allows: the validators refuse it. The typed decoder skips fields it
    // does not know without recursing (serde_json's skipping keeps its own stack), so even
    // 400,000 levels there cost it only memory in proportion, and never the stack.
    event["data"]["x_deep"] = json!("placeholder");
    let text = serde_json::to_string(&event)
        .unwrap()
        .replace("\"placeholder\"", &nested(400_000));
    let e = validate_subject(
        subject,
        &SubjectPrefix::new(),
        Side::Request,
        text.as_bytes(),
    )
    .unwrap_err();
    assert!(matches!(e, ValidationError::NotJson(_)), "{e}");
    assert!(LatticeEvent::from_slice(text.as_bytes()).is_ok());
    // Where the type does look (a known field), depth is refused.
    let text = serde_json::to_string(&heartbeat()).unwrap().replacen(
        "\"labels\":{",
        &format!("\"labels\":{{\"a\":{},", nested(200)),
        1,
    );
    assert!(LatticeEvent::from_slice(text.as_bytes()).is_err());
}

#[test]
fn bodies_beyond_one_mebibyte_are_refused_by_the_validators() {
    // A heartbeat that is valid in every respect but its size.
    let mut event = heartbeat();
    event["data"]["labels"]["big"] = json!("x".repeat(MAX_PAYLOAD_BYTES));
    let body = serde_json::to_vec(&event).unwrap();
    assert!(body.len() > MAX_PAYLOAD_BYTES);
    let e = validate_subject(
        "wasmbus.evt.default.host_heartbeat",
        &SubjectPrefix::new(),
        Side::Request,
        &body,
    )
    .unwrap_err();
    assert!(
        matches!(e, ValidationError::TooLarge { size, limit } if size == body.len() && limit == MAX_PAYLOAD_BYTES),
        "{e}"
    );
    let t = run_everything(&body);
    assert_eq!(t.validated, 0, "{t:?}");
    assert_eq!(t.validated_by_subject, 0, "{t:?}");
    // The typed decoders take what NATS delivers (the server enforces its own limit): this one
    // decodes, linearly, without trouble.
    assert!(t.event_enum);

    // Just under the limit is judged on its content.
    let mut event = heartbeat();
    let room = MAX_PAYLOAD_BYTES - serde_json::to_vec(&event).unwrap().len() - 32;
    event["data"]["labels"]["big"] = json!("x".repeat(room));
    let body = serde_json::to_vec(&event).unwrap();
    assert!(body.len() <= MAX_PAYLOAD_BYTES);
    validate_subject(
        "wasmbus.evt.default.host_heartbeat",
        &SubjectPrefix::new(),
        Side::Request,
        &body,
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn invalid_utf8_is_refused_by_every_decoder() {
    let cases: &[&[u8]] = &[
        b"{\"a\": \"\xff\"}",
        b"{\"\xc3\": 1}",
        b"{\"a\": \"\xe2\x82\"}",
        b"{\"a\": \"\xc0\xaf\"}",
        b"{\"a\": \"\xed\xa0\x80\"}",
        br#"{"a": "\ud800"}"#,
        b"\xef\xbb\xbf{}",
        b"{\"a\": \"x\x00y\"}",
        b"\x00",
        b"",
    ];
    for body in cases {
        nothing_accepts(&String::from_utf8_lossy(body), body);
    }
    // In real messages, where everything else is right.
    let mut event = heartbeat();
    event["data"]["friendly_name"] = json!("PLACEHOLDER");
    let text = serde_json::to_vec(&event).unwrap();
    let at = text.windows(11).position(|w| w == b"PLACEHOLDER").unwrap();
    let mut body = text.clone();
    body.splice(at..at + 11, *b"bad\xff\xfeutf8");
    nothing_accepts("a heartbeat with invalid UTF-8", &body);
}

#[test]
fn numbers_out_of_range_are_refused() {
    // Numbers JSON allows but no Rust number holds: the parser refuses them.
    for number in ["1e400", "-1e400", "1e999999999999", &"9".repeat(400)] {
        let body = format!(r#"{{"count": {number}}}"#);
        nothing_accepts(number, body.as_bytes());
    }
    for literal in ["NaN", "Infinity", "-Infinity", "0x10", "+1", "01", "1."] {
        nothing_accepts(literal, format!("{{\"count\": {literal}}}").as_bytes());
    }

    // Numbers JSON holds but the field's type does not: the schema says so, and so does the
    // typed decoder.
    let scale = |count: &str| {
        format!(
            r#"{{"component_ref": "ghcr.io/x/y:1", "component_id": "y", "host_id": "{HOST}", "count": {count}}}"#
        )
    };
    let subject = format!("wasmbus.ctl.v1.default.component.scale.{HOST}");
    let message = wasmcloud_protocol::control_interface::messages::ScaleComponentCommand::INFO;
    assert!(validate::validate_bytes(&message, scale("5").as_bytes()).is_ok());
    for count in [
        "-1",
        "4294967296",
        "18446744073709551616",
        "-9223372036854775809",
        "1.5",
        "1e10",
    ] {
        let body = scale(count);
        let e = validate_subject(
            &subject,
            &SubjectPrefix::new(),
            Side::Request,
            body.as_bytes(),
        )
        .unwrap_err();
        assert!(
            matches!(&e, ValidationError::Invalid { violations, .. } if violations.iter().any(|v| v.instance == "/count")),
            "count {count}: {e}"
        );
        assert!(
            (message.try_decode)(body.as_bytes()).is_err(),
            "count {count}"
        );
        assert!(
            validate::decode::<
                wasmcloud_protocol::control_interface::messages::ScaleComponentCommand,
            >(body.as_bytes())
            .is_err(),
            "count {count}"
        );
    }
}
