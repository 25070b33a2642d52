//! `fast_path_agrees`: the property of that name in `tests/src/props.rs`, under libFuzzer: the
//! fast path of validation vouches for a body exactly when the reference validator finds it valid.
//! The normal test suite runs the same property under proptest (`tests/it/properties.rs`).
#![no_main]

// The same file the test suite compiles; each target uses one of its properties.
#[allow(dead_code)]
#[path = "../../../../tests/src/props.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| props::fast_path_agrees(data));
