//! Talking NATS, generically over the operation table (the `nats` feature).
//!
//! Generated clients and responders are thin: each method names its operation and this module
//! does the rest. [`Requester`] sends requests (one reply, scatter-gather, or none) and
//! subscribes; [`ServerBuilder`] answers them with one loop per operation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::SelectAll;
use serde::Serialize;

use super::operation::{FieldMismatch, Operation, ReplyPattern, ReplyStatusInfo};
use super::subject::{ChannelSubject, SubjectError, SubjectPrefix};

mod gather;
mod status;

pub use async_nats;
pub use futures::{Stream, StreamExt};
pub use gather::{Finish, GatherOptions, Gathered, ReplyStream, Undecodable, DEFAULT_QUIET};

/// Options of a client: subject prefix, timeouts, reply validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOptions {
    prefix: SubjectPrefix,
    timeout: Duration,
    gather: GatherOptions,
    validate_replies: bool,
    validate_messages: bool,
}

impl Default for RequestOptions {
    /// No prefix, 2 s for a single reply, [`GatherOptions::default`] for scatter-gather.
    fn default() -> Self {
        Self {
            prefix: SubjectPrefix::new(),
            timeout: Duration::from_secs(2),
            gather: GatherOptions::default(),
            validate_replies: false,
            validate_messages: false,
        }
    }
}

impl RequestOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Account token and root replacement for every subject.
    pub fn prefix(mut self, prefix: SubjectPrefix) -> Self {
        self.prefix = prefix;
        self
    }

    /// How long a request with one reply waits for it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How scatter-gather requests collect replies, unless a call says otherwise.
    pub fn gather(mut self, gather: GatherOptions) -> Self {
        self.gather = gather;
        self
    }

    /// Validates every reply against its message's schema before decoding it.
    #[cfg(feature = "validate")]
    pub fn validate_replies(mut self, yes: bool) -> Self {
        self.validate_replies = yes;
        self
    }

    /// Validates every message a subscription receives (the events) against its message's
    /// schema while decoding it: one that breaks it arrives as [`Malformed`], with every
    /// violation ([`Malformed::violations`]).
    #[cfg(feature = "validate")]
    pub fn validate_messages(mut self, yes: bool) -> Self {
        self.validate_messages = yes;
        self
    }

    /// The subject prefix.
    pub fn subject_prefix(&self) -> &SubjectPrefix {
        &self.prefix
    }

    /// The scatter-gather options.
    pub fn gather_options(&self) -> &GatherOptions {
        &self.gather
    }
}

/// What kind of failure a [`RequestError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestErrorKind {
    /// A value for the subject is not allowed (nothing was sent).
    Subject,
    /// The request could not be encoded (nothing was sent).
    Encode,
    /// The payload and the subject disagree on a value the spec says they share (nothing was
    /// sent); [`RequestError::mismatch`] says which.
    Mismatch,
    /// No reply came in time.
    Timeout,
    /// Nobody listens on the subject.
    NoResponders,
    /// The connection failed (publish, subscribe or flush).
    Transport,
    /// The reply is not the reply message (not JSON, or not its shape).
    Undecodable,
    /// The reply breaks its schema (with replies validated); [`RequestError::violations`] lists
    /// how.
    InvalidReply,
    /// The responder refused or failed the request (`success: false`), saying why
    /// ([`RequestError::refusal`]).
    Refused,
}

/// Why a request failed: its [`kind`](Self::kind), the subject it was for, the reply as received
/// where one came, and the underlying error as [`source`](std::error::Error::source) (the
/// `serde_json` or `async-nats` error, the subject's or the mismatch).
#[derive(Debug)]
pub struct RequestError {
    kind: RequestErrorKind,
    subject: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// The reply as received, when one came.
    payload: Option<Bytes>,
    /// How long a request waited, the refusal's reason, or the schema violations.
    detail: Detail,
}

#[derive(Debug)]
enum Detail {
    None,
    Waited(Duration),
    Refusal(String),
    #[cfg(feature = "validate")]
    Violations(Vec<super::validate::Violation>),
}

impl RequestError {
    fn new(kind: RequestErrorKind, subject: &str) -> Self {
        Self {
            kind,
            subject: Some(subject.to_owned()),
            source: None,
            payload: None,
            detail: Detail::None,
        }
    }

    fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    fn with_payload(mut self, payload: Bytes) -> Self {
        self.payload = Some(payload);
        self
    }

    fn transport(subject: &str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::new(RequestErrorKind::Transport, subject).with_source(source)
    }

