//! One marker type per message, with its metadata in its `Message` implementation.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Message, Spec};

use super::{plain_doc, sanitize_doc};

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `Some(text)`, spelled out in full where a message of the spec is named `Some` or `None`.
fn opt(s: &Option<String>, qualified: bool) -> TokenStream {
    match (s, qualified) {
        (Some(s), false) => quote!(Some(#s)),
        (None, false) => quote!(None),
        (Some(s), true) => quote!(::core::option::Option::Some(#s)),
        (None, true) => quote!(::core::option::Option::None),
    }
}

/// The Rust type of a message's payload, from inside the `messages` module.
pub(crate) fn payload_type(message: &Message) -> TokenStream {
    match &message.payload {
        Some(name) => {
            let t = ident(name);
            quote!(super::types::#t)
        }
        // No payload: the body is empty on the wire.
        None => quote!(()),
    }
}

fn message_doc(m: &Message) -> TokenStream {
    let mut text = match (&m.title, &m.summary) {
        (Some(t), Some(s)) => sanitize_doc(&format!("{t}: {s}")),
        (Some(t), None) => sanitize_doc(t),
        (None, Some(s)) => sanitize_doc(s),
        (None, None) => format!("The `{}` message.", m.name),
    };
    if let Some(d) = &m.description {
        text.push_str("\n\n");
        text.push_str(&sanitize_doc(d));
    }
    match &m.payload {
        Some(p) => text.push_str(&format!(
            "\n\nPayload: [`{p}`](super::types::{p}); content type `{}`.",
            m.content_type
        )),
        None => text.push_str("\n\nNo payload: the body is empty."),
    }
    plain_doc(&text)
}

pub(crate) fn emit(
    spec: &Spec,
    runtime: &TokenStream,
    schemas: &[TokenStream],
    views_gate: Option<&TokenStream>,
) -> TokenStream {
    let qualified = spec
        .messages
        .iter()
        .any(|m| ["Some", "None", "Option", "rt", "Message"].contains(&m.ident.as_str()));
    let (rt, message, imports) = if qualified {
        (runtime.clone(), quote!(#runtime::Message), quote!())
    } else {
        (
            quote!(rt),
            quote!(Message),
            quote!(use #runtime::{self as rt, Message};),
        )
    };
    let items = spec.messages.iter().zip(schemas).map(|(m, schema)| {
        let name = &m.name;
        let ty = ident(&m.ident);
        let content_type = &m.content_type;
        let payload = payload_type(m);
        let has_payload = m.payload.is_some();
        // Only what differs from `MessageInfo::of`'s.
        let mut fields = Vec::new();
        if content_type != "application/json" {
            fields.push(quote!(content_type: #content_type));
        }
        if !has_payload {
            fields.push(quote!(has_payload: false));
        }
        if m.title.is_some() {
            let title = opt(&m.title, qualified);
            fields.push(quote!(title: #title));
        }
        if m.summary.is_some() {
            let summary = opt(&m.summary, qualified);
            fields.push(quote!(summary: #summary));
        }
        let docs = message_doc(m);
        // Every message with a payload has a view, which validated decodes build the payload
        // from.
        let through_view = views_gate.filter(|_| has_payload).map(|gate| {
            quote! {
                #gate
                fn decode_checked(text: &str) -> ::core::option::Option<Self::Payload> {
                    #rt::view::decode_payload::<Self>(text)
                }
            }
        });
        quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #ty;

            impl #message for #ty {
                type Payload = #payload;
                const INFO: #rt::MessageInfo = #rt::MessageInfo {
                    #(#fields,)*
                    schema: #schema,
                    ..#rt::MessageInfo::of::<Self>(super::SPEC, #name)
                };

                #through_view
            }
        }
    });
    let infos = spec.messages.iter().map(|m| {
        let ty = ident(&m.ident);
        quote!(<#ty as #message>::INFO)
    });
    let module_doc = format!(
        " One marker type per message of the spec; its [`Message`]({}::Message) implementation ties\n the message to its payload type and metadata.",
        runtime.to_string().replace(' ', "")
    );
    let module_doc = module_doc.lines().map(str::to_owned).collect::<Vec<_>>();
    let dispatchers = dispatchers(spec, runtime, views_gate);
    quote! {
        #(#[doc = #module_doc])*
        pub mod messages {
            #imports

            #(#items)*

            #dispatchers

            /// Every message of the spec, in spec order.
            pub const ALL: &[#rt::MessageInfo] = &[#(#infos),*];
        }
    }
}

/// One enum per operation whose messages a constant property tells apart.
pub(crate) fn dispatchers(
    spec: &Spec,
    runtime: &TokenStream,
    views_gate: Option<&TokenStream>,
) -> TokenStream {
    let items = spec.operations.iter().filter_map(|op| {
        let d = op.dispatch.as_ref()?;
        let name = ident(&d.name);
        let tag = &d.tag;
        let doc_text = format!(
            "The messages of `{}`, told apart by their `{}`.\n\nDecoding reads `{}` first and then decodes the payload as that message only, so an error names the real problem instead of every variant's. A value whose `{}` is none of the known ones is kept whole as [`{}::Unknown`].",
            op.id, d.tag, d.tag, d.tag, d.name
        );
        let docs = plain_doc(&doc_text);
        let variant_idents: Vec<Ident> = d.variants.iter().map(|(m, _)| ident(&spec.messages[*m].ident)).collect();
        let payloads: Vec<TokenStream> = d.variants.iter().map(|(m, _)| payload_type(&spec.messages[*m])).collect();
        let values: Vec<&String> = d.variants.iter().map(|(_, v)| v).collect();
        let variant_docs: Vec<TokenStream> = d
            .variants
            .iter()
            .map(|(m, v)| {
                let m = &spec.messages[*m];
                plain_doc(&format!("`{tag}` is `{v}`: the [`{}`] message.", m.ident))
            })
            .collect();
        let missing = format!("missing or non-string property `{tag}`");
        let validated = views_gate
            .map(|gate| validated_decode(&name, tag, &variant_idents, &values, runtime, gate));
        Some(quote! {
            #docs
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name {
                #(
                    #variant_docs
                    #variant_idents(#payloads),
                )*
                /// A message whose tag is none of the known ones, kept as it came.
                Unknown(::serde_json::Value),
            }

            impl #name {
                /// The property that tells the messages apart.
                pub const TAG: &'static str = #tag;

                /// Each known tag value with its message.
                pub const TAGS: &'static [(&'static str, #runtime::MessageInfo)] = &[
                    #((#values, <#variant_idents as #runtime::Message>::INFO)),*
                ];

                /// Decodes a JSON value by its tag.
                pub fn from_value(value: ::serde_json::Value) -> ::std::result::Result<Self, ::serde_json::Error> {
                    let tag = match value.get(Self::TAG).and_then(::serde_json::Value::as_str) {
                        ::core::option::Option::Some(tag) => tag,
                        ::core::option::Option::None => {
                            return ::std::result::Result::Err(<::serde_json::Error as ::serde::de::Error>::custom(#missing));
                        }
                    };
                    match tag {
                        #(#values => ::serde_json::from_value(value).map(Self::#variant_idents),)*
                        _ => ::std::result::Result::Ok(Self::Unknown(value)),
                    }
                }

                /// Decodes JSON bytes by their tag, in one pass: the properties before the tag
                /// are held, then the rest is decoded straight into that message's type. Where
                /// the first property is an object or array (keys sorted put `data` first), a
                /// scan that decodes nothing finds the tag first, and the message it names is
                /// decoded from the text; what that refuses goes through the one pass. What the
                /// pass refuses is decoded again the long way (the tag found first, then the
                /// message), for the error that names the real problem; and a body nested deeper
                /// before its tag than a held value may be still decodes.
                pub fn from_slice(bytes: &[u8]) -> ::std::result::Result<Self, ::serde_json::Error> {
                    // The body decoded as the message its tag names, the tag found first.
                    let by_tag = |tag: ::core::option::Option<&str>| match tag {
                        #(::core::option::Option::Some(#values) => #runtime::json_from_slice(bytes).map(Self::#variant_idents),)*
                        ::core::option::Option::Some(_) => #runtime::json_from_slice(bytes).map(Self::Unknown),
                        ::core::option::Option::None => ::std::result::Result::Err(<::serde_json::Error as ::serde::de::Error>::custom(#missing)),
                    };
                    let nested_first = #runtime::tag_after_nested(bytes, Self::TAG)
                        .filter(|tag| Self::message_for_tag(tag).is_some());
                    if let ::core::option::Option::Some(::std::result::Result::Ok(decoded)) = nested_first.map(|tag| by_tag(::core::option::Option::Some(tag))) {
                        return ::std::result::Result::Ok(decoded);
                    }
                    #runtime::json_from_slice(bytes).or_else(|_| by_tag(#runtime::tag_of(bytes, Self::TAG)?.as_deref()))
                }

                /// The tag value (for [`Self::Unknown`], whatever the value holds, if it is a string).
                pub fn tag(&self) -> ::core::option::Option<&str> {
                    match self {
                        #(Self::#variant_idents(_) => ::core::option::Option::Some(#values),)*
                        Self::Unknown(value) => value.get(Self::TAG).and_then(::serde_json::Value::as_str),
                    }
                }

                /// The message this is; `None` for [`Self::Unknown`].
                pub fn message(&self) -> ::core::option::Option<#runtime::MessageInfo> {
                    match self {
                        #(Self::#variant_idents(_) => ::core::option::Option::Some(<#variant_idents as #runtime::Message>::INFO),)*
                        Self::Unknown(_) => ::core::option::Option::None,
                    }
                }

                /// The message a tag value names.
                pub fn message_for_tag(tag: &str) -> ::core::option::Option<#runtime::MessageInfo> {
                    Self::TAGS.iter().find(|(t, _)| *t == tag).map(|(_, info)| *info)
                }
            }

            #validated

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    match self {
                        #(Self::#variant_idents(payload) => payload.serialize(serializer),)*
                        Self::Unknown(value) => value.serialize(serializer),
                    }
                }
            }

            impl #runtime::ByTag for #name {
                const TAG: &'static str = #tag;

                fn decode<'de, M: ::serde::de::MapAccess<'de>>(tag: &str, map: M) -> ::std::result::Result<Self, M::Error> {
                    match tag {
                        #(#values => <#payloads as ::serde::Deserialize>::deserialize(::serde::de::value::MapAccessDeserializer::new(map)).map(Self::#variant_idents),)*
                        _ => #runtime::unknown_by_tag(map, Self::TAG).map(Self::Unknown),
                    }
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    #runtime::deserialize_by_tag(deserializer)
                }
            }
        })
    });
    quote! { #(#items)* }
}

/// The validated decode of an enum over messages (generated where views are: it reads the tag as
/// the views do, with the runtime's `validate` feature).
fn validated_decode(
    name: &Ident,
    tag: &str,
    variants: &[Ident],
    values: &[&String],
    runtime: &TokenStream,
    gate: &TokenStream,
) -> TokenStream {
    let doc = plain_doc(&format!(
        "Decodes JSON bytes as the message their `{tag}` names, checked against that message's schema \
         in the same pass, as `validate::decode` checks one message: for bodies that come some \
         other way than a subscription (a JetStream consumer, a file, a test).\n\n\
         `{tag}` is found without reading further, then the rest is decoded straight into that \
         message's type, whatever the order of the keys. A body that breaks the schema gets every \
         violation with its JSON pointer. A `{tag}` the spec does not know keeps the body as \
         [`Self::Unknown`]: there is no schema to check it against, but it must be a JSON object \
         read strictly, as the enum's view reads it. Stricter than [`Self::from_slice`] there too: \
         a key repeated at any depth, or a body larger than `MAX_PAYLOAD_BYTES`, is refused."
    ));
    quote! {
        #gate
        impl #name {
            #doc
            pub fn from_slice_validated(bytes: &[u8]) -> ::std::result::Result<Self, #runtime::validate::ValidationError> {
                let body = #runtime::view::tag_in_place(bytes, Self::TAG)?;
                match Self::decode_tagged(body.tag(), body.text()) {
                    ::core::option::Option::Some(decoded) => decoded,
                    ::core::option::Option::None => body
                        .unknown(Self::TAG)?
                        .to_value()
                        .map(Self::Unknown)
                        .map_err(#runtime::validate::ValidationError::NotJson),
                }
            }

            /// The body `text` (its UTF-8 checked) decoded as the message `tag` names, checked
            /// against its schema; `None` when no message has the tag.
            fn decode_tagged(
                tag: &str,
                text: &str,
            ) -> ::core::option::Option<::std::result::Result<Self, #runtime::validate::ValidationError>> {
                match tag {
                    #(#values => ::core::option::Option::Some(
                        #runtime::validate::decode_text::<#variants>(text).map(Self::#variants),
                    ),)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}
