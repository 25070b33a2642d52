//! NATS subjects from templates: token checks, prefixes, matching and rendering.
//!
//! Generated subject types describe their channel as a `&'static [Tok]` and call
//! [`match_tokens`] and [`render_tokens`]; the work is done here, once, token by token, with no
//! regex and no allocation when matching.

use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock};

/// Why a subject could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubjectError {
    /// A parameter value breaks a rule; nothing is rendered from it.
    InvalidParameter {
        /// The parameter name as in the spec (`hostId`).
        param: String,
        /// The offending value.
        value: String,
        /// The rule it breaks.
        rule: String,
    },
    /// An account or root token of a [`SubjectPrefix`] breaks a rule.
    InvalidPrefix {
        /// `account` or `root`.
        part: &'static str,
        /// The offending value.
        value: String,
        /// The rule it breaks.
        rule: String,
    },
    /// The subject is not one of the channel's (or of any channel, for a router).
    NoMatch {
        /// The subject.
        subject: String,
        /// The channel template, or the spec for a router.
        expected: String,
    },
    /// A parameter needed to build a subject was not given.
    MissingParameter {
        /// The parameter name.
        param: String,
    },
    /// A value was given for a parameter the channel does not have.
    UnknownParameter {
        /// The parameter name.
        param: String,
    },
    /// A subject with wildcards (a subscription or a permission) breaks a rule.
    InvalidFilter {
        /// The offending subject.
        filter: String,
        /// The rule it breaks.
        rule: String,
    },
}

impl fmt::Display for SubjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidParameter { param, value, rule } => {
                write!(f, "parameter `{param}`: {value:?} is not allowed: {rule}")
            }
            Self::InvalidPrefix { part, value, rule } => {
                write!(f, "subject {part} {value:?} is not allowed: {rule}")
            }
            Self::NoMatch { subject, expected } => {
                write!(f, "subject {subject:?} does not match {expected}")
            }
            Self::MissingParameter { param } => write!(f, "parameter `{param}` is missing"),
            Self::UnknownParameter { param } => write!(f, "there is no parameter `{param}`"),
            Self::InvalidFilter { filter, rule } => {
                write!(f, "subject {filter:?} is not allowed: {rule}")
            }
        }
    }
}

impl std::error::Error for SubjectError {}

/// The bytes a token may hold that need no closer look: printable ASCII but `.`, `*` and `>`
/// (one lookup a byte: a host id alone is 56 of them, checked on every request).
static PLAIN_TOKEN_BYTE: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = b'!';
    while b < 0x7f {
        plain[b as usize] = !matches!(b, b'.' | b'*' | b'>');
        b += 1;
    }
    plain
};

/// Why a string cannot be one NATS subject token, if it cannot.
pub fn token_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return Some("a subject token cannot be empty");
    }
    // Tokens are nearly always ASCII: check bytes, and look at characters only if needed.
    if value.bytes().all(|b| PLAIN_TOKEN_BYTE[usize::from(b)]) {
        return None;
    }
    for c in value.chars() {
        let problem = match c {
            '.' => "a subject token cannot contain '.'",
            '*' => "a subject token cannot contain the wildcard '*'",
            '>' => "a subject token cannot contain the wildcard '>'",
            c if c.is_whitespace() => "a subject token cannot contain whitespace",
            c if c.is_control() => "a subject token cannot contain control characters",
            _ => continue,
        };
        return Some(problem);
    }
    None
}

fn invalid(param: &str, value: &str, rule: impl Into<String>) -> SubjectError {
    SubjectError::InvalidParameter {
        param: param.to_owned(),
        value: value.to_owned(),
        rule: rule.into(),
    }
}

/// Checks that `value` is one valid subject token.
pub fn check_token(param: &str, value: &str) -> Result<(), SubjectError> {
    match token_problem(value) {
        Some(rule) => Err(invalid(param, value, rule)),
        None => Ok(()),
    }
}

