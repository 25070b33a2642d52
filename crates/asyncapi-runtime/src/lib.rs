//! What generated code calls into. Nothing here knows about wasmCloud: it serves any spec the
//! generator reads.
//!
//! # Features
//!
//! - `validate`: [`validate`] and [`view`]: payloads checked against their schemas (jsonschema),
//!   and read in place;
//! - `nats`: [`nats`]: the client and responder generated code is built on (async-nats, tokio);
//! - `creds`: [`creds`]: a role's permissions as a NATS user JWT and `.creds` file, for servers
//!   in operator mode (nkeys, nats-jwt-rs).
//!
//! Without them: subjects, messages, operations and permissions, for a types-only user.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod constant;
#[cfg(feature = "creds")]
pub mod creds;
mod message;
#[cfg(feature = "nats")]
pub mod nats;
mod operation;
pub mod permissions;
#[cfg(feature = "validate")]
mod strict_json;
pub mod subject;
#[cfg(feature = "validate")]
pub mod validate;
#[cfg(feature = "validate")]
pub mod view;

pub use constant::{Const, ConstError, ConstValue};
pub use message::{
    json_from_slice, normalize, tag_of, try_decode, Message, MessageInfo, MAX_PAYLOAD_BYTES,
};
pub use operation::{
    bind_field, Direction, DispatchInfo, FieldMismatch, Operation, OperationInfo, ReplyPattern,
    ReplyStatusInfo, SharedValue,
};
pub use subject::{
    ChannelFilter, ChannelInfo, ChannelSubject, Param, Pattern, SubjectError, SubjectPrefix,
    WholeFilter,
};

/// One spec at a glance, for tools that work with specs generically.
#[derive(Debug, Clone, Copy)]
pub struct SpecInfo {
    /// Short name of the spec (`control-interface`).
    pub id: &'static str,
    /// `info.title`.
    pub title: &'static str,
    /// `info.version`.
    pub version: &'static str,
    /// Every channel, in the order the spec's router tries them (most specific first).
    pub channels: &'static [&'static ChannelInfo],
    /// Every operation, in spec order.
    pub operations: &'static [OperationInfo],
    /// Every message, in spec order.
    pub messages: &'static [MessageInfo],
    /// What each role does on NATS, for [`permissions::Permissions::for_role`].
    pub roles: &'static [permissions::RoleGrants],
}

impl SpecInfo {
    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> Option<&'static OperationInfo> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The message with this name.
    pub fn message(&self, name: &str) -> Option<&'static MessageInfo> {
        self.messages.iter().find(|m| m.name == name)
    }

    /// The channel a subject belongs to (channels tried most specific first: at the first token
    /// where two differ, literal text beats text with a parameter, which beats a parameter, which
    /// beats `>`), with its parameter values. A subject with a channel's shape but a bad value
    /// gets that channel's error; one with no channel's shape, [`SubjectError::NoMatch`].
    pub fn route<'a>(
        &self,
        subject: &'a str,
        prefix: &SubjectPrefix,
    ) -> Result<subject::Routed<'a>, SubjectError> {
        subject::route(self.id, self.channels, subject, prefix)
    }
}
