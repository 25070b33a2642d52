//! The two readers agree: the wasmCloud specs said in AsyncAPI 3.0
//! (`tests/fixtures/wasmcloud-3.0/`) generate the modules and schemas of the 2.6 specs in `specs/`.

use asyncapi_codegen::{generate, Output, Settings};

use crate::CrateLoader;

fn generated(path: &str, id: &str) -> Output {
    let settings = Settings::default()
        .with_spec_id(id)
        .with_nats_feature("nats");
    generate(&CrateLoader, path.as_ref(), &settings).unwrap_or_else(|e| panic!("{e}"))
}

/// The one line of a module that states the version it was read from.
fn without_version(code: &str, version: &str) -> String {
    let line = format!("pub const ASYNCAPI_VERSION: &str = \"{version}\";");
    assert_eq!(
        code.matches(&line).count(),
        1,
        "{line} is in the module once"
    );
    code.replace(&line, "")
}

#[test]
fn the_3_0_translations_of_the_wasmcloud_specs_generate_the_2_6_modules() {
    for id in ["control-interface", "lattice-events"] {
        let v2 = generated(&format!("../specs/{id}.yaml"), id);
        let v3 = generated(&format!("tests/fixtures/wasmcloud-3.0/{id}.yaml"), id);
        assert_eq!(v2.spec.asyncapi, "2.6.0");
        assert_eq!(v3.spec.asyncapi, "3.0.0");
        let (code2, code3) = (
            without_version(&v2.code, "2.6.0"),
            without_version(&v3.code, "3.0.0"),
        );
        if code2 != code3 {
            let diff = similar::TextDiff::from_lines(&code2, &code3)
                .unified_diff()
                .header("2.6", "3.0")
                .to_string();
            panic!("{id}: the 3.0 translation generates another module:\n{diff}");
        }
        assert_eq!(v2.schemas, v3.schemas, "{id}: the exported schemas differ");
        assert!(v3.spec.operations.len() >= 10, "{id} has its operations");
        assert!(v3.warnings.is_empty());
    }
}
