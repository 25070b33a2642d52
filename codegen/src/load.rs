//! Reading documents: YAML (or JSON) text into `serde_json::Value`, strictly.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

/// Largest document the generator reads; a protocol spec is far smaller.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// Where documents come from: the file system, or memory in tests. `Sync` because the generator
/// works on a thread of its own (see [`crate::generate`]).
pub trait Loader: Sync {
    /// Returns the text of the document at `path`.
    fn load(&self, path: &Path) -> std::io::Result<String>;
}

/// Reads documents from the file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        let meta = std::fs::metadata(path)?;
        if meta.len() > MAX_DOCUMENT_BYTES as u64 {
            return Err(std::io::Error::other(format!(
                "{} bytes is more than the {MAX_DOCUMENT_BYTES}-byte limit",
                meta.len()
            )));
        }
        std::fs::read_to_string(path)
    }
}

/// Serves documents from memory, keyed by normalized path.
#[derive(Debug, Default, Clone)]
pub struct MemoryLoader {
    files: BTreeMap<PathBuf, String>,
}

impl MemoryLoader {
    /// An empty set of documents.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a document.
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), text.into());
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
}

/// Lexically normalizes a path (`a/./b/../c` is `a/c`) without touching the file system, so error
/// messages show the paths the user wrote.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Parses YAML (JSON is YAML too) into JSON.
///
/// Stricter than `serde_yaml_ng::from_str::<serde_json::Value>`: duplicate keys are an error, `<<`
/// merge keys are applied, and values JSON cannot hold (`.inf`, `.nan`, tags, non-scalar keys)
/// are errors instead of being silently changed.
pub(crate) fn parse_yaml(file: &Path, text: &str) -> Result<Value> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::new(
            file,
            "",
            ErrorKind::Limit(format!(
                "document of {} bytes is more than the {MAX_DOCUMENT_BYTES}-byte limit",
                text.len()
            )),
        ));
    }
    check_flow_depth(file, text)?;
    let mut yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        let message = e.to_string();
        match duplicate_key(&message) {
            Some(key) => {
                let (pointer, at) = duplicate_at(text, line, &key);
                let message = format!("the key {key:?} appears twice in one mapping");
                Error::new(
                    file,
                    pointer.unwrap_or_default(),
                    ErrorKind::Syntax(message),
                )
                .with_line(at.or(line))
            }
            None => Error::new(file, "", ErrorKind::Syntax(message)).with_line(line),
        }
    })?;
    yaml.apply_merge()
        .map_err(|e| Error::new(file, "", ErrorKind::Syntax(format!("merge key: {e}"))))?;
    to_json(file, "", yaml)
}

/// Deepest run of flow brackets (`[`, `{`) a document may open; far deeper than any real document,
/// whose nesting the YAML parser limits to 128 levels anyway.
const MAX_FLOW_DEPTH: usize = 512;

/// The YAML parser takes time quadratic in the depth of flow collections (a megabyte of `[` takes
/// minutes) before its own recursion limit applies, so the depth is bounded first. Brackets are
/// counted everywhere, even inside strings: that can only overestimate depth, and a real document
/// never has hundreds of unclosed brackets in its text.
fn check_flow_depth(file: &Path, text: &str) -> Result<()> {
    let (mut depth, mut line) = (0usize, 1usize);
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Err(Error::new(
                        file,
                        "",
                        ErrorKind::Limit(format!(
                            "flow collections (`[`, `{{`) nested more than {MAX_FLOW_DEPTH} deep"
                        )),
                    )
                    .with_line(Some(line)));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
    }
    Ok(())
}

/// Where the document repeats `key`, which serde_yaml_ng reports at the mapping that holds it
/// (its first line, `from`): the JSON pointer of the key and the line where it appears again.
fn duplicate_at(text: &str, from: Option<usize>, key: &str) -> (Option<String>, Option<usize>) {
    if crate::locate::is_json(text) {
        return match crate::locate::first_duplicate_key(text) {
            Some((pointer, line)) => (Some(pointer), Some(line)),
            None => (None, None),
        };
    }
    let Some(from) = from else {
        return (None, None);
    };
    let Some(again) = crate::locate::duplicate_key_line(text, from, key) else {
        return (None, None);
    };
    // Read as YAML otherwise allows (the last of the repeated keys wins), the document shows the
    // mappings that hold `key`; the one meant has it first between `from` and its repetition, in
    // the repetition's column (the last such, should an earlier mapping end there too).
    let column = crate::locate::key_column(text, again);
    let Ok(lenient) = serde_yaml_ng::from_str::<Value>(text) else {
        return (None, Some(again));
    };
    let mut holders = Vec::new();
    objects_with_key(&lenient, key, &mut String::new(), &mut holders);
    let escaped = crate::error::escape_token(key);
    let pointer = holders
        .into_iter()
        .map(|holder| format!("{holder}/{escaped}"))
        .filter_map(|p| crate::locate::line_of(text, &p).map(|line| (line, p)))
        .filter(|(line, _)| {
            (from..again).contains(line) && crate::locate::key_column(text, *line) == column
        })
        .max()
        .map(|(_, p)| p);
    (pointer, Some(again))
}

