//! A message's schema compiled for the fast path.
//!
//! Compiled in two steps. First each subschema becomes a `Schema`: the assertions it makes,
//! with its `$ref`s and `allOf`s as the ids of the schemas they bring in. Then every set of
//! schemas that can apply to one value together (a property's schema and an `allOf` sibling's,
//! say) is merged into one [`Node`] holding all their assertions, so the fast path looks up one
//! node per value and one table per key, however the schema was composed. The runtime's fast path
//! checks a payload against these nodes while decoding it; the generator writes views from them,
//! so a view checks what the fast path checks.
//!
//! Only what can be checked one value at a time while decoding is compiled. A schema that uses
//! anything else (`not`, `uniqueItems`, an `anyOf` of objects...) has no program, and its
//! messages always take the reference validator. Two forms of `anyOf` (or `oneOf`) are compiled,
//! those frameworks write: for an optional value, `anyOf: [S, {type: null}]`, S's node that also
//! takes `null`; and for a union of scalars (`Union[int, str, None]`), branches that share no
//! type, each a `type` and rules for its own types, one node with all their types and rules.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use crate::key::Key;
use crate::quick::QuickRule;
use crate::reference;
use crate::{DefinitionRef, Dialect};

/// A node's index in [`Program::nodes`].
pub type NodeId = u32;

/// JSON types a node allows, as bits: a node's [`Node::types`] is a union of these.
pub mod types {
    /// `null`.
    pub const NULL: u8 = 1;
    /// `true` and `false`.
    pub const BOOL: u8 = 2;
    /// Numbers with no fraction.
    pub const INTEGER: u8 = 4;
    /// `number` allows integers too.
    pub const NUMBER: u8 = 8 | INTEGER;
    /// Strings.
    pub const STRING: u8 = 16;
    /// Arrays.
    pub const ARRAY: u8 = 32;
    /// Objects.
    pub const OBJECT: u8 = 64;
    /// Every JSON value.
    pub const ANY: u8 = 127;
}

/// A numeric bound: `minimum`, `maximum` and their exclusive forms.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The bound.
    pub value: Number,
    /// Whether the bound itself is outside (`exclusiveMinimum`, `exclusiveMaximum`).
    pub exclusive: bool,
}

/// What a schema says of an object's keys beyond `properties`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Additional {
    Any,
    Forbidden,
    Schema(SchemaId),
}

type SchemaId = u32;

/// One subschema, as written.
#[derive(Debug)]
struct Schema {
    types: u8,
    one_of_values: Option<Vec<Value>>,
    minimum: Vec<Bound>,
    maximum: Vec<Bound>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    /// `format` and `pattern`: an index into [`Program::strings`].
    strings: Option<u32>,
    items: Option<SchemaId>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    properties: Vec<(String, SchemaId)>,
    required: Vec<String>,
    additional: Additional,
    /// `anyOf: [S, {type: null}]` (or `oneOf`, then `true`): S, or `null`.
    or_null: Option<(SchemaId, bool)>,
    /// This schema and every schema its `allOf` and `$ref` bring in, transitively, sorted, less
    /// those that assert nothing.
    closure: Vec<SchemaId>,
    all_of: Vec<SchemaId>,
}

impl Default for Schema {
    fn default() -> Self {
        Self {
            types: types::ANY,
            one_of_values: None,
            minimum: Vec::new(),
            maximum: Vec::new(),
            min_length: None,
            max_length: None,
            strings: None,
            items: None,
            min_items: None,
            max_items: None,
            properties: Vec::new(),
            required: Vec::new(),
            additional: Additional::Any,
            or_null: None,
            closure: Vec::new(),
            all_of: Vec::new(),
        }
    }
}

impl Schema {
    fn asserts_nothing(&self) -> bool {
        self.types == types::ANY
            && self.one_of_values.is_none()
            && self.minimum.is_empty()
            && self.maximum.is_empty()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.strings.is_none()
            && self.items.is_none()
            && self.min_items.is_none()
            && self.max_items.is_none()
            && self.properties.is_empty()
            && self.additional == Additional::Any
            && self.or_null.is_none()
    }
}

