//! Views: a message's payload read in place, its text borrowed from the body, checked against
//! the message's schema while it is read (the `validate` feature).
//!
//! The generator writes, beside each payload type, a view type with the same fields whose strings
//! borrow from the body (`Cow<'a, str>`: borrowed unless the JSON string has escapes), whose
//! maps are [`Map`]s read in place and whose values the schema leaves open are [`Raw`] JSON
//! text; and its [`View`] implementation, a decoder with the schema's checks written into it.
//! [`crate::validate::view`] reads a body into one: a valid body costs one pass and no more
//! allocations than the arrays and the strings with escapes it holds (and the objects with many
//! keys, or keys with escapes, whose repeated keys it looks for); an invalid one gets the
//! reference validator's report, every violation with its JSON pointer, as every other entry
//! point gives.

mod payload;
mod reader;
mod rules;

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};

use crate::message::{Message, MessageInfo};
use crate::validate::ValidationError;

#[doc(hidden)]
pub use asyncapi_schema::program::types;
#[doc(hidden)]
pub use payload::{decode as decode_payload, give, give_present, visit_members, Given, Members};
pub use payload::{Mismatch, ToPayload};
use reader::Entries;
#[doc(hidden)]
pub use reader::{Fields, Keys, Member, Reader};
#[doc(hidden)]
pub use rules::StringRule;

/// The strict read met something it does not vouch for: a violation, a repeated key, text that
/// is not JSON. [`crate::validate::view`] then asks the reference validator, whose report says
/// which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub struct Doubt;

impl fmt::Display for Doubt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the body is not certainly valid")
    }
}

impl std::error::Error for Doubt {}

/// A type read in place from JSON text by a generated decoder.
pub trait View<'a>: Sized {
    /// Reads one value of this type where the reader stands.
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt>;
}

/// A message whose payload has a view: [`crate::validate::view`] reads it.
pub trait MessageView: Message {
    /// The view of the payload, borrowing from the body; the payload type can be built from it
    /// ([`ToPayload`]), which validated decodes do.
    type View<'a>: View<'a> + Serialize + ToPayload;

    /// Whether the view checks the whole schema while it reads: every valid body read in one
    /// pass, the reference validator asked only about a body the read doubts. `false` where the
    /// schema has parts no view checks in place (a union of schemas, a type that holds itself, a
    /// schema for keys beside named properties): the view keeps those parts as [`Raw`] text, and
    /// a body that holds one is judged by the reference validator before the view reads it.
    const IN_ONE_PASS: bool = true;
}

/// An operation whose every message can be read in place: implemented in generated `views`
/// modules, for an operation of one message with a view and for an enum over messages
/// ([`crate::ByTag`]) whose every message has one. A subscription's
/// [`views`](crate::nats::Subscription::views) reads its messages so.
pub trait OperationView: crate::Operation {
    /// What a message of the operation is read as: its message's view, or the view of the enum.
    type View<'a>: Serialize;

    /// Reads a body in place, checking it against its message's schema in the same pass; a
    /// body the read doubts gets the reference validator's report.
    fn read_view(body: &[u8]) -> Result<Self::View<'_>, ValidationError>;
}

/// An operation whose reply can be read in place: implemented in generated `views` modules
/// for every operation whose reply is one message with a view. A generated client's
/// `…_in_place` method, which a request answered by a single reply has (not a scatter-gather),
/// returns the reply as it arrived ([`crate::nats::ReplyInPlace`]), read so when asked.
pub trait ReplyView: crate::Operation {
    /// The reply's message, whose view [`crate::validate::view`] reads.
    type ReplyMessage: MessageView;
}

/// A body an enum over messages reads, its tag found: the text, its UTF-8 checked once for the
/// tag and the read that follows.
#[doc(hidden)]
#[derive(Debug)]
pub struct Tagged<'a> {
    text: &'a str,
    tag: Cow<'a, str>,
}

