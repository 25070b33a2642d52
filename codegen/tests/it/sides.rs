//! Both sides of every operation: for each operation of every fixture and of both wasmCloud
//! specs, the generated NATS code has a method that sends its messages (a client's request or
//! publish) and one that receives them (a responder's method, or a client's subscription), on
//! whichever side of the application the spec describes they belong.
//!
//! An operation on a wildcard channel (`>`, `*`) is a subscription to many subjects: it is
//! received as such, and sent through the operations of its messages' own channels when each has
//! one (the events on `wasmbus.evt.{lattice}.>`); otherwise nothing can be published on it.

use std::path::Path;

use asyncapi_codegen::{
    generate, method_name_problems, read_spec, sides, MemoryLoader, Settings, Views,
};

use crate::{crate_dir, CrateLoader};

fn specs() -> Vec<String> {
    let mut out = vec![
        "../specs/control-interface.yaml".to_owned(),
        "../specs/lattice-events.yaml".to_owned(),
        "tests/fixtures/as-received/control-interface.yaml".to_owned(),
    ];
    let mut fixtures: Vec<String> = std::fs::read_dir(crate_dir().join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            crate_dir()
                .join("tests/fixtures")
                .join(name)
                .join("spec.yaml")
                .is_file()
        })
        .map(|name| format!("tests/fixtures/{name}/spec.yaml"))
        .collect();
    fixtures.sort();
    out.extend(fixtures);
    out
}

#[test]
fn every_operation_has_both_sides() {
    let mut gaps = Vec::new();
    let mut seen = 0;
    for path in specs() {
        let spec = read_spec(&CrateLoader, Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        println!("{path}");
        for (op, s) in spec.operations.iter().zip(sides(&spec)) {
            let show = |m: &Option<asyncapi_codegen::SideMethod>| {
                m.as_ref().map_or("-".to_owned(), ToString::to_string)
            };
            println!(
                "  {:<28} {:<44} {}",
                s.operation,
                show(&s.start),
                show(&s.end)
            );
            seen += 1;
            let wildcard = spec.channels[op.channel].template.is_wildcard();
            if s.end.is_none() {
                gaps.push(format!("{path}: {}: nothing receives it", s.operation));
            }
            if s.start.is_none() && (!wildcard || op.dispatch.is_some()) {
                gaps.push(format!("{path}: {}: nothing sends it", s.operation));
            }
        }
    }
    assert!(seen >= 80, "{seen} operations");
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));
}

/// The method names keep the generator's rules (a `snake_case` identifier, unique on its side, no
/// counter unless a name is truly taken, no word twice unless the spec says it) for every fixture,
/// both wasmCloud specs, and the rules' own fixture of names that collide.
#[test]
fn every_method_name_is_readable() {
    let mut problems = Vec::new();
    for path in specs() {
        let spec = read_spec(&CrateLoader, Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        problems.extend(
            method_name_problems(&spec)
                .into_iter()
                .map(|p| format!("{path}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A request's `…_in_place` method is named after every other method, so an operation named like
/// it keeps its own name, with the views on or off; and it exists only with the views on.
#[test]
fn in_place_methods_take_no_name_from_another_operation() {
    let fixture =
        std::fs::read_to_string(crate_dir().join("tests/fixtures/nats-3.0/spec.yaml")).unwrap();
    let (start, end) = (
        fixture.find("  setTemperature:\n").unwrap(),
        fixture.find("  changeMode:\n").unwrap(),
    );
    let copy = fixture[start..end].replace("setTemperature:", "setTemperatureInPlace:");
    let spec_text = format!("{}{copy}{}", &fixture[..end], &fixture[end..]);
    let mut loader = MemoryLoader::new();
    loader.insert("spec.yaml", spec_text);
    let path = Path::new("spec.yaml");

    let spec = read_spec(&loader, path).unwrap();
    let sides = sides(&spec);
    let method = |id: &str| {
        let s = sides.iter().find(|s| s.operation == id).unwrap();
        s.start.as_ref().unwrap().method.clone()
    };
    assert_eq!(method("setTemperature"), "set_temperature");
    assert_eq!(method("setTemperatureInPlace"), "set_temperature_in_place");

    for views in [Views::Off, Views::Always] {
        let on = views == Views::Always;
        let code = generate(&loader, path, &Settings::default().with_views(views))
            .unwrap()
            .code;
        assert!(code.contains("pub async fn set_temperature_in_place("));
        // The first operation's reply read in place, named past the second's request.
        assert_eq!(
            code.contains("pub async fn set_temperature_in_place2("),
            on,
            "views on: {on}"
        );
        assert_eq!(
            code.contains("pub async fn set_temperature_in_place_in_place("),
            on
        );
    }
}
