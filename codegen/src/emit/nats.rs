//! A typed NATS client and a responder trait for every operation, behind the `nats` feature.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::{Direction, Operation, ReplyPattern, Spec};
use crate::naming::{snake, Namer};
use crate::template::Token;

use super::messages::{ident, payload_type};
use super::{plain_doc, sanitize_doc};

/// Parameters every channel shares (the lattice): the client holds them and the whole-spec filter
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

fn op_markers(spec: &Spec) -> Vec<Ident> {
    super::subjects::operation_markers(spec)
}

/// `receiveHostHeartbeat` is `host_heartbeat`: the id without its leading verb, for methods that
/// say the verb themselves.
fn object_name(op: &Operation) -> String {
    let split = op.id.find(|c: char| c.is_ascii_uppercase()).unwrap_or(0);
    if split > 0 && split < op.id.len() {
        snake(&op.id[split..])
    } else {
        snake(&op.id)
    }
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

struct OpParts {
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
    let mut arg_names = Namer::new();
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
    // Wildcard tokens of the channel are filled as in a subscription only; such channels get no
    // request methods.
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
        marker: markers[i].clone(),
        args,
        ctor,
        request,
        has_request,
        reply,
    }
}

/// What the streaming method of a scatter-gather operation is made of.
struct StreamMethod<'a> {
    names: &'a mut Namer,
    op: &'a Operation,
    /// The collecting method it streams.
    name: &'a Ident,
    build: &'a TokenStream,
    marker: &'a Ident,
    args: &'a [&'a Ident],
    request_arg: &'a TokenStream,
    request_val: &'a TokenStream,
    reply: &'a TokenStream,
}

/// `<operation>_stream`: the replies of a scatter-gather operation as they arrive.
fn stream_method(m: StreamMethod<'_>) -> TokenStream {
    let StreamMethod {
        names,
        op,
        name,
        build,
        marker,
        args,
        request_arg,
        request_val,
        reply,
    } = m;
    let stream = ident(&names.unique(format!("{}_stream", op.ident)));
    let doc = plain_doc(&format!(
        "[`Self::{name}`], returning the replies as they arrive: each decoded, an undecodable one\nas an error, until the deadline, the expected count or the quiet period of `gather`."
    ));
    quote! {
        #doc
        pub async fn #stream(&self #(, #args: &str)* #request_arg, gather: &rt::GatherOptions) -> Result<rt::ReplyStream<#reply>, rt::RequestError> {
            #build
            self.requester.gather_stream::<ops::#marker>(&subject, #request_val, gather).await
        }
    }
}

fn is_wildcard(spec: &Spec, op: &Operation) -> bool {
    spec.channels[op.channel].template.is_wildcard()
}

