//! Payload types built from views: a body read once, as its view, and checked in that pass, then
//! handed to the payload type's `Deserialize` value by value, with no JSON read a second time.
//!
//! A validated decode used to read the text twice, or once through serde_json with the schema's
//! checks wrapped around it. From the view, what is left is what the payload type's own
//! `Deserialize` does: match the names and build its strings, vectors and maps. The view was
//! checked against the message's schema, and the payload type was generated from the same
//! schema, so it takes what the view holds; should it refuse anything ([`Mismatch`]), the body
//! goes the old way, whose verdict is the one that counts.
//!
//! Values are handed over as serde_json hands over the same text: a string by `visit_str`, a
//! non-negative integer by `visit_u64`, a negative one by `visit_i64`, a number by `visit_f64`,
//! `null` by `visit_unit` (`visit_none` where an `Option` is asked for), an array by
//! `visit_seq`, an object by `visit_map` with its members in the order of the text (a struct's in
//! the order of its fields), and a string where an enum is asked for as its unit variant.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{Map, MessageView, Raw, View};

/// What a payload type's `Deserialize` said of a view it did not take. It never reaches a
/// caller: the body is then decoded from its text.
#[derive(Debug)]
pub struct Mismatch(String);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the payload type does not take the view: {}", self.0)
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// A value of a view, as a payload type's `Deserialize` reads it. Implemented for every type a
/// view holds, and, by the generator, for each view struct (through [`Members`]).
pub trait ToPayload {
    /// Hands the value to `visitor` as what it is.
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch>;

    /// Hands the value to `visitor`, which asked for an `Option`: a value is `Some`.
    fn option<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_some(Given(self))
    }

    /// Hands the value to `visitor`, which asked for an enum: only a string is one, its unit
    /// variant.
    fn variant<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        self.any(visitor)
    }
}

/// A value of a view as a [`Deserializer`], for a payload type's `Deserialize`.
#[derive(Debug)]
pub struct Given<'b, T: ?Sized>(pub &'b T);

impl<'de, T: ToPayload + ?Sized> Deserializer<'de> for Given<'_, T> {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.0.any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        self.0.option(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        self.0.variant(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

impl ToPayload for Cow<'_, str> {
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_str(self)
    }

    fn variant<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_enum(StrDeserializer::<Mismatch>::new(self))
    }
}

impl ToPayload for bool {
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_bool(*self)
    }
}

impl ToPayload for f64 {
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_f64(*self)
    }
}

/// Integers as serde_json gives them: `u64` when not negative, else `i64`.
macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToPayload for $t {
            fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
                let n = i128::from(*self);
                match u64::try_from(n) {
                    Ok(n) => visitor.visit_u64(n),
                    // Negative, so an i64 holds it: no view integer is wider.
                    Err(_) => visitor.visit_i64(n as i64),
                }
            }
        }
    )*};
}

integers!(i8, i16, i32, i64, u8, u16, u32, u64);

impl<T: ToPayload> ToPayload for Option<T> {
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        match self {
            Some(value) => value.any(visitor),
            None => visitor.visit_unit(),
        }
    }

    fn option<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        match self {
            Some(value) => value.option(visitor),
            None => visitor.visit_none(),
        }
    }

    fn variant<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        match self {
            Some(value) => value.variant(visitor),
            None => visitor.visit_unit(),
        }
    }
}

impl<T: ToPayload> ToPayload for Vec<T> {
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        let mut items = Items(self.iter());
        let value = visitor.visit_seq(&mut items)?;
        // What takes fewer items than there are refuses them, as with serde_json.
        match items.0.len() {
            0 => Ok(value),
            _ => Err(de::Error::invalid_length(self.len(), &"fewer items")),
        }
    }
}

/// The items of an array, one at a time.
struct Items<'b, T>(std::slice::Iter<'b, T>);

impl<'de, T: ToPayload> SeqAccess<'de> for Items<'_, T> {
    type Error = Mismatch;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Mismatch> {
        self.0
            .next()
            .map(|item| seed.deserialize(Given(item)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

impl<'a, V: View<'a> + ToPayload> ToPayload for Map<'a, V> {
    fn any<'de, W: Visitor<'de>>(&self, visitor: W) -> Result<W::Value, Mismatch> {
        let mut entries = Entries {
            entries: self.iter(),
            value: None,
        };
        let value = visitor.visit_map(&mut entries)?;
        match entries.entries.len() {
            0 => Ok(value),
            _ => Err(de::Error::invalid_length(self.len(), &"fewer entries")),
        }
    }
}

/// The entries of a map, each read again from its text as it is reached.
struct Entries<'a, V> {
    entries: super::Iter<'a, V>,
    value: Option<V>,
}

impl<'de, 'a, V: View<'a> + ToPayload> MapAccess<'de> for Entries<'a, V> {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        let Some((key, value)) = self.entries.next() else {
            // Every entry, or one not read again as the map's read took it (which debug builds
            // assert never happens): that is no shorter map.
            return match self.entries.len() {
                0 => Ok(None),
                _ => Err(de::Error::custom("a map's entry not read again")),
            };
        };
        self.value = Some(value);
        seed.deserialize(Given(&key)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Mismatch> {
        match self.value.take() {
            Some(value) => seed.deserialize(Given(&value)),
            None => Err(de::Error::custom("a value asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// Text a view keeps as it was written (a value of several types, say): parsed, and handed over
/// as serde_json hands over its values.
impl ToPayload for Raw<'_> {
    fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        self.value()?
            .deserialize_any(visitor)
            .map_err(de::Error::custom)
    }

    fn option<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        self.value()?
            .deserialize_option(visitor)
            .map_err(de::Error::custom)
    }

    fn variant<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
        self.value()?
            .deserialize_enum("", &[], visitor)
            .map_err(de::Error::custom)
    }
}

impl Raw<'_> {
    fn value(&self) -> Result<serde_json::Value, Mismatch> {
        self.to_value().map_err(de::Error::custom)
    }
}