/// A channel parameter (or a wildcard's capture) and what its values must satisfy, as data: the
/// generated code declares one `const` per parameter of the spec and every channel that has the
/// parameter shares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name in the spec (`hostId`); `any0`, `any1`... for `*` and `tail` for `>`.
    pub name: &'static str,
    /// Whether the value stands for `>`: one or more tokens instead of one.
    pub tail: bool,
    /// Whether the value must be a decimal integer (`integer` and `number` parameters).
    pub numeric: bool,
    /// The values allowed (`enum`); empty when any is.
    pub one_of: &'static [&'static str],
    /// Fewest characters.
    pub min_length: Option<usize>,
    /// Most characters.
    pub max_length: Option<usize>,
    /// The pattern every value must match.
    pub pattern: Option<Pattern>,
}

/// A parameter's `pattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `^[...]+$` made of single characters and ranges: every character in one of these
    /// inclusive ranges, checked without a regex.
    Chars {
        /// The pattern as the spec writes it.
        source: &'static str,
        /// The ranges, a single character being a range of one.
        ranges: &'static [(char, char)],
    },
    /// Any other pattern (ECMA 262, as JSON Schema's), compiled on first use.
    Regex(&'static str),
}

impl Pattern {
    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        match self {
            Self::Chars { source, .. } | Self::Regex(source) => source,
        }
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            Self::Chars { ranges, .. } => value
                .chars()
                .all(|c| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))),
            Self::Regex(source) => regex_matches(source, value),
        }
    }
}

/// Compiled patterns, by their text: a spec has a handful and they are checked often.
fn regex_matches(source: &'static str, value: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, Option<regress::Regex>>>> =
        OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // The generator refuses patterns that do not compile; one that still does not matches nothing.
    compiled
        .entry(source)
        .or_insert_with(|| regress::Regex::new(source).ok())
        .as_ref()
        .is_some_and(|regex| regex.find(value).is_some())
}

impl Param {
    /// A parameter whose values need only be one valid token.
    pub const fn token(name: &'static str) -> Self {
        Self {
            name,
            tail: false,
            numeric: false,
            one_of: &[],
            min_length: None,
            max_length: None,
            pattern: None,
        }
    }

    /// What a `>` wildcard captures: one or more valid tokens.
    pub const fn tail(name: &'static str) -> Self {
        Self {
            tail: true,
            ..Self::token(name)
        }
    }

    /// Checks a value against every rule; the error names the parameter and the first rule broken.
    pub fn check(&self, value: &str) -> Result<(), SubjectError> {
        let (name, fail) = (self.name, |rule: String| {
            Err(invalid(self.name, value, rule))
        });
        if self.tail {
            for token in value.split('.') {
                if let Some(problem) = token_problem(token) {
                    return fail(problem.into());
                }
            }
        } else {
            check_token(name, value)?;
        }
        if self.numeric {
            let digits = value.strip_prefix('-').unwrap_or(value);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return fail("must be a decimal integer".into());
            }
        }
        if !self.one_of.is_empty() && !self.one_of.contains(&value) {
            return fail(format!("must be one of {:?}", self.one_of));
        }
        let (min, max) = (self.min_length, self.max_length);
        let n = (min.is_some() || max.is_some()).then(|| value.chars().count());
        if n.is_some_and(|n| min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m)) {
            return fail(match (min, max) {
                (Some(a), Some(b)) => format!("must be {a} to {b} characters long"),
                (Some(a), None) => format!("must be at least {a} characters long"),
                (_, b) => format!("must be at most {} characters long", b.unwrap_or(0)),
            });
        }
        match &self.pattern {
            Some(pattern) if !pattern.matches(value) => {
                fail(format!("must match {}", pattern.source()))
            }
            _ => Ok(()),
        }
    }
}

/// An optional account token and a replacement for a spec's root, applied to every subject
/// rendered or parsed with it.
///
/// - The account (multitenant deployments) is one token put in front of the subject:
///   `acct.wasmbus.ctl.v1...`. It is used only by specs that declare `x-subject-account-prefix`.
/// - The root replaces the leading tokens of a spec that declares a replaceable `x-subject-root`
///   (`wasmbus.ctl`); a fixed root (`wasmbus.evt`) is kept.
///
/// Both are checked when set, so a prefix that exists is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SubjectPrefix {
    account: Option<String>,
    root: Option<String>,
}

impl SubjectPrefix {
    /// No account, the specs' own roots.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts an account token in front of every subject.
    pub fn with_account(mut self, account: impl Into<String>) -> Result<Self, SubjectError> {
        let account = account.into();
        if let Some(rule) = token_problem(&account) {
            return Err(SubjectError::InvalidPrefix {
                part: "account",
                value: account,
                rule: rule.into(),
            });
        }
        self.account = Some(account);
        Ok(self)
    }

