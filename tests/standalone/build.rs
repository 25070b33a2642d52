//! Generates the `shop` module from the generator's `payload-field` fixture, as a user's build
//! script would.

use asyncapi_codegen::{build, Settings};

fn main() {
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let settings = Settings::default().with_spec_id("shop");
    if let Err(e) = build::generate_to(
        "../../codegen/tests/fixtures/payload-field/spec.yaml",
        &out_dir,
        &settings,
    ) {
        panic!("{e}");
    }
}
