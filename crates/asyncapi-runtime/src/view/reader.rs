//! The JSON reader generated views decode with: one pass over the text. It allocates for arrays,
//! strings with escapes, and objects with many keys or keys with escapes (to find repeated ones);
//! every other string is borrowed, and a map is kept as its text.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Doubt, Map, Raw, View};
use crate::scan::{blank_run, blanks_end, ends_plain_run, nested_end, plain_run};

/// The most arrays and objects one inside the other that serde_json reads (it refuses the 128th:
/// "recursion limit exceeded"), so the reader does too, and no body can exhaust the stack.
const MAX_DEPTH: u32 = 127;

/// The items an array has room for when its first is read.
const FEW_ITEMS: usize = 4;

/// The keys of a map held in place and compared pairwise, up to this many; beyond, in a set.
const FEW_KEYS: usize = 8;

/// The keys an object of known fields has no field for held in place, up to this many.
const FEW_OTHERS: usize = 4;

/// A cursor over a JSON text whose UTF-8 was checked as a whole.
///
/// Generated [`View`] implementations call it value by value. In strict mode (the fast path)
/// every check of the schema is applied and the first that fails ends the read with [`Doubt`];
/// lenient mode applies only what the view's types need (the reference validator has already
/// judged the body).
#[derive(Debug)]
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
    strict: bool,
    /// Whether the text holds what a view does not hand over whole to a payload type
    /// (`payload.rs`): a key no field of a struct takes, which a payload type may keep (typify
    /// gathers an open object's other keys into a map), or an integer past 2^53 read as a
    /// double, which a payload type's `f32` would round a second time.
    held_back: bool,
}