    /// A reply that breaks its schema ([`RequestErrorKind::InvalidReply`], with every
    /// violation) or is no reply message at all ([`RequestErrorKind::Undecodable`]).
    #[cfg(feature = "validate")]
    fn of_reply(subject: &str, payload: Bytes, error: super::validate::ValidationError) -> Self {
        match error {
            super::validate::ValidationError::Invalid { violations, .. } => {
                let mut e =
                    Self::new(RequestErrorKind::InvalidReply, subject).with_payload(payload);
                e.detail = Detail::Violations(violations);
                e
            }
            e => Self::new(RequestErrorKind::Undecodable, subject)
                .with_payload(payload)
                .with_source(e),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> RequestErrorKind {
        self.kind
    }

    /// The request's subject, unless the subject itself could not be built.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The reply as received, for a reply that was refused, undecodable or invalid.
    pub fn payload(&self) -> Option<&Bytes> {
        self.payload.as_ref()
    }

    /// The responder's reason, for a refusal.
    pub fn refusal(&self) -> Option<&str> {
        match &self.detail {
            Detail::Refusal(reason) => Some(reason),
            _ => None,
        }
    }

    /// A timeout after waiting `after` for a reply on `subject`.
    fn timed_out(subject: &str, after: Duration) -> Self {
        let mut timeout = Self::new(RequestErrorKind::Timeout, subject);
        timeout.detail = Detail::Waited(after);
        timeout
    }

    /// How long the request waited, for a timeout.
    pub fn waited(&self) -> Option<Duration> {
        match self.detail {
            Detail::Waited(after) => Some(after),
            _ => None,
        }
    }

    /// Which value the payload and the subject disagree on, for a mismatch.
    pub fn mismatch(&self) -> Option<&FieldMismatch> {
        self.source.as_ref()?.downcast_ref()
    }

    /// Every way the reply breaks its schema, for an invalid reply.
    #[cfg(feature = "validate")]
    pub fn violations(&self) -> &[super::validate::Violation] {
        match &self.detail {
            Detail::Violations(v) => v,
            _ => &[],
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(subject) = &self.subject {
            write!(f, "{subject}: ")?;
        }
        WhatFailed(self).fmt(f)
    }
}

/// A [`RequestError`]'s message without its subject.
struct WhatFailed<'a>(&'a RequestError);

impl fmt::Display for WhatFailed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.0;
        let source = error
            .source
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default();
        match (error.kind, &error.detail) {
            (RequestErrorKind::Encode, _) => write!(f, "cannot encode the request: {source}"),
            (RequestErrorKind::Timeout, Detail::Waited(after)) => {
                write!(f, "no reply within {after:?}")
            }
            (RequestErrorKind::Timeout, _) => f.write_str("no reply in time"),
            (RequestErrorKind::NoResponders, _) => f.write_str("no responders"),
            (RequestErrorKind::Undecodable, _) => {
                write!(f, "the reply is not the reply message: {source}")
            }
            #[cfg(feature = "validate")]
            (RequestErrorKind::InvalidReply, Detail::Violations(violations)) => {
                f.write_str("the reply breaks its schema")?;
                for v in violations {
                    write!(f, "; {v}")?;
                }
                Ok(())
            }
            (RequestErrorKind::Refused, Detail::Refusal(reason)) => write!(f, "refused: {reason}"),
            _ => f.write_str(&source),
        }
    }
}

impl std::error::Error for RequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<SubjectError> for RequestError {
    fn from(e: SubjectError) -> Self {
        Self {
            kind: RequestErrorKind::Subject,
            subject: None,
            source: Some(Box::new(e)),
            payload: None,
            detail: Detail::None,
        }
    }
}

/// A decoded reply and the bytes it was decoded from, for logging or for checking what the
/// answering side really sent. It dereferences to the decoded value.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    value: T,
    payload: Bytes,
    headers: Option<async_nats::HeaderMap>,
}

impl<T> Reply<T> {
    /// A reply decoded from `payload`.
    pub fn new(value: T, payload: Bytes) -> Self {
        Self {
            value,
            payload,
            headers: None,
        }
    }

    /// The decoded reply.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The reply's bytes, as received.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The reply's NATS headers, if it had any.
    pub fn headers(&self) -> Option<&async_nats::HeaderMap> {
        self.headers.as_ref()
    }

    /// The decoded reply and its bytes.
    pub fn into_parts(self) -> (T, Bytes) {
        (self.value, self.payload)
    }
}

impl<T> std::ops::Deref for Reply<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Serialises as the decoded value, so replies can be logged or collected as JSON; the bytes as
/// received are [`Reply::payload`].
impl<T: Serialize> Serialize for Reply<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T> std::ops::DerefMut for Reply<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// Encodes what is sent on an operation's channel: nothing for a message without payload.
pub fn encode<O: Operation>(payload: &O::Request) -> Result<Bytes, serde_json::Error> {
    encode_as(
        O::INFO.messages.first().is_none_or(|m| m.has_payload),
        payload,
    )
}

fn encode_as<T: Serialize>(has_payload: bool, value: &T) -> Result<Bytes, serde_json::Error> {
    if has_payload {
        serde_json::to_vec(value).map(Bytes::from)
    } else {
        Ok(Bytes::new())
    }
}

/// Decodes what is received on an operation's channel.
pub fn decode<O: Operation>(payload: &[u8]) -> Result<O::Request, serde_json::Error> {
    if O::INFO.messages.first().is_none_or(|m| !m.has_payload) {
        // No payload: whatever came is ignored.
        return serde_json::from_value(serde_json::Value::Null);
    }
    O::decode_request(payload)
}

/// Reads a reply's status: `Some(reason)` when it says the request was refused.
pub fn refusal(status: &ReplyStatusInfo, reply: &[u8]) -> Option<String> {
    // A reply that succeeded says so in one scan of its top level; the rest are read in full.
    if status::succeeded(status.success, reply) {
        return None;
    }
    refusal_in_full(status, reply)
}

/// [`refusal`] by a full read of the reply.
fn refusal_in_full(status: &ReplyStatusInfo, reply: &[u8]) -> Option<String> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    /// The status fields of a reply, read without building the rest (a reply is read on every
    /// request): the success flag and each message field that is a string, the last of a
    /// repeated key winning as in a JSON value.
    struct Status<'s>(&'s ReplyStatusInfo);

    impl<'de> DeserializeSeed<'de> for Status<'_> {
        type Value = (Option<bool>, Vec<Option<String>>);

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Status<'_> {
        type Value = (Option<bool>, Vec<Option<String>>);

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut success = None;
            let mut messages = vec![None; self.0.message.len()];
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.0.success {
                    success = map.next_value::<serde_json::Value>()?.as_bool();
                } else if let Some(i) = self.0.message.iter().position(|m| *m == key) {
                    messages[i] = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Some(s),
                        _ => None,
                    };
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok((success, messages))
        }
    }

    let mut de = serde_json::Deserializer::from_slice(reply);
    let (success, messages) = Status(status).deserialize(&mut de).ok()?;
    de.end().ok()?;
    if success? {
        return None;
    }
    let reason = messages
        .into_iter()
        .flatten()
        .find(|m| !m.is_empty())
        .unwrap_or_else(|| "no reason given".to_owned());
    Some(reason)
}

