//! Rust names of channels, from all of a document's addresses at once.

use crate::naming::{pascal, Namer};
use crate::template::{Template, Token};

/// Channel type names: the literal tokens that tell channels apart, after the tokens every channel
/// shares.
pub(crate) fn channels(channels: &[Template]) -> Vec<String> {
    let literal_words = |t: &Token| match t {
        Token::Literal(l) => Some(l.clone()),
        Token::Mixed(pieces) => Some(
            pieces
                .iter()
                .filter_map(|p| match p {
                    crate::template::Piece::Literal(l) => Some(l.clone()),
                    crate::template::Piece::Param(_) => None,
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Token::Rest => Some("all".into()),
        Token::Star => Some("any".into()),
        Token::Param(_) => None,
    };
    let shared = if channels.len() > 1 {
        let first = &channels[0].tokens;
        (0..first.len())
            .take_while(|&i| {
                channels
                    .iter()
                    .all(|c| c.tokens.get(i) == Some(&first[i]) && c.tokens.len() > i + 1)
            })
            .count()
    } else {
        0
    };
    let mut names = Namer::new();
    // Channel `X` becomes `XSubject`, `XFilter` and the constant `X`: these would collide with
    // the items every `subjects` module has.
    for reserved in ["Channel", "Any", "Spec", "Root", "Channels"] {
        names.reserve(reserved);
    }
    channels
        .iter()
        .map(|template| {
            let words: Vec<String> = template.tokens[shared..]
                .iter()
                .filter_map(literal_words)
                .collect();
            let words = if words.iter().all(|w| w.trim().is_empty()) {
                template.tokens.iter().filter_map(literal_words).collect()
            } else {
                words
            };
            let stem = pascal(&words.join(" "));
            let stem = if stem == "Type" {
                "Channel".to_owned()
            } else {
                stem
            };
            names.unique(stem)
        })
        .collect()
}
