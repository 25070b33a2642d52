//! Channel names as NATS subject templates: `wasmbus.ctl.v1.{lattice}.host.get.{hostId}`.

use std::fmt;

/// A channel name split into NATS tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub tokens: Vec<Token>,
}

/// One `.`-separated token of a subject template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A fixed token.
    Literal(String),
    /// A whole token taken by one parameter.
    Param(String),
    /// Literal text and parameters inside one token (`event/{id}/measured`).
    Mixed(Vec<Piece>),
    /// `*`: any one token.
    Star,
    /// `>`: one or more tokens; only last.
    Rest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(String),
    Param(String),
}

impl Template {
    /// How this template orders against `other` when routing a subject: literal text before text
    /// with parameters, before a parameter or `*`, before `>`, token by token; then by text.
    pub fn specificity(&self, other: &Template) -> std::cmp::Ordering {
        let ra = self.tokens.iter().map(rank);
        let rb = other.tokens.iter().map(rank);
        ra.cmp(rb)
            .then_with(|| self.to_string().cmp(&other.to_string()))
    }

    /// Whether this template and `other` match exactly the same subjects.
    pub fn matches_same_subjects(&self, other: &Template) -> bool {
        fn skeleton(t: &Token) -> String {
            match t {
                Token::Literal(l) => format!("L{l}"),
                Token::Param(_) | Token::Star => "P".into(),
                Token::Rest => "R".into(),
                Token::Mixed(pieces) => pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Literal(l) => format!("[{l}]"),
                        Piece::Param(_) => "P".into(),
                    })
                    .collect(),
            }
        }
        self.tokens.len() == other.tokens.len()
            && self
                .tokens
                .iter()
                .zip(&other.tokens)
                .all(|(x, y)| skeleton(x) == skeleton(y))
    }

    /// Parses a channel name, refusing anything that is not usable as a NATS subject.
    pub fn parse(name: &str) -> Result<Template, String> {
        if name.is_empty() {
            return Err("an empty channel name is not a NATS subject".into());
        }
        if let Some(c) = name.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "channel name contains {c:?}; NATS subjects cannot hold whitespace or control characters"
            ));
        }
        let raw: Vec<&str> = name.split('.').collect();
        let mut tokens = Vec::with_capacity(raw.len());
        let mut seen = Vec::<String>::new();
        for (i, tok) in raw.iter().enumerate() {
            if tok.is_empty() {
                return Err(
                    "channel name has an empty token (a leading, trailing or doubled '.')".into(),
                );
            }
            match *tok {
                ">" if i + 1 == raw.len() => tokens.push(Token::Rest),
                ">" => return Err("'>' may only be the last token of a subject".into()),
                // Inside a longer token, `*` and `>` are plain characters to NATS.
                "*" => tokens.push(Token::Star),
                _ => {
                    let pieces = pieces(tok)?;
                    for p in &pieces {
                        if let Piece::Param(n) = p {
                            if seen.contains(n) {
                                return Err(format!(
                                    "parameter {{{n}}} appears more than once in the channel name"
                                ));
                            }
                            seen.push(n.clone());
                        }
                    }
                    tokens.push(match pieces.as_slice() {
                        [Piece::Literal(l)] => Token::Literal(l.clone()),
                        [Piece::Param(p)] => Token::Param(p.clone()),
                        _ => Token::Mixed(pieces),
                    });
                }
            }
        }
        Ok(Template { tokens })
    }

    /// Parameter names in order of appearance.
    pub fn params(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for t in &self.tokens {
            match t {
                Token::Param(p) => out.push(p.as_str()),
                Token::Mixed(pieces) => out.extend(pieces.iter().filter_map(|p| match p {
                    Piece::Param(n) => Some(n.as_str()),
                    Piece::Literal(_) => None,
                })),
                _ => {}
            }
        }
        out
    }

    /// Whether the template has `*` or `>`: it names a subscription, not one subject.
    pub fn is_wildcard(&self) -> bool {
        self.tokens
            .iter()
            .any(|t| matches!(t, Token::Star | Token::Rest))
    }
}

