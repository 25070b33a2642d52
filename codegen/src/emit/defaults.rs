//! `Default` for the payload types of requests, so a request is written with its required
//! fields and `..Default::default()` for the rest.
//!
//! typify derives `Default` only where every field may be left out. A request type with required
//! fields gets it too when every field either has a default of its own in the spec or a type with
//! an obvious empty value (strings, numbers, options, lists, maps, types that have `Default`
//! themselves). Without spec defaults it is derived; with them it is written out, because a
//! derived `Default` would not honour them (`name: "default"` would become `""`).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;

use crate::model::{Direction, Spec};

/// Types whose `Default` is the empty value.
const EMPTY: &[&str] = &[
    "String", "bool", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64",
    "u128", "usize", "f32", "f64", "Option", "Vec", "BTreeMap", "HashMap", "BTreeSet", "HashSet",
    "Value", "Map",
];

/// Adds `Default` to the derives of the spec's request payload types where it is sound.
pub(crate) fn derive_for_requests(spec: &Spec, tokens: TokenStream) -> TokenStream {
    let requests: BTreeSet<&str> = spec
        .operations
        .iter()
        .filter(|op| op.direction == Direction::Publish)
        .flat_map(|op| &op.messages)
        .filter_map(|&m| spec.messages[m].payload.as_deref())
        .collect();
    if requests.is_empty() {
        return tokens;
    }
    let Ok(mut file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return tokens;
    };
    let mut with_default = types_with_default(&file.items);
    // Each written-out `Default` goes right after its type, as a person would put it.
    let mut impls: Vec<(usize, syn::Item)> = Vec::new();
    for (at, item) in file.items.iter_mut().enumerate() {
        let syn::Item::Struct(s) = item else {
            continue;
        };
        let name = s.ident.to_string();
        if with_default.contains(&name) || !requests.contains(name.as_str()) {
            continue;
        }
        let syn::Fields::Named(fields) = &s.fields else {
            continue;
        };
        let mut values = Vec::new();
        for field in &fields.named {
            let own = own_default(field);
            let value = match &own {
                Some(path) => quote::quote!(#path()),
                None if defaultable(&field.ty, &with_default) => {
                    quote::quote!(::std::default::Default::default())
                }
                None => break,
            };
            values.push((field.ident.clone(), value, own.is_some()));
        }
        if values.len() != fields.named.len() {
            continue;
        }
        if values.iter().all(|(_, _, own)| !own) {
            if add_derive(s) {
                with_default.insert(name);
            }
            continue;
        }
        let ident = &s.ident;
        let inits = values
            .iter()
            .map(|(field, value, _)| quote::quote!(#field: #value));
        impls.push((
            at + 1,
            syn::parse_quote! {
                impl ::std::default::Default for #ident {
                    fn default() -> Self {
                        Self { #(#inits,)* }
                    }
                }
            },
        ));
        with_default.insert(name);
    }
    for (at, item) in impls.into_iter().rev() {
        file.items.insert(at, item);
    }
    quote::quote!(#file)
}

/// The types that derive or implement `Default` already.
fn types_with_default(items: &[syn::Item]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in items {
        match item {
            syn::Item::Struct(s) if derives_default(&s.attrs) => {
                out.insert(s.ident.to_string());
            }
            syn::Item::Enum(e) if derives_default(&e.attrs) => {
                out.insert(e.ident.to_string());
            }
            // A `const` (`emit/consts.rs`): its one value is its default.
            syn::Item::Type(t) if is_const(&t.ty) => {
                out.insert(t.ident.to_string());
            }
            syn::Item::Impl(i) => {
                let is_default = i
                    .trait_
                    .as_ref()
                    .and_then(|(path, _)| path.segments.last())
                    .is_some_and(|segment| segment.ident == "Default");
                if let (true, syn::Type::Path(t)) = (is_default, &*i.self_ty) {
                    if let Some(last) = t.path.segments.last() {
                        out.insert(last.ident.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn is_const(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(t) if t.path.segments.last().is_some_and(|s| s.ident == "Const"))
}

fn derives_default(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| quote::quote!(#a).to_string().contains("Default"))
}

/// The function named by `#[serde(default = "...")]`: the spec gives the field a value of its own.
fn own_default(field: &syn::Field) -> Option<syn::ExprPath> {
    let mut path = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") && meta.input.peek(syn::Token![=]) {
                let name: syn::LitStr = meta.value()?.parse()?;
                path = name.parse().ok();
            } else if meta.input.peek(syn::Token![=]) {
                // Another `key = value`: its value is not ours to read.
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    path
}

fn defaultable(ty: &syn::Type, with_default: &BTreeSet<String>) -> bool {
    let syn::Type::Path(t) = ty else {
        return false;
    };
    t.path.segments.last().is_some_and(|last| {
        let name = last.ident.to_string();
        EMPTY.contains(&name.as_str()) || with_default.contains(&name)
    })
}

/// Adds `Default` to the struct's derive list; `false` when it has none to add to.
fn add_derive(s: &mut syn::ItemStruct) -> bool {
    let Some(attr) = s.attrs.iter_mut().find(|a| a.path().is_ident("derive")) else {
        return false;
    };
    let Ok(list) = attr.meta.require_list() else {
        return false;
    };
    let tokens = &list.tokens;
    *attr = syn::parse_quote!(#[derive(#tokens, Default)]);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(code: &str, name: &str) -> bool {
        let file: syn::File = syn::parse_str(code).unwrap();
        derives_default(
            &file
                .items
                .iter()
                .find_map(|i| match i {
                    syn::Item::Struct(s) if s.ident == name => Some(s.attrs.clone()),
                    _ => None,
                })
                .unwrap(),
        )
    }

    #[test]
    fn only_types_with_obvious_empty_values_and_no_defaults_of_their_own() {
        let spec = {
            let mut files = crate::MemoryLoader::new();
            files.insert(
                "s.yaml",
                "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n    publish:\n      operationId: a\n      message: {name: A, payload: {$ref: '#/components/schemas/A'}}\n  b:\n    publish:\n      operationId: b\n      message: {name: B, payload: {$ref: '#/components/schemas/B'}}\n  c:\n    subscribe:\n      operationId: c\n      message: {name: C, payload: {$ref: '#/components/schemas/C'}}\ncomponents:\n  schemas:\n    A: {type: object}\n    B: {type: object}\n    C: {type: object}\n",
            );
            crate::read_spec(&files, "s.yaml".as_ref()).unwrap()
        };
        let code = quote::quote! {
            #[derive(Clone, Debug)]
            pub struct A { pub id: ::std::string::String, pub n: u32, pub tags: ::std::vec::Vec<::std::string::String> }
            #[derive(Clone, Debug)]
            pub struct B { #[serde(default = "defaults::b_name")] pub name: ::std::string::String }
            #[derive(Clone, Debug)]
            pub struct C { pub id: ::std::string::String }
        };
        let out = derive_for_requests(&spec, code).to_string();
        assert!(derived(&out, "A"), "a request with plain fields: {out}");
        assert!(
            !derived(&out, "B"),
            "a field with a default of its own is not derived"
        );
        assert!(
            out.contains("impl :: std :: default :: Default for B { fn default () -> Self { Self { name : defaults :: b_name () , } } }"),
            "it is written out with the spec's default: {out}"
        );
        assert!(!derived(&out, "C"), "not a request");
        assert!(!out.contains("Default for C"), "not a request");
    }
}