pub(crate) fn client(spec: &Spec, runtime: &TokenStream, gate: &TokenStream) -> TokenStream {
    let shared = shared_params(spec);
    let markers = op_markers(spec);
    let fields: Vec<Ident> = shared.iter().map(|(_, f)| ident(f)).collect();
    let shared_names: Vec<&String> = shared.iter().map(|(n, _)| n).collect();
    let mut methods = Vec::new();
    let mut subscribes = false;
    let mut method_names = Namer::new();
    for reserved in ["new", "with_options", "requester"] {
        method_names.reserve(reserved);
    }
    for f in &fields {
        method_names.reserve(&f.to_string());
    }
    for (i, op) in spec.operations.iter().enumerate() {
        let p = parts(spec, i, &markers, &shared);
        let OpParts {
            marker,
            args,
            ctor,
            request,
            has_request,
            reply,
        } = p;
        let arg_idents: Vec<&Ident> = args.iter().map(|(a, _)| a).collect();
        let docs = plain_doc(&op_doc(spec, op));
        let request_arg = if has_request {
            quote!(, request: &#request)
        } else {
            quote!()
        };
        let request_val = if has_request {
            quote!(request)
        } else {
            quote!(&())
        };
        let request_pass = if has_request {
            quote!(request,)
        } else {
            quote!()
        };
        match (op.direction, &op.reply) {
            (Direction::Publish, _) | (Direction::Subscribe, Some(_)) if !is_wildcard(spec, op) => {
                let name = ident(&method_names.unique(op.ident.clone()));
                let new = super::subjects::subject_new(spec, &spec.channels[op.channel], &ctor);
                let build = quote!(let subject = #new;);
                let gathers = op
                    .reply
                    .as_ref()
                    .is_some_and(|r| r.pattern == ReplyPattern::ScatterGather);
                let stream = gathers.then(|| {
                    stream_method(StreamMethod {
                        names: &mut method_names,
                        op,
                        name: &name,
                        build: &build,
                        marker: &marker,
                        args: &arg_idents,
                        request_arg: &request_arg,
                        request_val: &request_val,
                        reply: &reply,
                    })
                });
                match op.reply.as_ref().map(|r| (r.pattern, r.optional)) {
                    Some((pattern, true)) => {
                        let (asked, asked_doc, asked_body, asked_output) = match pattern {
                            ReplyPattern::ScatterGather => (
                                format!("{}_with", op.ident),
                                "[`Self::{name}`], asking every receiver for its reply and collecting the replies as `gather` says.",
                                quote!(self.requester.gather::<ops::#marker>(&subject, #request_val, gather).await),
                                quote!(rt::Gathered<#reply>),
                            ),
                            ReplyPattern::Single => (
                                format!("{}_confirmed", op.ident),
                                "[`Self::{name}`], asking for the reply and waiting for it.",
                                quote!(self.requester.request::<ops::#marker>(&subject, #request_val).await),
                                quote!(rt::Reply<#reply>),
                            ),
                        };
                        let asked = ident(&method_names.unique(asked));
                        let asked_doc = plain_doc(&asked_doc.replace("{name}", &name.to_string()));
                        let gather_param = if pattern == ReplyPattern::ScatterGather {
                            quote!(, gather: &rt::GatherOptions)
                        } else {
                            quote!()
                        };
                        let publish_doc = plain_doc(&format!(
                            "Published without a reply subject, so nothing answers; this returns once the message\nis flushed to the server. Receivers reply only to a request that asks for it: see\n[`Self::{asked}`]."
                        ));
                        methods.push(quote! {
                            #docs
                            ///
                            #publish_doc
                            pub async fn #name(&self #(, #arg_idents: &str)* #request_arg) -> Result<(), rt::RequestError> {
                                #build
                                self.requester.publish::<ops::#marker>(&subject, #request_val).await
                            }

                            #asked_doc
                            pub async fn #asked(&self #(, #arg_idents: &str)* #request_arg #gather_param) -> Result<#asked_output, rt::RequestError> {
                                #build
                                #asked_body
                            }
                        });
                    }
                    Some((ReplyPattern::ScatterGather, false)) => {
                        let with = ident(&method_names.unique(format!("{}_with", op.ident)));
                        let with_doc = plain_doc(&format!(
                            "[`Self::{name}`], collecting replies as `gather` says instead of the client's default."
                        ));
                        methods.push(quote! {
                            #docs
                            ///
                            /// Every receiver may reply: replies are collected as the client's
                            /// options say (see [`Self::with_options`]).
                            pub async fn #name(&self #(, #arg_idents: &str)* #request_arg) -> Result<rt::Gathered<#reply>, rt::RequestError> {
                                let gather = *self.requester.options().gather_options();
                                self.#with(#(#arg_idents,)* #request_pass &gather).await
                            }

                            #with_doc
                            pub async fn #with(&self #(, #arg_idents: &str)* #request_arg, gather: &rt::GatherOptions) -> Result<rt::Gathered<#reply>, rt::RequestError> {
                                #build
                                self.requester.gather::<ops::#marker>(&subject, #request_val, gather).await
                            }
                        });
                    }
                    Some((_, false)) => {
                        methods.push(quote! {
                            #docs
                            pub async fn #name(&self #(, #arg_idents: &str)* #request_arg) -> Result<rt::Reply<#reply>, rt::RequestError> {
                                #build
                                self.requester.request::<ops::#marker>(&subject, #request_val).await
                            }
                        });
                    }
                    None => {
                        let name = if op.direction == Direction::Subscribe {
                            ident(&method_names.unique(format!("publish_{}", object_name(op))))
                        } else {
                            name
                        };
                        methods.push(quote! {
                            #docs
                            ///
                            /// Fire-and-forget: nothing answers; this returns once the message is
                            /// flushed to the server.
                            pub async fn #name(&self #(, #arg_idents: &str)* #request_arg) -> Result<(), rt::RequestError> {
                                #build
                                self.requester.publish::<ops::#marker>(&subject, #request_val).await
                            }
                        });
                    }
                }
                methods.extend(stream);
                // A subscribe operation's messages can also be received.
                if op.direction == Direction::Subscribe {
                    subscribes = true;
                    methods.push(subscribe_method(
                        spec,
                        op,
                        &marker,
                        &mut method_names,
                        &shared,
                    ));
                }
            }
            (Direction::Subscribe, None) => {
                if !is_wildcard(spec, op) {
                    let name = ident(&method_names.unique(format!("publish_{}", object_name(op))));
                    let new = super::subjects::subject_new(spec, &spec.channels[op.channel], &ctor);
                    methods.push(quote! {
                        #docs
                        ///
                        /// Publishes the message on its subject (the side that emits it).
                        pub async fn #name(&self #(, #arg_idents: &str)* #request_arg) -> Result<(), rt::RequestError> {
                            let subject = #new;
                            self.requester.publish::<ops::#marker>(&subject, #request_val).await
                        }
                    });
                }
                subscribes = true;
                methods.push(subscribe_method(
                    spec,
                    op,
                    &marker,
                    &mut method_names,
                    &shared,
                ));
                if op.dispatch.is_some() {
                    let name =
                        ident(&method_names.unique(format!("subscribe_{}_of", object_name(op))));
                    let doc = plain_doc(&format!(
                        "Receives only the given messages of `{}`, each on its own channel.",
                        op.id
                    ));
                    methods.push(quote! {
                        #doc
                        pub async fn #name(&self, messages: &[#runtime::MessageInfo]) -> Result<rt::Subscription<ops::#marker>, rt::RequestError> {
                            let values = [#((#shared_names, self.#fields.as_str())),*];
                            let filters = rt::dedicated_filters(&super::INFO, messages, &values, self.requester.options().subject_prefix())?;
                            self.requester.subscribe::<ops::#marker>(&filters).await
                        }
                    });
                }
            }
            _ => {}
        }
    }
    let field_docs: Vec<TokenStream> = shared
        .iter()
        .map(|(n, _)| plain_doc(&format!("The `{n}` of every subject.")))
        .collect();
    let consts = super::subjects::ParamConsts::new(spec);
    let check_shared: Vec<TokenStream> = shared
        .iter()
        .map(|(name, f)| {
            let f = ident(f);
            let rule = &spec
                .channels
                .iter()
                .flat_map(|c| &c.parameters)
                .find(|p| &p.name == name)
                .expect("shared parameters are declared")
                .rule;
            let c = consts.ident(name, rule);
            quote!(super::subjects::params::#c.check(#f)?;)
        })
        .collect();
    let ctor_doc = plain_doc(&format!(
        "A client on an existing NATS connection for the given {}, with the default options.",
        if shared.is_empty() {
            "spec".to_owned()
        } else {
            shared
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    let module_doc = format!(
        "A typed NATS client: one async method per operation of the spec.\n\nErrors tell apart a timeout, no responders, a transport failure, an undecodable or invalid reply{}.",
        if spec.reply_status.is_some() { ", and a refusal by the responder with its reason" } else { "" }
    );
    let module_doc = plain_doc(&module_doc);
    let filter_trait = subscribes.then(|| quote!(use #runtime::{ChannelFilter, ChannelSubject};));
    quote! {
        #module_doc
        #gate
        pub mod client {
            use #runtime::nats as rt;
            #filter_trait

            use super::operations as ops;

            /// Sends the spec's requests and receives its messages on one NATS connection.
            #[derive(Debug, Clone)]
            pub struct Client {
                requester: rt::Requester,
                #(#field_docs #fields: String,)*
            }

            impl Client {
                #ctor_doc
                pub fn new(nats: rt::async_nats::Client #(, #fields: &str)*) -> Result<Self, #runtime::SubjectError> {
                    Self::with_options(nats #(, #fields)*, rt::RequestOptions::default())
                }

                /// A client with options: subject prefix (custom root, account), timeouts,
                /// scatter-gather finishing, reply validation.
                pub fn with_options(nats: rt::async_nats::Client #(, #fields: &str)*, options: rt::RequestOptions) -> Result<Self, #runtime::SubjectError> {
                    #(#check_shared)*
                    Ok(Self {
                        requester: rt::Requester::new(nats, options),
                        #(#fields: #fields.to_owned(),)*
                    })
                }

                /// The requester underneath, for operations used generically.
                pub fn requester(&self) -> &rt::Requester {
                    &self.requester
                }

                #(
                    #field_docs
                    pub fn #fields(&self) -> &str {
                        &self.#fields
                    }
                )*

                #(#methods)*
            }
        }
    }
}

fn subscribe_method(
    spec: &Spec,
    op: &Operation,
    marker: &Ident,
    names: &mut Namer,
    shared: &[(String, String)],
) -> TokenStream {
    let channel = &spec.channels[op.channel];
    let subject = ident(&format!("{}Subject", channel.ident));
    let name = ident(&names.unique(format!("subscribe_{}", object_name(op))));
    let setters: Vec<TokenStream> = super::subjects::value_fields(spec, channel)
        .into_iter()
        .filter_map(|(name, setter)| {
            let (_, field) = shared.iter().find(|(n, _)| *n == name)?;
            let f = ident(field);
            Some(quote!(.#setter(&self.#f)?))
        })
        .collect();
    let doc = plain_doc(&format!(
        "Receives the messages of `{}` on `{}` (other parameters open). A message that does not decode is an `Err` item; the stream goes on.",
        op.id, channel.name
    ));
    quote! {
        #doc
        pub async fn #name(&self) -> Result<rt::Subscription<ops::#marker>, rt::RequestError> {
            let filter = super::subjects::#subject::filter()#(#setters)*
                .render_with(self.requester.options().subject_prefix());
            self.requester.subscribe::<ops::#marker>(&[filter]).await
        }
    }
}

pub(crate) fn responder(spec: &Spec, runtime: &TokenStream, gate: &TokenStream) -> TokenStream {
    let markers = op_markers(spec);
    let shared = shared_params(spec);
    let mut trait_methods = Vec::new();
    let mut loops = Vec::new();
    let mut names = Namer::new();
    for (i, op) in spec.operations.iter().enumerate() {
        // The responder answers what is sent to it: requests, and fire-and-forget commands.
        if op.direction != Direction::Publish || is_wildcard(spec, op) {
            continue;
        }
        let OpParts {
            marker,
            request,
            has_request,
            reply,
            ..
        } = parts(spec, i, &markers, &shared);
        let subject_ty =
            super::subjects::subject_type(spec, &spec.channels[op.channel], quote!('_));
        let name = ident(&names.unique(op.ident.clone()));
        let id = &op.id;
        let docs = plain_doc(&op_doc(spec, op));
        let request_param = if has_request {
            quote!(, request: #request)
        } else {
            quote!()
        };
        let request_arg = if has_request {
            quote!(, request)
        } else {
            quote!()
        };
        let unused = if has_request {
            quote!(let _ = (subject, request);)
        } else {
            quote!(let _ = subject;)
        };
        let answered = op.reply.is_some();
        let (output, default_body) = if answered {
            (
                quote!(Result<#reply, rt::Reject>),
                quote!(#unused rt::unsupported(#id)),
            )
        } else {
            (quote!(()), quote!(#unused async {}))
        };
        let how = if op.reply.as_ref().is_some_and(|r| r.optional) {
            Some("The reply is sent only when the request asks for one (it has a reply subject).")
        } else if answered {
            None
        } else {
            Some("Nothing is answered.")
        };
        let how = how.map(|how| {
            let how = plain_doc(how);
            quote!(/// 
                #how)
        });
        trait_methods.push(quote! {
            #docs
            #how
            fn #name(&self, subject: super::subjects::#subject_ty #request_param) -> impl Future<Output = #output> + Send {
                #default_body
            }
        });
        let request = if has_request {
            quote!(request)
        } else {
            quote!(_)
        };
        let call = if answered {
            quote!(Box::pin(r.#name(subject #request_arg)))
        } else {
            quote!(Box::pin(async move {
                r.#name(subject #request_arg).await;
                Ok(())
            }))
        };
        loops.push(quote! {
            .handle::<ops::#marker>(|r, subject, #request| #call)
        });
    }
    if trait_methods.is_empty() {
        return quote!();
    }
    let module_doc = plain_doc(
        "The answering side of the spec's requests: implement [`Responder`], then [`serve`] it.",
    );
    quote! {
        #module_doc
        #gate
        pub mod responder {
            use std::future::Future;

            use #runtime::nats as rt;

            use super::operations as ops;

            /// One method per request operation; each has a default that refuses (or, for a
            /// fire-and-forget command, ignores), so an implementation answers only what it
            /// supports. A method returns the reply, or a [`rt::Reject`]: refused with a reason,
            /// or silently (no reply at all).
            pub trait Responder: Send + Sync + 'static {
                #(#trait_methods)*
            }

            /// Subscribes to the subjects of every request operation (fixed values and queue
            /// groups from `options`) and answers each request with `responder`, one task per
            /// operation, until the returned [`rt::Server`] is dropped. Returns once the server has
            /// every subscription. A request that cannot be decoded is answered with the reason, as
            /// a refusal.
            pub async fn serve<R: Responder>(nats: rt::async_nats::Client, responder: R, options: rt::ServeOptions) -> Result<rt::Server, rt::ServeError> {
                rt::ServerBuilder::new(nats, responder, options)
                    #(#loops)*
                    .start()
                    .await
            }
        }
    }
}

/// Whether the spec has operations a responder answers.
fn answers_requests(spec: &Spec) -> bool {
    spec.operations
        .iter()
        .any(|op| op.direction == Direction::Publish && !is_wildcard(spec, op))
}

/// What users reach for first, at the top of the spec's module: the client, the responder and
/// its `serve`, and the enums over several messages (the events).
pub(crate) fn reexports(spec: &Spec, gate: &TokenStream) -> TokenStream {
    let mut out = quote! {
        #gate
        pub use self::client::Client;
    };
    if answers_requests(spec) {
        out.extend(quote! {
            #gate
            pub use self::responder::{serve, Responder};
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

/// Both modules. Types are named from one module below the spec's, as `messages` names them.
pub(crate) fn emit(spec: &Spec, runtime: &TokenStream, gate: &TokenStream) -> TokenStream {
    let client = client(spec, runtime, gate);
    let responder = responder(spec, runtime, gate);
    quote! { #client #responder }
}