    /// Replaces the root of specs whose root is replaceable (`acme.ctl` for `wasmbus.ctl`).
    pub fn with_root(mut self, root: impl Into<String>) -> Result<Self, SubjectError> {
        let root = root.into();
        for token in root.split('.') {
            if let Some(rule) = token_problem(token) {
                return Err(SubjectError::InvalidPrefix {
                    part: "root",
                    value: root,
                    rule: rule.into(),
                });
            }
        }
        self.root = Some(root);
        Ok(self)
    }

    /// The account token, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The root replacement, if any.
    pub fn root(&self) -> Option<&str> {
        self.root.as_deref()
    }
}

/// How the subjects of one spec begin (from its `x-subject-root` and `x-subject-account-prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub struct SubjectRoot {
    /// The root in the spec's channel names (`wasmbus.ctl`); empty when the spec declares none.
    pub default: &'static str,
    /// Whether a [`SubjectPrefix`] may replace it.
    pub replaceable: bool,
    /// Whether subjects may begin with an account token.
    pub account: bool,
}

impl SubjectRoot {
    /// The root in effect under `prefix`.
    pub fn effective<'p>(&self, prefix: &'p SubjectPrefix) -> &'p str {
        match prefix.root() {
            Some(root) if self.replaceable => root,
            _ => self.default,
        }
    }

    /// Writes the account and root (with a trailing `.` when tokens follow).
    pub fn write(&self, prefix: &SubjectPrefix, out: &mut String) {
        if self.account {
            if let Some(account) = prefix.account() {
                out.push_str(account);
                out.push('.');
            }
        }
        let root = self.effective(prefix);
        if !root.is_empty() {
            out.push_str(root);
            out.push('.');
        }
    }

    /// The part of `subject` after the account and root, or `None` when they do not match.
    pub fn strip<'a>(&self, subject: &'a str, prefix: &SubjectPrefix) -> Option<&'a str> {
        let mut rest = subject;
        if self.account {
            if let Some(account) = prefix.account() {
                rest = rest.strip_prefix(account)?.strip_prefix('.')?;
            }
        }
        let root = self.effective(prefix);
        if root.is_empty() {
            Some(rest)
        } else {
            rest.strip_prefix(root)?.strip_prefix('.')
        }
    }
}

