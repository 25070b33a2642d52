//! `cargo xtask corpus DIR`: the generator over a folder of AsyncAPI documents found in the wild.
//!
//! Every document (a YAML or JSON file with an `asyncapi` field; the fragments it references are
//! not documents) either generates, or is refused with an error that names its file. A panic, a
//! hang, or an error without its file is a failure. With `--parser`, the official AsyncAPI parser
//! judges every document too, and a disagreement with its verdict (see [`crate::parser`]) that the
//! README does not list is a failure. A document refused only because an example breaks its own
//! schema is generated again with lenient examples (its verdict against the parser is the strict
//! one). Files beside a document that declare an `$id` are given to it as local copies of remote
//! documents. Everything generated is type-checked together, warnings and clippy's lints denied,
//! in a scratch crate under `target/corpus-check`.
//!
//! The corpus is not part of this repository: CI runs this over the public AsyncAPI corpus kept
//! beside the checkout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use asyncapi_codegen::{generate, ErrorKind, FsLoader, Settings, Views};
use serde_json::Value;

/// What `cargo xtask corpus` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub min_generated: usize,
    /// `tests/tools`, with the official parser installed: judge every document with it.
    pub parser: Option<PathBuf>,
    /// Longest time one document may take before it counts as a hang.
    pub timeout: Duration,
}

/// Runs the corpus and prints its summary; `Err` only when the run itself cannot start.
pub fn run(options: &Options) -> Result<ExitCode, String> {
    let started = Instant::now();
    let root = options
        .dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.dir.display()))?;
    let docs = documents(&root);
    if docs.is_empty() {
        return Err(format!("{}: no AsyncAPI documents found", root.display()));
    }
    let judgements = match &options.parser {
        Some(tools) => {
            let paths: Vec<PathBuf> = docs.iter().map(|(p, _)| p.clone()).collect();
            Some(crate::parser::judge(
                tools,
                &paths,
                Duration::from_secs(30),
            )?)
        }
        None => None,
    };
    let mut disagreements = Vec::new();
    let mut judged = BTreeSet::new();
    // Messages with a payload in the generated documents, how many have a view, and how many of
    // those are read in one pass.
    let mut viewed = (0usize, 0usize, 0usize);
    let mut named = 0usize;

    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut modules = BTreeMap::new();
    let mut lines = Vec::new();
    let mut versions = BTreeSet::new();
    for (i, (path, doc)) in docs.iter().enumerate() {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let version = doc["asyncapi"].as_str().unwrap_or_default().to_owned();
        let major = if version.starts_with("3.") {
            "3.x"
        } else {
            "2.x"
        };
        let judgement = judgements.as_ref().map(|j| &j[i]);
        // The README names corpus documents by their place in the corpus.
        let name = format!("corpus/{rel}");
        if judgement.is_some_and(|j| j.judged()) {
            judged.insert(name.clone());
        }
        versions.insert(version.clone());
        let module_id = format!(
            "c_{}",
            rel.to_ascii_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let line = match run_one(path, &module_id, options.timeout) {
            Outcome::Hang => {
                failures.push(format!("{rel}: no answer within {:?}", options.timeout));
                "HANG".to_owned()
            }
            Outcome::Panic(message) => {
                failures.push(format!("{rel}: a panic: {message}"));
                format!("PANIC: {message}")
            }
            Outcome::Generated {
                module,
                code,
                warnings,
                strict,
                views,
                names,
            } => {
                viewed.0 += views.0;
                viewed.1 += views.1;
                viewed.2 += views.2;
                named += names.0;
                failures.extend(names.1.iter().map(|p| format!("{rel}: a method name: {p}")));
                if let Some(judgement) = judgement {
                    disagreements.extend(crate::parser::compare(
                        &name,
                        judgement,
                        strict.as_ref().map_or(Ok(()), Err),
                    ));
                }
                modules.insert(module, code);
                tally.count(major, if warnings > 0 { "lenient" } else { "generated" });
                if warnings > 0 {
                    format!("generated with {warnings} example warning(s)")
                } else {
                    "generated".to_owned()
                }
            }
            Outcome::Rejected(e) => {
                let text = e.to_string();
                if text.contains("internal generator error") {
                    failures.push(format!("{rel}: a panic caught by the generator: {text}"));
                }
                if e.file().as_os_str().is_empty()
                    || !text.starts_with(&e.file().display().to_string())
                {
                    failures.push(format!("{rel}: the error does not name its file: {text}"));
                }
                let remote =
                    matches!(e.kind(), ErrorKind::Reference(m) if m.contains("remote reference"));
                let reason = match e.kind() {
                    ErrorKind::UnsupportedVersion(_) => "version",
                    _ if remote => "remote $ref",
                    _ => "invalid or unsupported",
                };
                if let Some(judgement) = judgement {
                    disagreements.extend(crate::parser::compare(&name, judgement, Err(&e)));
                }
                tally.count(major, reason);
                format!("rejected ({reason}): {text}")
            }
        };
        lines.push(format!("  {rel} ({version}): {line}"));
    }

    println!(
        "AsyncAPI corpus {}: {} documents",
        root.display(),
        docs.len()
    );
    // Errors name files by their full path; within the corpus the relative one is enough.
    let prefix = format!("{}/", root.display());
    for line in &lines {
        let line = line.replace(&prefix, "");
        println!("{}", line.chars().take(300).collect::<String>());
    }
    for major in ["2.x", "3.x"] {
        println!("{major}: {}", tally.summary(major));
    }
    println!(
        "versions met: {}",
        versions.into_iter().collect::<Vec<_>>().join(", ")
    );
    if judgements.is_some() {
        let readme = std::fs::read_to_string(crate::workspace_root().join("README.md"))
            .map_err(|e| format!("README.md: {e}"))?;
        let listed = crate::parser::listed(&readme)?;
        let listed_here: std::collections::BTreeSet<_> = listed
            .into_iter()
            .filter(|(doc, _)| doc.starts_with("corpus/"))
            .collect();
        println!(
            "the official parser judged {} of {} documents; {} disagreement(s), {} of them listed in the README",
            judged.len(),
            docs.len(),
            disagreements.len(),
            disagreements
                .iter()
                .filter(|d| listed_here.contains(&(d.document.clone(), d.kind)))
                .count()
        );
        for d in &disagreements {
            println!("  {}", d.to_string().replace(&prefix, ""));
        }
        failures.extend(crate::parser::unlisted(
            &disagreements,
            &listed_here,
            &judged,
        ));
    }
    let share = |n: usize| 100.0 * n as f64 / viewed.0.max(1) as f64;
    println!(
        "views: {} of {} messages with a payload ({:.0}%); {} ({:.0}%) check their whole schema as \
         they read, the rest keep some parts as text the reference validator judges",
        viewed.1,
        viewed.0,
        share(viewed.1),
        viewed.2,
        share(viewed.2),
    );
    println!("method names: {named}, each by the generator's rules or listed above");
    let generated = tally.generated();
    println!(
        "{generated} documents generated (at least {} required)",
        options.min_generated
    );
    if generated < options.min_generated {
        failures.push(format!(
            "{generated} documents generated, fewer than the floor of {}",
            options.min_generated
        ));
    }

    let compile = Instant::now();
    match check_compiles(&modules) {
        Ok(()) => println!(
            "the {} generated modules compile together, warnings and clippy's lints denied ({:.1?})",
            modules.len(),
            compile.elapsed()
        ),
        Err(e) => failures.push(format!("the generated modules do not compile:\n{e}")),
    }
    println!("corpus run took {:.1?}", started.elapsed());
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("\n{} failure(s):", failures.len());
    for f in &failures {
        eprintln!("- {f}");
    }
    Ok(ExitCode::FAILURE)
}

