//! The properties the fuzz targets check (`crates/wasmcloud-protocol/fuzz`), shared with the
//! property tests of the normal suite (`tests/it/properties.rs`): the same code runs under libFuzzer
//! and under proptest. Each function takes raw bytes, must not panic on any of them, and asserts
//! what must hold of what it accepts.
//!
//! This file is compiled into the fuzz targets by path, so it uses only `wasmcloud_protocol` (with
//! `validate`) and `serde_json`.

use serde_json::Value;
use wasmcloud_protocol::runtime::validate::{self, Side, ValidationError};
use wasmcloud_protocol::runtime::view::ViewInfo;
use wasmcloud_protocol::runtime::{MessageInfo, SubjectPrefix};
use wasmcloud_protocol::{lattice_events as evt, validate_subject, SPECS};

/// The subject prefixes every input is tried with: the default, a replaced root, and a root with
/// an account token in front.
pub fn prefixes() -> Vec<SubjectPrefix> {
    let custom = SubjectPrefix::new()
        .with_root("acme.ctl")
        .expect("a valid root");
    let account = custom
        .clone()
        .with_account("ACCT")
        .expect("a valid account");
    vec![SubjectPrefix::new(), custom, account]
}

/// Fuzz input as a subject (the first line) and a body (the rest).
pub fn split(data: &[u8]) -> (String, &[u8]) {
    let end = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let subject = String::from_utf8_lossy(&data[..end]).into_owned();
    (subject, data.get(end + 1..).unwrap_or_default())
}

fn messages() -> impl Iterator<Item = &'static MessageInfo> {
    SPECS.iter().flat_map(|s| s.messages.iter())
}

/// The router: any string is routed or refused; a routed subject renders back to itself, and its
/// channel parses it to the same values.
pub fn router(data: &[u8]) {
    let subject = String::from_utf8_lossy(data);
    for prefix in prefixes() {
        let routed: Vec<_> = SPECS
            .iter()
            .filter_map(|s| s.route(&subject, &prefix).ok())
            .collect();
        for (channel, values) in &routed {
            let again = channel
                .render(values, &prefix)
                .unwrap_or_else(|e| panic!("{subject:?} routed to {} but: {e}", channel.name));
            assert_eq!(again, subject, "routed to {}", channel.name);
            assert_eq!(channel.parse(&subject, &prefix).as_ref(), Ok(values));
        }
    }
}

/// Validation by subject: a payload it accepts decodes into the message's Rust type, from the
/// bytes and from the JSON; a payload it refuses gets violations that point into the payload.
pub fn validate_by_subject(data: &[u8]) {
    let (subject, body) = split(data);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    for prefix in prefixes() {
        for side in [Side::Request, Side::Reply] {
            match validate_subject(&subject, &prefix, side, body) {
                Ok((message, value)) if message.has_payload => {
                    if let Err(e) = (message.try_decode)(body) {
                        panic!(
                            "{}/{} validated but does not decode: {e}",
                            message.spec, message.name
                        );
                    }
                    if let Err(e) = (message.normalize)(&value) {
                        panic!(
                            "{}/{} validated but does not decode: {e}",
                            message.spec, message.name
                        );
                    }
                }
                Ok(_) => {}
                Err(ValidationError::Invalid { violations, .. }) => {
                    assert!(!violations.is_empty());
                    let value = parsed
                        .as_ref()
                        .expect("only JSON is checked against schemas");
                    for v in &violations {
                        assert!(
                            value.pointer(&v.instance).is_some(),
                            "violation at {:?}, which is not in the payload",
                            v.instance
                        );
                    }
                }
                Err(_) => {}
            }
        }
    }
}

/// Typed decoding: whatever decodes into a message's type decodes the same from its JSON value and
/// encodes to JSON that decodes to the same again; the event enum's tag-first decoder agrees with
/// decoding the JSON value.
pub fn typed_decode(data: &[u8]) {
    let parsed: Option<Value> = serde_json::from_slice(data).ok();
    for message in messages().filter(|m| m.has_payload) {
        if (message.try_decode)(data).is_err() {
            continue;
        }
        // Skipped unknown fields may nest deeper than a JSON value may.
        let Some(value) = &parsed else { continue };
        let once = (message.normalize)(value).unwrap_or_else(|e| {
            panic!(
                "{}/{} decodes from bytes, not from JSON: {e}",
                message.spec, message.name
            )
        });
        let twice = (message.normalize)(&once).unwrap_or_else(|e| {
            panic!(
                "{}/{} does not decode its own encoding: {e}",
                message.spec, message.name
            )
        });
        assert_eq!(
            once, twice,
            "{}/{} is not stable",
            message.spec, message.name
        );
    }
    if let Ok(event) = evt::messages::LatticeEvent::from_slice(data) {
        let encoded = serde_json::to_vec(&event).expect("an event encodes");
        let again =
            evt::messages::LatticeEvent::from_slice(&encoded).expect("its encoding decodes");
        assert_eq!(again, event);
        if let Some(value) = &parsed {
            let from_value = evt::messages::LatticeEvent::from_value(value.clone())
                .expect("what decodes from bytes decodes from the JSON value");
            assert_eq!(from_value, event);
        }
    }
}

