//! Validation of payloads against the messages' JSON Schemas (the `validate` feature).
//!
//! Each message's standalone schema is compiled once, on first use, as JSON Schema 2020-12 with
//! formats asserted (`date-time`, `uuid`...). A failure lists every violation with the JSON
//! pointer of the offending value.
//!
//! Two paths give one verdict. The fast one checks the schema while decoding, in one pass over
//! the bytes (`fast`, over a compiled `program` of the schema); it can only say "valid". Anything
//! else, or any doubt, goes to the reference validator (the `jsonschema` crate), which finds every
//! violation. A valid payload costs about a typed decode; an invalid one, a failed fast pass and
//! the full report.

mod fast;
#[cfg(test)]
mod sound;

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{OnceLock, RwLock};

use asyncapi_schema::program;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::message::{Message, MessageInfo, MAX_PAYLOAD_BYTES};
use super::strict_json;
use super::subject::{SubjectError, SubjectPrefix};
use super::view::{read_strict_text, MessageView, Reader};
use super::SpecInfo;

/// One way a payload breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer of the offending value in the payload (`""` for the whole payload).
    pub instance: String,
    /// JSON pointer of the schema keyword that failed, in the message's standalone schema.
    pub schema: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance.is_empty() {
            "/"
        } else {
            &self.instance
        };
        write!(f, "{at}: {}", self.message)
    }
}

/// Why a payload was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum ValidationError {
    /// The body is not JSON.
    NotJson(serde_json::Error),
    /// The body is larger than [`MAX_PAYLOAD_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The payload breaks its message's schema; every violation is listed.
    Invalid {
        /// The spec of the message it was checked against.
        spec: &'static str,
        /// The message it was checked against.
        message: &'static str,
        /// Every violation, in the order the validator found them.
        violations: Vec<Violation>,
    },
    /// The payload satisfies the schema but not the Rust type (a gap between the two).
    Decode {
        /// The spec of the message.
        spec: &'static str,
        /// The message.
        message: &'static str,
        /// The decoder's error.
        error: serde_json::Error,
    },
    /// The subject belongs to no channel, or a value in it is not allowed.
    Subject(SubjectError),
    /// The subject's channel has no message of the kind asked for (a reply to a fire-and-forget
    /// command), or the payload does not say which of several messages it is: no string tag, or
    /// a body an enum over messages cannot read strictly as a JSON object (a key repeated, for
    /// one), where no message's schema can judge it.
    NoMessage {
        /// The subject (empty where the body was read without one).
        subject: String,
        /// Why no message applies.
        reason: String,
    },
    /// The message's schema does not compile (a generator bug, never the payload's fault).
    Schema {
        /// The spec of the message.
        spec: &'static str,
        /// The message.
        message: &'static str,
        /// The compiler's error.
        error: String,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson(e) => write!(f, "not JSON: {e}"),
            Self::TooLarge { size, limit } => write!(
                f,
                "a body of {size} bytes is larger than the {limit} bytes NATS carries by default"
            ),
            Self::Invalid {
                spec,
                message,
                violations,
            } => {
                write!(f, "{} violation(s) of {spec}/{message}", violations.len())?;
                for v in violations {
                    write!(f, "; {v}")?;
                }
                Ok(())
            }
            Self::Decode {
                spec,
                message,
                error,
            } => write!(f, "not a {spec}/{message}: {error}"),
            Self::Subject(e) => e.fmt(f),
            // A body read without its subject (an enum over messages decoding bytes) has none to
            // name.
            Self::NoMessage { subject, reason } if subject.is_empty() => f.write_str(reason),
            Self::NoMessage { subject, reason } => write!(f, "{subject}: {reason}"),
            Self::Schema {
                spec,
                message,
                error,
            } => write!(
                f,
                "the schema of {spec}/{message} does not compile: {error}"
            ),
        }
    }
}

impl std::error::Error for ValidationError {}

impl From<SubjectError> for ValidationError {
    fn from(e: SubjectError) -> Self {
        Self::Subject(e)
    }
}

