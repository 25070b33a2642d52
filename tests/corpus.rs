//! The public AsyncAPI corpus (`../shared/corpus/asyncapi`, see its SOURCES.md), read from
//! `../shared`: every 2.x document either generates code that compiles, or is rejected with an
//! error naming the file, the JSON pointer and what is unsupported; never a panic.
//!
//! - The official 2.6.0 meta-schema decides which 2.x documents are valid (2.0-2.5 documents are
//!   checked as 2.6.0, the newest 2.x schema the corpus has): valid ones must generate, invalid
//!   ones must be rejected. The one exception allowed is a remote `$ref` with no local copy (the
//!   generator never uses the network); documents beside a spec that declare an `$id` are given as
//!   local copies.
//! - A document rejected only because an example breaks its own schema (the default) must
//!   generate with `--lenient-examples`.
//! - 3.x documents are refused, naming the version.
//! - Everything generated is type-checked together (`cargo check`, warnings denied) in a scratch
//!   crate, one module per document.
//!
//! This target prints its summary (`harness = false`), so CI shows the counts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use asyncapi_codegen::{generate, ErrorKind, FsLoader, Settings};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/asyncapi")
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
    serde_yaml::from_str::<Value>(&text).ok()
}

/// Documents (files with an `asyncapi` field), not the fragments they reference.
fn documents() -> Vec<(PathBuf, Value)> {
    let mut all = Vec::new();
    for dir in ["official-2.x", "official-3.0", "real-world"] {
        files(&corpus().join(dir), &mut all);
    }
    all.sort();
    all.into_iter()
        .filter_map(|p| {
            parse(&p)
                .filter(|v| v.get("asyncapi").is_some())
                .map(|v| (p, v))
        })
        .collect()
}

/// The verdict of the official 2.6.0 meta-schema, with the document's version set to 2.6.0.
fn meta_valid(validator: &jsonschema::Validator, doc: &Value) -> Result<(), String> {
    let mut doc = doc.clone();
    doc["asyncapi"] = "2.6.0".into();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .take(3)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Files beside a document that stand for remote documents (they declare an `$id`).
fn local_copies(doc: &Path) -> Vec<PathBuf> {
    let mut siblings = Vec::new();
    files(doc.parent().unwrap(), &mut siblings);
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
    },
    Rejected(asyncapi_codegen::Error),
}

fn run(path: &Path, id: &str) -> Outcome {
    let mut settings = Settings::default()
        .with_spec_id(id)
        .with_runtime_path("::wasmcloud_protocol::runtime");
    for copy in local_copies(path) {
        settings = settings.with_local_copy(copy);
    }
    let result = match generate(&FsLoader, path, &settings) {
        Err(e) if matches!(e.kind(), ErrorKind::Example(_)) => {
            generate(&FsLoader, path, &settings.with_lenient_examples())
        }
        other => other,
    };
    match result {
        Ok(out) => Outcome::Generated {
            module: out.spec.module.clone(),
            code: out.code,
            warnings: out.warnings.len(),
        },
        Err(e) => Outcome::Rejected(e),
    }
}

