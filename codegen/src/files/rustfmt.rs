//! Laying out generated Rust: the generator's own (prettyplease) or the toolchain's rustfmt.

use std::io::Write;
use std::process::{Command, Stdio};

use super::JobError;

/// How a [`Job`](super::Job) lays out the Rust files it generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Through the toolchain's rustfmt (`$RUSTFMT`, or `rustfmt` on the `PATH`), so checked-in
    /// files pass `cargo fmt`; a run fails when it cannot be started.
    Rustfmt,
    /// As the generator prints it (prettyplease): no external tool, but `cargo fmt` would
    /// reformat it.
    Prettyplease,
}

fn program() -> String {
    std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned())
}

/// Whether [`Format::Rustfmt`] can work here: rustfmt starts and answers `--version`.
pub fn rustfmt_available() -> bool {
    Command::new(program())
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Formats generated code with the toolchain's rustfmt (edition 2021).
pub fn rustfmt(code: &str) -> Result<String, JobError> {
    let rustfmt = program();
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            JobError::Rustfmt(format!(
                "cannot run {rustfmt}: {e} (install it with `rustup component add rustfmt`)"
            ))
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = code.to_owned();
    // Written from another thread while this one reads: should rustfmt fill its stdout or stderr
    // pipe before it has read all of a large module, neither side would otherwise move.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| JobError::Rustfmt(format!("rustfmt failed: {e}")))?;
    let _ = writer.join();
    if !output.status.success() {
        return Err(JobError::Rustfmt(format!(
            "rustfmt rejected the generated code (a generator bug): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    String::from_utf8(output.stdout).map_err(|e| JobError::Rustfmt(format!("rustfmt output: {e}")))
}
