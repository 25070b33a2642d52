//! Finds the line of a JSON pointer in a document's text: block-style YAML here, JSON in [`json`].
//!
//! `serde_yaml_ng::Value` keeps no positions, so this walks the text by indentation. It handles what
//! specs are written in (block mappings and sequences, quoted keys) and answers `None` for anything
//! else (flow style, multi-line keys) rather than guessing.

mod json;

pub(crate) use json::first_duplicate_key;

use crate::error::pointer_tokens;

struct Line<'a> {
    /// Column of the first character of `content`.
    indent: usize,
    content: &'a str,
}

fn lines(text: &str) -> Vec<Option<Line<'_>>> {
    text.lines()
        .map(|raw| {
            let trimmed = raw.trim_start_matches(' ');
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
                None
            } else {
                Some(Line {
                    indent: raw.len() - trimmed.len(),
                    content: trimmed,
                })
            }
        })
        .collect()
}

/// The key of a `key: value` (or `key:`) line, unquoted.
fn key_of(content: &str) -> Option<String> {
    let content = content.trim_end();
    let (key, _) = if let Some(rest) = content.strip_prefix('\'') {
        let end = rest
            .find("':")
            .or_else(|| rest.strip_suffix("'").map(|r| r.len()))?;
        return rest
            .get(end + 1..)
            .filter(|after| after.starts_with(':'))
            .map(|_| rest[..end].replace("''", "'"));
    } else if let Some(rest) = content.strip_prefix('"') {
        let end = rest.find("\":")?;
        return Some(rest[..end].replace("\\\"", "\""));
    } else {
        let pos = content
            .match_indices(':')
            .find(|(i, _)| {
                let after = &content[i + 1..];
                after.is_empty() || after.starts_with(' ')
            })?
            .0;
        (&content[..pos], ())
    };
    Some(key.trim_end().to_owned())
}

/// The line of the second `key:` among the keys of the mapping that starts at 1-based `from`
/// (serde_yaml_ng reports a duplicate key at the start of its mapping).
pub(crate) fn duplicate_key_line(text: &str, from: usize, key: &str) -> Option<usize> {
    let lines = lines(text);
    let mut indent = None;
    let mut seen = 0;
    for (i, line) in lines.iter().enumerate().skip(from.saturating_sub(1)) {
        let Some(line) = line else { continue };
        // The mapping may start mid-line (`- a: 1`): its keys share the first key's column.
        let (col, content) = match line.content.strip_prefix("- ") {
            Some(rest) if indent.is_none() => (line.indent + 2, rest),
            _ => (line.indent, line.content),
        };
        let indent = *indent.get_or_insert(col);
        if col < indent {
            break;
        }
        if col == indent && key_of(content).as_deref() == Some(key) {
            seen += 1;
            if seen == 2 {
                return Some(i + 1);
            }
        }
    }
    None
}

/// The column of the key on 1-based `line` (after any `- ` that starts a sequence item).
pub(crate) fn key_column(text: &str, line: usize) -> Option<usize> {
    let raw = text.lines().nth(line.checked_sub(1)?)?;
    let mut column = raw.len() - raw.trim_start_matches(' ').len();
    let mut rest = &raw[column..];
    while let Some(after) = rest.strip_prefix("- ") {
        let spaces = after.len() - after.trim_start_matches(' ').len();
        column += 2 + spaces;
        rest = &after[spaces..];
    }
    Some(column)
}

/// Whether the value of the `key:` (or `- key:`) on line `i` is a flow collection (`{…}`, `[…]`).
fn opens_flow(lines: &[Option<Line<'_>>], i: usize, inline_col: Option<usize>) -> bool {
    let Some(line) = &lines[i] else { return false };
    let content = match inline_col {
        Some(col) => line.content.get(col - line.indent..).unwrap_or_default(),
        None => line.content,
    };
    let content = content.strip_prefix("- ").unwrap_or(content);
    key_of(content).is_some_and(|key| {
        content
            .get(key.len()..)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(_, value)| value.trim_start().starts_with(['{', '[']))
    })
}

/// Whether the document is written in JSON (flow style) rather than block-style YAML.
pub(crate) fn is_json(text: &str) -> bool {
    text.trim_start().starts_with(['{', '['])
}

