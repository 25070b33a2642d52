//! The `wasmcloud-protocol` command run as a user runs it, one test binary.

mod outputs;
mod permissions;
mod subjects;
mod validate;
