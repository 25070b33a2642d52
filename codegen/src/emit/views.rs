//! The `views` module: per message, a type that reads its payload in place, borrowing text from
//! the body, with the schema's checks written into its decoder.
//!
//! Written from the fast path's program of each message's standalone schema
//! (`asyncapi_schema::program`), so the checks a view makes are those the runtime's fast path
//! makes, and every `allOf` is already merged: one struct per merged object schema, named by its definition.
//! A part of a schema a view cannot check as it reads (a value of several types with rules of its
//! own, an object with both properties and a schema for other keys, a type met again inside
//! itself), or a message without a program at all (a union of objects, `not`), is kept as `Raw`
//! text, and the message's view is not `IN_ONE_PASS`: a body that holds such a part is judged by
//! the reference validator before the view reads it. Every message with a payload gets a view,
//! so every operation of one message, and every enum over messages, has a stream of views.
//! Each view struct also hands its members to its payload type's `Deserialize` (`rt::Members`,
//! `rt::ToPayload`): validated decodes build the payload from the view they read.

use std::collections::{BTreeMap, HashMap};

use asyncapi_schema::program::{self, types, Bound, Node, NodeId, Program};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::model::Spec;
use crate::naming::{pascal, snake, Namer};
use crate::SchemaFile;

use super::{plain_doc, sanitize_doc};

/// Why a value is not checked as it is read: it is kept as `Raw` text, checked by the reference
/// validator.
struct GiveUp;

/// What the docs of a value kept unchecked say.
const UNCHECKED: &str = "\n\nKept as JSON text (`rt::Raw`) the view does not check: its schema is \
    more than a view checks as it reads, so a body that holds it is judged by the reference \
    validator before the view reads it.";

/// The items of the module so far: structs by name, string rules by name.
#[derive(Clone, Default)]
struct Items {
    /// Each struct: the tokens that define it but for its name (to tell whether a second struct
    /// of the same name is the same), and the whole item.
    structs: BTreeMap<String, (String, TokenStream)>,
    /// Each rule's schema text, and its name.
    rules: BTreeMap<String, String>,
    names: Namer,
    /// Whether a bound with a fraction is written: the spec's number as it wrote it, which
    /// clippy may take for an approximate constant (`6.2831853`, a bound in radians, not τ).
    fractions: bool,
}

/// A value's Rust type and the expression that reads it (with `r`, the reader, in scope).
struct Typed {
    ty: TokenStream,
    read: TokenStream,
    /// A function that reads it, where there is one to name (a struct's `read`).
    function: Option<TokenStream>,
    borrows: bool,
    /// Whether the value is, or holds, text its view does not check.
    unchecked: bool,
    /// Whether it is a string with no checks of its own (read by `r.string()`).
    plain_string: bool,
}

impl Typed {
    fn new(ty: TokenStream, read: TokenStream, borrows: bool) -> Self {
        Self {
            ty,
            read,
            function: None,
            borrows,
            unchecked: false,
            plain_string: false,
        }
    }