/// The members of a view struct, for a payload type's `Deserialize` to read as an object's:
/// implemented by the generator for each view struct.
pub trait Members {
    /// The members' names as the JSON writes them, in the order of the struct's fields.
    const NAMES: &'static [&'static str];

    /// Whether member `i` (an index into [`Self::NAMES`]) was in the body.
    fn has(&self, i: usize) -> bool;

    /// Hands member `i`'s value to `seed`.
    fn give<'de, S: DeserializeSeed<'de>>(&self, i: usize, seed: S) -> Result<S::Value, Mismatch>;
}

/// [`ToPayload::any`] of a view struct: its members, those that were in the body, as an
/// object's.
pub fn visit_members<'de, T: Members, V: Visitor<'de>>(
    members: &T,
    visitor: V,
) -> Result<V::Value, Mismatch> {
    visitor.visit_map(Present { members, next: 0 })
}

/// [`Members::give`] of a member that is always there.
pub fn give<'de, T: ToPayload, S: DeserializeSeed<'de>>(
    value: &T,
    seed: S,
) -> Result<S::Value, Mismatch> {
    seed.deserialize(Given(value))
}

/// [`Members::give`] of a member that may be absent (`None`), which [`Members::has`] said is
/// there.
pub fn give_present<'de, T: ToPayload, S: DeserializeSeed<'de>>(
    value: &Option<T>,
    seed: S,
) -> Result<S::Value, Mismatch> {
    match value {
        Some(value) => seed.deserialize(Given(value)),
        None => Err(de::Error::custom("an absent member asked for")),
    }
}

/// The members of a view struct that were in the body, one at a time.
struct Present<'b, T> {
    members: &'b T,
    /// The next member to look at: the one after the key last handed over.
    next: usize,
}

impl<'de, T: Members> MapAccess<'de> for Present<'_, T> {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        while let Some(name) = T::NAMES.get(self.next) {
            self.next += 1;
            if self.members.has(self.next - 1) {
                return seed
                    .deserialize(StrDeserializer::<Mismatch>::new(name))
                    .map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Mismatch> {
        match self.next.checked_sub(1) {
            Some(i) => self.members.give(i, seed),
            None => Err(de::Error::custom("a value asked for before its key")),
        }
    }
}

