//! Snapshots of the generated code for one small spec per construct (`tests/fixtures/<construct>/`)
//! and for the two original wasmCloud specs as received (read from `../shared`).
//!
//! Update after an intended change with `INSTA_UPDATE=always cargo test -p asyncapi-codegen`.

use std::path::{Path, PathBuf};

use asyncapi_codegen::{generate, FsLoader, Settings};

fn code_for(path: &Path, id: &str) -> String {
    let settings = Settings::default()
        .with_spec_id(id)
        .with_runtime_path("::wasmcloud_protocol::runtime");
    match generate(&FsLoader, path, &settings) {
        Ok(out) => out.code,
        Err(e) => panic!("{e}"),
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .join("spec.yaml")
}

macro_rules! fixtures {
    ($($test:ident => $dir:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            insta::assert_snapshot!(stringify!($test), code_for(&fixture($dir), $dir));
        }
    )*};
}

fixtures! {
    parameters => "parameters",
    all_of => "allof",
    one_of => "oneof",
    const_values => "const",
    enums => "enum",
    additional_properties => "additional-properties",
    formats => "formats",
    recursion => "recursion",
    inline_payloads => "inline-payloads",
    refs_across_files => "refs-across-files",
    routing => "routing",
    names => "names",
}

fn original(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/original")
        .join(name)
}

#[test]
fn original_control_interface() {
    insta::assert_snapshot!(code_for(
        &original("control-interface.yaml"),
        "control-interface"
    ));
}

#[test]
fn original_lattice_events() {
    insta::assert_snapshot!(code_for(&original("lattice-events.yaml"), "lattice-events"));
}

#[test]
fn every_fixture_folder_has_a_snapshot_test() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let this = include_str!("snapshots.rs");
    for name in names {
        assert!(
            this.contains(&format!("=> \"{name}\"")),
            "fixture {name} has no snapshot test"
        );
    }
}
