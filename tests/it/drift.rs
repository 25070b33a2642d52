//! The checked-in generated code is what the generator makes of the specs today
//! (rust-analyzer's `ensure_file_contents` pattern): regenerate in memory, compare with the files
//! on disk, and fail with a diff naming each stale file.

#[test]
fn generated_files_are_up_to_date() {
    let job = xtask::workspace_job().expect("the workspace job can be planned");
    let files = job
        .generate()
        .unwrap_or_else(|e| panic!("generation failed: {e}"));
    let drift = job.check(&files);
    if !drift.is_empty() {
        let report: Vec<String> = drift.iter().map(ToString::to_string).collect();
        panic!(
            "{}\n{} generated file(s) are stale: run `cargo xtask gen` and commit the result",
            report.join("\n"),
            drift.len()
        );
    }
}
