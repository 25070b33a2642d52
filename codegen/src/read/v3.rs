//! AsyncAPI 3.0 and 3.1: channels with an `address`, operations apart from them (`action: send`
//! or `receive`, keyed by their id), request/reply through an operation's `reply`.
//!
//! The model keeps 2.x's view of the described application, which 3.x says with `action`: an
//! operation it `receive`s is a 2.x `publish` ([`Direction::Publish`]), one it `send`s a
//! `subscribe`. Channels are ordered by address and each channel's operations receive-first, as a
//! 2.x document orders them, so one protocol written in either version gives the same module.
//!
//! What 3.x has no keyword for keeps an extension:
//! - a parameter's token rule: its `enum`, or `x-pattern` (a regular expression, as 2.x's
//!   parameter schema `pattern`); `x-payload-field` as in 2.x;
//! - on a `reply`: `x-pattern` (`single` or `scatter-gather`), `x-optional` and `x-operation-id`,
//!   as the fields of 2.x's `x-reply`;
//! - on the document: `x-subject-root`, `x-subject-account-prefix`, `x-reply-status`.
//!
//! A reply whose channel has no address (`address: null`, or none) is answered on the
//! requester's NATS inbox, as NATS request/reply works; a reply address taken from a header or
//! a payload field, or a fixed reply channel, is refused with its location.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::node::{Node, Raw};
use super::{Document, ParameterParts, Reader};
use crate::error::{ErrorKind, Result};
use crate::model::{Channel, Direction, Operation, ParamRule, Reply};
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
    pub channels: Option<Map<String, Value>>,
    pub operations: Option<Map<String, Value>>,
    pub components: Option<Raw>,
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
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Components {
    pub schemas: Option<Map<String, Value>>,
    pub servers: Option<Raw>,
    pub channels: Option<Raw>,
    pub operations: Option<Raw>,
    pub messages: Option<Map<String, Value>>,
    pub security_schemes: Option<Raw>,
    pub server_variables: Option<Raw>,
    pub parameters: Option<Raw>,
    pub correlation_ids: Option<Raw>,
    pub replies: Option<Raw>,
    pub reply_addresses: Option<Raw>,
    pub external_docs: Option<Raw>,
    pub tags: Option<Raw>,
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
pub(crate) struct ChannelObject {
    /// `None` for `address: null` and for no address: the address is dynamic.
    pub address: Option<String>,
    pub messages: Option<Map<String, Value>>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub servers: Option<Raw>,
    pub parameters: Option<Map<String, Value>>,
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
    pub bindings: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParameterObject {
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<String>>,
    pub default: Option<String>,
    pub description: Option<String>,
    pub examples: Option<Vec<String>>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Receive,
    Send,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct OperationObject {
    pub action: Action,
    pub channel: Raw,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub security: Option<Raw>,
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
    pub bindings: Option<Raw>,
    pub traits: Option<Vec<Raw>>,
    pub messages: Option<Vec<Raw>>,
    pub reply: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct OperationTrait {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub security: Option<Raw>,
    pub tags: Option<Raw>,
    pub external_docs: Option<Raw>,
    pub bindings: Option<Raw>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyObject {
    pub address: Option<Raw>,
    pub channel: Option<Raw>,
    pub messages: Option<Vec<Raw>>,
}

// Every field the object has in AsyncAPI, used or not: reading them is how others are refused.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyAddress {
    pub description: Option<String>,
    pub location: String,
}

/// A channel of the document, as read.
struct ChannelNode {
    key: String,
    node: Node<ChannelObject>,
    /// Where each of its messages is, after `$ref`s, in key order.
    messages: Vec<(String, Loc)>,
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

    let mut read_channels = Vec::new();
    let mut by_loc = HashMap::new();
    for key in top.value.channels.iter().flat_map(Map::keys) {
        let ch = channel_node(r, &root.child("channels").child(key), key)?;
        by_loc.insert(ch.node.loc.clone(), read_channels.len());
        read_channels.push(ch);
    }
    // Channels with an address become the model's, in address order.
    let mut addressed: Vec<usize> = (0..read_channels.len())
        .filter(|&i| read_channels[i].node.value.address.is_some())
        .collect();
    addressed.sort_by(|&a, &b| {
        let key = |i: usize| (&read_channels[i].node.value.address, &read_channels[i].key);
        key(a).cmp(&key(b))
    });
    let model_index: HashMap<usize, usize> =
        addressed.iter().enumerate().map(|(m, &i)| (i, m)).collect();
    let mut templates = Vec::new();
    for &i in &addressed {
        let ch = &read_channels[i].node;
        let address = ch.value.address.as_deref().unwrap_or_default();
        let template = Template::parse(address).map_err(|m| {
            r.store.error(
                &ch.loc.child("address"),
                ErrorKind::Unsupported(format!(
                    "channel address is not usable as a NATS subject: {m}"
                )),
            )
        })?;
        templates.push(template);
    }
    let idents = crate::naming::channels::channels(&templates);
    let mut channels = Vec::new();
    for ((&i, template), ident) in addressed.iter().zip(templates).zip(idents) {
        channels.push(channel(r, &read_channels[i], template, ident)?);
    }

    let mut ops = Vec::new();
    for key in top.value.operations.iter().flat_map(Map::keys) {
        let node: Node<OperationObject> =
            r.node(&root.child("operations").child(key), "an operation")?;
        let target = r.store.deref(&node.loc.child("channel"))?;
        let Some(&read_index) = by_loc.get(&target) else {
            return Err(r.store.error(
                &node.loc.child("channel"),
                ErrorKind::Lint(
                    "an operation's channel must be a `$ref` to a channel of `channels`".into(),
                ),
            ));
        };
        let Some(&channel) = model_index.get(&read_index) else {
            return Err(r.store.error(
                &node.loc.child("channel"),
                ErrorKind::Unsupported(format!(
                    "an operation on channel {:?}, which has no address; only a reply may go to a dynamic address",
                    read_channels[read_index].key
                )),
            ));
        };
        ops.push((channel, node.value.action, key.clone(), read_index, node));
    }
    ops.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));

    let mut operations = Vec::new();
    for (channel, _, key, read_index, node) in ops {
        let op = operation(r, &key, node, channel, &read_channels, read_index, &by_loc)?;
        channels[channel].operations.push(operations.len());
        operations.push(op);
    }
    // Operations are in channel order, so a channel's are side by side.
    for (&read_index, channel) in addressed.iter().zip(0..) {
        let binding = r.channel_binding(&read_channels[read_index].node.loc)?;
        let first = operations.partition_point(|op: &Operation| op.channel < channel);
        let end = operations.partition_point(|op: &Operation| op.channel <= channel);
        r.channel_queue(&binding, &mut operations[first..end]);
    }
    // Messages of a channel that no operation names still get types.
    for ch in &read_channels {
        for (name, at) in &ch.messages {
            r.message(at, name)?;
        }
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

/// The channel at `loc` (after `$ref`s), with where each of its messages is.
fn channel_node(r: &mut Reader<'_, '_>, loc: &Loc, key: &str) -> Result<ChannelNode> {
    let node: Node<ChannelObject> = r.node(loc, "a channel")?;
    let mut messages = Vec::new();
    for name in node.value.messages.iter().flat_map(Map::keys) {
        let at = r.store.deref(&node.loc.child("messages").child(name))?;
        messages.push((name.clone(), at));
    }
    Ok(ChannelNode {
        key: key.to_owned(),
        node,
        messages,
    })
}

/// A channel of the model, from one with an address, with its template and Rust name.
fn channel(
    r: &mut Reader<'_, '_>,
    ch: &ChannelNode,
    template: Template,
    ident: String,
) -> Result<Channel> {
    let node = &ch.node;
    let address = node.value.address.clone().unwrap_or_default();
    let address_loc = node.loc.child("address");
    let mut declared = BTreeMap::new();
    for key in node.value.parameters.iter().flat_map(Map::keys) {
        let p: Node<ParameterObject> =
            r.node(&node.loc.child("parameters").child(key), "a parameter")?;
        let pattern = p.ext_string(r.store, "x-pattern")?;
        let parts = ParameterParts {
            description: p.value.description.clone(),
            rule: ParamRule {
                pattern,
                allowed: p.value.allowed.clone(),
                ..ParamRule::default()
            },
            payload_field: p.ext_string(r.store, "x-payload-field")?,
        };
        declared.insert(key.clone(), (p.loc, parts));
    }
    let parameters = r.parameters(&address_loc, &template, declared)?;
    Ok(Channel {
        name: address,
        ident,
        description: node.value.description.clone(),
        template,
        parameters,
        operations: Vec::new(),
        pointer: node.loc.pointer.clone(),
        file: r.store.path(node.loc.doc).to_path_buf(),
    })
}

fn operation(
    r: &mut Reader<'_, '_>,
    id: &str,
    op: Node<OperationObject>,
    channel: usize,
    channels: &[ChannelNode],
    read_index: usize,
    by_loc: &HashMap<Loc, usize>,
) -> Result<Operation> {
    let mut summary = op.value.summary.clone();
    let mut description = op.value.description.clone();
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
        if bindings.is_none() && t.value.bindings.is_some() {
            bindings = Some(t.loc.child("bindings"));
        }
    }
    let messages = messages_of(
        r,
        &op.loc.child("messages"),
        op.value.messages.as_ref(),
        Some(&channels[read_index]),
        &format!("{id} message"),
    )?;
    let reply = match op.value.reply {
        None => None,
        Some(_) => Some(reply(r, &op.loc.child("reply"), id, channels, by_loc)?),
    };
    let queue = match bindings {
        Some(at) => r.queue(&at)?,
        None => None,
    };
    Ok(Operation {
        id: id.to_owned(),
        id_pointer: op.loc.pointer.clone(),
        ident: r.operation_ident(id),
        direction: match op.value.action {
            Action::Receive => Direction::Publish,
            Action::Send => Direction::Subscribe,
        },
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

/// An operation's (or a reply's) messages: those listed, each one of the channel's when there is
/// a channel, or every message of the channel when none are listed.
fn messages_of(
    r: &mut Reader<'_, '_>,
    list_loc: &Loc,
    list: Option<&Vec<Raw>>,
    channel: Option<&ChannelNode>,
    hint: &str,
) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    match (list, channel) {
        (Some(list), _) => {
            for i in 0..list.len() {
                let at = list_loc.child(&i.to_string());
                let target = r.store.deref(&at)?;
                if let Some(channel) =
                    channel.filter(|c| !c.messages.iter().any(|(_, m)| *m == target))
                {
                    return Err(r.store.error(
                        &at,
                        ErrorKind::Lint(format!(
                            "the message is not one of the messages of channel {:?}",
                            channel.key
                        )),
                    ));
                }
                let m = r.message(&target, hint)?;
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        (None, Some(channel)) => {
            for (name, at) in &channel.messages {
                let m = r.message(at, name)?;
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        (None, None) => {}
    }
    Ok(out)
}

fn reply(
    r: &mut Reader<'_, '_>,
    loc: &Loc,
    op_id: &str,
    channels: &[ChannelNode],
    by_loc: &HashMap<Loc, usize>,
) -> Result<Reply> {
    let node: Node<ReplyObject> = r.node(loc, "an operation reply")?;
    if node.value.address.is_some() {
        let address: Node<ReplyAddress> =
            r.node(&node.loc.child("address"), "an operation reply address")?;
        return Err(r.store.error(
            &address.loc,
            ErrorKind::Unsupported(format!(
                "a reply address taken from {:?}; replies go to the requester's NATS inbox (a reply channel with `address: null`), an address from a header or payload field is not supported yet",
                address.value.location
            )),
        ));
    }
    let operation_id = node.ext_string(r.store, "x-operation-id")?;
    let hint = operation_id
        .clone()
        .unwrap_or_else(|| format!("{op_id} reply"));
    let pattern = r.reply_pattern(
        &node.loc.child("x-pattern"),
        node.ext_string(r.store, "x-pattern")?.as_deref(),
    )?;
    let optional = node.ext_bool(r.store, "x-optional")?.unwrap_or(false);
    // A reply channel may be any channel, in `channels` or only in `components`.
    let elsewhere;
    let channel = match node.value.channel {
        None => None,
        Some(_) => {
            let target = r.store.deref(&node.loc.child("channel"))?;
            let channel = match by_loc.get(&target) {
                Some(&i) => &channels[i],
                None => {
                    let key = target.pointer.rsplit('/').next().unwrap_or_default();
                    elsewhere = channel_node(r, &target, key)?;
                    &elsewhere
                }
            };
            if let Some(address) = &channel.node.value.address {
                return Err(r.store.error(
                    &node.loc.child("channel"),
                    ErrorKind::Unsupported(format!(
                        "a reply on the fixed address {address:?}; replies go to the requester's NATS inbox, a reply channel with `address: null`"
                    )),
                ));
            }
            Some(channel)
        }
    };
    if channel.is_none() && node.value.messages.is_none() {
        return Err(r.structure(
            &node.loc,
            "a reply needs `messages` or a `channel` with messages".into(),
        ));
    }
    let messages = messages_of(
        r,
        &node.loc.child("messages"),
        node.value.messages.as_ref(),
        channel,
        &format!("{hint} message"),
    )?;
    let id_pointer = match operation_id {
        Some(_) => node.loc.child("x-operation-id").pointer,
        None => node.loc.pointer.clone(),
    };
    Ok(Reply {
        operation_id,
        id_pointer,
        file: r.store.path(node.loc.doc).to_path_buf(),
        pattern,
        optional,
        messages,
    })
}
