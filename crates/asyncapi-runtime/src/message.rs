//! Messages: payload types and metadata.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Largest body the validators accept: NATS' default `max_payload` (1 MiB), beyond which a default
/// server refuses to carry a message at all. Over NATS the server enforces its own limit; this one
/// guards inputs that come some other way (files, stdin, HTTP).
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;

/// Metadata of one message of a spec.
#[derive(Debug, Clone, Copy)]
pub struct MessageInfo {
    /// Short name of the spec (`control-interface`).
    pub spec: &'static str,
    /// The message name in the spec.
    pub name: &'static str,
    /// The content type of the payload.
    pub content_type: &'static str,
    /// Whether the message has a payload; without one the body is empty.
    pub has_payload: bool,
    /// The message title, if the spec gives one.
    pub title: Option<&'static str>,
    /// The message summary, if the spec gives one.
    pub summary: Option<&'static str>,
    /// The message's standalone JSON Schema (2020-12): every `$ref` points inside it.
    pub schema: &'static str,
    /// Decodes JSON into the message's payload type and encodes it again: the typed view of a
    /// payload, for tools that know the message only by name.
    pub normalize: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
    /// Decodes JSON bytes straight into the message's payload type, as a receiver does, and drops
    /// the result: whether the bytes are a payload the Rust type accepts.
    pub try_decode: fn(&[u8]) -> Result<(), serde_json::Error>,
    /// Whether validation's fast path alone vouches for the bytes while decoding them into the
    /// message's payload type (see [`crate::validate`]): for tests that hold it against the
    /// reference validator.
    #[cfg(feature = "validate")]
    pub fast_decodes: fn(&MessageInfo, &[u8]) -> bool,
}

impl MessageInfo {
    /// Message `name` of `spec` with a JSON payload of `M`'s type, no title or summary and an
    /// empty schema; generated code sets the rest.
    pub const fn of<M: Message>(spec: &'static str, name: &'static str) -> Self {
        Self {
            spec,
            name,
            content_type: "application/json",
            has_payload: true,
            title: None,
            summary: None,
            schema: "{}",
            normalize: normalize::<M>,
            try_decode: try_decode::<M>,
            #[cfg(feature = "validate")]
            fast_decodes: crate::validate::fast_decodes::<M>,
        }
    }
}

/// A message is identified by its spec and name.
impl PartialEq for MessageInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.spec, self.name) == (other.spec, other.name)
    }
}

impl Eq for MessageInfo {}

impl std::hash::Hash for MessageInfo {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.spec, self.name).hash(state);
    }
}

/// [`MessageInfo::normalize`] for message `M`.
pub fn normalize<M: Message>(
    value: &serde_json::Value,
) -> Result<serde_json::Value, serde_json::Error> {
    let typed: M::Payload = M::Payload::deserialize(value)?;
    serde_json::to_value(typed)
}

/// [`MessageInfo::try_decode`] for message `M`.
pub fn try_decode<M: Message>(bytes: &[u8]) -> Result<(), serde_json::Error> {
    json_from_slice::<M::Payload>(bytes).map(drop)
}

/// `serde_json::from_slice`, the same verdict and value, for less: the bytes' UTF-8 is checked
/// once, as a whole, and the JSON read from the `&str`, so serde_json does not check each string
/// on its own (about a sixth of a typed decode of our messages: the `instructions` bench's
/// `typed-str` column). Bytes that are not UTF-8 are read as bytes, for serde_json's error with
/// its line and column.
pub fn json_from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// A message of a spec: implemented by the marker types in each generated `messages` module.
pub trait Message {
    /// The Rust type of the payload.
    type Payload: Serialize + DeserializeOwned;
    /// Name, content type and spec of the message.
    const INFO: MessageInfo;

    /// The payload of a body (its UTF-8 checked) built from the message's view, which read it
    /// and checked it against the schema in one pass: written by the generator for every message
    /// with a view. `None` where there is none, or where the read doubts the body; the validated
    /// decodes then decode the text, whose verdict counts.
    #[doc(hidden)]
    fn decode_checked(text: &str) -> Option<Self::Payload> {
        let _ = text;
        None
    }
}

/// The string value of the top-level property `tag` of a JSON object, found without building the
/// whole document (`Ok(None)` when it is missing or not a string).
pub fn tag_of(json: &[u8], tag: &str) -> Result<Option<String>, serde_json::Error> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Seed<'t>(&'t str);

    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = Option<String>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let (mut found, mut seen) = (None, false);
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.0 {
                    // Readers differ on which of two tags counts (a JSON value keeps the last):
                    // such a body names no one message.
                    if seen {
                        return Err(serde::de::Error::custom(format_args!(
                            "the tag {:?} appears more than once",
                            self.0
                        )));
                    }
                    seen = true;
                    found = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Some(s),
                        _ => None,
                    };
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(json);
    let found = Seed(tag).deserialize(&mut de)?;
    de.end()?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{json_from_slice, tag_of};
    use serde_json::Value;

    #[test]
    fn json_from_slice_gives_what_serde_json_from_slice_gives() {
        let bodies: [&[u8]; 9] = [
            br#"{"a": ["x", 1, 2.5, null, true], "b": {"c": "\u00e9\n"}}"#,
            "{\"é\": \"ünï\"}".as_bytes(),
            b"{\"a\": \"\xff\"}",
            b"\xfe{}",
            br#"{"a": "\ud800"}"#,
            br#"{"a": 1,}"#,
            b"[1, 2] x",
            b"",
            b"  \n 7 ",
        ];
        for body in bodies {
            let ours = json_from_slice::<Value>(body).map_err(|e| e.to_string());
            let theirs = serde_json::from_slice::<Value>(body).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn tag_of_reads_only_the_top_level_string() {
        assert_eq!(
            tag_of(br#"{"a": {"type": "x"}, "type": "y"}"#, "type")
                .unwrap()
                .as_deref(),
            Some("y")
        );
        assert_eq!(
            tag_of(br#"{"t\u0079pe": "esc\"aped"}"#, "type")
                .unwrap()
                .as_deref(),
            Some("esc\"aped")
        );
        assert_eq!(tag_of(br#"{"type": 3}"#, "type").unwrap(), None);
        assert_eq!(tag_of(br#"{"other": 1}"#, "type").unwrap(), None);
        assert!(tag_of(br#"[1, 2]"#, "type").is_err());
        assert!(tag_of(br#"{"type": "x"} trailing"#, "type").is_err());
        assert!(tag_of(b"{\"type\": ", "type").is_err());
        assert!(tag_of(br#"{"type": "x", "a": 1, "type": "y"}"#, "type").is_err());
    }
}
