//! Each side's `Client`: a method per operation it starts (a request, a scatter-gather, a publish)
//! and, on the peer's side, a subscription per operation the application sends.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::{Operation, ReplyPattern, Spec};
use crate::naming::operations::{derived, OperationName};
use crate::naming::Namer;

use super::super::messages::ident;
use super::super::plain_doc;
use super::{is_wildcard, op_doc, parts, shared_params, OpParts, Side};

/// A side's client, and what it does for which operation.
pub(super) struct ClientTokens {
    pub tokens: TokenStream,
    /// The method that starts each operation it starts: `(operation, method)`.
    pub starts: Vec<(usize, String)>,
    /// The method that receives each operation it receives as a stream.
    pub subscribes: Vec<(usize, String)>,
}

/// Whether the side has a client: it starts an operation, or (the peer) receives one.
pub(super) fn has_client(spec: &Spec, side: Side) -> bool {
    spec.operations.iter().any(|op| {
        (side.starts(op) && (!is_wildcard(spec, op) || dispatched(spec, side, op).is_some()))
            || (side == Side::Peer && !side.starts(op))
    })
}

/// For an operation on a wildcard channel whose messages are told apart (the events on
/// `wasmbus.evt.{lattice}.>`): each message's own operation, which `side` starts on a channel of
/// the message's own with no parameter but the shared ones, or `None` if one has none.
fn dispatched(spec: &Spec, side: Side, op: &Operation) -> Option<Vec<(usize, usize)>> {
    let dispatch = op.dispatch.as_ref()?;
    let shared = shared_params(spec);
    dispatch
        .variants
        .iter()
        .map(|(message, _)| {
            spec.operations
                .iter()
                .position(|o| {
                    side.starts(o)
                        && o.reply.is_none()
                        && o.messages == [*message]
                        && !is_wildcard(spec, o)
                        && spec.channels[o.channel]
                            .parameters
                            .iter()
                            .all(|p| shared.iter().any(|(n, _)| *n == p.name))
                })
                .map(|o| (*message, o))
        })
        .collect()
}

/// Which replies a client reads in place too: the messages that have a view, and the `cfg` the
/// views are compiled under.
pub(crate) struct InPlace<'a> {
    pub viewed: &'a [usize],
    pub gate: TokenStream,
}

/// A request's method that returns its reply to be read in place, named once every other
/// method is, so that no other name depends on it.
struct InPlaceMethod {
    /// The request's own method.
    main: Ident,
    /// The reply's one message.
    message: Option<usize>,
    params: TokenStream,
    build: TokenStream,
    marker: Ident,
    request_val: TokenStream,
}

impl InPlaceMethod {
    fn tokens(&self, name: &Ident, gate: &TokenStream) -> TokenStream {
        let InPlaceMethod {
            main,
            params,
            build,
            marker,
            request_val,
            ..
        } = self;
        let doc = plain_doc(&format!(
            "[`Self::{main}`], returning the reply as it arrived, to be read in place\n([`rt::ReplyInPlace::view`]): checked against its schema in the pass that reads it, its\nstrings borrowed from the reply."
        ));
        quote! {
            #doc
            #gate
            pub async fn #name(&self #params) -> Result<rt::ReplyInPlace<ops::#marker>, rt::RequestError> {
                #build
                self.requester.request_in_place::<ops::#marker>(&subject, #request_val).await
            }
        }
    }
}

/// The methods of the operations a side starts, for one operation.
struct Start<'a> {
    spec: &'a Spec,
    op: &'a Operation,
    parts: &'a OpParts,
    names: &'a mut Namer,
    in_place: &'a mut Vec<InPlaceMethod>,
}

