//! Decoding an enum over messages by a property of theirs (`type`), in one pass: the properties
//! before the tag are held as JSON values, then the message the tag names is decoded from them and
//! from the rest of the object, straight from the input. CloudEvents put `type` near the front,
//! so little is held.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde_json::Value;

/// An enum over messages told apart by the string property [`ByTag::TAG`]: implemented by the
/// generated enums, whose `Deserialize` is [`deserialize_by_tag`].
pub trait ByTag: Sized {
    /// The property that tells the messages apart.
    const TAG: &'static str;

    /// Decodes the object `map` (the whole object, the tag included) as the message `tag` names.
    fn decode<'de, M: MapAccess<'de>>(tag: &str, map: M) -> Result<Self, M::Error>;
}

/// The object `map` as a JSON value, for a tag no message has: like `Value`'s own decoding, but
/// a second tag is refused (readers differ on which of two counts).
pub fn unknown_by_tag<'de, M: MapAccess<'de>>(mut map: M, tag: &str) -> Result<Value, M::Error> {
    let mut object = serde_json::Map::new();
    while let Some(key) = map.next_key::<String>()? {
        let value: Value = map.next_value()?;
        if key == tag && object.contains_key(tag) {
            return Err(de::Error::custom(format_args!(
                "the tag {tag:?} appears more than once"
            )));
        }
        object.insert(key, value);
    }
    Ok(Value::Object(object))
}

/// The value of the top-level string property `tag` of a JSON object when an object or array comes
/// before it, as when keys are sorted (`data` before `type`), found by a scan that decodes
/// nothing: strings are passed by their quotes, nested values by their brackets.
///
/// `None` when the first member's value is not an object or array: the one pass of
/// [`deserialize_by_tag`] holds the few values before the tag at little cost then, and the scan
/// stops there, costing the common order (`type` near the front) a look at one member. `None`
/// too wherever the scan is unsure: a string with an escape before or at the tag, a tag that is
/// not a string, text that is not what it should be. The decode that follows reads the whole text and says
/// what is wrong with it.
pub fn tag_after_nested<'a>(json: &'a [u8], tag: &str) -> Option<&'a str> {
    use crate::scan::{blanks_end, nested_end, plain_run};

    let ws = |at: usize| blanks_end(json, at);
    // Where the string whose text starts at `at` ends (its closing quote), if it has no escapes.
    let string_end = |at: usize| {
        let end = at + plain_run(json.get(at..)?);
        (json.get(end) == Some(&b'"')).then_some(end)
    };
    let mut at = ws(0);
    if json.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let mut first = true;
    loop {
        at = ws(at);
        if json.get(at) != Some(&b'"') {
            return None;
        }
        let end = string_end(at + 1)?;
        let is_tag = &json[at + 1..end] == tag.as_bytes();
        at = ws(end + 1);
        if json.get(at) != Some(&b':') {
            return None;
        }
        at = ws(at + 1);
        let value = *json.get(at)?;
        if std::mem::take(&mut first) && !matches!(value, b'{' | b'[') {
            return None;
        }
        match value {
            b'"' => {
                let end = string_end(at + 1)?;
                if is_tag {
                    return std::str::from_utf8(&json[at + 1..end]).ok();
                }
                at = end + 1;
            }
            _ if is_tag => return None,
            b'{' | b'[' => at += nested_end(&json[at..])?,
            // A number, `true`, `false` or `null`: up to what follows it.
            _ => {
                at += json[at..]
                    .iter()
                    .position(|&c| matches!(c, b',' | b'}' | b' ' | b'\n' | b'\t' | b'\r'))?;
            }
        }
        at = ws(at);
        if json.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
    }
}

/// Decodes a `T` from an object, by its tag, in one pass.
pub fn deserialize_by_tag<'de, T: ByTag, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(TagVisitor(PhantomData))
}

struct TagVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: ByTag> Visitor<'de> for TagVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object with a string property `{}`", T::TAG)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut held = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            let is_tag = key == T::TAG;
            held.push((key, value));
            if is_tag {
                let Some(Value::String(tag)) = held.last().map(|(_, v)| v) else {
                    return Err(de::Error::custom(format_args!(
                        "the property `{}` is not a string",
                        T::TAG
                    )));
                };
                let tag = tag.clone();
                return T::decode(
                    &tag,
                    Chain {
                        held: held.into_iter(),
                        pending: None,
                        rest: Some(map),
                    },
                );
            }
        }
        Err(de::Error::custom(format_args!(
            "missing or non-string property `{}`",
            T::TAG
        )))
    }
}