fn pieces(token: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = token;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                out.push(Piece::Literal(rest.to_owned()));
                break;
            }
            Some(pos) if rest.as_bytes()[pos] == b'}' => {
                return Err(format!("unbalanced '}}' in token {token:?}"));
            }
            Some(pos) => {
                if pos > 0 {
                    out.push(Piece::Literal(rest[..pos].to_owned()));
                }
                let after = &rest[pos + 1..];
                let end = after
                    .find('}')
                    .ok_or_else(|| format!("unbalanced '{{' in token {token:?}"))?;
                let name = &after[..end];
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(format!(
                        "parameter name {name:?} must be letters, digits, '_' or '-'"
                    ));
                }
                if matches!(out.last(), Some(Piece::Param(_))) {
                    return Err(format!(
                        "parameters {{..}}{{{name}}} touch in token {token:?}; a subject could not be split back into them"
                    ));
                }
                out.push(Piece::Param(name.to_owned()));
                rest = &after[end + 1..];
            }
        }
    }
    Ok(out)
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tokens.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match t {
                Token::Literal(l) => f.write_str(l)?,
                Token::Param(p) => write!(f, "{{{p}}}")?,
                Token::Mixed(pieces) => {
                    for p in pieces {
                        match p {
                            Piece::Literal(l) => f.write_str(l)?,
                            Piece::Param(n) => write!(f, "{{{n}}}")?,
                        }
                    }
                }
                Token::Star => f.write_str("*")?,
                Token::Rest => f.write_str(">")?,
            }
        }
        Ok(())
    }
}

/// Why `name` is not a URI template (RFC 6570), which AsyncAPI 2.x requires channel names to be:
/// the first character (or expression) that breaks it. The rule is the one the official parser
/// applies (ajv-formats' `uri-template`): literal text is any character but controls, space and
/// `"'%<>\^`{|}` (a `%` only in a `%XX` escape); an expression is `{`, an optional operator, and
/// names of letters, digits, `_` and `%XX` escapes, each with an optional `:N` or `*`, separated
/// by commas, then `}`.
pub fn uri_template_problem(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let escape_at = |i: usize| {
        bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
    };
    let mut i = 0;
    while i < bytes.len() {
        let c = name[i..]
            .chars()
            .next()
            .expect("i is on a character boundary");
        match c {
            '%' if escape_at(i) => i += 3,
            '{' => {
                let Some(len) = name[i + 1..].find('}') else {
                    return Some(format!("the '{{' at byte {i} is never closed"));
                };
                let expression = &name[i + 1..i + 1 + len];
                if !is_expression(expression) {
                    return Some(format!(
                        "{{{expression}}} is not an expression: a variable name is letters, digits and '_'"
                    ));
                }
                i += len + 2;
            }
            c if c.is_control() || " \"'%<>\\^`|}".contains(c) => {
                return Some(format!("{c:?} cannot appear in one"));
            }
            c => i += c.len_utf8(),
        }
    }
    None
}

/// The inside of a URI template expression (`{…}`), as the official parser's check has it.
fn is_expression(inside: &str) -> bool {
    let names = inside.strip_prefix(['+', '#', '.', '/', ';', '?', '&', '=', ',', '!', '@', '|']);
    let names = names.unwrap_or(inside);
    names.split(',').all(|spec| {
        let name = match spec.rsplit_once(':') {
            Some((name, n)) => {
                let digits_ok = (1..=4).contains(&n.len())
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !n.starts_with('0');
                if !digits_ok {
                    return false;
                }
                name
            }
            None => spec.strip_suffix('*').unwrap_or(spec),
        };
        let bytes = name.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if bytes.len() > i + 2
                    && bytes[i + 1].is_ascii_hexdigit()
                    && bytes[i + 2].is_ascii_hexdigit() =>
                {
                    i += 3
                }
                b if b.is_ascii_alphanumeric() || b == b'_' => i += 1,
                _ => return false,
            }
        }
        !name.is_empty()
    })
}