/// The 1-based line of the value at `pointer`, if the text is simple enough to tell. A value
/// inside a flow collection is placed on the line where the collection starts.
pub(crate) fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let tokens = pointer_tokens(pointer);
    if tokens.is_empty() {
        return Some(1);
    }
    if is_json(text) {
        return json::line_of(text, &tokens);
    }
    let lines = lines(text);
    // (line index, column at which the children of the current node start, or None for "any
    // column deeper than the parent").
    let mut start = 0usize;
    let mut parent_indent: Option<usize> = None;
    // Column of the content on the current line when a sequence item was entered (`- key: v`).
    let mut inline_col: Option<usize> = None;
    let mut found = None;
    for (depth, token) in tokens.iter().enumerate() {
        let mut hit = None;
        let mut seq_index = 0usize;
        let mut i = start;
        while i < lines.len() {
            let Some(line) = &lines[i] else {
                i += 1;
                continue;
            };
            // Content after a `- ` on the line where a sequence item began counts as a child line.
            let (indent, content) = match inline_col {
                Some(col) if i == start => (col, &line.content[col - line.indent..]),
                _ => (line.indent, line.content),
            };
            // A sequence may sit at its key's own column (`examples:` then `- name: …` below it).
            let item_here =
                token.parse::<usize>().is_ok() && (content.starts_with("- ") || content == "-");
            if i != start || inline_col.is_none() {
                if let Some(p) = parent_indent {
                    if indent < p || (indent == p && !item_here) {
                        break;
                    }
                }
            }
            let direct_child = |child_indent: usize| match parent_indent {
                None => child_indent == lines.iter().flatten().next().map_or(0, |l| l.indent),
                Some(p) => child_indent > p || (item_here && child_indent == p),
            };
            if let Some(item) =
                content
                    .strip_prefix("- ")
                    .or(if content == "-" { Some("") } else { None })
            {
                if direct_child(indent) {
                    if token.parse::<usize>().ok() == Some(seq_index) {
                        let col = indent + 2 + (item.len() - item.trim_start().len());
                        hit = Some((i, indent, (!item.trim().is_empty()).then_some(col)));
                        break;
                    }
                    seq_index += 1;
                }
            } else if direct_child(indent) && key_of(content).as_deref() == Some(token.as_str()) {
                hit = Some((i, indent, None));
                break;
            }
            // Skip the subtree of this sibling.
            i += 1;
            if parent_indent.is_none() || direct_child(indent) {
                let sibling = indent;
                while i < lines.len() {
                    match &lines[i] {
                        Some(l) if l.indent <= sibling && !l.content.starts_with("- ") => break,
                        Some(l) if l.indent < sibling => break,
                        Some(l) if l.indent == sibling && l.content.starts_with("- ") => break,
                        _ => i += 1,
                    }
                }
            }
        }
        let Some((line, indent, col)) = hit else {
            let parent = found?;
            // A value written in flow style (`count: {type: 12}`) starts on its parent's line;
            // one that opens on the next line (`payload:` then `{`) is read as JSON from there.
            if opens_flow(&lines, parent, inline_col) {
                return Some(parent + 1);
            }
            let next = (parent + 1..lines.len()).find(|&i| lines[i].is_some())?;
            let content = lines[next].as_ref()?.content;
            if !content.starts_with(['{', '[']) {
                return None;
            }
            let offset: usize = text.split_inclusive('\n').take(next).map(str::len).sum();
            let flow = &text[offset..];
            return Some(json::line_of(flow, &tokens[depth..]).map_or(next + 1, |l| next + l));
        };
        found = Some(line);
        start = if col.is_some() { line } else { line + 1 };
        parent_indent = Some(indent);
        inline_col = col;
        if col.is_some() {
            // Children of `- key: v` sit at the item's content column.
            parent_indent = Some(indent);
        }
    }
    found.map(|l| l + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
asyncapi: 2.6.0
info:
  title: T
channels:
  a.{x}.b:
    parameters:
      x:
        schema:
          type: string
  'quoted/key':
    publish:
      message:
        oneOf:
          - $ref: '#/m1'
          - name: second
            payload:
              type: object
components:
  schemas:
    A:
      type: object
";

    #[test]
    fn finds_nested_keys_quoted_keys_and_sequence_items() {
        assert_eq!(line_of(DOC, "/asyncapi"), Some(1));
        assert_eq!(line_of(DOC, "/info/title"), Some(3));
        assert_eq!(
            line_of(DOC, "/channels/a.{x}.b/parameters/x/schema"),
            Some(8)
        );
        assert_eq!(line_of(DOC, "/channels/quoted~1key/publish"), Some(11));
        assert_eq!(
            line_of(DOC, "/channels/quoted~1key/publish/message/oneOf/0"),
            Some(14)
        );
        assert_eq!(
            line_of(DOC, "/channels/quoted~1key/publish/message/oneOf/1/payload"),
            Some(16)
        );
        assert_eq!(
            line_of(DOC, "/channels/quoted~1key/publish/message/oneOf/1/name"),
            Some(15)
        );
        assert_eq!(line_of(DOC, "/components/schemas/A/type"), Some(21));
    }

    #[test]
    fn unknown_paths_give_none() {
        assert_eq!(line_of(DOC, "/channels/nope"), None);
        assert_eq!(line_of(DOC, "/info/title/deeper"), None);
        assert_eq!(line_of("{a: {b: 1}}", "/a/b"), None);
    }

    #[test]
    fn a_sequence_at_its_keys_column_is_found() {
        let doc = "messages:\n  A:\n    examples:\n    - name: one\n      payload:\n        count: 1\n    - name: two\n      payload:\n        count: 2\n    summary: s\n";
        assert_eq!(
            line_of(doc, "/messages/A/examples/1/payload/count"),
            Some(9)
        );
        assert_eq!(line_of(doc, "/messages/A/examples/0/name"), Some(4));
        assert_eq!(line_of(doc, "/messages/A/summary"), Some(10));
        assert_eq!(line_of(doc, "/messages/A/examples/2"), None);
    }

    #[test]
    fn json_written_under_a_key_is_read_as_json() {
        let doc = "examples:\n  - payload:\n      {\n        \"a\": 1,\n        \"b\": null\n      }\n  - payload:\n      {x: 1,\n       y: 2}\n";
        assert_eq!(line_of(doc, "/examples/0/payload/b"), Some(5));
        // Flow style that is not JSON: the line where it opens.
        assert_eq!(line_of(doc, "/examples/1/payload/y"), Some(8));
    }

    #[test]
    fn values_inside_flow_collections_are_on_their_parents_line() {
        let doc = "a:\n  b: {type: 12}\n  c: [1, 2]\n  d: plain\n  e:\n    - f: {g: 1}\n";
        assert_eq!(line_of(doc, "/a/b/type"), Some(2));
        assert_eq!(line_of(doc, "/a/c/1"), Some(3));
        assert_eq!(line_of(doc, "/a/d/x"), None);
        assert_eq!(line_of(doc, "/a/e/0/f/g"), Some(6));
        assert_eq!(line_of(doc, "/a/nope"), None);
    }
}
