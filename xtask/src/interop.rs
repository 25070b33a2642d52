//! `cargo xtask interop`: the real-host interop suite (`real-host/`, a Cargo project of its own):
//! formatting, lints and tests, built in a target folder outside the checkout so that the host
//! (wasmtime and all) is compiled once per machine.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Where the suite builds unless told otherwise: `$CARGO_HOME`-like, per user, outside any clone.
pub fn default_target_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/wasmcloud-protocol/interop-target")
}

/// Runs `cargo fmt --check`, `cargo clippy -D warnings` and `cargo test` in `real-host/`.
pub fn run(target_dir: &Path) -> Result<ExitCode, String> {
    let project = crate::workspace_root().join("real-host");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let steps: [(&str, &[&str]); 3] = [
        ("cargo fmt --check", &["fmt", "--check"]),
        (
            "cargo clippy",
            &[
                "clippy",
                "--locked",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        // One test at a time: two real hosts, each with its JetStream server, would share two
        // cores, and a host that stalls drops a request its test has already answered.
        (
            "cargo test",
            &["test", "--locked", "--", "--test-threads=1"],
        ),
    ];
    for (name, args) in steps {
        let started = Instant::now();
        eprintln!("--- real-host: {name} (target {})", target_dir.display());
        // Cargo reads `real-host/.cargo/config.toml` (its rustc wrapper) only when run from there.
        let status = Command::new(&cargo)
            .args(args)
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", target_dir)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        eprintln!("--- real-host: {name} took {:.0?}", started.elapsed());
        if !status.success() {
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
