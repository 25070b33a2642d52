//! `permissions` prints what nats-server takes: each role's JSON in a `users` entry, and the
//! configuration block, are accepted by a real nats-server (`nats-server -t`), and bad values
//! are refused before anything is printed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn permissions(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmcloud-protocol"))
        .arg("permissions")
        .args(args)
        .output()
        .unwrap()
}

/// The server binary: `$NATS_SERVER`, or the one `cargo xtask setup` installed, pinned, in
/// `tests/tools/.venv` (as `workspace_tests::tools::nats_server` finds it), never one on the `PATH`.
fn nats_server() -> PathBuf {
    std::env::var_os("NATS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tools/.venv/bin/nats-server")
        })
}

/// Whether nats-server accepts the configuration, and what it said.
fn accepted(config: &str, name: &str) -> (bool, String) {
    let file = std::env::temp_dir().join(format!("{}-{name}.conf", std::process::id()));
    std::fs::write(&file, config).unwrap();
    let out = Command::new(nats_server())
        .arg("-t")
        .arg("-c")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run `cargo xtask setup` once (`cargo xtask test` does it too)",
                nats_server().display()
            )
        });
    let _ = std::fs::remove_file(&file);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn each_roles_json_is_a_users_entry_nats_server_accepts() {
    for (role, extra) in [
        ("host", None),
        ("client", None),
        ("observer", None),
        ("host", Some("--real-host")),
    ] {
        let args = |json: bool| {
            let mut args = vec!["--role", role, "--lattice", "default"];
            args.extend(extra);
            if json {
                args.push("--json");
            }
            args
        };
        let out = permissions(&args(true));
        assert!(out.status.success(), "{role}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let object = json.as_object().unwrap();
        for key in object.keys() {
            assert!(
                ["publish", "subscribe", "allow_responses"].contains(&key.as_str()),
                "{role}: {key}"
            );
        }
        for direction in ["publish", "subscribe"] {
            let rules = object[direction].as_object().unwrap();
            assert!(
                rules.keys().all(|k| k == "allow" || k == "deny") && !rules.is_empty(),
                "{role} {direction}: {rules:?}"
            );
        }
        assert_eq!(object.contains_key("allow_responses"), role == "host");
        let config = format!(
            "authorization {{ users = [ {{\"user\": \"{role}\", \"password\": \"pw\", \"permissions\": {json}}} ] }}"
        );
        let (ok, said) = accepted(&config, role);
        assert!(ok, "{role}: {said}\n{config}");

        let text = permissions(&args(false));
        let block = String::from_utf8(text.stdout).unwrap();
        let config = format!(
            "authorization {{\n  users = [\n    {{\n      user: {role}\n      password: pw\n{block}    }}\n  ]\n}}\n"
        );
        let (ok, said) = accepted(&config, &format!("{role}-text"));
        assert!(ok, "{role}: {said}\n{config}");
    }
}

#[test]
fn a_server_that_is_given_a_broken_entry_refuses_it() {
    // The check above can fail: nats-server does read the permissions it is given.
    let (ok, _) = accepted(
        "authorization { users = [ {user: a, password: b, permissions: {publish: {allow: 3}}} ] }",
        "broken",
    );
    assert!(!ok);
}

#[test]
fn bad_values_are_refused_before_anything_is_printed() {
    for args in [
        &["--role", "client", "--lattice", "a.b"][..],
        &["--role", "client", "--lattice", "*"],
        &["--role", "client", "--inbox-prefix", "_INBOX.>"],
        &["--role", "client", "--publish", "a..b"],
        &["--role", "client", "--subscribe", "a.>.b"],
        &["--role", "client", "--account", "a.b"],
        &["--role", "admin"],
        &["--role", "client", "--real-host"],
        // Roles that read no replies: an inbox prefix would change nothing.
        &["--role", "observer", "--inbox-prefix", "_INBOX_dash"],
        &[
            "--role",
            "host",
            "--real-host",
            "--inbox-prefix",
            "_INBOX_host",
        ],
    ] {
        let out = permissions(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}
