//! Reads an AsyncAPI document into the protocol model.
//!
//! The `asyncapi` field picks the reader: [`v2`] (2.0 to 2.6) or [`v3`] (3.0 and 3.1). Each reads
//! its version's objects as typed nodes ([`node`]) and lowers them into the one model the emitters
//! read; what both versions share (messages, parameters' token rules, the `x-` extensions of the
//! document) lives here and in [`message`]. Each name is given once, as its node is made (channel
//! names from all addresses at once, in [`naming`]); `crate::lint` then checks the model as a
//! whole.

mod message;

mod node;
mod v2;
mod v3;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{
    Channel, Message, Operation, ParamRule, Parameter, ReplyPattern, ReplyStatus, Spec, SubjectRoot,
};
use crate::naming::{snake, Namer};
use crate::refs::{Loc, Store};
use crate::schema::Definitions;
use crate::template::{Template, Token};
use node::{Major, Node};

/// The model of the document, and what the readers warn of: what a document may leave out, which
/// this generator fills in its own way.
pub(crate) fn read(store: &mut Store<'_>, doc: usize, id: &str) -> Result<(Spec, Vec<Error>)> {
    let root = Loc {
        doc,
        pointer: String::new(),
    };
    let major = version(store, &root)?;
    let mut reader = Reader {
        store,
        major,
        defs: Definitions::new(),
        messages: Vec::new(),
        message_by_loc: HashMap::new(),
        message_names: Namer::new(),
        operation_names: Namer::new(),
        default_content_type: "application/json".into(),
        warnings: Vec::new(),
    };
    let document = match major {
        Major::Two => v2::read(&mut reader, &root)?,
        Major::Three => v3::read(&mut reader, &root)?,
    };
    reader.finish(document, &root, id)
}

/// Checks a schema against the JSON Schema draft-07 meta-schema (AsyncAPI schemas are a superset
/// of draft-07), locating a problem inside it. A `pattern` that is no regular expression is left
/// to the lints: JSON Schema says it SHOULD be one, not MUST, so such a schema is valid, and only
/// this generator cannot use it (an `unsupported` error there).
fn check_schema(store: &Store<'_>, loc: &Loc, schema: &Value) -> Result<()> {
    let meta = jsonschema::draft7::meta::validator();
    let problem = meta.iter_errors(schema).find(|e| {
        !matches!(e.kind(), jsonschema::error::ValidationErrorKind::Format { format } if format == "regex")
    });
    match problem {
        None => Ok(()),
        Some(e) => {
            let at = Loc {
                doc: loc.doc,
                pointer: format!("{}{}", loc.pointer, e.instance_path().as_str()),
            };
            Err(store.error(
                &at,
                ErrorKind::Structure(format!("not a valid JSON Schema: {e}")),
            ))
        }
    }
}

/// The major version, from the `asyncapi` field: 2.0 to 2.6, 3.0 and 3.1 are read.
fn version(store: &Store<'_>, root: &Loc) -> Result<Major> {
    let loc = root.child("asyncapi");
    let v = match store.get(root) {
        Some(Value::Object(top)) => match top.get("asyncapi") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(store.error(&loc, ErrorKind::UnsupportedVersion(other.to_string())))
            }
            None => {
                return Err(store.error(
                    root,
                    ErrorKind::Structure("`asyncapi` (the AsyncAPI version) is required".into()),
                ))
            }
        },
        _ => {
            return Err(store.error(
                root,
                ErrorKind::Structure("the document must be an object".into()),
            ))
        }
    };
    let mut parts = v.splitn(3, '.');
    let major = parts.next();
    let minor = parts.next().and_then(|m| m.parse::<u32>().ok());
    let patch_ok = parts.next().is_some_and(|p| {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        !digits.is_empty() && (digits.len() == p.len() || p[digits.len()..].starts_with('-'))
    });
    match (major, minor) {
        (Some("2"), Some(0..=6)) if patch_ok => Ok(Major::Two),
        (Some("3"), Some(0..=1)) if patch_ok => Ok(Major::Three),
        _ => Err(store.error(&loc, ErrorKind::UnsupportedVersion(v))),
    }
}

/// What a version's reader hands over: the document's own fields and its channels and
/// operations, in the model's order.
pub(crate) struct Document {
    pub asyncapi: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub extensions: Extensions,
    pub channels: Vec<Channel>,
    pub operations: Vec<Operation>,
}