/// One token of a channel template after the root. Numbers index the values of the channel's
/// parameters (and wildcards), in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Tok {
    /// A fixed token.
    Lit(&'static str),
    /// A whole token taken by a value.
    Param(usize),
    /// Fixed text and values inside one token.
    Mixed(&'static [Piece]),
    /// `*`: any one token, captured.
    Star(usize),
    /// `>`: the rest of the subject, one or more tokens, captured.
    Rest(usize),
}

/// Part of a [`Tok::Mixed`] token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Piece {
    /// Fixed text.
    Lit(&'static str),
    /// A value.
    Param(usize),
}

fn split_mixed<'a>(token: &'a str, pieces: &[Piece], values: &mut [&'a str]) -> bool {
    let mut rest = token;
    let mut i = 0;
    while i < pieces.len() {
        match pieces[i] {
            Piece::Lit(lit) => match rest.strip_prefix(lit) {
                Some(r) => rest = r,
                None => return false,
            },
            Piece::Param(slot) => {
                // A value runs to the first occurrence of the text after it (values may not
                // contain that text), or to the end of the token.
                let end = match pieces.get(i + 1) {
                    Some(Piece::Lit(next)) if i + 2 == pieces.len() => {
                        match rest.strip_suffix(next) {
                            Some(v) => v.len(),
                            None => return false,
                        }
                    }
                    Some(Piece::Lit(next)) => match rest.find(next) {
                        Some(e) => e,
                        None => return false,
                    },
                    _ => rest.len(),
                };
                values[slot] = &rest[..end];
                rest = &rest[end..];
            }
        }
        i += 1;
    }
    rest.is_empty()
}

/// Matches the part of a subject after its root against `tokens`, storing each captured value in
/// `values`. Returns `false` when the shape does not match; values are not checked here.
#[doc(hidden)]
pub fn match_tokens<'a>(rest: &'a str, tokens: &[Tok], values: &mut [&'a str]) -> bool {
    let mut remaining = rest;
    for (i, tok) in tokens.iter().enumerate() {
        if let Tok::Rest(slot) = *tok {
            if remaining.is_empty() {
                return false;
            }
            values[slot] = remaining;
            return i + 1 == tokens.len();
        }
        let (token, next) = match remaining.find('.') {
            Some(dot) => (&remaining[..dot], Some(&remaining[dot + 1..])),
            None => (remaining, None),
        };
        let last = i + 1 == tokens.len();
        match *tok {
            Tok::Lit(lit) => {
                if token != lit {
                    return false;
                }
            }
            Tok::Param(slot) | Tok::Star(slot) => values[slot] = token,
            Tok::Mixed(pieces) => {
                if !split_mixed(token, pieces, values) {
                    return false;
                }
            }
            Tok::Rest(_) => unreachable!(),
        }
        match (next, last) {
            (Some(next), false) => remaining = next,
            (None, true) => return true,
            _ => return false,
        }
    }
    tokens.is_empty() && rest.is_empty()
}

/// Writes `tokens` with `values` (which must already be checked) after the root.
#[doc(hidden)]
pub fn render_tokens(tokens: &[Tok], values: &[&str], out: &mut String) {
    for (i, tok) in tokens.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match *tok {
            Tok::Lit(lit) => out.push_str(lit),
            Tok::Param(slot) | Tok::Star(slot) | Tok::Rest(slot) => out.push_str(values[slot]),
            Tok::Mixed(pieces) => {
                for piece in pieces {
                    match *piece {
                        Piece::Lit(lit) => out.push_str(lit),
                        Piece::Param(slot) => out.push_str(values[slot]),
                    }
                }
            }
        }
    }
}

/// Writes a subscription subject: `None` values become `*` (a mixed token with any open value
/// becomes `*` whole).
#[doc(hidden)]
pub fn render_filter(tokens: &[Tok], values: &[Option<&str>], out: &mut String) {
    for (i, tok) in tokens.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        match *tok {
            Tok::Lit(lit) => out.push_str(lit),
            Tok::Param(slot) | Tok::Star(slot) => out.push_str(values[slot].unwrap_or("*")),
            Tok::Rest(slot) => out.push_str(values[slot].unwrap_or(">")),
            Tok::Mixed(pieces) => {
                let open = pieces
                    .iter()
                    .any(|p| matches!(p, Piece::Param(slot) if values[*slot].is_none()));
                if open {
                    out.push('*');
                    continue;
                }
                for piece in pieces {
                    match *piece {
                        Piece::Lit(lit) => out.push_str(lit),
                        Piece::Param(slot) => out.push_str(values[slot].unwrap_or_default()),
                    }
                }
            }
        }
    }
}

/// A channel of a spec, for code that knows channels only at run time (the CLI, routers).
#[derive(Debug, Clone, Copy)]
pub struct ChannelInfo {
    /// Short name of the spec.
    pub spec: &'static str,
    /// The channel name: its subject template.
    pub name: &'static str,
    /// The values a subject carries, in template order: parameters and wildcard captures.
    pub params: &'static [Param],
    /// The operationIds on this channel.
    pub operations: &'static [&'static str],
    /// How the spec's subjects begin.
    pub root: SubjectRoot,
    /// The tokens after the root.
    pub tokens: &'static [Tok],
}

impl PartialEq for ChannelInfo {
    fn eq(&self, other: &Self) -> bool {
        (self.spec, self.name) == (other.spec, other.name)
    }
}

impl Eq for ChannelInfo {}