/// A reply saying the request was refused, in the spec's status fields.
#[doc(hidden)]
pub fn refusal_reply(status: &ReplyStatusInfo, reason: &str) -> Bytes {
    let mut map = serde_json::Map::new();
    map.insert(status.success.to_owned(), false.into());
    if let Some(field) = status.message.first() {
        map.insert((*field).to_owned(), reason.into());
    }
    Bytes::from(serde_json::to_vec(&map).expect("a map of strings serializes"))
}

/// Waits until the server has processed everything this connection sent before, subscriptions
/// included: a message to a subject of its own comes back only after them, as the server handles a
/// connection's operations in order. (`flush` only writes the socket, so another connection's
/// request could otherwise find no subscriber yet.)
///
/// The probe goes to a fresh subject under [`PROBE_SUBJECTS`](crate::permissions::PROBE_SUBJECTS),
/// not to an inbox: a user allowed to publish to inboxes could forge other users' replies.
pub async fn round_trip(nats: &async_nats::Client) -> Result<(), String> {
    let fresh = nats.new_inbox();
    let token = fresh.rsplit('.').next().unwrap_or(&fresh);
    let inbox = format!(
        "{}.{token}",
        crate::permissions::PROBE_SUBJECTS.trim_end_matches(".>")
    );
    let mut probe = nats
        .subscribe(inbox.clone())
        .await
        .map_err(|e| e.to_string())?;
    nats.publish(inbox, Bytes::new())
        .await
        .map_err(|e| e.to_string())?;
    nats.flush().await.map_err(|e| e.to_string())?;
    let back = tokio::time::timeout(Duration::from_secs(10), probe.next()).await;
    let _ = probe.unsubscribe().await;
    match back {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err("the connection closed".into()),
        Err(_) => Err("the server did not answer within 10 s".into()),
    }
}

/// Sends requests and subscribes, for one spec's operations.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct Requester {
    nats: async_nats::Client,
    options: RequestOptions,
}

impl Requester {
    /// A requester on an existing NATS connection.
    pub fn new(nats: async_nats::Client, options: RequestOptions) -> Self {
        Self { nats, options }
    }

    /// The NATS connection.
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// The options.
    pub fn options(&self) -> &RequestOptions {
        &self.options
    }

