//! A job run as the commands run it (`asyncapi-codegen generate`, `cargo xtask gen`), with what
//! they print.

use super::{Job, JobError};

impl Job {
    /// Generates, then checks or writes, and reports as the commands do: warnings and stale
    /// files (with their diffs, then `stale_hint`) on stderr, files written and a count on
    /// stdout. With `check` nothing is written; returns whether every file was up to date
    /// (always `true` without `check`). Nothing is written when generation fails.
    pub fn run(&self, check: bool, stale_hint: &str) -> Result<bool, JobError> {
        let (files, warnings) = self.generate_with_warnings()?;
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        if check {
            let drift = self.check(&files);
            if drift.is_empty() {
                println!("{} generated files are up to date", files.len());
                return Ok(true);
            }
            for d in &drift {
                eprintln!("{d}");
            }
            eprintln!("{} generated file(s) are stale: {stale_hint}", drift.len());
            return Ok(false);
        }
        let changed = self.write(&files).map_err(JobError::Write)?;
        for path in &changed {
            println!("updated {}", path.display());
        }
        println!("{} generated files, {} updated", files.len(), changed.len());
        Ok(true)
    }
}
