//! Values a request carries twice, in its subject and in its payload (`x-payload-field` on a
//! channel parameter): which payload property of which operation, so that generated code can
//! fill the payload from the subject and refuse a payload that disagrees.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::model::Spec;

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
pub(crate) fn all(spec: &Spec) -> Result<Vec<Vec<Binding>>> {
    let mut out = Vec::with_capacity(spec.operations.len());
    for op in &spec.operations {
        let channel = &spec.channels[op.channel];
        let mut bindings = Vec::new();
        let payload = match op.messages.as_slice() {
            [m] => spec.messages[*m]
                .payload
                .as_ref()
                .and_then(|name| spec.definitions.get(name)),
            _ => None,
        };
        for p in &channel.parameters {
            let (Some(field), Some(definition)) = (&p.payload_field, payload) else {
                continue;
            };
            let located = |what: String| {
                Error::new(
                    &channel.file,
                    format!(
                        "{}/parameters/{}/x-payload-field",
                        channel.pointer,
                        crate::error::escape_token(&p.name)
                    ),
                    ErrorKind::Unsupported(what),
                )
            };
            let schema = &definition.schema;
            let Some(property) = schema.get("properties").and_then(|props| props.get(field)) else {
                continue;
            };
            if property.get("type").and_then(Value::as_str) != Some("string") {
                return Err(located(format!(
                    "x-payload-field {field:?}: the payload property of operation {} must be a string",
                    op.id
                )));
            }
            if !is_plain_field(field) {
                return Err(located(format!(
                    "x-payload-field {field:?}: only a property whose name is a snake_case Rust field name can be shared"
                )));
            }
            let required = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(field)));
            // typify makes an optional property with a default a plain field.
            let has_default = property.get("default").is_some();
            bindings.push(Binding {
                parameter: p.name.clone(),
                accessor: p.ident.clone(),
                field: field.clone(),
                optional: !required && !has_default,
            });
        }
        out.push(bindings);
    }
    Ok(out)
}

/// Whether typify names the property's field exactly as the property.
fn is_plain_field(name: &str) -> bool {
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
