//! Finds the `allOf` merges typify would never finish.
//!
//! typify merges the branches of an `allOf` (and a schema's own keywords into each `anyOf`/`oneOf`
//! branch) by resolving their `$ref`s as it goes, with no guard against cycles (a TODO in its
//! source). A merge that leads back to itself recurses until the stack overflows, which aborts the
//! process: no `catch_unwind` sees it. This walks the merges typify would make, building nothing,
//! and reports the first that comes back to a merge already under way.

use std::collections::BTreeMap;

use asyncapi_schema::{DefinitionRef, Dialect};
use serde_json::{Map, Value};

/// Deeper than any merge of a real spec; reaching it means the merge does not end.
const MAX_DEPTH: usize = 64;
/// Work allowed per `allOf`, so a pathological one cannot take unbounded time either.
const MAX_STEPS: usize = 100_000;

/// Where typify would recurse forever: a definition and the pointer (within it) of the `allOf`, or
/// of the schema whose keywords are merged into its branches.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Endless {
    pub definition: String,
    pub pointer: String,
}

pub(crate) fn find_endless(defs: &BTreeMap<String, Value>) -> Option<Endless> {
    for (name, schema) in defs {
        let mut found = None;
        merge_sites(schema, String::new(), &mut |pairs, pointer| {
            if found.is_some() {
                return;
            }
            let mut walk = Walk {
                defs,
                under_way: Vec::new(),
                steps: 0,
            };
            if pairs.iter().any(|(a, b)| walk.merge(a, b, 0).is_err()) {
                found = Some(pointer.to_owned());
            }
        });
        if let Some(pointer) = found {
            return Some(Endless {
                definition: name.clone(),
                pointer,
            });
        }
    }
    None
}

/// What [`merge_sites`] reports: the pairs of schemas merged at a place, and its pointer.
type Site<'f> = dyn FnMut(&[(Value, Value)], &str) + 'f;

/// Calls `f` with the pairs typify merges at each place of `schema` that merges: every two
/// branches of an `allOf`; a schema's own keywords with each of its `anyOf`/`oneOf` branches.
fn merge_sites(schema: &Value, at: String, f: &mut Site<'_>) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(Value::Array(branches)) = map.get("allOf") {
        let mut pairs = Vec::new();
        for (i, a) in branches.iter().enumerate() {
            for b in &branches[i + 1..] {
                pairs.push((a.clone(), b.clone()));
            }
        }
        f(&pairs, &format!("{at}/allOf"));
    }
    let own: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "anyOf" | "oneOf" | "allOf"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for key in ["anyOf", "oneOf"] {
        if let (Some(Value::Array(branches)), false) = (map.get(key), own.is_empty()) {
            let base = Value::Object(own.clone());
            let pairs: Vec<_> = branches.iter().map(|b| (base.clone(), b.clone())).collect();
            f(&pairs, &format!("{at}/{key}"));
        }
    }
    for (key, child) in map {
        match (key.as_str(), child) {
            ("properties" | "patternProperties" | "definitions", Value::Object(entries)) => {
                for (name, sub) in entries {
                    let name = name.replace('~', "~0").replace('/', "~1");
                    merge_sites(sub, format!("{at}/{key}/{name}"), f);
                }
            }
            ("allOf" | "anyOf" | "oneOf" | "items", Value::Array(items)) => {
                for (i, sub) in items.iter().enumerate() {
                    merge_sites(sub, format!("{at}/{key}/{i}"), f);
                }
            }
            ("items" | "additionalProperties" | "additionalItems", sub @ Value::Object(_)) => {
                merge_sites(sub, format!("{at}/{key}"), f);
            }
            _ => {}
        }
    }
}

struct Walk<'a> {
    defs: &'a BTreeMap<String, Value>,
    /// The `$ref` merges under way: the definition resolved, and what it is merged with.
    under_way: Vec<(String, String)>,
    steps: usize,
}

fn reference(schema: &Value) -> Option<&str> {
    DefinitionRef::of_dialect(schema, Dialect::Definitions)
}