/// A body decoded into message `M`'s payload type through its view: the view read strictly,
/// checking the schema in that pass, then handed to the payload type. `None` where the read
/// doubts the body (invalid, or holding a part of the schema the view keeps unchecked), where
/// the view would not hand all of it over (a key no field of the view takes, which the payload
/// type may keep; an integer past 2^53, which the view holds as a double), or where the payload
/// type does not take the view: the caller then decodes the text, which gives the verdict.
pub fn decode<M: MessageView>(text: &str) -> Option<M::Payload> {
    let view = super::read_to_hand_over::<M>(text)?;
    M::Payload::deserialize(Given(&view)).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    use super::*;
    use crate::view::{types, Reader};

    /// `value` handed to `T`'s `Deserialize`.
    fn built<T: DeserializeOwned>(value: &impl ToPayload) -> Result<T, Mismatch> {
        T::deserialize(Given(value))
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Kind {
        #[serde(rename = "web-server")]
        WebServer,
        #[serde(rename = "cache")]
        Cache,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
    }

    #[test]
    fn values_are_handed_over_as_serde_json_hands_over_their_text() {
        let s: Cow<str> = Cow::Borrowed("web-server");
        assert_eq!(built::<String>(&s).unwrap(), "web-server");
        assert_eq!(built::<Kind>(&s).unwrap(), Kind::WebServer);
        assert!(built::<Kind>(&Cow::Borrowed("db")).is_err());
        assert_eq!(built::<Value>(&s).unwrap(), json!("web-server"));
        assert_eq!(built::<u8>(&7u32).unwrap(), 7);
        assert_eq!(built::<Value>(&-7i64).unwrap(), json!(-7));
        assert_eq!(built::<Value>(&u64::MAX).unwrap(), json!(u64::MAX));
        assert!(built::<u8>(&300u32).is_err());
        assert!(built::<u64>(&-1i32).is_err());
        assert_eq!(built::<f64>(&2.5f64).unwrap(), 2.5);
        assert_eq!(built::<Value>(&true).unwrap(), json!(true));
        assert_eq!(built::<Either>(&3u64).unwrap(), Either::Number(3));
        assert_eq!(
            built::<Either>(&s).unwrap(),
            Either::Text("web-server".into())
        );
    }

    #[test]
    fn null_is_none_where_an_option_is_asked_for_and_unit_elsewhere() {
        let null: Option<Cow<str>> = None;
        let cache: Option<Cow<str>> = Some("cache".into());
        assert_eq!(built::<Option<String>>(&null).unwrap(), None);
        assert_eq!(built::<Option<Kind>>(&cache).unwrap(), Some(Kind::Cache));
        assert_eq!(built::<Value>(&null).unwrap(), Value::Null);
        assert_eq!(built::<()>(&null).unwrap(), ());
        assert!(built::<String>(&null).is_err());
        // A nullable value inside one that may be absent, as a view holds it: given, it is the
        // `null` serde_json reads into the same type.
        let nested: Option<Option<Cow<str>>> = Some(None);
        assert_eq!(
            built::<Option<Option<String>>>(&nested).unwrap(),
            serde_json::from_str::<Option<Option<String>>>("null").unwrap()
        );
    }

    #[test]
    fn arrays_maps_and_raw_text_are_handed_over_whole() {
        let items: Vec<Option<u16>> = vec![Some(1), None, Some(3)];
        assert_eq!(
            built::<Vec<Option<u16>>>(&items).unwrap(),
            [Some(1), None, Some(3)]
        );
        let text = r#"{"b": "x", "a\u0041": "y"}"#;
        let map: Map<Cow<str>> = Reader::new(text).map(|r| r.string()).unwrap();
        let expected =
            BTreeMap::from([("b".to_owned(), "x".to_owned()), ("aA".into(), "y".into())]);
        assert_eq!(built::<BTreeMap<String, String>>(&map).unwrap(), expected);
        assert_eq!(
            built::<Value>(&map).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        let raw = Reader::new(r#"[1, "two", {"three": 3.5}]"#)
            .raw(types::ANY)
            .unwrap();
        assert_eq!(
            built::<Value>(&raw).unwrap(),
            json!([1, "two", {"three": 3.5}])
        );
        let pair = Reader::new(r#"[4, "x"]"#).raw(types::ANY).unwrap();
        assert_eq!(
            built::<(Either, Either)>(&pair).unwrap(),
            (Either::Number(4), Either::Text("x".into()))
        );
    }

    /// A view struct as the generator writes one: `name` required, `size` and `kind` optional.
    struct Part<'a> {
        name: Cow<'a, str>,
        size: Option<u32>,
        kind: Option<Cow<'a, str>>,
    }

    impl ToPayload for Part<'_> {
        fn any<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Mismatch> {
            visit_members(self, visitor)
        }
    }

    impl Members for Part<'_> {
        const NAMES: &'static [&'static str] = &["name", "size", "kind"];

        fn has(&self, i: usize) -> bool {
            match i {
                1 => self.size.is_some(),
                2 => self.kind.is_some(),
                0 => true,
                _ => false,
            }
        }

        fn give<'de, S: DeserializeSeed<'de>>(
            &self,
            i: usize,
            seed: S,
        ) -> Result<S::Value, Mismatch> {
            match i {
                0 => give(&self.name, seed),
                1 => give_present(&self.size, seed),
                2 => give_present(&self.kind, seed),
                _ => Err(de::Error::custom("no such member")),
            }
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Owned {
        #[serde(rename = "name")]
        title: String,
        #[serde(default = "seven")]
        size: u32,
        kind: Option<Kind>,
    }

    fn seven() -> u32 {
        7
    }

    #[test]
    fn a_struct_hands_over_the_members_that_were_there_and_its_payload_fills_in_the_rest() {
        let part = Part {
            name: "n".into(),
            size: None,
            kind: Some("cache".into()),
        };
        assert_eq!(
            built::<Owned>(&part).unwrap(),
            Owned {
                title: "n".into(),
                size: 7,
                kind: Some(Kind::Cache),
            }
        );
        assert_eq!(
            built::<Value>(&part).unwrap(),
            json!({"name": "n", "kind": "cache"})
        );
        // In a vector, and refused by the payload type where it does not fit.
        let parts = vec![
            part,
            Part {
                name: "m".into(),
                size: Some(1),
                kind: Some("db".into()),
            },
        ];
        let error = built::<Vec<Owned>>(&parts).unwrap_err();
        assert!(error.to_string().contains("db"), "{error}");
    }
}
