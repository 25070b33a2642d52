//! The file side of `cargo xtask gen`: which specs, where the output goes, formatting with
//! rustfmt, drift checks and atomic writes. Generation itself is `asyncapi-codegen`.
//! [`corpus`] is `cargo xtask corpus`, [`interop`] `cargo xtask interop`.

pub mod corpus;
pub mod interop;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use asyncapi_codegen::{generate, FsLoader, Loader, Settings};

/// The specs of this repository, relative to the workspace root.
pub const SPECS: &[&str] = &["specs/control-interface.yaml", "specs/lattice-events.yaml"];
/// Where their modules go, relative to the workspace root.
pub const OUT_DIR: &str = "crates/wasmcloud-protocol/src/generated";
/// Where their messages' standalone JSON Schemas go (`<spec>/<Message>.json`).
pub const SCHEMA_DIR: &str = "crates/wasmcloud-protocol/schemas";
/// The wasmCloud specs as received; they stay generator fixtures whatever `specs/` becomes.
pub const ORIGINAL_SPECS: &[&str] = &[
    "codegen/tests/fixtures/as-received/control-interface.yaml",
    "codegen/tests/fixtures/as-received/lattice-events.yaml",
];
/// One folder per construct, each with a `spec.yaml`.
pub const FIXTURES_DIR: &str = "codegen/tests/fixtures";
/// Where the modules of the originals and the fixtures go, so the workspace build compiles them.
pub const FIXTURES_OUT_DIR: &str = "tests/src/fixtures";
/// The runtime crate every generated module calls into.
pub const RUNTIME: &str = "::asyncapi_runtime";

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Specs generated into one directory, which the generator owns: every `.rs` file in it that a
/// run does not produce is stale.
#[derive(Debug, Clone)]
pub struct Group {
    /// Spec files, each with the spec id to use (the file stem when `None`).
    pub specs: Vec<(PathBuf, Option<String>)>,
    pub out_dir: PathBuf,
    pub runtime_path: String,
    /// The cargo feature that gates the NATS client and responder, if any.
    pub nats_feature: Option<String>,
    /// Where the messages' JSON Schemas are written (every `.json` file under it is generated);
    /// when `None` they are embedded in the modules.
    pub schema_dir: Option<PathBuf>,
}

/// One generation run.
#[derive(Debug, Clone)]
pub struct Job {
    /// Directory every path is relative to.
    pub base: PathBuf,
    pub groups: Vec<Group>,
    /// The command that regenerates the output, for the header of each file.
    pub command: String,
    /// Local copies of remote documents (see `Settings::with_local_copy`).
    pub local_copies: Vec<PathBuf>,
    /// Whether an example that breaks its schema fails the run.
    pub strict_examples: bool,
}

/// A file the generator produced, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to [`Job::base`].
    pub path: PathBuf,
    pub contents: String,
}

/// Generation failed: which spec and why (one line).
#[derive(Debug)]
pub struct GenError(pub String);

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenError {}

impl Job {
    /// This repository: `specs/` into the protocol crate, and the originals and construct
    /// fixtures into the tests crate. `XTASK_WORKSPACE_ROOT` points it at another checkout.
    pub fn workspace() -> Result<Self, GenError> {
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
        let entries =
            std::fs::read_dir(&dir).map_err(|e| GenError(format!("{}: {e}", dir.display())))?;
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
        Ok(Self {
            base,
            groups: vec![
                Group {
                    specs: SPECS.iter().map(|s| (PathBuf::from(s), None)).collect(),
                    out_dir: PathBuf::from(OUT_DIR),
                    runtime_path: RUNTIME.to_owned(),
                    nats_feature: Some("nats".to_owned()),
                    schema_dir: Some(PathBuf::from(SCHEMA_DIR)),
                },
                Group {
                    specs: fixtures,
                    out_dir: PathBuf::from(FIXTURES_OUT_DIR),
                    runtime_path: RUNTIME.to_owned(),
                    nats_feature: None,
                    schema_dir: None,
                },
            ],
            command: "cargo xtask gen".to_owned(),
            local_copies: Vec::new(),
            strict_examples: true,
        })
    }

