//! Generates the `orders` module from `orders.yaml` into `OUT_DIR` at every build where the
//! document changed: nothing generated is checked in.

use asyncapi_codegen::{build, Settings};

fn main() {
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    if let Err(e) = build::generate_to("orders.yaml", &out_dir, &Settings::default()) {
        panic!("{e}");
    }
}
