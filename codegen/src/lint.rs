//! Every rule a document must keep beyond its structure, checked once over the model, whichever
//! AsyncAPI version it was read from: sizes, operationIds, the subject root, routing, parameter
//! patterns, values shared by subject and payload, and examples. What passes here the emitters
//! print without another check. Errors are located through the documents as loaded, so they name
//! the line without reading any file again.

use std::collections::HashMap;

use asyncapi_schema::reference;
use serde_json::Value;

use crate::emit::bindings::{is_plain_field, shared_fields};
use crate::error::{Error, ErrorKind, Result};
use crate::model::Spec;
use crate::refs::Store;
use crate::standalone::standalone;
use crate::template::Token;
use crate::MAX_CHANNELS;

/// Most values (parameters and wildcards) one channel's subject may carry: the generated code
/// holds them in a `[&str; N]`, which implements `Default` up to 32.
const MAX_VALUES: usize = 32;

/// Checks `spec`; broken examples are errors when `strict_examples`, else the warnings returned.
pub(crate) fn check(spec: &Spec, store: &Store<'_>, strict_examples: bool) -> Result<Vec<Error>> {
    sizes(spec, store)?;
    operation_ids(spec, store)?;
    subject_root(spec, store)?;
    routing(spec, store)?;
    patterns(spec, store)?;
    payload_fields(spec, store)?;
    examples(spec, store, strict_examples)
}

fn sizes(spec: &Spec, store: &Store<'_>) -> Result<()> {
    if spec.channels.len() > MAX_CHANNELS {
        return Err(store.error_in(
            &spec.path,
            "/channels",
            ErrorKind::Limit(format!(
                "{} channels is more than the {MAX_CHANNELS} one generated module holds; split the document",
                spec.channels.len()
            )),
        ));
    }
    for channel in &spec.channels {
        let wildcards = channel
            .template
            .tokens
            .iter()
            .filter(|t| matches!(t, Token::Star | Token::Rest))
            .count();
        if channel.template.params().len() + wildcards > MAX_VALUES {
            return Err(store.error_in(
                &channel.file,
                &channel.pointer,
                ErrorKind::Unsupported(format!(
                    "channel {:?} has more than {MAX_VALUES} parameters and wildcards",
                    channel.name
                )),
            ));
        }
    }
    Ok(())
}

/// operationIds, and the reply operation names that share their namespace, are unique.
fn operation_ids(spec: &Spec, store: &Store<'_>) -> Result<()> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for op in &spec.operations {
        let mut ids = vec![(op.id.as_str(), &op.file, op.id_pointer.as_str())];
        if let Some(reply) = &op.reply {
            if let Some(id) = &reply.operation_id {
                ids.push((id, &reply.file, &reply.id_pointer));
            }
        }
        for (id, file, pointer) in ids {
            if let Some(first) = seen.get(id) {
                return Err(store.error_in(
                    file,
                    pointer,
                    ErrorKind::Lint(format!("operationId {id:?} is also used at {first}")),
                ));
            }
            seen.insert(id, pointer);
        }
    }
    Ok(())
}

/// Every channel starts with the subject root the document declares.
fn subject_root(spec: &Spec, store: &Store<'_>) -> Result<()> {
    let Some(root) = &spec.subject_root else {
        return Ok(());
    };
    match spec
        .channels
        .iter()
        .find(|ch| !(ch.name == root.default || ch.name.starts_with(&format!("{}.", root.default))))
    {
        None => Ok(()),
        Some(ch) => Err(store.error_in(
            &ch.file,
            &ch.pointer,
            ErrorKind::Lint(format!(
                "channel does not start with the subject root {:?} declared by x-subject-root",
                root.default
            )),
        )),
    }
}

/// No two channels match exactly the same subjects: an incoming subject could not be routed.
fn routing(spec: &Spec, store: &Store<'_>) -> Result<()> {
    let mut order: Vec<_> = spec.channels.iter().collect();
    order.sort_by(|a, b| a.template.specificity(&b.template));
    match order
        .windows(2)
        .find(|pair| pair[0].template.matches_same_subjects(&pair[1].template))
    {
        None => Ok(()),
        Some(pair) => Err(store.error_in(
            &pair[1].file,
            &pair[1].pointer,
            ErrorKind::Unsupported(format!(
                "channels {:?} and {:?} match exactly the same subjects: this generator routes each incoming subject to one channel, and could not tell them apart",
                pair[0].name, pair[1].name
            )),
        )),
    }
}

/// Every parameter pattern compiles, so the generated code's `expect` cannot fire.
fn patterns(spec: &Spec, store: &Store<'_>) -> Result<()> {
    for p in spec.channels.iter().flat_map(|c| &c.parameters) {
        if let Some(pattern) = &p.rule.pattern {
            regress::Regex::new(pattern).map_err(|e| {
                store.error_in(
                    &p.file,
                    &p.pointer,
                    ErrorKind::Unsupported(format!("parameter pattern {pattern:?}: {e}")),
                )
            })?;
        }
    }
    Ok(())
}

/// A value shared by subject and payload (`x-payload-field`) is a string in a field whose Rust
/// name is the property's.
fn payload_fields(spec: &Spec, store: &Store<'_>) -> Result<()> {
    for op in &spec.operations {
        for shared in shared_fields(spec, op) {
            let field = shared.field;
            let problem = if shared.property.get("type").and_then(Value::as_str) != Some("string") {
                format!(
                    "x-payload-field {field:?}: the payload property of operation {} must be a string",
                    op.id
                )
            } else if !is_plain_field(field) {
                format!(
                    "x-payload-field {field:?}: only a property whose name is a snake_case Rust field name can be shared"
                )
            } else {
                continue;
            };
            let p = shared.parameter;
            return Err(store.error_in(
                &p.file,
                &format!("{}/x-payload-field", p.pointer),
                ErrorKind::Unsupported(problem),
            ));
        }
    }
    Ok(())
}

/// Every message's standalone schema compiles, and every example satisfies it.
fn examples(spec: &Spec, store: &Store<'_>, strict: bool) -> Result<Vec<Error>> {
    let mut warnings = Vec::new();
    for message in &spec.messages {
        let validator = reference::validator(&standalone(spec, message)).map_err(|e| {
            store.error_in(
                &message.file,
                &message.pointer,
                ErrorKind::Unsupported(format!("the message's schema cannot be compiled: {e}")),
            )
        })?;
        for example in &message.examples {
            let mut first = None;
            let problems: Vec<String> = validator
                .iter_errors(&example.payload)
                .map(|e| {
                    let at = e.instance_path().as_str().to_owned();
                    first.get_or_insert_with(|| at.clone());
                    let at = if at.is_empty() { "/".to_owned() } else { at };
                    format!("{at}: {e}")
                })
                .collect();
            if let Some(first) = first {
                // At the first value that breaks the schema; the message lists every one.
                let e = store.error_in(
                    &example.file,
                    &format!("{}{first}", example.pointer),
                    ErrorKind::Example(problems.join("; ")),
                );
                if strict {
                    return Err(e);
                }
                warnings.push(e);
            }
        }
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ambiguous_channels_are_a_generation_error() {
        let mut files = crate::MemoryLoader::new();
        files.insert(
            "s.yaml",
            "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a.{x}: {parameters: {x: {}}}\n  a.{y}: {parameters: {y: {}}}\n",
        );
        let e = crate::generate(
            &files,
            std::path::Path::new("s.yaml"),
            &crate::Settings::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("match exactly the same subjects"),
            "{e}"
        );
    }
}
