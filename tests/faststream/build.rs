//! Exports the order service's AsyncAPI document with FastStream's own command (`faststream docs
//! gen`), in both versions FastStream writes (3.0 and 2.6), and generates a module from each with
//! the overlay that says what the export cannot: `orders_v3` and `orders_v26`.
//!
//! FastStream is the one `cargo xtask setup` installs in `tests/tools/.venv` (or `$FASTSTREAM`).

use std::path::{Path, PathBuf};
use std::process::Command;

use asyncapi_codegen::{build, generate, method_name_problems, FsLoader, Settings, Views};

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let faststream = std::env::var_os("FASTSTREAM")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("../tools/.venv/bin/faststream"));
    println!("cargo:rerun-if-changed=orders.py");
    println!("cargo:rerun-if-changed=../tools/requirements.txt");
    println!("cargo:rerun-if-env-changed=FASTSTREAM");
    for (version, module, overlay) in [
        ("3.0.0", "orders_v3", "overlay-3.0.yaml"),
        ("2.6.0", "orders_v26", "overlay-2.6.yaml"),
    ] {
        let doc = out.join(format!("{module}.yaml"));
        export(&faststream, &dir, version, &doc);
        let settings = Settings::default()
            .with_spec_id(module)
            .with_overlay(dir.join(overlay))
            .with_views(Views::Always);
        if let Err(e) = build::generate_to(&doc, &out, &settings) {
            panic!("{e}");
        }
        // What breaks the generator's naming rules, for the tests to hold to none.
        let spec = generate(&FsLoader, &doc, &settings)
            .unwrap_or_else(|e| panic!("{e}"))
            .spec;
        let problems = method_name_problems(&spec).join("\n");
        std::fs::write(out.join(format!("{module}.name-problems")), problems)
            .expect("the name problems are written");
    }
}

/// Writes the export to `doc`, touching it only when its text changed (Cargo reruns this script
/// when it changes).
fn export(faststream: &Path, dir: &Path, version: &str, doc: &Path) {
    let fresh = doc.with_extension("export.yaml");
    let out = Command::new(faststream)
        .args(["docs", "gen", "orders:app", "--yaml", "--out"])
        .arg(&fresh)
        .current_dir(dir)
        .env("ASYNCAPI_VERSION", version)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run `cargo xtask setup` once (`cargo xtask test` does it too)",
                faststream.display()
            )
        });
    assert!(
        out.status.success(),
        "faststream docs gen failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read(&fresh).expect("faststream wrote the export");
    if std::fs::read(doc).ok().as_deref() != Some(&text[..]) {
        std::fs::write(doc, &text).expect("the export is written");
    }
}