thread_local! {
    /// A string's copy as a JSON value, for the reference validator to judge: kept to be
    /// written over, so checking a format allocates nothing.
    static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Calls `judge` with `s` as a JSON string value, made without allocating (but the first time on
/// a thread, or for a longer string than before): for the reference validator's `format` and
/// `pattern` checks on a string alone.
pub(crate) fn as_json_string<T>(s: &str, judge: impl FnOnce(&Value) -> T) -> T {
    // While the thread is being torn down its scratch is gone: a new string will do.
    let mut scratch = SCRATCH.try_with(std::cell::Cell::take).unwrap_or_default();
    scratch.clear();
    scratch.push_str(s);
    let value = Value::String(scratch);
    let verdict = judge(&value);
    if let Value::String(scratch) = value {
        let _ = SCRATCH.try_with(|cell| cell.set(scratch));
    }
    verdict
}

/// Compiles a schema as the reference validator judges: 2020-12, formats asserted. The fast path
/// judges `format` and `pattern` with it too (after a quick yes held to it,
/// `asyncapi_schema::quick`), so the two cannot differ there.
pub(crate) use asyncapi_schema::reference::validator as compile_reference;

/// Kept per message schema, found by the schema text's address: what is built depends on the
/// schema alone, and the lookup is on every decode's path.
type PerMessage<T> = RwLock<HashMap<(usize, usize), &'static T, BuildHasherDefault<AddressHasher>>>;

/// Hashes addresses and lengths with a multiply: they are never chosen by an adversary.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write_u64(b.into()));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What `make` builds of a message's schema, built on first use and kept for the process.
fn per_message<T, E>(
    cache: &'static OnceLock<PerMessage<T>>,
    info: &MessageInfo,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<&'static T, E> {
    let cache = cache.get_or_init(Default::default);
    let key = (info.schema.as_ptr() as usize, info.schema.len());
    if let Some(built) = cache.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(built);
    }
    let built = make()?;
    let mut map = cache.write().unwrap_or_else(|e| e.into_inner());
    // Another thread may have built it meanwhile; keep the first.
    Ok(*map.entry(key).or_insert_with(|| Box::leak(Box::new(built))))
}

/// The compiled validator of a message, compiled on first use and kept for the process.
pub fn validator(info: &MessageInfo) -> Result<&'static jsonschema::Validator, ValidationError> {
    static CACHE: OnceLock<PerMessage<jsonschema::Validator>> = OnceLock::new();
    per_message(&CACHE, info, || {
        serde_json::from_str(info.schema)
            .map_err(|e| e.to_string())
            .and_then(|schema: Value| compile_reference(&schema))
            .map_err(|error| ValidationError::Schema {
                spec: info.spec,
                message: info.name,
                error,
            })
    })
}

/// The fast path's program of a message, compiled on first use; `None` when its schema uses
/// what the fast path does not check.
fn program(info: &MessageInfo) -> Option<&'static program::Program> {
    static CACHE: OnceLock<PerMessage<Option<program::Program>>> = OnceLock::new();
    let compiled = per_message(&CACHE, info, || {
        let schema: Option<Value> = serde_json::from_str(info.schema).ok();
        Ok::<_, ()>(schema.and_then(|schema| program::compile(&schema).ok()))
    });
    compiled.ok().and_then(Option::as_ref)
}

/// Whether the fast path can check a message at all (see the module's documentation).
pub fn has_fast_path(info: &MessageInfo) -> bool {
    !info.has_payload || program(info).is_some()
}

/// The fast path on bytes: the decoded value when the payload is certainly valid.
fn fast_decode<T: DeserializeOwned>(info: &MessageInfo, body: &[u8]) -> Option<T> {
    let program = program(info)?;
    // The whole body's UTF-8 checked at once costs less than serde_json checking each string.
    fast::decode(program, crate::view::text_of(body)?)
}

/// [`MessageInfo::fast_decodes`] for message `M`.
#[doc(hidden)]
pub fn fast_decodes<M: Message>(info: &MessageInfo, body: &[u8]) -> bool {
    body.len() <= MAX_PAYLOAD_BYTES && fast_decode::<M::Payload>(info, body).is_some()
}

/// Whether the fast path alone vouches for a body as the message's payload (as JSON, not decoded
/// into a Rust type). [`validate_bytes`] takes this path first; for tests and benchmarks that hold
/// it against [`validate_bytes_reference`].
#[doc(hidden)]
pub fn fast_path_accepts(info: &MessageInfo, body: &[u8]) -> bool {
    !info.has_payload
        || (body.len() <= MAX_PAYLOAD_BYTES && fast_decode::<Value>(info, body).is_some())
}

/// [`validate_bytes`] by the reference validator alone, without the fast path: the verdict the
/// fast path must agree with.
pub fn validate_bytes_reference(info: &MessageInfo, body: &[u8]) -> Result<Value, ValidationError> {
    check_size(body)?;
    if !info.has_payload {
        return Ok(Value::Null);
    }
    let (value, repeated) = strict_json::parse(body).map_err(ValidationError::NotJson)?;
    validate_parsed(info, &value, repeated)?;
    Ok(value)
}

/// Checks a body against a message's schema without decoding it: the fast path on the bytes,
/// and the reference validator, with every violation, only when the fast path cannot vouch for
/// them. For a type that cannot be checked while it is decoded (an enum over messages that reads
/// its tag first): check with this, then decode.
pub fn check_bytes(info: &MessageInfo, body: &[u8]) -> Result<(), ValidationError> {
    check_size(body)?;
    if !info.has_payload || fast_check_bytes(info, body) {
        return Ok(());
    }
    validate_bytes_reference(info, body).map(drop)
}

/// The fast path on bytes, decoding nothing: whether they are certainly valid.
fn fast_check_bytes(info: &MessageInfo, body: &[u8]) -> bool {
    fast_decode::<serde::de::IgnoredAny>(info, body).is_some()
}

