//! The workspace-level tests, one binary (a module per concern), so the suite links once.

mod asyncapi_3;
mod both_sides;
mod cluster;
mod drift;
mod example;
mod golden;
mod hostile_payloads;
mod interop;
mod nats;
mod other_validators;
mod parser;
mod permissions;
mod properties;
mod roundtrip;
mod subjects;
mod validate;
mod views;
