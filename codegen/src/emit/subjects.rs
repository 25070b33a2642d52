//! Typed subjects per channel, a router over all channels, wildcard filters, and the operation
//! table.

use std::cmp::Ordering;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::error::{Error, ErrorKind, Result};
use crate::model::{Channel, Direction, ParamRule, ReplyPattern, Spec};
use crate::naming::{pascal, snake, Namer};
use crate::template::{Piece, Template, Token};

use super::messages::{ident, payload_type};
use super::{doc, plain_doc};

/// One value a channel captures: a parameter, or a wildcard.
struct Slot {
    /// Name in `ChannelInfo::params` and in errors: the spec's parameter name, `tail` for `>`,
    /// `any<n>` for `*`.
    name: String,
    /// Rust field name.
    field: Ident,
    description: Option<String>,
    rule: ParamRule,
    kind: SlotKind,
    /// Literal text that follows the value inside its token, where parsing cuts.
    cut_before: Option<String>,
}

#[derive(PartialEq)]
enum SlotKind {
    Param,
    Star,
    Rest,
}

/// The channel's tokens after the spec's root, and its slots.
struct Shape {
    tokens: Vec<Token>,
    slots: Vec<Slot>,
}

fn root_tokens(spec: &Spec) -> usize {
    spec.subject_root
        .as_ref()
        .map_or(0, |r| r.default.split('.').count())
}

fn param_slot(
    channel: &Channel,
    name: &str,
    cut_before: Option<String>,
    fields: &mut Namer,
) -> Slot {
    let p = channel
        .parameters
        .iter()
        .find(|p| p.name == name)
        .expect("template parameters are declared (linted)");
    Slot {
        name: p.name.clone(),
        field: ident(&fields.unique(p.ident.clone())),
        description: p.description.clone(),
        rule: p.rule.clone(),
        kind: SlotKind::Param,
        cut_before,
    }
}

fn wildcard_slot(name: String, description: &str, kind: SlotKind, fields: &mut Namer) -> Slot {
    Slot {
        field: ident(&fields.unique(name.clone())),
        name,
        description: Some(description.into()),
        rule: ParamRule::default(),
        kind,
        cut_before: None,
    }
}

fn shape(spec: &Spec, channel: &Channel) -> Shape {
    let tokens: Vec<Token> = channel.template.tokens[root_tokens(spec)..].to_vec();
    let mut slots = Vec::new();
    let mut fields = Namer::new();
    let mut stars = 0;
    for t in &tokens {
        match t {
            Token::Literal(_) => {}
            Token::Param(name) => slots.push(param_slot(channel, name, None, &mut fields)),
            Token::Mixed(pieces) => {
                for (i, piece) in pieces.iter().enumerate() {
                    if let Piece::Param(name) = piece {
                        let cut = match pieces.get(i + 1) {
                            Some(Piece::Literal(l)) if i + 2 < pieces.len() => Some(l.clone()),
                            _ => None,
                        };
                        slots.push(param_slot(channel, name, cut, &mut fields));
                    }
                }
            }
            Token::Star => {
                let name = format!("any{stars}");
                stars += 1;
                let d = "The token in place of a `*` wildcard.";
                slots.push(wildcard_slot(name, d, SlotKind::Star, &mut fields));
            }
            Token::Rest => {
                let d = "The tokens in place of the `>` wildcard.";
                slots.push(wildcard_slot("tail".into(), d, SlotKind::Rest, &mut fields));
            }
        }
    }
    Shape { tokens, slots }
}