    fn subject<'a, O: Operation>(&self, subject: &O::Subject<'a>) -> String {
        subject.render_with(&self.options.prefix)
    }

    /// The request, encoded, once it agrees with its subject (see [`Operation::bind`]).
    fn body<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        rendered: &str,
        request: &O::Request,
    ) -> Result<Bytes, RequestError> {
        let bound = O::bind(subject, request).map_err(|mismatch| {
            RequestError::new(RequestErrorKind::Mismatch, rendered).with_source(mismatch)
        })?;
        encode::<O>(bound.as_ref().unwrap_or(request))
            .map_err(|e| RequestError::new(RequestErrorKind::Encode, rendered).with_source(e))
    }

    fn decode_reply<O: Operation>(
        &self,
        subject: &str,
        message: async_nats::Message,
    ) -> Result<Reply<O::Reply>, RequestError> {
        let (payload, headers) = (message.payload, message.headers);
        #[cfg(feature = "validate")]
        if self.options.validate_replies {
            // Through the reply message's view where it has one (read and checked in one pass,
            // then built), else checked and decoded in one pass of serde_json.
            let decoded = O::decode_reply_validated(&payload).or_else(|| {
                let info = O::INFO.reply.first()?;
                Some(super::validate::decode_as::<O::Reply>(info, &payload))
            });
            if let Some(decoded) = decoded {
                return match decoded {
                    Ok(value) => Ok(Reply {
                        value,
                        payload,
                        headers,
                    }),
                    Err(e) => Err(RequestError::of_reply(subject, payload, e)),
                };
            }
        }
        let has_payload = O::INFO.reply.first().is_none_or(|m| m.has_payload);
        let decoded = if has_payload {
            crate::json_from_slice(&payload)
        } else {
            serde_json::from_value(serde_json::Value::Null)
        };
        match decoded {
            Ok(value) => Ok(Reply {
                value,
                payload,
                headers,
            }),
            Err(e) => Err(RequestError::new(RequestErrorKind::Undecodable, subject)
                .with_payload(payload)
                .with_source(e)),
        }
    }

    /// Sends a request and waits for its one reply. A reply whose status says the request was
    /// refused is an error of kind [`RequestErrorKind::Refused`].
    pub async fn request<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        request: &O::Request,
    ) -> Result<Reply<O::Reply>, RequestError> {
        let (subject, reply) = self.exchange::<O>(subject, request).await?;
        self.decode_reply::<O>(&subject, reply)
    }

    /// Sends a request and waits for its one reply, which it returns as it arrived, to be read
    /// in place ([`ReplyInPlace::view`]): checked against its schema in the pass that reads it,
    /// its strings borrowed from the reply, none of it copied. A refusal is an error here, as
    /// with [`Self::request`]. Replies are always checked, whatever
    /// [`RequestOptions::validate_replies`] says: a view is read by its schema.
    #[cfg(feature = "validate")]
    pub async fn request_in_place<'a, O: crate::view::ReplyView>(
        &self,
        subject: &O::Subject<'a>,
        request: &O::Request,
    ) -> Result<ReplyInPlace<O>, RequestError> {
        let (subject, reply) = self.exchange::<O>(subject, request).await?;
        Ok(ReplyInPlace {
            subject,
            payload: reply.payload,
            headers: reply.headers,
            _op: std::marker::PhantomData,
        })
    }

    /// Sends a request, waits for its one reply and checks the reply's status: the subject it
    /// went to and the reply, unless it was refused.
    async fn exchange<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        request: &O::Request,
    ) -> Result<(String, async_nats::Message), RequestError> {
        let rendered = self.subject::<O>(subject);
        let body = self.body::<O>(subject, &rendered, request)?;
        let subject = rendered;
        let timeout_after = self.options.timeout;
        let req = async_nats::Request::new()
            .payload(body)
            .timeout(Some(timeout_after));
        let reply = self
            .nats
            .send_request(subject.clone(), req)
            .await
            .map_err(|e| match e.kind() {
                async_nats::RequestErrorKind::TimedOut => {
                    RequestError::timed_out(&subject, timeout_after).with_source(e)
                }
                async_nats::RequestErrorKind::NoResponders => {
                    RequestError::new(RequestErrorKind::NoResponders, &subject).with_source(e)
                }
                _ => RequestError::transport(&subject, e),
            })?;
        if let Some(status) = &O::INFO.reply_status {
            if let Some(reason) = refusal(status, &reply.payload) {
                let mut refused = RequestError::new(RequestErrorKind::Refused, &subject)
                    .with_payload(reply.payload);
                refused.detail = Detail::Refusal(reason);
                return Err(refused);
            }
        }
        Ok((subject, reply))
    }

    /// Sends a request every receiver may answer and collects the replies (see
    /// [`GatherOptions`]). Undecodable replies are kept aside and collection goes on; a refusal
    /// is a reply like any other. With no receiver at all: [`RequestErrorKind::NoResponders`].
    pub async fn gather<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        request: &O::Request,
        gather: &GatherOptions,
    ) -> Result<Gathered<O::Reply>, RequestError>
    where
        O::Reply: Send + 'static,
    {
        let stream = self.gather_stream::<O>(subject, request, gather).await?;
        gather::collect(stream).await
    }

    /// Sends a request every receiver may answer and returns its replies as they arrive, each
    /// decoded (an undecodable one is an error of kind [`RequestErrorKind::Undecodable`] or
    /// [`RequestErrorKind::InvalidReply`], and the stream goes on), until the deadline, the
    /// expected count or the quiet period of `gather`, whichever comes first. With no receiver
    /// at all, the one item is an error of kind [`RequestErrorKind::NoResponders`].
    pub async fn gather_stream<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        request: &O::Request,
        gather: &GatherOptions,
    ) -> Result<ReplyStream<O::Reply>, RequestError>
    where
        O::Reply: Send + 'static,
    {
        let rendered = self.subject::<O>(subject);
        let body = self.body::<O>(subject, &rendered, request)?;
        let subject = rendered;
        let inbox = self.nats.new_inbox();
        let replies = self
            .nats
            .subscribe(inbox.clone())
            .await
            .map_err(|e| RequestError::transport(&subject, e))?;
        self.nats
            .publish_with_reply(subject.clone(), inbox, body)
            .await
            .map_err(|e| RequestError::transport(&subject, e))?;
        self.nats
            .flush()
            .await
            .map_err(|e| RequestError::transport(&subject, e))?;
        Ok(gather::stream::<O>(self.clone(), subject, replies, *gather))
    }

    /// Asks every receiver again and again (each time as `gather` says) until a reply satisfies
    /// `wanted`, and returns that reply: for scripts that start a lattice and wait for one of its
    /// members, or for any. Replies that do not satisfy it, undecodable ones and "no
    /// responders" are passed over; after `timeout`, an error of kind
    /// [`RequestErrorKind::Timeout`].
    pub async fn wait_for<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        request: &O::Request,
        gather: &GatherOptions,
        timeout: Duration,
        wanted: impl Fn(&O::Reply) -> bool,
    ) -> Result<Reply<O::Reply>, RequestError>
    where
        O::Reply: Send + 'static,
    {
        let give_up = tokio::time::Instant::now() + timeout;
        loop {
            let left = give_up.saturating_duration_since(tokio::time::Instant::now());
            let round = gather.capped(left);
            match self.gather_stream::<O>(subject, request, &round).await {
                Ok(mut replies) => {
                    while let Some(reply) = replies.next().await {
                        if let Ok(reply) = reply {
                            if wanted(&reply) {
                                return Ok(reply);
                            }
                        }
                    }
                }
                Err(e) if e.kind() == RequestErrorKind::Transport => return Err(e),
                Err(_) => {}
            }
            if tokio::time::Instant::now() >= give_up {
                return Err(RequestError::timed_out(
                    &self.subject::<O>(subject),
                    timeout,
                ));
            }
            // Between rounds: nobody answered yet, or not the one wanted.
            tokio::time::sleep(Duration::from_millis(50).min(left)).await;
        }
    }

    /// Publishes without waiting for anything (fire-and-forget commands, events).
    pub async fn publish<'a, O: Operation>(
        &self,
        subject: &O::Subject<'a>,
        payload: &O::Request,
    ) -> Result<(), RequestError> {
        let rendered = self.subject::<O>(subject);
        let body = self.body::<O>(subject, &rendered, payload)?;
        let subject = rendered;
        self.nats
            .publish(subject.clone(), body)
            .await
            .map_err(|e| RequestError::transport(&subject, e))?;
        self.nats
            .flush()
            .await
            .map_err(|e| RequestError::transport(&subject, e))
    }

    /// Subscribes to subscription subjects (filters), decoding what arrives as operation `O`'s
    /// messages.
    pub async fn subscribe<O: Operation>(
        &self,
        filters: &[String],
    ) -> Result<Subscription<O>, RequestError> {
        let mut all = Vec::with_capacity(filters.len());
        for filter in filters {
            let sub = self
                .nats
                .subscribe(filter.clone())
                .await
                .map_err(|e| RequestError::transport(filter, e))?;
            all.push(sub);
        }
        round_trip(&self.nats)
            .await
            .map_err(|e| RequestError::transport(&filters.join(" "), Unconfirmed(e)))?;
        Ok(Subscription {
            inner: Subscribers::of(all),
            validate: self.options.validate_messages,
            _op: std::marker::PhantomData,
        })
    }
}

