//! The official AsyncAPI parser (`@asyncapi/parser`, pinned in `tests/tools`) judges every
//! document the project has: the specs, every generator fixture, every bad spec and the specs as
//! received. The generator refuses what the parser finds an error in, at the same place or a more
//! precise one and with a line; it generates what the parser accepts, or refuses it as
//! unsupported. Where it deliberately does otherwise, the README's table says so and why, and
//! this test knows exactly that table (`xtask::parser`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use asyncapi_codegen::{generate, FsLoader, Settings};
use xtask::parser::{compare, judge, listed, unlisted};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

/// Every AsyncAPI document of the project, relative to the workspace root.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut add = |dir: &str, keep: &dyn Fn(&Path) -> bool| {
        let entries = std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| keep(p))
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        found.sort();
        out.extend(found);
    };
    let document = |p: &Path| p.extension().is_some_and(|e| e == "yaml" || e == "json");
    add("specs", &document);
    add("codegen/tests/fixtures/as-received", &document);
    add("codegen/tests/bad-specs", &document);
    add("codegen/tests/lenient", &document);
    add("codegen/tests/fixtures", &|p: &Path| {
        p.join("spec.yaml").is_file()
    });
    out.into_iter()
        .map(|p| {
            if root.join(&p).is_dir() {
                p.join("spec.yaml")
            } else {
                p
            }
        })
        .collect()
}

#[test]
fn the_generator_agrees_with_the_official_parser_on_every_document() {
    let root = root();
    let docs = documents(&root);
    assert!(docs.len() >= 40, "{} documents", docs.len());
    let absolute: Vec<PathBuf> = docs.iter().map(|d| root.join(d)).collect();
    let judgements = judge(
        &workspace_tests::tools::dir(),
        &absolute,
        Duration::from_secs(20),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let mut found = Vec::new();
    let mut judged = BTreeSet::new();
    for ((doc, path), judgement) in docs.iter().zip(&absolute).zip(&judgements) {
        let name = doc.display().to_string();
        let ours = generate(&FsLoader, path, &Settings::default());
        if judgement.judged() {
            judged.insert(name.clone());
        }
        println!(
            "{name}\n  parser:    {}\n  generator: {}",
            judgement.summary(),
            match &ours {
                Ok(out) if out.warnings.is_empty() => "generated".to_owned(),
                Ok(out) => format!("generated, {} warning(s)", out.warnings.len()),
                Err(e) => e.to_string(),
            }
        );
        found.extend(compare(&name, judgement, ours.as_ref().map(|_| ())));
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let listed = listed(&readme).unwrap_or_else(|e| panic!("README: {e}"));
    let failures = unlisted(&found, &listed, &judged);
    assert!(
        failures.is_empty(),
        "{} of {} documents:\n{}",
        failures.len(),
        docs.len(),
        failures.join("\n")
    );
}