/// The fast path on a parsed value: whether it is certainly valid.
fn fast_check(info: &MessageInfo, value: &Value) -> bool {
    program(info).is_some_and(|program| fast::accepts(program, value))
}

/// Checks a JSON value against a message's schema.
pub fn validate_value(info: &MessageInfo, value: &Value) -> Result<(), ValidationError> {
    if !info.has_payload || fast_check(info, value) {
        return Ok(());
    }
    reference(info, value)
}

/// The reference validator's verdict, with every violation.
fn reference(info: &MessageInfo, value: &Value) -> Result<(), ValidationError> {
    if !info.has_payload {
        return Ok(());
    }
    let validator = validator(info)?;
    // Values that reach here from the fast path are those it doubted, mostly invalid ones: the
    // errors are looked for straight away, not after a yes-or-no pass that walks an invalid
    // value twice. A valid value costs a little more this way (a schema without a program, the
    // rare doubt about a valid one); the verdict is the same.
    let violations: Vec<Violation> = validator
        .iter_errors(value)
        .map(|e| Violation {
            instance: e.instance_path().as_str().to_owned(),
            schema: e.schema_path().as_str().to_owned(),
            message: e.to_string(),
        })
        .collect();
    if violations.is_empty() {
        return check_integers(info, value);
    }
    Err(ValidationError::Invalid {
        spec: info.spec,
        message: info.name,
        violations,
    })
}

/// [`validate_value`] on a parsed body, with each repeated key (see [`super::strict_json`]) a
/// violation too.
fn validate_parsed(
    info: &MessageInfo,
    value: &Value,
    repeated: Vec<String>,
) -> Result<(), ValidationError> {
    let mut violations: Vec<Violation> = repeated
        .into_iter()
        .map(|pointer| {
            let key = pointer.rsplit('/').next().unwrap_or_default();
            let key = key.replace("~1", "/").replace("~0", "~");
            Violation {
                message: format!(
                    "the key {key:?} appears more than once; receivers disagree on which value counts"
                ),
                instance: pointer,
                schema: String::new(),
            }
        })
        .collect();
    match reference(info, value) {
        Ok(()) if violations.is_empty() => Ok(()),
        Ok(()) => Err(ValidationError::Invalid {
            spec: info.spec,
            message: info.name,
            violations,
        }),
        Err(ValidationError::Invalid {
            violations: more, ..
        }) => {
            violations.extend(more);
            Err(ValidationError::Invalid {
                spec: info.spec,
                message: info.name,
                violations,
            })
        }
        Err(other) => Err(other),
    }
}

/// Parses and checks a body against a message's schema, returning the JSON (`null` for a message
/// without payload, whose body is ignored).
pub fn validate_bytes(info: &MessageInfo, body: &[u8]) -> Result<Value, ValidationError> {
    check_size(body)?;
    if !info.has_payload {
        return Ok(Value::Null);
    }
    if let Some(value) = fast_decode::<Value>(info, body) {
        return Ok(value);
    }
    validate_bytes_reference(info, body)
}

