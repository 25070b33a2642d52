//! What operations are called, and what the methods of each side of an operation are called.
//!
//! An operation's name is its id (a 2.x `operationId`, a 3.x operation's key) made readable: a
//! framework's machine-made id (FastStream's `orders.place:PlaceOrderSubscribe`) becomes what it
//! is about (`place_order`). A name that starts with a verb of messaging (`receiveEvents`,
//! `sendCommand`) says it from one side of the wire; the methods of each side say their own verb
//! instead:
//!
//! | side | what it does | method |
//! |---|---|---|
//! | starts, with a reply | asks | `request_<object>`, or the name when it has no messaging verb (`get_hosts`) |
//! | starts, no reply, the application's peer | publishes a command | `publish_<object>`, or the name (`change_mode`) |
//! | starts, no reply, the application | publishes what it sends | `publish_<object>`, or `publish_<name>` |
//! | ends, by subscribing | receives | `subscribe_<object>`, or `subscribe_<name>` |
//! | ends, by answering | handles | `handle_<object>`, or the name (`scale_component`) |
//!
//! where `<object>` is the name without its messaging verb (`events` for `receiveEvents`).

use super::{pascal, snake};
use crate::model::{Operation, Spec};

/// Verbs that say which side of the wire a name is written from.
const MESSAGING_VERBS: &[&str] = &[
    "send",
    "receive",
    "publish",
    "subscribe",
    "on",
    "handle",
    "consume",
    "emit",
];

/// What FastStream appends to a handler's name in an operation id (`PlaceOrderSubscribe`).
const FRAMEWORK_SUFFIXES: &[&str] = &["Subscribe", "Subscriber", "Publisher", "Publish"];

/// Segments of a machine-made name that name nothing (`…:SubscribeMessage`, `…:Publisher`).
const GENERIC_SEGMENTS: &[&str] = &[
    "SubscribeMessage",
    "Message",
    "Payload",
    "Subscribe",
    "Subscriber",
    "Publisher",
    "Publish",
];

/// A spec name made readable. A name of `:`-separated segments that starts with an address is
/// machine-made (FastStream writes `orders.place:PlaceOrderSubscribe`,
/// `orders.place:PlaceOrder:SubscribeMessage`, `orders.cancelled:Publisher`): it becomes its last
/// segment that names something, without the framework's suffix (`PlaceOrder`), or the address
/// when none does (`orders.cancelled`). Other names stay as they are.
pub(crate) fn readable(name: &str) -> &str {
    let mut segments = name.split(':');
    let Some(first) = segments.next() else {
        return name;
    };
    let rest: Vec<&str> = segments.collect();
    if rest.is_empty() {
        return name;
    }
    rest.iter()
        .rev()
        .filter(|s| !GENERIC_SEGMENTS.contains(s) && !s.is_empty())
        .map(|s| {
            FRAMEWORK_SUFFIXES
                .iter()
                .find_map(|suffix| s.strip_suffix(suffix).filter(|r| !r.is_empty()))
                .unwrap_or(s)
        })
        .next()
        .unwrap_or(first)
}

/// An operation's name, read for its methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OperationName {
    /// The whole name in snake_case (`get_hosts`, `place_order`, `receive_events`).
    pub name: String,
    /// The name without its messaging verb, when it starts with one (`events`).
    pub object: Option<String>,
}

impl OperationName {
    /// The name of the operation with this id.
    pub fn of(id: &str) -> Self {
        let name = snake(readable(id));
        let object = name.split_once('_').and_then(|(verb, rest)| {
            MESSAGING_VERBS
                .contains(&verb)
                .then(|| rest.to_owned())
                .filter(|r| !r.is_empty())
        });
        Self { name, object }
    }

