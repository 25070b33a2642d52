//! Parsing JSON as `serde_json::Value` does, but noticing repeated object keys.
//!
//! `Value` keeps the last of two equal keys, while a typed decoder refuses a repeated field and
//! other receivers keep the first: a body with repeated keys means different things to different
//! readers, so the validators report each repetition as a violation instead of checking whichever
//! value `Value` happened to keep.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The parsed value and the JSON pointer of every repeated key (the value kept is the last, as
/// `serde_json::from_slice::<Value>` keeps).
pub(crate) fn parse(body: &[u8]) -> Result<(Value, Vec<String>), serde_json::Error> {
    // The whole body's UTF-8 checked at once costs less than serde_json checking each string;
    // bytes that are not UTF-8 are parsed as bytes, for serde_json's error with its position.
    match std::str::from_utf8(body) {
        Ok(text) => parse_from(serde_json::de::StrRead::new(text)),
        Err(_) => parse_from(serde_json::de::SliceRead::new(body)),
    }
}

fn parse_from<'de, R: serde_json::de::Read<'de>>(
    read: R,
) -> Result<(Value, Vec<String>), serde_json::Error> {
    let mut de = serde_json::Deserializer::new(read);
    let parsed = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(parsed)
}

/// Pointers are built only on the way back up from a repetition, so a body without one costs no
/// more than a plain parse.
struct Strict;

/// A key as a JSON pointer token.
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = (Value, Vec<String>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = (Value, Vec<String>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok((Value::Bool(v), Vec::new()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok((Value::from(v), Vec::new()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok((Value::from(v), Vec::new()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok((Value::from(v), Vec::new()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok((Value::String(v.to_owned()), Vec::new()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok((Value::String(v), Vec::new()))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok((Value::Null, Vec::new()))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok((Value::Null, Vec::new()))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Strict.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut repeated = Vec::new();
        while let Some((value, inner)) = seq.next_element_seed(Strict)? {
            let i = items.len();
            repeated.extend(inner.into_iter().map(|p| format!("/{i}{p}")));
            items.push(value);
        }
        Ok((Value::Array(items), repeated))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        let mut repeated = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let (value, inner) = map.next_value_seed(Strict)?;
            if !inner.is_empty() {
                let k = escape(&key);
                repeated.extend(inner.into_iter().map(|p| format!("/{k}{p}")));
            }
            if out.contains_key(&key) {
                repeated.push(format!("/{}", escape(&key)));
            }
            out.insert(key, value);
        }
        Ok((Value::Object(out), repeated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_those_serde_json_builds() {
        let body =
            br#"{"a": [1, -2, 3.5, "x", null, true, {"b~/": {}}], "u": 18446744073709551615}"#;
        let (value, repeated) = parse(body).unwrap();
        assert_eq!(value, serde_json::from_slice::<Value>(body).unwrap());
        assert!(repeated.is_empty());
    }

    #[test]
    fn repeated_keys_are_reported_by_pointer_and_the_last_is_kept() {
        let body = br#"{"a": 1, "n": [{"x~y": 1, "x~y": 2}], "a": 3, "a": 4}"#;
        let (value, repeated) = parse(body).unwrap();
        assert_eq!(value, json!({"a": 4, "n": [{"x~y": 2}]}));
        assert_eq!(repeated, ["/n/0/x~0y", "/a", "/a"]);
    }

    #[test]
    fn malformed_and_trailing_input_is_an_error() {
        assert!(parse(b"{\"a\": }").is_err());
        assert!(parse(b"{} x").is_err());
        assert!(parse(b"").is_err());
        assert!(parse("[".repeat(1000).as_bytes()).is_err());
    }
}