/// JSON Schema counts `1.0`, `-0.0` and `1e2` as integers, but typed receivers (serde's integer
/// types, the official client, hosts) refuse an integer written with a fraction or an exponent.
/// Where a body has such numbers and the message's type refuses it, each is a violation, so that
/// what validates also decodes.
fn check_integers(info: &MessageInfo, value: &Value) -> Result<(), ValidationError> {
    fn walk(value: &Value, at: &mut String, out: &mut Vec<String>) {
        match value {
            Value::Number(n) if n.is_f64() && n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                out.push(at.clone());
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    walk(item, at, out);
                    at.truncate(len);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&strict_json::escape(key));
                    walk(item, at, out);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut written_as_float = Vec::new();
    walk(value, &mut String::new(), &mut written_as_float);
    if written_as_float.is_empty() || (info.normalize)(value).is_ok() {
        return Ok(());
    }
    let violations = written_as_float
        .into_iter()
        .map(|instance| Violation {
            message: "an integer written with a fraction, an exponent or a minus on zero, which typed receivers refuse: write it plainly (1, not 1.0; 0, not -0)".to_owned(),
            instance,
            schema: String::new(),
        })
        .collect();
    Err(ValidationError::Invalid {
        spec: info.spec,
        message: info.name,
        violations,
    })
}

fn check_size(body: &[u8]) -> Result<(), ValidationError> {
    if body.len() > MAX_PAYLOAD_BYTES {
        Err(ValidationError::TooLarge {
            size: body.len(),
            limit: MAX_PAYLOAD_BYTES,
        })
    } else {
        Ok(())
    }
}

/// Parses, checks and decodes a body into message `M`'s payload type, in one call.
pub fn decode<M: Message>(body: &[u8]) -> Result<M::Payload, ValidationError> {
    if let Some(payload) = crate::view::text_of(body).and_then(M::decode_checked) {
        return Ok(payload);
    }
    decode_as(&M::INFO, body)
}

/// [`decode`] for code that knows the message by its [`MessageInfo`].
pub fn decode_as<T: DeserializeOwned>(
    info: &MessageInfo,
    body: &[u8],
) -> Result<T, ValidationError> {
    if info.has_payload && body.len() <= MAX_PAYLOAD_BYTES {
        if let Some(decoded) = fast_decode::<T>(info, body) {
            return Ok(decoded);
        }
    }
    decode_by_reference(info, body)
}

/// [`decode`] of a body whose UTF-8 was checked: what a generated enum over messages decodes a
/// body with once its tag names the message (its `from_slice_validated`).
#[doc(hidden)]
pub fn decode_text<M: Message>(text: &str) -> Result<M::Payload, ValidationError> {
    if let Some(payload) = M::decode_checked(text) {
        return Ok(payload);
    }
    let info = &M::INFO;
    if info.has_payload && text.len() <= MAX_PAYLOAD_BYTES {
        if let Some(decoded) = program(info).and_then(|program| fast::decode(program, text)) {
            return Ok(decoded);
        }
    }
    decode_by_reference(info, text.as_bytes())
}

/// Where the fast path had its chance: the reference validator, then the decode of what it
/// parsed.
fn decode_by_reference<T: DeserializeOwned>(
    info: &MessageInfo,
    body: &[u8],
) -> Result<T, ValidationError> {
    let value = validate_bytes_reference(info, body)?;
    T::deserialize(value).map_err(|error| ValidationError::Decode {
        spec: info.spec,
        message: info.name,
        error,
    })
}

/// Reads a body as message `M`'s view, checked against its schema (see [`crate::view`]): the
/// payload's fields borrowed from the body, for the price of one pass over it (after the
/// reference validator's, where the body holds a part of the schema the view does not check:
/// see [`MessageView::IN_ONE_PASS`]). An invalid body gets the same report as [`decode`]: every
/// violation with its JSON pointer.
pub fn view<M: MessageView>(body: &[u8]) -> Result<M::View<'_>, ValidationError> {
    match crate::view::text_of(body) {
        Some(text) => view_of_text::<M>(text),
        None => Err(validate_bytes_reference(&M::INFO, body)
            .err()
            .unwrap_or_else(|| doubted_view(&M::INFO))),
    }
}

/// [`view`] of a body whose UTF-8 was checked.
pub(crate) fn view_of_text<M: MessageView>(text: &str) -> Result<M::View<'_>, ValidationError> {
    let info = &M::INFO;
    if let Some(view) = read_strict_text::<M>(text) {
        return Ok(view);
    }
    let value = validate_bytes_reference(info, text.as_bytes())?;
    // Text a view keeps unchecked has no type of its own to refuse what the payload type does
    // not take (an integer past 64 bits, say): the payload type judges it.
    if !M::IN_ONE_PASS {
        <M::Payload as serde::Deserialize>::deserialize(&value).map_err(|error| {
            ValidationError::Decode {
                spec: info.spec,
                message: info.name,
                error,
            }
        })?;
    }
    // Valid, where the strict read doubted it (a bound at the edge of what it judges exactly,
    // say) or could not judge it (a part of the schema no view checks): read again checking
    // only what the view's types need.
    Reader::lenient(text)
        .read_all()
        .map_err(|_| doubted_view(info))
}

/// A body the schema allows whose values do not fit the view's types.
fn doubted_view(info: &MessageInfo) -> ValidationError {
    ValidationError::Decode {
        spec: info.spec,
        message: info.name,
        error: serde::de::Error::custom("a value the schema allows does not fit the view's type"),
    }
}

/// Which message of an operation a payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// What is published on the subject: a request, a command, or an event.
    Request,
    /// The reply to it.
    Reply,
}

/// The messages a payload on `subject` may be, across `specs`: the channel's requests (or events)
/// or replies. Errors when the subject has no channel, or the channel no such message.
pub fn messages_for_subject(
    specs: &'static [SpecInfo],
    subject: &str,
    prefix: &SubjectPrefix,
    side: Side,
) -> Result<Vec<MessageInfo>, ValidationError> {
    Ok(candidates(specs, subject, prefix, side)?.messages)
}

/// Where a subject routes, and the messages its channel carries on one side.
struct Candidates<'a> {
    spec: &'static SpecInfo,
    channel: &'static super::ChannelInfo,
    /// The subject's parameter values.
    params: Vec<(&'static str, &'a str)>,
    messages: Vec<MessageInfo>,
}

