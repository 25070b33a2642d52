//! Hostile specs: each gives code or a clear error (naming its file and, where there is one, the
//! JSON pointer), never a panic, within bounded time and memory.
//!
//! Every case runs on a fresh thread with Rust's default 2 MiB stack, so deep recursion shows as a
//! failure here rather than only on the main thread's larger stack. The time bound is a hang
//! guard, generous enough for a loaded CI machine; speed itself is measured by benchmarks.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use asyncapi_codegen::{generate, Error, ErrorKind, MemoryLoader, Output, Settings, Views};

const HANG_GUARD: Duration = Duration::from_secs(300);

/// Peak resident memory of this process, in bytes (Linux reports it; elsewhere nothing).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Generates `files[0]` (the others are reachable by relative `$ref`), views and all, on a 2 MiB
/// stack, failing on a hang; memory stays under 2 GiB for the whole process.
fn run(files: &[(&str, String)]) -> Result<Output, Error> {
    let mut loader = MemoryLoader::new();
    for (path, text) in files {
        loader.insert(path, text.clone());
    }
    let root = files[0].0.to_owned();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let settings = Settings::default()
                .with_runtime_path("::wasmcloud_protocol::runtime")
                .with_views(Views::Always);
            let _ = tx.send(generate(&loader, Path::new(&root), &settings));
        })
        .unwrap();
    let result = rx
        .recv_timeout(HANG_GUARD)
        .unwrap_or_else(|e| panic!("no answer within {HANG_GUARD:?} (or the thread died): {e}"));
    if let Some(peak) = peak_rss() {
        assert!(peak < 2 << 30, "peak memory {} MiB", peak >> 20);
    }
    result
}

fn spec(channels: &str, components: &str) -> String {
    format!(
        "asyncapi: 2.6.0\ninfo:\n  title: Hostile\n  version: 1.0.0\nchannels:\n{channels}\ncomponents:\n{components}\n"
    )
}

/// One channel publishing the component message `M` (whose payload the caller defines).
fn with_payload(payload_yaml: &str) -> String {
    spec(
        "  c:\n    publish:\n      operationId: send\n      message:\n        $ref: '#/components/messages/M'",
        &format!("  messages:\n    M:\n      payload:\n{payload_yaml}"),
    )
}

/// Asserts a clear error: not a caught panic, names its file, and says what it is about.
#[track_caller]
fn clear_error(result: Result<Output, Error>, file: &str, says: &str) -> Error {
    let e = match result {
        Ok(_) => panic!("expected an error about {says:?}"),
        Err(e) => e,
    };
    let text = e.to_string();
    assert!(
        !text.contains("internal generator error"),
        "a panic: {text}"
    );
    assert_eq!(e.file(), Path::new(file), "{text}");
    assert!(text.starts_with(file), "{text}");
    assert!(
        text.to_lowercase().contains(&says.to_lowercase()),
        "{text:?} does not say {says:?}"
    );
    e
}

#[test]
fn empty_and_non_documents_are_clear_errors() {
    for (text, says) in [
        ("", "must be an object"),
        ("   \n# only a comment\n", "must be an object"),
        ("null", "must be an object"),
        ("[]", "must be an object"),
        ("42", "must be an object"),
        ("{}", "asyncapi"),
        ("asyncapi: 2.6.0\n", "info"),
        (
            "asyncapi: 2.6.0\ninfo: {title: t, version: '1'}\n",
            "channels",
        ),
        ("asyncapi: 3.2.0\ninfo: {title: t, version: '1'}\n", "3.2.0"),
        ("asyncapi: 3.0.0\n", "info"),
        ("asyncapi: 1.2.0\n", "1.2.0"),
        ("asyncapi: 2.6.0\ninfo: [\n", "yaml"),
        ("\u{feff}\u{0}\u{1}", "yaml"),
    ] {
        let e = clear_error(run(&[("spec.yaml", text.to_owned())]), "spec.yaml", says);
        assert!(
            !e.to_string().is_empty(),
            "{text:?} gave an error without words"
        );
    }
}

#[test]
fn yaml_alias_bombs_are_refused_before_they_expand() {
    // A billion laughs: ten aliases per level, nine levels, 10^9 strings once expanded.
    let mut bomb = String::from("    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "    l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
        ));
    }
    let text = with_payload(&format!("        type: object\n        x-bomb:\n{bomb}"));
    clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "repetition limit");

    // Merge keys amplify too: every level merges the one below twice.
    let mut merges = String::from("  m0: &m0 {a: 1}\n");
    for i in 1..40 {
        let p = i - 1;
        merges.push_str(&format!("  m{i}: &m{i} {{<<: [*m{p}, *m{p}], k{i}: 1}}\n"));
    }
    let text = format!(
        "asyncapi: 2.6.0\ninfo: {{title: t, version: '1'}}\nchannels: {{}}\nx-merges:\n{merges}"
    );
    clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "repetition limit");
}

