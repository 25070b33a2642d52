//! One object of a document, read into its typed form at its location.
//!
//! The typed objects ([`super::v2`], [`super::v3`]) hold their own fields; `x-` keys are kept
//! apart as extensions, and any other key is a structural error, as the official meta-schemas
//! say. Fields that may be `$ref`s are [`Raw`] and read as nodes of their own, so every error
//! names the file and the pointer of the object it is about.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ErrorKind, Result};
use crate::refs::{Loc, Store};

/// A field read later, at its own location: it may be a `$ref`, or its content does not matter to
/// the generator (tags, servers, security).
pub(crate) type Raw = Value;

/// The AsyncAPI major version a document is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Major {
    Two,
    Three,
}

impl std::fmt::Display for Major {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Major::Two => "2.x",
            Major::Three => "3.x",
        })
    }
}

/// A typed object with where it was found and its `x-` extensions.
#[derive(Debug, Clone)]
pub(crate) struct Node<T> {
    pub loc: Loc,
    pub value: T,
    pub ext: Map<String, Value>,
}

impl<T> Node<T> {
    /// The extension `key`, read as `E` at its own location.
    pub fn ext<E: DeserializeOwned>(
        &self,
        store: &Store<'_>,
        key: &str,
        what: &str,
        major: Major,
    ) -> Result<Option<Node<E>>> {
        match self.ext.get(key) {
            None => Ok(None),
            Some(value) => typed(store, self.loc.child(key), value.clone(), what, major).map(Some),
        }
    }

    /// The extension `key` when it is a string.
    pub fn ext_string(&self, store: &Store<'_>, key: &str) -> Result<Option<String>> {
        match self.ext.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(store.error(
                &self.loc.child(key),
                ErrorKind::Structure(format!("`{key}` must be a string")),
            )),
        }
    }

    /// The extension `key` when it is a boolean.
    pub fn ext_bool(&self, store: &Store<'_>, key: &str) -> Result<Option<bool>> {
        match self.ext.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(store.error(
                &self.loc.child(key),
                ErrorKind::Structure(format!("`{key}` must be a boolean")),
            )),
        }
    }
}

/// Follows `$ref`s from `loc` and reads the object there as `T`.
pub(crate) fn read<T: DeserializeOwned>(
    store: &mut Store<'_>,
    loc: &Loc,
    what: &str,
    major: Major,
) -> Result<Node<T>> {
    let (loc, value) = store.fetch(loc)?;
    typed(store, loc, value, what, major)
}

/// Reads `value`, found at `loc`, as `T`.
pub(crate) fn typed<T: DeserializeOwned>(
    store: &Store<'_>,
    loc: Loc,
    value: Value,
    what: &str,
    major: Major,
) -> Result<Node<T>> {
    let Value::Object(map) = value else {
        return Err(store.error(
            &loc,
            ErrorKind::Structure(format!("{what} must be an object")),
        ));
    };
    let (ext, fields): (Map<String, Value>, Map<String, Value>) =
        map.into_iter().partition(|(k, _)| k.starts_with("x-"));
    match serde_path_to_error::deserialize(Value::Object(fields)) {
        Ok(value) => Ok(Node { loc, value, ext }),
        Err(e) => {
            let mut at = loc.clone();
            let mut inner_what = what.to_owned();
            let message = e.inner().to_string();
            let mut segments: Vec<_> = e.path().iter().collect();
            // The path of an unknown key ends with the key itself; the message names it.
            let unknown = message
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split('`').next());
            if let (Some(key), Some(serde_path_to_error::Segment::Map { key: last })) =
                (unknown, segments.last())
            {
                if key == last {
                    segments.pop();
                }
            }
            for segment in segments {
                match segment {
                    serde_path_to_error::Segment::Map { key } => {
                        inner_what = format!("`{key}`");
                        at = at.child(key);
                    }
                    serde_path_to_error::Segment::Seq { index } => {
                        at = at.child(&index.to_string());
                    }
                    _ => {}
                }
            }
            Err(structure_error(store, at, &message, &inner_what, major))
        }
    }
}

/// serde's message, said in AsyncAPI's terms where it is about a key.
fn structure_error(
    store: &Store<'_>,
    at: Loc,
    message: &str,
    what: &str,
    major: Major,
) -> crate::Error {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, expected)) = rest.split_once('`') {
            // serde lists the fields between backticks, in declaration order.
            let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let fields = if fields.is_empty() {
                String::new()
            } else {
                format!(" (its fields: {})", fields.join(", "))
            };
            return store.error(
                &at.child(key),
                ErrorKind::Structure(format!(
                    "`{key}` is not a field of {what} in AsyncAPI {major}{fields}"
                )),
            );
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.trim_end_matches('`');
        return store.error(
            &at,
            ErrorKind::Structure(format!("`{key}` is required in {what}")),
        );
    }
    store.error(&at, ErrorKind::Structure(format!("{what}: {message}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::MemoryLoader;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Thing {
        title: String,
        #[serde(default)]
        tags: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        name: String,
    }

    fn read_thing(yaml: &str) -> Result<Node<Thing>> {
        let mut loader = MemoryLoader::new();
        loader.insert("a.yaml", yaml);
        let mut store = Store::new(&loader);
        let doc = store.load("a.yaml".as_ref(), None)?;
        let loc = Loc {
            doc,
            pointer: "/thing".into(),
        };
        read(&mut store, &loc, "a thing", Major::Three)
    }

    #[test]
    fn extensions_are_kept_apart_and_fields_read() {
        let node = read_thing("thing: {title: T, x-a: 1, tags: [{name: n}]}\n").unwrap();
        assert_eq!(node.value.title, "T");
        assert_eq!(node.value.tags.len(), 1);
        assert_eq!(node.ext.get("x-a"), Some(&Value::from(1)));
        assert_eq!(node.loc.pointer, "/thing");
    }

    #[test]
    fn errors_name_the_key_and_its_pointer() {
        let e = read_thing("thing: {title: T, colour: red}\n").unwrap_err();
        assert_eq!(e.pointer(), "/thing/colour");
        assert!(
            e.to_string().contains(
                "`colour` is not a field of a thing in AsyncAPI 3.x (its fields: title, tags)"
            ),
            "{e}"
        );
        let e = read_thing("thing: {tags: []}\n").unwrap_err();
        assert_eq!(e.pointer(), "/thing");
        assert!(
            e.to_string().contains("`title` is required in a thing"),
            "{e}"
        );
        let e = read_thing("thing: {title: [1]}\n").unwrap_err();
        assert_eq!(e.pointer(), "/thing/title");
        assert!(e.to_string().contains("invalid type: sequence"), "{e}");
        let e = read_thing("thing: {title: T, tags: [{name: n}, {nom: n}]}\n").unwrap_err();
        assert_eq!(e.pointer(), "/thing/tags/1/nom");
        let e = read_thing("thing: 3\n").unwrap_err();
        assert!(e.to_string().contains("a thing must be an object"), "{e}");
    }

    #[test]
    fn a_ref_is_followed_to_the_object() {
        let node = read_thing("thing: {$ref: '#/other'}\nother: {title: O}\n").unwrap();
        assert_eq!(node.value.title, "O");
        assert_eq!(node.loc.pointer, "/other");
    }
}