/// Validation's fast path against the reference validator, for every message: the fast path
/// vouches for a body exactly when the reference validator finds it valid, and, decoding into the
/// message's Rust type, exactly when it is valid and the type takes it too. (Its only possible
/// error is a doubt, which costs time: a payload it turns away goes to the reference validator.)
pub fn fast_path_agrees(data: &[u8]) {
    for message in messages().filter(|m| m.has_payload) {
        let reference = validate::validate_bytes_reference(message, data);
        let fast = validate::fast_path_accepts(message, data);
        assert_eq!(
            fast,
            reference.is_ok(),
            "{}/{}: the fast path says {}, the reference validator {:?}",
            message.spec,
            message.name,
            if fast { "valid" } else { "not sure" },
            reference.as_ref().map(drop)
        );
        // Checking without decoding gives the same verdict.
        assert_eq!(
            validate::check_bytes(message, data).is_ok(),
            reference.is_ok(),
            "{}/{}: checking the bytes without decoding disagrees",
            message.spec,
            message.name,
        );
        let typed = reference.is_ok() && (message.try_decode)(data).is_ok();
        let fast_typed = (message.fast_decodes)(message, data);
        assert_eq!(
            fast_typed,
            typed,
            "{}/{}: the typed fast path says {}, while valid and decoding is {typed}",
            message.spec,
            message.name,
            if fast_typed { "valid" } else { "not sure" },
        );
    }
    views_agree(data);
}

/// Views (the `views` module of each spec) against the reference validator and the payload
/// types: a view reads a body exactly when it is valid and its payload type decodes it, its
/// strict read alone (the fast path) exactly then too, and what it reads is what the payload
/// type decodes: encoded as JSON, it decodes to the same payload. An invalid body gets the
/// reference validator's report.
pub fn views_agree(data: &[u8]) {
    views_agree_in(wasmcloud_protocol::control_interface::views::ALL, data);
    views_agree_in(wasmcloud_protocol::lattice_events::views::ALL, data);
    event_views_agree(data);
}

/// The view of the enum over lattice events, and the validated decodes of the enum (by the
/// message's info, and by its tag as the validated stream decodes), against the reference
/// validator and the typed decode. Where the body's `type` names an event: the view reads it, and
/// the validated decodes take it, exactly when that event's schema holds and `LatticeEvent`
/// decodes it, and all give what the typed decode gives; an invalid body gets the reference
/// validator's report. A `type` no event has: what the view keeps as text is what the typed decode
/// and the validated one keep as a value. No string `type`: none reads it.
pub fn event_views_agree(data: &[u8]) {
    use evt::messages::LatticeEvent;
    use evt::views::LatticeEvent as View;
    let read = View::read(data);
    let typed = LatticeEvent::from_slice(data);
    let by_tag = LatticeEvent::from_slice_validated(data);
    // Found as the typed decode finds it (nesting it skips is no limit); a tag met twice names
    // no event.
    let tag = wasmcloud_protocol::runtime::tag_of(data, LatticeEvent::TAG)
        .ok()
        .flatten();
    let Some(tag) = tag.as_deref() else {
        assert!(
            read.is_err(),
            "a view of a body with no string tag: {read:?}"
        );
        assert!(
            typed.is_err(),
            "a typed event with no string tag: {typed:?}"
        );
        assert!(
            by_tag.is_err(),
            "a validated event with no string tag: {by_tag:?}"
        );
        return;
    };
    let Some(info) = LatticeEvent::message_for_tag(tag) else {
        if let Ok(View::Unknown(raw)) = &read {
            let kept: Value = serde_json::from_str(raw.get()).expect("a raw view is JSON");
            assert!(
                matches!(&typed, Ok(LatticeEvent::Unknown(value)) if *value == kept),
                "an unknown event the view keeps as {kept} decodes as {typed:?}"
            );
            assert!(
                matches!(&by_tag, Ok(LatticeEvent::Unknown(value)) if *value == kept),
                "an unknown event the view keeps as {kept} is validated as {by_tag:?}"
            );
        } else {
            assert!(
                read.is_err(),
                "an unknown tag read as a known event: {read:?}"
            );
            assert!(
                by_tag.is_err(),
                "an unknown event the view refuses is validated as {by_tag:?}"
            );
        }
        return;
    };
    let reference = validate::validate_bytes_reference(&info, data);
    let expected = reference.is_ok() && typed.is_ok();
    assert_eq!(
        read.is_ok(),
        expected,
        "{}: the event view reads {read:?}, while valid and decoding is {expected} ({:?})",
        info.name,
        reference.as_ref().map(drop),
    );
    let validated = validate::decode_as::<LatticeEvent>(&info, data);
    assert_eq!(
        validated.is_ok(),
        expected,
        "{}: the validated decode says {validated:?}, while valid and decoding is {expected}",
        info.name,
    );
    assert_eq!(
        by_tag.is_ok(),
        expected,
        "{}: the validated decode by tag says {by_tag:?}, while valid and decoding is {expected}",
        info.name,
    );
    match (&by_tag, &reference) {
        (Ok(decoded), Ok(_)) => assert_eq!(
            Some(decoded),
            typed.as_ref().ok(),
            "{}: the validated decode by tag",
            info.name
        ),
        // Once the tag is found in place, the message it names judges the body: an invalid
        // one gets the reference validator's report, whatever else is wrong with it.
        (
            refused,
            Err(ValidationError::Invalid {
                violations: expected,
                ..
            }),
        ) if wasmcloud_protocol::runtime::view::tag_in_place(data, LatticeEvent::TAG).is_ok() => {
            assert!(
                matches!(refused, Err(ValidationError::Invalid { violations, .. }) if violations == expected),
                "{}: by tag, {refused:?} where the reference reports {expected:?}",
                info.name
            );
        }
        _ => {}
    }
    match (read, reference) {
        (Ok(view), Ok(_)) => {
            let typed = typed.expect("checked above");
            let value = serde_json::to_value(&view).expect("a view encodes");
            let from_view = LatticeEvent::from_value(value).expect("a view's JSON decodes");
            assert_eq!(
                from_view, typed,
                "{}: the view read other than the typed decode",
                info.name
            );
            assert_eq!(validated.expect("checked above"), typed, "{}", info.name);
        }
        (
            Err(ValidationError::Invalid { violations, .. }),
            Err(ValidationError::Invalid {
                violations: expected,
                ..
            }),
        ) => assert_eq!(violations, expected, "{}", info.name),
        _ => {}
    }
}

