//! Distinct Rust fields for properties that typify would give the same name.
//!
//! typify names a field after its property, so `fooBar`, `foo_bar` and `foo-bar` in one object all
//! become `foo_bar` and the struct does not compile. The first keeps the name, later ones get a
//! numeric suffix (`foo_bar_2`), and `#[serde(rename)]` keeps each on its wire name.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use syn::visit_mut::{self, VisitMut};

/// For each struct with a renamed field: its fields in order, as `(typify's name, final name)`.
type Renames = HashMap<String, Vec<(String, String)>>;

/// Renames colliding fields in typify's output, and the struct literals that name them.
pub(crate) fn dedupe(tokens: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(tokens.clone()) else {
        return tokens;
    };
    let mut renames = Renames::new();
    rename_in(&mut file.items, &mut renames);
    if renames.is_empty() {
        return tokens;
    }
    Literals {
        renames: &renames,
        self_ty: None,
    }
    .visit_file_mut(&mut file);
    quote::quote!(#file)
}

fn rename_in(items: &mut [syn::Item], renames: &mut Renames) {
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                if let syn::Fields::Named(fields) = &mut s.fields {
                    if let Some(order) = rename_fields(fields) {
                        renames.insert(s.ident.to_string(), order);
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &mut m.content {
                    rename_in(items, renames);
                }
            }
            _ => {}
        }
    }
}

fn rename_fields(fields: &mut syn::FieldsNamed) -> Option<Vec<(String, String)>> {
    let names: Vec<String> = fields
        .named
        .iter()
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect();
    let mut taken: HashSet<String> = names.iter().cloned().collect();
    if taken.len() == names.len() {
        return None;
    }
    let mut seen = HashSet::new();
    let mut order = Vec::with_capacity(names.len());
    for field in fields.named.iter_mut() {
        let Some(ident) = &field.ident else { continue };
        let old = ident.to_string();
        if seen.insert(old.clone()) {
            order.push((old.clone(), old));
            continue;
        }
        let sep = if old.ends_with('_') { "" } else { "_" };
        let new = (2..)
            .map(|n| format!("{old}{sep}{n}"))
            .find(|candidate| taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name");
        if !has_serde_rename(&field.attrs) {
            // Without a rename, typify's field name was the property name itself.
            field.attrs.push(syn::parse_quote!(#[serde(rename = #old)]));
        }
        field.ident = Some(syn::Ident::new(&new, Span::call_site()));
        order.push((old, new));
    }
    Some(order)
}

fn has_serde_rename(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("serde") && {
            let text = quote::quote!(#a).to_string();
            text.contains("rename =") || text.contains("rename=")
        }
    })
}

/// Struct literals (`Self { .. }` in typify's `Default` impls) of renamed structs: the k-th
/// mention of a name is the k-th field of that name.
struct Literals<'a> {
    renames: &'a Renames,
    self_ty: Option<String>,
}

fn last_segment(path: &syn::Path) -> Option<String> {
    path.segments.last().map(|s| s.ident.to_string())
}

impl VisitMut for Literals<'_> {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let outer = self.self_ty.take();
        self.self_ty = match &*item.self_ty {
            syn::Type::Path(p) => last_segment(&p.path),
            _ => None,
        };
        visit_mut::visit_item_impl_mut(self, item);
        self.self_ty = outer;
    }

    fn visit_expr_struct_mut(&mut self, expr: &mut syn::ExprStruct) {
        let name = match last_segment(&expr.path) {
            Some(n) if n == "Self" => self.self_ty.clone(),
            other => other,
        };
        if let Some(order) = name.and_then(|n| self.renames.get(&n)) {
            let mut mentions: HashMap<String, usize> = HashMap::new();
            for field in expr.fields.iter_mut() {
                let syn::Member::Named(ident) = &field.member else {
                    continue;
                };
                let old = ident.to_string();
                let k = mentions.entry(old.clone()).or_default();
                let renamed = order.iter().filter(|(o, _)| *o == old).nth(*k);
                *k += 1;
                if let Some((_, new)) = renamed.filter(|(o, n)| o != n) {
                    field.member = syn::Member::Named(syn::Ident::new(new, ident.span()));
                    field.colon_token.get_or_insert_with(Default::default);
                }
            }
        }
        visit_mut::visit_expr_struct_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_fields_get_suffixes_and_keep_their_wire_names() {
        let tokens: TokenStream = syn::parse_quote! {
            pub struct Crate {
                #[serde(rename = "fooBar")]
                pub foo_bar: Option<String>,
                pub foo_bar: Option<i64>,
                pub foo_bar_2: Option<bool>,
            }
            impl Default for Crate {
                fn default() -> Self {
                    Self { foo_bar: None, foo_bar: Some(1), foo_bar_2: None }
                }
            }
        };
        let out = dedupe(tokens).to_string();
        assert!(out.contains("pub foo_bar : Option < String >"), "{out}");
        assert!(
            out.contains("# [serde (rename = \"foo_bar\")] pub foo_bar_3 : Option < i64 >"),
            "{out}"
        );
        assert!(out.contains("pub foo_bar_2 : Option < bool >"), "{out}");
        assert!(
            out.contains("foo_bar : None , foo_bar_3 : Some (1) , foo_bar_2 : None"),
            "{out}"
        );
    }
}
