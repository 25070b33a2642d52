//! A quick yes for a string's `format` and `pattern`: the strings of a simple shape that the
//! reference validator surely accepts, told apart without it.
//!
//! The reference validator judges a string through a JSON value, its keyword dispatch and, for a
//! pattern, a regex engine: about a thousand instructions for a timestamp, more than reading the
//! rest of a small message. A [`QuickRule`] answers only "surely accepted"; every other answer
//! sends the string to the reference validator, so the verdict is always the reference's:
//!
//! - `format`: `uuid` (8-4-4-4-12 hex digits), `date-time` (`YYYY-MM-DDTHH:MM:SS`, an optional
//!   fraction, `Z`, the date a real one and the time without a leap second), `date` and `time`
//!   (its two halves), and `ipv4` (four numbers up to 255, no leading zeros): the formats
//!   pydantic, and so FastStream, write for `datetime`, `date`, `time`, `UUID` and `IPv4Address`;
//! - `pattern`: an anchored sequence (`^...$`) of ASCII characters, classes of them (`[a-z_]`,
//!   `.`), and groups of those, each with an optional quantifier, matched greedily. A greedy match
//!   that reaches the end is a match of the regex too; one that does not proves nothing, and
//!   the reference decides.
//!
//! A rule with any other keyword, format or pattern has no quick form. The promise holds for rules
//! the reference validator compiles, which callers build first.

use serde_json::Value;

/// The quick yes of a string rule (`{"format": "uuid"}`, `{"pattern": "^[a-z]+$"}`).
///
/// ```
/// use asyncapi_schema::quick::QuickRule;
/// use serde_json::json;
///
/// let rule = json!({"format": "date-time", "pattern": "^[0-9-]{10}T[0-9:]{8}(\\.[0-9]+)?Z$"});
/// let quick = QuickRule::of(&rule).expect("a shape with a quick form");
/// assert!(quick.accepts("2024-01-22T20:13:52.615463837Z"));
/// // A leap second: not surely, so the reference validator decides (and takes it).
/// assert!(!quick.accepts("2016-12-31T23:59:60Z"));
/// assert!(QuickRule::of(&json!({"format": "email"})).is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickRule {
    format: Option<Format>,
    pattern: Option<Vec<Item>>,
}

impl QuickRule {
    /// The quick form of a rule whose every keyword has one, else `None`.
    pub fn of(rule: &Value) -> Option<Self> {
        let mut quick = Self {
            format: None,
            pattern: None,
        };
        for (key, value) in rule.as_object()? {
            match (key.as_str(), value.as_str()?) {
                ("format", "uuid") => quick.format = Some(Format::Uuid),
                ("format", "date-time") => quick.format = Some(Format::DateTime),
                ("format", "date") => quick.format = Some(Format::Date),
                ("format", "time") => quick.format = Some(Format::Time),
                ("format", "ipv4") => quick.format = Some(Format::Ipv4),
                ("pattern", pattern) => quick.pattern = Some(anchored(pattern)?),
                _ => return None,
            }
        }
        Some(quick)
    }

