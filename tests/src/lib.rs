//! Support for the workspace-level tests, and the code generated from the generator's fixtures:
//! the two original specs as received and one small spec per construct. They are compiled here so
//! that a generator change that emits broken code for any of them fails the build.

pub mod fixtures;
