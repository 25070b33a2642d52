//! Collects the schemas of a spec into named definitions with `$ref`s rewritten, and prepares
//! them for typify.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use asyncapi_schema::keyword::{self, Place};
use asyncapi_schema::{DefinitionRef, Dialect};
use serde_json::Value;

use crate::error::{pointer_tokens, ErrorKind, Result};
use crate::model::Definition;
use crate::naming::{pascal, Namer};
use crate::refs::{Loc, Store};

/// Every schema of a spec that becomes a named type.
pub(crate) struct Definitions {
    names: Namer,
    by_loc: HashMap<Loc, String>,
    defs: BTreeMap<String, (Loc, Value)>,
    queue: VecDeque<(String, Loc)>,
}

impl Definitions {
    pub fn new() -> Self {
        let mut names = Namer::new();
        // The generated module has these next to the types.
        for reserved in ["Error", "ConversionError"] {
            names.reserve(reserved);
        }
        Self {
            names,
            by_loc: HashMap::new(),
            defs: BTreeMap::new(),
            queue: VecDeque::new(),
        }
    }

    /// The definition name for the schema at `loc`, assigning `hint` (made unique) the first time.
    pub fn intern(&mut self, loc: &Loc, hint: &str) -> String {
        if let Some(name) = self.by_loc.get(loc) {
            return name.clone();
        }
        let name = self.names.unique(pascal(hint));
        self.by_loc.insert(loc.clone(), name.clone());
        self.queue.push_back((name.clone(), loc.clone()));
        name
    }

    /// Copies and rewrites every interned schema, interning what their `$ref`s reach.
    pub fn process(&mut self, store: &mut Store<'_>) -> Result<()> {
        while let Some((name, loc)) = self.queue.pop_front() {
            let value = store.get(&loc).cloned().unwrap_or(Value::Null);
            let rewritten = self.rewrite(store, &loc, value)?;
            self.defs.insert(name, (loc, rewritten));
        }
        self.check_composition_cycles(store)
    }

    fn rewrite(&mut self, store: &mut Store<'_>, loc: &Loc, value: Value) -> Result<Value> {
        let map = match value {
            Value::Object(map) => map,
            Value::Bool(_) => return Ok(value),
            other => {
                return Err(store.error(
                    loc,
                    ErrorKind::Structure(format!(
                        "a schema must be an object or a boolean, found {}",
                        kind_of(&other)
                    )),
                ))
            }
        };
        if let Some(reference) = map.get("$ref") {
            let Value::String(reference) = reference else {
                return Err(store.error(
                    &loc.child("$ref"),
                    ErrorKind::Reference("$ref must be a string".into()),
                ));
            };
            let reference = reference.clone();
            let target = store.resolve(loc, &reference)?;
            let name = self.intern(&target, &hint_for(&target.pointer, store));
            // Draft-07: keywords beside `$ref` are ignored, so they are dropped.
            return Ok(DefinitionRef::definitions(&name).schema());
        }
        let mut value = Value::Object(map);
        keyword::try_for_each_subschema_mut(&mut value, |place, child| {
            let at = place.tokens().iter().fold(loc.clone(), |at, t| at.child(t));
            *child = self.rewrite(store, &at, std::mem::take(child))?;
            Ok(())
        })?;
        Ok(value)
    }

