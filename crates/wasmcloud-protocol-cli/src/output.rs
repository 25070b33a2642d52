//! Writing results: JSON with keys in a fixed order, stdout that tolerates a closed pipe, and
//! text from payloads made safe to print.

use std::borrow::Cow;
use std::io::Write;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// JSON whose object keys keep the order they were written in.
pub enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    Value(Value),
}

impl Json {
    pub fn object<K: Into<String>>(fields: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Object(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn value(v: impl Into<Value>) -> Json {
        Json::Value(v.into())
    }

    pub fn to_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("JSON values always serialize")
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Value(v) => v.serialize(s),
        }
    }
}

/// Prints a line to stdout. A reader that went away (`| head`) ends the program quietly, as
/// command-line tools do, instead of a panic.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}

/// Prints text to stdout as it is; see [`println()`].
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln(&format!("wasmcloud-protocol: cannot write to stdout: {e}"));
        std::process::exit(2);
    }
}

/// Prints a line to stderr; a stderr that cannot be written to (full, closed) loses the line
/// rather than ending the program with a panic, as `eprintln!` would.
pub fn eprintln(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Text with its control characters, line and paragraph separators and invisible formatting
/// characters escaped (`\n`, `\u{1b}`, `\u{202e}`): a payload's keys and values reach the text
/// output, where a newline would forge a line of the report, an escape sequence would drive the
/// terminal, and a bidirectional override would show a line other than it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unprintable) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unprintable(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}