/// Everything one value must satisfy: the schemas that apply to it, merged.
#[derive(Debug)]
pub struct Node {
    /// The JSON types allowed, as [`types`] bits.
    pub types: u8,
    /// `const`, or `enum`'s values, scalars only: those every merged schema allows.
    pub one_of_values: Option<Vec<Value>>,
    /// `minimum` and `exclusiveMinimum` of every merged schema.
    pub minimum: Vec<Bound>,
    /// `maximum` and `exclusiveMaximum` of every merged schema.
    pub maximum: Vec<Bound>,
    /// The longest `minLength`, in characters.
    pub min_length: Option<u64>,
    /// The shortest `maxLength`, in characters.
    pub max_length: Option<u64>,
    /// `format` and `pattern`, judged by the reference validator on the string alone (after
    /// the quick yes of [`Program::quick`], held to it), so the fast path agrees with it by
    /// construction: indexes into [`Program::strings`].
    pub strings: Vec<u32>,
    /// Whether a string needs more than its type checked.
    pub string_rules: bool,
    /// The node of every item ([`ANY`] when the schemas say nothing of them).
    pub items: NodeId,
    /// The largest `minItems`.
    pub min_items: Option<u64>,
    /// The smallest `maxItems`.
    pub max_items: Option<u64>,
    /// Sorted by name: every key any merged schema names.
    pub properties: Vec<Property>,
    /// Finds a key among [`Node::properties`] in one probe.
    pub index: PropertyIndex,
    /// Bit `i` set: `properties[i]` is required.
    pub required: u64,
    /// The node of a key that is none of the properties ([`NEVER`] when a schema forbids such
    /// keys).
    pub additional: NodeId,
    /// The `$defs` name of the most specific definition wholly merged here (of those, the one
    /// that brings in the most schemas), for a generator to name the node's type by.
    pub definition: Option<Box<str>>,
}

impl Node {
    /// The index in [`Node::properties`] and the node of the key `key`, read from `text`: one
    /// probe of [`Node::index`], one comparison.
    #[inline]
    pub fn property(&self, text: &str, key: &Key) -> Option<(usize, NodeId)> {
        let is = |p: &Property| key.is(text, &p.key, &p.name);
        let i = match self.index.slots[key.slot(self.index.seed)] {
            NO_PROPERTY => return None,
            SHARED_SLOT => self.properties.iter().position(is)?,
            i => usize::from(i),
        };
        let property = &self.properties[i];
        is(property).then_some((i, property.node))
    }

