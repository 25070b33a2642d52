//! Each side's `Responder` and `serve`: a method per operation the other side starts and this one
//! answers (the application: everything its peer sends it; the peer: the application's requests).

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Spec;
use crate::naming::Namer;

use super::super::messages::ident;
use super::super::plain_doc;
use super::{is_wildcard, op_doc, parts, shared_params, OpParts, Side};

/// Whether the side answers any operation.
pub(super) fn has_responder(spec: &Spec, side: Side) -> bool {
    spec.operations
        .iter()
        .any(|op| side.answers(op) && !is_wildcard(spec, op))
}

/// The side's responder and `serve`, and the method that answers each operation it answers.
pub(super) fn emit(spec: &Spec, side: Side) -> Option<(TokenStream, Vec<(usize, String)>)> {
    if !has_responder(spec, side) {
        return None;
    }
    let markers = super::super::subjects::operation_markers(spec);
    let shared = shared_params(spec);
    let mut trait_methods = Vec::new();
    let mut loops = Vec::new();
    let mut answers = Vec::new();
    let mut names = Namer::new();
    for (i, op) in spec.operations.iter().enumerate() {
        if !side.answers(op) || is_wildcard(spec, op) {
            continue;
        }
        let OpParts {
            name,
            marker,
            request,
            has_request,
            reply,
            ..
        } = parts(spec, i, &markers, &shared);
        let subject_ty =
            super::super::subjects::subject_type(spec, &spec.channels[op.channel], quote!('_));
        let method = ident(&names.unique(name.handle()));
        answers.push((i, method.to_string()));
        let id = &op.id;
        let docs = plain_doc(&op_doc(spec, op));
        let (request_param, request_arg, unused) = if has_request {
            (
                quote!(, request: #request),
                quote!(, request),
                quote!(let _ = (subject, request);),
            )
        } else {
            (quote!(), quote!(), quote!(let _ = subject;))
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
            fn #method(&self, subject: super::subjects::#subject_ty #request_param) -> impl Future<Output = #output> + Send {
                #default_body
            }
        });
        let request = if has_request {
            quote!(request)
        } else {
            quote!(_)
        };
        let call = if answered {
            quote!(Box::pin(r.#method(subject #request_arg)))
        } else {
            quote!(Box::pin(async move {
                r.#method(subject #request_arg).await;
                Ok(())
            }))
        };
        loops.push(quote! {
            .handle::<ops::#marker>(|r, subject, #request| #call)
        });
    }
    let what = match side {
        Side::App => "One method per operation the application receives",
        Side::Peer => "One method per request the application makes",
    };
    let trait_doc = plain_doc(&format!(
        "{what}; each has a default that refuses (or, for a\nfire-and-forget message, ignores), so an implementation answers only what it supports. A\nmethod returns the reply, or a [`rt::Reject`]: refused with a reason, or silently (no reply\nat all)."
    ));
    let tokens = quote! {
        #trait_doc
        pub trait Responder: Send + Sync + 'static {
            #(#trait_methods)*
        }

        /// Subscribes to the subjects of every operation [`Responder`] answers (fixed values and
        /// queue groups from `options`) and answers each message with `responder`, one task per
        /// operation, until the returned [`rt::Server`] is dropped. Returns once the server has
        /// every subscription. A request that cannot be decoded is answered with the reason, as
        /// a refusal.
        pub async fn serve<R: Responder>(nats: rt::async_nats::Client, responder: R, options: rt::ServeOptions) -> Result<rt::Server, rt::ServeError> {
            rt::ServerBuilder::new(nats, responder, options)
                #(#loops)*
                .start()
                .await
        }
    };
    Some((tokens, answers))
}
