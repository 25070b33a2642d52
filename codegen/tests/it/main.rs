//! The generator's integration tests, one binary.
//!
//! The generated Rust of each construct fixture is checked in once, under `tests/src/fixtures/` of
//! the workspace, where it is both the expected output (`cargo xtask gen --check` and the drift
//! test) and compiled. What the snapshots here guard is what nothing else does: the protocol model
//! each fixture reads into, and the located error of each broken spec.

mod bad_specs;
mod hostile;
mod model;
mod mutations;

use std::path::{Path, PathBuf};

use asyncapi_codegen::{FsLoader, Loader};

/// This crate's folder: paths in errors and snapshots are relative to it.
fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Reads paths relative to the crate, so errors name files as `tests/...` on every machine.
struct CrateLoader;

impl Loader for CrateLoader {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        FsLoader.load(&crate_dir().join(path))
    }
}

/// Files under `dir` (relative to the crate) with the given extension, sorted.
fn files_in(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(crate_dir().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| Path::new(dir).join(e.unwrap().file_name()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}