impl Start<'_> {
    /// The methods, and the name of the first: what the operation is started by.
    fn emit(self, side: Side) -> (Ident, TokenStream) {
        let Start {
            spec,
            op,
            parts,
            names,
            in_place,
        } = self;
        let OpParts {
            name,
            marker,
            args,
            ctor,
            request,
            has_request,
            reply,
        } = parts;
        let args: Vec<&Ident> = args.iter().map(|(a, _)| a).collect();
        let docs = plain_doc(&op_doc(spec, op));
        let (request_arg, request_val, request_pass) = if *has_request {
            (
                quote!(, request: &#request),
                quote!(request),
                quote!(request,),
            )
        } else {
            (quote!(), quote!(&()), quote!())
        };
        let new = super::super::subjects::subject_new(spec, &spec.channels[op.channel], ctor);
        let build = quote!(let subject = #new;);
        let Some(r) = &op.reply else {
            let method = match side {
                Side::Peer => name.command(),
                Side::App => name.publish(),
            };
            let method = ident(&names.unique(method));
            let how = match side {
                Side::Peer => "Fire-and-forget: nothing answers; this returns once the message is\nflushed to the server.",
                Side::App => "Publishes the message on its subject; this returns once it is flushed to the server.",
            };
            let how = plain_doc(how);
            let tokens = quote! {
                #docs
                ///
                #how
                pub async fn #method(&self #(, #args: &str)* #request_arg) -> Result<(), rt::RequestError> {
                    #build
                    self.requester.publish::<ops::#marker>(&subject, #request_val).await
                }
            };
            return (method, tokens);
        };
        let main = ident(&names.unique(if r.optional {
            name.command()
        } else {
            name.request()
        }));
        let mut out = TokenStream::new();
        match (r.pattern, r.optional) {
            (pattern, true) => {
                let (asked, asked_doc, asked_body, asked_output) = match pattern {
                    ReplyPattern::ScatterGather => (
                        derived(&main.to_string(), "with"),
                        "[`Self::{name}`], asking every receiver for its reply and collecting the replies as `gather` says.",
                        quote!(self.requester.gather::<ops::#marker>(&subject, #request_val, gather).await),
                        quote!(rt::Gathered<#reply>),
                    ),
                    ReplyPattern::Single => (
                        derived(&main.to_string(), "confirmed"),
                        "[`Self::{name}`], asking for the reply and waiting for it.",
                        quote!(self.requester.request::<ops::#marker>(&subject, #request_val).await),
                        quote!(rt::Reply<#reply>),
                    ),
                };
                let asked = match &name.object {
                    Some(_) => name.request(),
                    None => asked,
                };
                let asked = ident(&names.unique(asked));
                let asked_doc = plain_doc(&asked_doc.replace("{name}", &main.to_string()));
                let gather_param = (pattern == ReplyPattern::ScatterGather)
                    .then(|| quote!(, gather: &rt::GatherOptions));
                let publish_doc = plain_doc(&format!(
                    "Published without a reply subject, so nothing answers; this returns once the message\nis flushed to the server. Receivers reply only to a request that asks for it: see\n[`Self::{asked}`]."
                ));
                out.extend(quote! {
                    #docs
                    ///
                    #publish_doc
                    pub async fn #main(&self #(, #args: &str)* #request_arg) -> Result<(), rt::RequestError> {
                        #build
                        self.requester.publish::<ops::#marker>(&subject, #request_val).await
                    }

                    #asked_doc
                    pub async fn #asked(&self #(, #args: &str)* #request_arg #gather_param) -> Result<#asked_output, rt::RequestError> {
                        #build
                        #asked_body
                    }
                });
            }
            (ReplyPattern::ScatterGather, false) => {
                let with = ident(&names.unique(derived(&main.to_string(), "with")));
                let with_doc = plain_doc(&format!(
                    "[`Self::{main}`], collecting replies as `gather` says instead of the client's default."
                ));
                out.extend(quote! {
                    #docs
                    ///
                    /// Every receiver may reply: replies are collected as the client's
                    /// options say (see [`Self::with_options`]).
                    pub async fn #main(&self #(, #args: &str)* #request_arg) -> Result<rt::Gathered<#reply>, rt::RequestError> {
                        let gather = *self.requester.options().gather_options();
                        self.#with(#(#args,)* #request_pass &gather).await
                    }

                    #with_doc
                    pub async fn #with(&self #(, #args: &str)* #request_arg, gather: &rt::GatherOptions) -> Result<rt::Gathered<#reply>, rt::RequestError> {
                        #build
                        self.requester.gather::<ops::#marker>(&subject, #request_val, gather).await
                    }
                });
            }
            (ReplyPattern::Single, false) => {
                out.extend(quote! {
                    #docs
                    pub async fn #main(&self #(, #args: &str)* #request_arg) -> Result<rt::Reply<#reply>, rt::RequestError> {
                        #build
                        self.requester.request::<ops::#marker>(&subject, #request_val).await
                    }
                });
                in_place.push(InPlaceMethod {
                    main: main.clone(),
                    message: match r.messages.as_slice() {
                        [m] => Some(*m),
                        _ => None,
                    },
                    params: quote!(#(, #args: &str)* #request_arg),
                    build: build.clone(),
                    marker: marker.clone(),
                    request_val: request_val.clone(),
                });
            }
        }
        if r.pattern == ReplyPattern::ScatterGather {
            let stream = ident(&names.unique(derived(&main.to_string(), "stream")));
            let doc = plain_doc(&format!(
                "[`Self::{main}`], returning the replies as they arrive: each decoded, an undecodable one\nas an error, until the deadline, the expected count or the quiet period of `gather`."
            ));
            out.extend(quote! {
                #doc
                pub async fn #stream(&self #(, #args: &str)* #request_arg, gather: &rt::GatherOptions) -> Result<rt::ReplyStream<#reply>, rt::RequestError> {
                    #build
                    self.requester.gather_stream::<ops::#marker>(&subject, #request_val, gather).await
                }
            });
        }
        (main, out)
    }
}

