//! The fast path: the schema checked while the bytes are decoded, in one pass.
//!
//! [`Checked`] wraps serde_json's deserializer: whatever the target type asks for, every value
//! of the body passes through it and is held against the one node of the program that applies
//! where it sits (an unknown field that the type would skip is walked too). It only ever says "valid": at the
//! first doubt (a violation, a repeated key, an integer written as `1.0`, a form it does not
//! know) it stops decoding, and the caller asks the reference validator, which reports every
//! violation. So the fast path can make a payload slower to refuse, never change a verdict.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny,
    IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::Value;

use asyncapi_schema::program::{types, Bound, Node, NodeId, Program, NEVER};
use asyncapi_schema::Key;

/// The fast pass over JSON text, decoding it into `T`: the value when the text is certainly
/// valid, `None` at the first doubt.
pub(crate) fn decode<T: DeserializeOwned>(program: &Program, text: &str) -> Option<T> {
    let check = Check::new(program);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(check.root(&mut de)).ok()?;
    de.end().ok()?;
    check.clean().then_some(value)
}

/// The fast pass over a parsed value: whether it is certainly valid.
pub(crate) fn accepts(program: &Program, value: &Value) -> bool {
    let check = Check::new(program);
    IgnoredAny::deserialize(check.root(value)).is_ok() && check.clean()
}

/// Shared by every wrapper of one decode: the program and whether a doubt came up.
struct Check<'p> {
    program: &'p Program,
    doubt: Cell<bool>,
}

impl<'p> Check<'p> {
    fn new(program: &'p Program) -> Self {
        Self {
            program,
            doubt: Cell::new(false),
        }
    }

    /// Whether the decode met nothing it could not vouch for.
    fn clean(&self) -> bool {
        !self.doubt.get()
    }

    /// The wrapper to decode the whole body through.
    fn root<'c, D>(&'c self, de: D) -> Checked<'c, 'p, D> {
        Checked {
            de,
            node: self.program.root,
            check: self,
        }
    }

    fn stop<E: de::Error>(&self) -> E {
        self.doubt.set(true);
        E::custom("not for the fast path")
    }

    #[inline]
    fn node(&self, id: NodeId) -> &'p Node {
        // Where each rule of a node is checked. The pattern names every field, so a field added
        // to `Node` for a new keyword does not compile here until the fast path checks it.
        const _: fn(&Node) = |node| {
            let Node {
                types: _,         // scalar, string, visit_seq, visit_map
                one_of_values: _, // scalar, string
                minimum: _,       // integer, float
                maximum: _,       // integer, float
                min_length: _,    // string
                max_length: _,    // string
                strings: _,       // string (strings_valid)
                string_rules: _,  // string
                items: _,         // visit_seq
                min_items: _,     // CheckedSeq::within_bounds
                max_items: _,     // CheckedSeq::within_bounds
                properties: _,    // MapState::note
                index: _,         // MapState::note (Node::property)
                required: _,      // MapState::complete
                additional: _,    // MapState::note
                definition: _,    // a name for generators, no rule
            } = node;
        };
        &self.program.nodes[id as usize]
    }

    fn scalar<E: de::Error>(
        &self,
        id: NodeId,
        bits: u8,
        value: impl Fn() -> Value,
    ) -> Result<(), E> {
        let node = self.node(id);
        if node.types & bits == 0
            || node
                .one_of_values
                .as_ref()
                .is_some_and(|values| !values.contains(&value()))
        {
            return Err(self.stop());
        }
        Ok(())
    }

    fn integer<E: de::Error>(
        &self,
        id: NodeId,
        n: i128,
        json: impl Fn() -> Value,
    ) -> Result<(), E> {
        self.scalar(id, types::INTEGER, json)?;
        let node = self.node(id);
        let low = node.minimum.iter().all(|b| within(b, n, true));
        let high = node.maximum.iter().all(|b| within(b, n, false));
        if !(low && high) {
            return Err(self.stop());
        }
        Ok(())
    }

    fn float<E: de::Error>(&self, id: NodeId, f: f64) -> Result<(), E> {
        // Bits `number` has and `integer` lacks: an integer written as `1.0` is left to the
        // reference validator and the typed decoder to judge.
        self.scalar(id, types::NUMBER & !types::INTEGER, || Value::from(f))?;
        let node = self.node(id);
        let low = node.minimum.iter().all(|b| within_f64(b, f, true));
        let high = node.maximum.iter().all(|b| within_f64(b, f, false));
        if !(low && high) {
            return Err(self.stop());
        }
        Ok(())
    }

    fn strings_valid(&self, node: &Node, s: &str) -> bool {
        let program = &self.program;
        let quick = |i: u32| {
            program.quick[i as usize]
                .as_ref()
                .is_some_and(|q| q.accepts(s))
        };
        // Without a quick yes for every rule, the reference judges them all, and its verdict stands.
        node.strings.iter().all(|&i| quick(i))
            || super::as_json_string(s, |value| {
                node.strings
                    .iter()
                    .all(|&i| program.strings[i as usize].is_valid(value))
            })
    }

    fn string<E: de::Error>(&self, id: NodeId, s: &str) -> Result<(), E> {
        let node = self.node(id);
        let fits = node.types & types::STRING != 0
            && (!node.string_rules || {
                let length = || s.chars().count() as u64;
                node.one_of_values
                    .as_ref()
                    .is_none_or(|values| values.iter().any(|v| v.as_str() == Some(s)))
                    && node.min_length.is_none_or(|m| length() >= m)
                    && node.max_length.is_none_or(|m| length() <= m)
                    && (node.strings.is_empty() || self.strings_valid(node, s))
            });
        if !fits {
            return Err(self.stop());
        }
        Ok(())
    }
}