impl ChannelInfo {
    /// The parameter names, in template order.
    pub fn param_names(&self) -> impl Iterator<Item = &'static str> {
        self.params.iter().map(|p| p.name)
    }

    /// Checks values (in [`Self::params`] order) against their parameters' rules.
    pub fn check(&self, values: &[&str]) -> Result<(), SubjectError> {
        values
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| self.check_param(i, v))
    }

    /// Checks the value of the parameter at `index`: its rules, and that it does not contain the
    /// text that follows it inside its token (where parsing would cut it).
    pub fn check_param(&self, index: usize, value: &str) -> Result<(), SubjectError> {
        let Some(param) = self.params.get(index) else {
            return Err(SubjectError::UnknownParameter {
                param: format!("#{index}"),
            });
        };
        param.check(value)?;
        match self.text_after(index) {
            Some(text) if value.contains(text) => Err(invalid(
                param.name,
                value,
                format!("cannot contain {text:?}, which follows it in the same token"),
            )),
            _ => Ok(()),
        }
    }

    /// The literal text after a value inside a mixed token, unless it ends the token.
    fn text_after(&self, index: usize) -> Option<&'static str> {
        self.tokens.iter().find_map(|t| match t {
            Tok::Mixed(pieces) => pieces.windows(2).enumerate().find_map(|(i, w)| match w {
                [Piece::Param(slot), Piece::Lit(text)]
                    if *slot == index && i + 2 < pieces.len() =>
                {
                    Some(*text)
                }
                _ => None,
            }),
            _ => None,
        })
    }

    /// Renders a subject from `name=value` pairs.
    pub fn render(
        &self,
        values: &[(&str, &str)],
        prefix: &SubjectPrefix,
    ) -> Result<String, SubjectError> {
        if let Some((unknown, _)) = values
            .iter()
            .find(|(n, _)| !self.param_names().any(|p| p == *n))
        {
            return Err(SubjectError::UnknownParameter {
                param: (*unknown).to_owned(),
            });
        }
        let mut ordered = Vec::with_capacity(self.params.len());
        for param in self.param_names() {
            match values.iter().find(|(n, _)| *n == param) {
                Some((_, v)) => ordered.push(*v),
                None => {
                    return Err(SubjectError::MissingParameter {
                        param: param.to_owned(),
                    })
                }
            }
        }
        self.check(&ordered)?;
        let mut out = String::new();
        self.root.write(prefix, &mut out);
        render_tokens(self.tokens, &ordered, &mut out);
        Ok(out)
    }

    /// A subscription subject: parameters given in `values` are fixed (and checked), the others
    /// left open (`*`). Names the channel does not have are ignored, so one set of values can
    /// serve every channel.
    pub fn filter(
        &self,
        values: &[(&str, &str)],
        prefix: &SubjectPrefix,
    ) -> Result<String, SubjectError> {
        let mut slots: Vec<Option<&str>> = vec![None; self.params.len()];
        for (i, param) in self.param_names().enumerate() {
            if let Some((_, v)) = values.iter().find(|(n, _)| *n == param) {
                self.check_param(i, v)?;
                slots[i] = Some(v);
            }
        }
        Ok(self.render_filter(&slots, prefix))
    }

    /// The subscription subject with these values, already checked, `None` being open.
    fn render_filter(&self, slots: &[Option<&str>], prefix: &SubjectPrefix) -> String {
        let mut out = String::with_capacity(64);
        self.root.write(prefix, &mut out);
        render_filter(self.tokens, slots, &mut out);
        out
    }

    /// Parses a subject of this channel into `(parameter, value)` pairs.
    pub fn parse<'a>(
        &self,
        subject: &'a str,
        prefix: &SubjectPrefix,
    ) -> Result<Vec<(&'static str, &'a str)>, SubjectError> {
        self.try_parse(subject, prefix).unwrap_or_else(|| {
            Err(SubjectError::NoMatch {
                subject: subject.to_owned(),
                expected: self.name.to_owned(),
            })
        })
    }

    /// `None` when the subject does not have this channel's shape; otherwise the checked values.
    fn try_parse<'a>(
        &self,
        subject: &'a str,
        prefix: &SubjectPrefix,
    ) -> Option<Result<Vec<(&'static str, &'a str)>, SubjectError>> {
        let rest = self.root.strip(subject, prefix)?;
        let mut values = vec![""; self.params.len()];
        if !match_tokens(rest, self.tokens, &mut values) {
            return None;
        }
        Some(
            self.check(&values)
                .map(|()| self.param_names().zip(values).collect()),
        )
    }
}

/// A routed subject: its channel, and each parameter's value.
pub type Routed<'a> = (&'static ChannelInfo, Vec<(&'static str, &'a str)>);

