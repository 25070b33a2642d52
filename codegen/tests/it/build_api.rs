//! `asyncapi_codegen::build::generate_to` as a build script calls it: the module written to the
//! output directory in a form `include!` accepts, and Cargo told about every document read.

use std::path::Path;
use std::process::Command;

use asyncapi_codegen::{build, Settings};

use crate::Scratch;

/// Set in the child process this test starts: the output directory it generates into.
const CHILD_OUT_DIR: &str = "ASYNCAPI_CODEGEN_IT_BUILD_OUT_DIR";

/// A spec whose message and schema are in other files (`common/messages.yaml`, which refers on
/// to `common/schemas.yaml`). Relative to the crate, as Cargo runs tests and build scripts there.
const SPEC: &str = "tests/fixtures/refs-across-files/spec.yaml";

#[test]
fn generate_to_writes_the_module_and_prints_rerun_if_changed_for_every_document_read() {
    if let Some(out_dir) = std::env::var_os(CHILD_OUT_DIR) {
        // The child: what a build script does. What it prints is what the parent checks.
        let settings = Settings::default();
        let path = build::generate_to(SPEC, &out_dir, &settings).unwrap();
        assert_eq!(path, Path::new(&out_dir).join("spec.rs"));
        return;
    }
    let out_dir = Scratch::new();
    // Printing goes to the real stdout only in a process of its own (the harness captures it),
    // so the test runs itself.
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "build_api::generate_to_writes_the_module_and_prints_rerun_if_changed_for_every_document_read",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_OUT_DIR, out_dir.path())
        .current_dir(crate::crate_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(
        child.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&child.stderr)
    );
    // The harness's own `test <name> ... ` can start the first line.
    let cargo_lines: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.find("cargo:").map(|at| &l[at..]))
        .collect();
    assert_eq!(
        cargo_lines,
        [
            "cargo:rerun-if-changed=tests/fixtures/refs-across-files/spec.yaml",
            "cargo:rerun-if-changed=tests/fixtures/refs-across-files/common/messages.yaml",
            "cargo:rerun-if-changed=tests/fixtures/refs-across-files/common/schemas.yaml",
        ],
        "{stdout}"
    );

    let text = std::fs::read_to_string(out_dir.path().join("spec.rs")).unwrap();
    // `include!` takes items only: the file must be one module, with no inner attribute (the
    // module's `//!` documentation) outside it.
    let file = syn::parse_file(&text).unwrap();
    assert!(file.attrs.is_empty(), "inner attributes at the top");
    let [syn::Item::Mod(module)] = file.items.as_slice() else {
        panic!("not one module: {text}");
    };
    assert_eq!(module.ident, "spec");
    assert!(text.contains("pub struct User {"), "{text}");
    assert!(text.contains("::asyncapi_runtime::"), "{text}");
}

#[test]
fn generate_to_refuses_a_broken_spec_and_writes_nothing() {
    let out_dir = Scratch::new();
    let spec = crate::crate_dir().join("tests/bad-specs/missing-file-ref.yaml");
    let err = build::generate_to(&spec, out_dir.path(), &Settings::default()).unwrap_err();
    assert_eq!(err.file(), spec, "{err}");
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 0);
}