/// Outcomes per major version and reason, for the summary.
#[derive(Default)]
struct Tally(BTreeMap<(&'static str, &'static str), usize>);

impl Tally {
    fn count(&mut self, major: &'static str, outcome: &'static str) {
        *self.0.entry((major, outcome)).or_default() += 1;
    }

    fn get(&self, major: &'static str, outcome: &'static str) -> usize {
        self.0.get(&(major, outcome)).copied().unwrap_or(0)
    }

    fn generated(&self) -> usize {
        self.0
            .iter()
            .filter(|((_, o), _)| matches!(*o, "generated" | "lenient"))
            .map(|(_, n)| n)
            .sum()
    }

    fn summary(&self, major: &'static str) -> String {
        format!(
            "{} generated, {} generated with lenient examples, {} refused by version, {} refused for remote $refs, {} refused as invalid or unsupported",
            self.get(major, "generated"),
            self.get(major, "lenient"),
            self.get(major, "version"),
            self.get(major, "remote $ref"),
            self.get(major, "invalid or unsupported"),
        )
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
        {
            out.push(path);
        }
    }
}

fn parse(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_yaml_ng::from_str::<Value>(&text).ok()
}

/// Documents (files with an `asyncapi` field), not the fragments they reference, sorted by path.
fn documents(root: &Path) -> Vec<(PathBuf, Value)> {
    let mut all = Vec::new();
    files(root, &mut all);
    all.sort();
    all.into_iter()
        .filter_map(|p| {
            parse(&p)
                .filter(|v| v.get("asyncapi").is_some())
                .map(|v| (p, v))
        })
        .collect()
}