/// Whether integer `n` keeps to a bound (a lower one when `lower`).
fn within(bound: &Bound, n: i128, lower: bool) -> bool {
    let b = &bound.value;
    let exact = b
        .as_i64()
        .map(i128::from)
        .or_else(|| b.as_u64().map(i128::from));
    match exact {
        Some(b) => match (lower, bound.exclusive) {
            (true, false) => n >= b,
            (true, true) => n > b,
            (false, false) => n <= b,
            (false, true) => n < b,
        },
        // A fractional bound: exact for integers a double holds exactly, else left to the
        // reference validator.
        None if n.unsigned_abs() < 1 << 53 => within_f64(bound, n as f64, lower),
        None => false,
    }
}

fn within_f64(bound: &Bound, f: f64, lower: bool) -> bool {
    let Some(b) = bound.value.as_f64() else {
        return false;
    };
    // Past 2^53 a double is not the number written: the reference validator decides.
    let exact = |x: f64| x.abs() < (1u64 << 53) as f64;
    if !exact(b) || !exact(f) {
        return false;
    }
    match (lower, bound.exclusive) {
        (true, false) => f >= b,
        (true, true) => f > b,
        (false, false) => f <= b,
        (false, true) => f < b,
    }
}

/// serde_json's deserializer, checking every value it hands out.
struct Checked<'c, 'p, D> {
    de: D,
    node: NodeId,
    check: &'c Check<'p>,
}

impl<'c, 'p, D> Checked<'c, 'p, D> {
    /// The deserializer underneath, and the target's visitor wrapped to check what it is given.
    fn split<V>(self, inner: V) -> (D, CheckedVisitor<'c, 'p, V>) {
        let visitor = CheckedVisitor {
            inner,
            node: self.node,
            check: self.check,
        };
        (self.de, visitor)
    }
}

/// The `Deserializer` methods that hand the target's visitor, wrapped by the implementing type's
/// `split`, to the same method of the deserializer underneath. The two that differ,
/// `deserialize_ignored_any` and `deserialize_enum`, each wrapper writes itself.
macro_rules! forward_wrapped {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                let (de, v) = self.split(visitor);
                de.$method(v)
            }
        )*

        fn deserialize_unit_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let (de, v) = self.split(visitor);
            de.deserialize_unit_struct(name, v)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let (de, v) = self.split(visitor);
            de.deserialize_newtype_struct(name, v)
        }

        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let (de, v) = self.split(visitor);
            de.deserialize_tuple(len, v)
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let (de, v) = self.split(visitor);
            de.deserialize_tuple_struct(name, len, v)
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            let (de, v) = self.split(visitor);
            de.deserialize_struct(name, fields, v)
        }

        fn is_human_readable(&self) -> bool {
            self.de.is_human_readable()
        }
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Checked<'_, '_, D> {
    type Error = D::Error;

    forward_wrapped! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier
    }

    // A value the target type skips is walked all the same: it may break the schema.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let (de, v) = self.split(visitor);
        de.deserialize_any(v)
    }

    // serde_json also takes `{"Variant": null}` for a unit variant, which the schema (a string
    // enum) refuses: only the string form is let through, as a string value.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let (de, v) = self.split(visitor);
        de.deserialize_any(EnumVisitor(v))
    }
}

