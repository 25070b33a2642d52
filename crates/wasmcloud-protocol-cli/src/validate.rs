//! `validate` and `schema`.

use std::io::Read;

use wasmcloud_protocol::runtime::validate::{self, Side, ValidationError, Violation};
use wasmcloud_protocol::runtime::{MessageInfo, MAX_PAYLOAD_BYTES};
use wasmcloud_protocol::SPECS;

use crate::cli::{Schema, Validate};
use crate::output::{eprintln, printable, println, Json};
use crate::subjects::prefix;
use crate::{Outcome, Usage};

/// The message `spec/Message` names.
fn message_named(name: &str) -> Result<MessageInfo, Usage> {
    let (spec, message) = name.split_once('/').ok_or_else(|| {
        Usage(format!(
            "{name:?} is not <spec>/<Message> (e.g. control-interface/ScaleComponentCommand)"
        ))
    })?;
    let spec = SPECS
        .iter()
        .find(|s| s.id == spec)
        .ok_or_else(|| Usage(format!("no spec {spec:?}; the specs are {}", spec_names())))?;
    spec.message(message).copied().ok_or_else(|| {
        Usage(format!(
            "{} has no message {message:?}; its messages are {}",
            spec.id,
            spec.messages
                .iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn spec_names() -> String {
    SPECS.iter().map(|s| s.id).collect::<Vec<_>>().join(", ")
}

pub fn schema(args: &Schema) -> Result<Outcome, Usage> {
    let message = message_named(&args.message)?;
    crate::output::print(message.schema);
    Ok(Outcome::Ok)
}

/// What happened to one input.
enum Verdict {
    Valid(MessageInfo),
    Invalid(String, Vec<Violation>),
    /// A usage-level problem: unreadable, not JSON, unknown subject.
    Error(String),
}

/// Reads an input, but no more than one byte past the payload limit: the validator refuses what
/// is larger, and an endless stream must not fill memory first.
fn read_input(name: &str) -> std::io::Result<Vec<u8>> {
    let limit = MAX_PAYLOAD_BYTES as u64 + 1;
    let mut buf = Vec::new();
    if name == "-" {
        std::io::stdin().take(limit).read_to_end(&mut buf)?;
    } else {
        std::fs::File::open(name)?
            .take(limit)
            .read_to_end(&mut buf)?;
    }
    Ok(buf)
}

fn judge(body: &[u8], result: Result<MessageInfo, ValidationError>) -> Verdict {
    match result {
        Ok(m) => Verdict::Valid(m),
        // Read no further than a byte past the limit, the body's own size is unknown.
        Err(ValidationError::TooLarge { .. }) => Verdict::Error(format!(
            "larger than the {MAX_PAYLOAD_BYTES} bytes NATS carries by default"
        )),
        Err(ValidationError::NotJson(_)) if body.starts_with(b"\xEF\xBB\xBF") => Verdict::Error(
            "not JSON: it starts with a byte order mark (EF BB BF), which JSON on the wire must \
             not have (RFC 8259, section 8.1); save the file as UTF-8 without one"
                .to_owned(),
        ),
        Err(ValidationError::Invalid {
            spec,
            message,
            violations,
        }) => Verdict::Invalid(format!("{spec}/{message}"), violations),
        Err(ValidationError::Decode {
            spec,
            message,
            error,
        }) => Verdict::Invalid(
            format!("{spec}/{message}"),
            vec![Violation {
                instance: String::new(),
                schema: String::new(),
                message: format!("does not decode into the Rust type: {error}"),
            }],
        ),
        Err(other) => Verdict::Error(other.to_string()),
    }
}

pub fn run(args: &Validate) -> Result<Outcome, Usage> {
    // clap requires exactly one of the two, and the prefix and --reply with --subject only.
    let target = match (&args.subject, &args.message) {
        (Some(subject), _) => {
            let prefix = prefix(&args.prefix)?;
            let side = if args.reply {
                Side::Reply
            } else {
                Side::Request
            };
            // An unknown subject is a usage error, whatever the payloads.
            validate::messages_for_subject(SPECS, subject, &prefix, side)?;
            Target::Subject(subject.to_owned(), prefix, side)
        }
        (None, Some(name)) => Target::Message(message_named(name)?),
        (None, None) => unreachable!("clap requires --subject or --message"),
    };
    let inputs: Vec<String> = if args.files.is_empty() {
        vec!["-".to_owned()]
    } else {
        args.files.clone()
    };
    let mut results = Vec::new();
    for input in &inputs {
        let verdict = match read_input(input) {
            Err(e) => Verdict::Error(format!("cannot read: {e}")),
            Ok(body) => match &target {
                Target::Subject(subject, prefix, side) => judge(
                    &body,
                    wasmcloud_protocol::validate_subject(subject, prefix, *side, &body)
                        .map(|(m, _)| m),
                ),
                Target::Message(m) => judge(&body, validate::validate_bytes(m, &body).map(|_| *m)),
            },
        };
        results.push((input.as_str(), verdict));
    }
    let any_error = results.iter().any(|(_, v)| matches!(v, Verdict::Error(_)));
    let any_invalid = results
        .iter()
        .any(|(_, v)| matches!(v, Verdict::Invalid(..)));
    if args.json {
        let files = results
            .iter()
            .map(|(file, v)| {
                let mut fields = vec![("file", Json::value(*file))];
                match v {
                    Verdict::Valid(m) => {
                        fields.push(("message", Json::value(format!("{}/{}", m.spec, m.name))));
                        fields.push(("valid", Json::value(true)));
                        fields.push(("violations", Json::Array(Vec::new())));
                    }
                    Verdict::Invalid(m, violations) => {
                        fields.push(("message", Json::value(m.as_str())));
                        fields.push(("valid", Json::value(false)));
                        fields.push((
                            "violations",
                            Json::Array(
                                violations
                                    .iter()
                                    .map(|v| {
                                        Json::object([
                                            ("instance", Json::value(v.instance.as_str())),
                                            ("schema", Json::value(v.schema.as_str())),
                                            ("message", Json::value(v.message.as_str())),
                                        ])
                                    })
                                    .collect(),
                            ),
                        ));
                    }
                    Verdict::Error(e) => {
                        fields.push(("valid", Json::value(false)));
                        fields.push(("error", Json::value(e.as_str())));
                    }
                }
                Json::object(fields)
            })
            .collect();
        let report = Json::object([
            ("valid", Json::value(!any_error && !any_invalid)),
            ("files", Json::Array(files)),
        ]);
        println(&report.to_pretty());
    } else {
        for (file, v) in &results {
            let file = printable(file);
            match v {
                Verdict::Valid(m) => println(&format!("{file}: valid {}/{}", m.spec, m.name)),
                Verdict::Invalid(_, violations) => {
                    // Two schemas may refuse one value alike (an envelope's `allOf` and the
                    // message's own): the report has both, with their schema locations; here,
                    // where those are not shown, the line once.
                    let mut printed = std::collections::HashSet::new();
                    for violation in violations {
                        let line = format!("{file}: {}", printable(&violation.to_string()));
                        if printed.insert(line.clone()) {
                            println(&line);
                        }
                    }
                }
                Verdict::Error(e) => {
                    eprintln(&format!("wasmcloud-protocol: {file}: {}", printable(e)))
                }
            }
        }
    }
    Ok(if any_error {
        Outcome::UsageError
    } else if any_invalid {
        Outcome::No
    } else {
        Outcome::Ok
    })
}

enum Target {
    Subject(String, wasmcloud_protocol::runtime::SubjectPrefix, Side),
    Message(MessageInfo),
}
