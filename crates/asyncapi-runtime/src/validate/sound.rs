//! The fast path's promise for any schema, not only the generated ones: it never vouches for a
//! value the reference validator refuses. Schemas are drawn from the keywords the fast path
//! compiles, composed with `allOf`, `$ref` (recursive ones too), `additionalProperties`, the
//! `anyOf`/`oneOf` of a schema and `null`, and the `anyOf`/`oneOf` of typed branches (unions of
//! types: those that share a type or have rules for other types too have no program), over
//! keys chosen to share lengths and first and last bytes (so that they share slots and words);
//! values from the scalars those schemas name, in arrays and objects of those keys.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{compile_reference, fast, program};

/// Keys alike in length, first and last bytes, and keys past 16 bytes that differ only in their
/// middle.
const KEYS: &[&str] = &[
    "",
    "a",
    "b",
    "ab",
    "ba",
    "aab",
    "aba",
    "abcd",
    "abce",
    "aaaa",
    "aaaac",
    "abbbc",
    "abbbbe",
    "abcdefgh",
    "abcdefgi",
    "bbcdefgh",
    "abcdefghijklmnop",
    "abcdefghijklmnoq",
    "abcdefghijklmnopq",
    "abcdefghXjklmnopq",
    "min_instances",
    "max_instances",
    "\u{e9}",
    "a\u{e9}",
];

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(KEYS).prop_map(str::to_owned)
}

/// Strings of the shapes the drawn `pattern`s and `format`s take, or nearly.
const STRINGS: &[&str] = &[
    "",
    "a",
    "ab",
    "b",
    "aab",
    "abb",
    "2024-01-22T20:13:22Z",
    "2024-01-22T20:13:22.5Z",
    "2024-01-22T20:13:60Z",
    "2023-02-29T20:13:22Z",
    "67e55044-10b1-426f-9247-bb680e5fe0c8",
    "67e55044-10b1-426f-9247-bb680e5fe0c",
    "2024-01-22",
    "20:13:22.5Z",
    "10.0.0.1",
    "10.0.0.256",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..4).prop_map(Value::from),
        Just(json!(1.0)),
        Just(json!(2.5)),
        prop::sample::select(STRINGS).prop_map(Value::from),
    ]
}

/// One keyword and its value; `inner` draws subschemas.
fn keyword(inner: BoxedStrategy<Value>) -> impl Strategy<Value = (String, Value)> {
    const TYPES: &[&str] = &[
        "null", "boolean", "integer", "number", "string", "array", "object",
    ];
    let kw = |k: &'static str| move |v: Value| (k.to_owned(), v);
    prop_oneof![
        prop::sample::select(TYPES).prop_map(|t| ("type".to_owned(), json!(t))),
        prop::sample::subsequence(TYPES, 1..3).prop_map(|ts| ("type".to_owned(), json!(ts))),
        prop::collection::vec(scalar(), 0..4).prop_map(|mut vs| {
            vs.dedup();
            ("enum".to_owned(), Value::Array(vs))
        }),
        scalar().prop_map(kw("const")),
        (
            prop::sample::select(
                &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"][..]
            ),
            prop::sample::select(vec![json!(0), json!(1), json!(2), json!(1.5)]),
        )
            .prop_map(|(k, v)| (k.to_owned(), v)),
        (
            prop::sample::select(&["minLength", "maxLength", "minItems", "maxItems"][..]),
            0u64..3
        )
            .prop_map(|(k, n)| (k.to_owned(), json!(n))),
        // Some of a shape with a quick yes (`asyncapi_schema::quick`), some not.
        prop::sample::select(
            &[
                "^a",
                "b$",
                "^.$",
                "^a+$",
                "^[ab]{1,2}$",
                "^(ab)?b$",
                "^a?a?b$"
            ][..]
        )
        .prop_map(|p| ("pattern".to_owned(), json!(p))),
        prop::sample::select(&["date-time", "uuid", "date", "time", "ipv4"][..])
            .prop_map(|f| ("format".to_owned(), json!(f))),
        inner.clone().prop_map(kw("items")),
        (
            prop::collection::btree_map(key(), inner.clone(), 1..4),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(props, pick)| {
                let names: Vec<&String> = props.keys().collect();
                let required = json!([names[pick.index(names.len())]]);
                let props: Map<String, Value> = props.into_iter().collect();
                (
                    "properties".to_owned(),
                    json!({"properties": props, "required": required}),
                )
            }),
        inner.clone().prop_map(kw("additionalProperties")),
        prop::collection::vec(inner.clone(), 1..3).prop_map(|all| ("allOf".to_owned(), json!(all))),
        // What frameworks write for an optional value, either way round, and as a `oneOf`.
        (
            prop::sample::select(&["anyOf", "oneOf"][..]),
            inner,
            any::<bool>()
        )
            .prop_map(|(k, branch, first)| {
                let none = json!({"type": "null", "title": "None"});
                let branches = if first {
                    json!([branch, none])
                } else {
                    json!([none, branch])
                };
                (k.to_owned(), branches)
            }),
        prop::sample::select(&["#/$defs/d0", "#/$defs/d1"][..])
            .prop_map(|r| ("$ref".to_owned(), json!(r))),
    ]
}

