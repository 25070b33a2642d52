//! The fast path: the schema checked while the bytes are decoded, in one pass.
//!
//! [`Checked`] wraps serde_json's deserializer: whatever the target type asks for, every value
//! of the body passes through it and is held against the schema nodes that apply where it sits
//! (an unknown field that the type would skip is walked too). It only ever says "valid": at the
//! first doubt (a violation, a repeated key, an integer written as `1.0`, a form it does not
//! know) it stops decoding, and the caller asks the reference validator, which reports every
//! violation. So the fast path can make a payload slower to refuse, never change a verdict.

use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::Value;

use super::program::{types, Additional, Bound, NodeId, Program};

/// The nodes that apply to one value, each with its `allOf`s and `$ref`s already expanded.
/// Small, as it is copied into every wrapper: node ids fit 16 bits (see [`Check::new`]).
#[derive(Clone, Copy)]
struct Set {
    ids: [u16; 7],
    len: u16,
}

impl Set {
    fn empty() -> Self {
        Self {
            ids: [0; 7],
            len: 0,
        }
    }

    fn ids(&self) -> &[u16] {
        &self.ids[..self.len as usize]
    }

    /// Adds a node and everything it brings in; `false` when there are too many to hold.
    fn add(&mut self, program: &Program, node: NodeId) -> bool {
        for &id in &program.nodes[node as usize].closure {
            let id = id as u16;
            if !self.ids().contains(&id) {
                if self.len as usize == self.ids.len() {
                    return false;
                }
                self.ids[self.len as usize] = id;
                self.len += 1;
            }
        }
        true
    }
}

/// Shared by every wrapper of one decode: the program and whether a doubt came up.
pub(crate) struct Check<'p> {
    program: &'p Program,
    doubt: Cell<bool>,
}

impl<'p> Check<'p> {
    pub(crate) fn new(program: &'p Program) -> Self {
        Self {
            program,
            // Node ids are kept in 16 bits; a schema with more nodes always takes the slow way.
            doubt: Cell::new(program.nodes.len() > usize::from(u16::MAX)),
        }
    }

    /// Whether the decode met nothing it could not vouch for.
    pub(crate) fn clean(&self) -> bool {
        !self.doubt.get()
    }

