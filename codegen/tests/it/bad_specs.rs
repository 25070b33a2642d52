//! Each broken spec under `tests/bad-specs/` (YAML and JSON) is refused with one located line:
//! file, line, JSON pointer, and what is wrong. The snapshots are the messages users read.

use asyncapi_codegen::{generate, Settings};

use crate::{files_in, CrateLoader};

#[test]
fn every_bad_spec_is_refused_with_a_located_message() {
    let mut specs = files_in("tests/bad-specs", "yaml");
    let json = files_in("tests/bad-specs", "json");
    assert!(json.len() >= 3, "{} JSON bad specs", json.len());
    specs.extend(json);
    assert!(specs.len() >= 24, "{} bad specs", specs.len());
    for path in specs {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let name = name.strip_suffix(".yaml").unwrap_or(&name).to_owned();
        let err = match generate(&CrateLoader, &path, &Settings::default()) {
            Ok(_) => panic!("{}: generated, but must be refused", path.display()),
            Err(e) => e,
        };
        let message = err.to_string();
        assert!(err.line().is_some(), "{name}: no line: {message}");
        assert!(
            message.starts_with(&path.display().to_string()),
            "{name}: the message must start with the file: {message}"
        );
        assert!(
            !message.contains("internal generator error"),
            "{name}: reached the panic guard: {message}"
        );
        insta::assert_snapshot!(name, message);
    }
}