    /// Whether `s` surely keeps the rule. `false` says nothing: ask the reference validator.
    pub fn accepts(&self, s: &str) -> bool {
        let s = s.as_bytes();
        let format = match self.format {
            None => true,
            Some(Format::Uuid) => is_uuid(s),
            Some(Format::DateTime) => is_date_time(s),
            Some(Format::Date) => is_date(s),
            Some(Format::Time) => is_time(s),
            Some(Format::Ipv4) => is_ipv4(s),
        };
        format
            && self
                .pattern
                .as_ref()
                .is_none_or(|items| matches(items, s) == Some(s.len()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Uuid,
    DateTime,
    Date,
    Time,
    Ipv4,
}

/// `8-4-4-4-12` hex digits, either case.
fn is_uuid(s: &[u8]) -> bool {
    const HYPHEN: [bool; 36] = {
        let mut at = [false; 36];
        (at[8], at[13], at[18], at[23]) = (true, true, true, true);
        at
    };
    let Ok(s) = <&[u8; 36]>::try_from(s) else {
        return false;
    };
    // Every byte judged the same way, without a branch: a loop the compiler vectorizes.
    let wrong = s.iter().zip(HYPHEN).fold(0u8, |wrong, (&c, hyphen)| {
        let hex = c.wrapping_sub(b'0') < 10 || (c | 0x20).wrapping_sub(b'a') < 6;
        wrong | u8::from(if hyphen { c != b'-' } else { !hex })
    });
    wrong == 0
}

/// `YYYY-MM-DDTHH:MM:SS`, a fraction of one digit or more, `Z`: a day the month has, no leap
/// second. Lowercase `t` and `z` and offsets are left to the reference.
fn is_date_time(s: &[u8]) -> bool {
    match s.split_first_chunk::<10>() {
        Some((date, [b'T', time @ ..])) => is_date(date) && is_time(time),
        _ => false,
    }
}

/// The value of the two digits at `at` and `at + 1`, or 100 and more when they are not digits.
fn two_digits(s: &[u8], at: usize) -> u32 {
    let digit = |i: usize| u32::from(s[i].wrapping_sub(b'0'));
    if digit(at) < 10 && digit(at + 1) < 10 {
        digit(at) * 10 + digit(at + 1)
    } else {
        100
    }
}

/// `YYYY-MM-DD`, a day the month has.
fn is_date(s: &[u8]) -> bool {
    let Ok(s) = <&[u8; 10]>::try_from(s) else {
        return false;
    };
    let (century, year, month, day) = (
        two_digits(s, 0),
        two_digits(s, 2),
        two_digits(s, 5),
        two_digits(s, 8),
    );
    if s[4] != b'-' || s[7] != b'-' || century > 99 || year > 99 {
        return false;
    }
    let year = century * 100 + year;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// `HH:MM:SS`, a fraction of one digit or more, `Z`; no leap second.
fn is_time(s: &[u8]) -> bool {
    let Some((head, rest)) = s.split_first_chunk::<8>() else {
        return false;
    };
    let zone = match rest {
        [b'.', fraction @ ..] => {
            let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            &fraction[n..]
        }
        _ => rest,
    };
    head[2] == b':'
        && head[5] == b':'
        && two_digits(head, 0) <= 23
        && two_digits(head, 3) <= 59
        && two_digits(head, 6) <= 59
        && zone == b"Z"
}

/// Four decimal numbers up to 255 joined by dots, none with a leading zero.
fn is_ipv4(s: &[u8]) -> bool {
    let mut parts = 0;
    for part in s.split(|&c| c == b'.') {
        let plain = (1..=3).contains(&part.len())
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part[0] != b'0');
        if !plain {
            return false;
        }
        let number = part.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0'));
        parts += 1;
        if number > 255 || parts > 4 {
            return false;
        }
    }
    parts == 4
}

/// One element of a pattern's sequence as it is written, with how many times it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Written {
    what: What,
    min: u32,
    max: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    /// The ASCII characters whose bits are set.
    Class(u128),
    Group(Vec<Written>),
}

/// One element of a pattern's sequence as it is matched: runs of single characters are checked
/// together.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Run(Run),
    /// Characters of one class, as many as there are up to `max`.
    Repeat {
        class: Class,
        min: u32,
        max: u32,
    },
    /// The group's items, as many times as they match (and take something) up to `max`.
    Group {
        items: Vec<Item>,
        min: u32,
        max: u32,
    },
}

/// One character of each class in turn, checked as the range from each class's lowest
/// character to its highest, all at once (a loop the compiler vectorizes), and then, for the
/// few classes with gaps, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Run {
    low: Vec<u8>,
    width: Vec<u8>,
    gapped: Vec<(usize, u128)>,
}

impl Run {
    fn push(&mut self, class: u128) {
        let (low, width, gapped) = span(class);
        if gapped {
            self.gapped.push((self.low.len(), class));
        }
        self.low.push(low);
        self.width.push(width);
    }