/// Routes a subject to the first of `channels` (ordered most specific first) that it belongs to.
/// A subject with a channel's shape but a bad value, and no other channel's, gets that channel's
/// error; one with no channel's shape, [`SubjectError::NoMatch`] naming `spec`.
#[doc(hidden)]
pub fn route<'a>(
    spec: &str,
    channels: &[&'static ChannelInfo],
    subject: &'a str,
    prefix: &SubjectPrefix,
) -> Result<Routed<'a>, SubjectError> {
    let mut invalid = None;
    for channel in channels {
        match channel.try_parse(subject, prefix) {
            Some(Ok(values)) => return Ok((channel, values)),
            Some(Err(e)) => {
                invalid.get_or_insert(e);
            }
            None => {}
        }
    }
    Err(invalid.unwrap_or_else(|| SubjectError::NoMatch {
        subject: subject.to_owned(),
        expected: format!("a channel of {spec}"),
    }))
}

/// A typed subject of one channel, as generated for every channel of a spec: the generated type
/// holds the values, this trait builds, parses and renders.
pub trait ChannelSubject<'a>: Sized + Copy {
    /// The channel.
    const CHANNEL: &'static ChannelInfo;

    /// The values, in [`ChannelInfo::params`] order: `[&'a str; N]`.
    type Values: AsRef<[&'a str]> + AsMut<[&'a str]> + Default;

    /// The channel's subscription filter.
    type Filter: ChannelFilter<'a> + Default;

    /// The subject with these values, which the caller has checked.
    fn from_checked(values: Self::Values) -> Self;

    /// The subject's values.
    fn values(&self) -> Self::Values;

    /// The subject with these values, checked against their rules.
    fn from_values(values: Self::Values) -> Result<Self, SubjectError> {
        Self::CHANNEL.check(values.as_ref())?;
        Ok(Self::from_checked(values))
    }

    /// Parses a subject with the spec's own root and no account.
    fn parse(subject: &'a str) -> Result<Self, SubjectError> {
        Self::parse_with(subject, &SubjectPrefix::new())
    }

    /// Parses a subject under `prefix`, borrowing the values from it.
    fn parse_with(subject: &'a str, prefix: &SubjectPrefix) -> Result<Self, SubjectError> {
        Self::match_with(subject, prefix).unwrap_or_else(|| {
            Err(SubjectError::NoMatch {
                subject: subject.into(),
                expected: Self::CHANNEL.name.into(),
            })
        })
    }

    /// `None` when the subject does not have this channel's shape (nothing allocated, so
    /// channels can be tried cheaply); otherwise the checked subject.
    fn match_with(subject: &'a str, prefix: &SubjectPrefix) -> Option<Result<Self, SubjectError>> {
        let rest = Self::CHANNEL.root.strip(subject, prefix)?;
        let mut values = Self::Values::default();
        if !match_tokens(rest, Self::CHANNEL.tokens, values.as_mut()) {
            return None;
        }
        Some(Self::from_values(values))
    }

    /// Writes the subject under `prefix` to `out`.
    fn write_with(&self, prefix: &SubjectPrefix, out: &mut String) {
        Self::CHANNEL.root.write(prefix, out);
        render_tokens(Self::CHANNEL.tokens, self.values().as_ref(), out);
    }

    /// The subject with the spec's own root and no account.
    fn render(&self) -> String {
        self.render_with(&SubjectPrefix::new())
    }

    /// The subject under `prefix`.
    fn render_with(&self, prefix: &SubjectPrefix) -> String {
        // Room for the values, and 64 bytes for the prefix and literal tokens: one allocation
        // unless those are longer.
        let values: usize = self.values().as_ref().iter().map(|v| v.len()).sum();
        let mut out = String::with_capacity(64 + values);
        self.write_with(prefix, &mut out);
        out
    }

    /// A subscription to this channel's subjects, every parameter open until fixed.
    fn filter() -> Self::Filter {
        Self::Filter::default()
    }
}