/// How specific a token is: literal text beats text with parameters beats a parameter beats `>`.
fn rank(t: &Token) -> u8 {
    match t {
        Token::Literal(_) => 0,
        Token::Mixed(_) => 1,
        Token::Param(_) | Token::Star => 2,
        Token::Rest => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Template {
        Template::parse(s).unwrap()
    }

    #[test]
    fn parses_literals_params_wildcards_and_mixed_tokens() {
        let t = Template::parse("wasmbus.evt.{lattice}.>").unwrap();
        assert_eq!(
            t.tokens,
            vec![
                Token::Literal("wasmbus".into()),
                Token::Literal("evt".into()),
                Token::Param("lattice".into()),
                Token::Rest
            ]
        );
        assert!(t.is_wildcard());
        let t = Template::parse("a/{id}/b.{x}-y").unwrap();
        assert_eq!(t.params(), vec!["id", "x"]);
        assert_eq!(t.to_string(), "a/{id}/b.{x}-y");
    }

    #[test]
    fn wildcards_inside_a_token_are_literal_characters() {
        let t = Template::parse("event/*.a>b").unwrap();
        assert_eq!(
            t.tokens,
            vec![
                Token::Literal("event/*".into()),
                Token::Literal("a>b".into())
            ]
        );
        assert!(!t.is_wildcard());
    }

    #[test]
    fn refuses_what_nats_cannot_carry() {
        for bad in [
            "",
            "a..b",
            ".a",
            "a.",
            "a b",
            "a.>.b",
            "a.{x",
            "a.x}",
            "a.{}",
            "a.{x}{y}",
            "a.{x}.{x}",
            "a.{x y}",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn uri_templates_are_told_apart_as_the_official_parser_does() {
        for good in [
            "wasmbus.ctl.v1.{lattice}.host.ping",
            "orders/{id}/created",
            "a.*.b",
            "orders.place:PlaceOrder",
            "caf%C3%A9.{x:3}.{+path}.{y*}.{a,b}",
            "événements.{id}",
        ] {
            assert_eq!(uri_template_problem(good), None, "{good}");
        }
        for (bad, why) in [
            ("wasmbus.evt.{lattice}.>", "'>' cannot appear"),
            ("a b", "' ' cannot appear"),
            ("a.{host-id}", "{host-id} is not an expression"),
            ("a.{x", "never closed"),
            ("a.x}", "'}' cannot appear"),
            ("100%", "'%' cannot appear"),
            ("a.{}", "{} is not an expression"),
            ("a.{x:0}", "{x:0} is not an expression"),
        ] {
            let problem = uri_template_problem(bad).unwrap_or_default();
            assert!(problem.contains(why), "{bad}: {problem}");
        }
    }

    #[test]
    fn literal_text_beats_parameters_which_beat_wildcards() {
        let mut v = [
            t("a.>"),
            t("a.{x}.c"),
            t("a.b.{y}"),
            t("a.*.c"),
            t("a.b{z}.c"),
        ];
        v.sort_by(|a, b| a.specificity(b));
        let order: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(order, ["a.b.{y}", "a.b{z}.c", "a.*.c", "a.{x}.c", "a.>"]);
    }

    #[test]
    fn channels_with_the_same_subjects_are_found() {
        assert!(t("a.{x}.c").matches_same_subjects(&t("a.{y}.c")));
        assert!(t("a.*.c").matches_same_subjects(&t("a.{y}.c")));
        assert!(t("x{a}y").matches_same_subjects(&t("x{b}y")));
        assert!(!t("a.b.c").matches_same_subjects(&t("a.{y}.c")));
        assert!(!t("a.{x}").matches_same_subjects(&t("a.{x}.c")));
    }
}