#[test]
fn deeply_nested_documents_are_refused() {
    // Far beyond any real spec, in flow style (which the YAML parser takes quadratic time over).
    let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    let text = with_payload(&format!("        type: object\n        x-deep: {deep}"));
    let e = clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "nested more than");
    assert_eq!(e.line(), Some(16), "{e}");
    // Deeper than YAML allows, in every other style.
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let text = with_payload(&format!("        type: object\n        x-deep: {deep}"));
    clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "recursion limit");
    let mut block = String::from("        type: object\n        x-deep:\n");
    for level in 0..300 {
        block.push_str(&format!("{}k{level}:\n", "  ".repeat(5 + level)));
    }
    clear_error(
        run(&[("spec.yaml", with_payload(&block))]),
        "spec.yaml",
        "recursion limit",
    );
    let list = format!(
        "        type: object\n        x-deep: {}x\n",
        "- ".repeat(100_000)
    );
    clear_error(run(&[("spec.yaml", with_payload(&list))]), "spec.yaml", "");
}

#[test]
fn deeply_nested_schemas_generate() {
    // Nested objects, as deep as YAML lets a schema go: code.
    let levels = 40;
    let mut payload = String::new();
    for level in 0..levels {
        let pad = "  ".repeat(4 + 2 * level);
        payload.push_str(&format!(
            "{pad}type: object\n{pad}properties:\n{pad}  level{level}:\n"
        ));
    }
    payload.push_str(&format!("{}type: string\n", "  ".repeat(5 + 2 * levels)));
    let out = run(&[("spec.yaml", with_payload(&payload))]).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.code.contains("pub level39:"), "the innermost field");
}

#[test]
fn long_chains_of_schemas_generate() {
    // A chain of 2,000 named schemas, each holding the next: deep in types, shallow in YAML.
    let n = 2_000;
    let mut schemas = String::from("  schemas:\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("{{$ref: '#/components/schemas/S{}'}}", i + 1)
        } else {
            "{type: string}".to_owned()
        };
        schemas.push_str(&format!(
            "    S{i}:\n      type: object\n      properties:\n        next: {next}\n"
        ));
    }
    let text = spec(
        "  c:\n    publish:\n      operationId: send\n      message:\n        $ref: '#/components/messages/M'",
        &format!("  messages:\n    M:\n      payload:\n        $ref: '#/components/schemas/S0'\n{schemas}"),
    );
    let out = run(&[("spec.yaml", text)]).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.code.contains("pub struct S1999"), "the last schema");
}

/// `n` channels, each with a parameter and a subscribe operation.
fn channels(n: usize) -> String {
    let mut channels = String::new();
    for i in 0..n {
        channels.push_str(&format!(
            "  fleet.{{region}}.truck{i}:\n    parameters:\n      region: {{$ref: '#/components/parameters/region'}}\n    subscribe:\n      operationId: receive{i}\n      message: {{$ref: '#/components/messages/Position'}}\n"
        ));
    }
    spec(
        &channels,
        "  parameters:\n    region:\n      schema: {type: string}\n  messages:\n    Position:\n      payload:\n        type: object\n        properties:\n          lat: {type: number}",
    )
}

#[test]
fn ten_thousand_channels_are_refused_for_size() {
    let e = clear_error(
        run(&[("spec.yaml", channels(10_000))]),
        "spec.yaml",
        "10000 channels",
    );
    assert_eq!(e.pointer(), "/channels");
    assert!(matches!(e.kind(), ErrorKind::Limit(_)), "{e}");
}

#[test]
fn as_many_channels_as_a_module_holds_generate() {
    let n = asyncapi_codegen::MAX_CHANNELS;
    let out = run(&[("spec.yaml", channels(n))]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.spec.channels.len(), n);
    let last = n - 1;
    assert!(out.code.contains(&format!("Truck{last}Subject<'a>")));
    assert!(out.code.contains(&format!("pub struct Receive{last};")));
}

