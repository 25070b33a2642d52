//! `wasmcloud-protocol`: the wasmCloud lattice protocol from the shell.

mod cli;
mod output;
mod permissions;
mod subjects;
mod validate;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// How a command ends.
pub enum Outcome {
    /// Success: exit 0.
    Ok,
    /// A negative answer (no channel matches, a payload is invalid): exit 1.
    No,
    /// A usage error already reported: exit 2.
    UsageError,
}

/// A usage error or an invalid value: printed, exit 2 (the code clap gives its own usage errors).
pub struct Usage(pub String);

impl<T: std::fmt::Display> From<T> for Usage {
    fn from(e: T) -> Self {
        Usage(e.to_string())
    }
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Subjects(args) => subjects::list(&args),
        Command::Match(args) => subjects::matches(&args),
        Command::Subject(args) => subjects::subject(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Schema(args) => validate::schema(&args),
        Command::Permissions(args) => permissions::run(&args),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::No) => ExitCode::from(1),
        Ok(Outcome::UsageError) => ExitCode::from(2),
        Err(Usage(message)) => {
            output::eprintln(&format!("wasmcloud-protocol: {message}"));
            if !message.contains('\n') {
                output::eprintln("(wasmcloud-protocol --help for usage)");
            }
            ExitCode::from(2)
        }
    }
}