    /// The name of `op` of `spec`. An id that is nothing but a verb of messaging (firezone's
    /// `subscribe`, or 2.x's `subscribe /` for an operation without one) says only what one side
    /// does: what it is about is then its channel's address, or, for an address without words
    /// (`/`), its one message or the enum of its messages.
    pub fn of_operation(spec: &Spec, op: &Operation) -> Self {
        let mut name = Self::of(&op.id);
        if name.object.is_none() && MESSAGING_VERBS.contains(&name.name.as_str()) {
            let words = |s: &str| {
                s.chars()
                    .any(|c| c.is_ascii_alphanumeric())
                    .then(|| snake(s))
            };
            name.object = words(&spec.channels[op.channel].name)
                .or_else(|| match op.messages.as_slice() {
                    [one] => words(&spec.messages[*one].ident),
                    _ => None,
                })
                .or_else(|| op.dispatch.as_ref().and_then(|d| words(&d.name)))
                .or_else(|| Some("messages".to_owned()));
        }
        name
    }

    /// Its Rust type name in the `operations` module (`GetHosts`, `PlaceOrder`).
    pub fn marker(&self) -> String {
        pascal(&self.name)
    }

    /// What it is about: the object, or the whole name.
    fn about(&self) -> &str {
        self.object.as_deref().unwrap_or(&self.name)
    }

    /// The method that asks (the operation has a reply).
    pub fn request(&self) -> String {
        match &self.object {
            Some(object) => format!("request_{object}"),
            None => self.name.clone(),
        }
    }

    /// The method of the application's peer that publishes what the application receives
    /// without answering.
    pub fn command(&self) -> String {
        match &self.object {
            Some(object) => format!("publish_{object}"),
            None => self.name.clone(),
        }
    }

    /// The method of the application that publishes what it sends without a reply.
    pub fn publish(&self) -> String {
        format!("publish_{}", self.about())
    }

    /// The method that receives the operation's messages as a stream.
    pub fn subscribe(&self) -> String {
        format!("subscribe_{}", self.about())
    }

    /// The responder's method that answers (or takes) the operation's messages.
    pub fn handle(&self) -> String {
        match &self.object {
            Some(object) => format!("handle_{object}"),
            None => self.name.clone(),
        }
    }
}

/// A method derived from another: `<method>_<suffix>` (`get_hosts_with`, `get_hosts_stream`).
pub(crate) fn derived(method: &str, suffix: &str) -> String {
    format!("{method}_{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_made_names_become_what_they_are_about() {
        assert_eq!(readable("orders.place:PlaceOrderSubscribe"), "PlaceOrder");
        assert_eq!(
            readable("orders.{region}.cancel:CancelOrderSubscribe"),
            "CancelOrder"
        );
        assert_eq!(
            readable("orders.place:PlaceOrder:SubscribeMessage"),
            "PlaceOrder"
        );
        assert_eq!(readable("OrderCreated:Message"), "OrderCreated");
        assert_eq!(readable("orders.cancelled:Publisher"), "orders.cancelled");
        assert_eq!(
            readable("orders.cancelled:Publisher:Message"),
            "orders.cancelled"
        );
        assert_eq!(readable("getHosts"), "getHosts");
        assert_eq!(readable("OrderCreated"), "OrderCreated");
    }

    #[test]
    fn each_side_says_its_own_verb() {
        let events = OperationName::of("receiveEvents");
        assert_eq!(events.command(), "publish_events");
        assert_eq!(events.handle(), "handle_events");
        let command = OperationName::of("sendCommand");
        assert_eq!(command.request(), "request_command");
        assert_eq!(command.handle(), "handle_command");
        assert_eq!(command.subscribe(), "subscribe_command");
        let hosts = OperationName::of("getHosts");
        assert_eq!(hosts.request(), "get_hosts");
        assert_eq!(hosts.handle(), "get_hosts");
        let heartbeat = OperationName::of("receiveHostHeartbeat");
        assert_eq!(heartbeat.publish(), "publish_host_heartbeat");
        assert_eq!(heartbeat.subscribe(), "subscribe_host_heartbeat");
        let place = OperationName::of("orders.place:PlaceOrderSubscribe");
        assert_eq!(
            (place.request(), place.marker()),
            ("place_order".into(), "PlaceOrder".into())
        );
        let created = OperationName::of("OrderCreated");
        assert_eq!(created.publish(), "publish_order_created");
        assert_eq!(created.subscribe(), "subscribe_order_created");
        let cancelled = OperationName::of("orders.cancelled:Publisher");
        assert_eq!(cancelled.publish(), "publish_orders_cancelled");
        // A lone verb is a name.
        assert_eq!(OperationName::of("send").request(), "send");
    }
}
