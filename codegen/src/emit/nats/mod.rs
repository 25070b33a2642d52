//! Both sides of every operation on NATS, behind the `nats` feature: the application the spec
//! describes (`app`) and its peer (`peer`), each with a client that starts the operations it
//! starts (requests, publishes) and a responder that answers the requests the other side makes.
//!
//! The application receives what its peer sends and answers it (`app::Responder`); it sends its
//! own messages and requests (`app::Client`). The peer sends what the application receives
//! (`peer::Client`), receives what the application sends as streams (`peer::Client::subscribe_*`)
//! and answers the application's requests (`peer::Responder`). Methods are named by
//! [`crate::naming::operations`].

mod client;
mod responder;

pub(crate) use client::InPlace;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::{Direction, Operation, Spec};
use crate::naming::operations::OperationName;
use crate::template::Token;

use super::messages::{ident, payload_type};
use super::sanitize_doc;

/// The two sides of the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The application the spec describes.
    App,
    /// Whoever talks to it.
    Peer,
}

impl Side {
    /// Whether this side sends the operation's messages: the peer sends what the application
    /// receives (2.x `publish`, 3.x `receive`), the application what it sends.
    pub fn starts(self, op: &Operation) -> bool {
        match self {
            Side::Peer => op.direction == Direction::Publish,
            Side::App => op.direction == Direction::Subscribe,
        }
    }

    /// Whether this side answers the operation in its responder: the application answers (or
    /// takes) everything its peer sends it; the peer answers the application's requests.
    pub fn answers(self, op: &Operation) -> bool {
        !self.starts(op) && (self == Side::App || op.reply.is_some())
    }

    fn module(self) -> &'static str {
        match self {
            Side::App => "app",
            Side::Peer => "peer",
        }
    }
}

/// Parameters every channel shares (the lattice): a client holds them and the whole-spec filter
/// fixes them; the others are method arguments.
fn shared_params(spec: &Spec) -> Vec<(String, String)> {
    let (tokens, _) = super::subjects::spec_filter(spec);
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Param(name) => spec
                .channels
                .iter()
                .flat_map(|c| &c.parameters)
                .find(|p| &p.name == name)
                .map(|p| (p.name.clone(), p.ident.clone())),
            _ => None,
        })
        .collect()
}

fn op_doc(spec: &Spec, op: &Operation) -> String {
    let channel = &spec.channels[op.channel];
    let mut text = format!("`{}` on `{}`", op.id, channel.name);
    if let Some(s) = &op.summary {
        text.push_str(": ");
        text.push_str(&sanitize_doc(s));
    }
    text.push('.');
    if let Some(d) = &op.description {
        text.push_str("\n\n");
        text.push_str(&sanitize_doc(d));
    }
    text
}

/// What the methods of one operation are made of, on either side.
struct OpParts {
    name: OperationName,
    marker: Ident,
    /// Method arguments for the channel's non-shared parameters: (Rust name, spec name).
    args: Vec<(Ident, String)>,
    /// The subject's constructor arguments in template order.
    ctor: Vec<TokenStream>,
    request: TokenStream,
    has_request: bool,
    reply: TokenStream,
}

