//! Operations: which channel, which messages, and how they are answered.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::message::MessageInfo;
use super::subject::{ChannelInfo, ChannelSubject, SubjectError, SubjectPrefix};

/// The direction of an operation, in AsyncAPI 2 terms (from the point of view of the application
/// the spec describes); AsyncAPI 3 says `action: receive` for `publish` and `send` for `subscribe`.
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
    /// Whether the reply comes only when the request carries a reply subject, so that the
    /// request may also be published without one (`x-reply.optional`).
    pub reply_optional: bool,
    /// The NATS queue group template (`bindings.nats.queue`), over the channel's parameters.
    pub queue: Option<&'static str>,
    /// How the operation's messages are told apart, when it has several.
    pub dispatch: Option<DispatchInfo>,
    /// Where the reply says whether the request was refused (`x-reply-status`).
    pub reply_status: Option<ReplyStatusInfo>,
    /// The values its request carries in both its subject and its payload (`x-payload-field`):
    /// generated responders refuse a request whose two disagree (see [`Operation::bind`]).
    pub shared: &'static [SharedValue],
}

/// A value a request carries twice, as a parameter of its subject and as a top-level property of
/// its payload (`x-payload-field`): the host id of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SharedValue {
    /// The channel parameter (`hostId`).
    pub parameter: &'static str,
    /// The payload property (`host_id`).
    pub field: &'static str,
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
    /// An operation without messages or reply; generated code sets the rest.
    pub const fn new(
        spec: &'static str,
        id: &'static str,
        channel: &'static ChannelInfo,
        direction: Direction,
    ) -> Self {
        Self {
            spec,
            id,
            channel,
            direction,
            messages: &[],
            reply: &[],
            reply_id: None,
            pattern: ReplyPattern::None,
            reply_optional: false,
            queue: None,
            dispatch: None,
            reply_status: None,
            shared: &[],
        }
    }

    /// The queue group name for the given parameter values, if the operation has one. Queue names
    /// use the spec's root (or its replacement) but no account token.
    pub fn queue_group(
        &self,
        values: &[(&str, &str)],
        prefix: &SubjectPrefix,
    ) -> Result<Option<String>, SubjectError> {
        self.render_queue(values, prefix, false)
    }

    /// The queue group names a permission must allow: like [`Self::queue_group`], but a parameter
    /// without a value leaves its token open (`*`), as queue permissions of nats-server may
    /// hold wildcards.
    pub fn queue_filter(
        &self,
        values: &[(&str, &str)],
        prefix: &SubjectPrefix,
    ) -> Result<Option<String>, SubjectError> {
        self.render_queue(values, prefix, true)
    }

    fn render_queue(
        &self,
        values: &[(&str, &str)],
        prefix: &SubjectPrefix,
        open: bool,
    ) -> Result<Option<String>, SubjectError> {
        // Stands for an open value while rendering; never valid in a token, so never given.
        const OPEN: char = '\0';
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
            match values.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => {
                    subject_token(name, value)?;
                    out.push_str(value);
                }
                None if open => out.push(OPEN),
                None => {
                    return Err(SubjectError::MissingParameter {
                        param: name.to_owned(),
                    })
                }
            }
            rest = rest.get(end + 1..).unwrap_or("");
        }
        out.push_str(rest);
        if out.contains(OPEN) {
            // An open value makes its whole token open, whatever text shares the token.
            let tokens: Vec<&str> = out
                .split('.')
                .map(|t| if t.contains(OPEN) { "*" } else { t })
                .collect();
            out = tokens.join(".");
        }
        Ok(Some(out))
    }
}

/// A request whose subject and payload disagree on a value the spec says they share: a channel
/// parameter whose `x-payload-field` names a property of the request payload (the host id of a
/// command is both in the subject and in the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMismatch {
    /// The channel parameter (`hostId`).
    pub parameter: &'static str,
    /// The payload property (`host_id`).
    pub field: &'static str,
    /// The parameter's value in the subject.
    pub subject_value: String,
    /// The property's value in the payload.
    pub payload_value: String,
}

impl std::fmt::Display for FieldMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the payload's `{}` is {:?} but the subject's `{}` is {:?}; they must be the same",
            self.field, self.payload_value, self.parameter, self.subject_value
        )
    }
}

impl std::error::Error for FieldMismatch {}

/// Checks one shared value: `Ok(Some(value))` when the payload leaves the field empty (the
/// subject's value is to be filled in), `Ok(None)` when both agree, an error when they differ.
pub fn bind_field(
    parameter: &'static str,
    subject_value: &str,
    field: &'static str,
    payload_value: &str,
) -> Result<Option<String>, FieldMismatch> {
    if payload_value.is_empty() {
        Ok(Some(subject_value.to_owned()))
    } else if payload_value == subject_value {
        Ok(None)
    } else {
        Err(FieldMismatch {
            parameter,
            field,
            subject_value: subject_value.to_owned(),
            payload_value: payload_value.to_owned(),
        })
    }
}

fn subject_token(name: &str, value: &str) -> Result<(), SubjectError> {
    super::subject::check_token(name, value)
}

/// One operation of a spec, as a type: written once, a client or server can serve every
/// operation generically.
pub trait Operation {
    /// The operation's subjects.
    type Subject<'a>: ChannelSubject<'a> + Send + Sync;
    /// The payload sent on the channel: the message's payload type, or the enum over several
    /// messages.
    type Request: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The payload of the reply (`()` when there is none).
    type Reply: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// What the spec says about the operation.
    const INFO: OperationInfo;

    /// Decodes what arrives on the channel (an enum over several messages reads its tag first).
    fn decode_request(payload: &[u8]) -> Result<Self::Request, serde_json::Error> {
        crate::json_from_slice(payload)
    }

    /// Makes a request agree with its subject on the values the spec says they share
    /// (`x-payload-field`): `Ok(Some(request))` with the subject's values filled in where the
    /// payload left them empty, `Ok(None)` when there is nothing to fill, and an error when the
    /// two disagree. Generated clients call it before sending, responders on the way in.
    fn bind(
        subject: &Self::Subject<'_>,
        request: &Self::Request,
    ) -> Result<Option<Self::Request>, FieldMismatch> {
        let _ = (subject, request);
        Ok(None)
    }

    /// What arrives on the channel, decoded and checked against the schema of its message: `None`
    /// where the generator wrote no such decode. Generated where views are: for an operation of
    /// one message with a payload, [`crate::validate::decode`] of that message (through its
    /// view); for an enum over messages, its `from_slice_validated`, which finds the tag in place,
    /// decodes the message it names so, and reads a message of an unknown tag strictly (stricter
    /// than [`decode_request`](Self::decode_request): no repeated keys). The validated stream
    /// calls it.
    #[cfg(feature = "validate")]
    #[doc(hidden)]
    fn decode_request_validated(
        payload: &[u8],
    ) -> Option<Result<Self::Request, crate::validate::ValidationError>> {
        let _ = payload;
        None
    }

    /// The reply, decoded and checked against the schema of its message: `None` where the
    /// generator wrote no such decode (a reply that may be one of several messages). Generated
    /// where the reply is one message with a payload, as [`crate::validate::decode`] of that
    /// message (through its view). A client validating its replies calls it.
    #[cfg(feature = "validate")]
    #[doc(hidden)]
    fn decode_reply_validated(
        payload: &[u8],
    ) -> Option<Result<Self::Reply, crate::validate::ValidationError>> {
        let _ = payload;
        None
    }
}