/// The document-level `x-` extensions, alike in both versions.
pub(crate) struct Extensions {
    pub subject_root: Option<SubjectRoot>,
    pub account_prefix: bool,
    pub reply_status: Option<ReplyStatus>,
}

/// What both versions' readers share while they read one document.
pub(crate) struct Reader<'s, 'l> {
    pub store: &'s mut Store<'l>,
    pub major: Major,
    pub defs: Definitions,
    pub messages: Vec<Message>,
    message_by_loc: HashMap<Loc, usize>,
    message_names: Namer,
    /// Operations are named as they are read, in the model's order.
    operation_names: Namer,
    pub default_content_type: String,
    /// What the document leaves out or says twice that does not stop generation.
    pub warnings: Vec<Error>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct XSubjectRoot {
    default: String,
    #[serde(default)]
    replaceable: bool,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct XReplyStatus {
    success: String,
    #[serde(default)]
    message: OneOrMany,
    #[allow(dead_code)]
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Reader<'_, '_> {
    pub fn structure(&self, loc: &Loc, msg: String) -> crate::Error {
        self.store.error(loc, ErrorKind::Structure(msg))
    }

    /// A reply pattern, `single` when none is given.
    pub fn reply_pattern(&self, at: &Loc, pattern: Option<&str>) -> Result<ReplyPattern> {
        match pattern {
            None | Some("single") => Ok(ReplyPattern::Single),
            Some("scatter-gather") => Ok(ReplyPattern::ScatterGather),
            Some(other) => Err(self.structure(
                at,
                format!("reply pattern {other:?} is not one of \"single\", \"scatter-gather\""),
            )),
        }
    }

    /// What a channel's NATS binding says where the NATS binding spec says nothing (its channel
    /// binding has no fields), as FastStream writes it: the channel's `subject` (in 2.x, where
    /// FastStream keys a channel `<subject>:<Handler>`) and the `queue` of its receivers (a
    /// string, or `{name: …}` as an early draft of the binding had it). Anything else there is
    /// another tool's, and left alone.
    pub fn channel_binding(&mut self, channel: &Loc) -> Result<ChannelBinding> {
        let bindings = channel.child("bindings");
        if self.store.get(&bindings).is_none() {
            return Ok(ChannelBinding::default());
        }
        let nats = self.store.deref(&bindings)?.child("nats");
        if self.store.get(&nats).is_none() {
            return Ok(ChannelBinding::default());
        }
        let nats = self.store.deref(&nats)?;
        let string = |r: &Self, at: Loc| match r.store.get(&at) {
            Some(Value::String(s)) => Some((s.clone(), at)),
            _ => None,
        };
        Ok(ChannelBinding {
            subject: string(self, nats.child("subject")),
            queue: string(self, nats.child("queue"))
                .or_else(|| string(self, nats.child("queue").child("name"))),
        })
    }

    /// A channel binding's `queue` given to the operations the application receives on the
    /// channel that have none of their own, with a warning: the NATS binding spec keeps `queue`
    /// for the operation binding.
    pub fn channel_queue(&mut self, binding: &ChannelBinding, operations: &mut [Operation]) {
        let Some((queue, at)) = &binding.queue else {
            return;
        };
        let mut given = false;
        for op in operations {
            if op.direction == crate::model::Direction::Publish && op.queue.is_none() {
                op.queue = Some(queue.clone());
                given = true;
            }
        }
        if given {
            self.warnings.push(self.store.error(
                at,
                ErrorKind::Lint(format!(
                    "queue {queue:?} is in the channel's NATS binding (the NATS binding spec keeps it for the operation binding, FastStream writes it here): it is the queue group of the operations that receive on the channel"
                )),
            ));
        }
    }

    /// The NATS binding's `queue`, from the bindings object at `at`.
    pub fn queue(&mut self, at: &Loc) -> Result<Option<String>> {
        let bindings = self.store.deref(at)?;
        let queue = bindings.child("nats").child("queue");
        match self.store.get(&queue) {
            None => Ok(None),
            Some(Value::String(q)) => Ok(Some(q.clone())),
            Some(_) => {
                Err(self.structure(&queue, "the NATS binding's `queue` must be a string".into()))
            }
        }
    }

    /// The Rust name of the next operation.
    pub fn operation_ident(&mut self, id: &str) -> String {
        self.operation_names
            .unique(crate::naming::operations::OperationName::of(id).name)
    }

    /// Reads the object at `loc` (after `$ref`s) as this version's `T`.
    pub fn node<T: serde::de::DeserializeOwned>(
        &mut self,
        loc: &Loc,
        what: &str,
    ) -> Result<Node<T>> {
        node::read(self.store, loc, what, self.major)
    }

    /// Checks a schema against the JSON Schema draft-07 meta-schema.
    pub fn check_schema(&self, loc: &Loc, schema: &Value) -> Result<()> {
        check_schema(self.store, loc, schema)
    }

    /// `x-subject-root`, `x-subject-account-prefix` and `x-reply-status` of the document.
    pub fn extensions<T>(&mut self, top: &Node<T>) -> Result<Extensions> {
        let subject_root = match top.ext::<XSubjectRoot>(
            self.store,
            "x-subject-root",
            "x-subject-root",
            self.major,
        )? {
            None => None,
            Some(node) => {
                let default = node.value.default;
                Template::parse(&default)
                    .ok()
                    .filter(|t| t.tokens.iter().all(|t| matches!(t, Token::Literal(_))))
                    .ok_or_else(|| {
                        self.store.error(
                            &node.loc.child("default"),
                            ErrorKind::Lint(format!(
                                "x-subject-root default {default:?} must be literal subject tokens"
                            )),
                        )
                    })?;
                Some(SubjectRoot {
                    default,
                    replaceable: node.value.replaceable,
                    description: node.value.description,
                })
            }
        };
        let reply_status = top
            .ext::<XReplyStatus>(self.store, "x-reply-status", "x-reply-status", self.major)?
            .map(|node| ReplyStatus {
                success: node.value.success,
                message: match node.value.message {
                    OneOrMany::None => Vec::new(),
                    OneOrMany::One(m) => vec![m],
                    OneOrMany::Many(m) => m,
                },
            });
        let loc = top.loc.child("x-subject-account-prefix");
        let account_prefix = match top.ext.get("x-subject-account-prefix") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::Object(map)) => match map.get("optional") {
                Some(Value::Bool(b)) => *b,
                _ => return Err(self.structure(
                    &loc,
                    "x-subject-account-prefix must be a boolean or an object with `optional: true`"
                        .into(),
                )),
            },
            Some(_) => {
                return Err(self.structure(
                    &loc,
                    "x-subject-account-prefix must be a boolean or an object".into(),
                ))
            }
        };
        Ok(Extensions {
            subject_root,
            account_prefix,
            reply_status,
        })
    }

    /// Names the component schemas first, so they keep their own names.
    pub fn component_schemas(&mut self, components: &Loc, schemas: Option<&Map<String, Value>>) {
        let schemas_loc = components.child("schemas");
        for (key, value) in schemas.into_iter().flatten() {
            let at = if self.major == Major::Three && message::is_multi_format(value) {
                if !value
                    .get("schemaFormat")
                    .and_then(Value::as_str)
                    .is_some_and(message::is_json_schema_format)
                {
                    continue;
                }
                schemas_loc.child(key).child("schema")
            } else {
                schemas_loc.child(key)
            };
            self.defs.intern(&at, key);
        }
    }

    /// Messages declared but used by no operation still get types.
    pub fn component_messages(
        &mut self,
        components: &Loc,
        messages: Option<&Map<String, Value>>,
    ) -> Result<()> {
        let at = components.child("messages");
        for key in messages.into_iter().flatten().map(|(k, _)| k) {
            self.message(&at.child(key), key)?;
        }
        Ok(())
    }

    /// A channel's parameters, in the order its address (at `address`) uses them: `declared`
    /// maps each declared name to where it is and how it reads into a parameter.
    ///
    /// A parameter the address uses but `parameters` does not declare is read as one string token
    /// with no other rule: AsyncAPI 3 asks for `parameters` only where there are some to describe,
    /// and frameworks (FastStream) leave them out in 2.x documents too. One declared but not used
    /// is left out. Both are warnings.
    pub fn parameters(
        &mut self,
        address: &Loc,
        template: &Template,
        mut declared: BTreeMap<String, (Loc, ParameterParts)>,
    ) -> Result<Vec<Parameter>> {
        let used = template.params();
        for p in &used {
            if !declared.contains_key(*p) {
                self.warnings.push(self.store.error(
                    address,
                    ErrorKind::Lint(format!(
                        "channel parameter {{{p}}} is not declared in `parameters`; it is read as one string token: declare it to describe it and give it a rule"
                    )),
                ));
                declared.insert(
                    (*p).to_owned(),
                    (
                        address.clone(),
                        ParameterParts {
                            description: None,
                            rule: ParamRule::default(),
                            payload_field: None,
                        },
                    ),
                );
            }
        }
        for (unused, (ploc, _)) in declared.iter().filter(|(k, _)| !used.contains(&k.as_str())) {
            self.warnings.push(self.store.error(
                ploc,
                ErrorKind::Lint(format!(
                    "parameter {unused:?} is declared but the channel does not use {{{unused}}}; it is left out"
                )),
            ));
        }
        let mut field_names = Namer::new();
        Ok(used
            .iter()
            .map(|p| {
                let (loc, parts) = &declared[*p];
                Parameter {
                    name: (*p).to_owned(),
                    ident: field_names.unique(snake(p)),
                    description: parts.description.clone(),
                    rule: parts.rule.clone(),
                    payload_field: parts.payload_field.clone(),
                    pointer: loc.pointer.clone(),
                    file: self.store.path(loc.doc).to_path_buf(),
                }
            })
            .collect())
    }

    /// A 2.x parameter's token rule, from its schema.
    pub fn rule_from_schema(&mut self, schema: &Loc) -> Result<ParamRule> {
        let mut rule = ParamRule::default();
        let (sloc, schema) = self.store.fetch(schema)?;
        self.check_schema(&sloc, &schema)?;
        let Value::Object(schema) = schema else {
            return Ok(rule);
        };
        match schema.get("type").and_then(Value::as_str) {
            Some("integer" | "number") => rule.numeric = true,
            Some("string") | None => {}
            Some(other) => {
                return Err(self.store.error(
                    &sloc.child("type"),
                    ErrorKind::Unsupported(format!(
                    "a channel parameter of type {other:?}; subject tokens are strings or numbers"
                )),
                ))
            }
        }
        rule.pattern = match schema.get("pattern") {
            None => None,
            Some(Value::String(p)) => Some(p.clone()),
            Some(_) => {
                return Err(
                    self.structure(&sloc.child("pattern"), "`pattern` must be a string".into())
                )
            }
        };
        let allowed = match (schema.get("enum"), schema.get("const")) {
            (Some(values), _) => Some(values.as_array().cloned().unwrap_or_default()),
            (None, Some(value)) => Some(vec![value.clone()]),
            (None, None) => None,
        };
        rule.allowed = allowed.map(|values| {
            values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        });
        rule.min_length = schema.get("minLength").and_then(Value::as_u64);
        rule.max_length = schema.get("maxLength").and_then(Value::as_u64);
        Ok(rule)
    }

    fn finish(self, document: Document, root: &Loc, id: &str) -> Result<(Spec, Vec<Error>)> {
        let Document {
            asyncapi,
            title,
            version,
            description,
            extensions,
            channels,
            operations,
        } = document;
        let Reader {
            store,
            mut defs,
            messages,
            warnings,
            ..
        } = self;
        defs.process(store)?;
        defs.check_each(store, check_schema)?;
        let mut spec = Spec {
            id: id.to_owned(),
            module: snake(id),
            path: store.path(root.doc).to_path_buf(),
            asyncapi,
            title,
            version,
            description,
            subject_root: extensions.subject_root,
            account_prefix: extensions.account_prefix,
            reply_status: extensions.reply_status,
            channels,
            operations,
            messages,
            definitions: defs.into_model(store),
        };
        crate::dispatch::analyze(&mut spec);
        Ok((spec, warnings))
    }
}

/// What a channel's NATS binding says beyond the NATS binding spec, each with where it is.
#[derive(Debug, Default)]
pub(crate) struct ChannelBinding {
    pub subject: Option<(String, Loc)>,
    pub queue: Option<(String, Loc)>,
}

/// What a version's parameter object says, before the channel puts it in order.
pub(crate) struct ParameterParts {
    pub description: Option<String>,
    pub rule: ParamRule,
    pub payload_field: Option<String>,
}
