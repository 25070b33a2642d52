//! The protocol model: what the emitters need from an AsyncAPI document, and nothing else.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::template::Template;

/// One AsyncAPI document, read, resolved and linted.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Short name of the spec: the file stem (`control-interface`).
    pub id: String,
    /// Rust module name (`control_interface`).
    pub module: String,
    /// The root file.
    pub path: PathBuf,
    /// The `asyncapi` version string.
    pub asyncapi: String,
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Leading subject tokens that may be replaced at run time (`x-subject-root`).
    pub subject_root: Option<SubjectRoot>,
    /// Whether subjects may carry one leading account token (`x-subject-account-prefix`).
    pub account_prefix: bool,
    /// Where replies say whether a request was refused (`x-reply-status`).
    pub reply_status: Option<ReplyStatus>,
    pub channels: Vec<Channel>,
    pub operations: Vec<Operation>,
    pub messages: Vec<Message>,
    /// Every schema that becomes a Rust type, by type name, in name order.
    pub definitions: BTreeMap<String, Definition>,
}

/// The replaceable root of every channel name of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRoot {
    /// The default root as it appears in channel names (`wasmbus.ctl`).
    pub default: String,
    /// Whether a deployment may replace it.
    pub replaceable: bool,
    pub description: Option<String>,
}

/// The status every reply of a spec carries (`x-reply-status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyStatus {
    /// The boolean property; `false` means the request was refused.
    pub success: String,
    /// The properties that may hold the reason, first non-empty wins.
    pub message: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Channel {
    /// The channel name as written in the spec (`wasmbus.ctl.v1.{lattice}.host.ping`).
    pub name: String,
    /// Rust type-name stem, unique in the spec (`HostPing`).
    pub ident: String,
    pub description: Option<String>,
    pub template: Template,
    /// Declared parameters in the order they appear in the name.
    pub parameters: Vec<Parameter>,
    /// Indexes into [`Spec::operations`].
    pub operations: Vec<usize>,
    /// Where the channel is written: its file and JSON pointer.
    pub pointer: String,
    pub file: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    /// Name as in the channel template.
    pub name: String,
    /// Rust field name (`host_id`).
    pub ident: String,
    pub description: Option<String>,
    pub rule: ParamRule,
    /// The request payload property that carries the same value (`x-payload-field`), where the
    /// payload has one.
    pub payload_field: Option<String>,
    /// Where the parameter object is written (after `$ref`s): its file and JSON pointer.
    pub pointer: String,
    pub file: PathBuf,
}

/// What a parameter value must satisfy beyond being one subject token.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParamRule {
    pub pattern: Option<String>,
    pub allowed: Option<Vec<String>>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// `integer` or `number` parameters must be decimal numbers.
    pub numeric: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// AsyncAPI 2 `publish`, 3 `action: receive`: other applications send this message to the
    /// described application.
    Publish,
    /// AsyncAPI 2 `subscribe`, 3 `action: send`: the described application sends this message.
    Subscribe,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The operationId (3.x: the operation's key), or one made from the direction and the channel
    /// when a 2.x operation has none.
    pub id: String,
    /// Where [`Operation::id`] is written (the operation itself when it is made up).
    pub id_pointer: String,
    /// Rust function name (`get_hosts`).
    pub ident: String,
    pub direction: Direction,
    pub channel: usize,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Indexes into [`Spec::messages`].
    pub messages: Vec<usize>,
    pub reply: Option<Reply>,
    /// NATS queue group (`bindings.nats.queue`), a template over the channel's parameters.
    pub queue: Option<String>,
    /// How the operation's messages are told apart, when it has several.
    pub dispatch: Option<Dispatch>,
    /// Where the operation is written: its file and JSON pointer.
    pub pointer: String,
    pub file: PathBuf,
}

/// Several messages told apart by a property that holds a different constant in each.
#[derive(Debug, Clone)]
pub struct Dispatch {
    /// Rust name of the enum over the messages (`LatticeEvent`).
    pub name: String,
    /// The property (`type`).
    pub tag: String,
    /// Each message (an index into [`Spec::messages`]) with its tag value.
    pub variants: Vec<(usize, String)>,
}

/// How an operation is answered (2.x `x-reply`, 3.x `reply`).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The name of the reply operation (2.x `x-reply.operationId`, 3.x `x-operation-id`).
    pub operation_id: Option<String>,
    /// Where [`Reply::operation_id`] is written (the reply itself when it has none).
    pub id_pointer: String,
    pub file: PathBuf,
    pub pattern: ReplyPattern,
    /// Whether a reply comes only when the request carries a reply subject, so that requesters
    /// may also publish without one (`x-reply.optional`).
    pub optional: bool,
    /// Indexes into [`Spec::messages`].
    pub messages: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyPattern {
    /// One reply.
    Single,
    /// Every receiver may reply; replies are collected until a deadline.
    ScatterGather,
}

#[derive(Debug, Clone)]
pub struct Message {
    /// `messageId`, `name`, or the component key, in that order.
    pub name: String,
    /// Rust type name, unique in the spec.
    pub ident: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub content_type: String,
    /// Definition name of the payload type; `None` when the message declares no payload.
    pub payload: Option<String>,
    /// Payload examples.
    pub examples: Vec<Example>,
    pub pointer: String,
    pub file: PathBuf,
}

/// One payload example of a message, with where it is written (a trait's examples may be in
/// another file than the message).
#[derive(Debug, Clone)]
pub struct Example {
    pub payload: Value,
    pub pointer: String,
    pub file: PathBuf,
}

/// A schema that becomes one named Rust type.
#[derive(Debug, Clone)]
pub struct Definition {
    /// Where the schema was found.
    pub file: PathBuf,
    pub pointer: String,
    /// The schema with every `$ref` rewritten to `#/definitions/<name>`.
    pub schema: Value,
}