struct CheckedVisitor<'c, 'p, V> {
    inner: V,
    node: NodeId,
    check: &'c Check<'p>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CheckedVisitor<'_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.check
            .scalar(self.node, types::BOOL, || Value::Bool(v))?;
        self.inner.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        self.check.integer(self.node, v.into(), || Value::from(v))?;
        self.inner.visit_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.check.integer(self.node, v.into(), || Value::from(v))?;
        self.inner.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        self.check.float(self.node, v)?;
        self.inner.visit_f64(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.check.string(self.node, v)?;
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.check.string(self.node, v)?;
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.check.string(self.node, &v)?;
        self.inner.visit_string(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.check.scalar(self.node, types::NULL, || Value::Null)?;
        self.inner.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.check.scalar(self.node, types::NULL, || Value::Null)?;
        self.inner.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Checked {
            de: d,
            node: self.node,
            check: self.check,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Checked {
            de: d,
            node: self.node,
            check: self.check,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let array = self.check.node(self.node);
        if array.types & types::ARRAY == 0 {
            return Err(self.check.stop());
        }
        let mut checked = CheckedSeq {
            seq,
            array,
            count: 0,
            check: self.check,
        };
        let value = self.inner.visit_seq(&mut checked)?;
        // A visitor of a fixed length (a tuple, an array) stops at its last item without asking
        // for the end, where the count is checked: serde_json then refuses more items, so the
        // items seen are all there are.
        if !checked.within_bounds() {
            return Err(self.check.stop());
        }
        Ok(value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let object = self.check.node(self.node);
        if object.types & types::OBJECT == 0 {
            return Err(self.check.stop());
        }
        let mut checked = CheckedMap {
            map,
            state: MapState {
                object,
                seen: 0,
                others: OtherKeys::default(),
                value: None,
                check: self.check,
            },
        };
        let value = self.inner.visit_map(&mut checked)?;
        // As for arrays: a visitor may stop before the end, where `required` is checked.
        if !checked.state.complete() {
            return Err(self.check.stop());
        }
        Ok(value)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _data: A) -> Result<V::Value, A::Error> {
        Err(self.check.stop())
    }
}

/// Sees an enum as the string it must be, then hands it to the enum's visitor.
struct EnumVisitor<'c, 'p, V>(CheckedVisitor<'c, 'p, V>);

impl<'de, V: Visitor<'de>> Visitor<'de> for EnumVisitor<'_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.inner.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.0.check.string(self.0.node, v)?;
        self.0.inner.visit_enum(v.into_deserializer())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.0.check.string(self.0.node, v)?;
        self.0
            .inner
            .visit_enum(de::value::BorrowedStrDeserializer::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.0.check.string(self.0.node, &v)?;
        self.0.inner.visit_enum(v.into_deserializer())
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<V::Value, A::Error> {
        Err(self.0.check.stop())
    }
}

struct CheckedSeq<'c, 'p, A> {
    seq: A,
    array: &'p Node,
    count: u64,
    check: &'c Check<'p>,
}

impl<A> CheckedSeq<'_, '_, A> {
    fn within_bounds(&self) -> bool {
        self.array.min_items.is_none_or(|m| self.count >= m)
            && self.array.max_items.is_none_or(|m| self.count <= m)
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for CheckedSeq<'_, '_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let item = self.seq.next_element_seed(CheckedSeed {
            seed,
            node: self.array.items,
            check: self.check,
        })?;
        if item.is_some() {
            self.count += 1;
        } else if !self.within_bounds() {
            return Err(self.check.stop());
        }
        Ok(item)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

struct CheckedSeed<'c, 'p, T> {
    seed: T,
    node: NodeId,
    check: &'c Check<'p>,
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for CheckedSeed<'_, '_, T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        self.seed.deserialize(Checked {
            de: d,
            node: self.node,
            check: self.check,
        })
    }
}

/// The keys of a map that are none of its node's properties, to notice a repeat; the first few
/// inline, as most maps are small, the rest in a hash set, so a body of many keys costs time in
/// proportion. Keys are held as [`Key`]s: exact up to 16 bytes, and two longer keys that share
/// their first and last eight bytes and their length are taken for a repeat, which only sends the
/// payload to the reference validator.
#[derive(Default)]
struct OtherKeys {
    inline: [Key; 4],
    len: usize,
    spilled: HashSet<Key>,
}

impl OtherKeys {
    /// `false` when it was there already.
    fn insert(&mut self, key: Key) -> bool {
        let inline = &self.inline[..self.len.min(self.inline.len())];
        if inline.contains(&key) {
            return false;
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = key;
        } else if !self.spilled.insert(key) {
            return false;
        }
        self.len += 1;
        true
    }
}

struct CheckedMap<'c, 'p, A> {
    map: A,
    state: MapState<'c, 'p>,
}

struct MapState<'c, 'p> {
    object: &'p Node,
    /// Which of the object's properties have been seen.
    seen: u64,
    /// The keys that are none of its properties, to notice a repeat.
    others: OtherKeys,
    /// The node of the value whose key was just read; `None` until a key is read, or when it
    /// is repeated.
    value: Option<NodeId>,
    check: &'c Check<'p>,
}

impl MapState<'_, '_> {
    /// Notes a key: the node its value must satisfy, unless the key is repeated.
    fn note(&mut self, key: &str) {
        let key_words = Key::of(key);
        self.value = match self.object.property(key, &key_words) {
            Some((i, child)) => {
                let bit = 1 << i;
                let first = self.seen & bit == 0;
                self.seen |= bit;
                first.then_some(child)
            }
            None => self
                .others
                .insert(key_words)
                .then_some(self.object.additional),
        };
    }

    fn complete(&self) -> bool {
        self.seen & self.object.required == self.object.required
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CheckedMap<'_, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.state.value = None;
        let out = self.map.next_key_seed(KeySeed {
            seed,
            state: &mut self.state,
        })?;
        let fine = match out {
            None => self.state.complete(),
            Some(_) => self.state.value.is_some(),
        };
        if !fine {
            return Err(self.state.check.stop());
        }
        Ok(out)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        // `next_key_seed` let no key through without its node.
        let node = self.state.value.unwrap_or(NEVER);
        self.map.next_value_seed(CheckedSeed {
            seed,
            node,
            check: self.state.check,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Reads a key through [`KeyDeserializer`], so the map learns which key it was.
struct KeySeed<'k, 'c, 'p, K> {
    seed: K,
    state: &'k mut MapState<'c, 'p>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, '_, '_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        self.seed.deserialize(KeyDeserializer {
            de: d,
            state: self.state,
        })
    }
}

/// serde_json hands keys out as strings whatever the target asks for: the key is noted on its
/// way to the target's visitor.
struct KeyDeserializer<'k, 'c, 'p, D> {
    de: D,
    state: &'k mut MapState<'c, 'p>,
}

impl<'k, 'c, 'p, D> KeyDeserializer<'k, 'c, 'p, D> {
    /// The deserializer underneath, and the target's visitor wrapped to note the key.
    fn split<V>(self, inner: V) -> (D, KeyVisitor<'k, 'c, 'p, V>) {
        let visitor = KeyVisitor {
            inner,
            state: self.state,
        };
        (self.de, visitor)
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for KeyDeserializer<'_, '_, '_, D> {
    type Error = D::Error;

    forward_wrapped! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier
    }

    // A key the target skips is noted all the same (a `Value`'s skips without reading it).
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let (de, v) = self.split(visitor);
        de.deserialize_any(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let (de, v) = self.split(visitor);
        de.deserialize_enum(name, variants, v)
    }
}

struct KeyVisitor<'k, 'c, 'p, V> {
    inner: V,
    state: &'k mut MapState<'c, 'p>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for KeyVisitor<'_, '_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.state.note(v);
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.state.note(v);
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.state.note(&v);
        self.inner.visit_string(v)
    }
}