#[test]
fn ref_cycles_are_refused_naming_the_ref() {
    // A schema that is only a reference to itself, or to another that refers back.
    for components in [
        "  schemas:\n    A: {$ref: '#/components/schemas/A'}",
        "  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}",
    ] {
        let text = spec(
            "  c:\n    publish:\n      operationId: send\n      message:\n        payload: {$ref: '#/components/schemas/A'}",
            components,
        );
        let e = clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "cycle");
        assert!(
            e.pointer().starts_with("/components/schemas/")
                || e.pointer().starts_with("/channels/"),
            "{e}"
        );
    }

    // A message that is a reference to itself.
    let text = spec(
        "  c:\n    publish:\n      operationId: send\n      message: {$ref: '#/components/messages/M'}",
        "  messages:\n    M: {$ref: '#/components/messages/M'}",
    );
    clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "cycle");

    // Across files: a.yaml -> b.yaml -> a.yaml.
    let text = with_payload("        $ref: 'a.yaml#/A'\n");
    let e = clear_error(
        run(&[
            ("spec.yaml", text),
            ("a.yaml", "A: {$ref: 'b.yaml#/B'}\n".to_owned()),
            ("b.yaml", "B: {$ref: 'a.yaml#/A'}\n".to_owned()),
        ]),
        "a.yaml",
        "cycle",
    );
    assert_eq!(e.pointer(), "/A/$ref");

    // Recursion through a property is a legitimate recursive type, not a cycle.
    let out = run(&[(
        "spec.yaml",
        spec(
            "  c:\n    publish:\n      operationId: send\n      message:\n        payload: {$ref: '#/components/schemas/Tree'}",
            "  schemas:\n    Tree:\n      type: object\n      properties:\n        children:\n          type: array\n          items: {$ref: '#/components/schemas/Tree'}\n        parent: {$ref: '#/components/schemas/Tree'}",
        ),
    )])
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.code.contains("pub struct Tree"));

    // A list of itself and a map of itself, no struct between: their views keep the value met
    // again as text, where building them recursed until the stack overflowed.
    for schema in [
        "      type: array\n      items: {$ref: '#/components/schemas/P'}",
        "      type: object\n      additionalProperties: {$ref: '#/components/schemas/P'}",
    ] {
        let out = run(&[(
            "spec.yaml",
            spec(
                "  c:\n    publish:\n      operationId: send\n      message:\n        name: M\n        payload: {$ref: '#/components/schemas/P'}",
                &format!("  schemas:\n    P:\n{schema}"),
            ),
        )])
        .unwrap_or_else(|e| panic!("{schema}: {e}"));
        assert_eq!(
            asyncapi_codegen::messages_with_views(&out),
            [("M", false)],
            "{schema}"
        );
        assert!(out.code.contains("r.unchecked()"), "{schema}");
    }
}

#[test]
fn names_that_cannot_be_subject_tokens_or_rust_names_are_located_errors() {
    // AsyncAPI parameter names are `^[A-Za-z0-9_-]+$`.
    let text = spec(
        "  'a.{région}':\n    parameters:\n      région: {schema: {type: string}}\n    publish:\n      operationId: send\n      message: {payload: {type: string}}",
        "  schemas: {}",
    );
    let e = clear_error(run(&[("spec.yaml", text)]), "spec.yaml", "région");
    assert_eq!(e.pointer(), "/channels/a.{région}");

    // Enum values that only differ in case become the same Rust variant.
    let e = clear_error(
        run(&[(
            "spec.yaml",
            with_payload("        type: string\n        enum: [ok, OK, Ok]\n"),
        )]),
        "spec.yaml",
        "unique variant names",
    );
    assert_eq!(e.pointer(), "/components/messages/M/payload");
    assert!(matches!(e.kind(), ErrorKind::Unsupported(_)), "{e}");

    // Names that convert to the same Rust name are kept apart (the `names` fixture compiles too).
    let text = spec(
        "  a-b:\n    publish:\n      operationId: a-b\n      message: {name: a-b, payload: {type: string}}\n  a_b:\n    publish:\n      operationId: a_b\n      message: {name: a_b, payload: {type: string}}\n  A.B:\n    publish:\n      operationId: AB\n      message: {name: AB, payload: {type: string}}",
        "  schemas: {}",
    );
    let out = run(&[("spec.yaml", text)]).unwrap_or_else(|e| panic!("{e}"));
    // Channels without parameters have unit subject types.
    for name in ["ABSubject;", "AB2Subject;", "AB3Subject;"] {
        assert!(
            out.code.contains(&format!("pub struct {name}")),
            "{name}\n{}",
            out.code
        );
    }
    let files: std::collections::BTreeSet<_> =
        out.schemas.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(files.len(), 3, "{files:?}");
}

