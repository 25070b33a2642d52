//! Rust types for the definitions, through typify, with its panics turned into errors.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use schemars::schema::Schema;
use serde_json::Value;
use typify::{TypeSpace, TypeSpaceSettings};

use crate::error::{Error, ErrorKind, Result};
use crate::model::Spec;
use crate::schema::{for_typify, references};

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
            super::consts::as_values(prune_defaults(super::fields::dedupe(tokens)), runtime),
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
    let others: String = file
        .items
        .iter()
        .filter(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "defaults"))
        .map(|item| quote::quote!(#item).to_string())
        .collect();
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "defaults" {
            continue;
        }
        if let Some((_, items)) = &mut module.content {
            items.retain(|i| match i {
                // Used as a path, or inside a `#[serde(default = "defaults::x")]` string.
                syn::Item::Fn(f) => {
                    let name = &f.sig.ident;
                    others.contains(&format!("defaults :: {name}"))
                        || others.contains(&format!("defaults::{name}"))
                }
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

fn closure(prepared: &BTreeMap<String, Value>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![start.to_owned()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(v) = prepared.get(&name) {
            let mut refs = BTreeSet::new();
            references(v, &mut refs);
            todo.extend(refs.into_iter().filter(|r| !seen.contains(r)));
        }
    }
    seen
}

fn smallest_failure(
    prepared: &BTreeMap<String, Value>,
    schemas: &BTreeMap<String, Schema>,
) -> Option<(Option<String>, String)> {
    let mut candidates: Vec<(String, BTreeSet<String>)> = prepared
        .keys()
        .map(|n| (n.clone(), closure(prepared, n)))
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
