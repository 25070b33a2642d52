//! Instruction counts by valgrind's callgrind, for the benches that give them (`scale --
//! instructions` here, `instructions` in the protocol crate, which includes this file): the
//! running bench started again under callgrind, and the count callgrind reports.

use std::path::Path;
use std::process::{Command, Output};

/// The running program again, under callgrind with `args`, its profile written to `profile`
/// (`/dev/null` to keep none).
pub fn command(args: &[&str], profile: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", profile.display()))
        .arg(std::env::current_exe().expect("the running program"))
        .args(args);
    command
}

/// The instruction count in callgrind's report on a finished process, or why there is none.
pub fn instruction_count(out: &Output) -> Result<u64, String> {
    let report = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the process under valgrind failed:\n{report}"));
    }
    report
        .lines()
        .find_map(|line| {
            line.split_once("refs:")
                .map(|(_, n)| n.trim().replace(',', ""))
        })
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no instruction count in valgrind's report:\n{report}"))
}
