//! One marker type per message, with its metadata as constants.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Message, Spec};

use super::doc;

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn opt(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

/// The Rust type of a message's payload, from inside the `messages` module.
pub(crate) fn payload_type(message: &Message) -> TokenStream {
    match &message.payload {
        Some(name) => {
            let t = ident(name);
            quote!(super::types::#t)
        }
        None => quote!(::serde_json::Value),
    }
}

fn message_doc(m: &Message) -> TokenStream {
    let mut text = String::new();
    match (&m.title, &m.summary) {
        (Some(t), Some(s)) => text.push_str(&format!("{t}: {s}")),
        (Some(t), None) => text.push_str(t),
        (None, Some(s)) => text.push_str(s),
        (None, None) => text.push_str(&format!("The `{}` message.", m.name)),
    }
    if let Some(d) = &m.description {
        text.push_str("\n\n");
        text.push_str(d.trim_end());
    }
    text.push_str(&format!(
        "\n\nPayload: `{}`; content type `{}`.",
        m.payload.as_deref().unwrap_or("serde_json::Value"),
        m.content_type
    ));
    doc(&text)
}

pub(crate) fn emit(spec: &Spec, runtime: &TokenStream) -> TokenStream {
    let spec_id = &spec.id;
    let items = spec.messages.iter().map(|m| {
        let name = &m.name;
        let ty = ident(&m.ident);
        let content_type = &m.content_type;
        let payload = payload_type(m);
        let title = opt(&m.title);
        let summary = opt(&m.summary);
        let docs = message_doc(m);
        quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #ty;

            impl #ty {
                /// The message name in the spec.
                pub const NAME: &'static str = #name;
                /// The content type of the payload.
                pub const CONTENT_TYPE: &'static str = #content_type;
                /// The spec the message belongs to.
                pub const SPEC: &'static str = #spec_id;
            }

            impl #runtime::Message for #ty {
                type Payload = #payload;
                const INFO: #runtime::MessageInfo = #runtime::MessageInfo {
                    spec: #spec_id,
                    name: #name,
                    content_type: #content_type,
                    title: #title,
                    summary: #summary,
                    normalize: #runtime::normalize::<Self>,
                };
            }
        }
    });
    let infos = spec.messages.iter().map(|m| {
        let ty = ident(&m.ident);
        quote!(<#ty as #runtime::Message>::INFO)
    });
    let module_doc = format!(
        " One marker type per message of the spec; its [`Message`]({}::Message) implementation ties\n the message to its payload type and metadata.",
        runtime.to_string().replace(' ', "")
    );
    let module_doc = module_doc.lines().map(str::to_owned).collect::<Vec<_>>();
    quote! {
        #(#[doc = #module_doc])*
        pub mod messages {
            #(#items)*

            /// Every message of the spec, in spec order.
            pub const ALL: &[#runtime::MessageInfo] = &[#(#infos),*];
        }
    }
}
