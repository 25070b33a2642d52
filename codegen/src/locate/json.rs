//! Finds lines in JSON text: the line of a JSON pointer, and the first key an object repeats.
//!
//! A document written in JSON has no indentation to walk, so this reads its grammar: just enough
//! of it to skip values and decode keys. It answers `None` for text it cannot follow (YAML flow
//! style without quotes, say) rather than guessing. It runs only when an error or a warning is
//! reported, so a large JSON document costs nothing more when it generates cleanly.

use crate::error::escape_token;

/// The 1-based line of the value at `tokens` (a JSON pointer's tokens).
pub(crate) fn line_of(text: &str, tokens: &[String]) -> Option<usize> {
    let mut scanner = Scanner::new(text);
    scanner.find(tokens)?;
    Some(scanner.line())
}

/// The first key that an object repeats, in document order: its JSON pointer and 1-based line.
pub(crate) fn first_duplicate_key(text: &str) -> Option<(String, usize)> {
    let mut scanner = Scanner::new(text);
    let mut path = String::new();
    match scanner.duplicate(&mut path) {
        Found::Duplicate => Some((path, scanner.line())),
        Found::None | Found::Unreadable => None,
    }
}

enum Found {
    None,
    Duplicate,
    Unreadable,
}

struct Scanner<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
        }
    }

    /// The 1-based line of the current position.
    fn line(&self) -> usize {
        1 + self.text[..self.at].iter().filter(|&&b| b == b'\n').count()
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.blank();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// A string at the current position, decoded.
    fn string(&mut self) -> Option<String> {
        self.blank();
        if self.peek() != Some(b'"') {
            return None;
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    let escaped = *self.text.get(self.at + 1)?;
                    self.at += 2;
                    let decoded = match escaped {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => self.unicode()?,
                        other => other as char,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(decoded.encode_utf8(&mut buf).as_bytes());
                }
                byte => {
                    out.push(byte);
                    self.at += 1;
                }
            }
        }
    }

    /// The character of a `\u` escape (after the `\u`), a surrogate pair read whole.
    fn unicode(&mut self) -> Option<char> {
        let hex = |s: &mut Self| {
            let digits = std::str::from_utf8(s.text.get(s.at..s.at + 4)?).ok()?;
            s.at += 4;
            u32::from_str_radix(digits, 16).ok()
        };
        let first = hex(self)?;
        if (0xD800..0xDC00).contains(&first) && self.text.get(self.at..self.at + 2) == Some(b"\\u")
        {
            self.at += 2;
            let second = hex(self)?;
            return char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00));
        }
        char::from_u32(first).or(Some('\u{fffd}'))
    }

    /// Skips the value at the current position.
    fn skip(&mut self) -> Option<()> {
        self.blank();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => {
                self.at += 1;
                self.members(|s, _, _| s.skip())
            }
            b'[' => {
                self.at += 1;
                self.items(|s, _| s.skip())
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    /// The members of an object whose `{` was read, each given to `member` at its value with its
    /// key and where the key starts.
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, String, usize) -> Option<()>,
    ) -> Option<()> {
        self.blank();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        loop {
            self.blank();
            let start = self.at;
            let key = self.string()?;
            self.expect(b':')?;
            member(self, key, start)?;
            self.blank();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The items of an array whose `[` was read, each given to `item` with its index.
    fn items(&mut self, mut item: impl FnMut(&mut Self, usize) -> Option<()>) -> Option<()> {
        self.blank();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(());
        }
        for index in 0.. {
            item(self, index)?;
            self.blank();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
        None
    }

    /// Moves to the value at `tokens`.
    fn find(&mut self, tokens: &[String]) -> Option<()> {
        self.blank();
        let Some((token, rest)) = tokens.split_first() else {
            return Some(());
        };
        match self.peek()? {
            b'{' => {
                self.at += 1;
                loop {
                    let key = self.string()?;
                    self.expect(b':')?;
                    if &key == token {
                        return self.find(rest);
                    }
                    self.skip()?;
                    self.expect(b',')?;
                }
            }
            b'[' => {
                self.at += 1;
                let wanted: usize = token.parse().ok()?;
                for _ in 0..wanted {
                    self.skip()?;
                    self.expect(b',')?;
                }
                self.find(rest)
            }
            _ => None,
        }
    }

    /// Looks for the first repeated key, keeping the path to where it is in `path`; on
    /// [`Found::Duplicate`] the position is at the repeated key.
    fn duplicate(&mut self, path: &mut String) -> Found {
        self.blank();
        let mut found = Found::None;
        let read = match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut seen = std::collections::HashSet::new();
                self.members(|s, key, start| {
                    let token = escape_token(&key);
                    if !seen.insert(key) {
                        s.at = start;
                        path.push('/');
                        path.push_str(&token);
                        found = Found::Duplicate;
                        return None;
                    }
                    s.child(path, &token, &mut found)
                })
            }
            Some(b'[') => {
                self.at += 1;
                self.items(|s, index| s.child(path, &index.to_string(), &mut found))
            }
            Some(_) => self.skip(),
            None => None,
        };
        match (read, found) {
            (_, Found::Duplicate) => Found::Duplicate,
            (Some(()), _) => Found::None,
            _ => Found::Unreadable,
        }
    }

    /// [`Self::duplicate`] in the child at `token`: `Some` to go on with the next child, `None`
    /// (with `found` set) to stop.
    fn child(&mut self, path: &mut String, token: &str, found: &mut Found) -> Option<()> {
        let len = path.len();
        path.push('/');
        path.push_str(token);
        match self.duplicate(path) {
            Found::None => {
                path.truncate(len);
                Some(())
            }
            other => {
                *found = other;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
  "asyncapi": "2.6.0",
  "channels": {
    "a/b": {
      "publish": {"message": {"payload": {"type": "string"}}}
    },
    "esc\u00e9\"x": {
      "subscribe": {
        "message": {
          "examples": [
            {"payload": 1},
            {
              "payload": {"n": [1, 2, {"deep": true}]}
            }
          ]
        }
      }
    }
  }
}"#;

    fn tokens(pointer: &str) -> Vec<String> {
        crate::error::pointer_tokens(pointer)
    }

    #[test]
    fn finds_keys_escaped_keys_and_array_items() {
        assert_eq!(line_of(DOC, &tokens("")), Some(1));
        assert_eq!(line_of(DOC, &tokens("/channels")), Some(3));
        assert_eq!(line_of(DOC, &tokens("/channels/a~1b/publish")), Some(5));
        assert_eq!(
            line_of(DOC, &tokens("/channels/escé\"x/subscribe")),
            Some(8)
        );
        let examples = "/channels/escé\"x/subscribe/message/examples";
        assert_eq!(line_of(DOC, &tokens(&format!("{examples}/0"))), Some(11));
        assert_eq!(
            line_of(DOC, &tokens(&format!("{examples}/1/payload"))),
            Some(13)
        );
        assert_eq!(
            line_of(DOC, &tokens(&format!("{examples}/1/payload/n/2/deep"))),
            Some(13)
        );
    }

    #[test]
    fn unknown_paths_and_unreadable_text_give_none() {
        assert_eq!(line_of(DOC, &tokens("/nope")), None);
        assert_eq!(
            line_of(DOC, &tokens("/channels/a~1b/publish/message/5")),
            None
        );
        assert_eq!(line_of("{a: 1}", &tokens("/a")), None);
    }

    #[test]
    fn the_first_repeated_key_is_found_with_its_path() {
        let text = "{\n  \"a\": {\"x\": 1},\n  \"b\": [\n    {\"k\": 1,\n     \"k\": 2}\n  ],\n  \"a\": 2\n}";
        assert_eq!(first_duplicate_key(text), Some(("/b/0/k".to_owned(), 5)));
        assert_eq!(
            first_duplicate_key("{\"x~y\": 1, \"x~y\": 2}"),
            Some(("/x~0y".to_owned(), 1))
        );
        assert_eq!(first_duplicate_key(DOC), None);
    }
}