    /// A value no view checks as it reads: any JSON, kept as its text.
    fn unchecked() -> Self {
        Self {
            unchecked: true,
            ..Self::new(quote!(rt::Raw<'a>), quote!(r.unchecked()), true)
        }
    }

    /// What reads it, as an argument: the function, or a closure.
    fn reader(&self) -> TokenStream {
        let read = &self.read;
        self.function.clone().unwrap_or(quote!(|r| #read))
    }
}

/// The messages (indexes into [`Spec::messages`]) that get a view, and whether each is read in
/// one pass.
pub(crate) fn viewed(spec: &Spec, schemas: &[SchemaFile]) -> Vec<(usize, bool)> {
    build(
        spec,
        &quote!(::asyncapi_runtime),
        schemas,
        &TokenStream::new(),
    )
    .1
}

/// The `views` module of a spec, or nothing when no message has a view; and the messages
/// (indexes into [`Spec::messages`]) that have one.
pub(crate) fn emit(
    spec: &Spec,
    runtime: &TokenStream,
    schemas: &[SchemaFile],
    gate: &TokenStream,
) -> (TokenStream, Vec<usize>) {
    let (tokens, viewed) = build(spec, runtime, schemas, gate);
    (tokens, viewed.into_iter().map(|(index, _)| index).collect())
}

fn build(
    spec: &Spec,
    runtime: &TokenStream,
    schemas: &[SchemaFile],
    gate: &TokenStream,
) -> (TokenStream, Vec<(usize, bool)>) {
    let mut viewed = Vec::new();
    let mut items = Items::default();
    // What the decoders name unqualified.
    for prelude in ["Ok", "Err", "Some", "None", "Option", "Result"] {
        items.names.reserve(prelude);
    }
    // The views of enums over messages take their enums' names.
    for dispatch in spec.operations.iter().filter_map(|op| op.dispatch.as_ref()) {
        items.names.reserve(&dispatch.name);
    }
    let mut impls = Vec::new();
    let mut infos = Vec::new();
    let mut view_types: HashMap<usize, TokenStream> = HashMap::new();
    // What a message without a program is read by: nothing its view checks.
    let unchecked = program::compile(&Value::Bool(true)).expect("`true` compiles");
    for (index, (message, file)) in spec.messages.iter().zip(schemas).enumerate() {
        let Some(payload) = &message.payload else {
            continue;
        };
        let Ok(schema) = serde_json::from_str::<Value>(&file.json) else {
            continue;
        };
        let compiled = program::compile(&schema);
        let mut builder = Builder {
            spec,
            program: compiled.as_ref().unwrap_or(&unchecked),
            schema: &schema,
            items,
            made: HashMap::new(),
            partial: false,
            building: Vec::new(),
        };
        let (name, borrows) = if compiled.is_ok() {
            builder.root(payload)
        } else {
            builder.wrapper(payload, Typed::unchecked())
        };
        let in_one_pass = !builder.partial;
        items = builder.items;
        let marker = format_ident!("{}", message.ident);
        let lifetime = borrows.then(|| quote!(<'a>));
        let name = format_ident!("{name}");
        viewed.push((index, in_one_pass));
        view_types.insert(index, quote!(#name #lifetime));
        infos.push(quote!(rt::ViewInfo::of::<super::messages::#marker>()));
        let one_pass = (!in_one_pass).then(|| {
            quote!(
                const IN_ONE_PASS: bool = false;
            )
        });
        impls.push(quote! {
            impl rt::MessageView for super::messages::#marker {
                type View<'a> = #name #lifetime;
                #one_pass
            }
        });
    }
    if impls.is_empty() {
        return (TokenStream::new(), viewed);
    }
    let (enums, operations) = operation_views(spec, runtime, &view_types);
    let rules = items.rules.iter().map(|(text, name)| {
        let name = format_ident!("{name}");
        let doc = plain_doc(&format!("`{text}`"));
        quote! {
            #doc
            static #name: rt::StringRule = rt::StringRule::new(#text);
        }
    });
    let structs = items.structs.values().map(|(_, item)| item);
    let doc = plain_doc(
        "Views of the payloads: each payload read in place, its strings borrowed from the body\n\
         (`Cow::Owned` only where the JSON string has escapes), checked against the message's schema\n\
         while it is read. Read one with `validate::view::<Message>(body)`; a property the body\n\
         leaves out is `None` (defaults are the payload types'), and `serde_json::to_value` of a view\n\
         decodes into its payload type.",
    );
    let fractions = items
        .fractions
        .then(|| quote!(#[allow(clippy::approx_constant)]));
    let tokens = quote! {
        #doc
        #gate
        #fractions
        pub mod views {
            use #runtime::view as rt;

            #(#structs)*

            #(#rules)*

            #(#impls)*

            #enums

            #operations

            /// Every message with a view, in spec order.
            pub const ALL: &[rt::ViewInfo] = &[#(#infos),*];
        }
    };
    (tokens, viewed)
}

/// The view of each enum over messages whose every message has a view; the operations whose
/// every message can be read in place ([`OperationView`](::asyncapi_runtime)), and those whose
/// reply is one message with a view (`ReplyView`).
fn operation_views(
    spec: &Spec,
    runtime: &TokenStream,
    view_types: &HashMap<usize, TokenStream>,
) -> (TokenStream, TokenStream) {
    let mut enums = BTreeMap::new();
    let mut operations = Vec::new();
    let markers = super::subjects::operation_markers(spec);
    for (op, op_ident) in spec.operations.iter().zip(&markers) {
        if let Some([m]) = op.reply.as_ref().map(|r| r.messages.as_slice()) {
            if view_types.contains_key(m) {
                let marker = format_ident!("{}", spec.messages[*m].ident);
                operations.push(quote! {
                    impl rt::ReplyView for super::operations::#op_ident {
                        type ReplyMessage = super::messages::#marker;
                    }
                });
            }
        }
        let (view, read) = match (&op.dispatch, op.messages.as_slice()) {
            (Some(d), _) => {
                let variants: Option<Vec<_>> = d
                    .variants
                    .iter()
                    .map(|(m, tag)| Some((&spec.messages[*m], tag, view_types.get(m)?)))
                    .collect();
                let Some(variants) = variants else { continue };
                let name = format_ident!("{}", d.name);
                enums
                    .entry(d.name.clone())
                    .or_insert_with(|| dispatch_view(&name, &d.tag, &variants, runtime));
                (quote!(#name<'a>), quote!(#name::read(body)))
            }
            (None, [m]) if view_types.contains_key(m) => {
                let marker = format_ident!("{}", spec.messages[*m].ident);
                (
                    quote!(<super::messages::#marker as rt::MessageView>::View<'a>),
                    quote!(#runtime::validate::view::<super::messages::#marker>(body)),
                )
            }
            _ => continue,
        };
        operations.push(quote! {
            impl rt::OperationView for super::operations::#op_ident {
                type View<'a> = #view;

                fn read_view(body: &[u8]) -> ::core::result::Result<Self::View<'_>, #runtime::validate::ValidationError> {
                    #read
                }
            }
        });
    }
    let enums = enums.into_values();
    (quote!(#(#enums)*), quote!(#(#operations)*))
}

/// The view of an enum over messages: the view of the message its tag names.
fn dispatch_view(
    name: &Ident,
    tag: &str,
    variants: &[(&crate::model::Message, &String, &TokenStream)],
    runtime: &TokenStream,
) -> TokenStream {
    let idents: Vec<Ident> = variants
        .iter()
        .map(|(m, _, _)| format_ident!("{}", m.ident))
        .collect();
    let types = variants.iter().map(|(_, _, ty)| ty);
    let values: Vec<&String> = variants.iter().map(|(_, v, _)| *v).collect();
    let variant_docs = variants.iter().map(|(m, v, _)| {
        plain_doc(&format!(
            "`{tag}` is `{v}`: the view of the [`{}`](super::messages::{}) message.",
            m.ident, m.ident
        ))
    });
    let doc = plain_doc(&format!(
        "[`{name}`](super::messages::{name}) read in place: the view of the message its `{tag}` names.\n\n\
         [`{name}::read`] finds `{tag}` without reading further, then reads the body as that message's view, \
         checking the message's schema in the same pass. A `{tag}` the spec does not know keeps the body as its JSON text."
    ));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        pub enum #name<'a> {
            #(
                #variant_docs
                #idents(#types),
            )*
            /// A message whose tag is none of the known ones, as its JSON text.
            Unknown(rt::Raw<'a>),
        }

        impl<'a> #name<'a> {
            /// The property that tells the messages apart.
            pub const TAG: &'static str = #tag;

            /// Reads `body` in place as the message its tag names, checked against that message's
            /// schema in the same pass; a body the read doubts gets the reference validator's
            /// report, every violation with its JSON pointer.
            pub fn read(body: &'a [u8]) -> ::core::result::Result<Self, #runtime::validate::ValidationError> {
                let body = rt::tag_in_place(body, Self::TAG)?;
                match body.tag() {
                    #(#values => body.view::<super::messages::#idents>().map(Self::#idents),)*
                    _ => body.unknown(Self::TAG).map(Self::Unknown),
                }
            }
        }
    }
}

struct Builder<'s> {
    spec: &'s Spec,
    program: &'s Program,
    schema: &'s Value,
    items: Items,
    /// The struct each object node became in this message: its name and whether it borrows.
    made: HashMap<NodeId, (String, bool)>,
    /// Whether a value was kept unchecked: the view is not read in one pass.
    partial: bool,
    /// The nodes whose values are being built, outermost first: one met again inside itself
    /// (an array of itself, a map of itself) is kept unchecked, not built without end.
    building: Vec<NodeId>,
}

impl Builder<'_> {
    fn node(&self, id: NodeId) -> &Node {
        &self.program.nodes[id as usize]
    }

    /// The root struct of a message: its name and whether it borrows.
    fn root(&mut self, payload: &str) -> (String, bool) {
        let id = self.program.root;
        let node = self.node(id);
        if node.types == types::OBJECT && !node.properties.is_empty() {
            self.building.push(id);
            let made = self.structure(id, payload);
            self.building.pop();
            if let Ok(made) = made {
                return made;
            }
        }
        // A payload that is a map, an array or a scalar (or an object no struct can hold): a
        // struct around its one value.
        let value = self.value(id, payload);
        self.wrapper(payload, value)
    }

    /// A struct around a payload's one value.
    fn wrapper(&mut self, payload: &str, value: Typed) -> (String, bool) {
        self.partial |= value.unchecked;
        let doc = value.unchecked.then(|| plain_doc(UNCHECKED.trim_start()));
        let lifetime = value.borrows.then(|| quote!(<'a>));
        let any_lifetime = value.borrows.then(|| quote!(<'_>));
        let (ty, read) = (&value.ty, &value.read);
        let render = |ident: &Ident| {
            quote! {
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
                pub struct #ident #lifetime(#doc pub #ty);

                impl<'a> rt::View<'a> for #ident #lifetime {
                    fn read(r: &mut rt::Reader<'a>) -> ::core::result::Result<Self, rt::Doubt> {
                        #read.map(Self)
                    }
                }

                impl rt::ToPayload for #ident #any_lifetime {
                    fn any<'de, V: ::serde::de::Visitor<'de>>(
                        &self,
                        visitor: V,
                    ) -> ::core::result::Result<V::Value, rt::Mismatch> {
                        rt::ToPayload::any(&self.0, visitor)
                    }

                    fn option<'de, V: ::serde::de::Visitor<'de>>(
                        &self,
                        visitor: V,
                    ) -> ::core::result::Result<V::Value, rt::Mismatch> {
                        rt::ToPayload::option(&self.0, visitor)
                    }

                    fn variant<'de, V: ::serde::de::Visitor<'de>>(
                        &self,
                        visitor: V,
                    ) -> ::core::result::Result<V::Value, rt::Mismatch> {
                        rt::ToPayload::variant(&self.0, visitor)
                    }
                }
            }
        };
        let name = self.add(pascal(payload), Some(payload), true, &render);
        (name, value.borrows)
    }

    /// A value of node `id`, `context` naming it where its schema has no name of its own: read
    /// and checked, or else kept unchecked.
    fn value(&mut self, id: NodeId, context: &str) -> Typed {
        let checked = if self.building.contains(&id) {
            Err(GiveUp)
        } else {
            self.building.push(id);
            let checked = self.checked(id, context);
            self.building.pop();
            checked
        };
        checked.unwrap_or_else(|GiveUp| {
            self.partial = true;
            Typed::unchecked()
        })
    }

    /// A value of node `id` read and checked. A value that cannot be adds nothing to the module
    /// before giving up.
    fn checked(&mut self, id: NodeId, context: &str) -> Result<Typed, GiveUp> {
        let node = self.node(id);
        let nullable = node.types & types::NULL != 0 && node.types != types::ANY;
        let bits = node.types & !types::NULL;
        let plain = self.plain(id, bits, context)?;
        Ok(if nullable && bits != 0 {
            let (ty, reader) = (&plain.ty, plain.reader());
            Typed {
                unchecked: plain.unchecked,
                ..Typed::new(
                    quote!(::core::option::Option<#ty>),
                    quote!(r.nullable(#reader)),
                    plain.borrows,
                )
            }
        } else {
            plain
        })
    }

    /// A value of node `id` that is not `null`.
    fn plain(&mut self, id: NodeId, bits: u8, context: &str) -> Result<Typed, GiveUp> {
        let node = self.node(id);
        let cow = quote!(::std::borrow::Cow<'a, str>);
        Ok(match bits {
            types::OBJECT if !node.properties.is_empty() => {
                let (name, borrows) = self.structure(id, context)?;
                let ident = format_ident!("{name}");
                let ty = if borrows {
                    quote!(#ident<'a>)
                } else {
                    quote!(#ident)
                };
                let function = quote!(<#ty as rt::View<'a>>::read);
                Typed {
                    read: quote!(#function(r)),
                    function: Some(function),
                    ty,
                    borrows,
                    // What a struct leaves unchecked its fields' docs say.
                    unchecked: false,
                    plain_string: false,
                }
            }
            types::OBJECT if node.additional == program::ANY => raw(types::OBJECT),
            types::OBJECT if node.additional == program::NEVER => return Err(GiveUp),
            types::OBJECT => {
                let additional = node.additional;
                let item = self.value(additional, &format!("{context} value"));
                let (ty, reader) = (&item.ty, item.reader());
                // Strings with no checks of their own have a read of their own.
                let read = if item.plain_string {
                    quote!(r.string_map())
                } else {
                    quote!(r.map(#reader))
                };
                Typed {
                    unchecked: item.unchecked,
                    ..Typed::new(quote!(rt::Map<'a, #ty>), read, true)
                }
            }
            types::ARRAY => {
                let (min, max, items) = (node.min_items, node.max_items, node.items);
                let checks = count_check(quote!(items.len()), min, max)?;
                let item = self.value(items, &format!("{context} item"));
                let (ty, reader) = (&item.ty, item.reader());
                let read = if checks.is_none() {
                    quote!(r.array(#reader))
                } else {
                    quote!({
                        let items = r.array(#reader)?;
                        r.check(#checks)?;
                        Ok(items)
                    })
                };
                Typed {
                    unchecked: item.unchecked,
                    ..Typed::new(quote!(::std::vec::Vec<#ty>), read, item.borrows)
                }
            }
            types::STRING => {
                let checks = self.string_checks(id)?;
                if checks.is_empty() {
                    Typed {
                        plain_string: true,
                        ..Typed::new(cow, quote!(r.string()), true)
                    }
                } else {
                    let read = quote!({
                        let s = r.string()?;
                        r.check(#(#checks)&&*)?;
                        Ok(s)
                    });
                    Typed::new(cow, read, true)
                }
            }
            types::INTEGER => integer(node)?,
            types::NUMBER => {
                let number = number(node)?;
                self.items.fractions |= node
                    .minimum
                    .iter()
                    .chain(&node.maximum)
                    .any(|b| b.value.as_f64().is_some_and(|f| f.fract() != 0.0));
                number
            }
            types::BOOL => {
                let read = match node.one_of_values.as_deref() {
                    None => quote!(r.boolean()),
                    Some([Value::Bool(true)]) => {
                        quote!(r.boolean().and_then(|b| r.check(b).map(|()| b)))
                    }
                    Some([Value::Bool(false)]) => {
                        quote!(r.boolean().and_then(|b| r.check(!b).map(|()| b)))
                    }
                    Some(_) => return Err(GiveUp),
                };
                Typed::new(quote!(bool), read, false)
            }
            // Several types, or none: the text, when nothing else is asserted of it.
            _ => {
                // Every field named: a rule added to `Node` does not compile here until it is
                // counted (or said to be covered by another).
                let Node {
                    types: _,
                    one_of_values,
                    minimum,
                    maximum,
                    min_length,
                    max_length,
                    strings,
                    // Set exactly when one of the string rules above is.
                    string_rules: _,
                    items,
                    min_items,
                    max_items,
                    properties,
                    // Derived from `properties`.
                    index: _,
                    required,
                    additional,
                    // A name, not a rule.
                    definition: _,
                } = node;
                // An integer type without `number`: its bounds are checked below.
                let integer_only = bits & types::NUMBER == types::INTEGER;
                let asserts_more = one_of_values.is_some()
                    || (!integer_only && (!minimum.is_empty() || !maximum.is_empty()))
                    || min_length.is_some()
                    || max_length.is_some()
                    || !strings.is_empty()
                    || !properties.is_empty()
                    || *required != 0
                    || *items != program::ANY
                    || min_items.is_some()
                    || max_items.is_some()
                    || (bits & types::OBJECT != 0 && *additional != program::ANY);
                if asserts_more || bits == 0 {
                    return Err(GiveUp);
                }
                // The payload type's integer (typify's choice by the bounds, i64 without them)
                // takes less than JSON Schema's (`1.0`, `-0`, past 64 bits), so the text is held
                // to it.
                if integer_only {
                    let (low, high) = integer_range(node)?;
                    let ty = integer_type(low, high);
                    let bits = Literal::u8_unsuffixed(node.types);
                    let check = match integer_bounds(low, high) {
                        Some(check) => quote!(|n| #check),
                        None => quote!(|_| true),
                    };
                    Typed::new(
                        quote!(rt::Raw<'a>),
                        quote!(r.raw_integer_fitting::<#ty>(#bits, #check)),
                        true,
                    )
                } else {
                    raw(node.types)
                }
            }
        })
    }

    fn string_checks(&mut self, id: NodeId) -> Result<Vec<TokenStream>, GiveUp> {
        let node = self.node(id);
        let mut checks = Vec::new();
        if let Some(values) = &node.one_of_values {
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            if values.is_empty() {
                return Err(GiveUp);
            }
            checks.push(quote!(matches!(&*s, #(#values)|*)));
        }
        checks.extend(count_check(
            quote!(s.chars().count()),
            node.min_length,
            node.max_length,
        )?);
        let strings = node.strings.clone();
        for i in strings {
            let schema = &self.program.string_schemas[i as usize];
            let text = schema.to_string();
            let name = match self.items.rules.get(&text) {
                Some(name) => name.clone(),
                None => {
                    // Named for the format, the one word of a rule a reader knows it by.
                    let base = match (
                        schema.get("format").and_then(Value::as_str),
                        schema.get("pattern"),
                    ) {
                        (Some(format), None) => snake(format),
                        (Some(format), Some(_)) => format!("{}_pattern", snake(format)),
                        (None, _) => "pattern".to_owned(),
                    }
                    .to_uppercase();
                    // `ALL` is the module's list of views.
                    let taken: Vec<&str> = self
                        .items
                        .rules
                        .values()
                        .map(String::as_str)
                        .chain(["ALL"])
                        .collect();
                    let name = std::iter::once(base.clone())
                        .chain((2..).map(|n| format!("{base}_{n}")))
                        .find(|n| !taken.contains(&n.as_str()))
                        .unwrap_or(base);
                    self.items.rules.insert(text, name.clone());
                    name
                }
            };
            let name = format_ident!("{name}");
            checks.push(quote!(#name.accepts(&s)));
        }
        Ok(checks)
    }

    /// The struct of object node `id`: its name and whether it borrows.
    fn structure(&mut self, id: NodeId, context: &str) -> Result<(String, bool), GiveUp> {
        if let Some(made) = self.made.get(&id) {
            return Ok(made.clone());
        }
        let node = self.node(id);
        // A schema for keys the struct has no field for would go unchecked.
        if node.additional != program::ANY && node.additional != program::NEVER {
            return Err(GiveUp);
        }
        // A key that may not be there and must be: no body is valid.
        let impossible = node
            .properties
            .iter()
            .enumerate()
            .any(|(i, p)| p.node == program::NEVER && node.required & (1 << i) != 0);
        if impossible {
            return Err(GiveUp);
        }
        let definition = node.definition.as_deref().map(str::to_owned);
        let closed = node.additional == program::NEVER;
        let required = node.required;
        let properties: Vec<(String, NodeId)> = node
            .properties
            .iter()
            .map(|p| (p.name.to_string(), p.node))
            .collect();
        // Nothing below gives up: the struct is made, its values checked or kept unchecked.
        let wires: Vec<String> = properties.iter().map(|(wire, _)| wire.clone()).collect();
        // Merged with a schema beside it that adds properties, a struct is more than its
        // definition: it is named for where it is.
        let whole = definition
            .as_deref()
            .is_none_or(|d| self.names_all(d, &wires));
        let base = match &definition {
            Some(name) if id != self.program.root && whole => pascal(name),
            _ => pascal(context),
        };

        let mut fields = Vec::new();
        let mut field_names = Namer::new();
        // The decoder's locals are named for the fields, but for the names it uses itself.
        let mut locals = Namer::new();
        for own in ["r", "key", "member", "others"] {
            locals.reserve(own);
        }
        let mut slots = Vec::new();
        let mut arms = Vec::new();
        let mut inits = Vec::new();
        let mut borrows = false;
        // The members as a payload type reads them (`rt::Members`).
        let mut names = Vec::new();
        let mut present = Vec::new();
        let mut always = Vec::new();
        let mut given = Vec::new();
        for (i, (wire, child)) in properties.iter().enumerate() {
            if *child == program::NEVER {
                let index = Literal::usize_unsuffixed(i);
                arms.push(quote!(rt::Member::Field(#index) => Err(rt::Doubt)));
                continue;
            }
            let field = format_ident!("{}", field_names.unique(snake(wire)));
            let value = self.value(*child, &format!("{base} {wire}"));
            borrows |= value.borrows;
            let (ty, reader) = (value.ty.clone(), value.reader());
            let is_required = required & (1 << i) != 0;
            let mut attrs = Vec::new();
            if field != wire.as_str() {
                attrs.push(quote!(#[serde(rename = #wire)]));
            }
            // Absent is `None`; a nullable property given as `null` is `Some(None)`: payload
            // types tell the two apart where the property has a default.
            let field_ty = if is_required {
                ty
            } else {
                attrs.push(
                    quote!(#[serde(skip_serializing_if = "::core::option::Option::is_none")]),
                );
                quote!(::core::option::Option<#ty>)
            };
            let mut doc = match self.describe(definition.as_deref(), wire) {
                Some(text) => sanitize_doc(&text),
                None => format!("`{wire}`."),
            };
            if value.unchecked {
                doc.push_str(UNCHECKED);
            }
            let doc = plain_doc(&doc);
            fields.push(quote! {
                #doc
                #(#attrs)*
                pub #field: #field_ty,
            });
            let member = Literal::usize_unsuffixed(names.len());
            names.push(wire.clone());
            if is_required {
                always.push(names.len() - 1);
                given.push(quote!(#member => rt::give(&self.#field, seed)));
            } else {
                present.push(quote!(#member => self.#field.is_some()));
                given.push(quote!(#member => rt::give_present(&self.#field, seed)));
            }
            let local = format_ident!("{}", locals.unique(field.to_string()));
            slots.push(quote!(let mut #local = None;));
            let index = Literal::usize_unsuffixed(i);
            arms.push(quote!(rt::Member::Field(#index) => r.field(&mut #local, #reader)));
            inits.push(if is_required {
                quote!(#field: r.required(#local)?)
            } else if local == field {
                quote!(#field)
            } else {
                quote!(#field: #local)
            });
        }
        let (others, other_arm) = if closed {
            (quote!(), quote!(rt::Member::Other(_) => Err(rt::Doubt)))
        } else {
            (
                quote!(let mut others = rt::Keys::default();),
                quote!(rt::Member::Other(key) => r.other(&mut others, key)),
            )
        };
        let count = Literal::usize_unsuffixed(wires.len());
        let indexes: Vec<Literal> = (0..wires.len()).map(Literal::usize_unsuffixed).collect();
        let lifetime = borrows.then(|| quote!(<'a>));
        let any_lifetime = borrows.then(|| quote!(<'_>));
        let has = match (present.is_empty(), always.is_empty()) {
            (true, _) => quote!(i < Self::NAMES.len()),
            (false, true) => quote!(match i {
                #(#present,)*
                _ => false,
            }),
            (false, false) => {
                let always = runs(&always);
                quote!(match i {
                    #(#present,)*
                    #(#always)|* => true,
                    _ => false,
                })
            }
        };
        let give = if given.is_empty() {
            quote!({
                let _ = (i, seed);
                Err(::serde::de::Error::custom("the struct has no members"))
            })
        } else {
            quote!(match i {
                #(#given,)*
                _ => Err(::serde::de::Error::custom("no such member")),
            })
        };
        let render = |name: &Ident| {
            quote! {
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
                pub struct #name #lifetime {
                    #(#fields)*
                }

                impl rt::ToPayload for #name #any_lifetime {
                    fn any<'de, V: ::serde::de::Visitor<'de>>(
                        &self,
                        visitor: V,
                    ) -> ::core::result::Result<V::Value, rt::Mismatch> {
                        rt::visit_members(self, visitor)
                    }
                }

                impl rt::Members for #name #any_lifetime {
                    const NAMES: &'static [&'static str] = &[#(#names),*];

                    fn has(&self, i: usize) -> bool {
                        #has
                    }

                    fn give<'de, S: ::serde::de::DeserializeSeed<'de>>(
                        &self,
                        i: usize,
                        seed: S,
                    ) -> ::core::result::Result<S::Value, rt::Mismatch> {
                        #give
                    }
                }

                impl<'a> rt::View<'a> for #name #lifetime {
                    fn read(r: &mut rt::Reader<'a>) -> ::core::result::Result<Self, rt::Doubt> {
                        static FIELDS: rt::Fields<#count> = rt::Fields::new(
                            [#(#wires),*],
                            |key| match key {
                                #(#wires => Some(#indexes),)*
                                _ => None,
                            },
                        );
                        #(#slots)*
                        #others
                        r.fields(&FIELDS, |r, member| match member {
                            #(#arms,)*
                            #other_arm,
                            rt::Member::Field(_) => Err(rt::Doubt),
                        })?;
                        Ok(Self {
                            #(#inits,)*
                        })
                    }
                }
            }
        };
        let name = self.add(base, definition.as_deref(), whole, &render);
        self.made.insert(id, (name.clone(), borrows));
        Ok((name, borrows))
    }

    /// Adds the struct `render` writes, documented, and returns its name: `base`, unless a struct
    /// of that name that is not the same but for the name is taken (then `base2`...).
    fn add(
        &mut self,
        base: String,
        definition: Option<&str>,
        whole: bool,
        render: &dyn Fn(&Ident) -> TokenStream,
    ) -> String {
        let body = render(&format_ident!("View")).to_string();
        let name = match self.items.structs.get(&base) {
            Some((existing, _)) if *existing == body => return base,
            _ => self.items.names.unique(base),
        };
        let doc = self.doc(&name, definition, whole);
        let code = render(&format_ident!("{name}"));
        self.items
            .structs
            .insert(name.clone(), (body, quote!(#doc #code)));
        name
    }

    /// A struct's documentation: the payload type it views (all of it, when `whole`), and the
    /// definition's description.
    fn doc(&self, name: &str, definition: Option<&str>, whole: bool) -> TokenStream {
        let owned = [name.to_owned()]
            .into_iter()
            .chain(definition.map(pascal))
            .find(|n| self.spec.definitions.contains_key(n));
        let mut doc = match &owned {
            Some(t) if whole => format!("[`{t}`](super::types::{t}), read in place."),
            Some(t) => format!(
                "[`{t}`](super::types::{t}), read in place, with the properties the schema around \
                 it adds."
            ),
            None => format!("The view of `{name}`."),
        };
        if let Some(text) = definition.and_then(|d| self.description(d)) {
            doc.push_str("\n\n");
            doc.push_str(&sanitize_doc(&text));
        }
        plain_doc(&doc)
    }

    /// The description of a definition.
    fn description(&self, definition: &str) -> Option<String> {
        self.schema
            .get("$defs")?
            .get(definition)?
            .get("description")?
            .as_str()
            .map(str::to_owned)
    }

    /// A definition's schema and those its `allOf`s list and its `$ref`s name, transitively
    /// (the first 64, in the order they are written).
    fn parts(&self, definition: &str) -> Vec<&Value> {
        let Some(defs) = self.schema.get("$defs") else {
            return Vec::new();
        };
        let mut parts = Vec::new();
        let mut todo: Vec<&Value> = defs.get(definition).into_iter().collect();
        while let Some(schema) = todo.pop() {
            if parts.len() == 64 {
                break;
            }
            parts.push(schema);
            if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
                if let Some(name) = target.strip_prefix("#/$defs/") {
                    todo.extend(defs.get(name));
                }
            }
            if let Some(all_of) = schema.get("allOf").and_then(Value::as_array) {
                todo.extend(all_of.iter().rev());
            }
        }
        parts
    }

    /// The description of a property of a definition, from the first of its parts that has one.
    fn describe(&self, definition: Option<&str>, property: &str) -> Option<String> {
        self.parts(definition?).into_iter().find_map(|schema| {
            schema
                .get("properties")?
                .get(property)?
                .get("description")?
                .as_str()
                .map(str::to_owned)
        })
    }

    /// Whether a definition's parts name every one of these properties.
    fn names_all(&self, definition: &str, properties: &[String]) -> bool {
        let parts = self.parts(definition);
        properties.iter().all(|property| {
            parts.iter().any(|schema| {
                schema
                    .get("properties")
                    .and_then(|p| p.get(property))
                    .is_some()
            })
        })
    }
}

/// Indexes (ascending) as patterns: each run of three or more consecutive ones as a range.
fn runs(indexes: &[usize]) -> Vec<TokenStream> {
    let mut patterns = Vec::new();
    let mut rest = indexes;
    while let Some(&first) = rest.first() {
        let len = rest
            .iter()
            .enumerate()
            .take_while(|&(k, &i)| i == first + k)
            .count();
        let (low, high) = (
            Literal::usize_unsuffixed(first),
            Literal::usize_unsuffixed(first + len - 1),
        );
        // Two are written as two; three and more as a range, as clippy asks.
        if len < 3 {
            patterns.extend(rest[..len].iter().map(|&i| {
                let i = Literal::usize_unsuffixed(i);
                quote!(#i)
            }));
        } else {
            patterns.push(quote!(#low..=#high));
        }
        rest = &rest[len..];
    }
    patterns
}

/// The check of a count (`len`: an expression of type `usize`) against `minLength`/`maxLength`
/// or `minItems`/`maxItems`. A bound past `u32::MAX` (no body NATS carries has so many) gives up
/// rather than write a literal a 32-bit `usize` cannot hold.
fn count_check(
    len: TokenStream,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<Option<TokenStream>, GiveUp> {
    let literal = |n: u64| {
        u32::try_from(n)
            .map(Literal::u32_unsuffixed)
            .map_err(|_| GiveUp)
    };
    // A least count of 0 says nothing.
    let min = min.filter(|&n| n > 0).map(literal).transpose()?;
    let max = max.map(literal).transpose()?;
    Ok(match (min, max) {
        (Some(min), Some(max)) => Some(quote!((#min..=#max).contains(&#len))),
        (Some(min), None) => Some(quote!(#len >= #min)),
        (None, Some(max)) => Some(quote!(#len <= #max)),
        (None, None) => None,
    })
}

/// Any JSON value of the given types, as its text.
fn raw(bits: u8) -> Typed {
    let bits = Literal::u8_unsuffixed(bits);
    Typed::new(quote!(rt::Raw<'a>), quote!(r.raw(#bits)), true)
}

/// The least and greatest integer a node's bounds allow (`None`: unbounded that way).
fn integer_range(node: &Node) -> Result<(Option<i128>, Option<i128>), GiveUp> {
    fn exact(bound: &Bound, lower: bool) -> Result<i128, GiveUp> {
        let n = &bound.value;
        let whole = n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from));
        let step = i128::from(bound.exclusive);
        Ok(match whole {
            Some(b) if lower => b + step,
            Some(b) => b - step,
            None => {
                let f = n.as_f64().ok_or(GiveUp)?;
                if f.is_nan() || f.abs() >= (1u64 << 53) as f64 {
                    return Err(GiveUp);
                }
                let (floor, ceil) = (f.floor() as i128, f.ceil() as i128);
                match (lower, bound.exclusive) {
                    (true, false) => ceil,
                    (true, true) => floor + 1,
                    (false, false) => floor,
                    (false, true) => ceil - 1,
                }
            }
        })
    }
    let low = node
        .minimum
        .iter()
        .map(|b| exact(b, true))
        .collect::<Result<Vec<_>, _>>()?;
    let high = node
        .maximum
        .iter()
        .map(|b| exact(b, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((low.into_iter().max(), high.into_iter().min()))
}

/// The integer type a payload type has for these bounds, by typify's rule: the type whose range
/// the bounds name exactly (one of them is enough), `u64` for a least value of 1 (typify's
/// `NonZeroU64`, which takes what `u64` takes from 1 up), and `i64` otherwise. The view must take
/// exactly what the payload type takes, so it follows the same rule.
fn integer_type(low: Option<i128>, high: Option<i128>) -> TokenStream {
    // Most to least restrictive; typify looks from the end.
    let types: [(TokenStream, i128, i128); 8] = [
        (quote!(i8), i8::MIN.into(), i8::MAX.into()),
        (quote!(u8), u8::MIN.into(), u8::MAX.into()),
        (quote!(i16), i16::MIN.into(), i16::MAX.into()),
        (quote!(u16), u16::MIN.into(), u16::MAX.into()),
        (quote!(i32), i32::MIN.into(), i32::MAX.into()),
        (quote!(u32), u32::MIN.into(), u32::MAX.into()),
        (quote!(i64), i64::MIN.into(), i64::MAX.into()),
        (quote!(u64), u64::MIN.into(), u64::MAX.into()),
    ];
    let found = types.iter().rev().find(|(_, min, max)| match (low, high) {
        (Some(1), _) => true,
        (Some(l), Some(h)) => l == *min && h == *max,
        (Some(l), None) => l == *min,
        (None, Some(h)) => h == *max,
        (None, None) => false,
    });
    found.map_or(quote!(i64), |(ty, _, _)| ty.clone())
}

/// The check of an integer `n` against the least and greatest it may be, if either is bounded.
fn integer_bounds(low: Option<i128>, high: Option<i128>) -> Option<TokenStream> {
    match (
        low.map(Literal::i128_unsuffixed),
        high.map(Literal::i128_unsuffixed),
    ) {
        (Some(l), Some(h)) => Some(quote!((#l..=#h).contains(&n))),
        (Some(l), None) => Some(quote!(n >= #l)),
        (None, Some(h)) => Some(quote!(n <= #h)),
        (None, None) => None,
    }
}

fn integer(node: &Node) -> Result<Typed, GiveUp> {
    let (low, high) = integer_range(node)?;
    let ty = integer_type(low, high);
    let mut checks: Vec<TokenStream> = integer_bounds(low, high).into_iter().collect();
    if let Some(values) = &node.one_of_values {
        let values = values
            .iter()
            .map(|v| {
                v.as_i64()
                    .map(i128::from)
                    .or_else(|| v.as_u64().map(i128::from))
                    .map(Literal::i128_unsuffixed)
                    .ok_or(GiveUp)
            })
            .collect::<Result<Vec<_>, _>>()?;
        checks.push(quote!(matches!(n, #(#values)|*)));
    }
    let read = if checks.is_empty() {
        quote!(r.integer().and_then(|n| r.fit(n)))
    } else {
        quote!({
            let n = r.integer()?;
            r.check(#(#checks)&&*)?;
            r.fit(n)
        })
    };
    Ok(Typed::new(ty, read, false))
}

fn number(node: &Node) -> Result<Typed, GiveUp> {
    if node.one_of_values.is_some() {
        return Err(GiveUp);
    }
    let mut comparisons = Vec::new();
    for (bounds, lower) in [(&node.minimum, true), (&node.maximum, false)] {
        for bound in bounds {
            let b = bound.value.as_f64().ok_or(GiveUp)?;
            if b.is_nan() || b.abs() >= (1u64 << 53) as f64 {
                return Err(GiveUp);
            }
            comparisons.push((lower, bound.exclusive, Literal::f64_unsuffixed(b)));
        }
    }
    // An inclusive lower bound and an upper one read as a range.
    let range = comparisons
        .iter()
        .position(|(lower, exclusive, _)| *lower && !exclusive)
        .zip(comparisons.iter().position(|(lower, _, _)| !lower));
    let mut checks = Vec::new();
    if let Some((l, h)) = range {
        let (low, (_, exclusive, high)) = (&comparisons[l].2, &comparisons[h]);
        checks.push(if *exclusive {
            quote!((#low..#high).contains(&x))
        } else {
            quote!((#low..=#high).contains(&x))
        });
    }
    for (i, (lower, exclusive, b)) in comparisons.iter().enumerate() {
        if range.is_some_and(|(l, h)| i == l || i == h) {
            continue;
        }
        checks.push(match (lower, exclusive) {
            (true, false) => quote!(x >= #b),
            (true, true) => quote!(x > #b),
            (false, false) => quote!(x <= #b),
            (false, true) => quote!(x < #b),
        });
    }
    let read = if checks.is_empty() {
        quote!(r.number())
    } else {
        quote!({
            let x = r.number()?;
            r.check(#(#checks)&&*)?;
            Ok(x)
        })
    };
    Ok(Typed::new(quote!(f64), read, false))
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_of_three_or_more_indexes_are_written_as_ranges() {
        let written = |indexes: &[usize]| {
            runs(indexes)
                .iter()
                .map(|p| p.to_string().replace(' ', ""))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        assert_eq!(written(&[0, 1, 2, 4, 6, 7]), "0..=2 | 4 | 6 | 7");
        assert_eq!(written(&[3]), "3");
        assert_eq!(written(&[1, 2, 3, 4, 9, 10, 11]), "1..=4 | 9..=11");
        assert_eq!(written(&[]), "");
    }
}
