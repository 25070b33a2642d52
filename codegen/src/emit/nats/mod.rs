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
        name: OperationName::of(&op.id),
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
pub(crate) fn emit(spec: &Spec, runtime: &TokenStream, gate: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for side in [Side::Peer, Side::App] {
        let client = client::emit(spec, side, runtime);
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
        if let Some(client) = client::emit(spec, side, &runtime) {
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
