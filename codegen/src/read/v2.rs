//! AsyncAPI 2.0 to 2.6: channels keyed by their address, each with a `publish` and a `subscribe`
//! operation; request/reply through the `x-reply` extension.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::node::{Node, Raw};
use super::{Document, ParameterParts, Reader};
use crate::error::{ErrorKind, Result};
use crate::model::{Channel, Direction, Operation, Reply};
use crate::refs::Loc;
use crate::template::Template;

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct AsyncApi {
    pub asyncapi: String,
    pub id: Option<Raw>,
    pub info: Raw,
    pub servers: Option<Raw>,
    pub default_content_type: Option<String>,
    pub channels: Map<String, Value>,
    pub components: Option<Raw>,
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Info {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub terms_of_service: Option<Raw>,
    pub contact: Option<Raw>,
    pub license: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Components {
    pub schemas: Option<Map<String, Value>>,
    pub servers: Option<Raw>,
    pub server_variables: Option<Raw>,
    pub channels: Option<Raw>,
    pub messages: Option<Map<String, Value>>,
    pub security_schemes: Option<Raw>,
    pub parameters: Option<Raw>,
    pub correlation_ids: Option<Raw>,
    pub operation_traits: Option<Raw>,
    pub message_traits: Option<Raw>,
    pub server_bindings: Option<Raw>,
    pub channel_bindings: Option<Raw>,
    pub operation_bindings: Option<Raw>,
    pub message_bindings: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ChannelItem {
    pub description: Option<String>,
    pub servers: Option<Raw>,
    pub subscribe: Option<Raw>,
    pub publish: Option<Raw>,
    pub parameters: Option<Map<String, Value>>,
    pub bindings: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct OperationObject {
    pub traits: Option<Vec<Raw>>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub security: Option<Raw>,
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
    pub operation_id: Option<String>,
    pub bindings: Option<Raw>,
    pub message: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct OperationTrait {
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
    pub operation_id: Option<String>,
    pub security: Option<Raw>,
    pub bindings: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParameterObject {
    pub description: Option<String>,
    pub schema: Option<Raw>,
    pub location: Option<String>,
}

/// `x-reply` on an operation: how it is answered.
// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct XReply {
    pub operation_id: Option<String>,
    pub pattern: Option<String>,
    #[serde(default)]
    pub optional: bool,
    pub message: Option<Raw>,
    pub description: Option<String>,
}

pub(crate) fn read(r: &mut Reader<'_, '_>, root: &Loc) -> Result<Document> {
    let top: Node<AsyncApi> = r.node(root, "the document")?;
    if let Some(ct) = &top.value.default_content_type {
        r.default_content_type = ct.clone();
    }
    let extensions = r.extensions(&top)?;
    let info: Node<Info> = r.node(&root.child("info"), "`info`")?;
    let components = root.child("components");
    let parts: Option<Node<Components>> = match top.value.components {
        Some(_) => Some(r.node(&components, "`components`")?),
        None => None,
    };
    let (schemas, messages) = match &parts {
        Some(c) => (c.value.schemas.as_ref(), c.value.messages.as_ref()),
        None => (None, None),
    };
    r.component_schemas(&components, schemas);
    let mut templates = Vec::new();
    let mut addresses = Vec::new();
    for name in top.value.channels.keys() {
        if let Some(problem) = crate::template::uri_template_problem(name) {
            let instead = if name.split('.').any(|t| t == ">") {
                "; for a NATS wildcard, say the channel in AsyncAPI 3, whose `address` may hold one"
            } else {
                ""
            };
            return Err(r.store.error(
                &root.child("channels").child(name),
                ErrorKind::Structure(format!(
                    "channel name {name:?} is not a URI template (RFC 6570), as AsyncAPI 2.x requires channel names to be: {problem}; take the varying part as a {{parameter}}{instead}"
                )),
            ));
        }
        let loc = root.child("channels").child(name);
        let binding = r.channel_binding(&loc)?;
        let address = match &binding.subject {
            Some((subject, at)) if subject != name => {
                r.warnings.push(r.store.error(
                    at,
                    ErrorKind::Lint(format!(
                        "channel {name:?} is published on {subject:?}, its NATS binding's `subject` (FastStream writes the subject there and keys the channel by its handler)"
                    )),
                ));
                subject.clone()
            }
            _ => name.clone(),
        };
        let template = Template::parse(&address).map_err(|m| {
            r.store.error(
                &loc,
                ErrorKind::Unsupported(format!(
                    "channel name is not usable as a NATS subject: {m}"
                )),
            )
        })?;
        templates.push(template);
        addresses.push((address, binding));
    }
    let idents = crate::naming::channels::channels(&templates);
    let mut channels = Vec::new();
    let mut operations = Vec::new();
    for (((key, (address, binding)), template), ident) in top
        .value
        .channels
        .keys()
        .zip(addresses)
        .zip(templates)
        .zip(idents)
    {
        let loc = root.child("channels").child(key);
        let first = operations.len();
        channel(
            r,
            &loc,
            ChannelNames {
                key,
                address,
                ident,
            },
            template,
            &mut channels,
            &mut operations,
        )?;
        r.channel_queue(&binding, &mut operations[first..]);
    }
    r.component_messages(&components, messages)?;
    let info = info.value;
    Ok(Document {
        asyncapi: top.value.asyncapi,
        title: info.title,
        version: info.version,
        description: info.description,
        extensions,
        channels,
        operations,
    })
}

/// What a 2.x channel is called: its key, its address (the key, or the NATS binding's
/// `subject`) and its Rust name.
struct ChannelNames<'a> {
    key: &'a str,
    address: String,
    ident: String,
}

/// The channel at `loc`, with its template.
fn channel(
    r: &mut Reader<'_, '_>,
    loc: &Loc,
    names: ChannelNames<'_>,
    template: Template,
    channels: &mut Vec<Channel>,
    operations: &mut Vec<Operation>,
) -> Result<()> {
    let ChannelNames {
        key,
        address,
        ident,
    } = names;
    let item: Node<ChannelItem> = r.node(loc, "a channel")?;
    let mut declared = BTreeMap::new();
    for key in item.value.parameters.iter().flat_map(Map::keys) {
        let p: Node<ParameterObject> =
            r.node(&item.loc.child("parameters").child(key), "a parameter")?;
        let rule = match p.value.schema {
            Some(_) => r.rule_from_schema(&p.loc.child("schema"))?,
            None => Default::default(),
        };
        let parts = ParameterParts {
            description: p.value.description.clone(),
            rule,
            payload_field: p.ext_string(r.store, "x-payload-field")?,
        };
        declared.insert(key.clone(), (p.loc, parts));
    }
    let parameters = r.parameters(loc, &template, declared)?;
    let index = channels.len();
    let first = operations.len();
    for (op_key, present, direction) in [
        ("publish", item.value.publish.is_some(), Direction::Publish),
        (
            "subscribe",
            item.value.subscribe.is_some(),
            Direction::Subscribe,
        ),
    ] {
        if present {
            let op = operation(r, &item.loc.child(op_key), direction, index, key)?;
            operations.push(op);
        }
    }
    channels.push(Channel {
        name: address,
        ident,
        description: item.value.description,
        template,
        parameters,
        operations: (first..operations.len()).collect(),
        pointer: loc.pointer.clone(),
        file: r.store.path(loc.doc).to_path_buf(),
    });
    Ok(())
}

fn operation(
    r: &mut Reader<'_, '_>,
    loc: &Loc,
    direction: Direction,
    channel: usize,
    channel_name: &str,
) -> Result<Operation> {
    let op: Node<OperationObject> = r.node(loc, "an operation")?;
    let mut summary = op.value.summary.clone();
    let mut description = op.value.description.clone();
    let mut explicit_id = op
        .value
        .operation_id
        .clone()
        .map(|id| (id, op.loc.child("operationId")));
    let mut bindings = op
        .value
        .bindings
        .is_some()
        .then(|| op.loc.child("bindings"));
    // The operation's own fields win, then later traits over earlier ones.
    for i in (0..op.value.traits.as_ref().map_or(0, Vec::len)).rev() {
        let t: Node<OperationTrait> = r.node(
            &op.loc.child("traits").child(&i.to_string()),
            "an operation trait",
        )?;
        summary = summary.or(t.value.summary);
        description = description.or(t.value.description);
        if explicit_id.is_none() {
            explicit_id = t
                .value
                .operation_id
                .map(|id| (id, t.loc.child("operationId")));
        }
        if bindings.is_none() && t.value.bindings.is_some() {
            bindings = Some(t.loc.child("bindings"));
        }
    }
    let (id, id_pointer) = explicit_id
        .map(|(id, at)| (id, at.pointer))
        .unwrap_or_else(|| {
            let verb = match direction {
                Direction::Publish => "publish",
                Direction::Subscribe => "subscribe",
            };
            (format!("{verb} {channel_name}"), op.loc.pointer.clone())
        });
    let messages = match op.value.message {
        Some(_) => r.message_set(&op.loc.child("message"), &id)?,
        None => Vec::new(),
    };
    let reply = match op.ext::<XReply>(r.store, "x-reply", "x-reply", r.major)? {
        None => None,
        Some(x) => Some(reply(r, x, &id)?),
    };
    let queue = match bindings {
        Some(at) => r.queue(&at)?,
        None => None,
    };
    Ok(Operation {
        ident: r.operation_ident(&id),
        id,
        id_pointer,
        direction,
        channel,
        summary,
        description,
        messages,
        reply,
        queue,
        dispatch: None,
        pointer: op.loc.pointer.clone(),
        file: r.store.path(op.loc.doc).to_path_buf(),
    })
}

fn reply(r: &mut Reader<'_, '_>, x: Node<XReply>, op_id: &str) -> Result<Reply> {
    let pattern = r.reply_pattern(&x.loc.child("pattern"), x.value.pattern.as_deref())?;
    if x.value.message.is_none() {
        return Err(r.structure(&x.loc, "x-reply needs a `message`".into()));
    }
    let hint = x
        .value
        .operation_id
        .clone()
        .unwrap_or_else(|| format!("{op_id} reply"));
    let messages = r.message_set(&x.loc.child("message"), &hint)?;
    let id_pointer = match x.value.operation_id {
        Some(_) => x.loc.child("operationId").pointer,
        None => x.loc.pointer.clone(),
    };
    Ok(Reply {
        operation_id: x.value.operation_id,
        id_pointer,
        file: r.store.path(x.loc.doc).to_path_buf(),
        pattern,
        optional: x.value.optional,
        messages,
    })
}
