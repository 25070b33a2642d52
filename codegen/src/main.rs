//! `asyncapi-codegen`: AsyncAPI documents to Rust modules, from the shell. The work is the
//! library's ([`asyncapi_codegen::files`]); this is arguments and what to print.

use std::path::PathBuf;
use std::process::ExitCode;

use asyncapi_codegen::files::{rustfmt_available, Format, Job};
use asyncapi_codegen::Views;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// AsyncAPI 2.0–2.6, 3.0 and 3.1 documents to Rust: payload types, subjects, operations, clients, validators.
#[derive(Parser)]
#[command(name = "asyncapi-codegen", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a Rust module for each AsyncAPI document into a directory.
    ///
    /// DIR gets one module per document (named after its file stem), a `mod.rs` declaring them,
    /// and `schemas/<spec>/<Message>.json`, each message's standalone JSON Schema (2020-12). DIR
    /// belongs to the generator: `.rs` files in it, and `.json` files under DIR/schemas, that a run
    /// does not produce are deleted. Only files whose text changed are replaced, each whole
    /// (through a temporary file and a rename); when any document fails, nothing is written.
    ///
    /// `$ref`s to relative files are followed; the network never is. Exits 0 on success, 1 when
    /// --check finds stale files, 2 on an error (naming the file, line and JSON pointer).
    Generate(Generate),
}

#[derive(Args)]
struct Generate {
    /// The AsyncAPI documents (2.0–2.6, 3.0, 3.1; YAML or JSON).
    #[arg(required = true, value_name = "SPEC")]
    specs: Vec<PathBuf>,
    /// Where the modules go.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The runtime the generated code calls [default: ::asyncapi_runtime, the asyncapi-runtime
    /// crate].
    #[arg(long, value_name = "PATH")]
    runtime: Option<String>,
    /// Compile the NATS client and responder only with this cargo feature of the crate the code
    /// goes into [default: always compiled].
    #[arg(long, value_name = "FEATURE")]
    nats_feature: Option<String>,
    /// Generate views too: payloads read in place, checked against their schemas while read
    /// (needs the runtime's `validate` feature).
    #[arg(long)]
    views: bool,
    /// Compile the views only with this cargo feature of the crate the code goes into (implies
    /// --views).
    #[arg(long, value_name = "FEATURE")]
    views_feature: Option<String>,
    /// A local copy of a remote document: `$ref`s to the URL in its `$id` resolve to it.
    #[arg(long = "with", value_name = "FILE")]
    local_copies: Vec<PathBuf>,
    /// Report message examples that break their schemas as warnings, not errors.
    #[arg(long)]
    lenient_examples: bool,
    /// A JSON Merge Patch (RFC 7396, YAML or JSON) applied to the document before it is read:
    /// what a framework's export cannot say, said beside it (one document only).
    #[arg(long, value_name = "FILE")]
    overlay: Option<PathBuf>,
    /// Write nothing; exit 1 with a diff when a generated file is stale.
    #[arg(long)]
    check: bool,
    /// How the Rust files are laid out.
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Layout::Auto)]
    format: Layout,
}

#[derive(Clone, Copy, ValueEnum)]
enum Layout {
    /// Rustfmt when it can be run, otherwise as with `prettyplease` (and a note on stderr)
    Auto,
    /// The toolchain's rustfmt ($RUSTFMT, or rustfmt on the PATH), so files pass `cargo fmt`;
    /// fail without it
    Rustfmt,
    /// The generator's own layout, without running rustfmt
    Prettyplease,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Generate(args) => generate(args),
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ExitCode::from(2)
    })
}

fn generate(args: Generate) -> Result<ExitCode, String> {
    let command = format!(
        "asyncapi-codegen generate {} --out {}",
        args.specs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        args.out.display()
    );
    let mut job = Job::custom(args.specs, args.out, args.runtime, command);
    let views = match (&args.views_feature, args.views) {
        (Some(feature), _) => Views::Feature(feature.clone()),
        (None, true) => Views::Always,
        (None, false) => Views::Off,
    };
    for group in &mut job.groups {
        group.nats_feature = args.nats_feature.clone();
        group.views = views.clone();
    }
    job.local_copies = args.local_copies;
    job.strict_examples = !args.lenient_examples;
    if args.overlay.is_some() && job.groups.iter().map(|g| g.specs.len()).sum::<usize>() != 1 {
        return Err("--overlay patches one document: give one spec".into());
    }
    job.overlay = args.overlay;
    job.format = match args.format {
        Layout::Rustfmt => Format::Rustfmt,
        Layout::Prettyplease => Format::Prettyplease,
        Layout::Auto if rustfmt_available() => Format::Rustfmt,
        Layout::Auto => {
            eprintln!(
                "note: rustfmt cannot be run ($RUSTFMT, or rustfmt on the PATH): the Rust files \
                 keep the generator's own layout, which `cargo fmt` would change"
            );
            Format::Prettyplease
        }
    };
    let up_to_date = job
        .run(args.check, "run the same command without --check")
        .map_err(|e| e.to_string())?;
    Ok(if up_to_date {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