    /// Runs `check` on every definition (its location and its schema as collected).
    pub fn check_each(
        &self,
        store: &Store<'_>,
        check: impl Fn(&Store<'_>, &Loc, &Value) -> Result<()>,
    ) -> Result<()> {
        for (loc, schema) in self.defs.values() {
            check(store, loc, schema)?;
        }
        Ok(())
    }

    /// Definitions that contain each other only by being or combining each other (`$ref`,
    /// `allOf`, `anyOf`, `oneOf`), with no property or item in between, describe no value at all;
    /// typify would recurse on them forever. (A ring through a property is a recursive type.)
    fn check_composition_cycles(&self, store: &Store<'_>) -> Result<()> {
        let edges: BTreeMap<&str, Vec<(String, String)>> = self
            .defs
            .iter()
            .map(|(name, (_, schema))| {
                let mut out = Vec::new();
                composed_refs(schema, "", &mut out);
                (name.as_str(), out)
            })
            .collect();
        // Depth-first, without recursion: 1 while on the path, 2 when done.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        for &start in edges.keys() {
            if state.contains_key(start) {
                continue;
            }
            state.insert(start, 1);
            let mut path: Vec<(&str, usize)> = vec![(start, 0)];
            while let Some(&(node, next)) = path.last() {
                let Some((pointer, target)) = edges[node].get(next) else {
                    state.insert(node, 2);
                    path.pop();
                    continue;
                };
                if let Some(last) = path.last_mut() {
                    last.1 += 1;
                }
                let Some((&target, _)) = edges.get_key_value(target.as_str()) else {
                    continue;
                };
                match state.get(target) {
                    Some(1) => {
                        let (loc, _) = &self.defs[node];
                        let at = Loc {
                            doc: loc.doc,
                            pointer: format!("{}{pointer}", loc.pointer),
                        };
                        return Err(store.error(
                            &at,
                            ErrorKind::Reference(
                                "this $ref closes a cycle of schemas that contain each other only through $ref, allOf, anyOf or oneOf (no property or item in between), so they describe no value".into(),
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        state.insert(target, 1);
                        path.push((target, 0));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn into_model(self, store: &Store<'_>) -> BTreeMap<String, Definition> {
        self.defs
            .into_iter()
            .map(|(name, (loc, schema))| {
                (
                    name,
                    Definition {
                        file: store.path(loc.doc).to_path_buf(),
                        pointer: loc.pointer,
                        schema,
                    },
                )
            })
            .collect()
    }
}

/// The definitions a schema is, or combines, as `(pointer of the $ref, definition name)`.
fn composed_refs(schema: &Value, at: &str, out: &mut Vec<(String, String)>) {
    let Some(map) = schema.as_object() else {
        return;
    };
    if let Some(name) = DefinitionRef::of_dialect(schema, Dialect::Definitions) {
        out.push((format!("{at}/$ref"), name.to_owned()));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.get(key) {
            for (i, item) in items.iter().enumerate() {
                composed_refs(item, &format!("{at}/{key}/{i}"), out);
            }
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A type-name hint from where a schema sits: its last meaningful pointer token.
pub(crate) fn hint_for(pointer: &str, store: &Store<'_>) -> String {
    const GENERIC: &[&str] = &[
        "components",
        "schemas",
        "definitions",
        "$defs",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "additionalProperties",
        "schema",
    ];
    let tokens = pointer_tokens(pointer);
    let meaningful: Vec<&String> = tokens
        .iter()
        .filter(|t| !GENERIC.contains(&t.as_str()) && t.parse::<usize>().is_err())
        .collect();
    match meaningful.as_slice() {
        [.., parent, last] if *last == "payload" => format!("{parent} payload"),
        [.., last] => (*last).clone(),
        [] => {
            // A whole file used as a schema: name it after the file.
            let _ = store;
            "Schema".to_owned()
        }
    }
}

/// A copy of the definitions adapted to what typify handles well:
/// - keywords typify cannot turn into Rust (`not`, `if`/`then`/`else`, tuple `items`, ...) are
///   dropped: the type is looser than the schema, and the validators still enforce them;
/// - a `default` or `enum` whose values are not of the schema's type is dropped (typify refuses
///   them);
/// - `const` becomes a one-value `enum` (typify ignores `const`);
/// - optional arrays and maps may also be `null`, so typify makes them `Option<..>` instead of
///   dropping empty ones when encoding (an absent field and `[]` differ on the wire);
/// - properties of schemas used as `allOf` bases that would become types of their own are hoisted
///   into shared definitions, so typify does not copy them into every type that merges the base.
pub(crate) fn for_typify(defs: &BTreeMap<String, Definition>) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = defs
        .iter()
        .map(|(name, def)| {
            let mut schema = def.schema.clone();
            const_to_enum(&mut schema);
            drop_unsupported(&mut schema);
            optional_collections_nullable(&mut schema);
            (name.clone(), schema)
        })
        .collect();

    let mut bases = BTreeSet::new();
    for schema in out.values() {
        if let Some(Value::Array(branches)) = schema.get("allOf") {
            for b in branches {
                if let Some(target) = DefinitionRef::of_dialect(b, Dialect::Definitions) {
                    bases.insert(target.to_owned());
                }
            }
        }
    }
    let mut names = Namer::new();
    for name in out.keys() {
        names.reserve(name);
    }
    let mut hoisted = Vec::new();
    for base in bases {
        let Some(Value::Object(props)) = out.get_mut(&base).and_then(|s| s.get_mut("properties"))
        else {
            continue;
        };
        for (prop, schema) in props.iter_mut() {
            if becomes_named_type(schema) {
                let name = names.unique(pascal(&format!("{base} {prop}")));
                let moved = std::mem::replace(schema, DefinitionRef::definitions(&name).schema());
                hoisted.push((name, moved));
            }
        }
    }
    out.extend(hoisted);
    hoist_recursive_all_of(&mut out, &mut names);
    out
}

/// The definitions a (prepared) schema refers to, anywhere in it but its data.
pub(crate) fn references(schema: &Value, out: &mut BTreeSet<String>) {
    keyword::walk(schema, &mut |s| {
        if let Some(name) = DefinitionRef::of_dialect(s, Dialect::Definitions) {
            out.insert(name.to_owned());
        }
    });
}

/// The definitions reachable from `start` through `$ref`s, `start` included.
pub(crate) fn reachable<'a>(
    start: &str,
    schema_of: impl Fn(&str) -> Option<&'a Value>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![start.to_owned()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schema_of(&name) {
            let mut refs = BTreeSet::new();
            references(schema, &mut refs);
            todo.extend(refs.into_iter().filter(|r| !seen.contains(r)));
        }
    }
    seen
}

/// typify merges an `allOf` by copying what its branches refer to; when that `allOf` sits inside
/// (not at the top of) a definition its branches lead back to, every copy holds the `allOf` again
/// and typify recurses until the stack overflows. Such an `allOf` becomes a definition of its own,
/// which typify names once and so terminates.
fn hoist_recursive_all_of(defs: &mut BTreeMap<String, Value>, names: &mut Namer) {
    let graph: BTreeMap<String, BTreeSet<String>> = defs
        .iter()
        .map(|(name, schema)| {
            let mut refs = BTreeSet::new();
            references(schema, &mut refs);
            (name.clone(), refs)
        })
        .collect();
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_owned()];
        while let Some(n) = todo.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                todo.extend(graph.get(&n).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut todo: Vec<String> = defs.keys().cloned().collect();
    while let Some(def) = todo.pop() {
        let Some(mut schema) = defs.remove(&def) else {
            continue;
        };
        let mut hoisted = Vec::new();
        nested_schemas(&mut schema, &def, &mut |sub, hint| {
            let recursive = sub
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|branches| {
                    branches.len() > 1
                        && branches.iter().any(|b| {
                            let mut refs = BTreeSet::new();
                            references(b, &mut refs);
                            refs.iter().any(|target| reaches(target, &def))
                        })
                });
            if recursive {
                let name = names.unique(pascal(hint));
                let moved = std::mem::replace(sub, DefinitionRef::definitions(&name).schema());
                hoisted.push((name, moved));
                false
            } else {
                true
            }
        });
        defs.insert(def.clone(), schema);
        for (name, moved) in hoisted {
            defs.insert(name.clone(), moved);
            todo.push(name);
        }
    }
}

/// Calls `f` on every schema nested in `schema` (not `schema` itself), with a name hint; descends
/// into a nested schema only when `f` returns true.
fn nested_schemas(schema: &mut Value, hint: &str, f: &mut dyn FnMut(&mut Value, &str) -> bool) {
    keyword::for_each_subschema_mut(schema, |place, sub| {
        let hint = match place {
            Place::Keyword(key) => format!("{hint} {key}"),
            Place::Item(key, i) => format!("{hint} {key} {i}"),
            Place::Entry(_, name) => format!("{hint} {name}"),
        };
        if f(sub, &hint) {
            nested_schemas(sub, &hint, f);
        }
    });
}

/// Keywords typify cannot express (the schema stays enforced by the validators).
const TYPIFY_UNSUPPORTED: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "contains",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "additionalItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "propertyNames",
];

fn value_matches_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn drop_unsupported(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    for k in TYPIFY_UNSUPPORTED {
        map.remove(*k);
    }
    if map.get("items").is_some_and(Value::is_array) {
        map.remove("items");
    }
    let default_fits = match (map.get("default"), map.get("type")) {
        (Some(d), Some(Value::String(t))) => value_matches_type(d, t),
        (Some(d), Some(Value::Array(ts))) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| value_matches_type(d, t)),
        _ => true,
    };
    if !default_fits {
        map.remove("default");
    }
    // An `enum` whose values do not fit the declared type cannot be a Rust type.
    let enum_fits = match (map.get("enum"), map.get("type")) {
        (Some(Value::Array(values)), Some(Value::String(t))) => {
            values.iter().all(|v| value_matches_type(v, t))
        }
        (Some(Value::Array(values)), Some(Value::Array(ts))) => values.iter().all(|v| {
            ts.iter()
                .filter_map(Value::as_str)
                .any(|t| value_matches_type(v, t))
        }),
        _ => true,
    };
    if !enum_fits {
        map.remove("enum");
    }
    simplify_unions(map);
    // typify trips over required names that no property declares.
    if let (Some(Value::Array(required)), Some(Value::Object(props))) =
        (map.get("required"), map.get("properties"))
    {
        let declared: Vec<Value> = required
            .iter()
            .filter(|r| r.as_str().is_some_and(|r| props.contains_key(r)))
            .cloned()
            .collect();
        map.insert("required".into(), Value::Array(declared));
    } else if map.get("required").is_some() && map.get("properties").is_none() {
        map.remove("required");
    }
    keyword::for_each_subschema_mut(schema, |_, sub| drop_unsupported(sub));
}

/// `anyOf`/`oneOf` branches typify cannot handle: a `false` branch never matches, so it goes; a
/// branch that accepts anything (`true`, `{}`) makes the union accept anything, so the union goes
/// (the type is any JSON value; validators still apply the schema). `true` and `{}` in `allOf`
/// constrain nothing, so they go too.
fn simplify_unions(map: &mut serde_json::Map<String, Value>) {
    let accepts_anything =
        |v: &Value| v == &Value::Bool(true) || v.as_object().is_some_and(|m| m.is_empty());
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(key) {
            branches.retain(|b| b != &Value::Bool(false));
            if branches.is_empty() || branches.iter().any(accepts_anything) {
                map.remove(key);
            }
        }
    }
    if let Some(Value::Array(branches)) = map.get_mut("allOf") {
        branches.retain(|b| !accepts_anything(b));
        if branches.is_empty() {
            map.remove("allOf");
        }
    }
}

fn optional_collections_nullable(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    let required: BTreeSet<String> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let Value::Object(p) = prop else { continue };
            if p.contains_key("default") {
                continue;
            }
            let collection = match p.get("type").and_then(Value::as_str) {
                Some("array") => true,
                Some("object") => {
                    !p.contains_key("properties")
                        && !["oneOf", "anyOf", "allOf"]
                            .iter()
                            .any(|k| p.contains_key(*k))
                }
                _ => false,
            };
            if collection {
                let t = p["type"].clone();
                p.insert("type".into(), Value::Array(vec![t, Value::from("null")]));
            }
        }
    }
    keyword::for_each_subschema_mut(schema, |_, sub| optional_collections_nullable(sub));
}

fn becomes_named_type(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    ["enum", "pattern", "properties", "oneOf", "anyOf", "allOf"]
        .iter()
        .any(|k| map.contains_key(*k))
}

fn const_to_enum(schema: &mut Value) {
    keyword::walk_mut(schema, &mut |s| {
        if let Some(map) = s.as_object_mut() {
            if let Some(value) = map.remove("const") {
                map.insert("enum".into(), Value::Array(vec![value]));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::MemoryLoader;
    use std::path::Path;

    fn collect(text: &str, roots: &[(&str, &str)]) -> Result<BTreeMap<String, Definition>> {
        let mut files = MemoryLoader::new();
        files.insert("s.yaml", text);
        let mut store = Store::new(&files);
        let doc = store.load(Path::new("s.yaml"), None)?;
        let mut defs = Definitions::new();
        for (pointer, hint) in roots {
            defs.intern(
                &Loc {
                    doc,
                    pointer: pointer.to_string(),
                },
                hint,
            );
        }
        defs.process(&mut store)?;
        Ok(defs.into_model(&store))
    }

    #[test]
    fn refs_become_definitions_and_names_stay_unique() {
        let defs = collect(
            "a:\n  type: object\n  properties:\n    b:\n      $ref: '#/x/user_name'\n    c:\n      $ref: '#/x/UserName'\nx:\n  user_name: {type: string}\n  UserName: {type: integer}\n",
            &[("/a", "A")],
        )
        .unwrap();
        assert_eq!(
            defs.keys().collect::<Vec<_>>(),
            ["A", "UserName", "UserName2"]
        );
        assert_eq!(
            defs["A"].schema["properties"]["b"]["$ref"],
            "#/definitions/UserName"
        );
        assert_eq!(
            defs["A"].schema["properties"]["c"]["$ref"],
            "#/definitions/UserName2"
        );
    }

    #[test]
    fn data_keywords_are_not_searched_for_refs() {
        let defs = collect(
            "a:\n  type: object\n  properties:\n    enum: {type: string}\n  default: {$ref: not-a-ref}\n  enum: [{$ref: '#/nope'}]\n",
            &[("/a", "A")],
        )
        .unwrap();
        assert_eq!(defs.len(), 1);
    }

    #[test]
    fn recursive_schemas_terminate_and_alias_cycles_are_refused() {
        let defs = collect(
            "node:\n  type: object\n  properties:\n    next: {$ref: '#/node'}\n",
            &[("/node", "Node")],
        )
        .unwrap();
        assert_eq!(
            defs["Node"].schema["properties"]["next"]["$ref"],
            "#/definitions/Node"
        );
        let e = collect("a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n", &[("/a", "A")]).unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");
    }

    #[test]
    fn typify_copy_makes_optional_collections_nullable() {
        let defs = collect(
            "a:\n  type: object\n  required: [r]\n  properties:\n    r: {type: array}\n    o: {type: array}\n    m: {type: object}\n    s: {type: object, properties: {x: {type: object}}}\n    d: {type: array, default: []}\n",
            &[("/a", "A")],
        )
        .unwrap();
        let t = for_typify(&defs);
        let p = &t["A"]["properties"];
        assert_eq!(p["r"]["type"], "array");
        assert_eq!(p["o"]["type"], serde_json::json!(["array", "null"]));
        assert_eq!(p["m"]["type"], serde_json::json!(["object", "null"]));
        assert_eq!(p["s"]["type"], "object");
        assert_eq!(
            p["s"]["properties"]["x"]["type"],
            serde_json::json!(["object", "null"])
        );
        assert_eq!(p["d"]["type"], "array");
    }

    #[test]
    fn typify_copy_turns_const_into_enum_and_hoists_base_properties() {
        let defs = collect(
            "base:\n  type: object\n  properties:\n    v: {type: string, const: '1.0'}\n    n: {type: string}\nev:\n  allOf:\n    - $ref: '#/base'\n    - properties: {k: {const: 3}}\n",
            &[("/base", "Base"), ("/ev", "Ev")],
        )
        .unwrap();
        let t = for_typify(&defs);
        assert_eq!(t["Base"]["properties"]["v"]["$ref"], "#/definitions/BaseV");
        assert_eq!(t["BaseV"]["enum"], serde_json::json!(["1.0"]));
        assert_eq!(t["Base"]["properties"]["n"]["type"], "string");
        assert_eq!(
            t["Ev"]["allOf"][1]["properties"]["k"]["enum"],
            serde_json::json!([3])
        );
        // The definitions themselves keep `const` for validators.
        assert_eq!(defs["Base"].schema["properties"]["v"]["const"], "1.0");
    }
}
