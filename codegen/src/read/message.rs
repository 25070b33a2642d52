//! The Message Object and its traits, alike in AsyncAPI 2.x and 3.x but for two fields: 2.x has
//! `messageId` and `schemaFormat`; 3.x puts the format beside the payload (a Multi Format Schema
//! Object) and names messages by their key.

use serde::Deserialize;
use serde_json::Value;

use super::node::{read, Major, Node, Raw};
use super::Reader;
use crate::error::{ErrorKind, Result};
use crate::model::Message;
use crate::naming::pascal;
use crate::refs::Loc;

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct MessageObject {
    pub schema_format: Option<String>,
    pub content_type: Option<String>,
    pub headers: Option<Raw>,
    pub message_id: Option<String>,
    pub payload: Option<Raw>,
    pub correlation_id: Option<Raw>,
    pub tags: Option<Raw>,
    pub summary: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub external_docs: Option<Raw>,
    pub deprecated: Option<Raw>,
    pub examples: Option<Vec<Raw>>,
    pub bindings: Option<Raw>,
    pub traits: Option<Vec<Raw>>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct MessageTrait {
    pub schema_format: Option<String>,
    pub content_type: Option<String>,
    pub headers: Option<Raw>,
    pub message_id: Option<String>,
    pub correlation_id: Option<Raw>,
    pub tags: Option<Raw>,
    pub summary: Option<String>,
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub external_docs: Option<Raw>,
    pub deprecated: Option<Raw>,
    pub examples: Option<Vec<Raw>>,
    pub bindings: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Example {
    pub headers: Option<Raw>,
    pub payload: Option<Raw>,
    pub name: Option<String>,
    pub summary: Option<String>,
}

/// The 3.x Multi Format Schema Object: a schema in a named format.
// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct MultiFormatSchema {
    schema_format: String,
    #[allow(dead_code)]
    schema: Raw,
}

/// Schema formats whose payloads are JSON Schema (AsyncAPI schemas are a draft-07 superset).
pub(crate) fn is_json_schema_format(format: &str) -> bool {
    let f = format.trim().to_ascii_lowercase();
    f.starts_with("application/vnd.aai.asyncapi")
        || f.starts_with("application/schema+json")
        || f.starts_with("application/schema+yaml")
}

/// Whether an object is a 3.x Multi Format Schema Object rather than a schema.
pub(crate) fn is_multi_format(value: &Value) -> bool {
    value.get("schemaFormat").is_some() && value.get("schema").is_some()
}

impl Reader<'_, '_> {
    /// A field that holds one message, or (2.x) `oneOf` several.
    pub(super) fn message_set(&mut self, loc: &Loc, hint: &str) -> Result<Vec<usize>> {
        let (mloc, value) = self.store.fetch(loc)?;
        let Some(one_of) = value.get("oneOf") else {
            return Ok(vec![self.message(&mloc, &format!("{hint} message"))?]);
        };
        if let Some(other) = value
            .as_object()
            .and_then(|m| m.keys().find(|k| *k != "oneOf"))
        {
            return Err(self.structure(
                &mloc.child(other),
                "a message `oneOf` stands alone: other fields go on the messages it lists".into(),
            ));
        }
        let Value::Array(items) = one_of else {
            return Err(self.structure(&mloc.child("oneOf"), "`oneOf` must be an array".into()));
        };
        let mut out = Vec::new();
        for i in 0..items.len() {
            let h = format!("{hint} message {i}");
            let m = self.message(&mloc.child("oneOf").child(&i.to_string()), &h)?;
            if !out.contains(&m) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The message at `loc` (after `$ref`s), read once: its index in the model.
    pub(super) fn message(&mut self, loc: &Loc, hint: &str) -> Result<usize> {
        let mloc = self.store.deref(loc)?;
        if let Some(&i) = self.message_by_loc.get(&mloc) {
            return Ok(i);
        }
        let major = self.major;
        let mut msg: Node<MessageObject> = read(self.store, &mloc, "a message", major)?;
        self.only_in_2_x(
            &mloc,
            "a message",
            msg.value.message_id.is_some(),
            msg.value.schema_format.is_some(),
        )?;
        if msg.value.headers.is_some() {
            self.headers(&mloc.child("headers"))?;
        }
        let examples_at = self.apply_traits(&mut msg)?;
        let msg = msg.value;
        let component_key = component_key(&mloc.pointer, "messages");
        let explicit_id = msg.message_id.is_some();
        let mut name = msg
            .message_id
            .clone()
            .or_else(|| msg.name.clone())
            .or_else(|| component_key.clone())
            .or_else(|| channel_message_key(&mloc.pointer))
            .unwrap_or_else(|| hint.to_owned());
        if let Some(existing) = self.messages.iter().find(|m| m.name == name) {
            // messageId is the identifier AsyncAPI requires to be unique, and reusable messages
            // are found by name; an inline message's `name` is only a label, which real specs
            // reuse for different messages, so it is numbered instead.
            if explicit_id || component_key.is_some() {
                let at = if explicit_id {
                    mloc.child("messageId")
                } else {
                    mloc.clone()
                };
                return Err(self.store.error(
                    &at,
                    ErrorKind::Lint(format!(
                        "message name {name:?} is already used by the message at {}",
                        existing.pointer
                    )),
                ));
            }
            let base = name.clone();
            name = (2..)
                .map(|n| format!("{base}_{n}"))
                .find(|candidate| !self.messages.iter().any(|m| &m.name == candidate))
                .expect("an unbounded range has a free name");
        }
        if let Some(format) = &msg.schema_format {
            self.json_schema_format(&mloc.child("schemaFormat"), "payload", format)?;
        }
        let ident = self
            .message_names
            .unique(pascal(crate::naming::operations::readable(&name)));
        let payload = match msg.payload {
            None => None,
            Some(_) => Some(self.payload(&mloc, &ident)?),
        };
        let content_type = msg
            .content_type
            .unwrap_or_else(|| self.default_content_type.clone());
        let mut examples = Vec::new();
        if let (Some(items), Some(at)) = (msg.examples, examples_at) {
            for i in 0..items.len() {
                let example: Node<Example> = read(
                    self.store,
                    &at.child(&i.to_string()),
                    "a message example",
                    major,
                )?;
                if example.value.payload.is_none() && example.value.headers.is_none() {
                    return Err(self.structure(
                        &example.loc,
                        "a message example must have `payload` or `headers` (or both)".into(),
                    ));
                }
                if let Some(payload) = example.value.payload {
                    examples.push(crate::model::Example {
                        payload,
                        pointer: example.loc.child("payload").pointer,
                        file: self.store.path(example.loc.doc).to_path_buf(),
                    });
                }
            }
        }
        self.messages.push(Message {
            name,
            ident,
            title: msg.title,
            summary: msg.summary,
            description: msg.description,
            content_type,
            payload,
            examples,
            pointer: mloc.pointer.clone(),
            file: self.store.path(mloc.doc).to_path_buf(),
        });
        let index = self.messages.len() - 1;
        self.message_by_loc.insert(mloc, index);
        Ok(index)
    }

    /// Refuses `messageId` and `schemaFormat`, which 3.x messages and traits do not have.
    fn only_in_2_x(
        &self,
        at: &Loc,
        what: &str,
        message_id: bool,
        schema_format: bool,
    ) -> Result<()> {
        if self.major == Major::Two {
            return Ok(());
        }
        match [("messageId", message_id), ("schemaFormat", schema_format)]
            .into_iter()
            .find(|(_, present)| *present)
        {
            None => Ok(()),
            Some((key, _)) => Err(self.structure(
                &at.child(key),
                format!("`{key}` is not a field of {what} in AsyncAPI 3.x"),
            )),
        }
    }

    /// The definition name of a message's payload.
    fn payload(&mut self, mloc: &Loc, ident: &str) -> Result<String> {
        let (mut ploc, value) = self.store.fetch(&mloc.child("payload"))?;
        if self.major == Major::Three && is_multi_format(&value) {
            let multi: Node<MultiFormatSchema> = read(self.store, &ploc, "a schema", self.major)?;
            let format = &multi.value.schema_format;
            self.json_schema_format(&ploc.child("schemaFormat"), "payload", format)?;
            ploc = self.store.deref(&ploc.child("schema"))?;
        }
        let inline = ploc.doc == mloc.doc
            && (ploc.pointer == format!("{}/payload", mloc.pointer)
                || ploc.pointer == format!("{}/payload/schema", mloc.pointer));
        let hint = if inline {
            format!("{ident} payload")
        } else {
            crate::schema::hint_for(&ploc.pointer, self.store)
        };
        Ok(self.defs.intern(&ploc, &hint))
    }

    /// Refuses a `what` (payload, headers) schema in a format that is not JSON Schema.
    fn json_schema_format(&self, at: &Loc, what: &str, format: &str) -> Result<()> {
        if is_json_schema_format(format) {
            return Ok(());
        }
        Err(self.store.error(
            at,
            ErrorKind::Unsupported(format!(
                "{what} schema format {format:?}; only AsyncAPI and JSON Schema schemas are read"
            )),
        ))
    }

    fn headers(&mut self, loc: &Loc) -> Result<()> {
        let (mut hloc, mut headers) = self.store.fetch(loc)?;
        if self.major == Major::Three && is_multi_format(&headers) {
            let multi: Node<MultiFormatSchema> = read(self.store, &hloc, "a schema", self.major)?;
            let format = &multi.value.schema_format;
            self.json_schema_format(&hloc.child("schemaFormat"), "headers", format)?;
            (hloc, headers) = self.store.fetch(&hloc.child("schema"))?;
        }
        self.check_schema(&hloc, &headers)
    }

    /// Merges the message's traits into it: its own fields win, then later traits over earlier
    /// ones (as JSON Merge Patch applies them in order). Returns where the examples it ends up with
    /// are written.
    fn apply_traits(&mut self, msg: &mut Node<MessageObject>) -> Result<Option<Loc>> {
        let mut examples_at = msg
            .value
            .examples
            .is_some()
            .then(|| msg.loc.child("examples"));
        let count = msg.value.traits.as_ref().map_or(0, Vec::len);
        for i in (0..count).rev() {
            let at = msg.loc.child("traits").child(&i.to_string());
            let t: Node<MessageTrait> = read(self.store, &at, "a message trait", self.major)?;
            self.only_in_2_x(
                &t.loc,
                "a message trait",
                t.value.message_id.is_some(),
                t.value.schema_format.is_some(),
            )?;
            if t.value.headers.is_some() {
                self.headers(&t.loc.child("headers"))?;
            }
            let m = &mut msg.value;
            let (tloc, t) = (t.loc, t.value);
            m.schema_format = m.schema_format.take().or(t.schema_format);
            m.content_type = m.content_type.take().or(t.content_type);
            m.headers = m.headers.take().or(t.headers);
            m.message_id = m.message_id.take().or(t.message_id);
            m.summary = m.summary.take().or(t.summary);
            m.name = m.name.take().or(t.name);
            m.title = m.title.take().or(t.title);
            m.description = m.description.take().or(t.description);
            if m.examples.is_none() && t.examples.is_some() {
                m.examples = t.examples;
                examples_at = Some(tloc.child("examples"));
            }
        }
        Ok(examples_at)
    }
}

/// `Key` when `pointer` is `/components/<section>/Key`.
pub(crate) fn component_key(pointer: &str, section: &str) -> Option<String> {
    let tokens = crate::error::pointer_tokens(pointer);
    match tokens.as_slice() {
        [c, s, key] if c == "components" && s == section => Some(key.clone()),
        _ => None,
    }
}

/// `Key` when `pointer` is `/channels/<channel>/messages/Key` (3.x names messages by that key).
fn channel_message_key(pointer: &str) -> Option<String> {
    let tokens = crate::error::pointer_tokens(pointer);
    match tokens.as_slice() {
        [c, _, m, key] if c == "channels" && m == "messages" => Some(key.clone()),
        [c, s, _, m, key] if c == "components" && s == "channels" && m == "messages" => {
            Some(key.clone())
        }
        _ => None,
    }
}