#[test]
fn schema_file_names_stay_distinct_on_case_insensitive_file_systems() {
    let text = spec(
        "  a:\n    publish:\n      operationId: a\n      message: {name: Event, payload: {type: string}}\n  b:\n    publish:\n      operationId: b\n      message: {name: event, payload: {type: string}}\n  c:\n    publish:\n      operationId: c\n      message: {name: 'event?', payload: {type: string}}\n  d:\n    publish:\n      operationId: d\n      message: {name: 名前, payload: {type: string}}\n  e:\n    publish:\n      operationId: e\n      message: {name: CON, payload: {type: string}}",
        "  schemas: {}",
    );
    let out = run(&[("spec.yaml", text)]).unwrap_or_else(|e| panic!("{e}"));
    let files: Vec<&str> = out.schemas.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        files,
        [
            "spec/Event.json",
            "spec/event-2.json",
            "spec/event_.json",
            "spec/名前.json",
            "spec/_CON.json"
        ]
    );
}

/// Schemas (found by `mutations.rs`) on which typify recursed until the stack overflowed,
/// which aborts the process, or panicked: each now gives code or a located error.
#[test]
fn schemas_that_sent_typify_into_endless_recursion_or_a_panic() {
    let cases: &[(&str, Option<&str>)] = &[
        // A schema that is an allOf of itself: a cycle of composition.
        (
            r##"{"Other":{"items":{"allOf":[{"format":"date-time","type":"string"},{"$ref":"#/components/schemas/Position"},true]},"type":"array"},"Position":{"allOf":[{"$ref":"#/components/schemas/Position"}]}}"##,
            Some("cycle"),
        ),
        // A nested allOf leading back to its own definition: hoisted into a definition, so it
        // terminates.
        (
            r##"{"Other":{"type":"string"},"Position":{"additionalProperties":{"allOf":[{"enum":[null,0.0,true]},{"$ref":"#/components/schemas/Position"}]},"type":"object"}}"##,
            None,
        ),
        (
            r##"{"Other":{"type":"string"},"Position":{"type":"object","properties":{"kid":{"allOf":[{"$ref":"#/components/schemas/Position"},{"type":"object","properties":{"extra":{"type":"string"}}}]}}}}"##,
            None,
        ),
        // allOf merges that come back to themselves.
        (
            r##"{"Other":{"allOf":[true,{"$ref":"#/components/schemas/Position"},{"additionalProperties":{"$ref":"#/components/schemas/Other"},"type":"object"}]},"Position":{"additionalProperties":{"oneOf":[{"$ref":"#/components/schemas/Position"},{"format":"int32","type":"integer"}]},"type":"object"}}"##,
            Some("never finish"),
        ),
        (
            r##"{"Other":{"type":"string"},"Position":{"allOf":[{"additionalProperties":false,"properties":{"":{"format":"uuid","type":"string"},"A":{"type":["string","null"]}},"type":"object"},{"additionalProperties":{"$ref":"#/components/schemas/Position"},"type":"object"}]}}"##,
            Some("never finish"),
        ),
        (
            r##"{"Other":{"additionalProperties":false,"properties":{"self":{"allOf":[{"$ref":"#/components/schemas/Other"},{"additionalProperties":{},"type":"object"},{"$ref":"#/components/schemas/Position"}]}},"type":"object"},"Position":{"type":"object"}}"##,
            Some("never finish"),
        ),
        // typify panics ("not yet implemented", "unreachable", an assertion), avoided by
        // simplifying the copy typify sees.
        (
            r##"{"Other":{"anyOf":[{"additionalProperties":false,"properties":{"a":{"type":["string","null"]}},"required":["self"],"type":"object"},{"const":true}]},"Position":{"type":"string"}}"##,
            None,
        ),
        (
            r##"{"Other":{"type":"string"},"Position":{"anyOf":[false]}}"##,
            None,
        ),
        (
            r##"{"Other":{"type":"string"},"Position":{"oneOf":[true,{"anyOf":[{},{"const":"h"}]}]}}"##,
            None,
        ),
    ];
    for (schemas, expected) in cases {
        let text = format!(
            r##"{{"asyncapi":"2.6.0","info":{{"title":"t","version":"1"}},"channels":{{"c":{{"publish":{{"operationId":"send","message":{{"payload":{{"$ref":"#/components/schemas/Position"}}}}}},"subscribe":{{"operationId":"get","message":{{"payload":{{"$ref":"#/components/schemas/Other"}}}}}}}}}},"components":{{"schemas":{schemas}}}}}"##
        );
        match (run(&[("spec.yaml", text)]), expected) {
            (Ok(_), None) => {}
            (Err(e), Some(says)) => {
                let text = e.to_string();
                assert!(!text.contains("internal generator error"), "{text}");
                assert!(
                    text.contains(says),
                    "{schemas}: {text:?} does not say {says:?}"
                );
                assert!(e.pointer().starts_with("/components/schemas/"), "{text}");
            }
            (Ok(_), Some(says)) => panic!("{schemas}: generated, expected {says:?}"),
            (Err(e), None) => panic!("{schemas}: {e}"),
        }
    }
}
