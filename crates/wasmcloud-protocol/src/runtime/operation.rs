//! Operations: which channel, which messages, and how they are answered.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::message::MessageInfo;
use super::subject::{ChannelInfo, SubjectError, SubjectPrefix};

/// The direction of an operation, in AsyncAPI 2 terms (from the point of view of the application
/// the spec describes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `publish`: others send the message to the application (a request to a host).
    Publish,
    /// `subscribe`: the application sends the message (an event from a host).
    Subscribe,
}

/// How an operation is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyPattern {
    /// No reply (an event, or a fire-and-forget command).
    None,
    /// One reply, from the one receiver.
    Single,
    /// One reply, from one member of a queue group of receivers.
    QueueGroup,
    /// Every receiver may reply; replies are collected until a deadline.
    ScatterGather,
}

/// An operation of a spec, for code that works with operations generically.
#[derive(Debug, Clone, Copy)]
pub struct OperationInfo {
    /// Short name of the spec.
    pub spec: &'static str,
    /// The operationId.
    pub id: &'static str,
    /// The operation's channel.
    pub channel: &'static ChannelInfo,
    /// `publish` or `subscribe`.
    pub direction: Direction,
    /// The messages sent on the channel (the request, or the event).
    pub messages: &'static [MessageInfo],
    /// The messages of the reply, if the operation is answered.
    pub reply: &'static [MessageInfo],
    /// The name the spec gives the reply (`x-reply.operationId`).
    pub reply_id: Option<&'static str>,
    /// How the operation is answered.
    pub pattern: ReplyPattern,
    /// The NATS queue group template (`bindings.nats.queue`), over the channel's parameters.
    pub queue: Option<&'static str>,
    /// How the operation's messages are told apart, when it has several.
    pub dispatch: Option<DispatchInfo>,
    /// Where the reply says whether the request was refused (`x-reply-status`).
    pub reply_status: Option<ReplyStatusInfo>,
}

/// Where a spec's replies say whether the request was refused, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyStatusInfo {
    /// The boolean property; `false` means refused.
    pub success: &'static str,
    /// The properties that may hold the reason, first non-empty wins.
    pub message: &'static [&'static str],
}

/// Several messages told apart by a property holding a different constant in each.
#[derive(Debug, Clone, Copy)]
pub struct DispatchInfo {
    /// The property (CloudEvents' `type`).
    pub tag: &'static str,
    /// Each tag value with its message.
    pub variants: &'static [(&'static str, MessageInfo)],
}

impl DispatchInfo {
    /// The message a payload is, by its tag; `None` when the tag is missing or unknown.
    pub fn message_for(&self, payload: &serde_json::Value) -> Option<MessageInfo> {
        let tag = payload.get(self.tag)?.as_str()?;
        self.variants
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, m)| *m)
    }
}

impl PartialEq for OperationInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.spec, self.id) == (other.spec, other.id)
    }
}

impl Eq for OperationInfo {}

impl OperationInfo {
    /// The queue group name for the given parameter values, if the operation has one. Queue names
    /// use the spec's root (or its replacement) but no account token.
    pub fn queue_group(
        &self,
        values: &[(&str, &str)],
        prefix: &SubjectPrefix,
    ) -> Result<Option<String>, SubjectError> {
        let Some(template) = self.queue else {
            return Ok(None);
        };
        let root = self.channel.root;
        let template = match template.strip_prefix(root.default) {
            Some(rest) if !root.default.is_empty() => {
                format!("{}{rest}", root.effective(prefix))
            }
            _ => template.to_owned(),
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
            let name = &rest[start + 1..end];
            let value = values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| SubjectError::MissingParameter {
                    param: name.to_owned(),
                })?;
            subject_token(name, value)?;
            out.push_str(value);
            rest = rest.get(end + 1..).unwrap_or("");
        }
        out.push_str(rest);
        Ok(Some(out))
    }
}

fn subject_token(name: &str, value: &str) -> Result<(), SubjectError> {
    super::subject::check_token(name, value)
}

/// A typed subject of one channel, as generated for every channel of a spec.
pub trait ChannelSubject<'a>: Sized {
    /// The channel.
    const CHANNEL: &'static ChannelInfo;

    /// Parses a subject of this channel (after `prefix`), borrowing the values from it.
    fn parse_with(subject: &'a str, prefix: &SubjectPrefix) -> Result<Self, SubjectError>;

    /// Writes the subject under `prefix` to `out`.
    fn write_with(&self, prefix: &SubjectPrefix, out: &mut String);

    /// The subject under `prefix`.
    fn render_with(&self, prefix: &SubjectPrefix) -> String {
        let mut out = String::with_capacity(64);
        self.write_with(prefix, &mut out);
        out
    }
}

/// One operation of a spec, as a type: written once, a client or server can serve every
/// operation generically.
pub trait Operation {
    /// The operation's subjects.
    type Subject<'a>: ChannelSubject<'a>;
    /// The payload sent on the channel: the message's payload type, or the enum over several
    /// messages.
    type Request: Serialize + DeserializeOwned;
    /// The payload of the reply (`()` when there is none).
    type Reply: Serialize + DeserializeOwned;
    /// What the spec says about the operation.
    const INFO: OperationInfo;

    /// Decodes what arrives on the channel (an enum over several messages reads its tag first).
    fn decode_request(payload: &[u8]) -> Result<Self::Request, serde_json::Error> {
        serde_json::from_slice(payload)
    }
}