/// A subscription to the subjects of one channel (or of every channel of a spec), with any value
/// left open (`*`, or `>` for a tail) until fixed; the generated type has a method per parameter
/// that calls [`Self::fix`].
pub trait ChannelFilter<'a>: Copy {
    /// The channel.
    const CHANNEL: &'static ChannelInfo;

    /// One slot per value of the channel, `None` where open.
    fn slots(&mut self) -> &mut [Option<&'a str>];

    /// Fixes the value at `index` (checked like a subject's) instead of leaving it open.
    fn fix(mut self, index: usize, value: &'a str) -> Result<Self, SubjectError> {
        Self::CHANNEL.check_param(index, value)?;
        let slot = self.slots().get_mut(index);
        let slot = slot.ok_or_else(|| SubjectError::UnknownParameter {
            param: format!("#{index}"),
        })?;
        *slot = Some(value);
        Ok(self)
    }

    /// The subscription subject with the spec's own root and no account.
    fn render(&self) -> String {
        self.render_with(&SubjectPrefix::new())
    }

    /// The subscription subject under `prefix`.
    fn render_with(&self, prefix: &SubjectPrefix) -> String {
        // Filters are a few borrowed strings: reading the slots through a copy is free.
        let mut copy = *self;
        Self::CHANNEL.render_filter(copy.slots(), prefix)
    }
}

/// The subscription of a channel without parameters: its one subject.
pub struct WholeFilter<S>(PhantomData<S>);

impl<S> Default for WholeFilter<S> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<S> Clone for WholeFilter<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for WholeFilter<S> {}

impl<S> fmt::Debug for WholeFilter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WholeFilter")
    }
}