impl<'a> Reader<'a> {
    /// A reader that checks the schema while it reads.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            depth: 0,
            strict: true,
            held_back: false,
        }
    }

    /// A reader that checks only what the types need: for a body the reference validator found
    /// valid where the strict read doubted it.
    pub fn lenient(text: &'a str) -> Self {
        Self {
            strict: false,
            ..Self::new(text)
        }
    }

    /// Reads the whole text as `T`: one value and nothing after it but whitespace.
    pub fn read_all<T: View<'a>>(mut self) -> Result<T, Doubt> {
        self.read_whole(T::read)
    }

    /// [`Self::read_all`] of a view a payload type is to be built from: it doubts too what
    /// the view would not hand over whole (`held_back`).
    pub(crate) fn read_all_to_hand_over<T: View<'a>>(mut self) -> Result<T, Doubt> {
        let value = self.read_whole(T::read)?;
        if self.held_back {
            return Err(Doubt);
        }
        Ok(value)
    }

    /// Reads the whole text by `read`: one value and nothing after it but whitespace.
    fn read_whole<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, Doubt>,
    ) -> Result<T, Doubt> {
        let value = read(self)?;
        self.ws();
        if self.at == self.text.len() {
            Ok(value)
        } else {
            Err(Doubt)
        }
    }

    /// The string value of the top-level property `tag` of an object, read only up to it:
    /// `None` when the text is not an object as far as that, or the tag is missing or not a
    /// string. The read that follows checks the whole body, the tag and its uniqueness included.
    pub fn tag(text: &'a str, tag: &str) -> Option<Cow<'a, str>> {
        let mut r = Self::new(text);
        r.eat(b'{').ok()?;
        r.enter().ok()?;
        if r.peek().ok()? == b'}' {
            return None;
        }
        loop {
            let key = r.string().ok()?;
            r.eat(b':').ok()?;
            if key == tag {
                return match r.peek().ok()? {
                    b'"' => r.string().ok(),
                    _ => None,
                };
            }
            // An object or array before the tag (`data`, where keys are sorted) is passed by its
            // brackets alone: the read that follows checks it.
            r.pass().ok()?;
            r.eat(b',').ok()?;
        }
    }

    /// A check of the schema: refuses the body when `ok` is false, unless the reader is lenient.
    #[inline]
    pub fn check(&self, ok: bool) -> Result<(), Doubt> {
        if ok || !self.strict {
            Ok(())
        } else {
            Err(Doubt)
        }
    }

    /// A required property's value; its absence refuses the body.
    #[inline]
    pub fn required<T>(&self, slot: Option<T>) -> Result<T, Doubt> {
        slot.ok_or(Doubt)
    }

    /// Reads a property's value into its slot; a key met twice refuses the body (receivers
    /// disagree on which value counts).
    #[inline]
    pub fn field<T>(
        &mut self,
        slot: &mut Option<T>,
        read: impl FnOnce(&mut Self) -> Result<T, Doubt>,
    ) -> Result<(), Doubt> {
        if slot.is_some() {
            return Err(Doubt);
        }
        *slot = Some(read(self)?);
        Ok(())
    }

    #[inline]
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn ws(&mut self) {
        let b = self.bytes();
        // Compact JSON has no whitespace between tokens: one look, nothing skipped.
        if b.get(self.at).is_some_and(|&c| c > b' ') {
            return;
        }
        self.at += blank_run(&b[self.at.min(b.len())..]);
    }

    #[inline]
    fn peek(&mut self) -> Result<u8, Doubt> {
        self.ws();
        self.bytes().get(self.at).copied().ok_or(Doubt)
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Result<(), Doubt> {
        if self.peek()? == c {
            self.at += 1;
            Ok(())
        } else {
            Err(Doubt)
        }
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> Result<(), Doubt> {
        if self.bytes().get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Doubt)
        }
    }

    fn enter(&mut self) -> Result<(), Doubt> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Doubt);
        }
        Ok(())
    }

    /// Whether the next value is `null` (then read).
    #[inline]
    pub fn null(&mut self) -> Result<bool, Doubt> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `null`, or a value read by `read`.
    #[inline]
    pub fn nullable<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, Doubt>,
    ) -> Result<Option<T>, Doubt> {
        if self.null()? {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A `true` or `false`.
    pub fn boolean(&mut self) -> Result<bool, Doubt> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| true),
            b'f' => self.literal(b"false").map(|()| false),
            _ => Err(Doubt),
        }
    }

    /// A string, borrowed from the text unless it has escapes.
    #[inline(always)]
    pub fn string(&mut self) -> Result<Cow<'a, str>, Doubt> {
        self.eat(b'"')?;
        let start = self.at;
        let len = plain_run(&self.bytes()[start..]);
        if self.bytes().get(start + len) == Some(&b'"') {
            self.at = start + len + 1;
            return Ok(Cow::Borrowed(&self.text[start..start + len]));
        }
        self.unusual_string(start, len)
    }

    /// A string that does not end where its plain run does: escapes, or text that is not JSON.
    /// Kept out of [`Self::string`], whose common case then needs few registers to save.
    #[cold]
    #[inline(never)]
    fn unusual_string(&mut self, start: usize, len: usize) -> Result<Cow<'a, str>, Doubt> {
        match self.bytes().get(start + len) {
            Some(b'\\') => self.escaped(start, len).map(Cow::Owned),
            // A control character, or the end of the text.
            _ => Err(Doubt),
        }
    }

    /// The rest of a string from its first escape, unescaped as serde_json does.
    fn escaped(&mut self, start: usize, len: usize) -> Result<String, Doubt> {
        let mut out = String::with_capacity(len + 16);
        out.push_str(&self.text[start..start + len]);
        self.at = start + len;
        loop {
            let b = self.bytes();
            match b.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let c = *b.get(self.at + 1).ok_or(Doubt)?;
                    self.at += 2;
                    out.push(match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(Doubt),
                    });
                }
                Some(_) => {
                    let run = plain_run(&b[self.at..]);
                    if run == 0 {
                        return Err(Doubt);
                    }
                    out.push_str(&self.text[self.at..self.at + run]);
                    self.at += run;
                }
                None => return Err(Doubt),
            }
        }
    }

    /// The character of a `\u` escape (the `\u` read), a surrogate pair taken whole; a lone
    /// surrogate is refused, as serde_json refuses it.
    fn unicode_escape(&mut self) -> Result<char, Doubt> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bytes().get(self.at..self.at + 2) != Some(b"\\u") {
                return Err(Doubt);
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(Doubt);
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or(Doubt)
    }

    fn hex4(&mut self) -> Result<u32, Doubt> {
        let digits = self.bytes().get(self.at..self.at + 4).ok_or(Doubt)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16).ok_or(Doubt)?;
        }
        self.at += 4;
        Ok(n)
    }

    /// The text of a number, checked against JSON's grammar, and whether it is written as an
    /// integer (no fraction, no exponent).
    fn number_text(&mut self) -> Result<(&'a str, bool), Doubt> {
        self.ws();
        let b = self.bytes();
        let start = self.at;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: usize| {
            b[i.min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let whole = digits(i);
        if whole == 0 || (whole > 1 && b[i] == b'0') {
            return Err(Doubt);
        }
        i += whole;
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            let fraction = digits(i + 1);
            if fraction == 0 {
                return Err(Doubt);
            }
            i += 1 + fraction;
            integer = false;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exponent = digits(i);
            if exponent == 0 {
                return Err(Doubt);
            }
            i += exponent;
            integer = false;
        }
        self.at = i;
        Ok((&self.text[start..i], integer))
    }

    /// An integer written plainly: typed receivers refuse `1.0`, `1e2` and `-0`, and so does
    /// this, in either mode.
    #[inline]
    pub fn integer(&mut self) -> Result<i128, Doubt> {
        // The common case in one pass over the digits: at most eighteen of them (they always
        // fit an i64), no leading zero, no `-0`, and no fraction, exponent or further digit after.
        self.ws();
        let b = self.bytes();
        let negative = b.get(self.at) == Some(&b'-');
        let first = self.at + usize::from(negative);
        let mut end = first;
        let mut n = 0i64;
        while let Some(&d) = b
            .get(end)
            .filter(|d| d.is_ascii_digit() && end - first < 18)
        {
            n = n * 10 + i64::from(d - b'0');
            end += 1;
        }
        let plain = match end - first {
            0 => false,
            1 => !(negative && n == 0),
            _ => b[first] != b'0',
        };
        if plain && !matches!(b.get(end), Some(b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.at = end;
            return Ok(i128::from(if negative { -n } else { n }));
        }
        self.any_integer()
    }

    /// [`Self::integer`] for what its common case does not take: long integers, and the
    /// numbers it refuses.
    #[cold]
    fn any_integer(&mut self) -> Result<i128, Doubt> {
        let (text, integer) = self.number_text()?;
        if !integer || text == "-0" {
            return Err(Doubt);
        }
        // Eighteen digits always fit an i64: the common case without the general parser.
        let (negative, digits) = match text.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, text),
        };
        if digits.len() <= 18 {
            let n = digits
                .bytes()
                .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            return Ok(i128::from(if negative { -n } else { n }));
        }
        text.parse().map_err(|_| Doubt)
    }

    /// An integer in the range of `T`, the view's type for it.
    #[inline]
    pub fn fit<T: TryFrom<i128>>(&self, n: i128) -> Result<T, Doubt> {
        T::try_from(n).map_err(|_| Doubt)
    }

    /// Any number, as the double serde_json reads it (its parser, not the standard library's,
    /// which may differ in the last bit: the view, the typed decode and the payload built from
    /// the view hold the same value); one too large for a double is refused, as serde_json
    /// refuses it.
    pub fn number(&mut self) -> Result<f64, Doubt> {
        let (text, integer) = self.number_text()?;
        let f: f64 = serde_json::from_str(text).map_err(|_| Doubt)?;
        // Past 2^53 an integer is rounded to the double; serde_json hands a payload type the
        // integer itself.
        self.held_back |= integer && f.abs() > 9_007_199_254_740_992.0;
        if f.is_finite() {
            Ok(f)
        } else {
            Err(Doubt)
        }
    }

    /// An object, each key's value read by `member`, which must read it (or refuse the body).
    #[inline]
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), Doubt>,
    ) -> Result<(), Doubt> {
        let mut more = self.open_object()?;
        while more {
            let key = self.string()?;
            self.colon()?;
            member(self, key)?;
            more = self.next_member()?;
        }
        Ok(())
    }

    /// An object of known fields, each member read by `member`. A key is first held, in place,
    /// against the name of the field that followed the one before last time (`fields` learns
    /// the order producers write), and read and looked up only if it is another.
    #[inline]
    pub fn fields<const N: usize>(
        &mut self,
        fields: &Fields<N>,
        mut member: impl FnMut(&mut Self, Member<'a>) -> Result<(), Doubt>,
    ) -> Result<(), Doubt> {
        let mut more = self.open_object()?;
        let mut before = None;
        while more {
            let predicted = fields.after(before);
            let found = if self.key_is(fields, predicted) {
                // Nothing to learn: the field came where it was expected.
                before = Some(predicted);
                Member::Field(predicted)
            } else {
                let key = self.string()?;
                match (fields.index)(&key) {
                    Some(i) if i < N => {
                        debug_assert_eq!(fields.names[i], key, "index agrees with names");
                        fields.learn(before, i);
                        before = Some(i);
                        Member::Field(i)
                    }
                    _ => Member::Other(key),
                }
            };
            self.colon()?;
            member(self, found)?;
            more = self.next_member()?;
        }
        Ok(())
    }

    /// Reads the `:` after a key, and the one space pretty printers write after it: both looked
    /// at together, where compact text has its value's first byte.
    #[inline]
    fn colon(&mut self) -> Result<(), Doubt> {
        match self.bytes().get(self.at..self.at + 2) {
            Some(&[b':', next]) => {
                self.at += if next == b' ' { 2 } else { 1 };
                Ok(())
            }
            // Whitespace before the colon, or the text's end.
            _ => self.eat(b':'),
        }
    }

    /// Reads an object's `{`: whether a member follows (else the object was `{}`, read whole).
    #[inline]
    fn open_object(&mut self) -> Result<bool, Doubt> {
        self.eat(b'{')?;
        self.enter()?;
        if self.peek()? == b'}' {
            self.at += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Reads what follows a member's value: whether another member follows, or the object's
    /// `}`.
    #[inline]
    fn next_member(&mut self) -> Result<bool, Doubt> {
        match self.peek()? {
            b',' => {
                self.at += 1;
                // A key must follow, not the end of the object.
                if self.peek()? != b'"' {
                    return Err(Doubt);
                }
                Ok(true)
            }
            b'}' => {
                self.at += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(Doubt),
        }
    }

    /// Whether the key where the reader stands is the name of field `i`, written as it is (no
    /// escapes): then read.
    #[inline]
    fn key_is<const N: usize>(&mut self, fields: &Fields<N>, i: usize) -> bool {
        let Some(key) = fields.keys.get(i).filter(|key| key.plain) else {
            return false;
        };
        let (b, at, len) = (self.bytes(), self.at, key.len);
        let word = |at: usize| b.get(at..)?.first_chunk().map(|w| u64::from_le_bytes(*w));
        let is = match word(at) {
            // Up to sixteen bytes, quotes included, as one or two words (the second ending where
            // the key does, over the first if it is shorter).
            Some(head) if len <= 16 => {
                head & key.mask == key.head
                    && (len <= 8 || word(at + len - 8).is_some_and(|tail| tail == key.tail))
            }
            _ => {
                let name = fields.names[i].as_bytes();
                b.get(at) == Some(&b'"')
                    && b.get(at + len - 1) == Some(&b'"')
                    && b.get(at + 1..at + len - 1) == Some(name)
            }
        };
        if is {
            self.at = at + len;
        }
        is
    }

    /// An array, each item read by `item`.
    #[inline]
    pub fn array<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, Doubt>,
    ) -> Result<Vec<T>, Doubt> {
        self.eat(b'[')?;
        self.enter()?;
        if self.peek()? == b']' {
            self.at += 1;
            self.depth -= 1;
            return Ok(Vec::new());
        }
        // Room for the few items most arrays have, taken before the first (not through the
        // growth path on pushing it).
        let mut items = Vec::with_capacity(FEW_ITEMS);
        loop {
            items.push(item(self)?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(items);
                }
                _ => return Err(Doubt),
            }
        }
    }

    /// An object whose every value is read by `value`: checked whole here, each key once, and
    /// kept as its text, which the [`Map`] reads again, by `V`'s [`View`], when it is asked for
    /// its entries. `value` must take what `V::read` takes, its schema's checks on top (debug
    /// builds hold it to that). Its keys are held in place (a set past a few keys, or for a key
    /// with escapes); what `value` allocates, it allocates while checking.
    pub fn map<V: View<'a>>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> Result<V, Doubt>,
    ) -> Result<Map<'a, V>, Doubt> {
        self.ws();
        let start = self.at;
        let mut keys = Keys::<FEW_KEYS>::default();
        let mut len = 0;
        self.object(|r, key| {
            keys.first_time(key)?;
            #[cfg(debug_assertions)]
            let at = r.at;
            value(r)?;
            #[cfg(debug_assertions)]
            r.assert_read_again_as::<V>(at);
            len += 1;
            Ok(())
        })?;
        Ok(Map::new(&self.text[start..self.at], len))
    }

    /// [`Self::map`] of strings that have no checks of their own (`map(|r| r.string())`), the
    /// map most schemas hold (annotations, labels, config): read in one loop over its text, its
    /// keys compared as bytes, when every key and value is written plainly (no escapes) and its
    /// keys are few; any other map is read by [`Self::map`], from its start, which judges it.
    pub fn string_map(&mut self) -> Result<Map<'a, Cow<'a, str>>, Doubt> {
        self.ws();
        let start = self.at;
        // The map's own level must be one the reader may enter.
        if self.depth < MAX_DEPTH {
            if let Some((end, len)) = plain_string_map(self.bytes(), start) {
                self.at = end;
                return Ok(Map::new(&self.text[start..end], len));
            }
        }
        self.map(|r| r.string())
    }

    /// That `V`, read leniently from `at`, ends where the reader stands: a map's entries are read
    /// again so.
    #[cfg(debug_assertions)]
    fn assert_read_again_as<V: View<'a>>(&self, at: usize) {
        let mut again = Reader {
            at,
            depth: self.depth,
            ..Reader::lenient(self.text)
        };
        assert!(
            V::read(&mut again).is_ok() && again.at == self.at,
            "a map's value is read again by its type as its reader read it"
        );
    }

    /// Any value whose JSON type is among `types` (bits of [`super::types`]), kept as its text.
    /// Its objects' keys are checked for repetitions, like every other object's.
    pub fn raw(&mut self, types: u8) -> Result<Raw<'a>, Doubt> {
        let start = {
            self.ws();
            self.at
        };
        let found = self.skip()?;
        self.check(types & found != 0)?;
        Ok(Raw::new(&self.text[start..self.at]))
    }

    /// [`Self::raw`] of types that include `integer` but not `number`: an integer must be
    /// written plainly and fit `T`, the payload type's integer, in either mode (receivers refuse
    /// `1.0`, `-0` and what does not fit, though JSON Schema takes them for integers), and meet
    /// the schema's bounds (`bounds`) when the reader is strict.
    pub fn raw_integer_fitting<T: TryFrom<i128>>(
        &mut self,
        types: u8,
        bounds: impl FnOnce(i128) -> bool,
    ) -> Result<Raw<'a>, Doubt> {
        self.ws();
        let start = self.at;
        if !matches!(self.bytes().get(start), Some(b'-' | b'0'..=b'9')) {
            return self.raw(types);
        }
        let n = self.integer()?;
        self.check(bounds(n))?;
        self.fit::<T>(n)?;
        Ok(Raw::new(&self.text[start..self.at]))
    }

    /// A value whose schema no view checks in place, kept as its text: the strict read doubts
    /// it, so the reference validator judges the body; the lenient read that follows keeps it.
    pub fn unchecked(&mut self) -> Result<Raw<'a>, Doubt> {
        self.check(false)?;
        self.raw(super::types::ANY)
    }

    /// Passes a value whose objects and arrays are checked elsewhere: those by their brackets
    /// alone, anything else as [`Self::skip`] reads it (a string as a field's value is read).
    #[inline(always)]
    fn pass(&mut self) -> Result<(), Doubt> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                self.at += nested_end(&self.bytes()[self.at..]).ok_or(Doubt)?;
                Ok(())
            }
            _ => self.skip().map(drop),
        }
    }

    /// Skips a value, checking its syntax and its objects' keys; returns its type's bit.
    fn skip(&mut self) -> Result<u8, Doubt> {
        use super::types;
        Ok(match self.peek()? {
            b'{' => {
                let mut keys = Keys::<FEW_KEYS>::default();
                self.object(|r, key| {
                    keys.first_time(key)?;
                    r.skip().map(drop)
                })?;
                types::OBJECT
            }
            b'[' => {
                self.eat(b'[')?;
                self.enter()?;
                if self.peek()? == b']' {
                    self.at += 1;
                } else {
                    loop {
                        self.skip()?;
                        match self.peek()? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(Doubt),
                        }
                    }
                }
                self.depth -= 1;
                types::ARRAY
            }
            b'"' => self.string().map(|_| types::STRING)?,
            b't' | b'f' => self.boolean().map(|_| types::BOOL)?,
            b'n' => self.literal(b"null").map(|()| types::NULL)?,
            _ => {
                let (text, integer) = self.number_text()?;
                // serde_json holds an integer in 64 bits, or else as a double, as it holds
                // `-0`: such numbers (and `1.0`, an integer to JSON Schema) are not taken for
                // integers here, so a value that must be one goes to the reference validator.
                let fits = integer
                    && text != "-0"
                    && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok());
                // A number too large for a double is not JSON to serde_json.
                if !fits && !text.parse::<f64>().is_ok_and(f64::is_finite) {
                    return Err(Doubt);
                }
                if fits {
                    types::INTEGER
                } else {
                    types::NUMBER & !types::INTEGER
                }
            }
        })
    }

    /// Skips the value of a key the view has no field for, after checking the key was not met
    /// before among such keys.
    pub fn other(&mut self, others: &mut Keys<'a>, key: Cow<'a, str>) -> Result<(), Doubt> {
        others.first_time(key)?;
        self.held_back = true;
        self.skip().map(drop)
    }
}