impl Walk<'_> {
    /// `Err` when merging `a` with `b` would not end.
    fn merge(&mut self, a: &Value, b: &Value, depth: usize) -> Result<(), ()> {
        self.steps += 1;
        if depth > MAX_DEPTH || self.steps > MAX_STEPS {
            return Err(());
        }
        if a == &Value::Bool(false) || b == &Value::Bool(false) {
            return Ok(());
        }
        // typify takes `true` as is, but resolves and merges even against `{}`.
        if a == &Value::Bool(true) || b == &Value::Bool(true) {
            return Ok(());
        }
        match (reference(a), reference(b)) {
            (Some(x), Some(y)) if x == y => Ok(()),
            (Some(name), _) => self.resolve(name, b, depth),
            (_, Some(name)) => self.resolve(name, a, depth),
            _ => self.merge_objects(a, b, depth),
        }
    }

    fn resolve(&mut self, name: &str, other: &Value, depth: usize) -> Result<(), ()> {
        let Some(target) = self.defs.get(name) else {
            return Ok(());
        };
        let key = (name.to_owned(), other.to_string());
        if self.under_way.contains(&key) {
            return Err(());
        }
        self.under_way.push(key);
        let result = self.merge(target, other, depth + 1);
        self.under_way.pop();
        result
    }

    fn merge_objects(&mut self, a: &Value, b: &Value, depth: usize) -> Result<(), ()> {
        let (Value::Object(x), Value::Object(y)) = (a, b) else {
            return Ok(());
        };
        let depth = depth + 1;
        // A schema's own subschemas are merged with the other schema, and an `allOf`'s branches
        // with each other first.
        for (this, other, that) in [(x, b, y), (y, a, x)] {
            if let Some(Value::Array(branches)) = this.get("allOf") {
                for (i, first) in branches.iter().enumerate() {
                    for second in &branches[i + 1..] {
                        self.merge(first, second, depth)?;
                    }
                }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                if let Some(Value::Array(branches)) = this.get(key) {
                    for branch in branches {
                        self.merge(branch, other, depth)?;
                    }
                }
            }
            // A property only one side declares meets the other's `additionalProperties`.
            if let (Some(Value::Object(props)), Some(extra @ Value::Object(_))) =
                (this.get("properties"), that.get("additionalProperties"))
            {
                let declared = that.get("properties").and_then(Value::as_object);
                for (name, prop) in props {
                    if !declared.is_some_and(|d| d.contains_key(name)) {
                        self.merge(prop, extra, depth)?;
                    }
                }
            }
        }
        if let (Some(Value::Object(pa)), Some(Value::Object(pb))) =
            (x.get("properties"), y.get("properties"))
        {
            for (name, prop) in pa {
                if let Some(other) = pb.get(name) {
                    self.merge(prop, other, depth)?;
                }
            }
        }
        if let (Some(Value::Object(pa)), Some(Value::Object(pb))) =
            (x.get("patternProperties"), y.get("patternProperties"))
        {
            for (pattern, prop) in pa {
                if let Some(other) = pb.get(pattern) {
                    self.merge(prop, other, depth)?;
                }
            }
        }
        for key in ["additionalProperties", "items", "additionalItems"] {
            if let (Some(sa @ Value::Object(_)), Some(sb @ Value::Object(_))) =
                (x.get(key), y.get(key))
            {
                self.merge(sa, sb, depth)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs(value: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_merge_that_comes_back_to_itself_is_found() {
        let d = defs(json!({
            "Other": {"allOf": [
                {"$ref": "#/definitions/Position"},
                {"type": "object", "additionalProperties": {"$ref": "#/definitions/Other"}}
            ]},
            "Position": {"type": "object", "additionalProperties": {"oneOf": [
                {"$ref": "#/definitions/Position"},
                {"type": "integer"}
            ]}}
        }));
        assert_eq!(
            find_endless(&d),
            Some(Endless {
                definition: "Other".into(),
                pointer: "/allOf".into()
            })
        );
    }

    #[test]
    fn recursive_types_and_inheritance_are_fine() {
        let d = defs(json!({
            "Node": {"allOf": [
                {"$ref": "#/definitions/Base"},
                {"type": "object", "properties": {"x": {"type": "string"}}}
            ]},
            "Base": {"type": "object", "properties": {
                "next": {"$ref": "#/definitions/Node"},
                "kids": {"type": "array", "items": {"$ref": "#/definitions/Base"}}
            }}
        }));
        assert_eq!(find_endless(&d), None);
    }
}
