//! The one error type of the generator: where (file, JSON pointer, line) and what.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with an input document, located as precisely as the generator can.
///
/// `Display` gives one line: `file:line: pointer: message` (the line is left out when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    file: PathBuf,
    pointer: String,
    line: Option<usize>,
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io(String),
    /// The file is not valid YAML (or JSON), or holds something JSON cannot represent.
    Syntax(String),
    /// The `asyncapi` field names a version this generator does not accept.
    UnsupportedVersion(String),
    /// The document does not have the structure AsyncAPI requires.
    Structure(String),
    /// A `$ref` that cannot be followed.
    Reference(String),
    /// A rule of the linter is broken (undeclared parameter, duplicate id, ...).
    Lint(String),
    /// A construct the generator cannot turn into Rust.
    Unsupported(String),
    /// A message example does not satisfy its own schema.
    Example(String),
    /// A resource limit was reached (document too large or too deeply nested).
    Limit(String),
}

impl Error {
    pub(crate) fn new(file: impl AsRef<Path>, pointer: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            file: file.as_ref().to_path_buf(),
            pointer: pointer.into(),
            line: None,
            kind,
        }
    }

    pub(crate) fn with_line(mut self, line: Option<usize>) -> Self {
        if self.line.is_none() {
            self.line = line;
        }
        self
    }

    /// The file the problem is in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The JSON pointer of the offending value inside [`Error::file`] (`""` is the whole document).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The 1-based line of the offending value, when it could be found.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(m) => write!(f, "cannot read file: {m}"),
            ErrorKind::Syntax(m) => write!(f, "syntax error: {m}"),
            ErrorKind::UnsupportedVersion(v) => write!(
                f,
                "unsupported AsyncAPI version {v:?}: this generator reads 2.0.x to 2.6.x, 3.0.x and 3.1.x"
            ),
            ErrorKind::Structure(m) => write!(f, "invalid document: {m}"),
            ErrorKind::Reference(m) => write!(f, "bad $ref: {m}"),
            ErrorKind::Lint(m) => write!(f, "{m}"),
            ErrorKind::Unsupported(m) => write!(f, "unsupported: {m}"),
            ErrorKind::Example(m) => write!(f, "example does not match its schema: {m}"),
            ErrorKind::Limit(m) => write!(f, "limit exceeded: {m}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        // Messages from YAML and typify may span lines; the error stays one line.
        let message = self.kind.to_string().replace('\n', " ");
        write!(f, ": {pointer}: {message}")
    }
}

impl std::error::Error for Error {}

/// Result with the generator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub(crate) fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one token to a JSON pointer.
pub(crate) fn join_pointer(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_token(token))
}

/// Splits a JSON pointer into unescaped tokens.
pub(crate) fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_file_line_and_pointer() {
        let e = Error::new(
            "specs/a.yaml",
            "/channels/x",
            ErrorKind::Syntax("bad\nthing".into()),
        )
        .with_line(Some(7));
        assert_eq!(
            e.to_string(),
            "specs/a.yaml:7: /channels/x: syntax error: bad thing"
        );
    }

    #[test]
    fn pointer_round_trip_escapes_slash_and_tilde() {
        let p = join_pointer("/channels", "a/b~c");
        assert_eq!(p, "/channels/a~1b~0c");
        assert_eq!(pointer_tokens(&p), vec!["channels", "a/b~c"]);
    }
}