/// `rt::Tok` expressions for the tokens; slot numbers follow [`shape`]'s order.
fn tok_exprs(shape: &Shape) -> Vec<TokenStream> {
    let mut slot = 0usize;
    let mut next = || {
        slot += 1;
        slot - 1
    };
    shape
        .tokens
        .iter()
        .map(|t| match t {
            Token::Literal(l) => quote!(rt::Tok::Lit(#l)),
            Token::Param(_) => {
                let i = Literal::usize_unsuffixed(next());
                quote!(rt::Tok::Param(#i))
            }
            Token::Star => {
                let i = Literal::usize_unsuffixed(next());
                quote!(rt::Tok::Star(#i))
            }
            Token::Rest => {
                let i = Literal::usize_unsuffixed(next());
                quote!(rt::Tok::Rest(#i))
            }
            Token::Mixed(pieces) => {
                let pieces: Vec<TokenStream> = pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Literal(l) => quote!(rt::Piece::Lit(#l)),
                        Piece::Param(_) => {
                            let i = Literal::usize_unsuffixed(next());
                            quote!(rt::Piece::Param(#i))
                        }
                    })
                    .collect();
                quote!(rt::Tok::Mixed(&[#(#pieces),*]))
            }
        })
        .collect()
}

/// A `fn(char) -> bool` for `^[...]+$` patterns made only of ranges and single characters, so the
/// common case needs no regex.
fn char_class(pattern: &str) -> Option<TokenStream> {
    let class = pattern.strip_prefix("^[")?.strip_suffix("]+$")?;
    if class.is_empty() || class.starts_with('^') {
        return None;
    }
    let chars: Vec<char> = class.chars().collect();
    let mut arms = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' || c == '[' || c == ']' {
            return None;
        }
        if i + 2 < chars.len() && chars[i + 1] == '-' {
            let end = chars[i + 2];
            if end == '\\' || end < c {
                return None;
            }
            arms.push(match (c, end) {
                ('A', 'Z') => quote!(c.is_ascii_uppercase()),
                ('a', 'z') => quote!(c.is_ascii_lowercase()),
                ('0', '9') => quote!(c.is_ascii_digit()),
                _ => quote!((#c..=#end).contains(&c)),
            });
            i += 3;
        } else {
            arms.push(quote!(c == #c));
            i += 1;
        }
    }
    Some(quote!(|c| #(#arms)||*))
}

/// Statements checking `value` (an `&str` expression) for one slot.
fn checks(slot: &Slot, value: &TokenStream, regexes: &mut Vec<(Ident, String)>) -> TokenStream {
    let name = &slot.name;
    let mut out = match slot.kind {
        SlotKind::Rest => quote!(rt::check_tail(#name, #value)?;),
        _ => quote!(rt::check_token(#name, #value)?;),
    };
    let rule = &slot.rule;
    if rule.numeric {
        out.extend(quote!(rt::check_integer(#name, #value)?;));
    }
    if let Some(allowed) = &rule.allowed {
        out.extend(quote!(rt::check_one_of(#name, #value, &[#(#allowed),*])?;));
    }
    if rule.min_length.is_some() || rule.max_length.is_some() {
        let opt = |v: Option<u64>| match v {
            Some(n) => {
                let n = Literal::u64_unsuffixed(n);
                quote!(::core::option::Option::Some(#n))
            }
            None => quote!(::core::option::Option::None),
        };
        let (min, max) = (opt(rule.min_length), opt(rule.max_length));
        out.extend(quote!(rt::check_length(#name, #value, #min, #max)?;));
    }
    if let Some(pattern) = &rule.pattern {
        match char_class(pattern) {
            Some(class) => out.extend(quote!(rt::check_chars(#name, #value, #class, #pattern)?;)),
            None => {
                let static_name = match regexes.iter().find(|(_, p)| p == pattern) {
                    Some((existing, _)) => existing.clone(),
                    None => {
                        let new = ident(&format!("PATTERN_{}", regexes.len()));
                        regexes.push((new.clone(), pattern.clone()));
                        new
                    }
                };
                out.extend(quote!(rt::check_regex(#name, #value, &#static_name, #pattern)?;));
            }
        }
    }
    if let Some(cut) = &slot.cut_before {
        out.extend(quote!(rt::check_not_containing(#name, #value, #cut)?;));
    }
    out
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

fn specificity(a: &Template, b: &Template) -> Ordering {
    let ra = a.tokens.iter().map(rank);
    let rb = b.tokens.iter().map(rank);
    ra.cmp(rb).then_with(|| a.to_string().cmp(&b.to_string()))
}

/// Whether two templates match exactly the same subjects.
fn same_subjects(a: &Template, b: &Template) -> bool {
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
    a.tokens.len() == b.tokens.len()
        && a.tokens
            .iter()
            .zip(&b.tokens)
            .all(|(x, y)| skeleton(x) == skeleton(y))
}

/// Const name of a channel's `ChannelInfo`.
fn info_name(channel: &Channel) -> Ident {
    ident(&snake(&channel.ident).to_ascii_uppercase())
}

fn subject_name(channel: &Channel) -> Ident {
    ident(&format!("{}Subject", channel.ident))
}

fn filter_name(channel: &Channel) -> Ident {
    ident(&format!("{}Filter", channel.ident))
}

fn channel_items(
    spec: &Spec,
    channel: &Channel,
    runtime: &TokenStream,
    regexes: &mut Vec<(Ident, String)>,
) -> TokenStream {
    let shape = shape(spec, channel);
    let name = &channel.name;
    let spec_id = &spec.id;
    let subject = subject_name(channel);
    let filter = filter_name(channel);
    let info = info_name(channel);
    let check_fn = ident(&format!("check_{}", snake(&channel.ident)));
    let check_param_fn = ident(&format!("check_{}_param", snake(&channel.ident)));
    let toks = tok_exprs(&shape);
    let n = shape.slots.len();
    let fields: Vec<&Ident> = shape.slots.iter().map(|s| &s.field).collect();
    let names: Vec<&String> = shape.slots.iter().map(|s| &s.name).collect();
    let indexes: Vec<Literal> = (0..n).map(Literal::usize_unsuffixed).collect();
    let slot_checks: Vec<TokenStream> = shape
        .slots
        .iter()
        .map(|s| checks(s, &quote!(value), regexes))
        .collect();
    let field_docs: Vec<TokenStream> = shape
        .slots
        .iter()
        .map(|s| match &s.description {
            Some(d) => doc(d),
            None => plain_doc(&format!("The `{}` parameter.", s.name)),
        })
        .collect();
    let setter_docs: Vec<TokenStream> = shape
        .slots
        .iter()
        .map(|s| {
            plain_doc(&format!(
                "Fixes `{}` (checked like a subject's) instead of leaving it open.",
                s.name
            ))
        })
        .collect();
    let operations: Vec<&String> = channel
        .operations
        .iter()
        .map(|&o| &spec.operations[o].id)
        .collect();
    let mut subject_doc = format!("A subject of the channel `{name}`.");
    if let Some(d) = &channel.description {
        subject_doc.push_str("\n\n");
        subject_doc.push_str(&super::sanitize_doc(d));
    }
    if !operations.is_empty() {
        subject_doc.push_str(&format!(
            "\n\nOperations: {}.",
            operations
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let subject_doc = plain_doc(&subject_doc);
    let filter_doc = plain_doc(&format!(
        "A subscription to subjects of `{name}`, with any parameter left open (`*`)."
    ));
    let info_doc = plain_doc(&format!("The channel `{name}`."));
    let lifetime_marker = if n == 0 {
        quote!(_marker: ::core::marker::PhantomData<&'a ()>,)
    } else {
        quote!()
    };
    let marker_init = if n == 0 {
        quote!(_marker: ::core::marker::PhantomData,)
    } else {
        quote!()
    };
    let check_param_body = if shape.slots.is_empty() {
        quote!(::std::result::Result::Ok(()))
    } else {
        quote! {
            match index {
                #(#indexes => {
                    #slot_checks
                    ::std::result::Result::Ok(())
                })*
                _ => ::std::result::Result::Ok(()),
            }
        }
    };
    let values_expr = quote!([#(self.#fields),*]);
    let filter_values = quote!([#(self.#fields),*]);
    let n = Literal::usize_unsuffixed(n);
    let slots_ty = quote!([&'a str; #n]);
    quote! {
        #subject_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct #subject<'a> {
            #(#fields: &'a str,)*
            #lifetime_marker
        }

        impl<'a> #subject<'a> {
            /// The channel name: the subject template.
            pub const TEMPLATE: &'static str = #name;
            const TOKENS: &'static [rt::Tok] = &[#(#toks),*];

            /// Checks each value against its rules; an error names the parameter and the rule.
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#fields: &'a str),*) -> ::std::result::Result<Self, SubjectError> {
                #check_fn(&[#(#fields),*])?;
                ::std::result::Result::Ok(Self { #(#fields,)* #marker_init })
            }

            #(
                #field_docs
                pub fn #fields(&self) -> &'a str {
                    self.#fields
                }
            )*

            /// Parses a subject with the spec's own root and no account.
            pub fn parse(subject: &'a str) -> ::std::result::Result<Self, SubjectError> {
                <Self as #runtime::ChannelSubject<'a>>::parse_with(subject, &SubjectPrefix::new())
            }

            /// The subject with the spec's own root and no account.
            pub fn render(&self) -> ::std::string::String {
                <Self as #runtime::ChannelSubject<'a>>::render_with(self, &SubjectPrefix::new())
            }

            /// The subject under `prefix`.
            pub fn render_with(&self, prefix: &SubjectPrefix) -> ::std::string::String {
                <Self as #runtime::ChannelSubject<'a>>::render_with(self, prefix)
            }

            /// A subscription to this channel's subjects, every parameter open until fixed.
            pub fn filter() -> #filter<'a> {
                #filter::default()
            }

            fn values(&self) -> #slots_ty {
                #values_expr
            }

            /// `None` when the subject does not have this channel's shape (no allocation, so
            /// routers can try channels cheaply); otherwise the checked values.
            fn match_with(subject: &'a str, prefix: &SubjectPrefix) -> ::core::option::Option<::std::result::Result<Self, SubjectError>> {
                Self::match_rest(ROOT.strip(subject, prefix)?)
            }

            /// [`Self::match_with`] for the part after the root.
            fn match_rest(rest: &'a str) -> ::core::option::Option<::std::result::Result<Self, SubjectError>> {
                let mut values: #slots_ty = [""; #n];
                if !rt::match_tokens(rest, Self::TOKENS, &mut values) {
                    return ::core::option::Option::None;
                }
                ::core::option::Option::Some(Self::new(#(values[#indexes]),*))
            }
        }

        impl<'a> #runtime::ChannelSubject<'a> for #subject<'a> {
            const CHANNEL: &'static ChannelInfo = &#info;

            fn parse_with(subject: &'a str, prefix: &SubjectPrefix) -> ::std::result::Result<Self, SubjectError> {
                Self::match_with(subject, prefix).unwrap_or_else(|| {
                    ::std::result::Result::Err(SubjectError::NoMatch {
                        subject: subject.into(),
                        expected: #name.into(),
                    })
                })
            }

            fn write_with(&self, prefix: &SubjectPrefix, out: &mut ::std::string::String) {
                ROOT.write(prefix, out);
                rt::render_tokens(Self::TOKENS, &self.values(), out);
            }
        }

        impl ::std::fmt::Display for #subject<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.render())
            }
        }

        #filter_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #filter<'a> {
            #(#fields: ::core::option::Option<&'a str>,)*
            #lifetime_marker
        }

        impl<'a> #filter<'a> {
            #(
                #setter_docs
                pub fn #fields(mut self, value: &'a str) -> ::std::result::Result<Self, SubjectError> {
                    #check_param_fn(#indexes, value)?;
                    self.#fields = ::core::option::Option::Some(value);
                    ::std::result::Result::Ok(self)
                }
            )*

            /// The subscription subject with the spec's own root and no account.
            pub fn render(&self) -> ::std::string::String {
                self.render_with(&SubjectPrefix::new())
            }

            /// The subscription subject under `prefix`.
            pub fn render_with(&self, prefix: &SubjectPrefix) -> ::std::string::String {
                let mut out = ::std::string::String::with_capacity(64);
                ROOT.write(prefix, &mut out);
                rt::render_filter(#subject::TOKENS, &#filter_values, &mut out);
                out
            }
        }

        #info_doc
        pub const #info: ChannelInfo = ChannelInfo {
            spec: #spec_id,
            name: #name,
            params: &[#(#names),*],
            operations: &[#(#operations),*],
            root: ROOT,
            tokens: #subject::TOKENS,
            check: #check_fn,
            check_param: #check_param_fn,
        };

        fn #check_fn(values: &[&str]) -> ::std::result::Result<(), SubjectError> {
            values.iter().enumerate().try_for_each(|(i, v)| #check_param_fn(i, v))
        }

        #[allow(unused_variables)]
        fn #check_param_fn(index: usize, value: &str) -> ::std::result::Result<(), SubjectError> {
            #check_param_body
        }
    }
}

/// The subscription covering every channel: the tokens all channels share, then `>`.
pub(crate) fn spec_filter(spec: &Spec) -> (Vec<Token>, String) {
    let skip = root_tokens(spec);
    let templates: Vec<&[Token]> = spec
        .channels
        .iter()
        .map(|c| &c.template.tokens[skip..])
        .collect();
    let Some(first) = templates.first() else {
        return (vec![Token::Rest], ">".into());
    };
    let shortest = templates.iter().map(|t| t.len()).min().unwrap_or(0);
    let mut shared: Vec<Token> = Vec::new();
    for (i, tok) in first.iter().enumerate() {
        if templates.len() > 1 && i + 1 >= shortest {
            break;
        }
        let shareable = matches!(tok, Token::Literal(_) | Token::Param(_));
        if shareable && templates.iter().all(|t| t.get(i) == Some(tok)) {
            shared.push(tok.clone());
        } else {
            break;
        }
    }
    if templates.len() == 1 {
        let tokens = first.to_vec();
        let text = Template {
            tokens: tokens.clone(),
        }
        .to_string();
        return (tokens, text);
    }
    shared.push(Token::Rest);
    let text = Template {
        tokens: shared.clone(),
    }
    .to_string();
    (shared, text)
}

fn router(spec: &Spec) -> Result<TokenStream> {
    let mut order: Vec<&Channel> = spec.channels.iter().collect();
    order.sort_by(|a, b| specificity(&a.template, &b.template));
    for pair in order.windows(2) {
        if same_subjects(&pair[0].template, &pair[1].template) {
            return Err(Error::new(
                &spec.path,
                &pair[1].pointer,
                ErrorKind::Lint(format!(
                    "channels {:?} and {:?} match exactly the same subjects, so an incoming subject could not be routed",
                    pair[0].name, pair[1].name
                )),
            ));
        }
    }
    let variants: Vec<Ident> = order.iter().map(|c| ident(&c.ident)).collect();
    let subjects: Vec<Ident> = order.iter().map(|c| subject_name(c)).collect();
    // A channel without `>` matches only subjects with exactly its number of tokens.
    let skip = root_tokens(spec);
    let guards: Vec<TokenStream> = order
        .iter()
        .map(|c| {
            let tokens = &c.template.tokens[skip..];
            if tokens.iter().any(|t| matches!(t, Token::Rest)) {
                let min = Literal::usize_unsuffixed(tokens.len());
                quote!(count >= #min)
            } else {
                let len = Literal::usize_unsuffixed(tokens.len());
                quote!(count == #len)
            }
        })
        .collect();
    let infos: Vec<Ident> = order.iter().map(|c| info_name(c)).collect();
    let variant_docs: Vec<TokenStream> = order
        .iter()
        .map(|c| plain_doc(&format!("`{}`", c.name)))
        .collect();
    let expected = format!("a channel of {}", spec.id);
    Ok(quote! {
        /// Any subject of the spec, routed to its channel.
        ///
        /// Channels are tried most specific first: at the first token where two channels differ,
        /// literal text beats text with a parameter, which beats a parameter, which beats `>`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AnySubject<'a> {
            #(
                #variant_docs
                #variants(#subjects<'a>),
            )*
        }

        impl<'a> AnySubject<'a> {
            /// Routes a subject with the spec's own root and no account.
            pub fn parse(subject: &'a str) -> ::std::result::Result<Self, SubjectError> {
                Self::parse_with(subject, &SubjectPrefix::new())
            }

            /// Routes a subject under `prefix`. A subject that has a channel's shape but a bad
            /// value gets that channel's error; one that has no channel's shape, `NoMatch`.
            pub fn parse_with(subject: &'a str, prefix: &SubjectPrefix) -> ::std::result::Result<Self, SubjectError> {
                let no_match = || SubjectError::NoMatch {
                    subject: subject.into(),
                    expected: #expected.into(),
                };
                let rest = ROOT.strip(subject, prefix).ok_or_else(no_match)?;
                let count = rest.split('.').count();
                let mut invalid = ::core::option::Option::None;
                #(
                    match if #guards { #subjects::match_rest(rest) } else { ::core::option::Option::None } {
                        ::core::option::Option::Some(::std::result::Result::Ok(s)) => return ::std::result::Result::Ok(Self::#variants(s)),
                        ::core::option::Option::Some(::std::result::Result::Err(e)) => {
                            invalid.get_or_insert(e);
                        }
                        ::core::option::Option::None => {}
                    }
                )*
                ::std::result::Result::Err(invalid.unwrap_or_else(no_match))
            }

            /// The channel of the subject.
            pub fn channel(&self) -> &'static ChannelInfo {
                match self {
                    #(Self::#variants(_) => &#infos,)*
                }
            }

            /// The subject under `prefix`.
            pub fn render_with(&self, prefix: &SubjectPrefix) -> ::std::string::String {
                match self {
                    #(Self::#variants(s) => s.render_with(prefix),)*
                }
            }
        }

        impl ::std::fmt::Display for AnySubject<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.render_with(&SubjectPrefix::new()))
            }
        }

        /// Every channel of the spec, in the order [`AnySubject`] tries them.
        pub const CHANNELS: &[&ChannelInfo] = &[#(&#infos),*];
    })
}

fn spec_filter_items(spec: &Spec, regexes: &mut Vec<(Ident, String)>) -> TokenStream {
    let (tokens, text) = spec_filter(spec);
    let mut root_text = spec
        .subject_root
        .as_ref()
        .map(|r| r.default.clone())
        .unwrap_or_default();
    if !root_text.is_empty() {
        root_text.push('.');
    }
    let template = format!("{root_text}{text}");
    // Parameters in the shared tokens come from the first channel that has them.
    let mut slots = Vec::new();
    for t in &tokens {
        if let Token::Param(name) = t {
            if let Some(p) = spec
                .channels
                .iter()
                .flat_map(|c| &c.parameters)
                .find(|p| &p.name == name)
            {
                slots.push(Slot {
                    name: p.name.clone(),
                    field: ident(&p.ident),
                    description: p.description.clone(),
                    rule: p.rule.clone(),
                    kind: SlotKind::Param,
                    cut_before: None,
                });
            }
        }
    }
    let shape = Shape {
        tokens: tokens.clone(),
        slots,
    };
    let toks = tok_exprs(&Shape {
        tokens: shape.tokens.clone(),
        slots: Vec::new(),
    });
    let n = Literal::usize_unsuffixed(
        shape.slots.len()
            + tokens
                .iter()
                .filter(|t| matches!(t, Token::Rest | Token::Star))
                .count(),
    );
    let fields: Vec<&Ident> = shape.slots.iter().map(|s| &s.field).collect();
    let setter_checks: Vec<TokenStream> = shape
        .slots
        .iter()
        .map(|s| checks(s, &quote!(value), regexes))
        .collect();
    let setter_docs: Vec<TokenStream> = shape
        .slots
        .iter()
        .map(|s| plain_doc(&format!("Fixes `{}` instead of leaving it open.", s.name)))
        .collect();
    let doc_text = plain_doc(&format!(
        "The subscription covering every channel of the spec: `{template}`, with parameters left open (`*`) until fixed."
    ));
    let open_rest = tokens
        .iter()
        .filter(|t| matches!(t, Token::Rest | Token::Star))
        .map(|_| quote!(::core::option::Option::None));
    let marker = if fields.is_empty() {
        quote!(_marker: ::core::marker::PhantomData<&'a ()>,)
    } else {
        quote!()
    };
    quote! {
        #doc_text
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct SpecFilter<'a> {
            #(#fields: ::core::option::Option<&'a str>,)*
            #marker
        }

        impl<'a> SpecFilter<'a> {
            /// The subscription template.
            pub const TEMPLATE: &'static str = #template;
            const TOKENS: &'static [rt::Tok] = &[#(#toks),*];

            #(
                #setter_docs
                pub fn #fields(mut self, value: &'a str) -> ::std::result::Result<Self, SubjectError> {
                    #setter_checks
                    self.#fields = ::core::option::Option::Some(value);
                    ::std::result::Result::Ok(self)
                }
            )*

            /// The subscription subject with the spec's own root and no account.
            pub fn render(&self) -> ::std::string::String {
                self.render_with(&SubjectPrefix::new())
            }

            /// The subscription subject under `prefix`.
            pub fn render_with(&self, prefix: &SubjectPrefix) -> ::std::string::String {
                let values: [::core::option::Option<&str>; #n] = [#(self.#fields,)* #(#open_rest),*];
                let mut out = ::std::string::String::with_capacity(64);
                ROOT.write(prefix, &mut out);
                rt::render_filter(Self::TOKENS, &values, &mut out);
                out
            }
        }
    }
}

pub(crate) fn subjects(spec: &Spec, runtime: &TokenStream) -> Result<TokenStream> {
    let mut regexes = Vec::new();
    let channels: Vec<TokenStream> = spec
        .channels
        .iter()
        .map(|c| channel_items(spec, c, runtime, &mut regexes))
        .collect();
    let router = router(spec)?;
    let filter = spec_filter_items(spec, &mut regexes);
    let (root, replaceable) = spec
        .subject_root
        .as_ref()
        .map_or((String::new(), false), |r| {
            (r.default.clone(), r.replaceable)
        });
    let account = spec.account_prefix;
    let regex_items = regexes.iter().map(|(name, pattern)| {
        quote! {
            static #name: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(|| {
                ::regress::Regex::new(#pattern).expect("the generator checked this pattern")
            });
        }
    });
    let root_doc = match &spec.subject_root {
        Some(r) if r.replaceable => format!(
            "How the spec's subjects begin: `{}`, which a [`SubjectPrefix`] root replaces.",
            r.default
        ),
        Some(r) => format!("How the spec's subjects begin: always `{}`.", r.default),
        None => "The spec declares no subject root.".to_owned(),
    };
    let root_doc = plain_doc(&root_doc);
    Ok(quote! {
        /// Typed subjects: one type per channel that renders and parses its subjects, one filter
        /// type per channel for subscriptions, and a router over all channels.
        pub mod subjects {
            use #runtime::subject as rt;
            pub use #runtime::{ChannelInfo, ChannelSubject, SubjectError, SubjectPrefix};

            #root_doc
            pub const ROOT: rt::SubjectRoot = rt::SubjectRoot {
                default: #root,
                replaceable: #replaceable,
                account: #account,
            };

            #(#regex_items)*

            #(#channels)*

            #router

            #filter
        }
    })
}

/// Checks that every regular expression in the spec's parameters compiles, so the generated
/// `expect` cannot fire.
pub(crate) fn check_patterns(spec: &Spec) -> Result<()> {
    for channel in &spec.channels {
        for p in &channel.parameters {
            if let Some(pattern) = &p.rule.pattern {
                if char_class(pattern).is_none() {
                    regress::Regex::new(pattern).map_err(|e| {
                        Error::new(
                            &spec.path,
                            format!("{}/parameters/{}", channel.pointer, p.name),
                            ErrorKind::Unsupported(format!("parameter pattern {pattern:?}: {e}")),
                        )
                    })?;
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn operations(
    spec: &Spec,
    runtime: &TokenStream,
    bindings: &[Vec<super::bindings::Binding>],
) -> TokenStream {
    let mut names = Namer::new();
    let items = spec.operations.iter().enumerate().map(|(i, op)| {
        let channel = &spec.channels[op.channel];
        let marker = ident(&names.unique(pascal(&op.id)));
        let id = &op.id;
        let spec_id = &spec.id;
        let subject = subject_name(channel);
        let info = info_name(channel);
        let direction = match op.direction {
            Direction::Publish => quote!(#runtime::Direction::Publish),
            Direction::Subscribe => quote!(#runtime::Direction::Subscribe),
        };
        let pattern = match (&op.reply, &op.queue) {
            (None, _) => quote!(#runtime::ReplyPattern::None),
            (Some(r), _) if r.pattern == ReplyPattern::ScatterGather => {
                quote!(#runtime::ReplyPattern::ScatterGather)
            }
            (Some(_), Some(_)) => quote!(#runtime::ReplyPattern::QueueGroup),
            (Some(_), None) => quote!(#runtime::ReplyPattern::Single),
        };
        let message_infos = |indexes: &[usize]| -> Vec<TokenStream> {
            indexes
                .iter()
                .map(|&m| {
                    let t = ident(&spec.messages[m].ident);
                    quote!(<super::messages::#t as #runtime::Message>::INFO)
                })
                .collect()
        };
        let requests = message_infos(&op.messages);
        let reply_messages = op
            .reply
            .as_ref()
            .map(|r| r.messages.clone())
            .unwrap_or_default();
        let replies = message_infos(&reply_messages);
        let reply_id = match op.reply.as_ref().and_then(|r| r.operation_id.as_ref()) {
            Some(r) => quote!(::core::option::Option::Some(#r)),
            None => quote!(::core::option::Option::None),
        };
        let dispatch = match &op.dispatch {
            Some(d) => {
                let tag = &d.tag;
                let name = ident(&d.name);
                quote!(::core::option::Option::Some(#runtime::DispatchInfo {
                    tag: #tag,
                    variants: super::messages::#name::TAGS,
                }))
            }
            None => quote!(::core::option::Option::None),
        };
        let reply_status = match (&spec.reply_status, &op.reply) {
            (Some(status), Some(_)) => {
                let success = &status.success;
                let message = &status.message;
                quote!(::core::option::Option::Some(#runtime::ReplyStatusInfo {
                    success: #success,
                    message: &[#(#message),*],
                }))
            }
            _ => quote!(::core::option::Option::None),
        };
        let decode_request = op.dispatch.as_ref().map(|d| {
            let name = ident(&d.name);
            quote! {
                fn decode_request(payload: &[u8]) -> ::std::result::Result<Self::Request, ::serde_json::Error> {
                    super::messages::#name::from_slice(payload)
                }
            }
        });
        let queue = match &op.queue {
            Some(q) => quote!(::core::option::Option::Some(#q)),
            None => quote!(::core::option::Option::None),
        };
        let reply_optional = op.reply.as_ref().is_some_and(|r| r.optional);
        let bind = super::bindings::bind_fn(&bindings[i], runtime);
        let payload_of = |indexes: &[usize], dispatch: Option<&String>| -> TokenStream {
            match (indexes, dispatch) {
                ([], _) => quote!(()),
                ([m], _) => {
                    let p = payload_type(&spec.messages[*m]);
                    quote!(#p)
                }
                (_, Some(d)) => {
                    let d = ident(d);
                    quote!(super::messages::#d)
                }
                _ => quote!(::serde_json::Value),
            }
        };
        let request = payload_of(&op.messages, op.dispatch.as_ref().map(|d| &d.name));
        let reply = payload_of(&reply_messages, None);
        let mut text = format!("The operation `{id}` on `{}`.", channel.name);
        if let Some(s) = &op.summary {
            text.push_str("\n\n");
            text.push_str(&super::sanitize_doc(s));
        }
        if let Some(d) = &op.description {
            text.push_str("\n\n");
            text.push_str(&super::sanitize_doc(d));
        }
        let docs = plain_doc(&text);
        quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #marker;

            impl #runtime::Operation for #marker {
                type Subject<'a> = super::subjects::#subject<'a>;
                type Request = #request;
                type Reply = #reply;
                const INFO: #runtime::OperationInfo = #runtime::OperationInfo {
                    spec: #spec_id,
                    id: #id,
                    channel: &super::subjects::#info,
                    direction: #direction,
                    messages: &[#(#requests),*],
                    reply: &[#(#replies),*],
                    reply_id: #reply_id,
                    pattern: #pattern,
                    reply_optional: #reply_optional,
                    queue: #queue,
                    dispatch: #dispatch,
                    reply_status: #reply_status,
                };

                #decode_request
                #bind
            }
        }
    });
    let markers: Vec<Ident> = {
        let mut names = Namer::new();
        spec.operations
            .iter()
            .map(|op| ident(&names.unique(pascal(&op.id))))
            .collect()
    };
    let module_doc = plain_doc(&format!(
        "One type per operation; its [`Operation`]({}::Operation) implementation names the\noperation's subject, request and reply types, and how it is answered.",
        runtime.to_string().replace(' ', "")
    ));
    quote! {
        #module_doc
        pub mod operations {
            #(#items)*

            /// Every operation of the spec, in spec order.
            pub const ALL: &[#runtime::OperationInfo] = &[#(<#markers as #runtime::Operation>::INFO),*];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Template {
        Template::parse(s).unwrap()
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
        v.sort_by(specificity);
        let order: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(order, ["a.b.{y}", "a.b{z}.c", "a.*.c", "a.{x}.c", "a.>"]);
    }

    #[test]
    fn channels_with_the_same_subjects_are_found() {
        assert!(same_subjects(&t("a.{x}.c"), &t("a.{y}.c")));
        assert!(same_subjects(&t("a.*.c"), &t("a.{y}.c")));
        assert!(same_subjects(&t("x{a}y"), &t("x{b}y")));
        assert!(!same_subjects(&t("a.b.c"), &t("a.{y}.c")));
        assert!(!same_subjects(&t("a.{x}"), &t("a.{x}.c")));
    }

    #[test]
    fn char_classes_avoid_a_regex_only_when_simple() {
        assert!(char_class("^[A-Za-z0-9_-]+$").is_some());
        assert!(char_class("^[a-z]+$").is_some());
        assert!(char_class("^[^a]+$").is_none());
        assert!(char_class("^[a-z]*$").is_none());
        assert!(char_class("^[\\w]+$").is_none());
        assert!(char_class("^N[A-Z]{55}$").is_none());
    }

    #[test]
    fn spec_filter_covers_every_channel() {
        let mut files = crate::MemoryLoader::new();
        files.insert(
            "s.yaml",
            "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a.{x}.b: {parameters: {x: {}}}\n  a.{x}.c.d: {parameters: {x: {}}}\n",
        );
        let spec = crate::read_spec(&files, std::path::Path::new("s.yaml")).unwrap();
        assert_eq!(spec_filter(&spec).1, "a.{x}.>");
    }

    #[test]
    fn ambiguous_channels_are_a_generation_error() {
        let mut files = crate::MemoryLoader::new();
        files.insert(
            "s.yaml",
            "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a.{x}: {parameters: {x: {}}}\n  a.{y}: {parameters: {y: {}}}\n",
        );
        let e = crate::generate(
            &files,
            std::path::Path::new("s.yaml"),
            &crate::Settings::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("match exactly the same subjects"),
            "{e}"
        );
    }
}