/// Where the object at `at` ends, and how many members it has, when it is a map that
/// [`Reader::map`] of strings takes: its keys and values strings without escapes or control
/// characters, its keys `FEW_KEYS` at most and none twice. `None` for any other text, which may
/// still be such a map (keys with escapes, or many of them): the general read decides.
fn plain_string_map(b: &[u8], at: usize) -> Option<(usize, usize)> {
    if b.get(at) != Some(&b'{') {
        return None;
    }
    let mut at = blanks_end(b, at + 1);
    if b.get(at) == Some(&b'}') {
        return Some((at + 1, 0));
    }
    let mut keys: [&[u8]; FEW_KEYS] = [&[]; FEW_KEYS];
    let mut len = 0;
    loop {
        let (key, after) = plain_string(b, at)?;
        if len == FEW_KEYS || keys[..len].contains(&key) {
            return None;
        }
        keys[len] = key;
        len += 1;
        at = blanks_end(b, after);
        if b.get(at) != Some(&b':') {
            return None;
        }
        at = blanks_end(b, at + 1);
        let (_, after) = plain_string(b, at)?;
        at = blanks_end(b, after);
        match b.get(at)? {
            b',' => at = blanks_end(b, at + 1),
            b'}' => return Some((at + 1, len)),
            _ => return None,
        }
    }
}