/// Subscription subjects for the given messages, each on the channel dedicated to it (the one
/// channel whose operation carries that message alone), with `values` fixed and other parameters
/// open.
#[doc(hidden)]
pub fn dedicated_filters(
    spec: &super::SpecInfo,
    messages: &[super::MessageInfo],
    values: &[(&str, &str)],
    prefix: &SubjectPrefix,
) -> Result<Vec<String>, RequestError> {
    let mut out = Vec::with_capacity(messages.len());
    for message in messages {
        let channel = spec
            .operations
            .iter()
            .find(|o| o.messages.len() == 1 && o.messages[0] == *message)
            .map(|o| o.channel)
            .ok_or_else(|| {
                no_channel_of_its_own(spec, Some(&format!("{}/{}", message.spec, message.name)))
            })?;
        out.push(channel.filter(values, prefix)?);
    }
    Ok(out)
}

/// The error for a message that has no channel of its own (a value of a kind the spec does not
/// know, named by `what`): of kind [`RequestErrorKind::Subject`], as nothing can be sent.
#[doc(hidden)]
pub fn no_channel_of_its_own(spec: &super::SpecInfo, what: Option<&str>) -> RequestError {
    RequestError::from(SubjectError::NoMatch {
        subject: what.unwrap_or("a message without its tag").to_owned(),
        expected: format!("a message of {} with a channel of its own", spec.id),
    })
}

/// A message received on a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<T> {
    /// The subject it came on.
    pub subject: String,
    /// The decoded message.
    pub message: T,
}

/// A message that arrived on a subscription but could not be decoded: reported, and the
/// subscription goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The subject it came on.
    pub subject: String,
    /// The payload as received.
    pub payload: Bytes,
    /// Why it could not be decoded.
    pub error: String,
    /// Every way the payload breaks its message's schema, with its JSON pointer, when the
    /// subscription validates and that is why it was refused (empty otherwise: not JSON, no
    /// message its tag names, a payload type narrower than the schema).
    #[cfg(feature = "validate")]
    pub violations: Vec<crate::validate::Violation>,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: malformed message: {}", self.subject, self.error)
    }
}

impl std::error::Error for Malformed {}

/// The NATS subscriptions a stream reads: one read directly (a subscription to one filter, the
/// usual case), or any other number merged, which costs each message a turn through
/// `SelectAll` (none: the stream ends at once).
enum Subscribers {
    One(async_nats::Subscriber),
    Many(SelectAll<async_nats::Subscriber>),
}

impl Subscribers {
    fn of(all: Vec<async_nats::Subscriber>) -> Self {
        match <[_; 1]>::try_from(all) {
            Ok([one]) => Self::One(one),
            Err(all) => Self::Many(all.into_iter().collect()),
        }
    }
}

impl Stream for Subscribers {
    type Item = async_nats::Message;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.get_mut() {
            Self::One(one) => Pin::new(one).poll_next(cx),
            Self::Many(all) => Pin::new(all).poll_next(cx),
        }
    }
}

/// A stream of the messages of an operation, decoded; see [`Requester::subscribe`].
pub struct Subscription<O: Operation> {
    inner: Subscribers,
    /// Whether messages are validated as they are decoded.
    validate: bool,
    _op: std::marker::PhantomData<fn() -> O>,
}

impl<O: Operation> fmt::Debug for Subscription<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("operation", &O::INFO.id)
            .finish()
    }
}

impl<O: Operation> Stream for Subscription<O> {
    type Item = Result<Received<O::Request>, Malformed>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let validate = self.validate;
        Pin::new(&mut self.inner).poll_next(cx).map(|msg| {
            msg.map(|msg| {
                let subject = msg.subject.to_string();
                let decoded = match validate {
                    true => decode_validated::<O>(&msg.payload),
                    false => decode::<O>(&msg.payload).map_err(Refusal::from),
                };
                match decoded {
                    Ok(message) => Ok(Received { subject, message }),
                    Err(refusal) => Err(Malformed {
                        subject,
                        payload: msg.payload,
                        error: refusal.error,
                        #[cfg(feature = "validate")]
                        violations: refusal.violations,
                    }),
                }
            })
        })
    }
}

impl<O: Operation> Subscription<O> {
    /// The same messages, each read in place when asked ([`Arrived::view`]): checked against
    /// its schema in the pass that reads it, its strings borrowed from the message.
    #[cfg(feature = "validate")]
    pub fn views(self) -> Views<O>
    where
        O: crate::view::OperationView,
    {
        Views {
            inner: self.inner,
            _op: std::marker::PhantomData,
        }
    }
}

/// A stream of an operation's messages as they arrived, to be read in place: see
/// [`Subscription::views`].
#[cfg(feature = "validate")]
pub struct Views<O> {
    inner: Subscribers,
    _op: std::marker::PhantomData<fn() -> O>,
}

#[cfg(feature = "validate")]
impl<O: crate::view::OperationView> fmt::Debug for Views<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Views")
            .field("operation", &O::INFO.id)
            .finish()
    }
}

#[cfg(feature = "validate")]
impl<O: crate::view::OperationView> Stream for Views<O> {
    type Item = Arrived<O>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner).poll_next(cx).map(|msg| {
            msg.map(|msg| Arrived {
                subject: msg.subject,
                payload: msg.payload,
                _op: std::marker::PhantomData,
            })
        })
    }
}

/// A message of operation `O` as it arrived.
#[cfg(feature = "validate")]
pub struct Arrived<O> {
    subject: async_nats::Subject,
    payload: Bytes,
    _op: std::marker::PhantomData<fn() -> O>,
}

