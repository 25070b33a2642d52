//! The fuzz targets' properties (`workspace_tests::props`) under proptest, so every `cargo test`
//! exercises them, and every input the fuzzers ever crashed on (`tests/fuzz-regressions/<target>/`)
//! replayed.
//!
//! The inputs are real subjects and payloads (the golden events, commands and replies) with random
//! edits, which reach much deeper than random bytes would.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Value};
use workspace_tests::props;

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";

/// Real `(subject, payload)` pairs: every golden event, and commands and replies of the control
/// interface.
fn seeds() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/events");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let kind = event["type"]
            .as_str()
            .unwrap()
            .rsplit('.')
            .next()
            .unwrap()
            .to_owned();
        out.push((format!("wasmbus.evt.default.{kind}"), event));
    }
    let ctl = |rest: &str| format!("wasmbus.ctl.v1.default.{rest}");
    out.extend([
        (
            ctl(&format!("component.scale.{HOST}")),
            json!({"component_ref": "ghcr.io/x/y:1", "component_id": "y", "host_id": HOST, "count": 5, "annotations": {"a": "b"}, "config": ["c"], "allow_update": true}),
        ),
        (
            ctl("link.put"),
            json!({"source_id": "a", "target": "b", "name": "default", "wit_namespace": "wasi", "wit_package": "http", "interfaces": ["incoming-handler"], "source_config": [], "target_config": []}),
        ),
        (
            ctl("host.ping"),
            json!({"success": true, "message": "", "response": {"id": HOST, "labels": {}, "friendly_name": "x", "version": "1.9.0", "uptime_human": "1s", "uptime_seconds": 1, "lattice": "default"}}),
        ),
        (ctl("config.put.cfg"), json!({"key": "value"})),
        (ctl("link.get"), json!({"success": false, "message": "no", "response": null})),
    ]);
    out
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "default",
            HOST,
            "1970-01-01T00:00:00Z",
            "2024-02-30T25:00:00Z",
            "00000000-0000-0000-0000-000000000000",
            "com.wasmcloud.lattice.host_heartbeat",
            "1.0",
            "application/json",
            "a.b",
            "*",
            ">",
            "名前",
        ])
        .prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
        Just(json!({})),
        Just(json!([])),
    ]
}

/// Every JSON pointer of `doc`.
fn pointers(doc: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match doc {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    for (token, v) in children {
        let child = format!("{at}/{token}");
        out.push(child.clone());
        pointers(v, child, out);
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(prop::sample::Index, Value),
    Remove(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), leaf()).prop_map(|(i, v)| Edit::Replace(i, v)),
        any::<prop::sample::Index>().prop_map(Edit::Remove),
    ]
}

fn apply(doc: &mut Value, edit: &Edit) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    if all.is_empty() {
        return;
    }
    match edit {
        Edit::Replace(i, v) => {
            if let Some(target) = doc.pointer_mut(&all[i.index(all.len())]) {
                *target = v.clone();
            }
        }
        Edit::Remove(i) => {
            let p = &all[i.index(all.len())];
            let (parent, last) = p.rsplit_once('/').unwrap();
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&last.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(items)) => {
                    if let Ok(n) = last.parse::<usize>() {
                        items.remove(n);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A real payload with edits, sometimes as text with a byte changed or a key repeated.
fn payload() -> impl Strategy<Value = (String, Vec<u8>)> {
    let seeds = seeds();
    (
        prop::sample::select(seeds),
        prop::collection::vec(edit(), 0..3),
        prop::option::of((any::<prop::sample::Index>(), any::<u8>())),
        any::<bool>(),
    )
        .prop_map(|((subject, mut doc), edits, flip, repeat_key)| {
            for e in &edits {
                apply(&mut doc, e);
            }
            let mut body = serde_json::to_vec(&doc).unwrap();
            if repeat_key && body.first() == Some(&b'{') && body.len() > 2 {
                // The first member again, with another value: `{"a":1,...}` -> `{"a":null,"a":1,...}`.
                if let Some(Value::Object(map)) = Some(&doc) {
                    if let Some(key) = map.keys().next() {
                        let extra = format!("{}:null,", serde_json::to_string(key).unwrap());
                        body.splice(1..1, extra.into_bytes());
                    }
                }
            }
            if let Some((at, byte)) = flip {
                if !body.is_empty() {
                    let i = at.index(body.len());
                    body[i] = byte;
                }
            }
            (subject, body)
        })
}

fn subject() -> impl Strategy<Value = String> {
    let real: Vec<String> = seeds().into_iter().map(|(s, _)| s).collect();
    let tokens = prop::sample::select(vec![
        "", "*", ">", "a b", "default", "acme", "ctl", "v1", "wasmbus", "evt", HOST, "ACCT",
        "prod-eu", "é", "a\u{0}b", "\t",
    ]);
    (
        prop::sample::select(real),
        prop::collection::vec((any::<prop::sample::Index>(), tokens, 0..3u8), 0..3),
    )
        .prop_map(|(subject, edits)| {
            let mut parts: Vec<String> = subject.split('.').map(str::to_owned).collect();
            for (at, token, how) in edits {
                let i = at.index(parts.len() + 1);
                match how {
                    0 => parts.insert(i, token.to_owned()),
                    1 if i < parts.len() => parts[i] = token.to_owned(),
                    _ if i < parts.len() && parts.len() > 1 => {
                        parts.remove(i);
                    }
                    _ => {}
                }
            }
            parts.join(".")
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn router(subject in subject()) {
        props::router(subject.as_bytes());
        // With the prefixes the router knows, too.
        props::router(format!("acme.ctl.{}", subject.strip_prefix("wasmbus.ctl.").unwrap_or(&subject)).as_bytes());
        props::router(format!("ACCT.{subject}").as_bytes());
    }

    #[test]
    fn validate_by_subject((subject, body) in payload()) {
        let mut data = subject.into_bytes();
        data.push(b'\n');
        data.extend_from_slice(&body);
        props::validate_by_subject(&data);
    }

    #[test]
    fn typed_decode((_, body) in payload()) {
        props::typed_decode(&body);
    }

    #[test]
    fn fast_path_agrees((_, body) in payload()) {
        props::fast_path_agrees(&body);
    }

    #[test]
    fn arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..256)) {
        props::router(&data);
        props::validate_by_subject(&data);
        props::typed_decode(&data);
        props::fast_path_agrees(&data);
    }
}

/// Every input a fuzzer crashed on, replayed through its target's property.
#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz-regressions");
    let mut replayed = 0;
    for (target, check) in [
        ("router", props::router as fn(&[u8])),
        ("validate_by_subject", props::validate_by_subject),
        ("typed_decode", props::typed_decode),
        ("fast_path_agrees", props::fast_path_agrees),
    ] {
        // A target with no findings has no folder (git keeps no empty ones).
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            check(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no regression inputs found under {}",
        root.display()
    );
}