/// The string whose opening quote is at `at`, when it has no escape or control character: its
/// content, and the index past its closing quote.
#[inline]
fn plain_string(b: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let rest = b.get(at + 1..)?;
    let len = plain_run(rest);
    (rest.get(len) == Some(&b'"')).then(|| (&rest[..len], at + len + 2))
}

/// The fields of an object a generated view reads with [`Reader::fields`]: their names, how to
/// find a key among them, and which field followed which in the bodies read so far.
///
/// What it learns only decides which name a key is compared with first, never whether a body is
/// taken: a body reads the same whatever came before it, on any thread.
#[derive(Debug)]
pub struct Fields<const N: usize> {
    names: [&'static str; N],
    keys: [Key; N],
    index: fn(&str) -> Option<usize>,
    /// The field that followed field `i` last time (`N`: none yet, or none).
    next: [AtomicUsize; N],
    /// The field that came first.
    first: AtomicUsize,
}

/// A field's name as a key written without escapes, quotes included, as the reader compares it:
/// its first eight bytes and last eight as little-endian words.
#[derive(Debug, Clone, Copy)]
struct Key {
    /// Whether the name needs no escape in JSON (no quote, backslash or control character), so
    /// that text equal to it is that key.
    plain: bool,
    len: usize,
    head: u64,
    /// The bytes of `head` that are the key's: all, unless it is shorter than eight.
    mask: u64,
    tail: u64,
}

impl Key {
    const fn of(name: &str) -> Self {
        let name = name.as_bytes();
        let len = name.len() + 2;
        // Byte `i` of the key: a quote, the name, a quote.
        const fn at(name: &[u8], i: usize) -> u8 {
            if i == 0 || i == name.len() + 1 {
                b'"'
            } else {
                name[i - 1]
            }
        }
        let mut plain = true;
        let (mut head, mut tail) = (0u64, 0u64);
        let mut i = 0;
        while i < len {
            let c = at(name, i);
            if (i > 0 && i + 1 < len) && ends_plain_run(c) {
                plain = false;
            }
            if i < 8 {
                head |= (c as u64) << (8 * i);
            }
            if len >= 8 && i >= len - 8 {
                tail |= (c as u64) << (8 * (i + 8 - len));
            }
            i += 1;
        }
        let mask = if len >= 8 {
            u64::MAX
        } else {
            (1 << (8 * len)) - 1
        };
        Self {
            plain,
            len,
            head,
            mask,
            tail,
        }
    }
}

impl<const N: usize> Fields<N> {
    /// The fields `names`; `index` finds a key among them (`names[index(key)] == key`).
    pub const fn new(names: [&'static str; N], index: fn(&str) -> Option<usize>) -> Self {
        let mut keys = [Key::of(""); N];
        // Before anything is learned, the order of `names`.
        let mut next = [const { AtomicUsize::new(0) }; N];
        let mut i = 0;
        while i < N {
            keys[i] = Key::of(names[i]);
            next[i] = AtomicUsize::new(i + 1);
            i += 1;
        }
        Self {
            names,
            keys,
            index,
            next,
            first: AtomicUsize::new(0),
        }
    }

    fn slot(&self, before: Option<usize>) -> &AtomicUsize {
        before.map_or(&self.first, |i| &self.next[i])
    }

    /// The field expected after field `before` (`None`: first).
    #[inline]
    fn after(&self, before: Option<usize>) -> usize {
        self.slot(before).load(Ordering::Relaxed)
    }

    /// Notes that field `i` came after field `before`. Written only when it changes: readers on
    /// other threads keep the line in their caches.
    #[inline]
    fn learn(&self, before: Option<usize>, i: usize) {
        let slot = self.slot(before);
        if slot.load(Ordering::Relaxed) != i {
            slot.store(i, Ordering::Relaxed);
        }
    }
}

/// A member of an object that [`Reader::fields`] reads: one of its fields by index, or another
/// key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member<'a> {
    /// The field at this index of [`Fields`].
    Field(usize),
    /// A key that names no field.
    Other(Cow<'a, str>),
}

/// The keys of one object met so far, to refuse a repeated one: the first `N` written plainly held
/// in place and compared pairwise, with no allocation; a key with escapes, or one past them,
/// moves them all into a set (an object of many keys must not cost their square). An object of
/// known fields holds its other keys in one of these (`N` of them in place: producers seldom add
/// more), a map its keys.
#[derive(Debug)]
pub struct Keys<'a, const N: usize = FEW_OTHERS> {
    few: [&'a str; N],
    len: usize,
    many: Option<HashSet<Cow<'a, str>>>,
}

impl<const N: usize> Default for Keys<'_, N> {
    fn default() -> Self {
        Self {
            few: [""; N],
            len: 0,
            many: None,
        }
    }
}

impl<'a, const N: usize> Keys<'a, N> {
    #[inline]
    fn first_time(&mut self, key: Cow<'a, str>) -> Result<(), Doubt> {
        match (&self.many, key) {
            (None, Cow::Borrowed(key)) if self.len < N => {
                if self.few[..self.len].contains(&key) {
                    return Err(Doubt);
                }
                self.few[self.len] = key;
                self.len += 1;
                Ok(())
            }
            (_, key) => self.first_time_in_set(key),
        }
    }