    /// Finds the seed that gives the properties distinct slots, or the first of the fewest
    /// shared, and fills the table.
    fn index_properties(&mut self) {
        let spread = |seed: u64| {
            let mut taken = 0u64;
            let mut shared = 0;
            for p in &self.properties {
                let bit = 1 << p.key.slot(seed);
                shared += usize::from(taken & bit != 0);
                taken |= bit;
            }
            shared
        };
        let seeds = (0..256u64).map(|k| (2 * k + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let mut best = (usize::MAX, 1);
        for seed in seeds {
            let shared = spread(seed);
            if shared < best.0 {
                best = (shared, seed);
            }
            if shared == 0 {
                break;
            }
        }
        self.index.seed = best.1;
        self.index.slots = [NO_PROPERTY; 64];
        for (i, p) in self.properties.iter().enumerate() {
            let entry = &mut self.index.slots[p.key.slot(self.index.seed)];
            *entry = if *entry == NO_PROPERTY {
                i as u8
            } else {
                SHARED_SLOT
            };
        }
    }
}

/// The slots of a node's properties: a perfect hash of their keys when a seed makes one.
#[derive(Debug, Clone)]
pub struct PropertyIndex {
    /// The property of each slot ([`Key::slot`] under `seed`): its index, [`NO_PROPERTY`], or
    /// [`SHARED_SLOT`] when several share it.
    slots: [u8; 64],
    /// Chosen so that the properties' slots differ, when a seed can do that.
    seed: u64,
}

impl Default for PropertyIndex {
    fn default() -> Self {
        Self {
            slots: [NO_PROPERTY; 64],
            seed: 1,
        }
    }
}

/// A key an object node names.
#[derive(Debug)]
pub struct Property {
    /// The key.
    pub name: Box<str>,
    key: Key,
    /// The node of the key's value.
    pub node: NodeId,
}

/// The node of a value nothing is asserted of.
pub const ANY: NodeId = 0;
/// The node no value satisfies.
pub const NEVER: NodeId = 1;

/// An empty slot of a [`PropertyIndex`].
const NO_PROPERTY: u8 = u8::MAX;
/// A slot of a [`PropertyIndex`] that several properties share.
const SHARED_SLOT: u8 = u8::MAX - 1;

/// A schema compiled: its nodes, and the string checks they refer to.
#[derive(Debug)]
pub struct Program {
    /// Every node: [`ANY`] and [`NEVER`] first, then one per set of schemas that applies to a
    /// value somewhere.
    pub nodes: Vec<Node>,
    /// The node of the whole payload.
    pub root: NodeId,
    /// The `format` and `pattern` checks, each compiled by the reference validator.
    pub strings: Vec<jsonschema::Validator>,
    /// The schema each of [`Program::strings`] was compiled from (`{"format": "uuid"}`).
    pub string_schemas: Vec<Value>,
    /// The quick yes of each of [`Program::strings`] that has one: checked first, the
    /// reference asked only when it does not say yes.
    pub quick: Vec<Option<QuickRule>>,
}

/// More merged nodes than a schema could need unless its `allOf`s multiply: such a schema takes
/// the reference validator.
const MAX_NODES: usize = 4096;

/// The deepest a schema may nest, through `properties`, `items`, combinators and `$ref`s, for a
/// program: compiled by recursion, a deeper one would overflow a thread's stack (a 2 MiB one
/// holds a few thousand levels). No payload nests near this deep (readers stop at 128), so a
/// deeper schema goes to the reference validator alone.
const MAX_DEPTH: usize = 256;

/// The keywords a program checks, the same in the runtime's fast path and in generated views.
/// `anyOf` and `oneOf` only in the forms frameworks write: for an optional value,
/// `[S, {"type": "null"}]`, and for a union of types, branches that share no type, each a
/// `type` and rules for its own types; `$ref` only to the schema's own `$defs`. Annotations (`title`,
/// `description`, `default`, `examples`...) and `x-` extensions are read past.
pub const KEYWORDS: &[&str] = &[
    "type",
    "const",
    "enum",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "format",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "additionalProperties",
    "allOf",
    "$ref",
    "anyOf",
    "oneOf",
];

/// Keywords the fast path does not check: a schema with any of them has no program.
const UNSUPPORTED: &[&str] = &[
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "uniqueItems",
    "patternProperties",
    "propertyNames",
    "dependentSchemas",
    "dependentRequired",
    "minProperties",
    "maxProperties",
    "if",
    "then",
    "else",
    "not",
    "unevaluatedItems",
    "unevaluatedProperties",
    "multipleOf",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$anchor",
    "$id",
    "definitions",
    "dependencies",
    "additionalItems",
];

/// Keywords that assert nothing.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "examples",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

struct Compiler<'a> {
    root: &'a Value,
    schemas: Vec<Schema>,
    strings: Vec<jsonschema::Validator>,
    string_schemas: Vec<Value>,
    refs: Vec<(String, SchemaId)>,
    /// Each definition's body and its name under `$defs`.
    definitions: Vec<(SchemaId, String)>,
    /// How many schemas enclose the one being compiled, through `$ref`s too.
    depth: usize,
}

/// Compiles a standalone 2020-12 schema (as the generator writes them), or says why it cannot.
pub fn compile(schema: &Value) -> Result<Program, String> {
    // What the reference validator refuses to compile (a schema that breaks the meta-schema, a
    // `$ref` it cannot parse) must not get a program either: the fast path would vouch for
    // payloads against a schema the reference says nothing of.
    reference::validator(schema)?;
    let mut c = Compiler {
        root: schema,
        // The schema no value satisfies, first: see [`NEVER_SCHEMA`].
        schemas: vec![Schema {
            types: 0,
            ..Schema::default()
        }],
        strings: Vec::new(),
        string_schemas: Vec::new(),
        refs: Vec::new(),
        definitions: Vec::new(),
        depth: 0,
    };
    let root = c.schema(schema, true)?;
    for id in 0..c.schemas.len() {
        let (mut closure, mut visited) = (Vec::new(), Vec::new());
        let mut todo = vec![id as SchemaId];
        while let Some(n) = todo.pop() {
            if !visited.contains(&n) {
                visited.push(n);
                let schema = &c.schemas[n as usize];
                // A schema that asserts nothing itself (a `$ref`, an `allOf`) need not be checked.
                if !schema.asserts_nothing() {
                    closure.push(n);
                }
                todo.extend(&schema.all_of);
            }
        }
        closure.sort_unstable();
        c.schemas[id].closure = closure;
    }
    let mut merger = Merger {
        schemas: &c.schemas,
        definitions: &c.definitions,
        strings: &c.strings,
        nodes: Vec::new(),
        made: HashMap::new(),
        todo: Vec::new(),
        optional: Vec::new(),
    };
    let any = merger.node(Vec::new());
    let never = merger.node(vec![NEVER_SCHEMA]);
    debug_assert_eq!((any, never), (ANY, NEVER));
    let root = merger.node(c.schemas[root as usize].closure.clone());
    while let Some((id, set)) = merger.todo.pop() {
        if merger.nodes.len() > MAX_NODES {
            return Err(format!("more than {MAX_NODES} merged nodes"));
        }
        let node = merger.merge(&set)?;
        merger.nodes[id as usize] = Some(node);
    }
    let nodes = merger
        .nodes
        .into_iter()
        .collect::<Option<_>>()
        .ok_or("a node left unmerged")?;
    Ok(Program {
        nodes,
        root,
        strings: c.strings,
        quick: c.string_schemas.iter().map(QuickRule::of).collect(),
        string_schemas: c.string_schemas,
    })
}

/// The schema no value satisfies; [`Merger`] adds it to a set to forbid a key.
const NEVER_SCHEMA: SchemaId = 0;

impl Compiler<'_> {
    fn schema(&mut self, schema: &Value, is_root: bool) -> Result<SchemaId, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("schemas nested more than {MAX_DEPTH} deep"));
        }
        self.depth += 1;
        let compiled = self.nested(schema, is_root);
        self.depth -= 1;
        compiled
    }

    fn nested(&mut self, schema: &Value, is_root: bool) -> Result<SchemaId, String> {
        let id = self.schemas.len() as SchemaId;
        self.schemas.push(Schema::default());
        let map = match schema {
            Value::Bool(true) => return Ok(id),
            Value::Bool(false) => {
                self.schemas[id as usize].types = 0;
                return Ok(id);
            }
            Value::Object(map) => map,
            _ => return Err("a schema that is not an object".into()),
        };
        let mut node = Schema::default();
        let mut strings = Map::new();
        // The branches of an `anyOf` (or `oneOf`) other than an optional value's.
        let mut union = None;
        for (key, value) in map {
            match key.as_str() {
                "type" => node.types = type_bits(value)?,
                "const" => allow_only(&mut node.one_of_values, vec![scalar(value)?]),
                "enum" => {
                    let values = value.as_array().ok_or("enum is not an array")?;
                    let values = values.iter().map(scalar).collect::<Result<_, _>>()?;
                    allow_only(&mut node.one_of_values, values);
                }
                "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum" => {
                    let bound = Bound {
                        value: value
                            .as_number()
                            .ok_or("a bound that is no number")?
                            .clone(),
                        exclusive: key.starts_with("exclusive"),
                    };
                    if key.ends_with("inimum") {
                        node.minimum.push(bound);
                    } else {
                        node.maximum.push(bound);
                    }
                }
                "minLength" => node.min_length = Some(count(value)?),
                "maxLength" => node.max_length = Some(count(value)?),
                "minItems" => node.min_items = Some(count(value)?),
                "maxItems" => node.max_items = Some(count(value)?),
                "format" | "pattern" => {
                    strings.insert(key.clone(), value.clone());
                }
                "items" => node.items = Some(self.schema(value, false)?),
                "properties" => {
                    let props = value.as_object().ok_or("properties is not an object")?;
                    for (name, schema) in props {
                        let child = self.schema(schema, false)?;
                        node.properties.push((name.clone(), child));
                    }
                }
                "required" => {
                    for name in value.as_array().ok_or("required is not an array")? {
                        let name = name.as_str().ok_or("a required name that is no string")?;
                        node.required.push(name.to_owned());
                    }
                }
                "additionalProperties" => {
                    node.additional = match value {
                        Value::Bool(true) => Additional::Any,
                        Value::Bool(false) => Additional::Forbidden,
                        other => Additional::Schema(self.schema(other, false)?),
                    }
                }
                "allOf" => {
                    for schema in value.as_array().ok_or("allOf is not an array")? {
                        let child = self.schema(schema, false)?;
                        node.all_of.push(child);
                    }
                }
                "$ref" => {
                    let target = value.as_str().ok_or("$ref is not a string")?;
                    node.all_of.push(self.reference(target)?);
                }
                "anyOf" | "oneOf" => {
                    // Both an `anyOf` and a `oneOf` on one value would need both checked: only
                    // one is held, so such a schema has no program.
                    if node.or_null.is_some() || union.is_some() {
                        return Err("both anyOf and oneOf on one value".into());
                    }
                    match nullable(value) {
                        Some(branch) => {
                            node.or_null = Some((self.schema(branch, false)?, key == "oneOf"));
                        }
                        None => {
                            let branches = value
                                .as_array()
                                .ok_or_else(|| format!("{key} is not an array"))?;
                            let ids = branches
                                .iter()
                                .map(|branch| self.schema(branch, false))
                                .collect::<Result<Vec<_>, _>>()?;
                            union = Some(ids);
                        }
                    }
                }
                "$defs" | "$schema" if is_root => {}
                k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => {}
                k if UNSUPPORTED.contains(&k) || k.starts_with('$') => {
                    return Err(format!("{k} is not checked by the fast path"))
                }
                // Unknown keywords are annotations in 2020-12.
                _ => {}
            }
        }
        for name in &node.required {
            if !node.properties.iter().any(|(key, _)| key == name) {
                return Err(format!("required {name:?} is not among the properties"));
            }
        }
        if let Some(branches) = union {
            // Beside other assertions, the branches' rules and the schema's would both apply.
            if !node.asserts_nothing() || !node.all_of.is_empty() || !strings.is_empty() {
                return Err("an anyOf of several types beside other assertions".into());
            }
            node = self.union_of_types(&branches)?;
        }
        // `anyOf: [S, null]` beside other assertions on the same value would need them checked
        // against `null` too: such a schema has no program.
        if let Some(or_null) = node.or_null.take() {
            if !node.asserts_nothing() || !node.all_of.is_empty() || !strings.is_empty() {
                return Err("an optional value's `anyOf` beside other assertions".into());
            }
            node.or_null = Some(or_null);
        }
        if !strings.is_empty() {
            let strings = Value::Object(strings);
            self.strings.push(reference::validator(&strings)?);
            self.string_schemas.push(strings);
            node.strings = Some(self.strings.len() as u32 - 1);
        }
        self.schemas[id as usize] = node;
        Ok(id)
    }

    /// An `anyOf` (or `oneOf`) whose branches take no JSON type in common, each with a `type`
    /// and only rules for its own types, as frameworks write a union of scalars
    /// (`Union[int, str, None]`): one schema with all their types and all their rules. A value
    /// can meet only the branch of its type, and a rule bears only on values of its branch's
    /// types, so the schema takes exactly what the branches take, and `oneOf` (one branch, never
    /// two) is `anyOf`.
    fn union_of_types(&mut self, branches: &[SchemaId]) -> Result<Schema, String> {
        let mut union = Schema {
            types: 0,
            ..Schema::default()
        };
        for &id in branches {
            let branch = std::mem::take(&mut self.schemas[id as usize]);
            let plain = branch.all_of.is_empty()
                && branch.or_null.is_none()
                && branch.one_of_values.is_none()
                && branch.types != types::ANY;
            if !plain {
                return Err("an anyOf whose branches are more than types and their rules".into());
            }
            if branch.types & union.types != 0 {
                return Err("an anyOf whose branches share a type".into());
            }
            // A rule of a type the branch does not take says nothing there, but would bear on
            // another branch's values in the union.
            let numbers = !branch.minimum.is_empty() || !branch.maximum.is_empty();
            let strings = branch.min_length.is_some()
                || branch.max_length.is_some()
                || branch.strings.is_some();
            let arrays =
                branch.items.is_some() || branch.min_items.is_some() || branch.max_items.is_some();
            let objects = !branch.properties.is_empty()
                || !branch.required.is_empty()
                || branch.additional != Additional::Any;
            let owns = |bits: u8| branch.types & bits != 0;
            if (numbers && !owns(types::NUMBER))
                || (strings && !owns(types::STRING))
                || (arrays && !owns(types::ARRAY))
                || (objects && !owns(types::OBJECT))
            {
                return Err("an anyOf branch with rules for a type it does not take".into());
            }
            union.types |= branch.types;
            union.minimum.extend(branch.minimum);
            union.maximum.extend(branch.maximum);
            union.min_length = union.min_length.or(branch.min_length);
            union.max_length = union.max_length.or(branch.max_length);
            union.strings = union.strings.or(branch.strings);
            union.items = union.items.or(branch.items);
            union.min_items = union.min_items.or(branch.min_items);
            union.max_items = union.max_items.or(branch.max_items);
            union.properties.extend(branch.properties);
            union.required.extend(branch.required);
            if branch.additional != Additional::Any {
                union.additional = branch.additional;
            }
        }
        Ok(union)
    }

    fn reference(&mut self, target: &str) -> Result<SchemaId, String> {
        if let Some((_, id)) = self.refs.iter().find(|(r, _)| r == target) {
            return Ok(*id);
        }
        let name = DefinitionRef::parse(target)
            .filter(|r| r.dialect == Dialect::Defs)
            .ok_or_else(|| format!("$ref {target} is not a definition of this schema"))?
            .name;
        let schema = self
            .root
            .get("$defs")
            .and_then(|d| d.get(name))
            .ok_or_else(|| format!("$ref {target} names nothing"))?;
        // A placeholder first, so a definition that refers to itself finds it.
        let id = self.schemas.len() as SchemaId;
        self.schemas.push(Schema::default());
        self.refs.push((target.to_owned(), id));
        let body = self.schema(schema, false)?;
        self.schemas[id as usize].all_of.push(body);
        self.definitions.push((body, name.to_owned()));
        Ok(id)
    }
}

