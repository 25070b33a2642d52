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
//! - `subjects`: one type per channel that builds and parses its subjects, subscription filters,
//!   and `AnySubject`, which routes any subject to its channel;
//! - `operations`: one type per operation with its subject, request and reply types and how it is
//!   answered.
//!
//! [`runtime`] is the small hand-written part they call into.

pub mod runtime;

mod generated;

pub use generated::{control_interface, lattice_events};

/// Every spec of the protocol.
pub const SPECS: &[runtime::SpecInfo] = &[control_interface::INFO, lattice_events::INFO];
