//! The generator's integration tests, one binary.
//!
//! The generated Rust of each construct fixture is checked in once, under `tests/src/fixtures/` of
//! the workspace, where it is both the expected output (`cargo xtask gen --check` and the drift
//! test) and compiled. What the snapshots here guard is what nothing else does: the protocol model
//! each fixture reads into, and the located error of each broken spec. `cli` and `build_api` run
//! the `asyncapi-codegen` command and the build-script API as their users do.

mod as_received;
mod bad_specs;
mod build_api;
#[cfg(feature = "cli")]
mod cli;
mod hostile;
mod lenient;
mod model;
mod mutations;
mod sides;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// A fresh directory under the system's temporary one, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "asyncapi-codegen-it-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
