//! Messages: payload types and metadata.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Metadata of one message of a spec.
#[derive(Debug, Clone, Copy)]
pub struct MessageInfo {
    /// Short name of the spec (`control-interface`).
    pub spec: &'static str,
    /// The message name in the spec.
    pub name: &'static str,
    /// The content type of the payload.
    pub content_type: &'static str,
    /// Whether the message has a payload; without one the body is empty.
    pub has_payload: bool,
    /// The message title, if the spec gives one.
    pub title: Option<&'static str>,
    /// The message summary, if the spec gives one.
    pub summary: Option<&'static str>,
    /// Decodes JSON into the message's payload type and encodes it again: the typed view of a
    /// payload, for tools that know the message only by name.
    pub normalize: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
}

/// A message is identified by its spec and name.
impl PartialEq for MessageInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.spec, self.name) == (other.spec, other.name)
    }
}

impl Eq for MessageInfo {}

impl std::hash::Hash for MessageInfo {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.spec, self.name).hash(state);
    }
}

/// [`MessageInfo::normalize`] for message `M`.
pub fn normalize<M: Message>(
    value: &serde_json::Value,
) -> Result<serde_json::Value, serde_json::Error> {
    let typed: M::Payload = M::Payload::deserialize(value)?;
    serde_json::to_value(typed)
}

/// A message of a spec: implemented by the marker types in each generated `messages` module.
pub trait Message {
    /// The Rust type of the payload.
    type Payload: Serialize + DeserializeOwned;
    /// Name, content type and spec of the message.
    const INFO: MessageInfo;
}
