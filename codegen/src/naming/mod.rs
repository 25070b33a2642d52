//! Every Rust name the generator gives, decided here: case conversion, keywords and uniqueness
//! after conversion (this module), channel types from the addresses ([`channels`]), and
//! operations and their methods on each side ([`operations`]), with what frameworks' machine-made
//! names become.

pub(crate) mod channels;
pub(crate) mod operations;

use std::collections::HashSet;

use heck::{ToPascalCase, ToSnakeCase};

pub(crate) const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Replaces everything that cannot be in an identifier by a word break. Identifiers stay ASCII:
/// non-ASCII names compile, but not everywhere they are used (rustdoc anchors, the
/// `non_ascii_idents` lint), so each such character is spelled out as a word of its own.
fn words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_ascii() {
            out.push(' ');
        } else {
            out.push_str(&format!(" u{:x} ", c as u32));
        }
    }
    out
}

fn fix(ident: String, fallback: &str) -> String {
    let ident = if ident.is_empty() {
        fallback.to_owned()
    } else {
        ident
    };
    let starts_ok = ident
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    let ident = if starts_ok {
        ident
    } else {
        format!("{}{ident}", &fallback[..1])
    };
    if KEYWORDS.contains(&ident.as_str()) {
        format!("{ident}_")
    } else {
        ident
    }
}

/// `UpperCamelCase` identifier for a type.
pub fn pascal(s: &str) -> String {
    fix(words(s).to_pascal_case(), "Type")
}

/// `snake_case` identifier for a function, field or module.
pub fn snake(s: &str) -> String {
    fix(words(s).to_snake_case(), "x")
}

/// Hands out identifiers that stay distinct even when two inputs convert to the same name
/// (`user_name` and `UserName`): later ones get a numeric suffix.
#[derive(Debug, Default, Clone)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves a name no generated identifier may take.
    pub fn reserve(&mut self, name: &str) {
        self.taken
            .insert(name.to_ascii_lowercase().replace('_', ""));
    }

    /// Returns `ident`, or `ident2`, `ident3`... whichever is still free.
    pub fn unique(&mut self, ident: String) -> String {
        let key = |s: &str| s.to_ascii_lowercase().replace('_', "");
        if self.taken.insert(key(&ident)) {
            return ident;
        }
        let sep = if ident.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{ident}{sep}{n}"))
            .find(|candidate| self.taken.insert(key(candidate)))
            .expect("an unbounded range always yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversion_handles_keywords_digits_and_symbols() {
        assert_eq!(pascal("host.ping"), "HostPing");
        assert_eq!(pascal("self"), "Self_");
        assert_eq!(pascal("2fa-code"), "T2faCode");
        assert_eq!(pascal(""), "Type");
        assert_eq!(snake("hostId"), "host_id");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("fn"), "fn_");
        assert_eq!(snake("élan"), "ue9_lan");
        assert_eq!(pascal("日本"), "U65e5U672c");
    }

    #[test]
    fn namer_keeps_names_distinct_after_conversion() {
        let mut n = Namer::new();
        assert_eq!(n.unique(pascal("user_name")), "UserName");
        assert_eq!(n.unique(pascal("UserName")), "UserName2");
        assert_eq!(n.unique(pascal("userName")), "UserName3");
        assert_eq!(n.unique("V1".into()), "V1");
        assert_eq!(n.unique("V1".into()), "V1_2");
    }
}