impl<'a, S: ChannelSubject<'a>> ChannelFilter<'a> for WholeFilter<S> {
    const CHANNEL: &'static ChannelInfo = S::CHANNEL;

    fn slots(&mut self) -> &mut [Option<&'a str>] {
        &mut []
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: SubjectRoot = SubjectRoot {
        default: "wasmbus.ctl",
        replaceable: true,
        account: true,
    };

    #[test]
    fn tokens_refuse_what_nats_cannot_carry() {
        for bad in ["", "a.b", "*", "a>", "a b", "a\tb", "a\u{7}b", "é\u{2003}"] {
            assert!(token_problem(bad).is_some(), "{bad:?}");
        }
        for good in ["default", "prod-eu", "N-ABC_1", "a/b", "日本"] {
            assert_eq!(token_problem(good), None, "{good:?}");
        }
        // The byte table against the rule by characters, for every ASCII character, alone and
        // beside a plain one and a character past ASCII.
        for c in (0..0x80u8).map(char::from) {
            let refused = matches!(c, '.' | '*' | '>') || c.is_whitespace() || c.is_control();
            for text in [c.to_string(), format!("a{c}"), format!("{c}é")] {
                assert_eq!(token_problem(&text).is_some(), refused, "{text:?}");
            }
        }
    }

    #[test]
    fn prefixes_are_checked_and_applied() {
        assert!(SubjectPrefix::new().with_account("a.b").is_err());
        assert!(SubjectPrefix::new().with_root("acme..ctl").is_err());
        assert!(SubjectPrefix::new().with_root("").is_err());
        let p = SubjectPrefix::new()
            .with_account("ACC")
            .unwrap()
            .with_root("acme.ctl")
            .unwrap();
        let mut out = String::new();
        ROOT.write(&p, &mut out);
        assert_eq!(out, "ACC.acme.ctl.");
        assert_eq!(ROOT.strip("ACC.acme.ctl.v1.x", &p), Some("v1.x"));
        assert_eq!(ROOT.strip("acme.ctl.v1.x", &p), None);
        assert_eq!(ROOT.strip("ACC.wasmbus.ctl.v1.x", &p), None);
        let fixed = SubjectRoot {
            default: "wasmbus.evt",
            replaceable: false,
            account: true,
        };
        assert_eq!(
            fixed.strip("ACC.wasmbus.evt.default.x", &p),
            Some("default.x")
        );
    }

    #[test]
    fn matching_is_token_by_token() {
        let tokens = [
            Tok::Lit("v1"),
            Tok::Param(0),
            Tok::Lit("host"),
            Tok::Lit("get"),
            Tok::Param(1),
        ];
        let mut v = [""; 2];
        assert!(match_tokens("v1.default.host.get.NABC", &tokens, &mut v));
        assert_eq!(v, ["default", "NABC"]);
        // A `.` in a literal is not a wildcard.
        assert!(!match_tokens("v1.default.hostXget.NABC", &tokens, &mut v));
        assert!(!match_tokens("v1.default.host.get", &tokens, &mut v));
        assert!(!match_tokens("v1.default.host.get.NABC.x", &tokens, &mut v));
        assert!(!match_tokens("", &tokens, &mut v));
        let rest = [Tok::Param(0), Tok::Rest(1)];
        assert!(match_tokens("default.a.b", &rest, &mut v));
        assert_eq!(v, ["default", "a.b"]);
        assert!(!match_tokens("default", &rest, &mut v));
    }

    #[test]
    fn mixed_tokens_split_at_the_following_text() {
        const PIECES: &[Piece] = &[
            Piece::Lit("event/"),
            Piece::Param(0),
            Piece::Lit("/"),
            Piece::Param(1),
            Piece::Lit("/m"),
        ];
        let tokens = [Tok::Mixed(PIECES)];
        let mut v = [""; 2];
        assert!(match_tokens("event/a/b/m", &tokens, &mut v));
        assert_eq!(v, ["a", "b"]);
        assert!(match_tokens("event/a/b/c/m", &tokens, &mut v));
        assert_eq!(v, ["a", "b/c"]);
        assert!(!match_tokens("event/a/m", &tokens, &mut v));
        let mut out = String::new();
        render_tokens(&tokens, &["x", "y"], &mut out);
        assert_eq!(out, "event/x/y/m");
        let mut out = String::new();
        render_filter(&tokens, &[Some("x"), None], &mut out);
        assert_eq!(out, "*");
    }

    #[test]
    fn filters_leave_open_values_as_wildcards() {
        let tokens = [
            Tok::Lit("v1"),
            Tok::Param(0),
            Tok::Lit("link"),
            Tok::Rest(1),
        ];
        let mut out = String::new();
        render_filter(&tokens, &[None, None], &mut out);
        assert_eq!(out, "v1.*.link.>");
        let mut out = String::new();
        render_filter(&tokens, &[Some("default"), Some("put")], &mut out);
        assert_eq!(out, "v1.default.link.put");
    }

    #[test]
    fn rules_name_the_parameter_and_the_rule() {
        const LATTICE: Param = Param {
            pattern: Some(Pattern::Chars {
                source: "^[A-Za-z0-9-]+$",
                ranges: &[('A', 'Z'), ('a', 'z'), ('0', '9'), ('-', '-')],
            }),
            ..Param::token("lattice")
        };
        let e = LATTICE.check("prod/eu").unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameter `lattice`: \"prod/eu\" is not allowed: must match ^[A-Za-z0-9-]+$"
        );
        assert!(LATTICE.check("prod-eu").is_ok());
        let n = Param {
            numeric: true,
            ..Param::token("n")
        };
        assert!(n.check("-12").is_ok());
        assert!(n.check("1e3").is_err());
        let long = Param {
            min_length: Some(4),
            ..Param::token("n")
        };
        assert!(long.check("abc").is_err());
        let region = Param {
            one_of: &["eu", "us"],
            ..Param::token("region")
        };
        assert!(region.check("ap").is_err());
        let version = Param {
            pattern: Some(Pattern::Regex("^v[0-9]+$")),
            ..Param::token("version")
        };
        assert!(version.check("v12").is_ok());
        assert!(version.check("12").is_err());
        assert!(Param::tail("t").check("a.b").is_ok());
        assert!(Param::tail("t").check("a..b").is_err());
        assert!(Param::token("t").check("a.b").is_err());
    }

    #[test]
    fn a_value_cannot_hold_the_text_that_follows_it_in_its_token() {
        const PIECES: &[Piece] = &[Piece::Param(0), Piece::Lit("/"), Piece::Param(1)];
        const CHANNEL: ChannelInfo = ChannelInfo {
            spec: "s",
            name: "{a}/{b}",
            params: &[Param::token("a"), Param::token("b")],
            operations: &[],
            root: SubjectRoot {
                default: "",
                replaceable: false,
                account: false,
            },
            tokens: &[Tok::Mixed(PIECES)],
        };
        assert!(CHANNEL.check(&["x/y", "z"]).is_err());
        assert!(CHANNEL.check(&["x", "y/z"]).is_ok());
        assert!(CHANNEL.check_param(2, "x").is_err());
        assert_eq!(
            CHANNEL.parse("x/y/z", &SubjectPrefix::new()).unwrap(),
            [("a", "x"), ("b", "y/z")]
        );
    }
}
