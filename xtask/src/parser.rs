//! The official AsyncAPI parser (`@asyncapi/parser`, pinned in `tests/tools/package.json`) as the
//! judge of what a valid document is, and the generator held to its verdicts:
//!
//! - the parser reports an error: the generator refuses the document, at the JSON pointer of one
//!   of the parser's errors or inside it, with a line;
//! - the parser reports none: the generator generates, or refuses as `unsupported` (a construct
//!   this generator or NATS cannot handle);
//! - the parser gives no verdict: it ran out of time (it spins on some `$ref` cycles) or could
//!   not fetch a remote document (the machine has no network); nothing is held against either.
//!
//! Each deliberate difference is listed in the README's table "Where the generator and the
//! official parser differ", with the sentence of the specification that justifies it;
//! [`listed`] reads that table, so a difference that is not in it, or one in it that no longer
//! happens, is a failure.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use asyncapi_codegen::{Error, ErrorKind};
use serde::Deserialize;

/// The parser's verdict on one document.
#[derive(Debug, Clone, Deserialize)]
pub struct Judgement {
    /// The document, as it was given.
    pub file: PathBuf,
    pub verdict: Verdict,
    /// Everything the parser said, errors (severity 0) and the rest.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether the parser found an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Valid,
    Invalid,
    /// It ran out of time.
    Timeout,
}

/// One thing the parser said of a document.
#[derive(Debug, Clone, Deserialize)]
pub struct Diagnostic {
    /// 0 error, 1 warning, 2 information, 3 hint.
    pub severity: u8,
    pub code: String,
    /// The path in the document, token by token.
    pub path: Vec<String>,
    /// 1-based.
    pub line: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    /// The path as a JSON pointer.
    pub fn pointer(&self) -> String {
        self.path
            .iter()
            .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
            .collect()
    }

    fn is_error(&self) -> bool {
        self.severity == 0
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = self.pointer();
        let pointer = if pointer.is_empty() { "/" } else { &pointer };
        match self.line {
            Some(line) => write!(f, "{line}: {pointer}: {}", self.message),
            None => write!(f, "{pointer}: {}", self.message),
        }
    }
}

impl Judgement {
    /// The errors the parser reported.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// Whether the parser gave a verdict: not when it ran out of time, nor when every error it
    /// found is a remote document it could not fetch.
    pub fn judged(&self) -> bool {
        match self.verdict {
            Verdict::Timeout => false,
            Verdict::Valid => true,
            Verdict::Invalid => !self.errors().all(|d| d.message.contains("FetchError")),
        }
    }

    /// What it said, in one line: its first errors.
    pub fn summary(&self) -> String {
        match self.verdict {
            Verdict::Valid => "valid".to_owned(),
            Verdict::Timeout => "no verdict: it ran out of time".to_owned(),
            Verdict::Invalid => {
                let errors: Vec<String> = self.errors().take(2).map(|d| d.to_string()).collect();
                let more = self.errors().count().saturating_sub(2);
                let mut text = errors.join("; ");
                if more > 0 {
                    text.push_str(&format!(" (and {more} more)"));
                }
                text
            }
        }
    }
}

/// Runs the parser over `files` (paths as given) with `tools` (`tests/tools`, installed by
/// `cargo xtask setup`), `timeout` per document.
pub fn judge(tools: &Path, files: &[PathBuf], timeout: Duration) -> Result<Vec<Judgement>, String> {
    if !tools.join("node_modules/@asyncapi/parser").is_dir() {
        return Err(format!(
            "{} has no @asyncapi/parser: run `cargo xtask setup`",
            tools.display()
        ));
    }
    let list = std::env::temp_dir().join(format!("asyncapi-parser-{}.txt", std::process::id()));
    let text: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    std::fs::write(&list, text.join("\n")).map_err(|e| format!("{}: {e}", list.display()))?;
    let out = Command::new("node")
        .arg(tools.join("asyncapi_parser.mjs"))
        .arg("--timeout-ms")
        .arg(timeout.as_millis().to_string())
        .arg("--list")
        .arg(&list)
        .output()
        .map_err(|e| format!("node: {e}"));
    let _ = std::fs::remove_file(&list);
    let out = out?;
    if !out.status.success() {
        return Err(format!(
            "the parser failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let judgements: Vec<Judgement> = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the parser's verdicts are not what was expected: {e}"))?;
    if judgements.len() != files.len() {
        return Err(format!(
            "{} verdicts for {} documents",
            judgements.len(),
            files.len()
        ));
    }
    Ok(judgements)
}

/// How the generator and the parser disagree on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The parser finds an error; the generator generates.
    Generated,
    /// The parser finds no error; the generator refuses, and not as unsupported.
    Refused,
    /// Both refuse, but the generator points elsewhere than any of the parser's errors.
    Elsewhere,
    /// Both refuse, but the generator's error has no line.
    NoLine,
}

