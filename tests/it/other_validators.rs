//! The exported JSON Schemas as services in other languages use them: ajv (Node.js) and
//! python-jsonschema, each with formats asserted, judge every payload we have with the same
//! verdict as our validator. The payloads: every example in both specs, the golden events, the
//! wasmCloud docs page's event examples, and the invalid payloads of `tests/data/invalid-payloads`.
//! The places where receivers are documented to be stricter than JSON Schema (the schemas'
//! `$comment`) are `tests/data/stricter-than-json-schema`: there the others accept and we refuse.
//!
//! `cargo xtask setup` installs both, pinned, in `tests/tools/` (`cargo xtask test` runs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use asyncapi_codegen::{read_spec, FsLoader};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::runtime::validate::validate_bytes;
use wasmcloud_protocol::runtime::MessageInfo;
use wasmcloud_protocol::SPECS;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A payload, the schema that judges it, and what we say of it.
#[derive(Serialize)]
pub(crate) struct Case {
    #[serde(skip)]
    pub(crate) label: String,
    schema: PathBuf,
    pub(crate) payload: String,
    #[serde(skip)]
    ours: Verdict,
    /// Whether the others are expected to agree with us (`false` where receivers are stricter).
    #[serde(skip)]
    same: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Verdict {
    valid: bool,
    pointers: Vec<String>,
}

fn message(spec: &str, name: &str) -> MessageInfo {
    *SPECS
        .iter()
        .find(|s| s.id == spec)
        .and_then(|s| s.message(name))
        .unwrap_or_else(|| panic!("no message {spec}/{name}"))
}

fn case(label: String, info: &MessageInfo, payload: String, same: bool) -> Case {
    let ours = match validate_bytes(info, payload.as_bytes()) {
        Ok(_) => Verdict {
            valid: true,
            pointers: Vec::new(),
        },
        Err(e) => Verdict {
            valid: false,
            pointers: vec![e.to_string()],
        },
    };
    Case {
        schema: root()
            .join("crates/wasmcloud-protocol/schemas")
            .join(info.spec)
            .join(format!("{}.json", info.name)),
        label,
        payload,
        ours,
        same,
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

fn event_case(label: String, path: &Path) -> Case {
    let payload = std::fs::read_to_string(path).unwrap();
    let json: Value = serde_json::from_str(&payload).unwrap();
    let tag = json["type"].as_str().unwrap();
    let (_, info) = LatticeEvent::TAGS
        .iter()
        .find(|(t, _)| *t == tag)
        .unwrap_or_else(|| panic!("{label}: no event {tag}"));
    case(label, info, payload, true)
}

/// `<dir>/<spec>/<message>/<case>.json`, each judged by the message's schema.
fn data_cases(dir: &str, same: bool) -> Vec<Case> {
    let mut out = Vec::new();
    for spec in files(&root().join("tests/data").join(dir)) {
        let spec_id = spec.file_name().unwrap().to_string_lossy().into_owned();
        for message_dir in files(&spec) {
            let name = message_dir
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let info = message(&spec_id, &name);
            for file in files(&message_dir) {
                let label = format!("{dir}/{spec_id}/{name}/{}", file.display());
                let payload = std::fs::read_to_string(&file).unwrap();
                out.push(case(label, &info, payload, same));
            }
        }
    }
    out
}

/// Every payload we have, each with its message's schema and our verdict.
pub(crate) fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for spec_file in ["control-interface.yaml", "lattice-events.yaml"] {
        let spec = read_spec(&FsLoader, &root().join("specs").join(spec_file))
            .unwrap_or_else(|e| panic!("{e}"));
        for m in &spec.messages {
            let info = message(&spec.id, &m.name);
            for example in &m.examples {
                let label = format!("{spec_file}#{}", example.pointer);
                out.push(case(label, &info, example.payload.to_string(), true));
            }
        }
    }
    for dir in ["tests/golden/events", "tests/data/docs-page-events"] {
        for path in files(&root().join(dir)) {
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            out.push(event_case(path.display().to_string(), &path));
        }
    }
    let invalid = data_cases("invalid-payloads", true);
    let stricter = data_cases("stricter-than-json-schema", false);
    for c in invalid.iter().chain(&stricter) {
        assert!(
            !c.ours.valid,
            "{}: meant to be refused, and we accept it",
            c.label
        );
    }
    out.extend(invalid);
    out.extend(stricter);
    out
}

/// Runs one of the other validators over every case; its verdicts, in order.
fn judge(program: &Path, script: &str, cases: &[Case]) -> Vec<Verdict> {
    let dir = workspace_tests::tools::dir();
    let input = std::env::temp_dir().join(format!(
        "other-validators-{}-{script}.json",
        std::process::id()
    ));
    std::fs::write(&input, serde_json::to_vec(cases).unwrap()).unwrap();
    let out = Command::new(program)
        .arg(dir.join(script))
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let _ = std::fs::remove_file(&input);
    assert!(
        out.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<Verdict> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdicts.len(), cases.len());
    verdicts
}

fn agree(who: &str, program: &Path, script: &str) {
    let cases = cases();
    let theirs = judge(program, script, &cases);
    let mut disagreements = Vec::new();
    for (c, t) in cases.iter().zip(&theirs) {
        let expected = if c.same { c.ours.valid } else { true };
        if t.valid != expected {
            disagreements.push(format!(
                "{}: {who} says {}, we say {} ({:?} / {:?})",
                c.label,
                if t.valid { "valid" } else { "invalid" },
                if c.ours.valid { "valid" } else { "invalid" },
                t.pointers,
                c.ours.pointers,
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} verdicts differ:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
    let (valid, invalid) = cases.iter().partition::<Vec<_>, _>(|c| c.ours.valid);
    let stricter = cases.iter().filter(|c| !c.same).count();
    println!(
        "{who} agrees on {} payloads: {} valid, {} invalid, {stricter} of them where receivers are stricter",
        cases.len(),
        valid.len(),
        invalid.len()
    );
    assert!(
        valid.len() >= 60 && invalid.len() >= 20,
        "{} valid, {} invalid",
        valid.len(),
        invalid.len()
    );
}

#[test]
fn ajv_agrees_with_us_on_every_payload() {
    // ajv.mjs imports ajv from the node_modules beside it.
    workspace_tests::tools::node_modules();
    agree("ajv", Path::new("node"), "ajv.mjs");
}

#[test]
fn python_jsonschema_agrees_with_us_on_every_payload() {
    agree(
        "python-jsonschema",
        &workspace_tests::tools::python(),
        "python_jsonschema.py",
    );
}
