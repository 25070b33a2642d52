//! Generating from a build script: the module goes to `OUT_DIR` and Cargo learns which
//! documents to watch.
//!
//! In `build.rs` (with `asyncapi-codegen` under `[build-dependencies]`, `default-features =
//! false` to leave out the command-line tool):
//!
//! ```no_run
//! use asyncapi_codegen::{build, Settings};
//!
//! fn main() {
//!     let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
//!     let settings = Settings::default();
//!     if let Err(e) = build::generate_to("asyncapi/orders.yaml", &out_dir, &settings) {
//!         panic!("{e}");
//!     }
//! }
//! ```
//!
//! and in the crate's source, where the module should be (the file and the module are named
//! after the spec's file stem, `orders`):
//!
//! ```text
//! include!(concat!(env!("OUT_DIR"), "/orders.rs"));
//!
//! use orders::types::OrderPlaced;
//! ```
//!
//! The generated code calls into the `asyncapi-runtime` crate (with its `nats` feature for the
//! client and responder; `validate` for validation), or the runtime given with
//! [`Settings::with_runtime_path`]; [`Settings::with_nats_feature`] compiles the client and
//! responder only with a feature of the crate. `tests/standalone/` in this repository is such a
//! crate.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::files::{write_if_changed, GeneratedFile};
use crate::{generate, Error, ErrorKind, FsLoader, Loader, Output, Result, Settings};

/// Generates the module for `spec` into `out_dir/<module>.rs` and prints, for Cargo,
/// `cargo:rerun-if-changed=` for every document it read (the spec, every file its `$ref`s reach,
/// the local copies in `settings`) and `cargo:warning=` for every warning.
///
/// The file holds one item, `pub mod <module> { ... }`, so that `include!` can place it: the
/// module's own documentation is made of inner doc comments, which `include!` refuses at the top
/// of a file. The file is rewritten only when its text changes. Paths are as Cargo runs build
/// scripts: relative ones from the package's directory. Returns the path of the file.
pub fn generate_to(
    spec: impl AsRef<Path>,
    out_dir: impl AsRef<Path>,
    settings: &Settings,
) -> Result<PathBuf> {
    let spec = spec.as_ref();
    let loader = Recording::default();
    let out = generate(&loader, spec, settings)?;
    let file = GeneratedFile {
        path: out_dir.as_ref().join(format!("{}.rs", out.spec.module)),
        contents: wrapped(&out),
    };
    write_if_changed(Path::new(""), std::slice::from_ref(&file)).map_err(|e| {
        Error::new(
            &file.path,
            "",
            ErrorKind::Io(format!("cannot write the generated module: {e}")),
        )
    })?;
    for path in loader.into_read() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    for warning in &out.warnings {
        println!("cargo:warning={warning}");
    }
    Ok(file.path)
}

fn wrapped(out: &Output) -> String {
    format!("pub mod {} {{\n{}}}\n", out.spec.module, out.code)
}

/// Reads from the file system and remembers every document it read, once each, in order.
#[derive(Default)]
struct Recording {
    read: Mutex<Vec<PathBuf>>,
}

impl Recording {
    fn into_read(self) -> Vec<PathBuf> {
        self.read
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Loader for Recording {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        let text = FsLoader.load(path)?;
        let mut read = self
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !read.iter().any(|p| p == path) {
            read.push(path.to_path_buf());
        }
        Ok(text)
    }
}