#[cfg(feature = "validate")]
impl<O: crate::view::OperationView> Arrived<O> {
    /// The message read in place and checked against its schema in the same pass: its view,
    /// borrowing from the message, or every violation with its JSON pointer.
    pub fn view(&self) -> Result<O::View<'_>, crate::validate::ValidationError> {
        O::read_view(&self.payload)
    }

    /// The subject it came on.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The payload as it came.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }
}

#[cfg(feature = "validate")]
impl<O: crate::view::OperationView> fmt::Debug for Arrived<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arrived")
            .field("operation", &O::INFO.id)
            .field("subject", &self.subject())
            .field("payload", &String::from_utf8_lossy(&self.payload))
            .finish()
    }
}

/// A reply as it arrived, its status checked (a refusal is an error of the request), to be read
/// in place: what a generated client's `…_in_place` methods return, for an operation whose reply
/// has a view ([`crate::view::ReplyView`]).
#[cfg(feature = "validate")]
pub struct ReplyInPlace<O> {
    subject: String,
    payload: Bytes,
    headers: Option<async_nats::HeaderMap>,
    _op: std::marker::PhantomData<fn() -> O>,
}

#[cfg(feature = "validate")]
impl<O: crate::view::ReplyView> ReplyInPlace<O> {
    /// The reply read in place and checked against its schema in the same pass: its view,
    /// borrowing from the reply. A reply that breaks its schema is an error of kind
    /// [`RequestErrorKind::InvalidReply`] with every violation and its JSON pointer; one that is
    /// no reply message at all, of kind [`RequestErrorKind::Undecodable`]. Each call reads the
    /// reply again.
    pub fn view(
        &self,
    ) -> Result<<O::ReplyMessage as crate::view::MessageView>::View<'_>, RequestError> {
        crate::validate::view::<O::ReplyMessage>(&self.payload)
            .map_err(|e| RequestError::of_reply(&self.subject, self.payload.clone(), e))
    }

    /// The subject the request went to.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The reply's bytes, as received.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The reply's NATS headers, if it had any.
    pub fn headers(&self) -> Option<&async_nats::HeaderMap> {
        self.headers.as_ref()
    }
}

#[cfg(feature = "validate")]
impl<O: crate::view::ReplyView> fmt::Debug for ReplyInPlace<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyInPlace")
            .field("operation", &O::INFO.id)
            .field("subject", &self.subject)
            .field("payload", &String::from_utf8_lossy(&self.payload))
            .finish()
    }
}

/// Why a subscription refused a message: the words of [`Malformed::error`], and its violations.
struct Refusal {
    error: String,
    #[cfg(feature = "validate")]
    violations: Vec<crate::validate::Violation>,
}

impl From<serde_json::Error> for Refusal {
    fn from(error: serde_json::Error) -> Self {
        Self {
            error: error.to_string(),
            #[cfg(feature = "validate")]
            violations: Vec::new(),
        }
    }
}

#[cfg(feature = "validate")]
impl From<crate::validate::ValidationError> for Refusal {
    fn from(error: crate::validate::ValidationError) -> Self {
        let words = error.to_string();
        let violations = match error {
            crate::validate::ValidationError::Invalid { violations, .. } => violations,
            _ => Vec::new(),
        };
        Self {
            error: words,
            violations,
        }
    }
}

/// Decodes what arrives on operation `O`'s channel, validating it against its message's schema
/// (found by its tag when the operation has several). A message of none of them has no schema to
/// check: the generated enum's validated decode reads it strictly, as the view stream does, and
/// without one it is decoded unchecked, as an enum over messages keeps unknown ones.
#[cfg(feature = "validate")]
fn decode_validated<O: Operation>(payload: &[u8]) -> Result<O::Request, Refusal> {
    // The generated decode of an enum over messages, where there is one: the tag found in place,
    // the message it names decoded straight from the text.
    if let Some(decoded) = O::decode_request_validated(payload) {
        return Ok(decoded?);
    }
    let info = match (&O::INFO.dispatch, O::INFO.messages) {
        (Some(dispatch), _) => super::tag_of(payload, dispatch.tag)
            .ok()
            .flatten()
            .and_then(|tag| {
                dispatch
                    .variants
                    .iter()
                    .find(|(t, _)| *t == tag)
                    .map(|(_, info)| *info)
            }),
        (None, [info]) => Some(*info),
        (None, _) => None,
    };
    match info {
        // The enum decodes by its tag in one pass, checked against the schema of the message
        // the tag names as it goes.
        Some(info) if info.has_payload => {
            Ok(super::validate::decode_as::<O::Request>(&info, payload)?)
        }
        _ => Ok(decode::<O>(payload)?),
    }
}

#[cfg(not(feature = "validate"))]
fn decode_validated<O: Operation>(payload: &[u8]) -> Result<O::Request, Refusal> {
    Ok(decode::<O>(payload)?)
}

/// What a responder answers when it does not reply with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    reason: Option<String>,
}

impl Reject {
    /// Refuse the request, saying why (`success: false` in specs with a reply status).
    pub fn refuse(reason: impl Into<String>) -> Self {
        Self {
            reason: Some(reason.into()),
        }
    }

    /// Do not reply at all (a host that cannot serve an auction stays silent).
    pub fn silently() -> Self {
        Self { reason: None }
    }

    /// The reason, unless the rejection is silent.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
}

/// Where a responder listens: the subject prefix, and parameter values it fixes (its lattice, its
/// host id); every other parameter is left open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServeOptions {
    prefix: SubjectPrefix,
    fixed: Vec<(String, String)>,
}

impl ServeOptions {
    /// Every parameter open, no prefix.
    pub fn new() -> Self {
        Self::default()
    }

    /// Account token and root replacement for every subject.
    pub fn prefix(mut self, prefix: SubjectPrefix) -> Self {
        self.prefix = prefix;
        self
    }

    /// Listens only on subjects where parameter `name` is `value` (on the channels that have it).
    pub fn fix(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fixed.push((name.into(), value.into()));
        self
    }