/// The method that publishes any of a wildcard channel's messages on its own channel, and its
/// name.
fn publish_dispatched(
    spec: &Spec,
    op: &Operation,
    own: &[(usize, usize)],
    methods: &[Option<Ident>],
    names: &mut Namer,
) -> (String, TokenStream) {
    let dispatch = op.dispatch.as_ref().expect("only dispatched operations");
    let name = OperationName::of_operation(spec, op);
    let method = ident(&names.unique(name.publish()));
    let enum_ty = ident(&dispatch.name);
    let arms = own.iter().map(|(message, o)| {
        let variant = ident(&spec.messages[*message].ident);
        let call = methods[*o]
            .as_ref()
            .expect("each message's own operation has its method");
        quote!(super::messages::#enum_ty::#variant(payload) => self.#call(payload).await,)
    });
    let doc = plain_doc(&format!(
        "Publishes any message of `{}` on its own channel. A value of a kind the spec does not know\nhas no channel: an error of kind [`rt::RequestErrorKind::Subject`], and nothing is sent.",
        op.id
    ));
    let tokens = quote! {
        #doc
        pub async fn #method(&self, message: &super::messages::#enum_ty) -> Result<(), rt::RequestError> {
            match message {
                #(#arms)*
                super::messages::#enum_ty::Unknown(_) => Err(rt::no_channel_of_its_own(&super::INFO, message.tag())),
            }
        }
    };
    (method.to_string(), tokens)
}

/// The subscription methods of an operation, and the name of the first.
fn subscribe_methods(
    spec: &Spec,
    op: &Operation,
    marker: &Ident,
    names: &mut Namer,
    shared: &[(String, String)],
    runtime: &TokenStream,
) -> (String, TokenStream) {
    let channel = &spec.channels[op.channel];
    let name = OperationName::of_operation(spec, op);
    let subject = ident(&format!("{}Subject", channel.ident));
    let method = ident(&names.unique(name.subscribe()));
    let setters: Vec<TokenStream> = super::super::subjects::value_fields(spec, channel)
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
    let mut out = quote! {
        #doc
        pub async fn #method(&self) -> Result<rt::Subscription<ops::#marker>, rt::RequestError> {
            let filter = super::subjects::#subject::filter()#(#setters)*
                .render_with(self.requester.options().subject_prefix());
            self.requester.subscribe::<ops::#marker>(&[filter]).await
        }
    };
    if op.dispatch.is_some() {
        let of = ident(&names.unique(derived(&method.to_string(), "of")));
        let fields: Vec<Ident> = shared.iter().map(|(_, f)| ident(f)).collect();
        let shared_names: Vec<&String> = shared.iter().map(|(n, _)| n).collect();
        let doc = plain_doc(&format!(
            "Receives only the given messages of `{}`, each on its own channel.",
            op.id
        ));
        out.extend(quote! {
            #doc
            pub async fn #of(&self, messages: &[#runtime::MessageInfo]) -> Result<rt::Subscription<ops::#marker>, rt::RequestError> {
                let values = [#((#shared_names, self.#fields.as_str())),*];
                let filters = rt::dedicated_filters(&super::INFO, messages, &values, self.requester.options().subject_prefix())?;
                self.requester.subscribe::<ops::#marker>(&filters).await
            }
        });
    }
    (method.to_string(), out)
}