/// [`views_agree`] for the views of any generated module.
pub fn views_agree_in(views: &[ViewInfo], data: &[u8]) {
    for view in views {
        let message = &view.message;
        let reference = validate::validate_bytes_reference(message, data);
        let decodes = reference.is_ok() && (message.try_decode)(data).is_ok();
        let read = (view.to_value)(data);
        assert_eq!(
            read.is_ok(),
            decodes,
            "{}/{}: the view reads {:?}, while valid and decoding is {decodes} ({:?})",
            message.spec,
            message.name,
            read,
            reference.as_ref().map(drop),
        );
        // A view that keeps parts of its schema unchecked vouches only for bodies without them.
        let fast = (view.fast_accepts)(data);
        assert!(
            fast == decodes || (!fast && !view.in_one_pass),
            "{}/{}: the view's strict read says {fast}, while valid and decoding is {decodes}",
            message.spec,
            message.name,
        );
        // Validated decodes build the payload from the view: from every view that hands the
        // whole body over (the payload type, generated from the same schema, takes them all;
        // only a body the strict read takes is handed over), and the same payload as the typed
        // decode of the text.
        let built = (view.payload_value)(data);
        let hands_over = (view.hands_over)(data);
        assert!(
            !hands_over || fast,
            "{}/{}: handed over, not taken",
            message.spec,
            message.name
        );
        assert_eq!(
            built.is_some(),
            hands_over,
            "{}/{}: the payload built from the view is {built:?}, while it hands over {hands_over}",
            message.spec,
            message.name,
        );
        let typed = serde_json::from_slice::<Value>(data)
            .ok()
            .and_then(|value| (message.normalize)(&value).ok());
        if let Some(built) = built {
            assert_eq!(
                Some(built),
                typed,
                "{}/{}: the payload built from the view is other than the typed decode",
                message.spec,
                message.name,
            );
        }
        // The validated decode, through the view or from the text: what is valid and decodes,
        // to the typed decode's payload.
        let decoded = (view.decoded_value)(data);
        assert_eq!(
            decoded.is_ok(),
            decodes,
            "{}/{}: the validated decode gives {decoded:?}, while valid and decoding is {decodes}",
            message.spec,
            message.name,
        );
        if let Ok(decoded) = decoded {
            assert_eq!(
                Some(decoded),
                typed,
                "{}/{}: the validated decode is other than the typed decode",
                message.spec,
                message.name,
            );
        }
        match (read, reference) {
            // A view holds the payload type's fields. A key none of them takes (which a payload
            // type that gathers other keys keeps) and an integer past 2^53 (which it holds as a
            // double, where an `f32` rounds the text once) are what it does not hand over: the
            // validated decode reads such a body from its text, held to the typed decode above.
            (Ok(_), Ok(_)) if fast && !hands_over => {}
            (Ok(read), Ok(value)) => {
                let from_view = (message.normalize)(&read).unwrap_or_else(|e| {
                    panic!(
                        "{}/{}: a view's JSON does not decode: {e}",
                        message.spec, message.name
                    )
                });
                let from_body = (message.normalize)(&value).expect("the body decodes");
                assert_eq!(
                    from_view, from_body,
                    "{}/{}: the view read other than the payload type",
                    message.spec, message.name
                );
            }
            (
                Err(ValidationError::Invalid { violations, .. }),
                Err(ValidationError::Invalid {
                    violations: expected,
                    ..
                }),
            ) => {
                assert_eq!(violations, expected, "{}/{}", message.spec, message.name);
            }
            _ => {}
        }
    }
}