fn candidates<'a>(
    specs: &'static [SpecInfo],
    subject: &'a str,
    prefix: &SubjectPrefix,
    side: Side,
) -> Result<Candidates<'a>, ValidationError> {
    let (spec, (channel, params)) = specs
        .iter()
        .find_map(|s| s.route(subject, prefix).ok().map(|routed| (s, routed)))
        .ok_or_else(|| {
            // Report a bad value in a subject that has a channel's shape, else no match.
            let invalid = specs.iter().flat_map(|s| s.channels.iter()).find_map(|c| {
                match c.parse(subject, prefix) {
                    Err(e @ SubjectError::InvalidParameter { .. }) => Some(e),
                    _ => None,
                }
            });
            ValidationError::Subject(invalid.unwrap_or(SubjectError::NoMatch {
                subject: subject.to_owned(),
                expected: "a channel of any spec".into(),
            }))
        })?;
    let mut messages: Vec<MessageInfo> = Vec::new();
    for op in spec.operations.iter().filter(|o| o.channel == channel) {
        let side_messages = match side {
            Side::Request => op.messages,
            Side::Reply => op.reply,
        };
        for m in side_messages {
            if !messages.contains(m) {
                messages.push(*m);
            }
        }
    }
    if messages.is_empty() {
        return Err(ValidationError::NoMessage {
            subject: subject.to_owned(),
            reason: match side {
                Side::Reply => format!("the channel {} has no reply", channel.name),
                Side::Request => format!("the channel {} has no message", channel.name),
            },
        });
    }
    Ok(Candidates {
        spec,
        channel,
        params,
        messages,
    })
}

/// The message a payload on `subject` must be, across `specs`.
///
/// The subject is routed to its channel; the channel's operations give the request (or event)
/// and reply messages. When several messages are possible, the payload's tag (CloudEvents'
/// `type`) picks one, and a message that has a channel of its own must come on that channel.
pub fn message_for_subject(
    specs: &'static [SpecInfo],
    subject: &str,
    prefix: &SubjectPrefix,
    side: Side,
    payload: Option<&Value>,
) -> Result<MessageInfo, ValidationError> {
    pick(specs, subject, prefix, side, payload).map(|(message, _)| message)
}

/// [`message_for_subject`], with where the subject routed.
fn pick<'a>(
    specs: &'static [SpecInfo],
    subject: &'a str,
    prefix: &SubjectPrefix,
    side: Side,
    payload: Option<&Value>,
) -> Result<(MessageInfo, Candidates<'a>), ValidationError> {
    let routed = candidates(specs, subject, prefix, side)?;
    let (spec, channel, candidates) = (routed.spec, routed.channel, &routed.messages);
    let ops: Vec<_> = spec
        .operations
        .iter()
        .filter(|o| o.channel == channel)
        .collect();
    let no_message = |reason: String| ValidationError::NoMessage {
        subject: subject.to_owned(),
        reason,
    };
    let message = match candidates.as_slice() {
        [one] => *one,
        _ => {
            let dispatch = ops.iter().find_map(|o| o.dispatch).ok_or_else(|| {
                no_message(format!(
                    "the channel {} has {} messages and nothing tells them apart",
                    channel.name,
                    candidates.len()
                ))
            })?;
            let payload =
                payload.ok_or_else(|| no_message("the message depends on the payload".into()))?;
            let Some(message) = dispatch.message_for(payload) else {
                return Err(no_message(format!(
                    "`{}` is {}, which is none of the {} messages of {}",
                    dispatch.tag,
                    payload
                        .get(dispatch.tag)
                        .map_or("missing".to_owned(), |t| t.to_string()),
                    candidates.len(),
                    channel.name
                )));
            };
            message
        }
    };
    // A message with a channel of its own must come on it (a CloudEvent's type must match the
    // subject), not on a wildcard channel that merely covers it.
    if channel.tokens.iter().any(|t| {
        matches!(
            t,
            super::subject::Tok::Rest(_) | super::subject::Tok::Star(_)
        )
    }) {
        let own = spec
            .operations
            .iter()
            .filter(|o| o.channel != channel && o.messages.len() == 1 && o.messages[0] == message)
            .map(|o| o.channel.name)
            .next();
        if let Some(own) = own {
            return Err(no_message(format!(
                "{}/{} is published on {own}, and this subject is not one of those",
                message.spec, message.name
            )));
        }
    }
    Ok((message, routed))
}

/// Validates a body received on `subject`: routes the subject, picks the message (the request or
/// event by default, the reply with [`Side::Reply`]), and checks the body against it, and a
/// request's body against its subject where the spec says the two carry one value
/// ([`OperationInfo::shared`](crate::OperationInfo::shared)).
pub fn validate_subject(
    specs: &'static [SpecInfo],
    subject: &str,
    prefix: &SubjectPrefix,
    side: Side,
    body: &[u8],
) -> Result<(MessageInfo, Value), ValidationError> {
    check_size(body)?;
    // Which message may depend on the body, so a non-empty body is parsed first.
    let parsed: Option<(Value, Vec<String>)> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match strict_json::parse(body) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = message_for_subject(specs, subject, prefix, side, None).ok();
                return match message {
                    // A body that is ignored may be anything.
                    Some(m) if !m.has_payload => Ok((m, Value::Null)),
                    _ => Err(ValidationError::NotJson(e)),
                };
            }
        }
    };
    let (message, routed) = pick(specs, subject, prefix, side, parsed.as_ref().map(|p| &p.0))?;
    if !message.has_payload {
        return Ok((message, Value::Null));
    }
    let (value, repeated) = match parsed {
        Some(v) => v,
        None => {
            return Err(ValidationError::NotJson(
                serde_json::from_slice::<Value>(body).unwrap_err(),
            ))
        }
    };
    let mut violations = if repeated.is_empty() && fast_check(&message, &value) {
        Vec::new()
    } else {
        match validate_parsed(&message, &value, repeated) {
            Ok(()) => Vec::new(),
            Err(ValidationError::Invalid { violations, .. }) => violations,
            Err(other) => return Err(other),
        }
    };
    if side == Side::Request {
        violations.extend(disagreements(&routed, &message, &value));
    }
    if violations.is_empty() {
        Ok((message, value))
    } else {
        Err(ValidationError::Invalid {
            spec: message.spec,
            message: message.name,
            violations,
        })
    }
}

