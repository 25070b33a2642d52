//! A schema's `const` string as a value, not an enum. typify writes `{const: "1.0"}` (and an
//! `enum` of one string) as an enum of one variant with four conversion impls, some 55 lines
//! that make a struct literal spell `Specversion::X10`. Each becomes the runtime's `Const` of a
//! unit type that holds the string: the same name, the same wire, and its own `Default`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use syn::visit_mut::VisitMut;

/// One `const`: its string, and the name of typify's single variant.
struct OneString {
    value: String,
    variant: syn::Ident,
}

/// typify's enums of one string, rewritten as `Const`s of `runtime`.
pub(crate) fn as_values(tokens: TokenStream, runtime: &TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return tokens;
    };
    let consts: BTreeMap<String, OneString> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Enum(e) => one_string(e).map(|c| (e.ident.to_string(), c)),
            _ => None,
        })
        .collect();
    if consts.is_empty() {
        return tokens;
    }
    let mut taken: BTreeSet<String> = file.items.iter().filter_map(item_name).collect();
    let mut items = Vec::with_capacity(file.items.len());
    for item in std::mem::take(&mut file.items) {
        match &item {
            syn::Item::Enum(e) if consts.contains_key(&e.ident.to_string()) => {
                let value = &consts[&e.ident.to_string()].value;
                items.extend(const_items(e, value, &mut taken, runtime));
            }
            // Display, FromStr and TryFrom: `Const` has them all.
            syn::Item::Impl(i) if impl_of(i).is_some_and(|name| consts.contains_key(&name)) => {}
            _ => items.push(item),
        }
    }
    file.items = items;
    VariantsToValues { consts: &consts }.visit_file_mut(&mut file);
    quote::quote!(#file)
}

/// The string of an enum that has one unit variant and nothing else: a `const`.
fn one_string(e: &syn::ItemEnum) -> Option<OneString> {
    let [variant] = e.variants.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    // A tag, `untagged` or anything else on the enum changes what it means on the wire.
    let serde_attr = |attrs: &[syn::Attribute]| {
        attrs
            .iter()
            .filter(|a| a.path().is_ident("serde"))
            .cloned()
            .collect::<Vec<_>>()
    };
    if !matches!(variant.fields, syn::Fields::Unit)
        || !e.generics.params.is_empty()
        || !serde_attr(&e.attrs).is_empty()
    {
        return None;
    }
    let mut value = variant.ident.to_string();
    for attr in serde_attr(&variant.attrs) {
        let mut only_rename = true;
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                value = lit.value();
            } else {
                only_rename = false;
            }
            Ok(())
        });
        if parsed.is_err() || !only_rename {
            return None;
        }
    }
    Some(OneString {
        value,
        variant: variant.ident.clone(),
    })
}

/// The alias that keeps the enum's name and docs, the unit type that holds the string, and its
/// `ConstValue`.
fn const_items(
    e: &syn::ItemEnum,
    value: &str,
    taken: &mut BTreeSet<String>,
    runtime: &TokenStream,
) -> Vec<syn::Item> {
    let name = &e.ident;
    let holder = (1..)
        .map(|n| match n {
            1 => format!("{name}Value"),
            n => format!("{name}Value{n}"),
        })
        .find(|candidate| taken.insert(candidate.clone()))
        .expect("an unbounded range always yields a free name");
    let holder = syn::Ident::new(&holder, name.span());
    let docs = e.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let vis = &e.vis;
    let holder_doc = format!(" The string a [`{name}`] holds: `{value:?}`.");
    vec![
        syn::parse_quote! {
            #(#docs)*
            #vis type #name = #runtime::Const<#holder>;
        },
        syn::parse_quote! {
            #[doc = #holder_doc]
            #vis struct #holder;
        },
        syn::parse_quote! {
            impl #runtime::ConstValue for #holder {
                const VALUE: &'static str = #value;
            }
        },
    ]
}