/// Merges the sets of schemas that apply to one value into nodes, each set once.
struct Merger<'s> {
    schemas: &'s [Schema],
    definitions: &'s [(SchemaId, String)],
    strings: &'s [jsonschema::Validator],
    nodes: Vec<Option<Node>>,
    /// Each set merged so far (sorted schema ids, those that assert something), and its node.
    made: HashMap<Vec<SchemaId>, NodeId>,
    todo: Vec<(NodeId, Vec<SchemaId>)>,
    /// The branches of the optional values being merged, outermost first: merged in place, so
    /// one met again would be merged without end.
    optional: Vec<Vec<SchemaId>>,
}

impl<'s> Merger<'s> {
    /// The node of a set of schemas, merged later if it is new.
    fn node(&mut self, set: Vec<SchemaId>) -> NodeId {
        if let Some(&id) = self.made.get(&set) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(None);
        self.made.insert(set.clone(), id);
        self.todo.push((id, set));
        id
    }

    /// The node of the schemas `parts` bring in.
    fn node_of(&mut self, parts: impl IntoIterator<Item = SchemaId>) -> NodeId {
        let mut set: Vec<SchemaId> = parts
            .into_iter()
            .flat_map(|part| &self.schemas[part as usize].closure)
            .copied()
            .collect();
        set.sort_unstable();
        set.dedup();
        self.node(set)
    }