/// The names a client has whatever its spec says: no operation's method takes them.
pub(super) const RESERVED: [&str; 3] = ["new", "with_options", "requester"];

pub(super) fn emit(
    spec: &Spec,
    side: Side,
    runtime: &TokenStream,
    views: Option<&InPlace>,
) -> Option<ClientTokens> {
    if !has_client(spec, side) {
        return None;
    }
    let shared = shared_params(spec);
    let markers = super::super::subjects::operation_markers(spec);
    let fields: Vec<Ident> = shared.iter().map(|(_, f)| ident(f)).collect();
    let mut names = Namer::new();
    for reserved in RESERVED {
        names.reserve(reserved);
    }
    for f in &fields {
        names.reserve(&f.to_string());
    }
    // Each started operation's first method, for the methods that publish through it.
    let mut started: Vec<Option<Ident>> = vec![None; spec.operations.len()];
    let mut methods = Vec::new();
    let (mut starts, mut subscribes) = (Vec::new(), Vec::new());
    let mut in_place = Vec::new();
    for (i, op) in spec.operations.iter().enumerate() {
        let parts = parts(spec, i, &markers, &shared);
        if side.starts(op) && !is_wildcard(spec, op) {
            let (first, tokens) = Start {
                spec,
                op,
                parts: &parts,
                names: &mut names,
                in_place: &mut in_place,
            }
            .emit(side);
            starts.push((i, first.to_string()));
            started[i] = Some(first);
            methods.push(tokens);
        }
        if side == Side::Peer && !side.starts(op) {
            let (first, tokens) =
                subscribe_methods(spec, op, &parts.marker, &mut names, &shared, runtime);
            subscribes.push((i, first));
            methods.push(tokens);
        }
    }
    for (i, op) in spec.operations.iter().enumerate() {
        if side.starts(op) && is_wildcard(spec, op) {
            if let Some(own) = dispatched(spec, side, op) {
                let (first, tokens) = publish_dispatched(spec, op, &own, &started, &mut names);
                starts.push((i, first));
                methods.push(tokens);
            }
        }
    }
    // Named whether or not the views are on, and after every other method: no other name
    // depends on them, nor they on which messages have views.
    for method in &in_place {
        let name = ident(&names.unique(derived(&method.main.to_string(), "in_place")));
        if let (Some(views), Some(m)) = (views, method.message) {
            if views.viewed.contains(&m) {
                methods.push(method.tokens(&name, &views.gate));
            }
        }
    }
    let field_docs: Vec<TokenStream> = shared
        .iter()
        .map(|(n, _)| plain_doc(&format!("The `{n}` of every subject.")))
        .collect();
    let consts = super::super::subjects::ParamConsts::new(spec);
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
    let what = match side {
        Side::Peer => "Sends what the application receives and receives what it sends, on one NATS connection.",
        Side::App => "Sends what the application sends (its messages and its requests), on one NATS connection.",
    };
    let errors = format!(
        "Errors tell apart a timeout, no responders, a transport failure, an undecodable or invalid\nreply{}.",
        if spec.reply_status.is_some() {
            ", and a refusal by the responder with its reason"
        } else {
            ""
        }
    );
    let doc = plain_doc(&format!("{what}\n\n{errors}"));
    let tokens = quote! {
        #doc
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
    };
    Some(ClientTokens {
        tokens,
        starts,
        subscribes,
    })
}
