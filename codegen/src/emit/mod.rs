//! Rust source from the protocol model.

pub(crate) mod bindings;
mod consts;
mod defaults;
mod fields;
mod guard;
mod merges;
mod messages;
mod nats;
pub use nats::{method_name_problems, sides, OperationSides, SideMethod};
mod permissions;
mod subjects;
mod types;
mod views;

/// The messages of `spec` (indexes into its messages) that get a view.
pub(crate) fn viewed(spec: &Spec, schemas: &[crate::SchemaFile]) -> Vec<(usize, bool)> {
    views::viewed(spec, schemas)
}

pub(crate) use guard::contain;

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Error, ErrorKind, Result};
use crate::model::Spec;
use crate::Settings;

/// `#[doc]` attributes for spec prose, one per line.
pub(crate) fn doc(text: &str) -> TokenStream {
    plain_doc(&sanitize_doc(text))
}

/// `#[doc]` attributes for text the generator writes itself (Markdown meant as such).
pub(crate) fn plain_doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #(#[doc = #lines])* }
}

/// A doc comment's lines as rustdoc writes them: a space after `///` unless the line is empty.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect()
}

/// Inner `#![doc]` attributes for a module.
pub(crate) fn inner_doc(text: &str) -> TokenStream {
    let lines: Vec<String> = sanitize_doc(text)
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    quote! { #(#![doc = #lines])* }
}

/// Doc text reflowed to fit 100 columns after `indent` and `marker`: each paragraph of prose is
/// joined and wrapped as a whole (so a line break in the source text never leaves a stray short
/// line), list items keep their continuation indented, and code blocks, tables, headings and quotes
/// are kept line for line.
fn reflow_doc(out: &mut String, indent: &str, marker: &str, lines: &[&str]) {
    const WIDTH: usize = 100;
    let prefix = format!("{indent}{marker}");
    let width = WIDTH.saturating_sub(prefix.len() + 1).max(40);
    let mut in_code = false;
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut String| {
        for line in wrap_paragraph(paragraph, width) {
            push_doc_line(out, &prefix, &line);
        }
        paragraph.clear();
    };
    for &line in lines {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut paragraph, out);
            in_code = !in_code;
            push_doc_line(out, &prefix, line);
        } else if !in_code && line.is_empty() {
            // One empty line between paragraphs, however many the text has.
            flush(&mut paragraph, out);
            let blank = format!("{prefix}\n");
            if !out.ends_with(&blank) {
                out.push_str(&blank);
            }
        } else if in_code || is_block_line(line) {
            flush(&mut paragraph, out);
            push_doc_line(out, &prefix, line);
        } else if is_list_item(trimmed) {
            flush(&mut paragraph, out);
            paragraph.push(line);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, out);
}

/// Lines that are Markdown structure, not prose: kept as they are.
fn is_block_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    line.starts_with("    ") || ["|", "#", ">"].iter().any(|m| trimmed.starts_with(m))
}

fn is_list_item(trimmed: &str) -> bool {
    let ordered = trimmed
        .split_once(". ")
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    ordered || ["- ", "* ", "+ "].iter().any(|m| trimmed.starts_with(m))
}