    /// The wrapper to decode the whole body through.
    pub(crate) fn root<'c, D>(&'c self, de: D) -> Checked<'c, 'p, D> {
        let mut set = Set::empty();
        let fits = set.add(self.program, self.program.root);
        if !fits {
            self.doubt.set(true);
        }
        Checked {
            de,
            set,
            check: self,
        }
    }

    fn stop<E: de::Error>(&self) -> E {
        self.doubt.set(true);
        E::custom("not for the fast path")
    }

    fn nodes<'s>(&'s self, set: &'s Set) -> impl Iterator<Item = &'p super::program::Node> + 's {
        set.ids()
            .iter()
            .map(move |&id| &self.program.nodes[id as usize])
    }

    fn allows(&self, set: &Set, bits: u8) -> bool {
        self.nodes(set).all(|n| n.types & bits != 0)
    }

    fn scalar<E: de::Error>(
        &self,
        set: &Set,
        bits: u8,
        value: impl Fn() -> Value,
    ) -> Result<(), E> {
        if !self.allows(set, bits) {
            return Err(self.stop());
        }
        for node in self.nodes(set) {
            if let Some(values) = &node.one_of_values {
                let value = value();
                if !values.contains(&value) {
                    return Err(self.stop());
                }
            }
        }
        Ok(())
    }

    fn integer<E: de::Error>(&self, set: &Set, n: i128, json: impl Fn() -> Value) -> Result<(), E> {
        self.scalar(set, types::INTEGER, json)?;
        for node in self.nodes(set) {
            let low = node.minimum.iter().all(|b| within(b, n, true));
            let high = node.maximum.iter().all(|b| within(b, n, false));
            if !(low && high) {
                return Err(self.stop());
            }
        }
        Ok(())
    }

    fn float<E: de::Error>(&self, set: &Set, f: f64) -> Result<(), E> {
        // Bits `number` has and `integer` lacks: an integer written as `1.0` is left to the
        // reference validator and the typed decoder to judge.
        self.scalar(set, types::NUMBER & !types::INTEGER, || Value::from(f))?;
        for node in self.nodes(set) {
            let low = node.minimum.iter().all(|b| within_f64(b, f, true));
            let high = node.maximum.iter().all(|b| within_f64(b, f, false));
            if !(low && high) {
                return Err(self.stop());
            }
        }
        Ok(())
    }

    fn string<E: de::Error>(&self, set: &Set, s: &str) -> Result<(), E> {
        let mut length = None;
        for node in self.nodes(set) {
            let fits = node.types & types::STRING != 0
                && node
                    .one_of_values
                    .as_ref()
                    .is_none_or(|values| values.iter().any(|v| v.as_str() == Some(s)))
                && (node.min_length.is_none() && node.max_length.is_none() || {
                    let n = *length.get_or_insert_with(|| s.chars().count() as u64);
                    node.min_length.is_none_or(|m| n >= m) && node.max_length.is_none_or(|m| n <= m)
                })
                && node
                    .strings
                    .as_ref()
                    .is_none_or(|strings| strings.is_valid(&Value::from(s)));
            if !fits {
                return Err(self.stop());
            }
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
pub(crate) struct Checked<'c, 'p, D> {
    de: D,
    set: Set,
    check: &'c Check<'p>,
}

impl<'c, 'p, D> Checked<'c, 'p, D> {
    /// The deserializer underneath, and the target's visitor wrapped to check what it is given.
    fn split<V>(self, inner: V) -> (D, CheckedVisitor<'c, 'p, V>) {
        let visitor = CheckedVisitor {
            inner,
            set: self.set,
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
    set: Set,
    check: &'c Check<'p>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for CheckedVisitor<'_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.check
            .scalar(&self.set, types::BOOL, || Value::Bool(v))?;
        self.inner.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        self.check.integer(&self.set, v.into(), || Value::from(v))?;
        self.inner.visit_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.check.integer(&self.set, v.into(), || Value::from(v))?;
        self.inner.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        self.check.float(&self.set, v)?;
        self.inner.visit_f64(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.check.string(&self.set, v)?;
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.check.string(&self.set, v)?;
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.check.string(&self.set, &v)?;
        self.inner.visit_string(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.check.scalar(&self.set, types::NULL, || Value::Null)?;
        self.inner.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.check.scalar(&self.set, types::NULL, || Value::Null)?;
        self.inner.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Checked {
            de: d,
            set: self.set,
            check: self.check,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Checked {
            de: d,
            set: self.set,
            check: self.check,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if !self.check.allows(&self.set, types::ARRAY) {
            return Err(self.check.stop());
        }
        let mut items = Set::empty();
        for node in self.check.nodes(&self.set) {
            if let Some(item) = node.items {
                if !items.add(self.check.program, item) {
                    return Err(self.check.stop());
                }
            }
        }
        self.inner.visit_seq(CheckedSeq {
            seq,
            array: self.set,
            items,
            count: 0,
            check: self.check,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        if !self.check.allows(&self.set, types::OBJECT) {
            return Err(self.check.stop());
        }
        self.inner.visit_map(CheckedMap {
            map,
            state: MapState {
                object: self.set,
                seen: [0; 7],
                others: Fingerprints::default(),
                value: Set::empty(),
                key_ok: None,
                check: self.check,
            },
        })
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
        self.0.check.string(&self.0.set, v)?;
        self.0.inner.visit_enum(v.into_deserializer())
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.0.check.string(&self.0.set, v)?;
        self.0
            .inner
            .visit_enum(de::value::BorrowedStrDeserializer::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.0.check.string(&self.0.set, &v)?;
        self.0.inner.visit_enum(v.into_deserializer())
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<V::Value, A::Error> {
        Err(self.0.check.stop())
    }
}

struct CheckedSeq<'c, 'p, A> {
    seq: A,
    array: Set,
    items: Set,
    count: u64,
    check: &'c Check<'p>,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for CheckedSeq<'_, '_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let item = self.seq.next_element_seed(CheckedSeed {
            seed,
            set: self.items,
            check: self.check,
        })?;
        if item.is_some() {
            self.count += 1;
        } else {
            for node in self.check.nodes(&self.array) {
                if node.min_items.is_some_and(|m| self.count < m)
                    || node.max_items.is_some_and(|m| self.count > m)
                {
                    return Err(self.check.stop());
                }
            }
        }
        Ok(item)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

struct CheckedSeed<'c, 'p, T> {
    seed: T,
    set: Set,
    check: &'c Check<'p>,
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for CheckedSeed<'_, '_, T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T::Value, D::Error> {
        self.seed.deserialize(Checked {
            de: d,
            set: self.set,
            check: self.check,
        })
    }
}

/// A key's length and its first and last eight bytes, mixed. Two keys with one fingerprint are
/// taken for a repeat, which only sends the payload to the reference validator; keys that differ
/// only in their middle bytes are rare enough for that.
fn fingerprint(key: &str) -> u64 {
    let bytes = key.as_bytes();
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let head = word(&bytes[..bytes.len().min(8)]);
    let tail = word(&bytes[bytes.len().saturating_sub(8)..]);
    (head ^ tail.rotate_left(29) ^ (bytes.len() as u64).rotate_left(57))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A set of fingerprints that holds the first few inline: most maps are small.
#[derive(Default)]
struct Fingerprints {
    inline: [u64; 4],
    len: usize,
    spilled: Vec<u64>,
}

impl Fingerprints {
    /// `false` when it was there already.
    fn insert(&mut self, fingerprint: u64) -> bool {
        let inline = &self.inline[..self.len.min(self.inline.len())];
        if inline.contains(&fingerprint) || self.spilled.contains(&fingerprint) {
            return false;
        }
        if self.len < self.inline.len() {
            self.inline[self.len] = fingerprint;
        } else {
            self.spilled.push(fingerprint);
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
    object: Set,
    /// Per node of `object`: which of its properties have been seen.
    seen: [u64; 7],
    /// Fingerprints of the keys that are no node's property, to notice a repeat.
    others: Fingerprints,
    /// The nodes of the value whose key was just read.
    value: Set,
    /// Whether the key just read may be there; `None` until one is read.
    key_ok: Option<bool>,
    check: &'c Check<'p>,
}

impl MapState<'_, '_> {
    /// Notes a key: the nodes its value must satisfy; `false` when the key is forbidden or
    /// repeated.
    fn key(&mut self, key: &str) -> bool {
        let program = self.check.program;
        let mut value = Set::empty();
        let mut known = false;
        for (slot, &id) in self.object.ids().iter().enumerate() {
            let node = &program.nodes[id as usize];
            let child = match node.property(key) {
                Some((i, child)) => {
                    known = true;
                    if self.seen[slot] & (1 << i) != 0 {
                        return false;
                    }
                    self.seen[slot] |= 1 << i;
                    Some(child)
                }
                None => match node.additional {
                    Additional::Any => None,
                    Additional::Forbidden => return false,
                    Additional::Schema(child) => Some(child),
                },
            };
            if let Some(child) = child {
                if !value.add(program, child) {
                    return false;
                }
            }
        }
        if !known {
            let hash = fingerprint(key);
            // Two different keys with one hash are taken for a repeat: the reference validator
            // then finds there is none.
            if !self.others.insert(hash) {
                return false;
            }
        }
        self.value = value;
        true
    }

    fn note(&mut self, key: &str) {
        let ok = self.key(key);
        self.key_ok = Some(ok);
    }

    fn complete(&self) -> bool {
        self.object.ids().iter().enumerate().all(|(slot, &id)| {
            let required = self.check.program.nodes[id as usize].required;
            self.seen[slot] & required == required
        })
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CheckedMap<'_, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.state.key_ok = None;
        let out = self.map.next_key_seed(KeySeed {
            seed,
            state: &mut self.state,
        })?;
        let fine = match out {
            None => self.state.complete(),
            Some(_) => self.state.key_ok == Some(true),
        };
        if !fine {
            return Err(self.state.check.stop());
        }
        Ok(out)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(CheckedSeed {
            seed,
            set: self.state.value,
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