    #[cold]
    fn first_time_in_set(&mut self, key: Cow<'a, str>) -> Result<(), Doubt> {
        let few = &self.few[..self.len];
        let set = self
            .many
            .get_or_insert_with(|| few.iter().map(|&k| Cow::Borrowed(k)).collect());
        if set.insert(key) {
            Ok(())
        } else {
            Err(Doubt)
        }
    }
}

/// A map's entries read again from its text (checked whole when the map was read), one at a
/// time, leniently: a key, then its value read or skipped. Once it finds no entry, it finds none
/// again.
#[derive(Debug)]
pub(crate) struct Entries<'a> {
    reader: Reader<'a>,
    opened: bool,
    done: bool,
}

impl<'a> Entries<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            reader: Reader::lenient(text),
            opened: false,
            done: false,
        }
    }

    /// The next key, the reader then at its value, which must be read or skipped before the next
    /// key is asked for. `None` after the last.
    pub(crate) fn key(&mut self) -> Option<Cow<'a, str>> {
        let key = self.next_key();
        self.done |= key.is_none();
        key
    }

    fn next_key(&mut self) -> Option<Cow<'a, str>> {
        if self.done {
            return None;
        }
        let r = &mut self.reader;
        let more = if self.opened {
            r.next_member()
        } else {
            self.opened = true;
            r.open_object()
        };
        if !more.ok()? {
            return None;
        }
        let key = r.string().ok()?;
        r.colon().ok()?;
        Some(key)
    }

    /// The value after the key just read, by its type. `None` only if the text is not what the
    /// map read, which it is.
    pub(crate) fn value<V: View<'a>>(&mut self) -> Option<V> {
        let value = V::read(&mut self.reader).ok();
        self.done |= value.is_none();
        value
    }

    /// Passes the value after the key just read (the map's read checked it).
    pub(crate) fn skip(&mut self) -> Option<()> {
        let passed = self.reader.pass().ok();
        self.done |= passed.is_none();
        passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unescaped_as_serde_json_does() {
        for text in [
            r#""plain""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u6f22\ud83d\ude00""#,
            r#""tail after escape \n and more text here""#,
        ] {
            let ours = Reader::new(text).string().unwrap();
            let theirs: String = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in [
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\x""#,
            "\"a\nb\"",
            r#""unterminated"#,
            r#""\u12""#,
        ] {
            assert!(Reader::new(bad).string().is_err(), "{bad}");
            assert!(serde_json::from_str::<String>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_follow_json_grammar_and_integers_are_written_plainly() {
        for good in ["0", "-1", "12", "170141183460469231731687303715884105727"] {
            assert_eq!(
                Reader::new(good).integer().unwrap(),
                good.parse::<i128>().unwrap()
            );
        }
        for refused in [
            "01", "-", "1.", ".5", "1e", "1.0", "1e2", "-0", "+1", "1E+2",
        ] {
            assert!(Reader::new(refused).integer().is_err(), "{refused}");
        }
        for good in ["0.5", "-1.25e-3", "1E+2", "3"] {
            assert_eq!(
                Reader::new(good).number().unwrap(),
                good.parse::<f64>().unwrap()
            );
        }
        assert!(Reader::new("1e400").number().is_err());
    }

    #[test]
    fn integers_of_every_length_read_the_same_by_either_path() {
        // Around the eighteen digits the one-pass case takes, with what may follow a number.
        let mut texts = vec![
            "00".to_owned(),
            "-00".to_owned(),
            "-".to_owned(),
            "0.0".to_owned(),
        ];
        for len in 1..=22 {
            for lead in ["1", "9", "0"] {
                let digits = format!("{lead}{}", "7".repeat(len - 1));
                for sign in ["", "-"] {
                    for after in ["", ",", "}", " ", ".5", "e3", "E-1"] {
                        texts.push(format!("{sign}{digits}{after}"));
                    }
                }
            }
        }
        for text in &texts {
            let mut r = Reader::new(text);
            let ours = r.integer().ok().map(|n| (n, r.at));
            let number = text.trim_end_matches([',', '}', ' ']);
            let digits = number.strip_prefix('-').unwrap_or(number);
            let plain = !digits.is_empty()
                && digits.bytes().all(|d| d.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'))
                && number != "-0";
            let expected = plain
                .then(|| number.parse::<i128>().ok())
                .flatten()
                .map(|n| (n, number.len()));
            assert_eq!(ours, expected, "{text}");
        }
    }

    /// Fields of each length the reader compares differently (up to eight bytes with quotes,
    /// up to sixteen, more), and one with a quote, never compared in place.
    static FIELDS: Fields<5> = Fields::new(
        [
            "name",
            "na\"me",
            "friendly_name",
            "a_name_longer_than_sixteen",
            "tags",
        ],
        |key| match key {
            "name" => Some(0),
            "na\"me" => Some(1),
            "friendly_name" => Some(2),
            "a_name_longer_than_sixteen" => Some(3),
            "tags" => Some(4),
            _ => None,
        },
    );

    /// The members of an object read by [`Reader::fields`], or by [`Reader::object`] with the
    /// keys looked up, each with its value's text.
    fn members<'a>(text: &'a str, in_place: bool) -> Option<Vec<(Member<'a>, &'a str)>> {
        let mut r = Reader::new(text);
        let mut out = Vec::new();
        let mut read = |r: &mut Reader<'a>, member| {
            let value = r.raw(super::super::types::ANY)?;
            out.push((member, value.get()));
            Ok(())
        };
        let read = if in_place {
            r.fields(&FIELDS, &mut read)
        } else {
            r.object(|r, key| {
                let member = match (FIELDS.index)(&key) {
                    Some(i) => Member::Field(i),
                    None => Member::Other(key),
                };
                read(r, member)
            })
        };
        read.ok()?;
        r.ws();
        (r.at == text.len()).then_some(out)
    }

    /// Names of eight, nine, sixteen and seventeen bytes with their quotes: the edges of one
    /// word, and of two.
    static EDGES: Fields<4> = Fields::new(
        ["abcdef", "abcdefg", "abcdefghijklmn", "abcdefghijklmno"],
        |key| match key {
            "abcdef" => Some(0),
            "abcdefg" => Some(1),
            "abcdefghijklmn" => Some(2),
            "abcdefghijklmno" => Some(3),
            _ => None,
        },
    );

    #[test]
    fn keys_at_the_edges_of_a_word_are_taken_in_place_and_only_whole() {
        for (i, key) in EDGES.names.iter().enumerate() {
            for after in [":1234567890}", ""] {
                let text = format!("\"{key}\"{after}");
                assert!(Reader::new(&text).key_is(&EDGES, i), "{text}");
                // One byte off anywhere in the key, or one more before its closing quote.
                for at in 0..key.len() + 2 {
                    let mut wrong = text.clone().into_bytes();
                    wrong[at] ^= 0x01;
                    let wrong = String::from_utf8(wrong).unwrap();
                    assert!(!Reader::new(&wrong).key_is(&EDGES, i), "{wrong}");
                }
                let longer = format!("\"{key}x\"{after}");
                assert!(!Reader::new(&longer).key_is(&EDGES, i), "{longer}");
            }
        }
    }

    #[test]
    fn keys_written_plainly_are_taken_in_place_at_every_length() {
        for (i, key) in [
            (0, "name"),
            (2, "friendly_name"),
            (3, "a_name_longer_than_sixteen"),
            (4, "tags"),
        ] {
            // With a whole word of text after the key, and at the very end.
            for after in [":1234567890}", ""] {
                let text = format!("\"{key}\"{after}");
                let mut r = Reader::new(&text);
                assert!(r.key_is(&FIELDS, i), "{text}");
                assert_eq!(r.at, key.len() + 2, "{text}");
                let mut r = Reader::new(&text);
                assert!(!r.key_is(&FIELDS, (i + 1) % 5), "{text}");
                assert_eq!(r.at, 0);
            }
        }
        // The name with a quote is never compared in place.
        assert!(!Reader::new(r#""na\"me":1"#).key_is(&FIELDS, 1));
    }

    #[test]
    fn fields_read_what_the_object_reads_whatever_order_was_learned() {
        let keys = [
            r#""name""#,
            r#""na\"me""#,
            r#""friendly_name""#,
            r#""a_name_longer_than_sixteen""#,
            r#""tags""#,
            r#""friendly_namf""#,
            r#""a_name_longer_than_sixteeN""#,
            r#""friendly_name "#,
            r#""n\u0061me""#,
            r#""nam""#,
            r#""names""#,
            r#""other""#,
            r#"  "tags" "#,
        ];
        let mut texts = vec![
            "{}".to_owned(),
            "{ }".to_owned(),
            r#"{"name""#.to_owned(),
            r#"{"name":1,}"#.to_owned(),
            r#"{"name" 1}"#.to_owned(),
            r#"{"na"me":1}"#.to_owned(),
            r#"{"name":1"#.to_owned(),
            r#"{"friendly_name""#.to_owned(),
            r#"{"a_name_longer_than_sixteen""#.to_owned(),
            r#"{"a_name_longer_than_sixteen"}"#.to_owned(),
        ];
        // Every ordered pair and triple of keys, one after the other: each read starts from
        // what the reads before it taught the fields.
        for a in keys {
            for b in keys {
                texts.push(format!("{{{a}:1,{b}:[2]}}"));
                for c in keys {
                    texts.push(format!("{{{a}:1, {b}:\"x\",{c} : {{\"name\":3}}}}"));
                }
            }
        }
        for text in &texts {
            // Taught first that each field comes first.
            for lead in &keys[..5] {
                members(&format!("{{{lead}:0}}"), true);
                assert_eq!(members(text, true), members(text, false), "{text}");
            }
        }
        // Read in another order after one was learned, the same body gives the same members.
        let body = r#"{"tags":1,"name":2,"other":3}"#;
        let first = members(body, true);
        for text in &texts {
            members(text, true);
            assert_eq!(members(body, true), first);
        }
        assert_eq!(
            first.unwrap(),
            [
                (Member::Field(4), "1"),
                (Member::Field(0), "2"),
                (Member::Other("other".into()), "3")
            ]
        );
    }

    #[test]
    fn repeated_keys_are_refused_in_skipped_values_too() {
        let mut r = Reader::new(r#"{"a": {"x": 1, "x": 2}}"#);
        assert!(r.raw(super::super::types::ANY).is_err());
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let unique = format!("{{{}}}", many.join(","));
        assert!(Reader::new(&unique).raw(super::super::types::ANY).is_ok());
        let repeated = format!("{{{}, \"k3\": 0}}", many.join(","));
        assert!(Reader::new(&repeated)
            .raw(super::super::types::ANY)
            .is_err());
    }

    /// A map of strings read from `text` (whole), or `None` where the read doubts it.
    fn string_map(text: &str) -> Option<Map<'_, Cow<'_, str>>> {
        Reader::new(text).read_whole(|r| r.map(|r| r.string())).ok()
    }

    #[test]
    fn a_map_is_kept_as_its_text_and_read_again_as_serde_json_reads_it() {
        let text = "{ \"b\" : \"x\",\n  \"a\\u0041\": \"tab\\there\", \"\": \"\" }";
        let map = string_map(text).unwrap();
        assert_eq!(map.as_str(), text.trim());
        assert_eq!(map.len(), 3);
        let entries: Vec<(Cow<str>, Cow<str>)> = map.iter().collect();
        assert_eq!(
            entries,
            [
                (Cow::from("b"), Cow::from("x")),
                ("aA".into(), "tab\there".into()),
                ("".into(), "".into())
            ]
        );
        assert!(
            matches!(entries[0].1, Cow::Borrowed("x")),
            "plain text borrowed"
        );
        assert_eq!(map.get("aA").as_deref(), Some("tab\there"));
        assert_eq!(map.get("").as_deref(), Some(""));
        assert_eq!(map.get("a"), None);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "aA", ""]);
        assert_eq!(map.iter().len(), 3);
        assert_eq!(
            serde_json::to_value(map).unwrap(),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        assert_eq!(
            map,
            string_map(r#"{"b":"x","aA":"tab\there","":""}"#).unwrap()
        );
        assert_ne!(
            map,
            string_map(r#"{"aA":"tab\there","b":"x","":""}"#).unwrap()
        );
        assert_eq!(
            format!("{map:?}"),
            r#"{"b": "x", "aA": "tab\there", "": ""}"#
        );
        let empty = string_map("{}").unwrap();
        assert!(empty.is_empty() && empty.iter().next().is_none());
        assert_eq!(empty, Map::default());
    }

    #[test]
    fn a_map_of_maps_reads_its_values_again_by_their_type() {
        let text = r#"{"x": {"n": [1, 2], "m": null}, "y": {}}"#;
        type Inner<'a> = Map<'a, Option<Vec<u8>>>;
        let read = |r: &mut Reader<'static>| -> Result<Map<'static, Inner<'static>>, Doubt> {
            r.map(|r| {
                r.map(|r| {
                    let items = r.nullable(|r| r.array(|r| r.integer().and_then(|n| r.fit(n))))?;
                    r.check(items.as_ref().is_none_or(|items| items.len() < 2))?;
                    Ok(items)
                })
            })
        };
        // Strict, the array of two is refused; lenient, it is read, and read again by its type.
        assert!(Reader::new(text).read_whole(read).is_err());
        let map = Reader::lenient(text).read_whole(read).unwrap();
        let x = map.get("x").unwrap();
        assert_eq!(x.get("n"), Some(Some(vec![1, 2])));
        assert_eq!(x.get("m"), Some(None));
        assert_eq!(map.get("y").map(|y| y.len()), Some(0));
        assert_eq!(
            serde_json::to_value(map).unwrap(),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "read again by its type")]
    fn a_map_whose_value_reader_takes_what_its_type_does_not_is_caught_in_debug_builds() {
        let read = |r: &mut Reader<'static>| r.map(|r| r.number().map(|x| x as i64));
        let _ = Reader::new(r#"{"a": 1.5}"#).read_whole(read);
    }

    #[test]
    fn a_map_iterator_counts_down_and_once_out_stays_out() {
        let map = string_map(r#"{"a": "x", "b": "y"}"#).unwrap();
        let mut entries = map.iter();
        assert_eq!(entries.len(), 2);
        assert!(entries.next().is_some());
        assert_eq!(entries.len(), 1);
        assert!(entries.next().is_some());
        assert_eq!(entries.len(), 0);
        assert!(entries.next().is_none() && entries.next().is_none());
        let mut keys = map.keys();
        assert_eq!(keys.size_hint(), (2, Some(2)));
        assert_eq!(keys.next().as_deref(), Some("a"));
        assert_eq!(keys.len(), 1);
        assert_eq!(keys.next().as_deref(), Some("b"));
        assert_eq!(keys.len(), 0);
        assert!(keys.next().is_none() && keys.next().is_none());
    }

    /// The other keys of an object of no known fields read from `text` (whole), or `None`
    /// where the read doubts it.
    fn others(text: &str) -> Option<usize> {
        let mut others = Keys::default();
        let mut n = 0;
        Reader::new(text)
            .read_whole(|r| {
                r.object(|r, key| {
                    n += 1;
                    r.other(&mut others, key)
                })
            })
            .ok()
            .map(|()| n)
    }

    #[test]
    fn a_repeated_key_is_refused_however_it_is_written_and_however_many_keys_come_before() {
        for text in [
            r#"{"a": "1", "a": "2"}"#,
            r#"{"a": "1", "\u0061": "2"}"#,
            r#"{"\u0061": "1", "a": "2"}"#,
            r#"{"\u0061": "1", "b": "", "\u0061": "2"}"#,
        ] {
            assert!(string_map(text).is_none(), "{text}");
            assert!(others(text).is_none(), "{text}");
        }
        let edges = [FEW_OTHERS, FEW_KEYS];
        for n in edges.into_iter().flat_map(|e| [e - 1, e, e + 1, 3 * e]) {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\": \"{i}\"")).collect();
            let unique = format!("{{{}}}", keys.join(","));
            assert_eq!(string_map(&unique).map(|m| m.len()), Some(n), "{n} keys");
            assert_eq!(others(&unique), Some(n), "{n} keys");
            for repeated in [0, n - 1] {
                let plain = format!("{{{}, \"k{repeated}\": \"\"}}", keys.join(","));
                let escaped = format!("{{{}, \"\\u006b{repeated}\": \"\"}}", keys.join(","));
                for text in [plain, escaped] {
                    assert!(string_map(&text).is_none(), "{text}");
                    assert!(others(&text).is_none(), "{text}");
                }
            }
        }
    }

    /// `key` as a JSON string, each character escaped where `escaped` says (and where JSON
    /// needs it).
    fn json_key(key: &str, escaped: &[bool]) -> String {
        let mut out = String::from("\"");
        for (i, c) in key.chars().enumerate() {
            if escaped.get(i).copied().unwrap_or(false) || matches!(c, '"' | '\\' | '\0'..='\x1f') {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            } else {
                out.push(c);
            }
        }
        out + "\""
    }

    proptest::proptest! {
        /// An object is refused for a repeated key exactly when two of its keys read the same,
        /// however they are written and however many there are: as a map, as the other keys of
        /// an object of known fields, and as a value kept as text. A map's keys and values read
        /// again as they were written.
        #[test]
        fn repeated_keys_are_refused_exactly(
            keys in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["a", "b", "", "é", "😀x", "k1", "k10", "tab\t", "q\""]),
                    proptest::collection::vec(proptest::bool::ANY, 0..4),
                ),
                0..20,
            ),
            spaced in proptest::bool::ANY,
        ) {
            let gap = if spaced { "\n  " } else { "" };
            let members: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, (key, escaped))| format!("{gap}{}:{gap}\"{i}\"", json_key(key, escaped)))
                .collect();
            let text = format!("{{{}{gap}}}", members.join(","));
            let mut seen = HashSet::new();
            let unique = keys.iter().all(|(key, _)| seen.insert(*key));
            let map = string_map(&text);
            proptest::prop_assert_eq!(map.is_some(), unique);
            proptest::prop_assert_eq!(others(&text).is_some(), unique);
            let raw = Reader::new(&text).read_whole(|r| r.raw(super::super::types::ANY));
            proptest::prop_assert_eq!(raw.is_ok(), unique);
            if let Some(map) = map {
                let read: Vec<(Cow<str>, Cow<str>)> = map.iter().collect();
                proptest::prop_assert_eq!(read.len(), keys.len());
                for (i, ((key, value), (written, _))) in read.iter().zip(&keys).enumerate() {
                    proptest::prop_assert_eq!(&**key, *written);
                    proptest::prop_assert_eq!(value.parse::<usize>().ok(), Some(i));
                    proptest::prop_assert_eq!(map.get(written), Some(value.clone()));
                }
            }
        }
    }

    /// What a map of strings read from where `text` starts comes to, by [`Reader::map`] or by
    /// [`Reader::string_map`] (`fast`), at nesting depth `depth`: the map, and where the reader
    /// then stands.
    fn map_of_strings(
        text: &str,
        depth: u32,
        fast: bool,
    ) -> Option<(Map<'_, Cow<'_, str>>, usize)> {
        let mut r = Reader {
            depth,
            ..Reader::new(text)
        };
        let map = if fast {
            r.string_map()
        } else {
            r.map(|r| r.string())
        };
        map.ok().map(|map| (map, r.at))
    }

    #[test]
    fn a_map_of_plain_strings_is_read_as_the_general_read_reads_it() {
        for text in [
            "{}",
            "{ }",
            r#"{"a":"x"}"#,
            "{\n  \"a\": \"x\",\n  \"b\" : \"y\"\n}",
            r#"{"a":"x","a":"y"}"#,
            r#"{"a":"x","\u0061":"y"}"#,
            r#"{"a":"x\"y"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":1}"#,
            r#"{"a":"x",}"#,
            r#"{"a" "x"}"#,
            r#"{"a":"x""#,
            r#"{"a":"x"]"#,
            r#"{"1":"","2":"","3":"","4":"","5":"","6":"","7":"","8":"","9":""}"#,
            r#"{"1":"","2":"","3":"","4":"","5":"","6":"","7":"","8":"","1":""}"#,
            r#"{"é":"😀","":""} trailing"#,
            "{\t\"a\"\r:\"x\"\r\n}",
            "{\u{b}}",
            "{\"a\":\u{c}\"x\"}",
        ] {
            for depth in [0, MAX_DEPTH - 1, MAX_DEPTH] {
                let general = map_of_strings(text, depth, false);
                assert_eq!(
                    map_of_strings(text, depth, true),
                    general,
                    "{text} at depth {depth}"
                );
                if depth == MAX_DEPTH {
                    assert_eq!(general, None, "no map one level too deep");
                }
            }
        }
    }

    proptest::proptest! {
        /// The read of a map of strings in one loop takes what the general read takes, gives
        /// the same map and stops where it stops: maps whose keys are repeated, escaped or more
        /// than the loop holds, whose values have escapes or are no strings, compact or spaced,
        /// and each of them broken by a piece put in or the rest cut off anywhere.
        #[test]
        fn a_map_of_strings_reads_as_the_general_read_on_any_text(
            members in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        r#""a""#, r#""b""#, r#""""#, r#""é""#, r#""c""#, r#""d""#, r#""e""#,
                        r#""f""#, r#""g""#, r#""h""#, r#""\u0061""#, r#""k\"""#,
                    ]),
                    proptest::sample::select(vec![
                        r#""x""#, r#""""#, r#""😀""#, r#""0123456789abcdef0123456789abcdef""#,
                        r#""a\nb""#, "1", "null",
                    ]),
                ),
                0..12,
            ),
            spaced in proptest::bool::ANY,
            damage in proptest::option::of((
                proptest::sample::select(vec![
                    "", ",", ":", "\"", "}", "]", " ", "\t", "\\", "1", "\u{1}", "\u{b}",
                ]),
                proptest::prelude::any::<proptest::sample::Index>(),
            )),
        ) {
            let (gap, colon) = if spaced { ("\r\n\t ", " : ") } else { ("", ":") };
            let members: Vec<String> = members
                .iter()
                .map(|(key, value)| format!("{gap}{key}{colon}{value}"))
                .collect();
            let mut text = format!("{{{}{gap}}}", members.join(","));
            if let Some((piece, at)) = damage {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if piece.is_empty() {
                    text.truncate(at);
                } else {
                    text.insert_str(at, piece);
                }
            }
            for depth in [0, MAX_DEPTH] {
                proptest::prop_assert_eq!(
                    map_of_strings(&text, depth, true),
                    map_of_strings(&text, depth, false),
                    "{}", text
                );
            }
        }
    }

    #[test]
    fn the_tag_is_found_after_values_of_every_kind() {
        // Keys sorted, as Go and serde_json's `Value` write them, put `data` before `type`.
        for (text, tag) in [
            (r#"{"type": "t"}"#, Some("t")),
            (r#"{"a": "x", "type": "t", "z": 1}"#, Some("t")),
            (
                r#"{"data": {"type": "inner", "s": "}]\"{"}, "type": "t"}"#,
                Some("t"),
            ),
            (
                r#"{"data": [1, [2, {"a": "]"}]], "n": -1.5e3, "b": true, "type": "t"}"#,
                Some("t"),
            ),
            (
                r#"{"data": {}, "e": [], "u": null, "type": "a\u0062"}"#,
                Some("ab"),
            ),
            (r#"{"data": {"x": 1, "x": 2}, "type": "t"}"#, Some("t")),
            (r#"{"data": {"x": 1}}"#, None),
            (r#"{"data": {"x": 1}, "type": 1}"#, None),
            (r#"{"data": {"x": 1, "type": "t"}"#, None),
            (r#"{"data": {"x": 1}}}, "type": "t"}"#, None),
            (r#"{"data": {"x": \1}, "type": "t"}"#, None),
            (r#"["type", "t"]"#, None),
            ("{}", None),
        ] {
            assert_eq!(Reader::tag(text, "type").as_deref(), tag, "{text}");
        }
    }

    #[test]
    fn nesting_is_read_exactly_as_deep_as_serde_json_reads_it() {
        for depth in [1, 100, 126, 127, 128, 129, 200] {
            for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
                let text = format!("{}0{}", open.repeat(depth), close.repeat(depth));
                let ours = Reader::new(&text).raw(super::super::types::ANY).is_ok();
                let theirs = serde_json::from_str::<serde_json::Value>(&text).is_ok();
                assert_eq!(ours, theirs, "{depth} of {open}");
            }
        }
    }

    #[test]
    fn numbers_are_skipped_as_serde_json_holds_them() {
        use super::super::types;
        let huge = format!("1{}", "0".repeat(400));
        let large = format!("1{}", "0".repeat(300));
        for (text, json, bits) in [
            ("1", true, types::INTEGER),
            ("-0", true, types::NUMBER & !types::INTEGER),
            ("18446744073709551615", true, types::INTEGER),
            (
                "18446744073709551616",
                true,
                types::NUMBER & !types::INTEGER,
            ),
            (
                "-9223372036854775809",
                true,
                types::NUMBER & !types::INTEGER,
            ),
            (large.as_str(), true, types::NUMBER & !types::INTEGER),
            (huge.as_str(), false, 0),
            ("1e400", false, 0),
        ] {
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                json,
                "{text}"
            );
            let mut r = Reader::new(text);
            match r.skip() {
                Ok(found) => assert!(json && found == bits, "{text}: {found}"),
                Err(Doubt) => assert!(!json, "{text}"),
            }
        }
    }
}