impl<'a> Tagged<'a> {
    /// The tag's value.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The body's text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The body read as message `M`'s view ([`crate::validate::view`]).
    pub fn view<M: MessageView>(&self) -> Result<M::View<'a>, ValidationError> {
        crate::validate::view_of_text::<M>(self.text)
    }

    /// The body of a message whose tag the spec does not know: any JSON object, kept as its
    /// text.
    pub fn unknown(&self, tag: &str) -> Result<Raw<'a>, ValidationError> {
        Reader::new(self.text)
            .read_all::<UnknownMessage<'a>>()
            .map(|message| message.0)
            .map_err(|Doubt| not_a_message(self.text.as_bytes(), tag))
    }
}

/// The tag of a body an enum over messages reads: the value of its top-level property `tag`,
/// found without reading further. A body whose text up to the tag is not JSON, or that names no
/// message, is an error; objects and arrays before the tag are passed by their brackets, and the
/// read of the message the tag names judges them (its report names the message).
#[doc(hidden)]
pub fn tag_in_place<'a>(body: &'a [u8], tag: &str) -> Result<Tagged<'a>, ValidationError> {
    let found = (body.len() <= crate::MAX_PAYLOAD_BYTES)
        .then(|| text_of(body))
        .flatten()
        .and_then(|text| {
            Some(Tagged {
                text,
                tag: Reader::tag(text, tag)?,
            })
        });
    found.ok_or_else(|| not_a_message(body, tag))
}

/// Any object, read strictly (syntax, repeated keys).
struct UnknownMessage<'a>(Raw<'a>);

impl<'a> View<'a> for UnknownMessage<'a> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.raw(types::OBJECT).map(Self)
    }
}

/// Why a body is no message an enum over messages knows: not JSON, too large, or not an object
/// with a string tag read strictly.
fn not_a_message(body: &[u8], tag: &str) -> ValidationError {
    if body.len() > crate::MAX_PAYLOAD_BYTES {
        return ValidationError::TooLarge {
            size: body.len(),
            limit: crate::MAX_PAYLOAD_BYTES,
        };
    }
    let reason = match crate::strict_json::parse(body) {
        Err(error) => return ValidationError::NotJson(error),
        Ok((_, repeated)) if !repeated.is_empty() => {
            format!("keys appear more than once: {}", repeated.join(", "))
        }
        Ok((value, _)) if value.get(tag).and_then(|t| t.as_str()).is_none() => {
            format!("the body is no JSON object with a string property `{tag}`")
        }
        Ok(_) => {
            "the body is nested too deep, or holds a number past what a double holds".to_owned()
        }
    };
    ValidationError::NoMessage {
        subject: String::new(),
        reason,
    }
}

/// A message's view, for tools and tests that know messages by their metadata.
#[derive(Debug, Clone, Copy)]
pub struct ViewInfo {
    /// The message.
    pub message: MessageInfo,
    /// Reads a body as the message's view ([`crate::validate::view`]) and encodes the view as
    /// JSON.
    pub to_value: fn(&[u8]) -> Result<serde_json::Value, ValidationError>,
    /// Whether the strict read alone, the fast path, takes the body (never one that holds a part
    /// of the schema the view keeps unchecked).
    pub fast_accepts: fn(&[u8]) -> bool,
    /// [`MessageView::IN_ONE_PASS`]: whether the view checks the whole schema as it reads.
    pub in_one_pass: bool,
    /// The payload built from the view, as validated decodes build it
    /// ([`Message::decode_checked`]), encoded as JSON: `None` where the strict read doubts the
    /// body, the view would not hand all of it over, or the payload type does not take the view.
    pub payload_value: fn(&[u8]) -> Option<serde_json::Value>,
    /// Whether the strict read takes the body and the view would hand all of it over to the
    /// payload type (no key a field does not take, no integer past 2^53 held as a double).
    pub hands_over: fn(&[u8]) -> bool,
    /// The validated decode ([`crate::validate::decode`]: through the view where it hands the
    /// body over, else from the text), encoded as JSON.
    pub decoded_value: fn(&[u8]) -> Result<serde_json::Value, ValidationError>,
}

impl ViewInfo {
    /// The view of message `M`.
    pub const fn of<M: MessageView>() -> Self {
        Self {
            message: M::INFO,
            to_value: to_value::<M>,
            fast_accepts: fast_accepts::<M>,
            in_one_pass: M::IN_ONE_PASS,
            payload_value: payload_value::<M>,
            hands_over: hands_over::<M>,
            decoded_value: decoded_value::<M>,
        }
    }
}