    fn merge(&mut self, set: &[SchemaId]) -> Result<Node, String> {
        let all: &'s [Schema] = self.schemas;
        let schemas: Vec<&Schema> = set.iter().map(|&id| &all[id as usize]).collect();
        if let Some((branch, exclusive)) = schemas.iter().find_map(|s| s.or_null) {
            // `null`, or what the branch takes: its node, taking `null` too. Type-specific
            // keywords say nothing of `null`; only the types and the allowed values must let it
            // through. Beside other schemas it would need them checked against `null` as well.
            if schemas.len() > 1 {
                return Err("an optional value's `anyOf` merged with other schemas".into());
            }
            let mut inner: Vec<SchemaId> = all[branch as usize].closure.clone();
            inner.sort_unstable();
            inner.dedup();
            if self.optional.contains(&inner) {
                return Err(
                    "an optional value whose branch is itself, through $ref or allOf".into(),
                );
            }
            self.optional.push(inner.clone());
            let node = self.merge(&inner);
            self.optional.pop();
            let mut node = node?;
            if exclusive && node.types & types::NULL != 0 {
                // `oneOf` refuses a `null` both branches take.
                return Err("a `oneOf` whose branches both take null".into());
            }
            node.types |= types::NULL;
            if let Some(values) = &mut node.one_of_values {
                values.push(Value::Null);
            }
            return Ok(node);
        }
        let mut node = Node {
            types: types::ANY,
            one_of_values: None,
            minimum: Vec::new(),
            maximum: Vec::new(),
            min_length: None,
            max_length: None,
            strings: Vec::new(),
            string_rules: false,
            items: ANY,
            min_items: None,
            max_items: None,
            properties: Vec::new(),
            index: PropertyIndex::default(),
            required: 0,
            additional: ANY,
            definition: self
                .definitions
                .iter()
                .filter(|(body, _)| {
                    let closure = &all[*body as usize].closure;
                    !closure.is_empty() && closure.iter().all(|id| set.contains(id))
                })
                .max_by_key(|(body, _)| all[*body as usize].closure.len())
                .map(|(_, name)| name.as_str().into()),
        };
        for schema in &schemas {
            node.types &= schema.types;
            if let Some(values) = &schema.one_of_values {
                allow_only(&mut node.one_of_values, values.clone());
            }
            node.minimum.extend(schema.minimum.iter().cloned());
            node.maximum.extend(schema.maximum.iter().cloned());
            node.min_length = node.min_length.max(schema.min_length);
            node.max_length = least(node.max_length, schema.max_length);
            node.strings.extend(schema.strings);
            node.min_items = node.min_items.max(schema.min_items);
            node.max_items = least(node.max_items, schema.max_items);
        }
        if let Some(values) = &mut node.one_of_values {
            // Only scalars are allowed values, so no array or object is one: the types narrow
            // to theirs.
            node.types &= values.iter().fold(0, |bits, v| bits | type_of(v));
            // String rules apply to strings only, and a string must be one of the allowed
            // values: those that break the rules are dropped here, once, and the rules need not
            // be run on any string met.
            let strings = &self.strings;
            values.retain(|v| {
                v.as_str().is_none_or(|s| {
                    let length = s.chars().count() as u64;
                    node.min_length.is_none_or(|m| length >= m)
                        && node.max_length.is_none_or(|m| length <= m)
                        && node
                            .strings
                            .iter()
                            .all(|&i| strings[i as usize].is_valid(v))
                })
            });
            (node.min_length, node.max_length) = (None, None);
            node.strings.clear();
        }
        node.string_rules = node.one_of_values.is_some()
            || node.min_length.is_some()
            || node.max_length.is_some()
            || !node.strings.is_empty();
        if schemas.iter().any(|s| s.items.is_some()) {
            node.items = self.node_of(schemas.iter().filter_map(|s| s.items));
        }

        // A key's value must satisfy, of each schema, the property of that name, or else what
        // the schema says of other keys.
        let mut keys: Vec<&str> = schemas
            .iter()
            .flat_map(|s| s.properties.iter().map(|(key, _)| key.as_str()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() > 64 {
            return Err("more than 64 properties".into());
        }
        for key in keys {
            let parts =
                schemas
                    .iter()
                    .filter_map(|s| match s.properties.iter().find(|(k, _)| k == key) {
                        Some(&(_, child)) => Some(child),
                        None => match s.additional {
                            Additional::Any => None,
                            Additional::Forbidden => Some(NEVER_SCHEMA),
                            Additional::Schema(child) => Some(child),
                        },
                    });
            let parts: Vec<SchemaId> = parts.collect();
            let child = if parts.contains(&NEVER_SCHEMA) {
                NEVER
            } else {
                self.node_of(parts)
            };
            node.properties.push(Property {
                name: key.into(),
                key: Key::of(key),
                node: child,
            });
        }
        node.index_properties();
        for name in schemas.iter().flat_map(|s| &s.required) {
            let (i, _) = node
                .property(name, &Key::of(name))
                .ok_or("a required key that is no property")?;
            node.required |= 1 << i;
        }
        node.additional = if schemas
            .iter()
            .any(|s| s.additional == Additional::Forbidden)
        {
            NEVER
        } else {
            self.node_of(schemas.iter().filter_map(|s| match s.additional {
                Additional::Schema(child) => Some(child),
                _ => None,
            }))
        };
        Ok(node)
    }
}

/// The branch of `[S, {"type": "null"}]` (in either order) that is not the `null` one.
fn nullable(branches: &Value) -> Option<&Value> {
    let is_null = |schema: &Value| {
        schema.as_object().is_some_and(|map| {
            map.get("type") == Some(&Value::from("null"))
                && map
                    .keys()
                    .all(|k| k == "type" || ANNOTATIONS.contains(&k.as_str()))
        })
    };
    match branches.as_array()?.as_slice() {
        [a, b] if is_null(b) && !is_null(a) => Some(a),
        [a, b] if is_null(a) && !is_null(b) => Some(b),
        _ => None,
    }
}

/// Narrows the values allowed so far (all, when `None`) to those among `values`.
fn allow_only(allowed: &mut Option<Vec<Value>>, values: Vec<Value>) {
    *allowed = Some(match allowed.take() {
        None => values,
        Some(mut kept) => {
            kept.retain(|v| values.contains(v));
            kept
        }
    });
}

/// The type bits a scalar value has.
fn type_of(value: &Value) -> u8 {
    match value {
        Value::Null => types::NULL,
        Value::Bool(_) => types::BOOL,
        Value::Number(_) => types::NUMBER,
        Value::String(_) => types::STRING,
        Value::Array(_) => types::ARRAY,
        Value::Object(_) => types::OBJECT,
    }
}

/// The lesser of two upper bounds, either of which may be absent.
fn least(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn type_bits(value: &Value) -> Result<u8, String> {
    let one = |t: &Value| -> Result<u8, String> {
        Ok(match t.as_str() {
            Some("null") => types::NULL,
            Some("boolean") => types::BOOL,
            Some("integer") => types::INTEGER,
            Some("number") => types::NUMBER,
            Some("string") => types::STRING,
            Some("array") => types::ARRAY,
            Some("object") => types::OBJECT,
            _ => return Err(format!("unknown type {t}")),
        })
    };
    match value {
        Value::Array(ts) => ts.iter().try_fold(0, |bits, t| Ok(bits | one(t)?)),
        t => one(t),
    }
}

fn scalar(value: &Value) -> Result<Value, String> {
    match value {
        Value::Array(_) | Value::Object(_) => Err("a const or enum that is not a scalar".into()),
        v => Ok(v.clone()),
    }
}

fn count(value: &Value) -> Result<u64, String> {
    value
        .as_u64()
        .ok_or_else(|| format!("{value} is not a count"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_schema_nested_past_the_limit_is_refused_not_compiled_until_the_stack_overflows() {
        // A chain of definitions, each an array of the next: as deep as its length, in a
        // document that is not deep at all. Tests run on threads with 2 MiB stacks (debug
        // builds, the largest frames), as services validate on tokio's workers.
        let chain = |levels: usize| {
            let defs: Map<String, Value> = (0..levels)
                .map(|i| {
                    let next = json!({"$ref": format!("#/$defs/d{}", i + 1)});
                    (format!("d{i}"), json!({"type": "array", "items": next}))
                })
                .chain([(format!("d{levels}"), json!({"type": "string"}))])
                .collect();
            json!({"$defs": defs, "$ref": "#/$defs/d0"})
        };
        // Each level is two schemas deep: the definition, then its `items`.
        assert!(compile(&chain(MAX_DEPTH / 2 - 2)).is_ok());
        for levels in [MAX_DEPTH / 2 + 1, 20_000] {
            let error = compile(&chain(levels)).expect_err("too deep");
            assert!(error.contains("nested more than"), "{error}");
        }
    }

    #[test]
    fn an_optional_value_that_is_its_own_branch_is_refused_not_merged_without_end() {
        // Each describes `null` at most, through a cycle with no property or item in between:
        // merged in place, the branch would be merged again and again (a stack overflow).
        for (optional, via) in [
            (
                json!({"anyOf": [{"$ref": "#/$defs/d0"}, {"type": "null"}]}),
                "anyOf",
            ),
            (
                json!({"oneOf": [{"type": "null"}, {"$ref": "#/$defs/d0"}]}),
                "oneOf",
            ),
            (
                json!({"allOf": [{"anyOf": [{"$ref": "#/$defs/d1"}, {"type": "null"}]}]}),
                "via d1",
            ),
        ] {
            let schema = json!({
                "$defs": {"d0": optional, "d1": {"allOf": [{"$ref": "#/$defs/d0"}]}},
                "$ref": "#/$defs/d0",
            });
            let error = compile(&schema)
                .err()
                .unwrap_or_else(|| panic!("{via}: compiled"));
            assert!(error.contains("is itself"), "{via}: {error}");
        }
        // A list: the same reference, with a property in between, is an ordinary recursive type.
        let list = json!({
            "$defs": {"cell": {
                "type": "object",
                "properties": {"next": {"anyOf": [{"$ref": "#/$defs/cell"}, {"type": "null"}]}},
            }},
            "$ref": "#/$defs/cell",
        });
        assert!(compile(&list).is_ok());
    }

    #[test]
    fn every_property_is_found_and_nothing_else_even_when_slots_are_shared() {
        // Forty keys of one length: many share a slot.
        let names: Vec<String> = (0..40).map(|i| format!("k{i:02}x")).collect();
        let properties: Map<String, Value> = names.iter().map(|n| (n.clone(), json!({}))).collect();
        let program =
            compile(&json!({"type": "object", "properties": properties, "required": ["k07x"]}))
                .unwrap();
        let node = &program.nodes[program.root as usize];
        let property = |name: &str| node.property(name, &Key::of(name));
        for name in &names {
            let (i, _) = property(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(&*node.properties[i].name, name.as_str());
        }
        for other in ["", "k", "k07", "k07y", "k40x", "K07x"] {
            assert!(property(other).is_none(), "{other}");
        }
        let (required, _) = property("k07x").unwrap();
        assert_eq!(node.required, 1 << required);
    }

    #[test]
    fn what_the_fast_path_does_not_check_leaves_the_schema_without_a_program() {
        for schema in [
            // Unions whose branches share a type, or say more than types and their rules.
            json!({"oneOf": [{"type": "string"}, {"type": "string", "minLength": 2}]}),
            json!({"anyOf": [{"type": "integer"}, {"type": "number"}]}),
            json!({"anyOf": [{"type": "string", "minimum": 1}, {"type": "integer"}]}),
            json!({"anyOf": [{"type": "string"}, {"enum": [1, 2]}]}),
            json!({"anyOf": [{"type": "string"}, {}]}),
            json!({"anyOf": [{"type": "string"}, {"$ref": "#/$defs/n"}], "$defs": {"n": {"type": "integer"}}}),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "minLength": 1}),
            json!({"type": "array", "uniqueItems": true}),
            json!({"$ref": "https://example.com/elsewhere.json"}),
            json!({"type": "object", "required": ["a"]}),
            json!({"const": {"a": 1}}),
            // Two optional-value unions on one value: the fast path holds only one.
            json!({
                "anyOf": [{"type": "null"}, false],
                "oneOf": [{"type": "null"}, {"type": "string"}],
            }),
        ] {
            assert!(compile(&schema).is_err(), "{schema}");
        }
        let annotated =
            json!({"type": "string", "description": "d", "x-rust": 1, "examples": ["a"]});
        assert!(compile(&annotated).is_ok());
    }

    #[test]
    fn a_union_of_types_with_their_own_rules_is_one_node() {
        // pydantic's `Union[int, str, None]`, and a union whose branches have rules.
        let pydantic = json!({
            "anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}],
            "default": null,
            "title": "Refund",
        });
        let program = compile(&pydantic).unwrap();
        let node = &program.nodes[program.root as usize];
        assert_eq!(node.types, types::INTEGER | types::STRING | types::NULL);
        assert!(!node.string_rules && node.minimum.is_empty());

        let ruled = json!({"oneOf": [
            {"type": "string", "maxLength": 3, "format": "uuid"},
            {"type": "integer", "minimum": 0},
            {"type": "array", "items": {"type": "boolean"}, "maxItems": 2},
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": false},
        ]});
        let program = compile(&ruled).unwrap();
        let node = &program.nodes[program.root as usize];
        assert_eq!(
            node.types,
            types::STRING | types::INTEGER | types::ARRAY | types::OBJECT
        );
        assert_eq!(node.max_length, Some(3));
        assert_eq!(node.strings.len(), 1);
        assert_eq!(node.minimum[0].value, Number::from(0));
        assert_eq!(node.max_items, Some(2));
        assert_eq!(program.nodes[node.items as usize].types, types::BOOL);
        assert_eq!(node.required, 1);
        assert_eq!(node.additional, NEVER);
    }

    #[test]
    fn every_listed_keyword_compiles_and_no_refused_one_is_listed() {
        for keyword in KEYWORDS {
            assert!(!UNSUPPORTED.contains(keyword), "{keyword}");
            assert!(!ANNOTATIONS.contains(keyword), "{keyword}");
        }
        let schema = json!({
            "$defs": {"Tag": {"type": "string", "format": "uuid", "pattern": "^[0-9a-f-]+$",
                              "minLength": 1, "maxLength": 36}},
            "type": "object",
            "properties": {
                "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": -1, "maximum": 9,
                      "exclusiveMaximum": 10, "enum": [1, 2]},
                "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}, "minItems": 0,
                         "maxItems": 3},
                "kind": {"const": "k"},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "level": {"oneOf": [{"type": "null"}, {"allOf": [{"type": "string"}]}]},
            },
            "required": ["n"],
            "additionalProperties": false,
        });
        let mut seen = std::collections::BTreeSet::new();
        crate::keyword::walk(&schema, &mut |s| {
            seen.extend(s.as_object().into_iter().flat_map(|m| m.keys().cloned()));
        });
        for keyword in KEYWORDS {
            assert!(seen.contains(*keyword), "the test schema lacks {keyword}");
        }
        compile(&schema).unwrap();
    }
}
