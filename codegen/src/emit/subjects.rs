//! Typed subjects per channel, a router over all channels, wildcard filters, and the operation
//! table.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::model::{Channel, Direction, ParamRule, ReplyPattern, Spec};
use crate::naming::operations::OperationName;
use crate::naming::{snake, Namer};
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

fn param_slot(channel: &Channel, name: &str, fields: &mut Namer) -> Slot {
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
    }
}

fn wildcard_slot(name: String, description: &str, kind: SlotKind, fields: &mut Namer) -> Slot {
    Slot {
        field: ident(&fields.unique(name.clone())),
        name,
        description: Some(description.into()),
        rule: ParamRule::default(),
        kind,
    }
}

fn shape(spec: &Spec, channel: &Channel) -> Shape {
    let tokens: Vec<Token> = channel.template.tokens[root_tokens(spec)..].to_vec();
    let mut slots = Vec::new();
    let mut fields = Namer::new();
    // Accessors must not hide what `ChannelSubject` provides.
    for taken in [
        "new",
        "parse",
        "parse_with",
        "match_with",
        "render",
        "render_with",
        "write_with",
        "values",
        "from_values",
        "from_checked",
        "filter",
        "fix",
        "slots",
        "slots_mut",
    ] {
        fields.reserve(taken);
    }
    let mut stars = 0;
    for t in &tokens {
        match t {
            Token::Literal(_) => {}
            Token::Param(name) => slots.push(param_slot(channel, name, &mut fields)),
            Token::Mixed(pieces) => {
                for piece in pieces {
                    if let Piece::Param(name) = piece {
                        slots.push(param_slot(channel, name, &mut fields));
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

/// The Rust name of each value of a channel's subject (its accessor, and its filter's setter),
/// by the value's name in the spec.
pub(crate) fn value_fields(spec: &Spec, channel: &Channel) -> Vec<(String, Ident)> {
    shape(spec, channel)
        .slots
        .into_iter()
        .map(|s| (s.name, s.field))
        .collect()
}

/// `rt::Tok` expressions for the tokens; slot numbers follow [`shape`]'s order. With `short`, the
/// variants are written bare (the `channels` module imports those it uses, see [`tok_variants`]).
fn tok_exprs(shape: &Shape, short: bool) -> Vec<TokenStream> {
    let mut slot = 0usize;
    let mut next = || {
        slot += 1;
        Literal::usize_unsuffixed(slot - 1)
    };
    let tok = if short { quote!() } else { quote!(rt::Tok::) };
    shape
        .tokens
        .iter()
        .map(|t| match t {
            Token::Literal(l) => quote!(#tok Lit(#l)),
            Token::Param(_) => {
                let i = next();
                quote!(#tok Param(#i))
            }
            Token::Star => {
                let i = next();
                quote!(#tok Star(#i))
            }
            Token::Rest => {
                let i = next();
                quote!(#tok Rest(#i))
            }
            Token::Mixed(pieces) => {
                let pieces: Vec<TokenStream> = pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Literal(l) => quote!(rt::Piece::Lit(#l)),
                        Piece::Param(_) => {
                            let i = next();
                            quote!(rt::Piece::Param(#i))
                        }
                    })
                    .collect();
                quote!(#tok Mixed(&[#(#pieces),*]))
            }
        })
        .collect()
}

/// The `rt::Tok` variants the spec's channels use, for the `channels` module's import.
fn tok_variants(spec: &Spec) -> Vec<Ident> {
    let skip = root_tokens(spec);
    let mut used: Vec<&str> = Vec::new();
    for t in spec
        .channels
        .iter()
        .flat_map(|c| &c.template.tokens[skip..])
    {
        let name = match t {
            Token::Literal(_) => "Lit",
            Token::Param(_) => "Param",
            Token::Mixed(_) => "Mixed",
            Token::Star => "Star",
            Token::Rest => "Rest",
        };
        if !used.contains(&name) {
            used.push(name);
        }
    }
    used.sort_unstable();
    used.into_iter().map(ident).collect()
}

/// The character ranges of a `^[...]+$` pattern made only of ranges and single characters, so
/// the common case needs no regex.
fn char_class(pattern: &str) -> Option<Vec<(char, char)>> {
    let class = pattern.strip_prefix("^[")?.strip_suffix("]+$")?;
    if class.is_empty() || class.starts_with('^') {
        return None;
    }
    let chars: Vec<char> = class.chars().collect();
    let mut ranges = Vec::new();
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
            ranges.push((c, end));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    Some(ranges)
}

/// A `rt::Param` expression for a slot.
fn param_expr(slot: &Slot) -> TokenStream {
    let name = &slot.name;
    let base = match slot.kind {
        SlotKind::Rest => quote!(rt::Param::tail(#name)),
        _ => quote!(rt::Param::token(#name)),
    };
    let rule = &slot.rule;
    let mut fields = Vec::new();
    if rule.numeric {
        fields.push(quote!(numeric: true));
    }
    if let Some(allowed) = &rule.allowed {
        fields.push(quote!(one_of: &[#(#allowed),*]));
    }
    let length = |n: u64| Literal::usize_unsuffixed(n as usize);
    if let Some(n) = rule.min_length {
        let n = length(n);
        fields.push(quote!(min_length: Some(#n)));
    }
    if let Some(n) = rule.max_length {
        let n = length(n);
        fields.push(quote!(max_length: Some(#n)));
    }
    if let Some(pattern) = &rule.pattern {
        fields.push(match char_class(pattern) {
            Some(ranges) => {
                let (lo, hi): (Vec<char>, Vec<char>) = ranges.into_iter().unzip();
                quote!(pattern: Some(rt::Pattern::Chars {
                    source: #pattern,
                    ranges: &[#((#lo, #hi)),*],
                }))
            }
            None => quote!(pattern: Some(rt::Pattern::Regex(#pattern))),
        });
    }
    if fields.is_empty() {
        base
    } else {
        quote!(rt::Param { #(#fields,)* ..#base })
    }
}

/// Const name of a channel's `ChannelInfo`; `ALL` and `ROOT` name the list of channels and the
/// root beside them.
fn info_name(channel: &Channel) -> Ident {
    let name = snake(&channel.ident).to_ascii_uppercase();
    match name.as_str() {
        "ALL" | "ROOT" => ident(&format!("{name}_CHANNEL")),
        _ => ident(&name),
    }
}

fn subject_name(channel: &Channel) -> Ident {
    ident(&format!("{}Subject", channel.ident))
}

fn filter_name(channel: &Channel) -> Ident {
    ident(&format!("{}Filter", channel.ident))
}

/// The spec's parameters as `rt::Param` consts: one per parameter name and rule, shared by every
/// channel that has it.
pub(crate) struct ParamConsts {
    entries: Vec<ParamConst>,
}

struct ParamConst {
    name: String,
    rule: ParamRule,
    ident: Ident,
    description: Option<String>,
}

impl ParamConsts {
    pub(crate) fn new(spec: &Spec) -> Self {
        let mut names = Namer::new();
        let mut entries: Vec<ParamConst> = Vec::new();
        for p in spec.channels.iter().flat_map(|c| &c.parameters) {
            if entries.iter().any(|e| e.name == p.name && e.rule == p.rule) {
                continue;
            }
            let ident = ident(&names.unique(snake(&p.ident).to_ascii_uppercase()));
            entries.push(ParamConst {
                name: p.name.clone(),
                rule: p.rule.clone(),
                ident,
                description: p.description.clone(),
            });
        }
        Self { entries }
    }

    /// The const of a parameter.
    pub(crate) fn ident(&self, name: &str, rule: &ParamRule) -> &Ident {
        &self
            .entries
            .iter()
            .find(|e| e.name == name && &e.rule == rule)
            .expect("every parameter of the spec has its const")
            .ident
    }

    /// What a channel's `params` lists for a slot: the shared const (in the module at `path`), or
    /// the wildcard's rule.
    fn expr(&self, slot: &Slot, path: &TokenStream) -> TokenStream {
        match slot.kind {
            SlotKind::Param => {
                let c = self.ident(&slot.name, &slot.rule);
                quote!(#path::#c)
            }
            _ => param_expr(slot),
        }
    }

    /// The `params` module, unless the spec has no parameters.
    fn items(&self) -> TokenStream {
        if self.entries.is_empty() {
            return TokenStream::new();
        }
        let items = self.entries.iter().map(|e| {
            let slot = Slot {
                name: e.name.clone(),
                field: ident("unused"),
                description: None,
                rule: e.rule.clone(),
                kind: SlotKind::Param,
            };
            let expr = param_expr(&slot);
            let doc = match &e.description {
                Some(d) => doc(&format!("`{}`: {}", e.name, d)),
                None => plain_doc(&format!("The parameter `{}`.", e.name)),
            };
            let ident = &e.ident;
            quote! {
                #doc
                pub const #ident: rt::Param = #expr;
            }
        });
        quote! {
            /// The spec's channel parameters and their rules, each shared by the channels that
            /// have it.
            pub mod params {
                use super::rt;

                #(#items)*
            }
        }
    }
}

/// The first sentence of a description (all of it, if it has one sentence).
fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(end) => &text[..=end],
        None => text.trim_end(),
    }
}

fn channel_items(spec: &Spec, channel: &Channel, params: &ParamConsts) -> TokenStream {
    let shape = shape(spec, channel);
    let name = &channel.name;
    let subject = subject_name(channel);
    let filter = filter_name(channel);
    let info = info_name(channel);
    let n = shape.slots.len();
    let fields: Vec<&Ident> = shape.slots.iter().map(|s| &s.field).collect();
    let indexes: Vec<Literal> = (0..n).map(Literal::usize_unsuffixed).collect();
    // The parameter's whole description is on its const; the accessor says what it is.
    let field_docs: Vec<TokenStream> = shape
        .slots
        .iter()
        .map(|s| {
            let what = match &s.description {
                Some(d) => super::sanitize_doc(first_sentence(d)),
                None => format!("The `{}` parameter.", s.name),
            };
            match s.kind {
                SlotKind::Param => {
                    let c = params.ident(&s.name, &s.rule);
                    plain_doc(&format!("{what} Its rules: [`params::{c}`]."))
                }
                _ => plain_doc(&what),
            }
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
    let mut subject_doc = format!("A subject of the channel `{name}`.");
    if let Some(d) = &channel.description {
        subject_doc.push_str("\n\n");
        subject_doc.push_str(&super::sanitize_doc(d));
    }
    if !channel.operations.is_empty() {
        let ops: Vec<String> = channel
            .operations
            .iter()
            .map(|&o| format!("`{}`", spec.operations[o].id))
            .collect();
        subject_doc.push_str(&format!("\n\nOperations: {}.", ops.join(", ")));
    }
    let subject_doc = plain_doc(&subject_doc);
    let filter_doc = plain_doc(&format!(
        "A subscription to subjects of `{name}`, with any parameter left open (`*`)."
    ));
    if n == 0 {
        return whole_channel_items(channel, &subject_doc, &info);
    }
    let (marker_field, marker_init) = if n == 0 {
        (
            quote!(_marker: ::core::marker::PhantomData<&'a ()>,),
            quote!(_marker: ::core::marker::PhantomData,),
        )
    } else {
        (quote!(), quote!())
    };
    let many_args = (n > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let setters = (n > 0).then(|| {
        quote! {
            impl<'a> #filter<'a> {
                #(
                    #setter_docs
                    pub fn #fields(self, value: &'a str) -> Result<Self, SubjectError> {
                        self.fix(#indexes, value)
                    }
                )*
            }
        }
    });
    let n = Literal::usize_unsuffixed(n);
    quote! {
        #subject_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct #subject<'a> {
            #(#fields: &'a str,)*
            #marker_field
        }

        impl<'a> #subject<'a> {
            /// Checks each value against its rules; an error names the parameter and the rule.
            #many_args
            pub fn new(#(#fields: &'a str),*) -> Result<Self, SubjectError> {
                Self::from_values([#(#fields),*])
            }

            #(
                #field_docs
                pub fn #fields(&self) -> &'a str {
                    self.#fields
                }
            )*
        }

        impl<'a> ChannelSubject<'a> for #subject<'a> {
            const CHANNEL: &'static ChannelInfo = &channels::#info;
            type Values = [&'a str; #n];
            type Filter = #filter<'a>;

            fn from_checked([#(#fields),*]: Self::Values) -> Self {
                Self { #(#fields,)* #marker_init }
            }

            fn values(&self) -> Self::Values {
                [#(self.#fields),*]
            }
        }

        impl ::std::fmt::Display for #subject<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.render())
            }
        }

        #filter_doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #filter<'a>([Option<&'a str>; #n]);

        #setters

        impl<'a> ChannelFilter<'a> for #filter<'a> {
            const CHANNEL: &'static ChannelInfo = &channels::#info;

            fn slots(&mut self) -> &mut [Option<&'a str>] {
                &mut self.0
            }
        }
    }
}

/// A channel without parameters: a unit type, whose subscription is its one subject.
fn whole_channel_items(channel: &Channel, doc: &TokenStream, info: &Ident) -> TokenStream {
    let subject = subject_name(channel);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct #subject;

        impl<'a> ChannelSubject<'a> for #subject {
            const CHANNEL: &'static ChannelInfo = &channels::#info;
            type Values = [&'a str; 0];
            type Filter = rt::WholeFilter<Self>;

            fn from_checked(_: Self::Values) -> Self {
                Self
            }

            fn values(&self) -> Self::Values {
                []
            }
        }

        impl ::std::fmt::Display for #subject {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.render())
            }
        }
    }
}

/// How generated code names a channel's subject type: with its lifetime, unless the channel has
/// no parameters.
pub(crate) fn subject_type(spec: &Spec, channel: &Channel, lifetime: TokenStream) -> TokenStream {
    let subject = subject_name(channel);
    if shape(spec, channel).slots.is_empty() {
        quote!(#subject)
    } else {
        quote!(#subject<#lifetime>)
    }
}

/// An expression building a channel's subject from `args` (`?` applied).
pub(crate) fn subject_new(spec: &Spec, channel: &Channel, args: &[TokenStream]) -> TokenStream {
    let subject = subject_name(channel);
    if shape(spec, channel).slots.is_empty() {
        quote!(super::subjects::#subject)
    } else {
        quote!(super::subjects::#subject::new(#(#args),*)?)
    }
}

/// A channel's `ChannelInfo` const.
fn channel_info(spec: &Spec, channel: &Channel, params: &ParamConsts) -> TokenStream {
    let shape = shape(spec, channel);
    let name = &channel.name;
    let spec_id = &spec.id;
    let info = info_name(channel);
    let toks = tok_exprs(&shape, true);
    let param_exprs = shape
        .slots
        .iter()
        .map(|s| params.expr(s, &quote!(super::params)));
    let operations = channel.operations.iter().map(|&o| &spec.operations[o].id);
    let info_doc = plain_doc(&format!("The channel `{name}`."));
    quote! {
        #info_doc
        pub const #info: ChannelInfo = ChannelInfo {
            spec: #spec_id,
            name: #name,
            params: &[#(#param_exprs),*],
            operations: &[#(#operations),*],
            root: ROOT,
            tokens: &[#(#toks),*],
        };
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

/// The channels in the order routing tries them, most specific first (no two match the same
/// subjects: the lint refuses that).
fn routing_order(spec: &Spec) -> Vec<&Channel> {
    let mut order: Vec<&Channel> = spec.channels.iter().collect();
    order.sort_by(|a, b| a.template.specificity(&b.template));
    order
}

fn spec_filter_items(spec: &Spec, params: &ParamConsts) -> TokenStream {
    let (tokens, text) = spec_filter(spec);
    let mut template = spec
        .subject_root
        .as_ref()
        .map(|r| format!("{}.", r.default))
        .unwrap_or_default();
    template.push_str(&text);
    let spec_id = &spec.id;
    let mut names = Namer::new();
    for taken in ["fix", "render", "render_with", "slots", "slots_mut"] {
        names.reserve(taken);
    }
    // Parameters in the shared tokens come from the first channel that has them.
    let find = |name: &str| {
        spec.channels
            .iter()
            .flat_map(|c| &c.parameters)
            .find(|p| p.name == name)
            .expect("the shared tokens' parameters are declared")
    };
    let mut slots = Vec::new();
    let mut stars = 0;
    for t in &tokens {
        let mut param = |name: &str, slots: &mut Vec<Slot>| {
            let p = find(name);
            slots.push(Slot {
                name: p.name.clone(),
                field: ident(&names.unique(p.ident.clone())),
                description: p.description.clone(),
                rule: p.rule.clone(),
                kind: SlotKind::Param,
            });
        };
        match t {
            Token::Literal(_) => {}
            Token::Param(name) => param(name, &mut slots),
            Token::Mixed(pieces) => {
                for piece in pieces {
                    if let Piece::Param(name) = piece {
                        param(name, &mut slots);
                    }
                }
            }
            Token::Star => {
                let name = format!("any{stars}");
                stars += 1;
                slots.push(wildcard_slot(name, "", SlotKind::Star, &mut names));
            }
            Token::Rest => slots.push(wildcard_slot("tail".into(), "", SlotKind::Rest, &mut names)),
        }
    }
    let toks = tok_exprs(
        &Shape {
            tokens: tokens.clone(),
            slots: Vec::new(),
        },
        false,
    );
    let param_exprs = slots.iter().map(|s| params.expr(s, &quote!(params)));
    let setters = slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == SlotKind::Param)
        .map(|(i, s)| {
            let doc = plain_doc(&format!("Fixes `{}` instead of leaving it open.", s.name));
            let field = &s.field;
            let i = Literal::usize_unsuffixed(i);
            quote! {
                #doc
                pub fn #field(self, value: &'a str) -> Result<Self, SubjectError> {
                    self.fix(#i, value)
                }
            }
        });
    let n = Literal::usize_unsuffixed(slots.len());
    let doc_text = plain_doc(&format!(
        "The subscription covering every channel of the spec: `{template}`, with parameters left open (`*`) until fixed."
    ));
    quote! {
        #doc_text
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct SpecFilter<'a>([Option<&'a str>; #n]);

        impl<'a> SpecFilter<'a> {
            #(#setters)*
        }

        impl<'a> ChannelFilter<'a> for SpecFilter<'a> {
            const CHANNEL: &'static ChannelInfo = &ChannelInfo {
                spec: #spec_id,
                name: #template,
                params: &[#(#param_exprs),*],
                operations: &[],
                root: channels::ROOT,
                tokens: &[#(#toks),*],
            };

            fn slots(&mut self) -> &mut [Option<&'a str>] {
                &mut self.0
            }
        }
    }
}

pub(crate) fn subjects(spec: &Spec, runtime: &TokenStream) -> TokenStream {
    let params = ParamConsts::new(spec);
    let order = routing_order(spec);
    let variants = tok_variants(spec);
    let tok_import = (!variants.is_empty()).then(|| quote!(use rt::Tok::{#(#variants),*};));
    let channels = spec
        .channels
        .iter()
        .map(|c| channel_items(spec, c, &params));
    let infos = spec.channels.iter().map(|c| channel_info(spec, c, &params));
    let routed = order.iter().map(|c| info_name(c));
    let filter = spec_filter_items(spec, &params);
    let param_items = params.items();
    let (root, replaceable) = spec
        .subject_root
        .as_ref()
        .map_or((String::new(), false), |r| {
            (r.default.clone(), r.replaceable)
        });
    let account = spec.account_prefix;
    let root_doc = match &spec.subject_root {
        Some(r) if r.replaceable => format!(
            "How the spec's subjects begin: `{}`, which a [`SubjectPrefix`](super::SubjectPrefix) root replaces.",
            r.default
        ),
        Some(r) => format!("How the spec's subjects begin: always `{}`.", r.default),
        None => "The spec declares no subject root.".to_owned(),
    };
    let root_doc = plain_doc(&root_doc);
    quote! {
        /// Typed subjects: one type per channel that builds, parses and renders its subjects
        /// ([`ChannelSubject`](subjects::ChannelSubject)), and one filter type per channel for
        /// subscriptions ([`ChannelFilter`](subjects::ChannelFilter)).
        pub mod subjects {
            use #runtime::subject as rt;
            pub use #runtime::{ChannelFilter, ChannelInfo, ChannelSubject, SubjectError, SubjectPrefix};

            #(#channels)*

            #filter

            /// The spec's channels as data, for code that works with channels generically.
            pub mod channels {
                #tok_import
                use super::{rt, ChannelInfo};

                #root_doc
                pub const ROOT: rt::SubjectRoot = rt::SubjectRoot {
                    default: #root,
                    replaceable: #replaceable,
                    account: #account,
                };

                #(#infos)*

                /// Every channel, most specific first: the order routing tries them (at the first
                /// token where two channels differ, literal text beats text with a parameter,
                /// which beats a parameter, which beats `>`).
                pub const ALL: &[&ChannelInfo] = &[#(&#routed),*];
            }

            #param_items
        }
    }
}

/// Names the generated code uses unqualified, which no generated item may take.
const PRELUDE: &[&str] = &[
    "Result",
    "Option",
    "Ok",
    "Err",
    "Some",
    "None",
    "String",
    "Vec",
    "Box",
    "Send",
    "Sync",
    "Future",
    "Message",
    "Operation",
    "ChannelInfo",
    "channels",
];

/// The operation types' names (`operations::ScaleComponent`).
pub(crate) fn operation_markers(spec: &Spec) -> Vec<Ident> {
    let mut names = Namer::new();
    for taken in PRELUDE {
        names.reserve(taken);
    }
    spec.operations
        .iter()
        .map(|op| ident(&names.unique(OperationName::of(&op.id).marker())))
        .collect()
}

/// `views_gate`: how the views, and so the runtime's `validate` feature, are compiled in (`None`
/// when they are not generated).
pub(crate) fn operations(
    spec: &Spec,
    runtime: &TokenStream,
    bindings: &[Vec<super::bindings::Binding>],
    views_gate: Option<&TokenStream>,
) -> TokenStream {
    let markers = operation_markers(spec);
    let items = spec.operations.iter().enumerate().map(|(i, op)| {
        let channel = &spec.channels[op.channel];
        let marker = &markers[i];
        let id = &op.id;
        let subject_ty = subject_type(spec, channel, quote!('a));
        let info = info_name(channel);
        let direction = match op.direction {
            Direction::Publish => quote!(rt::Direction::Publish),
            Direction::Subscribe => quote!(rt::Direction::Subscribe),
        };
        let pattern = match (&op.reply, &op.queue) {
            (None, _) => None,
            (Some(r), _) if r.pattern == ReplyPattern::ScatterGather => {
                Some(quote!(rt::ReplyPattern::ScatterGather))
            }
            (Some(_), Some(_)) => Some(quote!(rt::ReplyPattern::QueueGroup)),
            (Some(_), None) => Some(quote!(rt::ReplyPattern::Single)),
        };
        let message_infos = |indexes: &[usize]| -> Vec<TokenStream> {
            indexes
                .iter()
                .map(|&m| {
                    let t = ident(&spec.messages[m].ident);
                    quote!(super::messages::#t::INFO)
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
        let reply_id = op.reply.as_ref().and_then(|r| r.operation_id.as_ref());
        let dispatch = op.dispatch.as_ref().map(|d| {
            let tag = &d.tag;
            let name = ident(&d.name);
            quote!(Some(rt::DispatchInfo {
                tag: #tag,
                variants: super::messages::#name::TAGS,
            }))
        });
        let reply_status =
            (spec.reply_status.is_some() && op.reply.is_some()).then(|| quote!(REPLY_STATUS));
        let decode_request = op.dispatch.as_ref().map(|d| {
            let name = ident(&d.name);
            quote! {
                fn decode_request(payload: &[u8]) -> Result<Self::Request, ::serde_json::Error> {
                    super::messages::#name::from_slice(payload)
                }
            }
        });
        // One message with a payload: decoded through its view (see `Message::decode_checked`).
        let viewed = |indexes: &[usize]| match indexes {
            [m] if spec.messages[*m].payload.is_some() => Some(ident(&spec.messages[*m].ident)),
            _ => None,
        };
        let decode_validated = views_gate.and_then(|gate| {
            let decode = match (&op.dispatch, viewed(&op.messages)) {
                (Some(d), _) => {
                    let name = ident(&d.name);
                    quote!(super::messages::#name::from_slice_validated(payload))
                }
                (None, Some(message)) => {
                    quote!(rt::validate::decode::<super::messages::#message>(payload))
                }
                (None, None) => return None,
            };
            Some(quote! {
                #gate
                fn decode_request_validated(
                    payload: &[u8],
                ) -> Option<Result<Self::Request, rt::validate::ValidationError>> {
                    Some(#decode)
                }
            })
        });
        let decode_reply_validated =
            views_gate
                .zip(viewed(&reply_messages))
                .map(|(gate, message)| {
                    quote! {
                        #gate
                        fn decode_reply_validated(
                            payload: &[u8],
                        ) -> Option<Result<Self::Reply, rt::validate::ValidationError>> {
                            Some(rt::validate::decode::<super::messages::#message>(payload))
                        }
                    }
                });
        let queue = op.queue.as_ref();
        let reply_optional = op.reply.as_ref().is_some_and(|r| r.optional);
        // Only what differs from `operation`'s.
        let mut fields = Vec::new();
        if op.direction == Direction::Subscribe {
            fields.push(quote!(direction: #direction));
        }
        if !requests.is_empty() {
            fields.push(quote!(messages: &[#(#requests),*]));
        }
        if !replies.is_empty() {
            fields.push(quote!(reply: &[#(#replies),*]));
        }
        if let Some(r) = reply_id {
            fields.push(quote!(reply_id: Some(#r)));
        }
        if let Some(p) = pattern {
            fields.push(quote!(pattern: #p));
        }
        if reply_optional {
            fields.push(quote!(reply_optional: true));
        }
        if let Some(q) = queue {
            fields.push(quote!(queue: Some(#q)));
        }
        if let Some(d) = dispatch {
            fields.push(quote!(dispatch: #d));
        }
        if let Some(r) = reply_status {
            fields.push(quote!(reply_status: #r));
        }
        if !bindings[i].is_empty() {
            let shared = bindings[i].iter().map(|b| {
                let (parameter, field) = (&b.parameter, &b.field);
                quote!(rt::SharedValue { parameter: #parameter, field: #field })
            });
            fields.push(quote!(shared: &[#(#shared),*]));
        }
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
        let mut text = format!("`{id}` on `{}`", channel.name);
        match &op.summary {
            Some(s) => text.push_str(&format!(
                ": {}.",
                super::sanitize_doc(s).trim_end_matches('.')
            )),
            None => text.push('.'),
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

            impl Operation for #marker {
                type Subject<'a> = super::subjects::#subject_ty;
                type Request = #request;
                type Reply = #reply;
                const INFO: rt::OperationInfo = rt::OperationInfo {
                    #(#fields,)*
                    ..operation(#id, &channels::#info)
                };

                #decode_request
                #decode_validated
                #decode_reply_validated
                #bind
            }
        }
    });
    let module_doc = plain_doc(&format!(
        "One type per operation; its [`Operation`]({}::Operation) implementation names the\noperation's subject, request and reply types, and how it is answered.",
        runtime.to_string().replace(' ', "")
    ));
    let reply_status = spec.reply_status.as_ref().map(|status| {
        let success = &status.success;
        let message = &status.message;
        quote! {
            /// Where the spec's replies say whether the request was refused.
            const REPLY_STATUS: Option<rt::ReplyStatusInfo> = Some(rt::ReplyStatusInfo {
                success: #success,
                message: &[#(#message),*],
            });
        }
    });
    quote! {
        #module_doc
        pub mod operations {
            use #runtime::{self as rt, ChannelInfo, Message, Operation};

            use super::subjects::channels;

            /// An operation of the spec that others send to it, before its messages and reply are
            /// set.
            const fn operation(id: &'static str, channel: &'static ChannelInfo) -> rt::OperationInfo {
                rt::OperationInfo::new(super::SPEC, id, channel, rt::Direction::Publish)
            }

            #reply_status

            #(#items)*

            /// Every operation of the spec, in spec order.
            pub const ALL: &[rt::OperationInfo] = &[#(#markers::INFO),*];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