/// Files beside a document that stand for remote documents (they declare an `$id` URL).
fn local_copies(doc: &Path) -> Vec<PathBuf> {
    let mut siblings = Vec::new();
    if let Some(dir) = doc.parent() {
        files(dir, &mut siblings);
    }
    siblings
        .into_iter()
        .filter(|p| p != doc)
        .filter(|p| {
            parse(p).is_some_and(|v| {
                v.get("$id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| id.contains("://"))
            })
        })
        .collect()
}

enum Outcome {
    Generated {
        module: String,
        code: String,
        warnings: usize,
        /// Why the document was refused with strict examples, when it was.
        strict: Option<asyncapi_codegen::Error>,
        /// Its messages with a payload, how many of them have a view, and how many of those are
        /// read in one pass.
        views: (usize, usize, usize),
        /// Its operations' methods, and what breaks the generator's naming rules.
        names: (usize, Vec<String>),
    },
    Rejected(asyncapi_codegen::Error),
    Panic(String),
    Hang,
}

/// Generates one document on a thread of its own, so that a panic is reported rather than
/// ending the run and a hang is noticed. A hung thread is left behind: the run ends with a
/// failure anyway.
fn run_one(path: &Path, id: &str, timeout: Duration) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let path = path.to_path_buf();
    let id = id.to_owned();
    let spawned = std::thread::Builder::new()
        .name(format!("corpus {}", path.display()))
        .spawn(move || {
            let mut settings = Settings::default()
                .with_spec_id(id)
                .with_views(Views::Always);
            for copy in local_copies(&path) {
                settings = settings.with_local_copy(copy);
            }
            let result = match generate(&FsLoader, &path, &settings) {
                Err(e) if matches!(e.kind(), ErrorKind::Example(_)) => {
                    generate(&FsLoader, &path, &settings.with_lenient_examples())
                        .map(|out| (out, Some(e)))
                }
                other => other.map(|out| (out, None)),
            };
            let _ = tx.send(result);
        });
    let handle = match spawned {
        Ok(handle) => handle,
        Err(e) => return Outcome::Panic(format!("cannot start a thread: {e}")),
    };
    match rx.recv_timeout(timeout) {
        Ok(Ok((out, strict))) => Outcome::Generated {
            views: {
                let viewed = asyncapi_codegen::messages_with_views(&out);
                (
                    out.spec
                        .messages
                        .iter()
                        .filter(|m| m.payload.is_some())
                        .count(),
                    viewed.len(),
                    viewed
                        .iter()
                        .filter(|(_, in_one_pass)| *in_one_pass)
                        .count(),
                )
            },
            names: (
                asyncapi_codegen::sides(&out.spec)
                    .iter()
                    .map(|s| usize::from(s.start.is_some()) + usize::from(s.end.is_some()))
                    .sum(),
                asyncapi_codegen::method_name_problems(&out.spec),
            ),
            module: out.spec.module.clone(),
            code: out.code,
            warnings: out
                .warnings
                .iter()
                .filter(|w| matches!(w.kind(), ErrorKind::Example(_)))
                .count(),
            strict,
        },
        Ok(Err(e)) => Outcome::Rejected(e),
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Hang,
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => Outcome::Panic(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "(no message)".to_owned()),
            ),
            Ok(()) => Outcome::Panic("the generator thread ended without an answer".to_owned()),
        },
    }
}

/// Type-checks every generated module together in a scratch crate that depends only on this
/// workspace's runtime crate (and what typify's types use); returns the compiler's complaints.
fn check_compiles(modules: &BTreeMap<String, String>) -> Result<(), String> {
    let workspace = crate::workspace_root();
    let dir = workspace.join("target/corpus-check");
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    let manifest = format!(
        r#"[package]
name = "corpus-check"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
asyncapi-runtime = {{ path = "{}", features = ["validate", "nats"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}
uuid = {{ version = "1", default-features = false, features = ["serde", "std"] }}
regress = "0.12"
"#,
        workspace.join("crates/asyncapi-runtime").display()
    );
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(dir.join("Cargo.toml"), &manifest)?;
    // The workspace's lock file pins the same versions, so nothing is fetched.
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lib =
        String::from("//! Every corpus document's generated module.\n#![deny(warnings)]\n");
    for (name, code) in modules {
        write(src.join(format!("{name}.rs")), code)?;
        lib.push_str(&format!("pub mod {name};\n"));
    }
    write(src.join("lib.rs"), &lib)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        // Clippy's lints too: generated code is held to what the workspace's own code is.
        .args([
            "clippy",
            "--offline",
            "--quiet",
            "--message-format",
            "short",
        ])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
