//! `cargo xtask gen` as maintainers run it, against a scratch copy of the workspace: drift is
//! reported with a diff, and a broken spec fails with one located line and writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const SPEC: &str = "specs/control-interface.yaml";
const GENERATED: &str = "crates/wasmcloud-protocol/src/generated/control_interface.rs";

struct Scratch {
    dir: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `<tmp>/ws` holds what `cargo xtask gen` reads and writes, and nothing else.
fn scratch() -> Scratch {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "xtask-cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let real = xtask::workspace_root();
    let ws = dir.join("ws");
    for sub in [
        "specs",
        xtask::FIXTURES_DIR,
        xtask::OUT_DIR,
        xtask::SCHEMA_DIR,
        xtask::FIXTURES_OUT_DIR,
    ] {
        copy_dir(&real.join(sub), &ws.join(sub));
    }
    Scratch { dir }
}

impl Scratch {
    fn ws(&self) -> PathBuf {
        self.dir.join("ws")
    }

    fn xtask(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .env("XTASK_WORKSPACE_ROOT", self.ws())
            .output()
            .unwrap()
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.ws().join(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.ws().join(rel), text).unwrap();
    }

    /// Every generated file, byte for byte.
    fn generated(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    out.push((path, bytes));
                }
            }
        }
        let mut out = Vec::new();
        for dir in [xtask::OUT_DIR, xtask::SCHEMA_DIR, xtask::FIXTURES_OUT_DIR] {
            walk(&self.ws().join(dir), &mut out);
        }
        out.sort();
        out
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_clean_tree_is_up_to_date_and_gen_changes_nothing() {
    let s = scratch();
    let before = s.generated();
    let check = s.xtask(&["gen", "--check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let gen = s.xtask(&["gen"]);
    assert!(gen.status.success(), "{}", stderr(&gen));
    assert_eq!(s.generated(), before);
}

#[test]
fn an_edited_description_is_drift_until_regenerated() {
    let s = scratch();
    let spec = s.read(SPEC);
    let edited = spec.replacen(
        "  description: ",
        "  description: Edited by a maintainer. ",
        1,
    );
    assert_ne!(spec, edited);
    s.write(SPEC, &edited);

    let check = s.xtask(&["gen", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let err = stderr(&check);
    assert!(
        err.contains(&format!("{GENERATED} is not up to date")),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with('+') && l.contains("Edited by a maintainer.")),
        "the diff shows the change: {err}"
    );

    let gen = s.xtask(&["gen"]);
    assert!(gen.status.success(), "{}", stderr(&gen));
    assert!(String::from_utf8_lossy(&gen.stdout).contains(&format!("updated {GENERATED}")));
    let check = s.xtask(&["gen", "--check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}

/// Applies `edit` to the spec, runs `cargo xtask gen`, and returns its one error line (and the
/// edited spec) after checking that nothing was written.
fn broken(edit: impl FnOnce(&str) -> String) -> (String, String) {
    let s = scratch();
    let spec = s.read(SPEC);
    let changed = edit(&spec);
    assert_ne!(spec, changed, "the edit must change the spec");
    s.write(SPEC, &changed);
    let before = s.generated();
    let out = s.xtask(&["gen"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(s.generated(), before, "a failed run must not write");
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    let line = lines[0].to_owned();
    assert!(
        line.starts_with(&format!("error: {SPEC}:")),
        "names the file: {line}"
    );
    (line, changed)
}

/// The line number in `error: file:LINE: ...`, and the text at that line of `text`.
fn line_of(error: &str, text: &str) -> String {
    let n: usize = error
        .split(':')
        .nth(2)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no line number in {error}"));
    text.lines().nth(n - 1).unwrap().to_owned()
}

#[test]
fn a_dangling_ref_names_the_ref() {
    let (line, edited) = broken(|s| {
        s.replacen(
            "$ref: '#/components/schemas/",
            "$ref: '#/components/schemas/Missing",
            1,
        )
    });
    assert!(
        line.contains("/$ref: bad $ref:") && line.contains("points at nothing"),
        "{line}"
    );
    assert!(
        line_of(&line, &edited).contains("#/components/schemas/Missing"),
        "{line}"
    );
}

#[test]
fn an_undeclared_channel_parameter_is_a_warning_that_names_the_channel() {
    let s = scratch();
    let spec = s.read(SPEC);
    let edited = spec.replacen(
        "address: wasmbus.ctl.v1.{lattice}.",
        "address: wasmbus.ctl.v1.{lattice}.{nowhere}.",
        1,
    );
    assert_ne!(spec, edited);
    s.write(SPEC, &edited);
    let out = s.xtask(&["gen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let warning = err
        .lines()
        .find(|l| l.starts_with(&format!("warning: {SPEC}:")))
        .unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(
        warning.contains("/address: channel parameter {nowhere} is not declared"),
        "{warning}"
    );
    let line = warning.replacen("warning: ", "error: ", 1);
    assert!(line_of(&line, &edited).contains("{nowhere}"), "{warning}");
}

#[test]
fn an_operation_named_twice_is_located_at_the_second() {
    let (line, edited) = broken(|s| {
        let names: Vec<&str> = s
            .lines()
            .skip_while(|l| *l != "operations:")
            .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
            .collect();
        s.replacen(&format!("{}\n", names[1]), &format!("{}\n", names[0]), 1)
    });
    assert!(
        line.contains("/operations/") && line.contains("appears twice in one mapping"),
        "{line}"
    );
    assert!(line_of(&line, &edited).trim().ends_with(':'), "{line}");
}

#[test]
fn a_yaml_syntax_error_gives_its_line() {
    let (line, _) = broken(|s| s.replacen("info:\n", "info:\n  title: [unclosed\n", 1));
    assert!(line.contains("syntax error"), "{line}");
    assert!(line.starts_with(&format!("error: {SPEC}:")), "{line}");
}

#[test]
fn an_unsupported_version_is_named() {
    let (line, edited) = broken(|s| s.replacen("asyncapi: 3.1.0", "asyncapi: 9.9.9", 1));
    assert!(
        line.contains("/asyncapi: unsupported AsyncAPI version \"9.9.9\""),
        "{line}"
    );
    assert_eq!(line_of(&line, &edited), "asyncapi: 9.9.9");
}

#[test]
fn custom_specs_generate_into_any_directory() {
    let s = scratch();
    let out = s.dir.join("out");
    let fixture = s
        .ws()
        .join(xtask::FIXTURES_DIR)
        .join("refs-across-files/spec.yaml");
    let run = s.xtask(&[
        "gen",
        "--spec",
        fixture.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let module = std::fs::read_to_string(out.join("spec.rs")).unwrap();
    assert!(module.contains("pub struct User {"), "{module}");
    assert!(std::fs::read_to_string(out.join("mod.rs"))
        .unwrap()
        .contains("pub mod spec;"));
    let check = s.xtask(&[
        "gen",
        "--spec",
        fixture.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--check",
    ]);
    assert!(check.status.success(), "{}", stderr(&check));
    let missing = s.xtask(&["gen", "--spec", "nope.yaml", "--out", out.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nope.yaml"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn an_example_that_breaks_its_schema_is_located() {
    let (line, edited) = broken(|s| s.replacen("          count: 5\n", "          count: -5\n", 1));
    assert!(
        line.contains("/components/messages/ScaleComponentCommand/examples/0/payload/count: example does not match its schema: /count:"),
        "{line}"
    );
    assert!(
        line_of(&line, &edited)
            .trim_start()
            .starts_with("count: -5"),
        "{line}"
    );
}
