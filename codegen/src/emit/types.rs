//! Rust types for the definitions, through typify, with its panics turned into errors.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use schemars::schema::Schema;
use serde_json::Value;
use syn::visit::Visit;
use typify::{TypeSpace, TypeSpaceSettings};

use crate::error::{Error, ErrorKind, Result};
use crate::model::Spec;
use crate::schema::{for_typify, reachable};

use super::guard::contain;

fn settings() -> TypeSpaceSettings {
    let mut s = TypeSpaceSettings::default();
    s.with_struct_builder(false)
        .with_derive("PartialEq".to_owned())
        // Deterministic key order when maps are serialized.
        .with_map_type("::std::collections::BTreeMap");
    s
}

/// Converts a set of definitions; `Err` carries typify's own words.
fn convert(defs: &BTreeMap<String, Schema>) -> std::result::Result<TokenStream, String> {
    let defs = defs.clone();
    contain(move || {
        let mut space = TypeSpace::new(&settings());
        space.add_ref_types(defs).map_err(|e| e.to_string())?;
        Ok(space.to_stream())
    })
    .map_err(|panic| format!("it panicked: {panic}"))
    .and_then(|r| r)
}

/// The `types` module body for a spec.
pub(crate) fn emit(spec: &Spec, runtime: &TokenStream) -> Result<TokenStream> {
    let prepared = for_typify(&spec.definitions);
    let locate = |name: &str| -> (std::path::PathBuf, String) {
        // Hoisted definitions have no place of their own: report their base.
        let def = spec.definitions.get(name).or_else(|| {
            spec.definitions
                .iter()
                .filter(|(base, _)| name.starts_with(base.as_str()))
                .max_by_key(|(base, _)| base.len())
                .map(|(_, d)| d)
        });
        match def {
            Some(d) => (d.file.clone(), d.pointer.clone()),
            None => (spec.path.clone(), String::new()),
        }
    };
    if let Some(endless) = super::merges::find_endless(&prepared) {
        let (file, pointer) = locate(&endless.definition);
        return Err(Error::new(
            file,
            format!("{pointer}{}", endless.pointer),
            ErrorKind::Unsupported(
                "this allOf (or a merge into these branches) leads back to itself through $refs, so typify would never finish merging it".into(),
            ),
        ));
    }
    let mut schemas = BTreeMap::new();
    for (name, value) in &prepared {
        let schema: Schema = serde_json::from_value(value.clone()).map_err(|e| {
            let (file, pointer) = locate(name);
            Error::new(
                file,
                pointer,
                ErrorKind::Unsupported(format!("schema cannot be read as JSON Schema: {e}")),
            )
        })?;
        schemas.insert(name.clone(), schema);
    }
    match convert(&schemas) {
        Ok(tokens) => Ok(super::defaults::derive_for_requests(
            spec,
            super::consts::as_values(
                derive_defaults(prune_defaults(super::fields::dedupe(tokens))),
                runtime,
            ),
        )),
        Err(whole) => {
            // Find the smallest set of definitions that still fails, to name the culprit.
            let (culprit, reason) = smallest_failure(&prepared, &schemas).unwrap_or((None, whole));
            let (file, pointer) = culprit
                .as_deref()
                .map(locate)
                .unwrap_or((spec.path.clone(), String::new()));
            Err(Error::new(
                file,
                pointer,
                ErrorKind::Unsupported(format!("typify cannot convert this schema: {reason}")),
            ))
        }
    }
}

/// typify writes generic helpers (`default_i64`...) into its `defaults` module whether or not a
/// field uses them; unused ones would be dead code in the generated module.
fn prune_defaults(tokens: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return tokens;
    };
    let mut used = DefaultsUsed::default();
    for item in &file.items {
        if !matches!(item, syn::Item::Mod(m) if m.ident == "defaults") {
            used.visit_item(item);
        }
    }
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "defaults" {
            continue;
        }
        if let Some((_, items)) = &mut module.content {
            items.retain(|i| match i {
                syn::Item::Fn(f) => used.0.contains(&f.sig.ident.to_string()),
                _ => true,
            });
        }
    }
    file.items.retain(|item| match item {
        syn::Item::Mod(m) if m.ident == "defaults" => m
            .content
            .as_ref()
            .is_some_and(|(_, items)| !items.is_empty()),
        _ => true,
    });
    quote::quote!(#file)
}

