//! AsyncAPI 2.x and 3.x to Rust.
//!
//! Reads an AsyncAPI document (2.0 to 2.6, 3.0 or 3.1; YAML or JSON) into typed objects, resolves
//! its `$ref`s (inside the document and to relative files), lowers it into a small protocol
//! [model] (the same whichever version it was written in), lints it and emits one Rust module: payload
//! types (through typify) and per-message metadata. The engine does no I/O beyond reading the
//! documents through a [`Loader`]; writing files is kept apart, in [`files`] (generated
//! directories on disk: drift checks, atomic writes, rustfmt) and [`build`] (a build script's
//! module in `OUT_DIR`).
//!
//! ```no_run
//! use asyncapi_codegen::{generate, FsLoader, Settings};
//! let out = generate(&FsLoader, "specs/control-interface.yaml".as_ref(), &Settings::default())?;
//! println!("{}", out.code);
//! # Ok::<(), asyncapi_codegen::Error>(())
//! ```
//!
//! The `cli` feature (on by default) builds the `asyncapi-codegen` command; build scripts turn
//! default features off.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod build;
mod dispatch;
mod emit;
mod error;
pub mod files;
mod lint;
mod load;
mod locate;
pub mod model;
mod naming;
mod read;
mod refs;
mod schema;
mod standalone;
pub mod template;

use std::path::Path;

pub use emit::{method_name_problems, sides, OperationSides, SideMethod};
pub use error::{Error, ErrorKind, Result};

pub use load::{FsLoader, Loader, MemoryLoader, MAX_DOCUMENT_BYTES};
pub use model::Spec;

/// Most channels one generated module holds. Each channel is some 230 lines of Rust (subject,
/// filter, parser, client and responder methods), so beyond this the module is tens of megabytes
/// that no compiler run would want, and generating it takes gigabytes: split such a document.
pub const MAX_CHANNELS: usize = 2_000;

/// How the generated code looks.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Path of the runtime crate (or module) the generated code calls into.
    pub runtime_path: String,
    /// The cargo feature of the generated code's crate that gates its NATS client and responder;
    /// when `None` they are always compiled (and the runtime's `nats` feature must be on).
    pub nats_feature: Option<String>,
    /// Text of the first doc lines of the module (who generated it, do not edit).
    pub header: Option<String>,
    /// Short name of the spec; the file stem when `None`.
    pub spec_id: Option<String>,
    /// Directory of the exported schemas as seen from the generated module, for `include_str!`
    /// (`../../schemas`); when `None` the schemas are embedded as string literals.
    pub schema_include: Option<String>,
    /// Local documents standing for remote ones: a `$ref` to the URL in a document's `$id`
    /// resolves to it.
    pub local_copies: Vec<std::path::PathBuf>,
    /// Whether a message example that breaks its schema is an error (the default) or a warning.
    pub strict_examples: bool,
    /// A JSON Merge Patch (RFC 7396, in YAML or JSON) applied to the document before it is
    /// read: what a framework's export cannot say (FastStream writes no `reply`), said beside it.
    pub overlay: Option<std::path::PathBuf>,
    /// Whether the `views` module is generated (payloads read in place, checked while read;
    /// they need the runtime's `validate` feature), and with it each client's `…_in_place`
    /// methods, which return a reply to be read so.
    pub views: Views,
}

/// Whether, and when, a generated module has its `views` (see [`Settings::views`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Views {
    /// No views.
    #[default]
    Off,
    /// Views always compiled: the runtime's `validate` feature must be on.
    Always,
    /// Views compiled only with this cargo feature of the generated code's crate (which turns on
    /// the runtime's `validate`).
    Feature(String),
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            runtime_path: "::asyncapi_runtime".to_owned(),
            nats_feature: None,
            header: None,
            spec_id: None,
            schema_include: None,
            local_copies: Vec::new(),
            strict_examples: true,
            overlay: None,
            views: Views::Off,
        }
    }
}

impl Settings {
    /// Sets the path of the runtime (`::asyncapi_runtime` by default).
    pub fn with_runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = path.into();
        self
    }

    /// Compiles the NATS client and responder only with this cargo feature of the generated
    /// code's crate.
    pub fn with_nats_feature(mut self, feature: impl Into<String>) -> Self {
        self.nats_feature = Some(feature.into());
        self
    }

    /// Generates the `views` module (see [`Views`]).
    pub fn with_views(mut self, views: Views) -> Self {
        self.views = views;
        self
    }

    /// Names the spec (and so its module) instead of taking the file stem.
    pub fn with_spec_id(mut self, id: impl Into<String>) -> Self {
        self.spec_id = Some(id.into());
        self
    }

    /// Gives a local copy of a remote document (found by its top-level `$id`).
    pub fn with_local_copy(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.local_copies.push(path.into());
        self
    }

    /// Applies a JSON Merge Patch (RFC 7396) to the document before reading it (see
    /// [`Settings::overlay`]).
    pub fn with_overlay(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.overlay = Some(path.into());
        self
    }

    /// Reports examples that break their schemas as [`Output::warnings`] instead of failing.
    pub fn with_lenient_examples(mut self) -> Self {
        self.strict_examples = false;
        self
    }

    /// Has the generated code `include_str!` its message schemas from `dir` (relative to the
    /// module file), where the caller writes [`Output::schemas`], instead of embedding them.
    pub fn with_schema_include(mut self, dir: impl Into<String>) -> Self {
        self.schema_include = Some(dir.into());
        self
    }

    /// Sets the header lines of the generated module.
    pub fn with_header(mut self, header: impl Into<String>) -> Self {
        self.header = Some(header.into());
        self
    }
}

