//! Rust source from the protocol model.

mod bindings;
mod fields;
mod guard;
mod merges;
mod messages;
mod nats;
mod schemas;
mod subjects;
mod types;

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
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    quote! { #(#[doc = #lines])* }
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

/// Writes one doc line, wrapped at 100 columns; list items keep their continuation indented.
fn wrap_doc(out: &mut String, indent: &str, marker: &str, text: &str) {
    const WIDTH: usize = 100;
    let prefix = format!("{indent}{marker}");
    if text.is_empty() {
        out.push_str(&prefix);
        out.push('\n');
        return;
    }
    let continuation = if text.starts_with("- ") || text.starts_with("* ") {
        "  "
    } else {
        ""
    };
    let mut line = format!("{prefix} ");
    let mut first_word = true;
    for word in text.split(' ') {
        if !first_word && line.len() + 1 + word.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = format!("{prefix} {continuation}");
            first_word = true;
        }
        if !first_word {
            line.push(' ');
        }
        line.push_str(word);
        first_word = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Inner doc lines written by the generator itself (not spec prose), unescaped.
fn plain_inner_doc(text: &str) -> TokenStream {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
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

/// Checks that every message's schema compiles and every example satisfies it; with `strict`
/// off, broken examples go to `warnings`.
pub(crate) fn check_examples(
    spec: &Spec,
    loader: &dyn crate::Loader,
    strict: bool,
    warnings: &mut Vec<Error>,
) -> Result<()> {
    schemas::check(spec, loader, strict, warnings)
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
            let json = serde_json::to_string_pretty(&schemas::standalone(spec, m))
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
    subjects::check_patterns(spec)?;
    let types = types::emit(spec)?;
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
    let messages = messages::emit(spec, &runtime, &schema_exprs);
    let subjects = subjects::subjects(spec, &runtime)?;
    let bindings = bindings::all(spec)?;
    let operations = subjects::operations(spec, &runtime, &bindings);
    let nats = nats::emit(spec, &runtime, &bindings);

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

        /// Short name of the spec this module is generated from.
        pub const SPEC: &str = #id;
        /// `info.title` of the spec.
        pub const TITLE: &str = #title;
        /// `info.version` of the spec.
        pub const VERSION: &str = #version;
        /// The AsyncAPI version the spec is written in.
        pub const ASYNCAPI_VERSION: &str = #asyncapi;

        /// The spec at a glance: its channels, operations and messages.
        pub const INFO: #runtime::SpecInfo = #runtime::SpecInfo {
            id: SPEC,
            title: TITLE,
            version: VERSION,
            channels: subjects::CHANNELS,
            operations: operations::ALL,
            messages: messages::ALL,
        };

        /// Payload and schema types, one per schema of the spec.
        pub mod types {
            #types
        }

        #messages

        #subjects

        #operations

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

/// Makes prettyplease output read like hand-written code: a blank line between items, and a space
/// after `///` (typify writes doc attributes without one).
fn tidy(code: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "fn ", "mod ", "const ", "struct ", "enum ", "type ",
        "static ", "use ", "trait ",
    ];
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut prev = "";
    for line in code.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let prev_trimmed = prev.trim();
        let ends_item =
            prev_trimmed == "}" || (prev_trimmed.ends_with(';') && !prev_trimmed.starts_with("//"));
        if ends_item && ITEM_STARTS.iter().any(|s| trimmed.starts_with(s)) {
            out.push('\n');
        }
        if prev.trim_start().starts_with("//!")
            && !trimmed.starts_with("//!")
            && !trimmed.is_empty()
        {
            out.push('\n');
        }
        let doc = ["///", "//!"]
            .into_iter()
            .find_map(|marker| trimmed.strip_prefix(marker).map(|rest| (marker, rest)))
            .filter(|(_, rest)| !rest.starts_with('/'));
        match doc {
            Some((marker, rest)) => {
                let text = rest.strip_prefix(' ').unwrap_or(rest);
                wrap_doc(&mut out, indent, marker, text);
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
    fn doc_text_is_escaped_for_rustdoc() {
        assert_eq!(
            sanitize_doc("see https://x.io/a. and [x] <y> a_b"),
            "see <https://x.io/a>. and \\[x\\] \\<y\\> a_b"
        );
    }
}