/// typify writes `impl Default` by hand for an enum whose default is one of its unit variants
/// (`Union[int, str, None] = None`: `Null`); clippy asks for the derive, and `#[default]` on the
/// variant, which is what this writes instead.
fn derive_defaults(tokens: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return tokens;
    };
    // Each enum's hand-written `Default`: the unit variant it names, and the impl.
    let mut impls = BTreeMap::new();
    file.items.retain(|item| {
        let Some((name, variant)) = unit_default(item) else {
            return true;
        };
        impls.insert(name, (variant, item.clone()));
        false
    });
    for item in &mut file.items {
        let syn::Item::Enum(e) = item else { continue };
        let Some((variant, _)) = impls.get(&e.ident.to_string()) else {
            continue;
        };
        let variant = variant.clone();
        let unit = e
            .variants
            .iter()
            .any(|v| v.ident == variant && matches!(v.fields, syn::Fields::Unit));
        let derive = e.attrs.iter_mut().find(|a| a.path().is_ident("derive"));
        let (
            true,
            Some(syn::Attribute {
                meta: syn::Meta::List(list),
                ..
            }),
        ) = (unit, derive)
        else {
            continue;
        };
        let tokens = &list.tokens;
        list.tokens = quote::quote!(#tokens, Default);
        for v in e.variants.iter_mut().filter(|v| v.ident == variant) {
            v.attrs.push(syn::parse_quote!(#[default]));
        }
        impls.remove(&e.ident.to_string());
    }
    // An impl whose enum was not found as expected stays as typify wrote it.
    file.items.extend(impls.into_values().map(|(_, item)| item));
    quote::quote!(#file)
}

/// `impl Default for Name { fn default() -> Self { Name::Variant } }`, as typify writes it for an
/// enum: the enum's name and the variant's.
fn unit_default(item: &syn::Item) -> Option<(String, String)> {
    let syn::Item::Impl(imp) = item else {
        return None;
    };
    let (trait_path, _) = imp.trait_.as_ref()?;
    if trait_path.segments.last()?.ident != "Default" || imp.items.len() != 1 {
        return None;
    }
    let syn::Type::Path(self_ty) = &*imp.self_ty else {
        return None;
    };
    let name = self_ty.path.get_ident()?.to_string();
    let syn::ImplItem::Fn(f) = &imp.items[0] else {
        return None;
    };
    let [syn::Stmt::Expr(syn::Expr::Path(body), None)] = f.block.stmts.as_slice() else {
        return None;
    };
    let segments: Vec<String> = body
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [owner, variant] if *owner == name || owner == "Self" => Some((name, variant.clone())),
        _ => None,
    }
}

/// The functions of typify's `defaults` module the code names: as a path (`defaults::x()`) or in
/// a `#[serde(default = "defaults::x")]`.
#[derive(Default)]
struct DefaultsUsed(BTreeSet<String>);

impl<'ast> Visit<'ast> for DefaultsUsed {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<_> = path.segments.iter().map(|s| &s.ident).collect();
        if let [.., module, name] = segments[..] {
            if module == "defaults" {
                self.0.insert(name.to_string());
            }
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &attr.meta {
            if list.path.is_ident("serde") {
                for token in list.tokens.clone() {
                    if let proc_macro2::TokenTree::Literal(literal) = token {
                        if let syn::Lit::Str(text) = syn::Lit::new(literal) {
                            if let Some(name) = text.value().strip_prefix("defaults::") {
                                self.0.insert(name.to_owned());
                            }
                        }
                    }
                }
            }
        }
        syn::visit::visit_attribute(self, attr);
    }
}

fn smallest_failure(
    prepared: &BTreeMap<String, Value>,
    schemas: &BTreeMap<String, Schema>,
) -> Option<(Option<String>, String)> {
    let mut candidates: Vec<(String, BTreeSet<String>)> = prepared
        .keys()
        .map(|n| (n.clone(), reachable(n, |name| prepared.get(name))))
        .collect();
    candidates.sort_by_key(|(name, c)| (c.len(), name.clone()));
    for (name, set) in candidates {
        let subset: BTreeMap<String, Schema> = set
            .iter()
            .filter_map(|n| schemas.get(n).map(|s| (n.clone(), s.clone())))
            .collect();
        if let Err(reason) = convert(&subset) {
            return Some((Some(name), reason));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn an_enums_unit_default_is_derived() {
        let typify = quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
            #[serde(untagged)]
            pub enum Refund {
                Integer(i64),
                String(::std::string::String),
                Null,
            }

            impl ::std::default::Default for Refund {
                fn default() -> Self {
                    Refund::Null
                }
            }

            impl ::std::default::Default for Other {
                fn default() -> Self {
                    Self::new()
                }
            }
        };
        let out = super::derive_defaults(typify.clone()).to_string();
        assert!(
            out.contains("Clone , Debug , PartialEq , Default)"),
            "{out}"
        );
        assert!(out.contains("# [default] Null"), "{out}");
        assert!(!out.contains("for Refund"), "{out}");
        // What is not a unit variant's default stays as written.
        assert!(out.contains("for Other"), "{out}");

        // A default that names no unit variant of the enum: the impl as typify wrote it.
        let tuple = quote! {
            #[derive(Clone)]
            pub enum Odd {
                Integer(i64),
            }

            impl ::std::default::Default for Odd {
                fn default() -> Self {
                    Odd::Integer
                }
            }
        };
        let out = super::derive_defaults(tuple.clone()).to_string();
        assert_eq!(out, tuple.to_string());

        // Beside one that is: each enum on its own.
        let both = quote!(#typify #tuple).to_string();
        let out = super::derive_defaults(both.parse().unwrap()).to_string();
        assert!(out.contains("# [default] Null"), "{out}");
        assert!(
            !out.contains("for Refund { fn default () -> Self { Refund :: Null"),
            "{out}"
        );
        assert!(
            out.contains("for Odd { fn default () -> Self { Odd :: Integer"),
            "{out}"
        );
    }
}