/// The properties held, then the rest of the object.
struct Chain<A> {
    held: std::vec::IntoIter<(String, Value)>,
    pending: Option<Value>,
    rest: Option<A>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Chain<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.held.next() {
            self.pending = Some(value);
            let key: de::value::StringDeserializer<A::Error> = key.into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        match &mut self.rest {
            Some(rest) => rest.next_key_seed(seed),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match (self.pending.take(), &mut self.rest) {
            (Some(value), _) => seed.deserialize(value).map_err(de::Error::custom),
            (None, Some(rest)) => rest.next_value_seed(seed),
            (None, None) => Err(de::Error::custom("a value without its key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_after_a_nested_value_is_found_by_the_scan() {
        for (text, tag) in [
            (
                r#"{"data": {"type": "inner", "s": "}]\"{"}, "type": "t"}"#,
                Some("t"),
            ),
            (
                r#"{"a": [1, {"b": []}], "n": -1.5e3, "x": true, "type":"t", "z": 1}"#,
                Some("t"),
            ),
            ("\n{\n  \"data\" : [ ] ,\n  \"type\" :\t\"t\"\n}", Some("t")),
            (r#"{"data": {}, "type": "ünï"}"#, Some("ünï")),
            (r#"{"data": [], "id": "x", "type": "t"}"#, Some("t")),
            // Nothing nested first: the one pass holds what comes before the tag.
            (r#"{"type": "t", "data": {}}"#, None),
            (r#"{"id": "x", "n": 1, "type": "t", "data": {}}"#, None),
            (r#"{"id": "x", "data": {}, "type": "t"}"#, None),
            // What the scan is unsure of is left to the decode.
            (r#"{"data": {}, "type": "a\u0062"}"#, None),
            (r#"{"data": {}, "typ\u0065": "t"}"#, None),
            (r#"{"data": {}, "type": 1}"#, None),
            (r#"{"data": {}, "type": null}"#, None),
            (r#"{"data": {}}"#, None),
            (r#"{"data": {}, "type""#, None),
            (r#"{"data": {]]}, "type": "t"}"#, None),
            (r#"{"data": {} "type": "t"}"#, None),
            (r#"["type", "t"]"#, None),
            ("", None),
        ] {
            assert_eq!(tag_after_nested(text.as_bytes(), "type"), tag, "{text}");
        }
    }
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Started {
        id: u32,
        #[serde(rename = "type")]
        kind: String,
        data: Vec<u8>,
    }

    #[derive(Debug, PartialEq)]
    enum Event {
        Started(Started),
        Unknown(Value),
    }

    impl ByTag for Event {
        const TAG: &'static str = "type";

        fn decode<'de, M: MapAccess<'de>>(tag: &str, map: M) -> Result<Self, M::Error> {
            match tag {
                "started" => Started::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Self::Started),
                _ => unknown_by_tag(map, Self::TAG).map(Self::Unknown),
            }
        }
    }

    impl<'de> Deserialize<'de> for Event {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize_by_tag(d)
        }
    }

    #[test]
    fn the_tag_anywhere_decodes_the_message_it_names() {
        for text in [
            r#"{"type": "started", "id": 1, "data": [1, 2]}"#,
            r#"{"id": 1, "type": "started", "data": [1, 2]}"#,
            r#"{"id": 1, "data": [1, 2], "type": "started"}"#,
        ] {
            let event: Event = serde_json::from_str(text).unwrap();
            let expected = Started {
                id: 1,
                kind: "started".into(),
                data: vec![1, 2],
            };
            assert_eq!(event, Event::Started(expected), "{text}");
        }
        let other: Event =
            serde_json::from_str(r#"{"id": 1, "type": "stopped", "x": {}}"#).unwrap();
        assert_eq!(
            other,
            Event::Unknown(serde_json::json!({"id": 1, "type": "stopped", "x": {}}))
        );
    }

    #[test]
    fn a_missing_repeated_or_odd_tag_and_a_broken_message_are_errors() {
        for text in [
            r#"{"id": 1, "data": []}"#,
            r#"{"type": 5, "id": 1, "data": []}"#,
            r#"{"type": "started", "id": 1, "data": [], "type": "started"}"#,
            r#"{"type": "stopped", "id": 1, "type": "stopped"}"#,
            r#"{"type": "started", "id": "one", "data": []}"#,
            r#"{"type": "started", "id": 1, "data": [], "extra": 1}"#,
            r#"[1]"#,
        ] {
            assert!(serde_json::from_str::<Event>(text).is_err(), "{text}");
        }
    }
}
