//! `cargo xtask gen [--check]` and `cargo xtask gen --spec FILE... --out DIR [--check]`.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask gen [--check]
       cargo xtask gen --spec FILE... --out DIR [--runtime PATH] [--check]

  gen            regenerate the protocol crate from specs/
  --check        write nothing; exit 1 with a diff when a generated file is stale
  --spec FILE    generate a module for each given AsyncAPI document (with --out)
  --out DIR      where the modules for --spec go
  --runtime PATH runtime module the generated code calls (default ::wasmcloud_protocol::runtime)
  --with FILE    a local copy of a remote document: $refs to the URL in its $id resolve to it
  --lenient-examples
                 report message examples that break their schemas as warnings, not errors";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("gen") => {}
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Some(other) => return Err(format!("unknown command {other:?}\n\n{USAGE}")),
    }
    let mut check = false;
    let mut specs = Vec::new();
    let mut out = None;
    let mut runtime = None;
    let mut local_copies = Vec::new();
    let mut lenient = false;
    let mut in_specs = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" => in_specs = true,
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a directory")?)),
            "--runtime" => runtime = Some(args.next().ok_or("--runtime needs a path")?),
            "--with" => local_copies.push(PathBuf::from(args.next().ok_or("--with needs a file")?)),
            "--lenient-examples" => lenient = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s:?}\n\n{USAGE}")),
            _ if in_specs => specs.push(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}\n\n{USAGE}")),
        }
    }
    let job = match (specs.is_empty(), out) {
        (true, None) => {
            if runtime.is_some() || !local_copies.is_empty() || lenient {
                return Err(
                    "--runtime, --with and --lenient-examples only apply with --spec and --out"
                        .into(),
                );
            }
            xtask::Job::workspace().map_err(|e| e.to_string())?
        }
        (false, Some(out)) => {
            let mut job = xtask::Job::custom(specs, out, runtime);
            job.local_copies = local_copies;
            job.strict_examples = !lenient;
            job
        }
        (true, Some(_)) => return Err("--out needs at least one --spec FILE".into()),
        (false, None) => return Err("--spec needs --out DIR".into()),
    };
    let (files, warnings) = job.generate_with_warnings().map_err(|e| e.to_string())?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if check {
        let drift = xtask::check(&job, &files);
        if drift.is_empty() {
            println!("{} generated files are up to date", files.len());
            Ok(ExitCode::SUCCESS)
        } else {
            for d in &drift {
                eprintln!("{d}");
            }
            eprintln!(
                "{} generated file(s) are stale: run `cargo xtask gen` and commit the result",
                drift.len()
            );
            Ok(ExitCode::FAILURE)
        }
    } else {
        let changed = xtask::write(&job, &files).map_err(|e| e.to_string())?;
        for path in &changed {
            println!("updated {}", path.display());
        }
        println!("{} generated files, {} updated", files.len(), changed.len());
        Ok(ExitCode::SUCCESS)
    }
}