fn decoded_value<M: MessageView>(body: &[u8]) -> Result<serde_json::Value, ValidationError> {
    let payload = crate::validate::decode::<M>(body)?;
    serde_json::to_value(payload).map_err(|error| ValidationError::Decode {
        spec: M::INFO.spec,
        message: M::INFO.name,
        error,
    })
}

fn hands_over<M: MessageView>(body: &[u8]) -> bool {
    text_of(body).and_then(read_to_hand_over::<M>).is_some()
}

fn payload_value<M: MessageView>(body: &[u8]) -> Option<serde_json::Value> {
    let payload = M::decode_checked(text_of(body)?)?;
    serde_json::to_value(payload).ok()
}

fn to_value<M: MessageView>(body: &[u8]) -> Result<serde_json::Value, ValidationError> {
    let view = crate::validate::view::<M>(body)?;
    serde_json::to_value(&view).map_err(|error| ValidationError::Decode {
        spec: M::INFO.spec,
        message: M::INFO.name,
        error,
    })
}

fn fast_accepts<M: MessageView>(body: &[u8]) -> bool {
    read_strict::<M>(body).is_some()
}

/// The strict read of a body as `M`'s view: the view when the body is certainly valid.
pub(crate) fn read_strict<M: MessageView>(body: &[u8]) -> Option<M::View<'_>> {
    read_strict_text::<M>(text_of(body)?)
}

/// A body as text, if it is UTF-8: checked in vector registers where the processor has them.
pub(crate) fn text_of(body: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(body).ok()
}

/// [`read_strict_text`] of a view a payload type is to be built from: `None` also where the view
/// would not hand over the whole text (a key no field takes, an integer past 2^53 read as a
/// double).
pub(crate) fn read_to_hand_over<M: MessageView>(text: &str) -> Option<M::View<'_>> {
    strict_reader(text)?.read_all_to_hand_over().ok()
}

/// [`read_strict`] of a body whose UTF-8 was checked.
pub(crate) fn read_strict_text<M: MessageView>(text: &str) -> Option<M::View<'_>> {
    strict_reader(text)?.read_all().ok()
}

/// A strict reader of `text`, unless it is longer than a payload may be.
fn strict_reader(text: &str) -> Option<Reader<'_>> {
    (text.len() <= crate::MAX_PAYLOAD_BYTES).then(|| Reader::new(text))
}

/// A JSON value the schema leaves open, as the text it was written as (syntax and repeated keys
/// checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self(text)
    }

    /// The value's JSON text, as written.
    pub fn get(&self) -> &'a str {
        self.0
    }

    /// The value, parsed.
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(self.0)
    }
}

impl Serialize for Raw<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: serde_json::Value = serde_json::from_str(self.0).map_err(S::Error::custom)?;
        value.serialize(serializer)
    }
}

/// A JSON object read as a map, in place: checked whole (each key once, every value against its
/// schema) when its view was read, and kept as its text. Its entries, in the order of the text,
/// are read again from the text, by their type alone, each time they are asked for. A map holds
/// no allocation; a value that takes one (an array, a string with escapes) takes it on each read,
/// and [`Map::get`] reads the keys before the one it finds.
pub struct Map<'a, V> {
    text: &'a str,
    len: usize,
    values: PhantomData<fn() -> V>,
}

impl<'a, V> Map<'a, V> {
    pub(crate) fn new(text: &'a str, len: usize) -> Self {
        Self {
            text,
            len,
            values: PhantomData,
        }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The object's JSON text, as written.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The keys, in the order of the text.
    pub fn keys(&self) -> MapKeys<'a> {
        MapKeys {
            entries: Entries::new(self.text),
            left: self.len,
        }
    }
}

impl<'a, V: View<'a>> Map<'a, V> {
    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut entries = Entries::new(self.text);
        while let Some(k) = entries.key() {
            if k == key {
                return entries.value();
            }
            entries.skip()?;
        }
        None
    }

    /// The entries, in the order of the text.
    pub fn iter(&self) -> Iter<'a, V> {
        Iter {
            entries: Entries::new(self.text),
            left: self.len,
            values: PhantomData,
        }
    }

    /// The entries, owned by the caller.
    pub fn into_entries(self) -> Vec<(Cow<'a, str>, V)> {
        self.iter().collect()
    }
}