    /// The subject prefix.
    pub fn subject_prefix(&self) -> &SubjectPrefix {
        &self.prefix
    }

    fn values(&self) -> Vec<(&str, &str)> {
        self.fixed
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

/// What kind of failure a [`ServeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServeErrorKind {
    /// A fixed value is not allowed in a subject.
    Subject,
    /// Subscribing failed.
    Subscribe,
    /// The server did not confirm the subscriptions.
    Unconfirmed,
}

/// Why a responder could not start: its [`kind`](Self::kind), the subject where there is one,
/// and the underlying error as [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct ServeError {
    kind: ServeErrorKind,
    subject: Option<String>,
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl ServeError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ServeErrorKind {
        self.kind
    }

    /// The subject it was subscribing to, for a failed subscription.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.subject) {
            (ServeErrorKind::Subscribe, Some(subject)) => {
                write!(f, "cannot subscribe to {subject}: {}", self.source)
            }
            (ServeErrorKind::Unconfirmed, _) => {
                write!(f, "subscriptions not confirmed: {}", self.source)
            }
            _ => self.source.fmt(f),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl From<SubjectError> for ServeError {
    fn from(e: SubjectError) -> Self {
        Self {
            kind: ServeErrorKind::Subject,
            subject: None,
            source: Box::new(e),
        }
    }
}

/// The server did not answer a round trip, and why.
#[derive(Debug)]
struct Unconfirmed(String);

impl fmt::Display for Unconfirmed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unconfirmed {}

/// How a responder answers one operation: a call of the method of the spec's responder trait, as
/// generated `serve` functions write it: `|r, subject, request| Box::pin(r.scale(subject,
/// request))`.
pub type Handler<R, O> = for<'a> fn(
    &'a R,
    <O as Operation>::Subject<'a>,
    <O as Operation>::Request,
) -> Pin<
    Box<dyn Future<Output = Result<<O as Operation>::Reply, Reject>> + Send + 'a>,
>;

/// Starts a responder: one loop per operation, each subscribed to the operation's subjects (fixed
/// values and queue group from the [`ServeOptions`]). Generated `serve` functions
/// [`handle`](Self::handle) each operation with its [`Handler`], then [`start`](Self::start).
pub struct ServerBuilder<R> {
    nats: async_nats::Client,
    responder: Arc<R>,
    options: ServeOptions,
    loops: Vec<Loop<R>>,
}

type Loop<R> = Box<
    dyn FnOnce(
            async_nats::Client,
            ServeOptions,
            Arc<R>,
        ) -> Pin<Box<dyn Future<Output = Result<Running, ServeError>> + Send>>
        + Send,
>;

/// One operation's loop, and how many requests it has received.
struct Running {
    task: tokio::task::JoinHandle<()>,
    operation: &'static str,
    received: Arc<AtomicU64>,
}

impl<R: Send + Sync + 'static> ServerBuilder<R> {
    /// No operations yet.
    pub fn new(nats: async_nats::Client, responder: R, options: ServeOptions) -> Self {
        Self {
            nats,
            responder: Arc::new(responder),
            options,
            loops: Vec::new(),
        }
    }

    /// Answers the operation's requests with `handler`: a request whose subject or body cannot
    /// be read, or whose body disagrees with its subject (see [`Operation::bind`]), is refused
    /// with the reason (in specs with a reply status) without calling it.
    pub fn handle<O: Operation + 'static>(mut self, handler: Handler<R, O>) -> Self {
        self.loops.push(Box::new(move |nats, options, responder| {
            Box::pin(serve_loop::<O, R>(nats, options, responder, handler))
        }));
        self
    }

    /// Subscribes every operation, starts its loop, and returns once the server has every
    /// subscription, so requests sent after this returns find the responder.
    pub async fn start(self) -> Result<Server, ServeError> {
        let mut server = Server::default();
        for start in self.loops {
            let running = start(
                self.nats.clone(),
                self.options.clone(),
                self.responder.clone(),
            )
            .await?;
            server.tasks.push(running.task);
            server.received.push((running.operation, running.received));
        }
        round_trip(&self.nats).await.map_err(|e| ServeError {
            kind: ServeErrorKind::Unconfirmed,
            subject: None,
            source: Box::new(Unconfirmed(e)),
        })?;
        Ok(server)
    }
}

/// Subscribes to one operation's subjects and spawns the loop that answers them.
async fn serve_loop<O: Operation + 'static, R: Send + Sync + 'static>(
    nats: async_nats::Client,
    options: ServeOptions,
    responder: Arc<R>,
    handler: Handler<R, O>,
) -> Result<Running, ServeError> {
    let values = options.values();
    let filter = O::INFO.channel.filter(&values, &options.prefix)?;
    let queue = O::INFO.queue_group(&values, &options.prefix)?;
    let subscribed = match queue {
        Some(queue) => nats.queue_subscribe(filter.clone(), queue).await,
        None => nats.subscribe(filter.clone()).await,
    };
    let mut subscription = subscribed.map_err(|e| ServeError {
        kind: ServeErrorKind::Subscribe,
        subject: Some(filter),
        source: Box::new(e),
    })?;
    let received = Arc::new(AtomicU64::new(0));
    let count = received.clone();
    let task = tokio::spawn(async move {
        while let Some(msg) = subscription.next().await {
            count.fetch_add(1, Ordering::Relaxed);
            let subject = <O::Subject<'_> as ChannelSubject<'_>>::parse_with(
                msg.subject.as_str(),
                &options.prefix,
            );
            let undecodable = |e: &dyn fmt::Display| format!("cannot decode the request: {e}");
            let request = subject.map_err(|e| undecodable(&e)).and_then(|subject| {
                let request = decode::<O>(&msg.payload).map_err(|e| undecodable(&e))?;
                match O::bind(&subject, &request) {
                    Ok(bound) => Ok((subject, bound.unwrap_or(request))),
                    Err(mismatch) => Err(mismatch.to_string()),
                }
            });
            let result = match request {
                Ok((subject, request)) => handler(&responder, subject, request).await,
                Err(reason) => Err(Reject::refuse(reason)),
            };
            if O::INFO.pattern != ReplyPattern::None {
                reply::<O>(&nats, &msg, result).await;
            }
        }
    });
    Ok(Running {
        task,
        operation: O::INFO.id,
        received,
    })
}

