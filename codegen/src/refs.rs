//! The documents of one spec (the root and every file its `$ref`s reach) and `$ref` resolution.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{pointer_tokens, Error, ErrorKind, Result};
use crate::load::{normalize, parse_yaml, Loader};
use crate::locate::line_of;

/// How many `$ref` hops a chain may take before it is called a cycle.
const MAX_REF_CHAIN: usize = 64;
/// How many files one spec may pull in through `$ref`s.
const MAX_FILES: usize = 256;

/// A place in one of the loaded documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Loc {
    pub doc: usize,
    pub pointer: String,
}

impl Loc {
    pub fn child(&self, token: &str) -> Loc {
        Loc {
            doc: self.doc,
            pointer: crate::error::join_pointer(&self.pointer, token),
        }
    }
}

struct Doc {
    path: PathBuf,
    text: String,
    root: Value,
}

/// All documents of one spec, loaded on demand.
pub(crate) struct Store<'l> {
    loader: &'l dyn Loader,
    docs: Vec<Doc>,
    by_path: HashMap<PathBuf, usize>,
    /// Documents given in place of remote ones, by their top-level `$id`.
    by_id: HashMap<String, usize>,
    /// How deep [`Store::through_refs`] is in itself: `$ref`s through `$ref`s can loop.
    detours: usize,
}

impl<'l> Store<'l> {
    pub fn new(loader: &'l dyn Loader) -> Self {
        Self {
            loader,
            docs: Vec::new(),
            by_path: HashMap::new(),
            by_id: HashMap::new(),
            detours: 0,
        }
    }

    /// Loads a local document that stands for a remote one: a `$ref` to the URL in its `$id`
    /// resolves to it, so nothing is fetched.
    pub fn add_local_copy(&mut self, path: &Path) -> Result<()> {
        let doc = self.load(path, None)?;
        match self.docs[doc].root.get("$id").and_then(Value::as_str) {
            Some(id) => {
                let id = id.split('#').next().unwrap_or(id).to_owned();
                self.by_id.insert(id, doc);
                Ok(())
            }
            None => Err(Error::new(
                path,
                "",
                ErrorKind::Reference(
                    "a document given for remote references needs a top-level `$id` (the URL it stands for)".into(),
                ),
            )),
        }
    }

    /// Applies the JSON Merge Patch (RFC 7396) in the file `overlay` to document `doc`: objects
    /// are merged key by key, `null` removes a key, anything else replaces what was there. The
    /// patch's `$ref`s are read as the document's own.
    pub fn apply_overlay(&mut self, doc: usize, overlay: &Path) -> Result<()> {
        let patch = self.load(overlay, None)?;
        let patch = self.docs[patch].root.clone();
        if !patch.is_object() {
            return Err(Error::new(
                overlay,
                "",
                ErrorKind::Structure(
                    "an overlay is an object: a JSON Merge Patch of the document".into(),
                ),
            ));
        }
        merge_patch(&mut self.docs[doc].root, &patch);
        Ok(())
    }

    /// Loads a document (once) and returns its index.
    pub fn load(&mut self, path: &Path, from: Option<&Loc>) -> Result<usize> {
        let path = normalize(path);
        if let Some(&i) = self.by_path.get(&path) {
            return Ok(i);
        }
        let located = |kind| match from {
            Some(loc) => self.error(loc, kind),
            None => Error::new(&path, "", kind),
        };
        if self.docs.len() >= MAX_FILES {
            return Err(located(ErrorKind::Limit(format!(
                "more than {MAX_FILES} files are referenced"
            ))));
        }
        let text = self.loader.load(&path).map_err(|e| {
            located(ErrorKind::Io(match from {
                Some(_) => format!("{}: {e}", path.display()),
                None => e.to_string(),
            }))
        })?;
        let root = parse_yaml(&path, &text)?;
        self.docs.push(Doc {
            path: path.clone(),
            text,
            root,
        });
        let index = self.docs.len() - 1;
        self.by_path.insert(path, index);
        Ok(index)
    }

    pub fn path(&self, doc: usize) -> &Path {
        &self.docs[doc].path
    }

