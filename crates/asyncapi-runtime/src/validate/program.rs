//! A message's schema compiled for the fast path: a flat list of nodes, one per subschema, each
//! holding the assertions it makes, with `$ref`s and `allOf`s resolved to node ids.
//!
//! Only what can be checked one value at a time while decoding is compiled. A schema that uses
//! anything else (`oneOf`, `not`, `uniqueItems`...) has no program, and its messages always take
//! the reference validator.

use serde_json::{Map, Number, Value};

pub(crate) type NodeId = u32;

/// JSON types a node allows, as bits.
pub(crate) mod types {
    pub const NULL: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const INTEGER: u8 = 4;
    /// `number` allows integers too.
    pub const NUMBER: u8 = 8 | INTEGER;
    pub const STRING: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;
    pub const ANY: u8 = 127;
}

/// A numeric bound: `minimum`, `maximum` and their exclusive forms.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    pub value: Number,
    pub exclusive: bool,
}

/// What a node says of an object's keys beyond `properties`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Additional {
    Any,
    Forbidden,
    Schema(NodeId),
}

#[derive(Debug)]
pub(crate) struct Node {
    pub types: u8,
    /// `const`, or `enum`'s values: scalars only.
    pub one_of_values: Option<Vec<Value>>,
    pub minimum: Vec<Bound>,
    pub maximum: Vec<Bound>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// `format` and `pattern`, judged by the reference validator on the string alone, so the
    /// fast path agrees with it by construction.
    pub strings: Option<jsonschema::Validator>,
    pub items: Option<NodeId>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// Sorted by key.
    pub properties: Vec<(Box<str>, NodeId)>,
    /// The property of each [`slot`]: its index, [`NO_PROPERTY`], or [`SHARED_SLOT`] when
    /// several share it.
    index: [u8; 64],
    /// Bit `i` set: `properties[i]` is required.
    pub required: u64,
    pub additional: Additional,
    /// This node and every node its `allOf` and `$ref` bring in, transitively, without repeats.
    pub closure: Vec<NodeId>,
    all_of: Vec<NodeId>,
}

impl Default for Node {
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
            index: [NO_PROPERTY; 64],
            required: 0,
            additional: Additional::Any,
            closure: Vec::new(),
            all_of: Vec::new(),
        }
    }
}

impl Node {
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
    }

    /// A property's index and node: one probe of [`Node::index`], one comparison.
    #[inline]
    pub fn property(&self, key: &str) -> Option<(usize, NodeId)> {
        let i = match self.index[slot(key)] {
            NO_PROPERTY => return None,
            SHARED_SLOT => self
                .properties
                .iter()
                .position(|(k, _)| k.len() == key.len() && **k == *key)?,
            i => usize::from(i),
        };
        let (k, node) = &self.properties[i];
        (**k == *key).then_some((i, *node))
    }
}

const NO_PROPERTY: u8 = u8::MAX;
const SHARED_SLOT: u8 = u8::MAX - 1;

/// Where a key goes in [`Node::index`]: keys of one object rarely share length, first and last
/// byte.
#[inline]
fn slot(key: &str) -> usize {
    let b = key.as_bytes();
    let (first, last) = (b.first().copied(), b.last().copied());
    let mixed = b.len() * 31 + usize::from(first.unwrap_or(0)) * 7 + usize::from(last.unwrap_or(0));
    mixed & 63
}

#[derive(Debug)]
pub(crate) struct Program {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

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
    "anyOf",
    "oneOf",
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
    nodes: Vec<Node>,
    refs: Vec<(String, NodeId)>,
}

/// Compiles a standalone 2020-12 schema (as the generator writes them), or says why it cannot.
pub(crate) fn compile(schema: &Value) -> Result<Program, String> {
    let mut c = Compiler {
        root: schema,
        nodes: Vec::new(),
        refs: Vec::new(),
    };
    let root = c.node(schema, true)?;
    for id in 0..c.nodes.len() {
        let (mut closure, mut visited) = (Vec::new(), Vec::new());
        let mut todo = vec![id as NodeId];
        while let Some(n) = todo.pop() {
            if !visited.contains(&n) {
                visited.push(n);
                let node = &c.nodes[n as usize];
                // A node that asserts nothing itself (a `$ref`, an `allOf`) need not be checked.
                if !node.asserts_nothing() {
                    closure.push(n);
                }
                todo.extend(node.all_of.iter().rev());
            }
        }
        c.nodes[id].closure = closure;
    }
    Ok(Program {
        nodes: c.nodes,
        root,
    })
}