/// What a responder's method answers by default: a refusal naming the operation.
#[doc(hidden)]
pub fn unsupported<T>(operation: &str) -> std::future::Ready<Result<T, Reject>> {
    std::future::ready(Err(Reject::refuse(format!("{operation} is not supported"))))
}

/// Answers a request with a handler's result: the encoded reply, a refusal in the spec's status
/// fields, or nothing.
async fn reply<O: Operation>(
    nats: &async_nats::Client,
    msg: &async_nats::Message,
    result: Result<O::Reply, Reject>,
) {
    let Some(reply_to) = msg.reply.clone() else {
        return;
    };
    let body = match result {
        Ok(reply) => match encode_as(O::INFO.reply.first().is_none_or(|m| m.has_payload), &reply) {
            Ok(body) => body,
            Err(e) => match &O::INFO.reply_status {
                Some(status) => refusal_reply(status, &format!("cannot encode the reply: {e}")),
                None => return,
            },
        },
        Err(reject) => match (reject.reason(), &O::INFO.reply_status) {
            (Some(reason), Some(status)) => refusal_reply(status, reason),
            _ => return,
        },
    };
    // The requester may be gone; nothing more can be done about a failed reply.
    let _ = nats.publish(reply_to, body).await;
}

/// The tasks of a running responder; dropping it stops them.
#[derive(Debug, Default)]
pub struct Server {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    received: Vec<(&'static str, Arc<AtomicU64>)>,
}

impl Server {
    /// How many requests of the operation (by operationId) this server has received so far,
    /// refused ones included; 0 for an operation it does not serve.
    pub fn received(&self, operation: &str) -> u64 {
        self.received
            .iter()
            .filter(|(id, _)| *id == operation)
            .map(|(_, n)| n.load(Ordering::Relaxed))
            .sum()
    }

    /// Stops every loop.
    pub fn shutdown(self) {
        drop(self);
    }

    /// Waits until every loop ends (when the connection closes).
    pub async fn wait(mut self) {
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The scan that settles a successful reply never gives another verdict than the full
        /// read: on replies made of status fields, repeated keys, keys with escapes, nested
        /// values holding the same names, whitespace, and cut or trailed texts.
        #[test]
        fn the_quick_verdict_on_a_reply_is_the_full_reads(
            fields in prop::collection::vec((0..9usize, 0..17usize, 0..3usize), 0..6),
            cut in prop::option::of(0..200usize),
            trail in 0..4usize,
        ) {
            // The flag's name and its booleans more often than the rest.
            const KEYS: [&str; 9] = [
                r#""success""#, r#""success""#, r#""success""#, r#""message""#, r#""error""#,
                r#""response""#, r#""succ\u0065ss""#, r#""x\"y""#, r#""""#,
            ];
            // The last, a value of blocks: strings across them, brackets and an escaped quote in
            // strings, the flag's name nested.
            const VALUES: [&str; 17] = [
                "true", "false", "true", "false", "true", "false", r#""true""#, "5", "null",
                r#""no such host""#, r#""a\"b""#, r#"{"success":false,"a":[1,"]"]}"#, "[true]",
                r#""}""#, "trueish", "",
                r#"{"components":[{"annotations":{"wasmcloud.dev/appspec":"hello-world ]}] with a very long text that goes on","x":"a\"}{b"},"success":true},[[],{}],"success"],"success":false}"#,
            ];
            const SPACE: [&str; 3] = ["", " ", "\n  "];
            let body: Vec<String> = fields
                .iter()
                .map(|&(k, v, w)| {
                    let space = SPACE[w];
                    format!("{space}{}{space}:{space}{}", KEYS[k], VALUES[v])
                })
                .collect();
            let mut body = format!("{{{}}}", body.join(",")).into_bytes();
            if let Some(cut) = cut {
                body.truncate(cut);
            }
            body.extend_from_slice([&b""[..], b" ", b"x", b"}"][trail]);
            let status = ReplyStatusInfo { success: "success", message: &["message", "error"] };
            prop_assert_eq!(refusal(&status, &body), refusal_in_full(&status, &body));
        }
    }

    #[test]
    fn a_refusal_is_read_from_the_status_fields_alone() {
        let status = ReplyStatusInfo {
            success: "success",
            message: &["message", "error"],
        };
        let cases: [(&[u8], Option<&str>); 9] = [
            (
                br#"{"success": true, "message": "ok", "response": {"a": [1]}}"#,
                None,
            ),
            (
                br#"{"response": {}, "success": false, "message": "no such host"}"#,
                Some("no such host"),
            ),
            (
                br#"{"success": false, "message": "", "error": "gone"}"#,
                Some("gone"),
            ),
            (
                br#"{"success": false, "message": 5}"#,
                Some("no reason given"),
            ),
            (
                br#"{"success": false, "message": "a", "message": "b"}"#,
                Some("b"),
            ),
            (
                br#"{"success": true, "success": false}"#,
                Some("no reason given"),
            ),
            (br#"{"message": "no flag"}"#, None),
            (br#"{"success": "false"}"#, None),
            (b"{broken", None),
        ];
        for (reply, expected) in cases {
            assert_eq!(
                refusal(&status, reply).as_deref(),
                expected,
                "{}",
                String::from_utf8_lossy(reply)
            );
        }
    }
}
