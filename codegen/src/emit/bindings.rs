//! Values a request carries twice, in its subject and in its payload (`x-payload-field` on a
//! channel parameter): which payload property of which operation, so that generated code can
//! fill the payload from the subject and refuse a payload that disagrees.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::model::{Operation, Parameter, Spec};

use super::messages::ident;

/// One shared value of one operation.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    /// The channel parameter, as the spec names it (`hostId`).
    pub parameter: String,
    /// Its accessor on the typed subject (`host_id`).
    pub accessor: String,
    /// The payload property (`host_id`), which is also the Rust field name.
    pub field: String,
    /// Whether the field is an `Option<String>` (optional, without a default).
    pub optional: bool,
}

/// The bindings of every operation, by operation index. An operation gets a binding for each
/// parameter of its channel with an `x-payload-field` that names a top-level property of its
/// (one) request payload; a payload without that property shares nothing.
pub(crate) fn all(spec: &Spec) -> Vec<Vec<Binding>> {
    spec.operations
        .iter()
        .map(|op| {
            shared_fields(spec, op)
                .into_iter()
                .map(|shared| Binding {
                    parameter: shared.parameter.name.clone(),
                    accessor: shared.parameter.ident.clone(),
                    field: shared.field.to_owned(),
                    optional: !shared.required && shared.property.get("default").is_none(),
                })
                .collect()
        })
        .collect()
}

/// A payload property that an operation's channel parameter names with `x-payload-field`.
pub(crate) struct SharedField<'s> {
    pub parameter: &'s Parameter,
    pub field: &'s str,
    /// The property's schema.
    pub property: &'s Value,
    pub required: bool,
}

/// The properties of an operation's (one) request payload that its channel's parameters name.
pub(crate) fn shared_fields<'s>(spec: &'s Spec, op: &'s Operation) -> Vec<SharedField<'s>> {
    let payload = match op.messages.as_slice() {
        [m] => spec.messages[*m]
            .payload
            .as_ref()
            .and_then(|name| spec.definitions.get(name)),
        _ => None,
    };
    let Some(schema) = payload.map(|d| &d.schema) else {
        return Vec::new();
    };
    spec.channels[op.channel]
        .parameters
        .iter()
        .filter_map(|parameter| {
            let field = parameter.payload_field.as_deref()?;
            let property = schema.get("properties")?.get(field)?;
            let required = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(field)));
            Some(SharedField {
                parameter,
                field,
                property,
                required,
            })
        })
        .collect()
}

/// Whether typify names the property's field exactly as the property.
pub(crate) fn is_plain_field(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(name).is_ok()
}

/// `Operation::bind` for an operation with bindings; nothing for one without.
pub(crate) fn bind_fn(bindings: &[Binding], runtime: &TokenStream) -> Option<TokenStream> {
    if bindings.is_empty() {
        return None;
    }
    let checks = bindings.iter().map(|b| {
        let parameter = &b.parameter;
        let field = &b.field;
        let accessor = ident(&b.accessor);
        let member = ident(&b.field);
        let (current, assign) = if b.optional {
            (
                quote!(request.#member.as_deref().unwrap_or_default()),
                quote!(::std::option::Option::Some(value)),
            )
        } else {
            (quote!(&request.#member), quote!(value))
        };
        quote! {
            if let ::std::option::Option::Some(value) =
                #runtime::bind_field(#parameter, subject.#accessor(), #field, #current)?
            {
                bound.get_or_insert_with(|| request.clone()).#member = #assign;
            }
        }
    });
    Some(quote! {
        fn bind(
            subject: &Self::Subject<'_>,
            request: &Self::Request,
        ) -> Result<::std::option::Option<Self::Request>, #runtime::FieldMismatch> {
            let mut bound = ::std::option::Option::None;
            #(#checks)*
            Ok(bound)
        }
    })
}
