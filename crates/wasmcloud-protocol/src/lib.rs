//! The wasmCloud lattice protocol, generated from the AsyncAPI specs in `specs/`.
//!
//! - [`control_interface`]: requests to hosts on `wasmbus.ctl.v1.{lattice}.…` and their replies;
//! - [`lattice_events`]: the CloudEvents hosts publish on `wasmbus.evt.{lattice}.{event}`.
//!
//! Each spec module has the same parts, all generated:
//!
//! - `types`: the payload types, documented from the spec;
//! - `messages`: one marker type per message (name, content type, payload type), and an enum over
//!   messages told apart by a tag (`LatticeEvent`, by CloudEvents `type`);
//! - `subjects`: one type per channel that builds and parses its subjects, and subscription
//!   filters; the channels and parameter rules as data (`INFO.route` routes any subject);
//! - `operations`: one type per operation with its subject, request and reply types and how it is
//!   answered;
//! - `permissions`: what each role (the host, a client, an observer) does on NATS, which
//!   [`permissions()`] renders as the least permissions of a nats-server user;
//! - `views` (the `validate` feature): per message, the payload read in place, its text borrowed
//!   from the body, checked against the schema while it is read (`runtime::validate::view`).
//!
//! and, first, what users reach for: `Client`, `Responder` and `serve` (the `nats` feature) and
//! the enum over the events.
//!
//! [`runtime`] is `asyncapi-runtime`, the small hand-written part they call into.
//!
//! # Features
//!
//! - `validate`: validation against the specs' JSON Schemas, and the views (jsonschema);
//! - `nats`: the client, the responder and the event streams (async-nats, tokio).
//!
//! wasmCloud 1.x is finished (1.9.2 is its last release; wasmCloud 2 speaks another protocol), so
//! this wire will not move.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub use asyncapi_runtime as runtime;

pub mod events;
mod generated;
mod real_host;
#[cfg(feature = "nats")]
mod waiting;

pub use generated::{control_interface, lattice_events};
pub use real_host::real_host_needs;

/// Every spec of the protocol.
pub const SPECS: &[runtime::SpecInfo] = &[control_interface::INFO, lattice_events::INFO];

/// The least NATS permissions of a role of the lattice protocol, over both specs: a wasmCloud
/// host is the [`Application`](runtime::permissions::Role::Application), a control client (wash,
/// wadm) a [`Client`](runtime::permissions::Role::Client), a dashboard an
/// [`Observer`](runtime::permissions::Role::Observer). Print it (`Display`) for a nats-server
/// configuration, or serialize it for a `users` entry in JSON.
///
/// A real host needs more than the specs say (JetStream, the RPC subjects of its components and
/// providers): [`real_host_needs`] adds it to the options. Add other subjects with
/// [`PermissionOptions::allow_publish`](runtime::permissions::PermissionOptions::allow_publish)
/// and [`allow_subscribe`](runtime::permissions::PermissionOptions::allow_subscribe).
pub fn permissions(
    role: runtime::permissions::Role,
    options: &runtime::permissions::PermissionOptions,
) -> Result<runtime::permissions::Permissions, runtime::SubjectError> {
    runtime::permissions::Permissions::for_role(SPECS, role, options)
}

/// Validates a body received on a subject of the protocol: routes the subject to its channel,
/// picks the message (the request or event with [`Side::Request`](runtime::validate::Side), the
/// reply with `Side::Reply`; an event by its CloudEvents `type`, which must match the subject),
/// and checks the body against that message's schema, reporting every violation; a command whose
/// body's `host_id` is not its subject's host id is a violation at `/host_id` too.
#[cfg(feature = "validate")]
pub fn validate_subject(
    subject: &str,
    prefix: &runtime::SubjectPrefix,
    side: runtime::validate::Side,
    body: &[u8],
) -> Result<(runtime::MessageInfo, serde_json::Value), runtime::validate::ValidationError> {
    runtime::validate::validate_subject(SPECS, subject, prefix, side, body)
}