fn item_name(item: &syn::Item) -> Option<String> {
    Some(match item {
        syn::Item::Struct(s) => s.ident.to_string(),
        syn::Item::Enum(e) => e.ident.to_string(),
        syn::Item::Type(t) => t.ident.to_string(),
        syn::Item::Mod(m) => m.ident.to_string(),
        syn::Item::Fn(f) => f.sig.ident.to_string(),
        syn::Item::Const(c) => c.ident.to_string(),
        _ => return None,
    })
}

/// The type an inherent or trait impl is for, by its last path segment.
fn impl_of(i: &syn::ItemImpl) -> Option<String> {
    match &*i.self_ty {
        syn::Type::Path(t) => t.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `X::Variant` (typify's defaults name it) becomes `X::new()`.
struct VariantsToValues<'a> {
    consts: &'a BTreeMap<String, OneString>,
}

impl VisitMut for VariantsToValues<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Path(p) = expr {
            let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
            if let [.., ty, variant] = segments[..] {
                let is_const = self
                    .consts
                    .get(&ty.ident.to_string())
                    .is_some_and(|c| c.variant == variant.ident);
                if is_const {
                    let mut ty_path = p.path.clone();
                    ty_path.segments.pop();
                    let ty_path = ty_path.segments.pairs().map(|pair| pair.into_tuple().0);
                    let leading = p.path.leading_colon;
                    *expr = syn::parse_quote!(#leading #(#ty_path)::*::new());
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(code: TokenStream) -> String {
        let out = as_values(code, &quote::quote!(::rt));
        prettyplease::unparse(&syn::parse2(out).unwrap())
    }

    #[test]
    fn an_enum_of_one_string_becomes_a_const_and_its_variant_a_value() {
        let out = rewrite(quote::quote! {
            /// CloudEvents specification version, always "1.0".
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
            pub enum Specversion {
                #[serde(rename = "1.0")]
                X10,
            }
            impl ::std::fmt::Display for Specversion {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self { Self::X10 => f.write_str("1.0") }
                }
            }
            #[derive(Clone, Debug)]
            pub struct Envelope {
                #[serde(default = "defaults::envelope_specversion")]
                pub specversion: Specversion,
            }
            pub mod defaults {
                pub(super) fn envelope_specversion() -> super::Specversion {
                    super::Specversion::X10
                }
            }
        });
        let expected = r#"/// CloudEvents specification version, always "1.0".
pub type Specversion = ::rt::Const<SpecversionValue>;
/// The string a [`Specversion`] holds: `"1.0"`.
pub struct SpecversionValue;
impl ::rt::ConstValue for SpecversionValue {
    const VALUE: &'static str = "1.0";
}
#[derive(Clone, Debug)]
pub struct Envelope {
    #[serde(default = "defaults::envelope_specversion")]
    pub specversion: Specversion,
}
pub mod defaults {
    pub(super) fn envelope_specversion() -> super::Specversion {
        super::Specversion::new()
    }
}
"#;
        assert_eq!(out, expected);
    }

    #[test]
    fn other_enums_stay_as_they_are() {
        let code = quote::quote! {
            pub enum Two { #[serde(rename = "a")] A, #[serde(rename = "b")] B }
            #[serde(untagged)]
            pub enum Untagged { #[serde(rename = "a")] A }
            pub enum Data { A(u32) }
            pub enum Aliased { #[serde(rename = "a", alias = "b")] A }
        };
        let before = prettyplease::unparse(&syn::parse2(code.clone()).unwrap());
        assert_eq!(rewrite(code), before);
    }

    #[test]
    fn a_taken_name_is_not_reused() {
        let out = rewrite(quote::quote! {
            pub enum Kind { #[serde(rename = "k")] K }
            pub struct KindValue;
        });
        assert!(
            out.contains("pub type Kind = ::rt::Const<KindValue2>;"),
            "{out}"
        );
    }
}
