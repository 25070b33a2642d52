//! What users read: the text and JSON each command prints, as snapshots. The other tests assert
//! the facts in them; these show any change of wording or layout for review.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs the command with `input` on stdin; returns exit code, stdout and stderr as one text.
fn run(args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmcloud-protocol"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let written = child.stdin.take().unwrap().write_all(input.as_bytes());
    // A command refused for its arguments exits before reading its input.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    format!(
        "$ wasmcloud-protocol {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

#[test]
fn help() {
    insta::assert_snapshot!(run(&["--help"], ""));
}

/// Every command, for `--help` of each.
const COMMANDS: &[&str] = &[
    "subjects",
    "match",
    "subject",
    "validate",
    "schema",
    "permissions",
];

#[test]
fn help_of_each_command() {
    let helps: Vec<String> = COMMANDS.iter().map(|c| run(&[c, "--help"], "")).collect();
    for (command, help) in COMMANDS.iter().zip(&helps) {
        assert!(
            help.contains("exit 0\n--- stdout\n")
                && help.contains(&format!("Usage: wasmcloud-protocol {command}")),
            "{help}"
        );
    }
    insta::assert_snapshot!(helps.join("\n"));
}

#[test]
fn version_is_the_crate_version() {
    assert_eq!(
        run(&["--version"], ""),
        format!(
            "$ wasmcloud-protocol --version\nexit 0\n--- stdout\nwasmcloud-protocol {}\n--- stderr\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn subjects_as_text() {
    insta::assert_snapshot!(run(&["subjects"], ""));
}

#[test]
fn match_with_a_custom_prefix_and_account() {
    insta::assert_snapshot!(run(
        &[
            "match",
            &format!("ACCT.acme.ctl.v1.default.host.get.{HOST}"),
            "--ctl-prefix",
            "acme.ctl",
            "--account",
            "ACCT"
        ],
        ""
    ));
}

#[test]
fn match_without_a_channel() {
    insta::assert_snapshot!(run(&["match", "wasmbus.ctl.v2.default.host.ping"], ""));
}

#[test]
fn subject_of_an_operation_and_a_refused_value() {
    let host = format!("hostId={HOST}");
    let built = run(
        &["subject", "getHostInventory", "lattice=default", &host],
        "",
    );
    let refused = run(&["subject", "getHostInventory", "lattice=a.b", &host], "");
    insta::assert_snapshot!(format!("{built}\n{refused}"));
}

const BAD_SCALE: &str =
    r#"{"component_ref": "", "component_id": "hello", "host_id": 7, "count": -1, "extra": true}"#;

#[test]
fn validate_reports_every_violation_as_text() {
    insta::assert_snapshot!(run(
        &[
            "validate",
            "--message",
            "control-interface/ScaleComponentCommand",
            "-"
        ],
        BAD_SCALE
    ));
}

#[test]
fn validate_reports_every_violation_as_json() {
    insta::assert_snapshot!(run(
        &[
            "validate",
            "--subject",
            &format!("wasmbus.ctl.v1.default.component.scale.{HOST}"),
            "--json"
        ],
        BAD_SCALE
    ));
}

#[test]
fn usage_errors() {
    let unknown = run(
        &["validate", "--message", "control-interface/Nope", "-"],
        "{}",
    );
    let not_json = run(
        &[
            "validate",
            "--message",
            "control-interface/ScaleComponentCommand",
        ],
        "{not json",
    );
    let command = run(&["frobnicate"], "");
    insta::assert_snapshot!(format!("{unknown}\n{not_json}\n{command}"));
}

#[test]
fn permissions_of_each_role() {
    let outputs: Vec<String> = ["host", "client", "observer"]
        .iter()
        .map(|role| run(&["permissions", "--role", role, "--lattice", "default"], ""))
        .collect();
    insta::assert_snapshot!(outputs.join("\n"));
}

#[test]
fn permissions_as_json_with_a_prefix_an_account_and_an_inbox() {
    insta::assert_snapshot!(run(
        &[
            "permissions",
            "--role",
            "client",
            "--lattice",
            "default",
            "--ctl-prefix",
            "acme.ctl",
            "--account",
            "ACME",
            "--inbox-prefix",
            "_INBOX_alice",
            "--no-probe",
            "--publish",
            "$JS.API.>",
            "--json",
        ],
        ""
    ));
}

#[test]
fn permissions_of_a_real_host() {
    insta::assert_snapshot!(run(
        &[
            "permissions",
            "--role",
            "host",
            "--lattice",
            "default",
            "--real-host",
            "--no-probe"
        ],
        ""
    ));
}
