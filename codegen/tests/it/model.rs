//! The protocol model each construct fixture reads into, as an outline: channels with their
//! parameters and rules, operations with their messages, replies and queue groups, messages with
//! their payload types, and the names of the definitions that become Rust types. A change in how
//! the reader understands a document shows here, apart from any change in what the emitters print.

use std::fmt::Write;
use std::path::Path;

use asyncapi_codegen::model::{Direction, ReplyPattern};
use asyncapi_codegen::{read_spec, Spec};

use crate::{crate_dir, CrateLoader};

fn outline(spec: &Spec) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "spec {} (module {}), AsyncAPI {}",
        spec.id, spec.module, spec.asyncapi
    );
    let _ = writeln!(w, "title: {} {}", spec.title, spec.version);
    if let Some(root) = &spec.subject_root {
        let _ = writeln!(
            w,
            "subject root: {} (replaceable: {})",
            root.default, root.replaceable
        );
    }
    if spec.account_prefix {
        let _ = writeln!(w, "account prefix: yes");
    }
    if let Some(status) = &spec.reply_status {
        let _ = writeln!(w, "reply status: {} / {:?}", status.success, status.message);
    }
    for channel in &spec.channels {
        let _ = writeln!(
            w,
            "\nchannel {} ({}) at {}",
            channel.name, channel.ident, channel.pointer
        );
        for p in &channel.parameters {
            let _ = writeln!(w, "  param {} ({}): {:?}", p.name, p.ident, p.rule);
            if let Some(field) = &p.payload_field {
                let _ = writeln!(w, "    also in the payload as {field}");
            }
        }
        for &i in &channel.operations {
            let op = &spec.operations[i];
            let direction = match op.direction {
                Direction::Publish => "publish",
                Direction::Subscribe => "subscribe",
            };
            let messages: Vec<&str> = op
                .messages
                .iter()
                .map(|&m| spec.messages[m].ident.as_str())
                .collect();
            let _ = writeln!(
                w,
                "  {direction} {} ({}) at {}: {}",
                op.id,
                op.ident,
                op.pointer,
                messages.join(" | ")
            );
            if let Some(reply) = &op.reply {
                let pattern = match reply.pattern {
                    ReplyPattern::Single => "single",
                    ReplyPattern::ScatterGather => "scatter-gather",
                };
                let replies: Vec<&str> = reply
                    .messages
                    .iter()
                    .map(|&m| spec.messages[m].ident.as_str())
                    .collect();
                let optional = if reply.optional { " (when asked)" } else { "" };
                let _ = writeln!(w, "    reply {pattern}{optional}: {}", replies.join(" | "));
            }
            if let Some(queue) = &op.queue {
                let _ = writeln!(w, "    queue {queue}");
            }
            if let Some(d) = &op.dispatch {
                let variants: Vec<String> = d
                    .variants
                    .iter()
                    .map(|(m, tag)| format!("{tag} => {}", spec.messages[*m].ident))
                    .collect();
                let _ = writeln!(
                    w,
                    "    dispatch {} on {:?}: {}",
                    d.name,
                    d.tag,
                    variants.join(", ")
                );
            }
        }
    }
    let _ = writeln!(w);
    for m in &spec.messages {
        let payload = m.payload.as_deref().unwrap_or("(no payload)");
        let _ = writeln!(
            w,
            "message {} ({}) {}: {payload}, {} example(s), at {}#{}",
            m.name,
            m.ident,
            m.content_type,
            m.examples.len(),
            m.file.display(),
            m.pointer
        );
    }
    let _ = writeln!(w);
    for (name, d) in &spec.definitions {
        let _ = writeln!(w, "type {name} from {}#{}", d.file.display(), d.pointer);
    }
    out
}

#[test]
fn every_fixture_reads_into_its_model() {
    let mut seen = 0;
    for entry in std::fs::read_dir(crate_dir().join("tests/fixtures")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let dir = Path::new("tests/fixtures").join(&name);
        let mut specs: Vec<_> = std::fs::read_dir(crate_dir().join(&dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".yaml"))
            .collect();
        specs.sort();
        for file in specs {
            let path = dir.join(&file);
            // Refused, as the official parser refuses it (`as_received.rs`).
            if path.ends_with("as-received/lattice-events.yaml") {
                continue;
            }
            let spec = read_spec(&CrateLoader, &path).unwrap_or_else(|e| panic!("{e}"));
            let snapshot = format!("{name}__{}", file.trim_end_matches(".yaml"));
            insta::assert_snapshot!(snapshot, outline(&spec));
            seen += 1;
        }
    }
    assert!(seen >= 15, "{seen} fixture specs");
}