/// Where a request's payload disagrees with its subject on a value the spec says they share
/// (`x-payload-field`), as violations, though each alone may be valid: generated responders
/// refuse such a request (see [`Operation::bind`](crate::Operation::bind)). A payload that
/// leaves the value empty agrees: they fill it in from the subject.
fn disagreements(routed: &Candidates<'_>, message: &MessageInfo, value: &Value) -> Vec<Violation> {
    let mut violations: Vec<Violation> = Vec::new();
    let shared = routed
        .spec
        .operations
        .iter()
        .filter(|o| o.channel == routed.channel && o.messages.contains(message))
        .flat_map(|o| o.shared);
    for shared in shared {
        let subject_value = routed
            .params
            .iter()
            .find(|(name, _)| *name == shared.parameter);
        let payload_value = value.get(shared.field).and_then(Value::as_str);
        let (Some((_, subject_value)), Some(payload_value)) = (subject_value, payload_value) else {
            continue;
        };
        if let Err(mismatch) =
            crate::bind_field(shared.parameter, subject_value, shared.field, payload_value)
        {
            let violation = Violation {
                instance: format!("/{}", strict_json::escape(shared.field)),
                schema: String::new(),
                message: mismatch.to_string(),
            };
            if !violations.contains(&violation) {
                violations.push(violation);
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Order;

    impl Message for Order {
        type Payload = Value;
        const INFO: MessageInfo = MessageInfo {
            schema: r##"{
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": "#/$defs/Order",
                "$defs": {"Order": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "lines": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1}},
                        "note": {"type": ["string", "null"], "maxLength": 3}
                    },
                    "required": ["id", "lines"],
                    "additionalProperties": false
                }}
            }"##,
            ..MessageInfo::of::<Order>("shop", "Order")
        };
    }

    #[test]
    fn both_paths_give_one_verdict_on_bytes_and_on_values() {
        let id = "0f1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b";
        let cases = [
            (json!({"id": id, "lines": [1, 2]}), true),
            (json!({"id": id, "lines": [1], "note": null}), true),
            (json!({"id": id, "lines": [1], "note": "abc"}), true),
            (json!({"id": id, "lines": []}), false),
            (json!({"id": id, "lines": [0]}), false),
            (json!({"id": id, "lines": [1], "note": "abcd"}), false),
            (json!({"id": "nope", "lines": [1]}), false),
            (json!({"lines": [1]}), false),
            (json!({"id": id, "lines": [1], "extra": 1}), false),
            (json!([id]), false),
        ];
        let info = Order::INFO;
        for (value, valid) in cases {
            let bytes = serde_json::to_vec(&value).unwrap();
            assert_eq!(fast_check(&info, &value), valid, "value {value}");
            assert_eq!(fast_path_accepts(&info, &bytes), valid, "bytes {value}");
            assert_eq!(
                fast_check_bytes(&info, &bytes),
                valid,
                "checked bytes {value}"
            );
            assert_eq!(check_bytes(&info, &bytes).is_ok(), valid, "{value}");
            assert_eq!(validate_value(&info, &value).is_ok(), valid, "{value}");
            assert_eq!(
                validate_bytes_reference(&info, &bytes).is_ok(),
                valid,
                "{value}"
            );
            match decode::<Order>(&bytes) {
                Ok(decoded) => assert!(valid && decoded == value, "{value}"),
                Err(ValidationError::Invalid { violations, .. }) => {
                    assert!(!valid && !violations.is_empty(), "{value}")
                }
                Err(other) => panic!("{value}: {other}"),
            }
        }
        // A repeated key: the fast path doubts, the reference validator names it.
        let repeated = format!(r#"{{"id": "{id}", "lines": [1], "lines": [2]}}"#);
        assert!(!fast_path_accepts(&info, repeated.as_bytes()));
        assert!(!fast_check_bytes(&info, repeated.as_bytes()));
        assert!(check_bytes(&info, repeated.as_bytes()).is_err());
        let Err(ValidationError::Invalid { violations, .. }) = decode::<Order>(repeated.as_bytes())
        else {
            panic!("a repeated key is refused")
        };
        assert_eq!(violations[0].instance, "/lines");
    }

    /// The fast path's verdict on a value against any schema it compiles.
    fn fast_verdict(schema: &Value, instance: &Value) -> bool {
        let program = program::compile(schema).unwrap_or_else(|e| panic!("{schema}: {e}"));
        fast::accepts(&program, instance)
    }

    #[test]
    fn an_optional_value_is_its_schema_or_null() {
        let accepts = |schema: Value, value: Value| {
            let program = program::compile(&schema).unwrap_or_else(|e| panic!("{schema}: {e}"));
            fast::accepts(&program, &value)
        };
        let note = json!({"anyOf": [{"type": "string", "maxLength": 2}, {"type": "null"}], "default": null});
        assert!(accepts(note.clone(), json!(null)));
        assert!(accepts(note.clone(), json!("ab")));
        assert!(!accepts(note.clone(), json!("abc")));
        assert!(!accepts(note, json!(5)));
        let level = json!({"oneOf": [{"type": "null"}, {"enum": ["low", "high"]}]});
        assert!(accepts(level.clone(), json!(null)));
        assert!(accepts(level.clone(), json!("low")));
        assert!(!accepts(level, json!("mid")));
        // A `oneOf` whose branches both take `null` refuses it: no program.
        assert!(program::compile(
            &json!({"oneOf": [{"type": ["string", "null"]}, {"type": "null"}]})
        )
        .is_err());
        // Unions whose branches share a type, and the union beside other assertions, take the
        // reference validator.
        assert!(
            program::compile(&json!({"anyOf": [{"type": "number"}, {"type": "integer"}]})).is_err()
        );
        assert!(program::compile(
            &json!({"anyOf": [{"type": "string"}, {"type": "null"}], "maxLength": 1})
        )
        .is_err());
    }

    #[test]
    fn a_union_of_types_takes_what_one_of_its_branches_takes() {
        let reference =
            |schema: &Value, value: &Value| compile_reference(schema).unwrap().is_valid(value);
        // pydantic's `Union[int, str, None]`, and a union whose branches have rules of their own.
        let refund = json!({"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]});
        let ruled = json!({"oneOf": [
            {"type": "string", "maxLength": 2},
            {"type": "integer", "minimum": 0},
            {"type": "array", "items": {"type": "boolean"}},
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        ]});
        for (schema, value, valid) in [
            (&refund, json!(500), true),
            (&refund, json!("V-7"), true),
            (&refund, json!(null), true),
            (&refund, json!(2.5), false),
            (&refund, json!(true), false),
            (&refund, json!([1]), false),
            (&ruled, json!("ab"), true),
            (&ruled, json!("abc"), false),
            (&ruled, json!(0), true),
            (&ruled, json!(-1), false),
            (&ruled, json!(1.5), false),
            (&ruled, json!([true]), true),
            (&ruled, json!([1]), false),
            (&ruled, json!({"a": "x"}), true),
            (&ruled, json!({"a": 1}), false),
            (&ruled, json!({}), false),
            (&ruled, json!(null), false),
        ] {
            assert_eq!(reference(schema, &value), valid, "{schema} {value}");
            assert_eq!(fast_verdict(schema, &value), valid, "{schema} {value}");
            assert_eq!(
                fast_verdict_as::<Value>(schema, &value.to_string()),
                valid,
                "{schema} {value}"
            );
        }
    }

    #[test]
    fn schemas_merged_for_one_value_judge_as_the_reference_validator_does() {
        let cases = [
            // `additionalProperties: false` in one branch forbids what another names.
            (
                json!({"allOf": [
                    {"properties": {"a": {"type": "integer"}}, "additionalProperties": false},
                    {"properties": {"b": {"type": "string"}}}
                ]}),
                vec![
                    (json!({"a": 1}), true),
                    (json!({"a": 1, "b": "x"}), false),
                    (json!({"c": 1}), false),
                ],
            ),
            // String rules on allowed values are judged once, at compile time.
            (
                json!({"allOf": [{"enum": ["x", "y", "zz", 3]}, {"maxLength": 1, "pattern": "^[xz]"}]}),
                vec![
                    (json!("x"), true),
                    (json!("y"), false),
                    (json!("zz"), false),
                    (json!(3), true),
                ],
            ),
            // Two enums: a value both allow.
            (
                json!({"allOf": [{"enum": [1, 2, "a"]}, {"enum": [2, "a", "b"]}]}),
                vec![
                    (json!(2), true),
                    (json!("a"), true),
                    (json!(1), false),
                    (json!("b"), false),
                ],
            ),
            (
                json!({"allOf": [{"items": {"type": "integer"}}, {"items": {"minimum": 3}}, {"maxItems": 2}]}),
                vec![
                    (json!([3, 4]), true),
                    (json!([2]), false),
                    (json!([3, 4, 5]), false),
                    (json!(["a"]), false),
                ],
            ),
            // Each branch's `additionalProperties` applies to the keys it does not name.
            (
                json!({"allOf": [
                    {"additionalProperties": {"type": "integer"}},
                    {"additionalProperties": {"minimum": 0}, "properties": {"n": {"type": "string"}}}
                ]}),
                vec![
                    (json!({"x": 1}), true),
                    (json!({"x": -1}), false),
                    (json!({"n": "s"}), false),
                    (json!({"n": 5}), false),
                ],
            ),
            (
                json!({"allOf": [
                    {"required": ["a"], "properties": {"a": {}}},
                    {"required": ["b"], "properties": {"b": {}}}
                ]}),
                vec![(json!({"a": 1}), false), (json!({"a": 1, "b": 2}), true)],
            ),
            // A recursive definition.
            (
                json!({"$ref": "#/$defs/t", "$defs": {"t": {
                    "type": "object",
                    "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/t"}}, "n": {"type": "integer"}},
                    "additionalProperties": false
                }}}),
                vec![
                    (json!({"kids": [{"n": 1, "kids": [{}]}]}), true),
                    (json!({"kids": [{"n": 1, "kids": [{"m": 1}]}]}), false),
                    (json!({"kids": [{"n": "1"}]}), false),
                ],
            ),
            // A `$ref` beside assertions of its own.
            (
                json!({"properties": {"x": {"$ref": "#/$defs/p", "maximum": 5}}, "$defs": {"p": {"type": "integer", "minimum": 1}}}),
                vec![
                    (json!({"x": 3}), true),
                    (json!({"x": 0}), false),
                    (json!({"x": 6}), false),
                ],
            ),
        ];
        for (schema, instances) in cases {
            let reference = compile_reference(&schema).unwrap();
            for (instance, valid) in instances {
                assert_eq!(reference.is_valid(&instance), valid, "{schema} {instance}");
                assert_eq!(
                    fast_verdict(&schema, &instance),
                    valid,
                    "{schema} {instance}"
                );
            }
        }
    }

    /// The fast path's verdict on bytes decoded into `T`.
    fn fast_verdict_as<T: DeserializeOwned>(schema: &Value, body: &str) -> bool {
        let program = program::compile(schema).unwrap_or_else(|e| panic!("{schema}: {e}"));
        fast::decode::<T>(&program, body).is_some()
    }

    #[test]
    fn what_a_review_found_the_fast_path_vouching_for_it_no_longer_does() {
        // An enum of scalars allows no array or object.
        for (schema, instance) in [
            (json!({"enum": [1, 2]}), json!({})),
            (json!({"enum": [1, 2]}), json!([])),
            (json!({"const": "a"}), json!({"x": 1})),
            (json!({"enum": []}), json!({})),
            // `const` and `enum` side by side: both hold.
            (json!({"const": "a", "enum": [2]}), json!(2)),
            (json!({"const": "a", "enum": [2]}), json!("a")),
        ] {
            assert!(!compile_reference(&schema).unwrap().is_valid(&instance));
            assert!(!fast_verdict(&schema, &instance), "{schema} {instance}");
        }
        // A visitor of fixed length never asks for the array's end, where counts were checked.
        let at_most_one = json!({"type": "array", "maxItems": 1});
        assert!(!fast_verdict_as::<(u32, u32)>(&at_most_one, "[1, 2]"));
        assert!(!fast_verdict_as::<[u32; 2]>(&at_most_one, "[1, 2]"));
        let at_least_three = json!({"type": "array", "minItems": 3});
        assert!(!fast_verdict_as::<(u32, u32)>(&at_least_three, "[1, 2]"));
        assert!(fast_verdict_as::<(u32, u32, u32)>(
            &at_least_three,
            "[1, 2, 3]"
        ));
        // What the reference validator reads otherwise, or refuses to compile, gets no program.
        for schema in [
            json!({"$ref": "#/$defs/a%62", "$defs": {"a%62": {}, "ab": false}}),
            json!({"title": 5}),
            json!({"$defs": {"x": {"type": 5}}}),
            json!({"required": ["a", "a"], "properties": {"a": {}}}),
        ] {
            assert!(program::compile(&schema).is_err(), "{schema}");
        }
        // Short keys that are no property are told apart exactly, not by a hash that some
        // neighbours share.
        let map = json!({"additionalProperties": {"type": "integer"}});
        for body in [r#"{"abbbc": 1, "abbbbe": 2}"#, r#"{"aaaa": 1, "aaaac": 2}"#] {
            assert!(fast_verdict_as::<Value>(&map, body), "{body}");
        }
        assert!(!fast_verdict_as::<Value>(
            &map,
            r#"{"abbbc": 1, "abbbc": 2}"#
        ));
        // Past the few held inline, keys go to a hash set: a repeat among many is still seen.
        let many: Vec<String> = (0..300).map(|i| format!(r#""key-{i}": {i}"#)).collect();
        let body = format!("{{{}}}", many.join(", "));
        assert!(fast_verdict_as::<Value>(&map, &body));
        let repeated = format!(r#"{{{}, "key-250": 1}}"#, many.join(", "));
        assert!(!fast_verdict_as::<Value>(&map, &repeated));
    }
}