/// Type-checks every generated module together; returns the compiler's complaints.
fn check_compiles(modules: &BTreeMap<String, String>) -> Result<(), String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-check");
    let src = dir.join("src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).unwrap();
    let protocol = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/wasmcloud-protocol");
    let manifest = format!(
        r#"[package]
name = "corpus-check"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[features]
default = ["nats"]
nats = []

[dependencies]
wasmcloud-protocol = {{ path = "{}", features = ["validate", "nats"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}
uuid = {{ version = "1", default-features = false, features = ["serde", "std"] }}
regress = "0.12"
"#,
        protocol.display()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    // The workspace's lock file pins the same versions, so nothing is fetched.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let mut lib = String::from("//! Every corpus document's generated module.\n");
    for (name, code) in modules {
        std::fs::write(src.join(format!("{name}.rs")), code).unwrap();
        lib.push_str(&format!("pub mod {name};\n"));
    }
    std::fs::write(src.join("lib.rs"), lib).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--message-format", "short"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn main() {
    let started = Instant::now();
    let meta_schema: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("meta-schema/2.6.0-without-$id.json"))
            .expect("the 2.6.0 meta-schema"),
    )
    .unwrap();
    let validator = jsonschema::draft7::new(&meta_schema).expect("the meta-schema compiles");

    let mut failures = Vec::new();
    let mut modules = BTreeMap::new();
    let (mut generated, mut lenient, mut rejected_invalid, mut rejected_remote, mut refused_3x) =
        (0, 0, 0, 0, 0);
    let mut versions_seen = std::collections::BTreeSet::new();
    let mut lines = Vec::new();
    for (path, doc) in documents() {
        let rel = path.strip_prefix(corpus()).unwrap().display().to_string();
        let version = doc["asyncapi"].as_str().unwrap_or_default().to_owned();
        let module_id = format!(
            "c_{}",
            rel.to_ascii_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let outcome = run(&path, &module_id);
        if let Outcome::Rejected(e) = &outcome {
            let text = e.to_string();
            if text.contains("internal generator error") {
                failures.push(format!("{rel}: a panic: {text}"));
            }
            if e.file().as_os_str().is_empty() || !text.starts_with(&e.file().display().to_string())
            {
                failures.push(format!("{rel}: the error does not name its file: {text}"));
            }
        }
        if version.starts_with("3.") {
            match &outcome {
                Outcome::Rejected(e) if matches!(e.kind(), ErrorKind::UnsupportedVersion(v) if *v == version) => {
                    refused_3x += 1
                }
                _ => failures.push(format!(
                    "{rel}: a {version} document must be refused, naming the version"
                )),
            }
            continue;
        }
        versions_seen.insert(version.clone());
        let verdict = meta_valid(&validator, &doc);
        let line = match (&verdict, outcome) {
            (
                Ok(()),
                Outcome::Generated {
                    module,
                    code,
                    warnings,
                },
            ) => {
                modules.insert(module, code);
                if warnings > 0 {
                    lenient += 1;
                    format!("generated with {warnings} example warning(s)")
                } else {
                    generated += 1;
                    "generated".to_owned()
                }
            }
            (Ok(()), Outcome::Rejected(e)) if matches!(e.kind(), ErrorKind::Reference(m) if m.contains("remote reference")) =>
            {
                rejected_remote += 1;
                format!("rejected (valid, but reaches the network): {e}")
            }
            (Ok(()), Outcome::Rejected(e)) => {
                failures.push(format!(
                    "{rel}: valid per the meta-schema but rejected: {e}"
                ));
                format!("REJECTED: {e}")
            }
            (Err(why), Outcome::Generated { .. }) => {
                failures.push(format!(
                    "{rel}: invalid per the meta-schema ({why}) but generated"
                ));
                "GENERATED though invalid".to_owned()
            }
            (Err(_), Outcome::Rejected(e)) => {
                if e.pointer().is_empty() {
                    failures.push(format!("{rel}: the rejection has no JSON pointer: {e}"));
                }
                rejected_invalid += 1;
                format!("rejected (invalid): {e}")
            }
        };
        lines.push(format!("  {rel} ({version}): {line}"));
    }

    println!("AsyncAPI corpus: {} documents", lines.len() + refused_3x);
    // Errors name files by their full path; within the corpus the relative one is enough.
    let root = format!("{}/", corpus().canonicalize().unwrap().display());
    for line in &lines {
        let line = line.replace(&root, "");
        println!("{}", line.chars().take(300).collect::<String>());
    }
    println!(
        "2.x: {generated} generated, {lenient} generated with --lenient-examples, {rejected_invalid} rejected as invalid, {rejected_remote} rejected for remote $refs; 3.x: {refused_3x} refused"
    );
    println!(
        "2.x versions met: {}",
        versions_seen.into_iter().collect::<Vec<_>>().join(", ")
    );

    let compile = Instant::now();
    match check_compiles(&modules) {
        Ok(()) => println!(
            "the {} generated modules compile together, warnings denied ({:.1?})",
            modules.len(),
            compile.elapsed()
        ),
        Err(e) => failures.push(format!("the generated modules do not compile:\n{e}")),
    }
    println!("corpus test took {:.1?}", started.elapsed());
    if !failures.is_empty() {
        eprintln!("\n{} failure(s):", failures.len());
        for f in &failures {
            eprintln!("- {f}");
        }
        std::process::exit(1);
    }
}