/// The entries of a [`Map`], each read from the text as it is reached.
#[derive(Debug)]
pub struct Iter<'a, V> {
    entries: Entries<'a>,
    left: usize,
    values: PhantomData<fn() -> V>,
}

impl<'a, V: View<'a>> Iterator for Iter<'a, V> {
    type Item = (Cow<'a, str>, V);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.entries.key()?;
        let value = self.entries.value()?;
        self.left = self.left.saturating_sub(1);
        Some((key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a, V: View<'a>> ExactSizeIterator for Iter<'a, V> {}

impl<'a, V: View<'a>> std::iter::FusedIterator for Iter<'a, V> {}

/// The keys of a [`Map`], each read from the text as it is reached, its value passed over.
#[derive(Debug)]
pub struct MapKeys<'a> {
    entries: Entries<'a>,
    left: usize,
}

impl<'a> Iterator for MapKeys<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.entries.key()?;
        self.entries.skip()?;
        self.left = self.left.saturating_sub(1);
        Some(key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for MapKeys<'_> {}

impl std::iter::FusedIterator for MapKeys<'_> {}

impl<'a, V: View<'a>> IntoIterator for &Map<'a, V> {
    type Item = (Cow<'a, str>, V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<V> Default for Map<'_, V> {
    fn default() -> Self {
        Self::new("{}", 0)
    }
}

// By hand: a map holds only text, which copies whatever `V` is.
impl<V> Clone for Map<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Map<'_, V> {}

impl<'a, V: View<'a> + fmt::Debug> fmt::Debug for Map<'a, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Maps are equal when their entries are, in the same order (as their texts have them).
impl<'a, V: View<'a> + PartialEq> PartialEq for Map<'a, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<'a, V: View<'a> + Eq> Eq for Map<'a, V> {}

impl<'a, V: View<'a> + Serialize> Serialize for Map<'a, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len))?;
        for (k, v) in self {
            map.serialize_entry(&k, &v)?;
        }
        map.end()
    }
}

// The values of maps, read again by their type alone (the schema checked them when the map was
// read): text, numbers, and what holds them.

impl<'a> View<'a> for Cow<'a, str> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.string()
    }
}

impl<'a> View<'a> for bool {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.boolean()
    }
}

impl<'a> View<'a> for f64 {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.number()
    }
}

macro_rules! integer_views {
    ($($t:ty),*) => {$(
        impl<'a> View<'a> for $t {
            fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
                let n = reader.integer()?;
                reader.fit(n)
            }
        }
    )*};
}

integer_views!(i8, u8, i16, u16, i32, u32, i64, u64);

impl<'a> View<'a> for Raw<'a> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.raw(types::ANY)
    }
}

impl<'a, T: View<'a>> View<'a> for Option<T> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.nullable(T::read)
    }
}

impl<'a, T: View<'a>> View<'a> for Vec<T> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.array(T::read)
    }
}

impl<'a, V: View<'a>> View<'a> for Map<'a, V> {
    fn read(reader: &mut Reader<'a>) -> Result<Self, Doubt> {
        reader.map(V::read)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::text_of;

    /// Bytes that are mostly text: ASCII runs long enough for the vector path, with UTF-8
    /// sequences good and bad (overlong, surrogates, past U+10FFFF, cut short) dropped in.
    fn mostly_text() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => "[ -~]{0,80}".prop_map(String::into_bytes),
            1 => "\\PC{1,4}".prop_map(String::into_bytes),
            1 => prop::sample::select(vec![
                vec![0xC0, 0xAF],
                vec![0xED, 0xA0, 0x80],
                vec![0xF4, 0x90, 0x80, 0x80],
                vec![0xF4, 0x8F, 0xBF, 0xBF],
                vec![0xE2, 0x82],
                vec![0x80],
                vec![0xFF],
            ]),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn text_is_utf8_as_the_standard_library_reads_it(body in mostly_text()) {
            prop_assert_eq!(text_of(&body), std::str::from_utf8(&body).ok());
        }
    }
}
