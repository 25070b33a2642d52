//! Finds how the messages of one operation are told apart: a property that every payload requires
//! and that holds a different constant in each (CloudEvents' `type`, a `kind` tag...).

use std::collections::{BTreeMap, BTreeSet};

use asyncapi_schema::{DefinitionRef, Dialect};
use serde_json::Value;

use crate::model::{Definition, Dispatch, Spec};
use crate::naming::{pascal, Namer};

/// The schema of a definition, following a top-level `$ref` alias.
fn def<'a>(defs: &'a BTreeMap<String, Definition>, name: &str) -> Option<&'a Value> {
    let mut seen = BTreeSet::new();
    let mut current = name;
    loop {
        if !seen.insert(current.to_owned()) {
            return None;
        }
        let schema = &defs.get(current)?.schema;
        match DefinitionRef::of_dialect(schema, Dialect::Definitions) {
            Some(target) if schema.as_object().is_some_and(|m| m.len() == 1) => current = target,
            _ => return Some(schema),
        }
    }
}

/// The schema reached from `schema` if it is a `$ref`, else `schema` itself.
fn follow<'a>(defs: &'a BTreeMap<String, Definition>, schema: &'a Value) -> Option<&'a Value> {
    match DefinitionRef::of_dialect(schema, Dialect::Definitions) {
        Some(target) => def(defs, target),
        None => Some(schema),
    }
}

/// Every object schema that applies to a value of `schema`: itself and its `allOf` branches.
fn parts<'a>(
    defs: &'a BTreeMap<String, Definition>,
    schema: &'a Value,
    depth: usize,
    out: &mut Vec<&'a Value>,
) {
    if depth > 16 {
        return;
    }
    let Some(schema) = follow(defs, schema) else {
        return;
    };
    out.push(schema);
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        for b in branches {
            parts(defs, b, depth + 1, out);
        }
    }
}

/// The constant a payload requires for `prop`, if it requires one.
fn required_const(
    defs: &BTreeMap<String, Definition>,
    payload: &str,
    prop: &str,
) -> Option<String> {
    let root = def(defs, payload)?;
    let mut all = Vec::new();
    parts(defs, root, 0, &mut all);
    let required = all.iter().any(|s| {
        s.get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|p| p == prop))
    });
    if !required {
        return None;
    }
    let mut value = None;
    for s in &all {
        let Some(p) = s.get("properties").and_then(|p| p.get(prop)) else {
            continue;
        };
        let Some(p) = follow(defs, p) else { continue };
        let c = match (p.get("const"), p.get("enum")) {
            (Some(Value::String(c)), _) => Some(c.clone()),
            (_, Some(Value::Array(e))) if e.len() == 1 => e[0].as_str().map(str::to_owned),
            _ => None,
        };
        if c.is_some() {
            value = c;
        }
    }
    value
}

fn candidate_props(defs: &BTreeMap<String, Definition>, payload: &str) -> Vec<String> {
    let Some(root) = def(defs, payload) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    parts(defs, root, 0, &mut all);
    let mut props = BTreeSet::new();
    for s in all {
        if let Some(Value::String(d)) = s.get("discriminator") {
            // An explicit AsyncAPI discriminator is tried first.
            return vec![d.clone()];
        }
        if let Some(Value::Object(p)) = s.get("properties") {
            props.extend(p.keys().cloned());
        }
    }
    props.into_iter().collect()
}

/// The enum name for an operation's messages: its id without a leading verb (`receiveLatticeEvent`
/// gives `LatticeEvent`).
fn enum_name(op_id: &str) -> String {
    let split = op_id.find(|c: char| c.is_ascii_uppercase()).unwrap_or(0);
    let rest = &op_id[split..];
    if split > 0 && !rest.is_empty() {
        pascal(rest)
    } else {
        pascal(&format!("{op_id} message"))
    }
}

/// Fills [`crate::model::Operation::dispatch`] for every operation with two or more messages that
/// a constant property tells apart.
pub(crate) fn analyze(spec: &mut Spec) {
    let mut names = Namer::new();
    for m in &spec.messages {
        names.reserve(&m.ident);
    }
    for i in 0..spec.operations.len() {
        let messages = spec.operations[i].messages.clone();
        if messages.len() < 2 {
            continue;
        }
        let payloads: Option<Vec<String>> = messages
            .iter()
            .map(|&m| spec.messages[m].payload.clone())
            .collect();
        let Some(payloads) = payloads else { continue };
        let found = candidate_props(&spec.definitions, &payloads[0])
            .into_iter()
            .find_map(|prop| {
                let values: Option<Vec<String>> = payloads
                    .iter()
                    .map(|p| required_const(&spec.definitions, p, &prop))
                    .collect();
                let values = values?;
                let distinct: BTreeSet<&String> = values.iter().collect();
                (distinct.len() == values.len()).then_some((prop, values))
            });
        if let Some((tag, values)) = found {
            let name = names.unique(enum_name(&spec.operations[i].id));
            spec.operations[i].dispatch = Some(Dispatch {
                name,
                tag,
                variants: messages.into_iter().zip(values).collect(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_drop_the_leading_verb() {
        assert_eq!(enum_name("receiveLatticeEvent"), "LatticeEvent");
        assert_eq!(enum_name("Shapes"), "ShapesMessage");
        assert_eq!(enum_name("send"), "SendMessage");
    }
}