impl Kind {
    /// The words of the README's table.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Generated => "generated",
            Kind::Refused => "refused",
            Kind::Elsewhere => "elsewhere",
            Kind::NoLine => "no line",
        }
    }

    fn from_label(label: &str) -> Option<Self> {
        [
            Kind::Generated,
            Kind::Refused,
            Kind::Elsewhere,
            Kind::NoLine,
        ]
        .into_iter()
        .find(|k| k.label() == label)
    }
}

/// A document on which the generator and the parser disagree.
#[derive(Debug, Clone)]
pub struct Disagreement {
    /// The document, named as the README's table names it.
    pub document: String,
    pub kind: Kind,
    /// What the parser said.
    pub parser: String,
    /// What the generator said.
    pub ours: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): parser: {}; generator: {}",
            self.document,
            self.kind.label(),
            self.parser,
            self.ours
        )
    }
}

/// Holds the generator's outcome on a document (`Ok` with no error: it generated) to the
/// parser's verdict; `document` names it in the answer.
pub fn compare(
    document: &str,
    judgement: &Judgement,
    ours: Result<(), &Error>,
) -> Option<Disagreement> {
    if !judgement.judged() {
        return None;
    }
    let disagree = |kind: Kind| {
        Some(Disagreement {
            document: document.to_owned(),
            kind,
            parser: judgement.summary(),
            ours: match ours {
                Ok(()) => "generated".to_owned(),
                Err(e) => e.to_string(),
            },
        })
    };
    match (judgement.verdict, ours) {
        (Verdict::Invalid, Ok(())) => disagree(Kind::Generated),
        (Verdict::Valid, Err(e)) if !matches!(e.kind(), ErrorKind::Unsupported(_)) => {
            disagree(Kind::Refused)
        }
        (Verdict::Invalid, Err(e)) => {
            // The parser's paths are in the document it was given; an error the generator
            // found in a file that document references is located in that file instead.
            let same_file = same_file(e.file(), &judgement.file);
            let inside = |p: &str| {
                let ours = e.pointer();
                ours == p || ours.starts_with(&format!("{p}/")) || p.is_empty()
            };
            if same_file && !judgement.errors().any(|d| inside(&d.pointer())) {
                disagree(Kind::Elsewhere)
            } else if e.line().is_none() {
                disagree(Kind::NoLine)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The README's heading over the table of listed differences.
pub const README_HEADING: &str = "### Where the generator and the official parser differ";

/// The differences the README lists: `(document, kind)` from the rows of the table under
/// [`README_HEADING`], whose first column is the document in backticks and whose second is the
/// [`Kind`]'s label.
pub fn listed(readme: &str) -> Result<BTreeSet<(String, Kind)>, String> {
    let start = readme
        .find(README_HEADING)
        .ok_or_else(|| format!("the README has no {README_HEADING:?}"))?;
    let mut rows = BTreeSet::new();
    for line in readme[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(document), Some(kind)) = (cells.get(1), cells.get(2)) else {
            return Err(format!("a row of the table without its cells: {line}"));
        };
        let document = document.trim_matches('`').to_owned();
        let kind = Kind::from_label(kind)
            .ok_or_else(|| format!("{kind:?} is not a kind of difference"))?;
        rows.insert((document, kind));
    }
    Ok(rows)
}

/// Checks the disagreements found against the ones listed for the documents that were judged
/// (`judged`, as the table names them): every one found must be listed, and every listed one
/// found. The failures, one line each.
pub fn unlisted(
    found: &[Disagreement],
    listed: &BTreeSet<(String, Kind)>,
    judged: &BTreeSet<String>,
) -> Vec<String> {
    let found_keys: BTreeSet<(String, Kind)> =
        found.iter().map(|d| (d.document.clone(), d.kind)).collect();
    let mut failures: Vec<String> = found
        .iter()
        .filter(|d| !listed.contains(&(d.document.clone(), d.kind)))
        .map(|d| format!("not listed in the README: {d}"))
        .collect();
    failures.extend(
        listed
            .iter()
            .filter(|(doc, _)| judged.contains(doc))
            .filter(|key| !found_keys.contains(key))
            .map(|(doc, kind)| {
                format!(
                    "listed in the README but no longer happens: {doc} ({})",
                    kind.label()
                )
            }),
    );
    failures
}
