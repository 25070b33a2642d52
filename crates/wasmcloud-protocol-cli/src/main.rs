//! `wasmcloud-protocol`: the wasmCloud lattice protocol from the shell.

mod args;
mod output;
mod subjects;
mod validate;

use std::process::ExitCode;

const USAGE: &str = "\
usage: wasmcloud-protocol <command> [options]

commands:
  subjects [--json]                        every channel with its operations and messages
  match <subject> [--ctl-prefix P] [--account A]
                                           the channel and operation of a subject, as JSON
  subject <operationId> [name=value ...] [--ctl-prefix P] [--account A]
                                           the subject of an operation
  validate --subject <subject> [--reply] [--ctl-prefix P] [--account A] [--json] [FILE ... | -]
  validate --message <spec>/<Message> [--json] [FILE ... | -]
                                           check payloads against the message's schema (stdin
                                           when no FILE); every violation as
                                           <file>: <JSON pointer>: <message>
  schema <spec>/<Message>                  the message's standalone JSON Schema (2020-12)

exit codes: 0 success, 1 no match or an invalid payload, 2 usage error (unknown subject or message,
unreadable file, input that is not JSON or is over 1 MiB, invalid value)";

/// How a command ends.
pub enum Outcome {
    /// Success: exit 0.
    Ok,
    /// A negative answer (no channel matches, a payload is invalid): exit 1.
    No,
    /// A usage error already reported: exit 2.
    UsageError,
}

/// A usage error or an invalid value: printed, exit 2.
pub struct Usage(pub String);

impl<T: std::fmt::Display> From<T> for Usage {
    fn from(e: T) -> Self {
        Usage(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("subjects") => subjects::list(&args[1..]),
        Some("match") => subjects::matches(&args[1..]),
        Some("subject") => subjects::subject(&args[1..]),
        Some("validate") => validate::run(&args[1..]),
        Some("schema") => validate::schema(&args[1..]),
        Some("-h" | "--help" | "help") => {
            output::println(USAGE);
            Ok(Outcome::Ok)
        }
        Some(other) => Err(Usage(format!("unknown command {other:?}"))),
        None => Err(Usage("a command is needed".into())),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::No) => ExitCode::from(1),
        Ok(Outcome::UsageError) => ExitCode::from(2),
        Err(Usage(message)) => {
            eprintln!("wasmcloud-protocol: {message}");
            if !message.contains('\n') {
                eprintln!("(wasmcloud-protocol --help for usage)");
            }
            ExitCode::from(2)
        }
    }
}