    /// Whether `text`, as long as the run, is in it.
    fn matches(&self, text: &[u8]) -> bool {
        let outside = text
            .iter()
            .zip(&self.low)
            .zip(&self.width)
            .fold(0u8, |out, ((&c, &low), &width)| {
                out | u8::from(c.wrapping_sub(low) > width)
            });
        outside == 0 && self.gapped.iter().all(|&(i, class)| has(class, text[i]))
    }
}

/// A class (not empty) as the range from its lowest character to its highest, `low` and
/// `width`, and whether the range has gaps the class leaves out.
fn span(class: u128) -> (u8, u8, bool) {
    let (low, high) = (
        class.trailing_zeros() as u8,
        127 - class.leading_zeros() as u8,
    );
    let range = (u128::MAX >> (127 - high)) & (u128::MAX << low);
    (low, high - low, class != range)
}

/// A class as it is matched: a range of characters, or any set of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Range { low: u8, width: u8 },
    Set(u128),
}

impl Class {
    fn of(class: u128) -> Self {
        match span(class) {
            (low, width, false) => Self::Range { low, width },
            (_, _, true) => Self::Set(class),
        }
    }

    #[inline]
    fn has(self, c: u8) -> bool {
        match self {
            Self::Range { low, width } => c.wrapping_sub(low) <= width,
            Self::Set(class) => has(class, c),
        }
    }
}

/// A run longer than this is matched as a repeat.
const LONGEST_RUN: u32 = 64;

fn items(written: Vec<Written>) -> Vec<Item> {
    let mut items = Vec::new();
    for Written { what, min, max } in written {
        match what {
            What::Class(class) if min == max && max <= LONGEST_RUN => {
                if !matches!(items.last(), Some(Item::Run(_))) {
                    items.push(Item::Run(Run::default()));
                }
                if let Some(Item::Run(run)) = items.last_mut() {
                    (0..max).for_each(|_| run.push(class));
                }
            }
            What::Class(class) => items.push(Item::Repeat {
                class: Class::of(class),
                min,
                max,
            }),
            What::Group(inner) => items.push(Item::Group {
                items: self::items(inner),
                min,
                max,
            }),
        }
    }
    items
}

/// How deep groups may nest in a pattern with a quick form.
const MAX_GROUP_DEPTH: usize = 16;

/// The items of `^...$`, or `None` when the pattern is of another shape.
fn anchored(pattern: &str) -> Option<Vec<Item>> {
    let inner = pattern.strip_prefix('^')?.strip_suffix('$')?;
    // `\$` at the end is a literal dollar: the pattern was not anchored there.
    let backslashes = inner.bytes().rev().take_while(|&c| c == b'\\').count();
    if backslashes % 2 == 1 {
        return None;
    }
    let mut at = 0;
    let written = sequence(inner.as_bytes(), &mut at, 0)?;
    (at == inner.len()).then(|| items(written))
}

/// Items up to the end of `p` or a `)`, which is left for the caller.
fn sequence(p: &[u8], at: &mut usize, depth: usize) -> Option<Vec<Written>> {
    // Reading, building and matching recurse once per group: a deep nest has no quick form
    // (the reference refuses 250 levels; the stack would give out somewhat later).
    if depth > MAX_GROUP_DEPTH {
        return None;
    }
    let mut items = Vec::new();
    while let Some(&c) = p.get(*at) {
        let what = match c {
            b')' => break,
            b'(' => {
                *at += 1;
                if p[*at..].starts_with(b"?:") {
                    *at += 2;
                }
                let inner = sequence(p, at, depth + 1)?;
                (p.get(*at) == Some(&b')')).then_some(())?;
                *at += 1;
                What::Group(inner)
            }
            b'[' => What::Class(class(p, at)?),
            b'.' => {
                *at += 1;
                What::Class(ANY_BUT_LINE_BREAKS)
            }
            b'\\' => {
                let escaped = *p.get(*at + 1)?;
                *at += 2;
                What::Class(bit(punctuation(escaped)?))
            }
            c if is_plain(c) => {
                *at += 1;
                What::Class(bit(c))
            }
            _ => return None,
        };
        let (min, max) = quantifier(p, at)?;
        items.push(Written { what, min, max });
    }
    Some(items)
}

