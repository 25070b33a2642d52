//! A reply's success flag found without parsing the reply: nearly every reply succeeds, and the
//! full read of its status (`super::refusal`) would parse the whole body once more before the
//! typed decode parses it again.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::scan::{blanks_end as ws, nested_end, plain_run};

/// Whether `body` is a JSON object whose last top-level `key` holds the literal `true`, by a scan
/// of its structure: strings are skipped by their quotes and escapes, nested values by their
/// brackets (sixty-four bytes at a time), and nothing is decoded.
///
/// `true` is certain for any JSON text: it is the verdict a full parse would give. It stops at a
/// `true` flag that nothing after it can overturn ([`settled`]), so a text that is not JSON past
/// that point gets it too; the full read of such a text finds no refusal either. `false` means
/// "not known here": the flag is missing, `false` or not a boolean, a key has escapes, or the text
/// is not what it should be, and the caller reads the reply in full. The scan does not vouch for
/// the rest of the text being JSON; the typed decode that follows does.
pub(super) fn succeeded(key: &str, body: &[u8]) -> bool {
    scan(key.as_bytes(), body).unwrap_or(false)
}

fn scan(key: &[u8], b: &[u8]) -> Option<bool> {
    let mut at = ws(b, 0);
    expect(b, at, b'{')?;
    let mut verdict = false;
    at += 1;
    loop {
        at = ws(b, at);
        expect(b, at, b'"')?;
        let (end, plain) = string_end(b, at + 1)?;
        // A key with escapes may spell the flag's name: that is for the full read to say.
        if !plain {
            return None;
        }
        let is_flag = &b[at + 1..end] == key;
        at = ws(b, end + 1);
        expect(b, at, b':')?;
        at = ws(b, at + 1);
        let end = value_end(b, at)?;
        if is_flag {
            verdict = &b[at..end] == b"true";
            if verdict && settled(key, &b[end..]) {
                return Some(true);
            }
        }
        at = ws(b, end);
        match b.get(at)? {
            b',' => at += 1,
            b'}' => break,
            _ => return None,
        }
    }
    (ws(b, at + 1) == b.len()).then_some(verdict)
}

/// Whether nothing in `rest`, what follows a top-level flag that is `true`, can overturn it: no
/// key of the flag's name, quoted as it is, at any depth, and no escape, which could spell one.
/// The flag is then the last of its name, whatever the rest holds, so it is the full read's
/// verdict too; if the rest is not JSON, the full read finds no flag and refuses nothing either.
/// Replies write the flag first, and the search for it in the rest takes a fraction of the scan
/// past the nested reply it replaces.
fn settled(key: &[u8], rest: &[u8]) -> bool {
    memchr::memchr(b'\\', rest).is_none()
        && finder(key).find_iter(rest).all(|i| {
            let quoted = |at: Option<usize>| at.and_then(|at| rest.get(at)) == Some(&b'"');
            !(quoted(i.checked_sub(1)) && quoted(Some(i + key.len())))
        })
}

/// The search for `key`: built once for the first key asked for (a process speaks few protocols,
/// and building costs about as much as searching a reply), afresh for any other.
fn finder(key: &[u8]) -> Cow<'static, memchr::memmem::Finder<'static>> {
    static FIRST: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let first = FIRST.get_or_init(|| memchr::memmem::Finder::new(key).into_owned());
    if first.needle() == key {
        Cow::Borrowed(first)
    } else {
        Cow::Owned(memchr::memmem::Finder::new(key).into_owned())
    }
}

fn expect(b: &[u8], at: usize, c: u8) -> Option<()> {
    (b.get(at) == Some(&c)).then_some(())
}

/// Where the string whose text starts at `at` ends (its closing quote), and whether it has no
/// escapes.
fn string_end(b: &[u8], mut at: usize) -> Option<(usize, bool)> {
    let mut plain = true;
    loop {
        at += plain_run(b.get(at..)?);
        match b.get(at)? {
            b'"' => return Some((at, plain)),
            b'\\' => {
                plain = false;
                at += 2;
            }
            // A control character: not JSON, which the typed decode will say.
            _ => at += 1,
        }
    }
}

/// Where the value that starts at `at` ends: past its closing quote or bracket, or past the
/// last character of a number or a literal.
fn value_end(b: &[u8], start: usize) -> Option<usize> {
    match *b.get(start)? {
        b'"' => Some(string_end(b, start + 1)?.0 + 1),
        b'{' | b'[' => Some(start + nested_end(&b[start..])?),
        _ => Some(
            start
                + b[start..]
                    .iter()
                    .take_while(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r'))
                    .count(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_last_top_level_true_is_success() {
        for (body, expected) in [
            (
                r#"{"success":true,"message":"","response":{"a":[1,{"success":false}]}}"#,
                true,
            ),
            (r#"  { "success" : true , "response" : "}\"," }  "#, true),
            (r#"{"response":{"x":"a\"b"},"success":true}"#, true),
            (r#"{"success":true,"success":false}"#, false),
            (r#"{"success":false,"success":true}"#, true),
            (r#"{"success":false}"#, false),
            (r#"{"success":"true"}"#, false),
            (r#"{"succ\u0065ss":true}"#, false),
            (r#"{"response":{"success":true}}"#, false),
            // Settled at the flag: the full read of what is not JSON refuses nothing either.
            (r#"{"success":true} x"#, true),
            (r#"{"success":true,}"#, true),
            (r#"{"success":true"#, true),
            (
                r#"{"success":true,"message":"successfully scaled","response":null}"#,
                true,
            ),
            // Not settled: the name again, quoted, at any depth, or an escape that may spell it.
            (r#"{"success":true,"response":{"success":true}}"#, true),
            (r#"{"success":true,"response":{"success":false}}"#, true),
            (r#"{"success":true,"response":[],"success":false}"#, false),
            (r#"{"success":true,"m":"\"","succ\u0065ss":false}"#, false),
            (
                r#"{"success":true,"m":"\n","x":{"success":1},"success":0}"#,
                false,
            ),
            (r#"{"success":trueish}"#, false),
            (r#"["success",true]"#, false),
            ("{}", false),
            ("", false),
        ] {
            assert_eq!(succeeded("success", body.as_bytes()), expected, "{body}");
        }
    }

    #[test]
    fn each_flag_is_searched_for_by_its_own_name() {
        for (key, body, expected) in [
            ("ok", r#"{"ok":true,"okay":"ok","x":"ok"}"#, true),
            ("ok", r#"{"ok":true,"x":{"ok":false}}"#, true),
            ("ok", r#"{"ok":true,"ok":false}"#, false),
            ("success", r#"{"success":true,"ok":false}"#, true),
            ("success", r#"{"success":true,"success":false}"#, false),
            ("ok", r#"{"ok":true,"success":false,"ok":0}"#, false),
        ] {
            assert_eq!(succeeded(key, body.as_bytes()), expected, "{key}: {body}");
        }
    }
}