/// One paragraph (or list item and its continuation) as lines of at most `width` characters
/// where words allow.
fn wrap_paragraph(lines: &[&str], width: usize) -> Vec<String> {
    let Some(first) = lines.first() else {
        return Vec::new();
    };
    let lead = &first[..first.len() - first.trim_start().len()];
    let continuation = if is_list_item(first.trim_start()) {
        format!("{lead}  ")
    } else {
        lead.to_owned()
    };
    let mut out = Vec::new();
    let mut line = lead.to_owned();
    for word in lines.iter().flat_map(|l| l.split_whitespace()) {
        if line.trim().is_empty() {
            line.push_str(word);
        } else if line.len() + 1 + word.len() > width {
            out.push(std::mem::replace(
                &mut line,
                format!("{continuation}{word}"),
            ));
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    out.push(line);
    out
}

fn push_doc_line(out: &mut String, prefix: &str, text: &str) {
    out.push_str(prefix);
    if !text.is_empty() {
        out.push(' ');
        out.push_str(text);
    }
    out.push('\n');
}

/// Inner doc lines written by the generator itself (not spec prose), unescaped.
fn plain_inner_doc(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    let lines = if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    };
    quote! { #(#![doc = #lines])* }
}

/// Spec text is prose, not Markdown written for rustdoc: brackets and angle brackets are escaped
/// so they are not read as links or HTML, and bare URLs become autolinks.
pub(crate) fn sanitize_doc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.trim_end().split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let is_url = word.starts_with("http://") || word.starts_with("https://");
        if is_url {
            let url = word.trim_end_matches(['.', ',', ';', ':', ')', '\'', '"']);
            let rest = &word[url.len()..];
            out.push('<');
            out.push_str(url);
            out.push('>');
            out.push_str(rest);
        } else {
            for c in word.chars() {
                if matches!(c, '[' | ']' | '<' | '>') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

/// A file name made of the safe characters of `name`.
fn file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Names Windows reserves for devices, whatever the extension.
    let reserved = ["CON", "PRN", "AUX", "NUL"]
        .iter()
        .any(|r| safe.eq_ignore_ascii_case(r))
        || (safe.len() == 4
            && ["COM", "LPT"]
                .iter()
                .any(|p| safe.get(..3).is_some_and(|s| s.eq_ignore_ascii_case(p)))
            && safe.as_bytes()[3].is_ascii_digit());
    if safe.starts_with('.') || safe.is_empty() || reserved {
        format!("_{safe}")
    } else {
        safe
    }
}

/// The standalone schema of every message, in message order. File names stay distinct even on
/// file systems that ignore case, so no schema overwrites another.
pub(crate) fn schema_files(spec: &Spec) -> Vec<crate::SchemaFile> {
    let mut taken = std::collections::HashSet::new();
    spec.messages
        .iter()
        .map(|m| {
            let json = serde_json::to_string_pretty(&crate::standalone::standalone(spec, m))
                .expect("JSON values serialize");
            let stem = file_name(&m.name);
            let stem = std::iter::once(stem.clone())
                .chain((2..).map(|n| format!("{stem}-{n}")))
                .find(|s| taken.insert(s.to_lowercase()))
                .expect("an unbounded range always yields a free name");
            crate::SchemaFile {
                message: m.name.clone(),
                path: format!("{}/{stem}.json", file_name(&spec.id)),
                json: json + "\n",
            }
        })
        .collect()
}

/// The whole generated module for a spec, formatted.
pub(crate) fn module(
    spec: &Spec,
    settings: &Settings,
    schemas: &[crate::SchemaFile],
) -> Result<String> {
    let runtime: TokenStream = settings.runtime_path.parse().map_err(|_| {
        Error::new(
            &spec.path,
            "",
            ErrorKind::Unsupported(format!(
                "runtime path {:?} is not a Rust path",
                settings.runtime_path
            )),
        )
    })?;
    let types = types::emit(spec, &runtime)?;
    let schema_exprs: Vec<TokenStream> = schemas
        .iter()
        .map(|f| match &settings.schema_include {
            Some(dir) => {
                let path = format!("{}/{}", dir.trim_end_matches('/'), f.path);
                quote!(include_str!(#path))
            }
            None => {
                let json = &f.json;
                quote!(#json)
            }
        })
        .collect();
    let views_gate = match &settings.views {
        crate::Views::Off => None,
        crate::Views::Always => Some(TokenStream::new()),
        crate::Views::Feature(feature) => Some(quote!(#[cfg(feature = #feature)])),
    };
    let messages = messages::emit(spec, &runtime, &schema_exprs, views_gate.as_ref());
    let subjects = subjects::subjects(spec, &runtime);
    let bindings = bindings::all(spec);
    let operations = subjects::operations(spec, &runtime, &bindings, views_gate.as_ref());
    let permissions = permissions::emit(spec, &runtime);
    let gate = match &settings.nats_feature {
        Some(feature) => quote::quote!(#[cfg(feature = #feature)]),
        None => TokenStream::new(),
    };
    let (views, viewed) = match &views_gate {
        Some(views_gate) => views::emit(spec, &runtime, schemas, views_gate),
        None => (TokenStream::new(), Vec::new()),
    };
    let in_place = views_gate.map(|gate| nats::InPlace {
        viewed: &viewed,
        gate,
    });
    let nats = nats::emit(spec, &runtime, &gate, in_place.as_ref());
    let reexports = nats::reexports(spec, &gate);

    let mut header = String::new();
    if let Some(h) = &settings.header {
        header.push_str(h);
        header.push_str("\n\n");
    }
    header.push_str(&format!("# {} ({})", spec.title, spec.version));
    let mut header_doc = plain_inner_doc(&header);
    if let Some(d) = &spec.description {
        header_doc.extend(plain_inner_doc(""));
        header_doc.extend(inner_doc(d));
    }
    let id = &spec.id;
    let title = &spec.title;
    let version = &spec.version;
    let asyncapi = &spec.asyncapi;

    let file = quote! {
        #header_doc

        #reexports

        /// Short name of the spec this module is generated from.
        pub const SPEC: &str = #id;
        /// `info.title` of the spec.
        pub const TITLE: &str = #title;
        /// `info.version` of the spec.
        pub const VERSION: &str = #version;
        /// The AsyncAPI version the spec is written in.
        pub const ASYNCAPI_VERSION: &str = #asyncapi;

        /// The spec at a glance: its channels, operations, messages and roles.
        pub const INFO: #runtime::SpecInfo = #runtime::SpecInfo {
            id: SPEC,
            title: TITLE,
            version: VERSION,
            channels: subjects::channels::ALL,
            operations: operations::ALL,
            messages: messages::ALL,
            roles: permissions::ALL,
        };

        /// Payload and schema types, one per schema of the spec.
        pub mod types {
            #types
        }

        #messages

        #subjects

        #operations

        #permissions

        #views

        #nats
    };
    let file: syn::File = syn::parse2(file).map_err(|e| {
        Error::new(
            &spec.path,
            "",
            ErrorKind::Unsupported(format!(
                "generated code does not parse (a generator bug): {e}"
            )),
        )
    })?;
    // typify writes the map path of `skip_serializing_if` token by token.
    let code =
        prettyplease::unparse(&file).replace(":: std :: collections :: ", "::std::collections::");
    Ok(tidy(&code))
}

/// A doc comment line's marker and text (without the space after the marker).
fn doc_line(trimmed: &str) -> Option<(&'static str, &str)> {
    ["///", "//!"]
        .into_iter()
        .find_map(|marker| trimmed.strip_prefix(marker).map(|rest| (marker, rest)))
        .filter(|(_, rest)| !rest.starts_with('/'))
        .map(|(marker, rest)| (marker, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// Makes prettyplease output read like hand-written code: a blank line between items, a space
/// after `///` (typify writes doc attributes without one), and doc paragraphs filled to 100
/// columns (see [`reflow_doc`]).
fn tidy(code: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "fn ", "mod ", "const ", "struct ", "enum ", "type ",
        "static ", "use ", "trait ",
    ];
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut prev = "";
    let mut docs: Vec<&str> = Vec::new();
    let mut lines = code.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let prev_trimmed = prev.trim();
        let ends_item =
            prev_trimmed == "}" || (prev_trimmed.ends_with(';') && !prev_trimmed.starts_with("//"));
        // Associated types, and re-exports, read as one group, as hand-written code keeps them.
        let type_group = ["type ", "pub use "]
            .iter()
            .any(|k| prev_trimmed.starts_with(k) && trimmed.starts_with(k));
        if ends_item && !type_group && ITEM_STARTS.iter().any(|s| trimmed.starts_with(s)) {
            out.push('\n');
        }
        if prev.trim_start().starts_with("//!")
            && !trimmed.starts_with("//!")
            && !trimmed.is_empty()
        {
            out.push('\n');
        }
        let doc = doc_line(trimmed);
        match doc {
            Some((marker, text)) => {
                docs.push(text);
                let next_continues = lines
                    .peek()
                    .and_then(|next| {
                        let next_trimmed = next.trim_start();
                        let next_indent = &next[..next.len() - next_trimmed.len()];
                        doc_line(next_trimmed).filter(|_| next_indent == indent)
                    })
                    .is_some_and(|(m, _)| m == marker);
                if !next_continues {
                    reflow_doc(&mut out, indent, marker, &docs);
                    docs.clear();
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
        prev = line;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_paragraphs_are_filled_and_markdown_blocks_kept() {
        let code = "/// One type per operation; its [`Operation`](::a_long_runtime_crate_name::Operation) implementation names the\n/// operation's subject.\n///\n/// - an item that goes on and on and on and on and on and on and on and on and on and on and on\n///   and ends here\n/// | a | table |\n/// ```\n/// let x = [1,    2];\n/// ```\nstruct X;\n";
        let out = tidy(code);
        assert_eq!(
            out,
            "/// One type per operation; its [`Operation`](::a_long_runtime_crate_name::Operation) implementation\n/// names the operation's subject.\n///\n/// - an item that goes on and on and on and on and on and on and on and on and on and on and on and\n///   ends here\n/// | a | table |\n/// ```\n/// let x = [1,    2];\n/// ```\nstruct X;\n"
        );
        assert!(out.lines().all(|l| l.len() <= 100));
    }

    #[test]
    fn doc_text_is_escaped_for_rustdoc() {
        assert_eq!(
            sanitize_doc("see https://x.io/a. and [x] <y> a_b"),
            "see <https://x.io/a>. and \\[x\\] \\<y\\> a_b"
        );
    }
}