    /// The value at `loc`, if there is one.
    pub fn get(&self, loc: &Loc) -> Option<&Value> {
        let mut v = &self.docs.get(loc.doc)?.root;
        for token in pointer_tokens(&loc.pointer) {
            v = match v {
                Value::Object(map) => map.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// An error located at `loc`, with its line when it can be found.
    pub fn error(&self, loc: &Loc, kind: ErrorKind) -> Error {
        let doc = &self.docs[loc.doc];
        Error::new(&doc.path, loc.pointer.clone(), kind).with_line(line_of(&doc.text, &loc.pointer))
    }

    /// An error located at `pointer` in the loaded document `file`.
    pub fn error_in(&self, file: &Path, pointer: &str, kind: ErrorKind) -> Error {
        match self.docs.iter().position(|d| d.path == file) {
            Some(doc) => self.error(
                &Loc {
                    doc,
                    pointer: pointer.to_owned(),
                },
                kind,
            ),
            None => Error::new(file, pointer, kind),
        }
    }

    /// Resolves the `$ref` string found at `at` (the location of the object holding it).
    pub fn resolve(&mut self, at: &Loc, reference: &str) -> Result<Loc> {
        let ref_loc = at.child("$ref");
        let (file, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        let has_scheme = file.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        let local_copy = self.by_id.get(file).copied();
        if (has_scheme || file.starts_with("//")) && local_copy.is_none() {
            return Err(self.error(
                &ref_loc,
                ErrorKind::Reference(format!(
                    "{reference:?} is a remote reference; only references inside the document and to relative files are followed (no network at generation time; a local copy whose `$id` is that URL can be given instead)"
                )),
            ));
        }
        let pointer = percent_decode(fragment).ok_or_else(|| {
            self.error(
                &ref_loc,
                ErrorKind::Reference(format!("{reference:?} has an invalid percent-encoding")),
            )
        })?;
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(self.error(
                &ref_loc,
                ErrorKind::Reference(format!(
                    "{reference:?}: the fragment must be a JSON pointer starting with '/'"
                )),
            ));
        }
        let doc = if let Some(doc) = local_copy {
            doc
        } else if file.is_empty() {
            at.doc
        } else {
            let base = self.docs[at.doc].path.parent().unwrap_or(Path::new(""));
            let target = base.join(file);
            self.load(&target, Some(&ref_loc))?
        };
        let target = Loc { doc, pointer };
        let target = match self.get(&target) {
            Some(_) => Some(target),
            None => self.through_refs(&target, &ref_loc)?,
        };
        let Some(target) = target else {
            return Err(self.error(
                &ref_loc,
                ErrorKind::Reference(format!(
                    "{reference:?} points at nothing in {}",
                    self.docs[doc].path.display()
                )),
            ));
        };
        Ok(target)
    }

    /// `loc` with every `$ref` met on its way followed: AsyncAPI 3 operations name a channel's
    /// message as `#/channels/c/messages/m` where `#/channels/c` may itself be a `$ref`. `None`
    /// when the path leads nowhere even so.
    fn through_refs(&mut self, loc: &Loc, at: &Loc) -> Result<Option<Loc>> {
        self.detours += 1;
        let found = if self.detours > MAX_REF_CHAIN {
            Err(self.error(at, ErrorKind::Reference("is part of a $ref cycle".into())))
        } else {
            self.walk(loc)
        };
        self.detours -= 1;
        found
    }

    fn walk(&mut self, loc: &Loc) -> Result<Option<Loc>> {
        let mut current = Loc {
            doc: loc.doc,
            pointer: String::new(),
        };
        for token in pointer_tokens(&loc.pointer) {
            let next = current.child(&token);
            current = if self.get(&next).is_some() {
                next
            } else {
                match self.get(&current) {
                    Some(Value::Object(map)) if map.contains_key("$ref") => {
                        let next = self.deref(&current)?.child(&token);
                        if self.get(&next).is_none() {
                            return Ok(None);
                        }
                        next
                    }
                    _ => return Ok(None),
                }
            };
        }
        Ok(Some(current))
    }

    /// Follows `$ref`s from `loc` until it reaches a value that is not a reference object.
    pub fn deref(&mut self, loc: &Loc) -> Result<Loc> {
        let mut current = loc.clone();
        let mut seen = HashSet::new();
        loop {
            let reference = match self.get(&current) {
                Some(Value::Object(map)) => match map.get("$ref") {
                    Some(Value::String(r)) => r.clone(),
                    Some(_) => {
                        return Err(self.error(
                            &current.child("$ref"),
                            ErrorKind::Reference("$ref must be a string".into()),
                        ))
                    }
                    None => return Ok(current),
                },
                Some(_) => return Ok(current),
                None => {
                    return Err(
                        self.error(&current, ErrorKind::Reference("points at nothing".into()))
                    )
                }
            };
            if !seen.insert(current.clone()) || seen.len() > MAX_REF_CHAIN {
                return Err(self.error(
                    &current.child("$ref"),
                    ErrorKind::Reference(format!("{reference:?} is part of a $ref cycle")),
                ));
            }
            current = self.resolve(&current, &reference)?;
        }
    }

    /// Follows references and returns the resolved location and a copy of its value.
    pub fn fetch(&mut self, loc: &Loc) -> Result<(Loc, Value)> {
        let target = self.deref(loc)?;
        let value = self.get(&target).cloned().unwrap_or(Value::Null);
        Ok((target, value))
    }
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// RFC 7396: merges `patch` into `target`.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_patch_merges_objects_removes_nulls_and_replaces_the_rest() {
        let mut doc = serde_json::json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": 1});
        let patch =
            serde_json::json!({"a": {"b": null, "c": [3], "n": {"m": true}}, "d": {"k": 1}});
        merge_patch(&mut doc, &patch);
        assert_eq!(
            doc,
            serde_json::json!({"a": {"c": [3], "n": {"m": true}}, "d": {"k": 1}, "e": 1})
        );
    }
    use crate::load::MemoryLoader;

    fn store(loader: &MemoryLoader) -> Store<'_> {
        Store::new(loader)
    }

    #[test]
    fn follows_internal_and_relative_file_refs() {
        let mut files = MemoryLoader::new();
        files.insert(
            "dir/main.yaml",
            "a:\n  $ref: '#/b'\nb:\n  $ref: 'common/x.yaml#/defs/X'\n",
        );
        files.insert("dir/common/x.yaml", "defs:\n  X:\n    type: string\n");
        let mut s = store(&files);
        let doc = s.load(Path::new("dir/main.yaml"), None).unwrap();
        let (loc, value) = s
            .fetch(&Loc {
                doc,
                pointer: "/a".into(),
            })
            .unwrap();
        assert_eq!(value, serde_json::json!({"type": "string"}));
        assert_eq!(s.path(loc.doc), Path::new("dir/common/x.yaml"));
        assert_eq!(loc.pointer, "/defs/X");
    }

    #[test]
    fn remote_missing_and_cyclic_refs_are_located_errors() {
        let mut files = MemoryLoader::new();
        files.insert(
            "m.yaml",
            "r:\n  $ref: 'https://example.com/x.yaml#/a'\nm:\n  $ref: '#/nope'\nc1:\n  $ref: '#/c2'\nc2:\n  $ref: '#/c1'\nf:\n  $ref: 'missing.yaml'\n",
        );
        let mut s = store(&files);
        let doc = s.load(Path::new("m.yaml"), None).unwrap();
        let at = |p: &str| Loc {
            doc,
            pointer: p.into(),
        };
        let e = s.deref(&at("/r")).unwrap_err();
        assert!(e.to_string().contains("remote"), "{e}");
        assert_eq!(e.pointer(), "/r/$ref");
        assert_eq!(e.line(), Some(2));
        let e = s.deref(&at("/m")).unwrap_err();
        assert_eq!((e.pointer(), e.line()), ("/m/$ref", Some(4)), "{e}");
        assert!(s
            .deref(&at("/c1"))
            .unwrap_err()
            .to_string()
            .contains("cycle"));
        let e = s.deref(&at("/f")).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Io(m) if m.contains("missing.yaml")),
            "{e}"
        );
        assert_eq!(e.file(), Path::new("m.yaml"));
    }

    #[test]
    fn a_pointer_through_a_ref_follows_it_and_a_loop_of_them_is_a_cycle() {
        let mut files = MemoryLoader::new();
        files.insert(
            "m.yaml",
            "channels:\n  a: {$ref: 'other.yaml#/a'}\nop: {$ref: '#/channels/a/messages/m'}\nmissing: {$ref: '#/channels/a/messages/nope'}\nloop: {$ref: '#/loop/x'}\n",
        );
        files.insert("other.yaml", "a:\n  messages:\n    m: {name: M}\n");
        let mut s = store(&files);
        let doc = s.load(Path::new("m.yaml"), None).unwrap();
        let at = |p: &str| Loc {
            doc,
            pointer: p.into(),
        };
        let (loc, value) = s.fetch(&at("/op")).unwrap();
        assert_eq!(loc.pointer, "/a/messages/m");
        assert_eq!(s.path(loc.doc), Path::new("other.yaml"));
        assert_eq!(value["name"], "M");
        let e = s.deref(&at("/missing")).unwrap_err();
        assert!(e.to_string().contains("points at nothing"), "{e}");
        let e = s.deref(&at("/loop")).unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");
    }

    #[test]
    fn percent_encoded_pointers_resolve() {
        let mut files = MemoryLoader::new();
        files.insert("m.yaml", "a:\n  $ref: '#/b%20c'\n'b c': 1\n");
        let mut s = store(&files);
        let doc = s.load(Path::new("m.yaml"), None).unwrap();
        assert_eq!(
            s.fetch(&Loc {
                doc,
                pointer: "/a".into()
            })
            .unwrap()
            .1,
            1
        );
    }
}