fn parts(spec: &Spec, i: usize, markers: &[Ident], shared: &[(String, String)]) -> OpParts {
    let op = &spec.operations[i];
    let channel = &spec.channels[op.channel];
    let mut arg_names = crate::naming::Namer::new();
    for reserved in ["request", "gather", "self", "subject", "payload"] {
        arg_names.reserve(reserved);
    }
    let mut args = Vec::new();
    let mut ctor = Vec::new();
    for p in &channel.parameters {
        if let Some((_, field)) = shared.iter().find(|(n, _)| n == &p.name) {
            let field = ident(field);
            ctor.push(quote!(&self.#field));
        } else {
            let a = ident(&arg_names.unique(p.ident.clone()));
            ctor.push(quote!(#a));
            args.push((a, p.name.clone()));
        }
    }
    let request = match (op.messages.as_slice(), &op.dispatch) {
        ([], _) => quote!(()),
        ([m], _) => {
            let p = payload_type(&spec.messages[*m]);
            quote!(#p)
        }
        (_, Some(d)) => {
            let d = ident(&d.name);
            quote!(super::messages::#d)
        }
        _ => quote!(::serde_json::Value),
    };
    let has_request = match op.messages.as_slice() {
        [m] => spec.messages[*m].payload.is_some(),
        [] => false,
        _ => true,
    };
    let reply = match op.reply.as_ref().map(|r| r.messages.as_slice()) {
        Some([m]) => {
            let p = payload_type(&spec.messages[*m]);
            quote!(#p)
        }
        Some([_, _, ..]) => quote!(::serde_json::Value),
        _ => quote!(()),
    };
    OpParts {
        name: OperationName::of_operation(spec, op),
        marker: markers[i].clone(),
        args,
        ctor,
        request,
        has_request,
        reply,
    }
}

/// Whether the operation's channel is a wildcard (`>`, `*`): nothing is sent on it as such.
fn is_wildcard(spec: &Spec, op: &Operation) -> bool {
    spec.channels[op.channel].template.is_wildcard()
}

/// The two modules, one per side, each with its client and its responder where it has any.
pub(crate) fn emit(
    spec: &Spec,
    runtime: &TokenStream,
    gate: &TokenStream,
    in_place: Option<&client::InPlace>,
) -> TokenStream {
    let mut out = TokenStream::new();
    for side in [Side::Peer, Side::App] {
        let client = client::emit(spec, side, runtime, in_place);
        let responder = responder::emit(spec, side);
        if client.is_none() && responder.is_none() {
            continue;
        }
        let module = ident(side.module());
        let who = match side {
            Side::Peer => "The application's peer",
            Side::App => "The application the spec describes",
        };
        let client_does = match side {
            Side::Peer => "its [`Client`] sends what the application receives (requests, commands) and receives what\nthe application sends",
            Side::App => "its [`Client`] publishes what the application sends and makes its requests",
        };
        let responder_does = match side {
            Side::Peer => "its [`Responder`] answers the application's requests ([`serve`] runs it)",
            Side::App => "its [`Responder`] answers (or takes) what the application receives ([`serve`] runs it)",
        };
        let parts: Vec<&str> = [
            client.as_ref().map(|_| client_does),
            responder.as_ref().map(|_| responder_does),
        ]
        .into_iter()
        .flatten()
        .collect();
        let doc = super::plain_doc(&format!("{who}: {}.", parts.join("; ")));
        let uses_future = responder.is_some().then(|| {
            quote!(
                use std::future::Future;
            )
        });
        let subscribes = client.as_ref().is_some_and(|c| !c.subscribes.is_empty());
        let filter_trait =
            subscribes.then(|| quote!(use #runtime::{ChannelFilter, ChannelSubject};));
        let client = client.map(|c| c.tokens);
        let responder = responder.map(|(tokens, _)| tokens);
        out.extend(quote! {
            #doc
            #gate
            pub mod #module {
                #uses_future

                use #runtime::nats as rt;
                #filter_trait

                use super::operations as ops;

                #client
                #responder
            }
        });
    }
    out
}

/// How an operation is started, or ended, on NATS: by which side's client or responder, with
/// which method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideMethod {
    /// `app` (the application the spec describes) or `peer` (whoever talks to it).
    pub side: &'static str,
    /// `Client` or `Responder`.
    pub item: &'static str,
    /// The method's name.
    pub method: String,
}

impl std::fmt::Display for SideMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}::{}::{}", self.side, self.item, self.method)
    }
}

/// Both sides of one operation in the generated code: the method that sends its messages and the
/// one that receives them (a responder's method, or a client's subscription).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSides {
    /// The operation's id.
    pub operation: String,
    pub start: Option<SideMethod>,
    pub end: Option<SideMethod>,
}

/// Both sides of every operation of `spec`, as the NATS code generated for it has them.
pub fn sides(spec: &Spec) -> Vec<OperationSides> {
    let mut out: Vec<OperationSides> = spec
        .operations
        .iter()
        .map(|op| OperationSides {
            operation: op.id.clone(),
            start: None,
            end: None,
        })
        .collect();
    let runtime = quote!(::asyncapi_runtime);
    for side in [Side::Peer, Side::App] {
        let method = |item, method: &String| SideMethod {
            side: side.module(),
            item,
            method: method.clone(),
        };
        if let Some(client) = client::emit(spec, side, &runtime, None) {
            for (i, m) in &client.starts {
                out[*i].start = Some(method("Client", m));
            }
            for (i, m) in &client.subscribes {
                out[*i].end.get_or_insert_with(|| method("Client", m));
            }
        }
        if let Some((_, answers)) = responder::emit(spec, side) {
            for (i, m) in &answers {
                out[*i].end = Some(method("Responder", m));
            }
        }
    }
    out
}

/// What is wrong with the method names `sides` reports for `spec`, by the rules the generator
/// keeps (the README's "Both sides, and what they are called"): each is a `snake_case` Rust
/// identifier (a keyword with `_` after it), unique on its side's client or responder; a number
/// at its end is the operation's own or tells it from a name that is truly taken there (another
/// method, the client's own `new`, `with_options` and `requester`, or a field); and no word is
/// said twice in a row unless the operation's name says it. Empty when all is well; the
/// generator's tests and `cargo xtask corpus` hold every document they read to it.
pub fn method_name_problems(spec: &Spec) -> Vec<String> {
    let sides = sides(spec);
    let mut methods = Vec::new();
    for (op, s) in spec.operations.iter().zip(&sides) {
        for m in [&s.start, &s.end].into_iter().flatten() {
            methods.push(Named {
                side: m.side,
                item: m.item,
                method: &m.method,
                operation: &op.id,
            });
        }
    }
    let fields: Vec<String> = shared_params(spec).into_iter().map(|(_, f)| f).collect();
    name_problems(&methods, &fields)
}

/// A method and the operation it is for.
struct Named<'a> {
    side: &'a str,
    item: &'a str,
    method: &'a str,
    operation: &'a str,
}

fn name_problems(methods: &[Named], fields: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for m in methods {
        let at = format!(
            "{}::{}::{} (operation {})",
            m.side, m.item, m.method, m.operation
        );
        let same_item: Vec<&Named> = methods
            .iter()
            .filter(|o| o.side == m.side && o.item == m.item)
            .collect();
        let taken = |base: &str| {
            same_item.iter().any(|o| o.method == base)
                || (m.item == "Client"
                    && (client::RESERVED.contains(&base) || fields.iter().any(|f| f == base)))
        };
        if same_item
            .iter()
            .any(|o| o.method == m.method && o.operation != m.operation)
        {
            problems.push(format!("{at}: not unique"));
        }
        let method = m.method;
        let snake_ident = method.starts_with(|c: char| c.is_ascii_lowercase())
            && method
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !method.contains("__")
            && method
                .strip_suffix('_')
                .is_none_or(|word| crate::naming::KEYWORDS.contains(&word));
        if !snake_ident {
            problems.push(format!("{at}: not a snake_case identifier"));
            continue;
        }
        let own = crate::naming::snake(crate::naming::operations::readable(m.operation));
        let base = method.trim_end_matches(|c: char| c.is_ascii_digit());
        let counter = &method[base.len()..];
        if !counter.is_empty() && !own.ends_with(counter) {
            let base = base.trim_end_matches('_');
            if !taken(base) {
                problems.push(format!(
                    "{at}: a counter where nothing else is called {base}"
                ));
            }
        }
        let words: Vec<&str> = method.split('_').collect();
        for pair in words.windows(2).filter(|w| w[0] == w[1]) {
            if !own.contains(&format!("{0}_{0}", pair[0])) {
                problems.push(format!("{at}: says {} twice", pair[0]));
            }
        }
    }
    problems
}

/// What users reach for first, at the top of the spec's module: the peer's client, the
/// application's responder and its `serve`, and the enums over several messages (the events).
pub(crate) fn reexports(spec: &Spec, gate: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    if client::has_client(spec, Side::Peer) {
        out.extend(quote! {
            #gate
            pub use self::peer::Client;
        });
    }
    if responder::has_responder(spec, Side::App) {
        out.extend(quote! {
            #gate
            pub use self::app::{serve, Responder};
        });
    }
    let mut enums: Vec<&str> = Vec::new();
    for d in spec.operations.iter().filter_map(|op| op.dispatch.as_ref()) {
        if !["Client", "Responder", "serve"].contains(&d.name.as_str())
            && !enums.contains(&&*d.name)
        {
            enums.push(&d.name);
        }
    }
    let enums = enums.into_iter().map(ident);
    out.extend(quote!(#(pub use self::messages::#enums;)*));
    out
}

#[cfg(test)]
mod name_rules {
    use super::*;

    fn client(method: &'static str, operation: &'static str) -> Named<'static> {
        Named {
            side: "peer",
            item: "Client",
            method,
            operation,
        }
    }

    #[test]
    fn each_rule_finds_what_breaks_it() {
        let fields = vec!["lattice".to_owned()];
        let problems = |methods: &[Named]| name_problems(methods, &fields);
        // Well named: the spec's own digits, counters against taken names, a word the spec doubles.
        assert!(problems(&[
            client("get_v2", "getV2"),
            client("place_order", "placeOrder"),
            client("place_order2", "place_order"),
            client("new2", "new"),
            client("lattice2", "lattice"),
            client("bye_bye", "byeBye"),
            client("match_", "match"),
        ])
        .is_empty());
        let found = problems(&[
            client("place_order2", "placeOrder"),
            client("orders_get_get_order", "orders.get:GetOrder"),
            client("PlaceOrder", "PlaceOrder"),
            client("cancel__order", "cancelOrder"),
            client("cancel_", "cancel"),
            client("sum", "sum"),
            client("sum", "add"),
        ]);
        let expected = [
            "peer::Client::place_order2 (operation placeOrder): a counter where nothing else is called place_order",
            "peer::Client::orders_get_get_order (operation orders.get:GetOrder): says get twice",
            "peer::Client::PlaceOrder (operation PlaceOrder): not a snake_case identifier",
            "peer::Client::cancel__order (operation cancelOrder): not a snake_case identifier",
            "peer::Client::cancel_ (operation cancel): not a snake_case identifier",
            "peer::Client::sum (operation sum): not unique",
            "peer::Client::sum (operation add): not unique",
        ];
        assert_eq!(found, expected);
    }
}