    /// Any documents into any directory (paths relative to the current directory).
    pub fn custom(specs: Vec<PathBuf>, out_dir: PathBuf, runtime_path: Option<String>) -> Self {
        let command = format!(
            "cargo xtask gen --spec {} --out {}",
            specs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            out_dir.display()
        );
        Self {
            base: PathBuf::new(),
            groups: vec![Group {
                specs: specs.into_iter().map(|p| (p, None)).collect(),
                schema_dir: Some(out_dir.join("schemas")),
                out_dir,
                runtime_path: runtime_path.unwrap_or_else(|| RUNTIME.to_owned()),
                nats_feature: None,
            }],
            command,
            local_copies: Vec::new(),
            strict_examples: true,
        }
    }

    /// Generates every file in memory; nothing is written.
    pub fn generate(&self) -> Result<Vec<GeneratedFile>, GenError> {
        self.generate_with_warnings().map(|(files, _)| files)
    }

    /// [`Job::generate`], with the problems that did not stop it.
    pub fn generate_with_warnings(&self) -> Result<(Vec<GeneratedFile>, Vec<String>), GenError> {
        let mut files = Vec::new();
        let mut warnings = Vec::new();
        for group in &self.groups {
            files.extend(self.generate_group(group, &mut warnings)?);
        }
        Ok((files, warnings))
    }

    fn generate_group(
        &self,
        group: &Group,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<GeneratedFile>, GenError> {
        let mut files = Vec::new();
        let mut modules = Vec::new();
        for (spec, id) in &group.specs {
            let header = format!(
                "Generated by `{}` from `{}`. Do not edit by hand.",
                self.command,
                spec.display()
            );
            let mut settings = Settings::default()
                .with_runtime_path(group.runtime_path.clone())
                .with_header(header);
            if let Some(feature) = &group.nats_feature {
                settings = settings.with_nats_feature(feature.clone());
            }
            if let Some(id) = id {
                settings = settings.with_spec_id(id.clone());
            }
            for copy in &self.local_copies {
                settings = settings.with_local_copy(copy.clone());
            }
            if !self.strict_examples {
                settings = settings.with_lenient_examples();
            }
            if let Some(dir) = &group.schema_dir {
                let include = relative(&group.out_dir, dir);
                settings =
                    settings.with_schema_include(include.to_string_lossy().replace('\\', "/"));
            }
            let out = generate(&BaseLoader(&self.base), spec, &settings)
                .map_err(|e| GenError(e.to_string()))?;
            warnings.extend(out.warnings.iter().map(ToString::to_string));
            if modules.iter().any(|(m, _)| *m == out.spec.module) {
                return Err(GenError(format!(
                    "{}: two specs would both generate module `{}`",
                    spec.display(),
                    out.spec.module
                )));
            }
            files.push(GeneratedFile {
                path: group.out_dir.join(format!("{}.rs", out.spec.module)),
                contents: rustfmt(&out.code)?,
            });
            if let Some(dir) = &group.schema_dir {
                files.extend(out.schemas.iter().map(|s| GeneratedFile {
                    path: dir.join(&s.path),
                    contents: s.json.clone(),
                }));
            }
            modules.push((out.spec.module.clone(), out.spec.title.clone()));
        }
        let index = asyncapi_codegen::module_index(
            &format!("Generated by `{}`. Do not edit by hand.", self.command),
            &modules,
        );
        files.push(GeneratedFile {
            path: group.out_dir.join("mod.rs"),
            contents: rustfmt(&index)?,
        });
        Ok(files)
    }

    fn abs(&self, path: &Path) -> PathBuf {
        self.base.join(path)
    }
}

/// `to` as seen from the directory `from` (both relative to the same base), lexically.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in shared..from.len() {
        out.push("..");
    }
    for c in &to[shared..] {
        out.push(c);
    }
    out
}

