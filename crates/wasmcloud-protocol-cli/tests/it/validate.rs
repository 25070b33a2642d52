//! `wasmcloud-protocol validate` and `schema`: every exit code, both output forms.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasmcloud-protocol"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn golden(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/events")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

/// A scratch file holding `contents`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, contents: &str) -> Self {
        let path = std::env::temp_dir().join(format!("wp-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

#[test]
fn valid_payloads_exit_0() {
    let out = run(&[
        "validate",
        "--subject",
        "wasmbus.evt.default.host_heartbeat",
        &golden("host_heartbeat"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with(": valid lattice-events/HostHeartbeat\n"),
        "{}",
        text(&out.stdout)
    );
    // Several files, a message named directly, stdin.
    let out = run(&[
        "validate",
        "--subject",
        "wasmbus.evt.default.config_set",
        &golden("config_set"),
        &golden("config_set"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let scale = format!(
        r#"{{"component_ref": "ghcr.io/x:1", "component_id": "hello", "count": 5, "host_id": "{HOST}"}}"#
    );
    let out = run_stdin(
        &[
            "validate",
            "--message",
            "control-interface/ScaleComponentCommand",
            "-",
        ],
        scale.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run_stdin(
        &[
            "validate",
            "--message",
            "control-interface/ScaleComponentCommand",
        ],
        scale.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "no file reads stdin");
    // Replies, and the catch-all event subject choosing by `type`.
    let ack = br#"{"success": true, "message": "successfully started provider"}"#;
    let out = run_stdin(
        &[
            "validate",
            "--subject",
            &format!("wasmbus.ctl.v1.default.provider.start.{HOST}"),
            "--reply",
        ],
        ack,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run_stdin(
        &[
            "validate",
            "--subject",
            "ACCT.acme.ctl.v1.default.link.get",
            "--reply",
            "--ctl-prefix",
            "acme.ctl",
            "--account",
            "ACCT",
        ],
        br#"{"success": true, "message": "", "response": []}"#,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn invalid_payloads_exit_1_with_every_violation_on_its_own_line() {
    let wrong = Scratch::new(
        "wrong.json",
        r#"{"component_ref": "ghcr.io/x:1", "component_id": "hello", "max_instances": 5}"#,
    );
    let out = run(&[
        "validate",
        "--subject",
        &format!("wasmbus.ctl.v1.default.component.scale.{HOST}"),
        wrong.path(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in &lines {
        assert!(
            line.starts_with(&format!("{}: /: ", wrong.path())),
            "{line}"
        );
    }
    assert!(stdout.contains("\"count\" is a required property"));
    assert!(stdout.contains("\"host_id\" is a required property"));
    assert!(
        stdout.contains("max_instances"),
        "additional property named: {stdout}"
    );

    // The docs page's provider_stopped: second 88.
    let stopped = Scratch::new(
        "stopped.json",
        r#"{"id": "123e4567-e89b-12d3-a456-426614174000", "type": "com.wasmcloud.lattice.provider_stopped",
            "source": "NCQDNJWGAISVBPU4VF45AKDTOTU6NI74WZFNW73ZR7K7NJ72AV7PUDHP", "datacontenttype": "application/json",
            "specversion": "1.0", "time": "2023-06-13T01:12:88.856590Z",
            "data": {"host_id": "N1", "provider_id": "p", "annotations": {}, "reason": "stop"}}"#,
    );
    let out = run(&[
        "validate",
        "--subject",
        "wasmbus.evt.default.provider_stopped",
        &golden("provider_stopped"),
        stopped.path(),
    ]);
    assert_eq!(out.status.code(), Some(1), "one valid, one invalid");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("{}: /time: ", stopped.path())),
        "{stdout}"
    );
    assert!(stdout.contains(": valid lattice-events/ProviderStopped"));
}

#[test]
fn json_reports_are_machine_readable() {
    let bad = Scratch::new("bad.json", r#"{"key": 7}"#);
    let out = run(&[
        "validate",
        "--message",
        "control-interface/PutLabelCommand",
        "--json",
        bad.path(),
        &golden("config_set"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], bad.path());
    assert_eq!(files[0]["message"], "control-interface/PutLabelCommand");
    assert_eq!(files[0]["valid"], false);
    let pointers: Vec<&str> = files[0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["instance"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        ["", "/key"],
        "missing value, and a key that is not a string"
    );
    for v in files[0]["violations"].as_array().unwrap() {
        assert!(
            v["schema"]
                .as_str()
                .unwrap()
                .starts_with("/$defs/HostLabel"),
            "{v}"
        );
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    // config_set is not a label: additional properties are refused on commands.
    assert_eq!(files[1]["valid"], false);

    let out = run(&[
        "validate",
        "--subject",
        "wasmbus.evt.default.host_stopped",
        "--json",
        &golden("host_stopped"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["files"][0]["violations"], serde_json::json!([]));

    let out = run_stdin(
        &[
            "validate",
            "--message",
            "control-interface/PutLabelCommand",
            "--json",
        ],
        b"{not json",
    );
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["files"][0]["error"]
            .as_str()
            .unwrap()
            .contains("not JSON"),
        "{report}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["validate"],
        &[
            "validate",
            "--subject",
            "wasmbus.ctl.v1.default.host.pong",
            "x.json",
        ],
        &["validate", "--subject", "wasmbus.ctl.v1.prod/eu.host.ping"],
        &[
            "validate",
            "--subject",
            "wasmbus.ctl.v1.default.registry.put",
            "--reply",
        ],
        &["validate", "--message", "control-interface/NoSuchMessage"],
        &["validate", "--message", "no-such-spec/X"],
        &["validate", "--message", "ScaleComponentCommand"],
        &[
            "validate",
            "--message",
            "control-interface/EmptyRequest",
            "--reply",
        ],
        &["validate", "--message", "a/b", "--subject", "c"],
        // Both known: still one too many (the subject's message would win unsaid).
        &[
            "validate",
            "--subject",
            "wasmbus.evt.default.host_heartbeat",
            "--message",
            "control-interface/ScaleComponentCommand",
        ],
        &[
            "validate",
            "--message",
            "control-interface/HostLabel",
            "--bogus",
        ],
        &["schema"],
        &["schema", "control-interface/Nope"],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty(), "{args:?}");
    }
    let out = run(&[
        "validate",
        "--message",
        "control-interface/PutLabelCommand",
        "/no/such/file.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/no/such/file.json: cannot read"),
        "{}",
        text(&out.stderr)
    );
    let out = run_stdin(
        &["validate", "--message", "control-interface/PutLabelCommand"],
        b"{\"key\": ",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not JSON"));
    // An unreadable file outranks an invalid one.
    let bad = Scratch::new("bad2.json", r#"{"key": 7}"#);
    let out = run(&[
        "validate",
        "--message",
        "control-interface/PutLabelCommand",
        bad.path(),
        "/no/such/file.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn schema_prints_the_standalone_schema() {
    let out = run(&["schema", "control-interface/ScaleComponentCommand"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["$ref"], "#/$defs/ScaleComponentCommand");
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../wasmcloud-protocol/schemas/control-interface/ScaleComponentCommand.json");
    assert_eq!(text(&out.stdout), std::fs::read_to_string(file).unwrap());
    let out = run(&["schema", "lattice-events/HostHeartbeat"]);
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        schema["$defs"]["HostInventory"].is_object(),
        "the heartbeat's data comes along"
    );
}

/// Hostile payloads (see `tests/it/hostile_payloads.rs` for the library's share): a verdict and a
/// non-zero exit, never a crash, and no more read than the limit allows.
#[test]
fn hostile_payloads_get_a_verdict() {
    const MIB: usize = 1024 * 1024;
    let run = |body: &[u8]| {
        let mut child = bin()
            .args([
                "validate",
                "--subject",
                "wasmbus.evt.default.host_heartbeat",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // The CLI stops reading past the limit, so the rest may meet a closed pipe.
        let _ = stdin.write_all(body);
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        )
    };
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("deep", deep.into_bytes(), "recursion limit"),
        ("utf-8", b"{\"a\": \"\xff\"}".to_vec(), "invalid unicode"),
        ("number", br#"{"a": 1e400}"#.to_vec(), "number out of range"),
        (
            "large",
            vec![b' '; 64 * MIB],
            "larger than the 1048576 bytes",
        ),
        ("bom", b"\xEF\xBB\xBF{}".to_vec(), "byte order mark"),
    ];
    for (what, body, says) in cases {
        let (status, out) = run(&body);
        // Not JSON at all, or too large to be a message: exit 2, as for unreadable input.
        assert_eq!(status.code(), Some(2), "{what}: {status} {out}");
        assert!(!out.contains("panicked"), "{what}: {out}");
        assert!(out.contains(says), "{what}: {out:?} does not say {says:?}");
    }
}

/// A payload's keys reach the text report: a newline in one must not forge a line of it, nor an
/// escape sequence reach the terminal. A value refused by two schemas alike is one line there.
#[test]
fn text_reports_escape_what_payloads_put_in_them() {
    let body = br#"{"component_ref": "r", "component_id": "c", "host_id": "h", "count": 1,
        "annotations": {"x\nforged.json: valid control-interface/ScaleComponentCommand\n\u001b[31mRED": 1}}"#;
    let out = run_stdin(
        &[
            "validate",
            "--message",
            "control-interface/ScaleComponentCommand",
        ],
        body,
    );
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert_eq!(report.lines().count(), 1, "{report}");
    assert!(!report.contains('\u{1b}'), "{report:?}");
    assert!(
        report.starts_with("-: /annotations/x\\nforged.json: valid "),
        "{report:?}"
    );
    assert!(
        report.contains("\\u{1b}[31mRED: 1 is not of type"),
        "{report:?}"
    );
    // A right-to-left override and a line separator are escaped too.
    let out = run_stdin(
        &[
            "validate",
            "--message",
            "control-interface/ScaleComponentCommand",
        ],
        "{\"component_ref\": \"r\", \"component_id\": \"c\", \"host_id\": \"h\", \"count\": 1, \
         \"annotations\": {\"a\u{202e}b\u{2028}c\": 1}}"
            .as_bytes(),
    );
    let report = text(&out.stdout);
    assert!(
        report.starts_with("-: /annotations/a\\u{202e}b\\u{2028}c: 1 is not of type"),
        "{report:?}"
    );

    let out = run_stdin(
        &[
            "validate",
            "--subject",
            "wasmbus.evt.default.host_heartbeat",
        ],
        b"[]",
    );
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    let lines: Vec<&str> = report.lines().collect();
    let distinct: std::collections::BTreeSet<&str> = lines.iter().copied().collect();
    assert_eq!(lines.len(), distinct.len(), "{report}");
    // The JSON report keeps every violation, each with its schema location.
    let out = run_stdin(
        &[
            "validate",
            "--json",
            "--subject",
            "wasmbus.evt.default.host_heartbeat",
        ],
        b"[]",
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["files"][0]["violations"].as_array().unwrap().len() > lines.len(),
        "{json}"
    );
}

/// Errors still reach the exit code when stderr cannot be written to.
#[test]
fn a_full_stderr_is_no_panic() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = bin()
        .args(["validate", "--message", "no-such-spec/X"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// An integer as a typed receiver reads it: `1.0`, `1e2` and `-0` are JSON Schema integers that
/// serde's integer types refuse, each told with its pointer and how to write it.
#[test]
fn integers_are_judged_as_receivers_read_them() {
    for count in ["1.0", "1e2", "-0"] {
        let body = format!(
            r#"{{"component_ref": "r", "component_id": "c", "host_id": "h", "count": {count}}}"#
        );
        let out = run_stdin(
            &[
                "validate",
                "--message",
                "control-interface/ScaleComponentCommand",
            ],
            body.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(1), "{count}");
        assert_eq!(
            text(&out.stdout).trim(),
            "-: /count: an integer written with a fraction, an exponent or a minus on zero, \
             which typed receivers refuse: write it plainly (1, not 1.0; 0, not -0)",
            "{count}"
        );
    }
}

/// A command whose body names another host than its subject is invalid at the body's `host_id`:
/// the spec says the two are one value.
#[test]
fn a_command_for_another_host_than_its_subject_is_invalid() {
    let body = format!(
        r#"{{"component_ref": "r", "component_id": "c", "host_id": "{HOST}", "count": 1}}"#
    );
    let subject = "wasmbus.ctl.v1.default.component.scale.NBG37K5KJUZ3SRRCOTFG3IOIRA77FFG3HINLDD66HXCECGEHJ4VWB7RB";
    let out = run_stdin(&["validate", "--subject", subject], body.as_bytes());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("-: /host_id: the payload's `host_id` is"),
        "{}",
        text(&out.stdout)
    );
    let own = format!("wasmbus.ctl.v1.default.component.scale.{HOST}");
    let out = run_stdin(&["validate", "--subject", &own], body.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