/// The ASCII characters `.` matches: all but line feed and carriage return, which no reading of
/// `.` matches (ECMAScript's leaves out both; a regex engine's default, the line feed).
const ANY_BUT_LINE_BREAKS: u128 = !(1 << b'\n' | 1 << b'\r');

/// A character that stands for itself outside a class.
fn is_plain(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'/' | b'@' | b'#' | b'=')
}

/// A character that a backslash before it makes literal: the regex syntax characters, the only
/// ones an ECMAScript pattern in Unicode mode may escape so (`\d`, `\w`, `\b` and the like have
/// meanings of their own; `\-` only in a class, where [`class`] reads it).
fn punctuation(c: u8) -> Option<u8> {
    b"^$\\.*+?()[]{}|/".contains(&c).then_some(c)
}

fn bit(c: u8) -> u128 {
    1 << c
}

/// A class `[...]` of literal characters and ranges; `at` is on its `[`.
fn class(p: &[u8], at: &mut usize) -> Option<u128> {
    *at += 1;
    let mut bits = 0u128;
    let member = |at: &mut usize| -> Option<u8> {
        let c = *p.get(*at)?;
        *at += 1;
        match c {
            b'\\' => {
                let escaped = *p.get(*at)?;
                *at += 1;
                (escaped == b'-')
                    .then_some(b'-')
                    .or_else(|| punctuation(escaped))
            }
            b'[' | b']' | b'^' => None,
            c if c.is_ascii_graphic() || c == b' ' => Some(c),
            _ => None,
        }
    };
    loop {
        match *p.get(*at)? {
            b']' if bits != 0 => {
                *at += 1;
                return Some(bits);
            }
            _ => {
                let low = member(at)?;
                let high = if p.get(*at) == Some(&b'-') && p.get(*at + 1) != Some(&b']') {
                    *at += 1;
                    member(at)?
                } else {
                    low
                };
                if high < low {
                    return None;
                }
                for c in low..=high {
                    bits |= bit(c);
                }
            }
        }
    }
}

