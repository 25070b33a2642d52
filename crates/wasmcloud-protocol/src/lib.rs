//! The wasmCloud lattice protocol, generated from the AsyncAPI specs in `specs/`.

pub mod runtime;

mod generated;

pub use generated::{control_interface, lattice_events};
