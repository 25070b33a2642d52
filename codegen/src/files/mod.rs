//! Generated code on disk: the one part of the crate that writes files.
//!
//! The engine ([`generate`](crate::generate)) turns one document into text and does no I/O but
//! reading documents through a [`Loader`](crate::Loader). A [`Job`] is what tools build on it:
//! specs generated into directories the generator owns (one module per spec, a `mod.rs`, the
//! messages' JSON Schemas), in memory first, then compared with the files on disk
//! ([`Job::check`]) or written ([`Job::write`]) so that a run that fails writes nothing and one
//! that succeeds replaces each changed file whole. `cargo xtask gen` and the `asyncapi-codegen`
//! binary are both thin callers of this module ([`Job::run`]).

mod disk;
mod job;
mod run;
mod rustfmt;

use std::fmt;
use std::path::PathBuf;

pub(crate) use disk::write_if_changed;
pub use disk::Drift;
pub use job::{Group, Job};
pub use rustfmt::{rustfmt, rustfmt_available, Format};

/// A file the generator produced, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to [`Job::base`].
    pub path: PathBuf,
    pub contents: String,
}

/// Why a [`Job`] produced no files.
#[derive(Debug)]
#[non_exhaustive]
pub enum JobError {
    /// A spec cannot be generated; the error names its file, line and JSON pointer.
    Spec(crate::Error),
    /// Two specs of one group would generate the same module.
    SameModule { spec: PathBuf, module: String },
    /// rustfmt could not be run, or refused the generated code.
    Rustfmt(String),
    /// A generated file could not be written or a stale one removed.
    Write(std::io::Error),
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Spec(e) => e.fmt(f),
            JobError::SameModule { spec, module } => write!(
                f,
                "{}: two specs would both generate module `{module}`",
                spec.display()
            ),
            JobError::Rustfmt(message) => f.write_str(message),
            JobError::Write(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for JobError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JobError::Spec(e) => Some(e),
            JobError::Write(e) => Some(e),
            _ => None,
        }
    }
}