/// The bounds of the quantifier at `at`, if any (`{1}` when none); a lazy one has no quick form.
fn quantifier(p: &[u8], at: &mut usize) -> Option<(u32, u32)> {
    let bounds = match p.get(*at) {
        Some(b'?') => (0, 1),
        Some(b'*') => (0, u32::MAX),
        Some(b'+') => (1, u32::MAX),
        Some(b'{') => {
            let close = *at + p[*at..].iter().position(|&c| c == b'}')?;
            let inside = std::str::from_utf8(&p[*at + 1..close]).ok()?;
            let number = |s: &str| -> Option<u32> {
                (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            };
            let bounds = match inside.split_once(',') {
                None => (number(inside)?, number(inside)?),
                Some((low, "")) => (number(low)?, u32::MAX),
                Some((low, high)) => (number(low)?, number(high)?),
            };
            *at = close;
            (bounds.0 <= bounds.1).then_some(bounds)?
        }
        _ => return Some((1, 1)),
    };
    *at += 1;
    if matches!(p.get(*at), Some(b'?' | b'+' | b'*' | b'{')) {
        return None;
    }
    Some(bounds)
}

/// How much of `s` the items take, greedily and without going back, or `None` if they cannot.
fn matches(items: &[Item], s: &[u8]) -> Option<usize> {
    let mut at = 0;
    for item in items {
        match item {
            Item::Run(run) => {
                let text = s.get(at..at + run.low.len())?;
                if !run.matches(text) {
                    return None;
                }
                at += text.len();
            }
            Item::Repeat { class, min, max } => {
                let taken = s[at..]
                    .iter()
                    .take(*max as usize)
                    .take_while(|&&c| class.has(c))
                    .count();
                if taken < *min as usize {
                    return None;
                }
                at += taken;
            }
            Item::Group { items, min, max } => {
                let mut times = 0;
                // An empty repetition would repeat forever; it is no further match.
                while let Some(taken) = (times < *max)
                    .then(|| matches(items, &s[at..]))
                    .flatten()
                    .filter(|&n| n > 0)
                {
                    at += taken;
                    times += 1;
                }
                if times < *min {
                    return None;
                }
            }
        }
    }
    Some(at)
}

/// Whether character `c` is in `class`.
#[inline]
fn has(class: u128, c: u8) -> bool {
    c < 128 && class >> c & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn reference(rule: &Value) -> jsonschema::Validator {
        crate::reference::validator(rule).expect("a rule the reference compiles")
    }

    /// The rules held to the reference: the formats, and patterns of every shape the quick form
    /// reads (the lattice events' own among them).
    fn rules() -> Vec<Value> {
        [
            json!({"format": "uuid"}),
            json!({"format": "date-time"}),
            json!({"format": "date"}),
            json!({"format": "time"}),
            json!({"format": "ipv4"}),
            json!({"format": "date-time",
                   "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"}),
            json!({"pattern": "^com\\.wasmcloud\\.lattice\\.[a-z_]+$"}),
            json!({"pattern": "^[a-zA-Z0-9_-]{1,8}(?:\\.[a-z]+)*$"}),
            json!({"pattern": "^(ab)+b?[a-c]{2,}x*$"}),
            json!({"pattern": "^a?a?a$"}),
            json!({"pattern": "^amq\\\\.gen\\\\-.+$"}),
            json!({"pattern": "^http(s)?://(www\\.)?x\\.com.*$"}),
            json!({"pattern": "^[\\-.]{0,3}\\$\\/[\\]\\\\]?z$"}),
        ]
        .into()
    }

    /// Strings near the rules' shapes: each a valid one with a few bytes changed, dropped or
    /// added.
    fn near() -> impl Strategy<Value = String> {
        let seeds = prop::sample::select(vec![
            "01890a5d-ac96-774b-bcce-b302099a8057",
            "01890A5D-AC96-774B-BCCE-B302099A8057",
            "2024-02-29T23:59:59.123456789Z",
            "2023-12-31T00:00:00Z",
            "1900-02-28T00:00:00.5Z",
            "2000-02-29T12:30:60Z",
            "com.wasmcloud.lattice.host_heartbeat",
            "abc_DEF.xy.z",
            "ababbccx",
            "aa",
            "2024-02-29",
            "23:59:59.5Z",
            "00:00:00Z",
            "192.168.0.1",
            "255.255.250.0",
            "256.1.2.3",
            "1.2.3",
            "-.$/]z",
            "amq\\xgen\\-1",
            "https://www.x.com/a",
            "http://x.com",
            "amq\\\ngen\\-1",
            "http://x.com/\r",
        ]);
        let alphabet = prop::sample::select(b"0123456789aAbcfFgTtZz:-._+ \x80$\n\r\\/".to_vec());
        let edit = (any::<prop::sample::Index>(), 0..3u8, alphabet);
        (seeds, prop::collection::vec(edit, 0..4)).prop_map(|(seed, edits)| {
            let mut s = seed.as_bytes().to_vec();
            for (at, kind, c) in edits {
                let at = at.index(s.len() + 1);
                match kind {
                    0 if at < s.len() => s[at] = c,
                    1 if at < s.len() => drop(s.remove(at)),
                    _ => s.insert(at, c),
                }
            }
            String::from_utf8_lossy(&s).into_owned()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn a_quick_yes_is_the_references(s in near()) {
            for rule in rules() {
                let Some(quick) = QuickRule::of(&rule) else { continue };
                if quick.accepts(&s) {
                    prop_assert!(reference(&rule).is_valid(&json!(s)), "{rule} took {s:?}");
                }
            }
        }
    }

    #[test]
    fn what_is_surely_accepted() {
        let quick = |rule: Value| QuickRule::of(&rule).expect("a quick form");
        let uuid = quick(json!({"format": "uuid"}));
        assert!(uuid.accepts("01890a5d-ac96-774b-bcce-b302099a8057"));
        assert!(uuid.accepts("01890A5D-AC96-774B-BCCE-B302099A8057"));
        assert!(!uuid.accepts("01890a5d-ac96-774b-bcce-b302099a805"));
        assert!(!uuid.accepts("01890a5d0ac96-774b-bcce-b302099a8057"));

        let time = quick(json!({"format": "date-time"}));
        for yes in [
            "2024-02-29T23:59:59Z",
            "2024-01-22T20:13:52.615463837Z",
            "2000-02-29T00:00:00.1Z",
        ] {
            assert!(time.accepts(yes), "{yes}");
        }
        for no in [
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-00-10T00:00:00Z",
            "2024-01-00T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:0:Z",
            "2024-01-0/T00:00:00Z",
            // Left to the reference, which takes them.
            "2024-01-01T23:59:60Z",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00+00:00",
            // Neither takes these.
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00ZZ",
        ] {
            assert!(!time.accepts(no), "{no}");
        }

        let date = quick(json!({"format": "date"}));
        assert!(date.accepts("2024-02-29"));
        assert!(!date.accepts("2023-02-29"));
        assert!(!date.accepts("2024-02-29T00:00:00Z"));
        let time = quick(json!({"format": "time"}));
        assert!(time.accepts("23:59:59.999Z"));
        assert!(!time.accepts("23:59:60Z"));
        assert!(!time.accepts("12:00:00+01:00"));
        let ip = quick(json!({"format": "ipv4"}));
        for yes in ["0.0.0.0", "255.255.255.255", "10.0.42.199"] {
            assert!(ip.accepts(yes), "{yes}");
        }
        for no in [
            "256.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.2.3.",
            "1..3.4",
            "1.2.3.4 ",
            "a.b.c.d",
        ] {
            assert!(!ip.accepts(no), "{no}");
        }

        let kind = quick(json!({"pattern": "^com\\.wasmcloud\\.lattice\\.[a-z_]+$"}));
        assert!(kind.accepts("com.wasmcloud.lattice.host_heartbeat"));
        assert!(!kind.accepts("com.wasmcloud.lattice."));
        assert!(!kind.accepts("comxwasmcloud.lattice.a"));

        let grouped = quick(json!({"pattern": "^(ab)+b?[a-c]{2,}x*$"}));
        assert!(grouped.accepts("ababcc"));
        assert!(grouped.accepts("abbcax"));
        assert!(!grouped.accepts("abc"));
        let any = quick(json!({"pattern": "^a.+$"}));
        assert!(any.accepts("a b\t~"));
        assert!(!any.accepts("a\nb"));
        assert!(!any.accepts("a\rb"));
        assert!(!any.accepts("a\u{e9}"));
        let nested =
            |depth| json!({"pattern": format!("^{}a{}$", "(".repeat(depth), ")".repeat(depth))});
        assert!(quick(nested(MAX_GROUP_DEPTH)).accepts("a"));
        assert_eq!(QuickRule::of(&nested(MAX_GROUP_DEPTH + 1)), None);
        // A match the regex has that greedy reading misses: the reference decides.
        let backtracking = quick(json!({"pattern": "^a?a?a$"}));
        assert!(!backtracking.accepts("aa"));
        assert!(reference(&json!({"pattern": "^a?a?a$"})).is_valid(&json!("aa")));
    }

    #[test]
    fn other_shapes_have_no_quick_form() {
        for rule in [
            json!({"format": "email"}),
            json!({"pattern": "[a-z]+"}),
            json!({"pattern": "^[a-z]+"}),
            json!({"pattern": "^[a-z]+\\$"}),
            json!({"pattern": "^\\d+$"}),
            json!({"pattern": "^a|b$"}),
            json!({"pattern": "^\\s+$"}),
            json!({"pattern": "^[^a]$"}),
            json!({"pattern": "^a+?$"}),
            json!({"pattern": "^a{2,1}$"}),
            json!({"pattern": "^(a$"}),
            json!({"pattern": "^a)$"}),
            json!({"pattern": "^[]$"}),
            json!({"format": "uuid", "minLength": 3}),
            json!({"pattern": format!("^{}a{}$", "(".repeat(100_000), ")".repeat(100_000))}),
        ] {
            assert_eq!(QuickRule::of(&rule), None, "{rule}");
        }
    }
}
