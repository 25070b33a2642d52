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

/// An account seed, in a file of this process's own: under the build's own scratch folder
/// (`target/tmp`), not the machine's shared one, where every run would leave a seed behind.
fn seed_file(name: &str, seed: &str) -> PathBuf {
    let file =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}.nk", std::process::id()));
    std::fs::write(&file, format!("{seed}\n")).unwrap();
    file
}

/// The claims of a user JWT, its signature checked against its issuer (nats-jwt-rs 0.1.1 cannot
/// read back a `resp` without `ttl`, which is what nats-server reads: checked by hand).
fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|e| panic!("{jwt}: {e}"))
    };
    let (signed, signature) = jwt.rsplit_once('.').expect("three parts");
    let (_, payload) = signed.split_once('.').expect("three parts");
    let claims: serde_json::Value = serde_json::from_slice(&decode(payload)).unwrap();
    let issuer = nkeys::KeyPair::from_public_key(claims["iss"].as_str().unwrap()).unwrap();
    issuer
        .verify(signed.as_bytes(), &decode(signature))
        .expect("signed by its issuer");
    claims
}

#[test]
fn a_roles_permissions_become_a_user_jwt_signed_by_the_account() {
    let account = nkeys::KeyPair::new_account();
    let file = seed_file("account", &account.seed().unwrap());
    let seed = file.to_str().unwrap();
    // A `.creds` file: the JWT, then the user's seed.
    let out = permissions(&[
        "--role",
        "host",
        "--lattice",
        "default",
        "--creds",
        "--account-seed",
        seed,
        "--name",
        "host-1",
        "--expires",
        "30d",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let creds = String::from_utf8(out.stdout).unwrap();
    let jwt = creds
        .split("-----BEGIN NATS USER JWT-----\n")
        .nth(1)
        .and_then(|rest| rest.split('\n').next())
        .unwrap();
    let seed_line = creds
        .split("-----BEGIN USER NKEY SEED-----\n")
        .nth(1)
        .and_then(|rest| rest.split('\n').next())
        .unwrap();
    let user = nkeys::KeyPair::from_seed(seed_line).unwrap();
    let host = claims(jwt);
    assert_eq!(host["iss"], account.public_key());
    assert_eq!(
        host["sub"],
        user.public_key(),
        "the seed is the JWT's user's"
    );
    assert_eq!(host["name"], "host-1");
    assert_eq!(host["nats"]["type"], "user");
    let in_30_days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 30 * 86_400;
    assert!(
        (host["exp"].as_i64().unwrap() - in_30_days).abs() < 60,
        "{}",
        host["exp"]
    );
    let has = |claims: &serde_json::Value, direction: &str, subject: &str| {
        claims["nats"][direction]["allow"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s == subject))
    };
    assert!(has(&host, "pub", "wasmbus.evt.default.>"), "{host}");
    assert!(
        has(
            &host,
            "sub",
            "wasmbus.ctl.v1.default.link.put wasmbus.ctl.v1.default.link"
        ),
        "queue groups as in a configuration: {host}"
    );
    assert_eq!(host["nats"]["resp"]["max"], 1);

    // --jwt: the JWT alone; a client reads replies and answers nothing.
    let out = permissions(&[
        "--role",
        "client",
        "--lattice",
        "default",
        "--jwt",
        "--account-seed",
        seed,
    ]);
    assert!(out.status.success());
    let client = claims(String::from_utf8(out.stdout).unwrap().trim());
    assert!(client.get("exp").is_none(), "{client}");
    assert!(has(&client, "sub", "_INBOX.>"), "{client}");
    assert!(client["nats"].get("resp").is_none(), "{client}");
}

#[test]
fn bad_keys_and_expiries_are_refused_before_anything_is_printed() {
    let user = seed_file("user", &nkeys::KeyPair::new_user().seed().unwrap());
    let account = seed_file("account2", &nkeys::KeyPair::new_account().seed().unwrap());
    let garbage = seed_file("garbage", "SAnot-a-seed");
    let (user, account, garbage) = (
        user.to_str().unwrap(),
        account.to_str().unwrap(),
        garbage.to_str().unwrap(),
    );
    for (args, says) in [
        (vec!["--creds"], "--account-seed"),
        (
            vec!["--creds", "--account-seed", "/nowhere/seed.nk"],
            "/nowhere/seed.nk",
        ),
        (vec!["--creds", "--account-seed", garbage], "not a seed"),
        (
            vec!["--creds", "--account-seed", user],
            "signed by an account key",
        ),
        (
            vec![
                "--creds",
                "--account-seed",
                account,
                "--expires",
                "tomorrow",
            ],
            "--expires",
        ),
        (
            vec!["--creds", "--account-seed", account, "--expires", "0s"],
            "expires at once",
        ),
        (vec!["--creds", "--jwt", "--account-seed", account], "--jwt"),
        (
            vec!["--json", "--creds", "--account-seed", account],
            "--json",
        ),
        (vec!["--account-seed", account], "--creds or --jwt"),
    ] {
        let mut full = vec!["--role", "host", "--lattice", "default"];
        full.extend(&args);
        let out = permissions(&full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