/// A union of types as frameworks write one: two or three branches, each a `type` (drawn so
/// that branches often share none) and up to two more keywords.
fn union(inner: BoxedStrategy<Value>) -> impl Strategy<Value = (String, Value)> {
    const TYPES: &[&str] = &[
        "null", "boolean", "integer", "number", "string", "array", "object",
    ];
    let branch = (
        prop::sample::select(TYPES),
        prop::collection::vec(keyword(inner), 0..3),
    )
        .prop_map(|(t, mut keywords)| {
            keywords.retain(|(k, _)| k != "type");
            keywords.insert(0, ("type".to_owned(), json!(t)));
            object(keywords)
        });
    (
        prop::sample::select(&["anyOf", "oneOf"][..]),
        prop::collection::vec(branch, 2..4),
    )
        .prop_map(|(k, branches)| (k.to_owned(), Value::Array(branches)))
}

/// A schema: `true`, `false`, or an object of up to four keywords.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        1 => any::<bool>().prop_map(Value::Bool),
        4 => prop::collection::vec(keyword(Just(json!({})).boxed()), 0..3).prop_map(object),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        let inner = inner.boxed();
        let keywords = prop_oneof![
            4 => keyword(inner.clone()),
            1 => union(inner),
        ];
        prop_oneof![
            1 => any::<bool>().prop_map(Value::Bool),
            6 => prop::collection::vec(keywords, 0..4).prop_map(object),
        ]
    })
}

/// A schema object of keywords; `properties` arrives with its `required` and is spread out.
fn object(keywords: Vec<(String, Value)>) -> Value {
    let mut map = Map::new();
    for (k, v) in keywords {
        if k == "properties" {
            map.insert("properties".into(), v["properties"].clone());
            map.insert("required".into(), v["required"].clone());
        } else {
            map.insert(k, v);
        }
    }
    Value::Object(map)
}

/// A document: a root schema with the two definitions `$ref`s may name.
fn document() -> impl Strategy<Value = Value> {
    (schema(), schema(), schema()).prop_map(|(root, d0, d1)| {
        let mut root = match root {
            Value::Object(map) => map,
            other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
        };
        root.insert("$defs".into(), json!({"d0": d0, "d1": d1}));
        Value::Object(root)
    })
}

fn instance() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_fast_path_vouches_for_nothing_the_reference_validator_refuses(
        schema in document(),
        instances in prop::collection::vec(instance(), 1..16),
    ) {
        let (Ok(program), Ok(reference)) = (program::compile(&schema), compile_reference(&schema))
        else {
            // A schema without a program always takes the reference validator.
            return Ok(());
        };
        for instance in instances {
            let valid = reference.is_valid(&instance);
            let on_value = fast::accepts(&program, &instance);
            prop_assert!(!on_value || valid, "{schema} vouches for {instance}");

            let text = instance.to_string();
            let on_bytes = fast::decode::<Value>(&program, &text).is_some();
            prop_assert!(!on_bytes || valid, "{schema} vouches for the bytes {text}");
        }
    }
}
