//! `subjects`, `match` and `subject`.

use serde_json::json;
use wasmcloud_protocol::runtime::{
    ChannelInfo, Direction, MessageInfo, OperationInfo, ReplyPattern, SpecInfo, SubjectError,
    SubjectPrefix,
};
use wasmcloud_protocol::SPECS;

use crate::cli::{Match, Prefix, Subject, Subjects};
use crate::output::{println, Json};
use crate::{Outcome, Usage};

/// The prefix from `--ctl-prefix` and `--account`.
pub fn prefix(args: &Prefix) -> Result<SubjectPrefix, Usage> {
    let mut prefix = SubjectPrefix::new();
    if let Some(root) = &args.ctl_prefix {
        prefix = prefix.with_root(root)?;
    }
    if let Some(account) = &args.account {
        prefix = prefix.with_account(account)?;
    }
    Ok(prefix)
}

fn pattern_name(p: ReplyPattern) -> &'static str {
    match p {
        ReplyPattern::None => "none",
        ReplyPattern::Single => "single",
        ReplyPattern::QueueGroup => "queue-group",
        ReplyPattern::ScatterGather => "scatter-gather",
    }
}

/// A message list as JSON: null, one name, or several names.
fn message_names(messages: &[MessageInfo]) -> Json {
    Json::value(match messages {
        [] => json!(null),
        [one] => json!(one.name),
        many => json!(many.iter().map(|m| m.name).collect::<Vec<_>>()),
    })
}

fn operations_on<'s>(
    spec: &'s SpecInfo,
    channel: &ChannelInfo,
) -> impl Iterator<Item = &'s OperationInfo> {
    let name = channel.name;
    spec.operations
        .iter()
        .filter(move |o| o.channel.name == name)
}

fn operation_json(op: &OperationInfo) -> Json {
    Json::object([
        ("operationId", Json::value(op.id)),
        ("request", message_names(op.messages)),
        ("reply", message_names(op.reply)),
        ("pattern", Json::value(pattern_name(op.pattern))),
        ("replyOptional", Json::value(op.reply_optional)),
    ])
}

/// Channels by name, for listing (routers try them most specific first instead).
fn channels_by_name(spec: &SpecInfo) -> Vec<&'static ChannelInfo> {
    let mut out = spec.channels.to_vec();
    out.sort_by_key(|c| c.name);
    out
}

pub fn list(args: &Subjects) -> Result<Outcome, Usage> {
    if args.json {
        let mut all = Vec::new();
        for spec in SPECS {
            for channel in channels_by_name(spec) {
                all.push(Json::object([
                    ("spec", Json::value(spec.id)),
                    ("channel", Json::value(channel.name)),
                    (
                        "params",
                        Json::value(channel.param_names().collect::<Vec<_>>()),
                    ),
                    (
                        "operations",
                        Json::Array(operations_on(spec, channel).map(operation_json).collect()),
                    ),
                ]));
            }
        }
        println(&Json::Array(all).to_pretty());
        return Ok(Outcome::Ok);
    }
    for spec in SPECS {
        println(&format!("{} ({} {})", spec.id, spec.title, spec.version));
        for channel in channels_by_name(spec) {
            println(&format!("  {}", channel.name));
            for op in operations_on(spec, channel) {
                let direction = match op.direction {
                    Direction::Publish => "publish",
                    Direction::Subscribe => "subscribe",
                };
                let request = match op.messages {
                    [one] => one.name.to_owned(),
                    many => format!("one of {} messages", many.len()),
                };
                let reply = match op.reply {
                    [] => String::new(),
                    [one] => format!(" -> {}", one.name),
                    many => format!(" -> one of {} messages", many.len()),
                };
                let optional = if op.reply_optional {
                    ", reply when asked"
                } else {
                    ""
                };
                println(&format!(
                    "    {} ({direction}, {}{optional}): {request}{reply}",
                    op.id,
                    pattern_name(op.pattern)
                ));
            }
        }
    }
    Ok(Outcome::Ok)
}

pub fn matches(args: &Match) -> Result<Outcome, Usage> {
    let subject = &args.subject;
    let prefix = prefix(&args.prefix)?;
    // A subject of a channel's shape with a value the channel does not allow: said, with the rule.
    let mut not_allowed = None;
    for spec in SPECS {
        let routed = spec.route(subject, &prefix);
        if let Err(e @ SubjectError::InvalidParameter { .. }) = &routed {
            not_allowed.get_or_insert_with(|| e.to_string());
        }
        if let Ok((channel, values)) = routed {
            let out = Json::object([
                ("spec", Json::value(spec.id)),
                ("channel", Json::value(channel.name)),
                (
                    "operations",
                    Json::value(
                        operations_on(spec, channel)
                            .map(|o| o.id)
                            .collect::<Vec<_>>(),
                    ),
                ),
                (
                    "params",
                    Json::object(values.into_iter().map(|(k, v)| (k, Json::value(v)))),
                ),
            ]);
            println(&out.to_pretty());
            return Ok(Outcome::Ok);
        }
    }
    let why = not_allowed.map_or_else(String::new, |e| format!(": {e}"));
    crate::output::eprintln(&format!(
        "wasmcloud-protocol: no channel matches {subject:?}{why}"
    ));
    Ok(Outcome::No)
}

/// The operation with this id in any spec.
pub fn find_operation(id: &str) -> Result<(&'static SpecInfo, &'static OperationInfo), Usage> {
    SPECS
        .iter()
        .find_map(|s| s.operation(id).map(|o| (s, o)))
        .ok_or_else(|| {
            Usage(format!(
                "no operation {id:?} (wasmcloud-protocol subjects lists them)"
            ))
        })
}

/// Matches a parameter name as given (`hostId`, `host_id`, `host-id`) to the channel's.
fn param_name(channel: &ChannelInfo, given: &str) -> Option<&'static str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "");
    channel
        .param_names()
        .find(|p| *p == given)
        .or_else(|| channel.param_names().find(|p| norm(p) == norm(given)))
}

pub fn subject(args: &Subject) -> Result<Outcome, Usage> {
    let id = &args.operation;
    let (_, op) = find_operation(id)?;
    let mut values = Vec::new();
    for a in &args.params {
        let (name, value) = a
            .split_once('=')
            .ok_or_else(|| Usage(format!("{a:?} is not name=value")))?;
        let param = param_name(op.channel, name).ok_or_else(|| {
            Usage(format!(
                "{id} has no parameter {name:?} (its parameters: {})",
                op.channel.param_names().collect::<Vec<_>>().join(", ")
            ))
        })?;
        // Two values for one parameter (perhaps under two of its spellings) is a mistake to
        // say, not a choice to make.
        if values.iter().any(|(seen, _)| *seen == param) {
            return Err(Usage(format!("{param} is given more than once")));
        }
        values.push((param, value));
    }
    let subject = op.channel.render(&values, &prefix(&args.prefix)?)?;
    println(&subject);
    Ok(Outcome::Ok)
}