/// The JSON pointers of the objects in `value` that have the key `key`.
fn objects_with_key(value: &Value, key: &str, at: &mut String, out: &mut Vec<String>) {
    let len = at.len();
    match value {
        Value::Object(map) => {
            if map.contains_key(key) {
                out.push(at.clone());
            }
            for (k, v) in map {
                at.push('/');
                at.push_str(&crate::error::escape_token(k));
                objects_with_key(v, key, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push_str(&format!("/{i}"));
                objects_with_key(v, key, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// The key named by serde_yaml_ng's `duplicate entry with key "k"` message.
fn duplicate_key(message: &str) -> Option<String> {
    let rest = message.split_once("duplicate entry with key \"")?.1;
    Some(rest.split_once('"')?.0.to_owned())
}

fn to_json(file: &Path, pointer: &str, yaml: serde_yaml_ng::Value) -> Result<Value> {
    use serde_yaml_ng::Value as Y;
    let err = |m: String| Error::new(file, pointer, ErrorKind::Syntax(m));
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::from(u)
            } else if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| err(format!("the number {n} cannot be represented in JSON")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(to_json(file, &format!("{pointer}/{i}"), item)?);
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    _ => return Err(err("mapping keys must be scalars".to_owned())),
                };
                let child = crate::error::join_pointer(pointer, &key);
                let value = to_json(file, &child, v)?;
                if out.insert(key.clone(), value).is_some() {
                    // Two YAML keys can become one JSON key (`1` and `'1'`).
                    return Err(Error::new(
                        file,
                        child,
                        ErrorKind::Syntax(format!("duplicate key {key:?}")),
                    ));
                }
            }
            Value::Object(out)
        }
        Y::Tagged(t) => return Err(err(format!("YAML tag {} is not supported", t.tag))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Value> {
        parse_yaml(Path::new("t.yaml"), text)
    }

    #[test]
    fn duplicate_keys_are_an_error_with_a_line() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Syntax(m) if m.contains("appears twice")),
            "{e}"
        );
        assert_eq!((e.pointer(), e.line()), ("/a", Some(3)), "{e}");
        // At the key, in the mapping that repeats it, whichever other mappings hold it.
        let e = parse("x:\n  a: 1\n  y:\n    a: 2\n  a: 3\n").unwrap_err();
        assert_eq!((e.pointer(), e.line()), ("/x/a", Some(5)), "{e}");
        let e = parse("{\"x\": {\"a\": 1,\n \"a\": 2}}").unwrap_err();
        assert_eq!((e.pointer(), e.line()), ("/x/a", Some(2)), "{e}");
    }

    #[test]
    fn merge_keys_are_applied() {
        let v = parse("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n").unwrap();
        assert_eq!(v["other"], serde_json::json!({"x": 1, "y": 3}));
    }

    #[test]
    fn non_json_values_are_refused() {
        assert!(parse("a: .inf\n").is_err());
        assert!(parse("a: !custom 1\n").is_err());
        assert!(parse("? [1, 2]\n: x\n").is_err());
        let e = parse("1: a\n'1': b\n").unwrap_err();
        assert_eq!(e.pointer(), "/1");
    }

    #[test]
    fn quoted_versions_stay_strings_and_numbers_keep_their_kind() {
        let v = parse("v: '1.0'\nn: 0\nf: 1.5\nneg: -3\n").unwrap();
        assert_eq!(v["v"], "1.0");
        assert!(v["n"].is_u64());
        assert!(v["f"].is_f64());
        assert!(v["neg"].is_i64());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(matches!(
            parse(&text).unwrap_err().kind(),
            ErrorKind::Syntax(_)
        ));
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.yaml")),
            PathBuf::from("a/c.yaml")
        );
        assert_eq!(normalize(Path::new("../x/../y")), PathBuf::from("../y"));
    }
}