/// What [`generate`] produces for one spec.
#[derive(Debug, Clone)]
pub struct Output {
    /// The model the code was generated from.
    pub spec: Spec,
    /// The Rust module, formatted by prettyplease.
    pub code: String,
    /// One standalone JSON Schema per message.
    pub schemas: Vec<SchemaFile>,
    /// Problems that did not stop generation: parameters an address uses but does not declare,
    /// or declares but does not use, and, when lenient, examples that break their schemas.
    pub warnings: Vec<Error>,
}

/// A message's standalone JSON Schema (2020-12), ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    /// The message name.
    pub message: String,
    /// The file name: `<spec>/<message>.json`, with characters unsafe in file names replaced.
    pub path: String,
    /// Pretty-printed JSON with a final newline.
    pub json: String,
}

/// The spec id of a file: its stem (`specs/control-interface.yaml` is `control-interface`).
pub fn spec_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".to_owned())
}

/// Reads, resolves and lints the document at `path` into the protocol model (an example that
/// breaks its schema is an error).
pub fn read_spec(loader: &dyn Loader, path: &Path) -> Result<Spec> {
    on_big_stack(|| {
        let settings = Settings::default();
        read_spec_as(loader, path, &spec_id(path), &settings).map(|(spec, _)| spec)
    })
}

/// Stack for the generator's work. Nested schemas recurse in typify, serde and syn with large
/// frames in debug builds: forty levels overflow the 2 MiB of a spawned thread (a test thread,
/// say), while YAML's nesting limit keeps any document well inside this.
const STACK_BYTES: usize = 64 << 20;

/// Runs `f` on a thread of its own with [`STACK_BYTES`] of stack, whatever stack the caller's
/// thread has; on the caller's thread when no thread can be started.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let work = std::sync::Mutex::new(Some(f));
    let run = || {
        let f = work
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        f.map(|f| f())
    };
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("asyncapi-codegen".to_owned())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, run);
        let done = match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        };
        done.or_else(run)
            .expect("the work runs on the new thread or, failing that, here")
    })
}

/// The model of the document at `path`, linted, with the lint's warnings.
fn read_spec_as(
    loader: &dyn Loader,
    path: &Path,
    id: &str,
    settings: &Settings,
) -> Result<(Spec, Vec<Error>)> {
    guarded(path, || {
        let mut store = refs::Store::new(loader);
        let doc = store.load(path, None)?;
        if let Some(overlay) = &settings.overlay {
            store.apply_overlay(doc, overlay)?;
        }
        for copy in &settings.local_copies {
            store.add_local_copy(copy)?;
        }
        let (spec, mut warnings) = read::read(&mut store, doc, id)?;
        warnings.extend(lint::check(&spec, &store, settings.strict_examples)?);
        Ok((spec, warnings))
    })
}

/// Reads the document at `path` and generates its Rust module.
pub fn generate(loader: &dyn Loader, path: &Path, settings: &Settings) -> Result<Output> {
    on_big_stack(|| generate_here(loader, path, settings))
}

fn generate_here(loader: &dyn Loader, path: &Path, settings: &Settings) -> Result<Output> {
    let id = settings.spec_id.clone().unwrap_or_else(|| spec_id(path));
    let (spec, warnings) = read_spec_as(loader, path, &id, settings)?;
    let schemas = emit::schema_files(&spec);
    let code = guarded(path, || emit::module(&spec, settings, &schemas))?;
    Ok(Output {
        spec,
        code,
        schemas,
        warnings,
    })
}

/// No input may panic the generator: a panic that escapes the parts that expect them is a bug,
/// reported as an error rather than taking the caller down.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    emit::contain(f).unwrap_or_else(|panic| {
        Err(Error::new(
            path,
            "",
            ErrorKind::Unsupported(format!("internal generator error: {panic}")),
        ))
    })
}

/// The messages of `output` that get a view (a type read in place, see [`Views`]): every one
/// with a payload, by name, and whether its view checks the whole schema as it reads (`false`:
/// it keeps the parts of the schema it cannot check as JSON text, and a body that holds one is
/// judged by the reference validator first).
pub fn messages_with_views(output: &Output) -> Vec<(&str, bool)> {
    emit::viewed(&output.spec, &output.schemas)
        .into_iter()
        .map(|(i, in_one_pass)| (output.spec.messages[i].name.as_str(), in_one_pass))
        .collect()
}

/// The `mod.rs` that declares one generated module per spec: `(module, title)` pairs.
pub fn module_index(header: &str, modules: &[(String, String)]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(&format!("//! {line}\n"));
    }
    for (module, title) in modules {
        out.push_str(&format!(
            "\n#[doc = {:?}]\npub mod {module};\n",
            format!(" {title}")
        ));
    }
    out
}