/// Reads spec files relative to the job's base, so paths in errors stay the ones the user knows.
struct BaseLoader<'a>(&'a Path);

impl Loader for BaseLoader<'_> {
    fn load(&self, path: &Path) -> std::io::Result<String> {
        FsLoader.load(&self.0.join(path))
    }
}

/// Formats generated code with the toolchain's rustfmt, so checked-in files pass `cargo fmt`.
pub fn rustfmt(code: &str) -> Result<String, GenError> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            GenError(format!(
                "cannot run {rustfmt}: {e} (install it with `rustup component add rustfmt`)"
            ))
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = code.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| GenError(format!("rustfmt failed: {e}")))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(GenError(format!(
            "rustfmt rejected the generated code (a generator bug): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    String::from_utf8(output.stdout).map_err(|e| GenError(format!("rustfmt output: {e}")))
}

/// A checked-in file that differs from what the generator produces.
#[derive(Debug)]
pub struct Drift {
    pub path: PathBuf,
    /// Unified diff from the file on disk to the generated text.
    pub diff: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not up to date:\n{}",
            self.path.display(),
            self.diff
        )
    }
}

fn read_normalized(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.replace("\r\n", "\n"))
}

/// Files with extension `ext` under `dir` (recursively), relative to the job's base.
fn files_under(job: &Job, dir: &Path, ext: &str, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(job.abs(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = dir.join(entry.file_name());
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if recursive {
                files_under(job, &path, ext, true, out);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn stale_files(job: &Job, files: &[GeneratedFile]) -> Vec<PathBuf> {
    let mut existing = Vec::new();
    for group in &job.groups {
        files_under(job, &group.out_dir, "rs", false, &mut existing);
        if let Some(dir) = &group.schema_dir {
            files_under(job, dir, "json", true, &mut existing);
        }
    }
    let mut stale: Vec<PathBuf> = existing
        .into_iter()
        .filter(|p| !files.iter().any(|f| &f.path == p))
        .collect();
    stale.sort();
    stale
}

/// Compares generated files with the files on disk.
pub fn check(job: &Job, files: &[GeneratedFile]) -> Vec<Drift> {
    let mut drift = Vec::new();
    for file in files {
        let on_disk = read_normalized(&job.abs(&file.path)).unwrap_or_default();
        if on_disk != file.contents {
            let diff = similar::TextDiff::from_lines(&on_disk, &file.contents)
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("{} (on disk)", file.path.display()),
                    &format!("{} (generated)", file.path.display()),
                )
                .to_string();
            drift.push(Drift {
                path: file.path.clone(),
                diff,
            });
        }
    }
    for path in stale_files(job, files) {
        drift.push(Drift {
            diff: "(the generator no longer produces this file; it should be deleted)\n".into(),
            path,
        });
    }
    drift
}

/// Writes the files that changed, each through a temporary file and a rename, and removes stale
/// generated files. Either every temporary file is written or nothing is replaced.
pub fn write(job: &Job, files: &[GeneratedFile]) -> std::io::Result<Vec<PathBuf>> {
    let changed: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| read_normalized(&job.abs(&f.path)).as_deref() != Some(f.contents.as_str()))
        .collect();
    let mut temps = Vec::new();
    let staged = (|| {
        for file in &changed {
            let target = job.abs(&file.path);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let name = target.file_name().unwrap_or_default().to_string_lossy();
            let temp = target.with_file_name(format!(".{name}.xtask-tmp"));
            temps.push((temp.clone(), target));
            std::fs::write(&temp, &file.contents)?;
        }
        Ok(())
    })();
    if let Err(e) = staged {
        for (temp, _) in &temps {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    for (temp, target) in &temps {
        std::fs::rename(temp, target)?;
    }
    let mut written: Vec<PathBuf> = changed.iter().map(|f| f.path.clone()).collect();
    for stale in stale_files(job, files) {
        std::fs::remove_file(job.abs(&stale))?;
        written.push(stale);
    }
    Ok(written)
}
