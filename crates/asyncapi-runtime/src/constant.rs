//! A schema's `const` string as a value: a field that may hold one string only is a [`Const`],
//! which is that string whatever you do, and its own `Default`. A message with such fields is
//! written with a struct literal (`specversion: Default::default()`), and one whose other fields
//! have defaults too with `..Default::default()`.
//!
//! ```
//! use asyncapi_runtime::{Const, ConstValue};
//!
//! /// What generated code writes for `{const: "1.0"}`.
//! pub struct SpecversionValue;
//! impl ConstValue for SpecversionValue {
//!     const VALUE: &'static str = "1.0";
//! }
//! pub type Specversion = Const<SpecversionValue>;
//!
//! let v = Specversion::default();
//! assert_eq!(v.as_str(), "1.0");
//! assert_eq!(serde_json::to_string(&v).unwrap(), r#""1.0""#);
//! assert!(serde_json::from_str::<Specversion>(r#""1.0""#).is_ok());
//! let wrong = serde_json::from_str::<Specversion>(r#""0.3""#).unwrap_err();
//! assert!(wrong.to_string().contains(r#"expected "1.0""#), "{wrong}");
//! ```

use std::fmt;
use std::marker::PhantomData;

/// The one string a [`Const`] holds. Generated code implements it on a unit struct per `const`.
pub trait ConstValue {
    /// The string.
    const VALUE: &'static str;
}

/// A string that can only be `V::VALUE`: it serializes as that string and deserializes from it
/// alone.
pub struct Const<V>(PhantomData<fn() -> V>);

impl<V: ConstValue> Const<V> {
    /// The string this type holds.
    pub const VALUE: &'static str = V::VALUE;

    /// The value (the same as `Default::default()`, usable in `const` contexts).
    pub const fn new() -> Self {
        Const(PhantomData)
    }

    /// The string.
    pub const fn as_str(&self) -> &'static str {
        V::VALUE
    }
}

impl<V: ConstValue> Default for Const<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Clone for Const<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Const<V> {}

// Every value of a `Const` type is the same value.
impl<V> PartialEq for Const<V> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<V> Eq for Const<V> {}

impl<V> PartialOrd for Const<V> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<V> Ord for Const<V> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<V> std::hash::Hash for Const<V> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl<V: ConstValue> fmt::Debug for Const<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Const({:?})", V::VALUE)
    }
}

impl<V: ConstValue> fmt::Display for Const<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(V::VALUE)
    }
}

impl<V: ConstValue> AsRef<str> for Const<V> {
    fn as_ref(&self) -> &str {
        V::VALUE
    }
}

impl<V: ConstValue> PartialEq<str> for Const<V> {
    fn eq(&self, other: &str) -> bool {
        V::VALUE == other
    }
}

impl<V: ConstValue> PartialEq<&str> for Const<V> {
    fn eq(&self, other: &&str) -> bool {
        V::VALUE == *other
    }
}

/// A string that is not the one a [`Const`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstError {
    /// The string the type holds.
    pub expected: &'static str,
    /// The string given.
    pub found: String,
}

impl fmt::Display for ConstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {:?}, found {:?}", self.expected, self.found)
    }
}

impl std::error::Error for ConstError {}

impl<V: ConstValue> std::str::FromStr for Const<V> {
    type Err = ConstError;

    fn from_str(s: &str) -> Result<Self, ConstError> {
        match s == V::VALUE {
            true => Ok(Self::new()),
            false => Err(ConstError {
                expected: V::VALUE,
                found: s.to_owned(),
            }),
        }
    }
}

impl<V: ConstValue> TryFrom<&str> for Const<V> {
    type Error = ConstError;

    fn try_from(s: &str) -> Result<Self, ConstError> {
        s.parse()
    }
}

impl<V: ConstValue> serde::Serialize for Const<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(V::VALUE)
    }
}

impl<'de, V: ConstValue> serde::Deserialize<'de> for Const<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<V>(PhantomData<fn() -> V>);

        impl<V: ConstValue> serde::de::Visitor<'_> for Visitor<V> {
            type Value = Const<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", V::VALUE)
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Const<V>, E> {
                match s == V::VALUE {
                    true => Ok(Const::new()),
                    false => Err(E::invalid_value(serde::de::Unexpected::Str(s), &self)),
                }
            }
        }

        deserializer.deserialize_str(Visitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct One;
    impl ConstValue for One {
        const VALUE: &'static str = "com.example.one";
    }
    type Kind = Const<One>;

    #[derive(Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
    struct Event {
        #[serde(rename = "type")]
        kind: Kind,
        n: u32,
    }

    #[test]
    fn a_struct_with_a_const_is_written_with_a_literal_and_round_trips() {
        let event = Event {
            n: 3,
            ..Default::default()
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(json, r#"{"type":"com.example.one","n":3}"#);
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    }

    #[test]
    fn any_other_value_is_refused_with_what_was_expected() {
        for wrong in [r#"{"type":"com.example.two","n":3}"#, r#"{"type":1,"n":3}"#] {
            let e = serde_json::from_str::<Event>(wrong)
                .unwrap_err()
                .to_string();
            assert!(e.contains(r#"expected "com.example.one""#), "{e}");
        }
        let e = "x".parse::<Kind>().unwrap_err();
        assert_eq!(e.to_string(), r#"expected "com.example.one", found "x""#);
        assert_eq!(Kind::try_from("com.example.one"), Ok(Kind::new()));
    }

    #[test]
    fn it_reads_as_its_string() {
        let k = Kind::new();
        assert_eq!(k.to_string(), "com.example.one");
        assert_eq!(format!("{k:?}"), r#"Const("com.example.one")"#);
        assert_eq!(k, "com.example.one");
        assert_eq!(Kind::VALUE, "com.example.one");
    }
}
