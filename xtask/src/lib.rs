//! What `cargo xtask gen` generates in this repository: which specs, where the output goes.
//! Generating, formatting with rustfmt, drift checks and atomic writes are
//! `asyncapi_codegen::files`, which the `asyncapi-codegen` command uses too.
//! [`corpus`] is `cargo xtask corpus`, [`interop`] `cargo xtask interop`, [`tools`] `cargo xtask
//! setup` and `cargo xtask test`; [`parser`] holds the generator to the official AsyncAPI parser.

pub mod corpus;
pub mod interop;
pub mod parser;
pub mod tools;

use std::path::{Path, PathBuf};

use asyncapi_codegen::files::{Format, Group, Job};
use asyncapi_codegen::Views;

/// The specs of this repository, relative to the workspace root.
pub const SPECS: &[&str] = &["specs/control-interface.yaml", "specs/lattice-events.yaml"];
/// Where their modules go, relative to the workspace root.
pub const OUT_DIR: &str = "crates/wasmcloud-protocol/src/generated";
/// Where their messages' standalone JSON Schemas go (`<spec>/<Message>.json`).
pub const SCHEMA_DIR: &str = "crates/wasmcloud-protocol/schemas";
/// The wasmCloud specs as received that generate; they stay generator fixtures whatever `specs/`
/// becomes. The lattice events as received are refused (a 2.x channel name holds `>`), which
/// `codegen/tests/it/as_received.rs` holds.
pub const ORIGINAL_SPECS: &[&str] = &["codegen/tests/fixtures/as-received/control-interface.yaml"];
/// One folder per construct, each with a `spec.yaml`.
pub const FIXTURES_DIR: &str = "codegen/tests/fixtures";
/// Where the modules of the originals and the fixtures go, so the workspace build compiles them.
pub const FIXTURES_OUT_DIR: &str = "tests/src/fixtures";

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// This repository's job: `specs/` into the protocol crate, and the originals and construct
/// fixtures into the tests crate, through rustfmt. `XTASK_WORKSPACE_ROOT` points it at another
/// checkout.
pub fn workspace_job() -> Result<Job, String> {
    let base = std::env::var_os("XTASK_WORKSPACE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(workspace_root);
    let mut fixtures = Vec::new();
    for original in ORIGINAL_SPECS {
        let path = PathBuf::from(original);
        let id = format!("original-{}", asyncapi_codegen::spec_id(&path));
        fixtures.push((path, Some(id)));
    }
    let dir = base.join(FIXTURES_DIR);
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join("spec.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = Path::new(FIXTURES_DIR).join(&name).join("spec.yaml");
        fixtures.push((path, Some(format!("fixture-{name}"))));
    }
    Ok(Job {
        base,
        groups: vec![
            Group {
                specs: SPECS.iter().map(|s| (PathBuf::from(s), None)).collect(),
                out_dir: PathBuf::from(OUT_DIR),
                runtime_path: None,
                nats_feature: Some("nats".to_owned()),
                views: Views::Feature("validate".to_owned()),
                schema_dir: Some(PathBuf::from(SCHEMA_DIR)),
            },
            Group {
                specs: fixtures,
                out_dir: PathBuf::from(FIXTURES_OUT_DIR),
                runtime_path: None,
                nats_feature: None,
                views: Views::Always,
                schema_dir: None,
            },
        ],
        command: "cargo xtask gen".to_owned(),
        local_copies: Vec::new(),
        strict_examples: true,
        overlay: None,
        format: Format::Rustfmt,
    })
}