impl Compiler<'_> {
    fn node(&mut self, schema: &Value, is_root: bool) -> Result<NodeId, String> {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node::default());
        let map = match schema {
            Value::Bool(true) => return Ok(id),
            Value::Bool(false) => {
                self.nodes[id as usize].types = 0;
                return Ok(id);
            }
            Value::Object(map) => map,
            _ => return Err("a schema that is not an object".into()),
        };
        let mut node = Node::default();
        let mut strings = Map::new();
        for (key, value) in map {
            match key.as_str() {
                "type" => node.types = type_bits(value)?,
                "const" => node.one_of_values = Some(vec![scalar(value)?]),
                "enum" => {
                    let values = value.as_array().ok_or("enum is not an array")?;
                    node.one_of_values = Some(values.iter().map(scalar).collect::<Result<_, _>>()?);
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
                "items" => node.items = Some(self.node(value, false)?),
                "properties" => {
                    let props = value.as_object().ok_or("properties is not an object")?;
                    for (name, schema) in props {
                        let child = self.node(schema, false)?;
                        node.properties.push((name.as_str().into(), child));
                    }
                    node.properties.sort_by(|a, b| a.0.cmp(&b.0));
                }
                "required" => {} // after properties, below
                "additionalProperties" => {
                    node.additional = match value {
                        Value::Bool(true) => Additional::Any,
                        Value::Bool(false) => Additional::Forbidden,
                        other => Additional::Schema(self.node(other, false)?),
                    }
                }
                "allOf" => {
                    for schema in value.as_array().ok_or("allOf is not an array")? {
                        let child = self.node(schema, false)?;
                        node.all_of.push(child);
                    }
                }
                "$ref" => {
                    let target = value.as_str().ok_or("$ref is not a string")?;
                    node.all_of.push(self.reference(target)?);
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
        if node.properties.len() > 64 {
            return Err("more than 64 properties".into());
        }
        for (i, (key, _)) in node.properties.iter().enumerate() {
            let entry = &mut node.index[slot(key)];
            *entry = if *entry == NO_PROPERTY {
                i as u8
            } else {
                SHARED_SLOT
            };
        }
        if let Some(required) = map.get("required") {
            for name in required.as_array().ok_or("required is not an array")? {
                let name = name.as_str().ok_or("a required name that is no string")?;
                let (i, _) = node
                    .property(name)
                    .ok_or_else(|| format!("required {name:?} is not among the properties"))?;
                if i >= 64 {
                    return Err("more than 64 properties".into());
                }
                node.required |= 1 << i;
            }
        }

        if !strings.is_empty() {
            node.strings = Some(super::compile_reference(&Value::Object(strings))?);
        }
        self.nodes[id as usize] = node;
        Ok(id)
    }

    fn reference(&mut self, target: &str) -> Result<NodeId, String> {
        if let Some((_, id)) = self.refs.iter().find(|(r, _)| r == target) {
            return Ok(*id);
        }
        let name = target
            .strip_prefix("#/$defs/")
            .filter(|n| !n.contains('/') && !n.contains('~'))
            .ok_or_else(|| format!("$ref {target} is not a definition of this schema"))?;
        let schema = self
            .root
            .get("$defs")
            .and_then(|d| d.get(name))
            .ok_or_else(|| format!("$ref {target} names nothing"))?;
        // A placeholder first, so a definition that refers to itself finds it.
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node::default());
        self.refs.push((target.to_owned(), id));
        let body = self.node(schema, false)?;
        self.nodes[id as usize].all_of.push(body);
        Ok(id)
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
    fn every_property_is_found_and_nothing_else_even_when_slots_are_shared() {
        // Forty keys of one length: many share a slot.
        let names: Vec<String> = (0..40).map(|i| format!("k{i:02}x")).collect();
        let properties: Map<String, Value> = names.iter().map(|n| (n.clone(), json!({}))).collect();
        let program =
            compile(&json!({"type": "object", "properties": properties, "required": ["k07x"]}))
                .unwrap();
        let node = &program.nodes[program.root as usize];
        for name in &names {
            let (i, _) = node.property(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(&*node.properties[i].0, name.as_str());
        }
        for other in ["", "k", "k07", "k07y", "k40x", "K07x"] {
            assert!(node.property(other).is_none(), "{other}");
        }
        let (required, _) = node.property("k07x").unwrap();
        assert_eq!(node.required, 1 << required);
    }

    #[test]
    fn what_the_fast_path_does_not_check_leaves_the_schema_without_a_program() {
        for schema in [
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}]}),
            json!({"type": "array", "uniqueItems": true}),
            json!({"$ref": "https://example.com/elsewhere.json"}),
            json!({"type": "object", "required": ["a"]}),
            json!({"const": {"a": 1}}),
        ] {
            assert!(compile(&schema).is_err(), "{schema}");
        }
        let annotated =
            json!({"type": "string", "description": "d", "x-rust": 1, "examples": ["a"]});
        assert!(compile(&annotated).is_ok());
    }
}
