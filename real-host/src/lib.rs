//! What the interop suite makes at run time for a real host: the `real-host` process itself,
//! components (empty, or signed with claims) and provider archives, all as files the host loads
//! from `file://` references.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use nkeys::KeyPair;
use wascap::jwt::{Claims, Component};

/// A component that exports one function, `ping: func()`, which does nothing:
///
/// ```wat
/// (component
///   (core module $m (func (export "ping")))
///   (core instance $i (instantiate $m))
///   (func (export "ping") (canon lift (core func $i "ping"))))
/// ```
///
/// The host serves a component's exports in a loop over a stream of invocations; with no export
/// at all (the empty `(component)`) that stream ends at once and the loop spins a worker thread
/// at full speed for as long as the component runs (wasmcloud-host 0.27.1,
/// `wasmbus/mod.rs`, `select_all(exports)`), which starves the host on a two-core machine.
pub fn idle_component() -> Vec<u8> {
    use wasm_encoder::{
        CodeSection, ComponentBuilder, ComponentExportKind, ComponentValType, ExportKind,
        ExportSection, Function, FunctionSection, Instruction, Module, ModuleArg, TypeSection,
    };
    let mut module = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut functions = FunctionSection::new();
    functions.function(0);
    module.section(&functions);
    let mut exports = ExportSection::new();
    exports.export("ping", ExportKind::Func, 0);
    module.section(&exports);
    let mut code = CodeSection::new();
    let mut body = Function::new([]);
    body.instruction(&Instruction::End);
    code.function(&body);
    module.section(&code);

    let mut component = ComponentBuilder::default();
    let module = component.core_module(None, &module);
    let instance = component.core_instantiate(None, module, Vec::<(&str, ModuleArg)>::new());
    let core_ping = component.core_alias_export(None, instance, "ping", ExportKind::Func);
    let (ty, mut encoder) = component.type_function(None);
    encoder
        .params(Vec::<(&str, ComponentValType)>::new())
        .result(None);
    let ping = component.lift_func(None, core_ping, ty, []);
    component.export("ping", ComponentExportKind::Func, ping, None);
    component.finish()
}

/// Who signed a component, and as what.
#[derive(Debug, Clone)]
pub struct Signed {
    pub bytes: Vec<u8>,
    /// The account that issued the claims (`A…`).
    pub issuer: String,
    /// The component's own key (`M…`), the claims' subject.
    pub subject: String,
}

/// [`idle_component`] with embedded claims (name, tags, revision, version), signed by a new
/// account key, as `wash` signs components.
pub fn signed_component(
    name: &str,
    tags: &[&str],
    rev: i32,
    version: &str,
) -> anyhow::Result<Signed> {
    let issuer = KeyPair::new_account();
    let module = KeyPair::new_module();
    let claims = Claims::<Component>::new(
        name.to_owned(),
        issuer.public_key(),
        module.public_key(),
        Some(tags.iter().map(|t| (*t).to_owned()).collect()),
        false,
        Some(rev),
        Some(version.to_owned()),
        None,
    );
    let bytes = wascap::wasm::embed_claims(&idle_component(), &claims, &issuer)
        .map_err(|e| anyhow!("signing the component: {e}"))?;
    Ok(Signed {
        bytes,
        issuer: issuer.public_key(),
        subject: module.public_key(),
    })
}

/// A provider that does nothing and lives as long as the host that started it. The host starts
/// providers with an empty environment, so the script names its commands by path.
pub const IDLE_PROVIDER: &str = "#!/bin/sh\n\
# A capability provider that does nothing: it lives while the host that started it lives.\n\
while kill -0 \"$PPID\" 2>/dev/null; do /bin/sleep 1; done\n";

/// Packs `executable` into a gzipped provider archive for this machine at `path` (`.par.gz`),
/// signed by new keys; returns the provider's claims subject (`V…`).
pub async fn provider_archive(
    path: &Path,
    name: &str,
    executable: &[u8],
) -> anyhow::Result<String> {
    // The host looks for `<arch>-<os>`, not a Rust target triple.
    let target = format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS);
    let mut archive = provider_archive::ProviderArchive::new(
        name,
        "wasmcloud-protocol",
        Some(1),
        Some("0.1.0".into()),
    );
    archive
        .add_library(&target, executable)
        .map_err(|e| anyhow!("adding {target}: {e}"))?;
    let issuer = KeyPair::new_account();
    let subject = KeyPair::new_service();
    archive
        .write(path, &issuer, &subject, true)
        .await
        .map_err(|e| anyhow!("writing {}: {e}", path.display()))?;
    Ok(subject.public_key())
}

/// A `file://` reference to an absolute path.
pub fn file_ref(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A scratch folder of the test's own, removed when dropped.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(label: &str) -> anyhow::Result<Self> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "real-host-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| dir.display().to_string())?;
        Ok(Self(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `bytes` to `name` in the folder; returns the file's path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How a `real-host` process is started.
#[derive(Debug, Clone)]
pub struct HostOptions {
    pub nats_url: String,
    pub lattice: String,
    pub seed: String,
    pub ctl_prefix: Option<String>,
    pub labels: Vec<(String, String)>,
    pub version: String,
    pub heartbeat: Duration,
    /// The host's `.creds` file, for a server in operator mode.
    pub creds: Option<PathBuf>,
}

/// The user JWT and the seed of a `.creds` file, as NATS clients read it: the first line inside
/// each of its two fenced blocks.
pub fn read_creds(text: &str) -> anyhow::Result<(String, String)> {
    fn block(text: &str, begin: &str) -> Option<String> {
        let mut lines = text.lines().skip_while(|l| !l.contains(begin));
        lines.next()?;
        lines
            .map(str::trim)
            .find(|l| !l.is_empty())
            .filter(|l| !l.starts_with("---"))
            .map(str::to_owned)
    }
    let jwt = block(text, "BEGIN NATS USER JWT").context("no user JWT")?;
    let seed = block(text, "BEGIN USER NKEY SEED").context("no user seed")?;
    Ok((jwt, seed))
}

/// A running `real-host` process; terminated (SIGTERM, then SIGKILL) when dropped.
#[derive(Debug)]
pub struct RealHost {
    child: Option<Child>,
    host_id: String,
}

impl RealHost {
    /// Starts `binary` and waits (up to a minute) for its `ready` line.
    pub fn start(binary: &Path, options: &HostOptions) -> anyhow::Result<Self> {
        let mut command = Command::new(binary);
        command
            .args(["--nats-url", &options.nats_url])
            .args(["--lattice", &options.lattice])
            .args(["--host-seed", &options.seed])
            .args(["--host-version", &options.version])
            .args(["--heartbeat-ms", &options.heartbeat.as_millis().to_string()]);
        if let Some(prefix) = &options.ctl_prefix {
            command.args(["--ctl-prefix", prefix]);
        }
        for (k, v) in &options.labels {
            command.args(["--label", &format!("{k}={v}")]);
        }
        if let Some(creds) = &options.creds {
            command.arg("--creds").arg(creds);
        }
        let mut child = command
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = tx.send(first);
            // Keep draining so the host never blocks on a full pipe.
            for _ in lines {}
        });
        let mut host = Self {
            child: Some(child),
            host_id: String::new(),
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(Ok(line))) => match line.strip_prefix("ready ") {
                Some(id) => host.host_id = id.to_owned(),
                None => bail!("real-host printed {line:?} instead of `ready <id>`"),
            },
            Ok(other) => bail!(
                "real-host ended before it was ready: {other:?} ({:?})",
                host.wait()
            ),
            Err(_) => bail!("real-host was not ready within a minute"),
        }
        Ok(host)
    }

    pub fn host_id(&self) -> &str {
        &self.host_id
    }

    /// Waits for the process to end by itself (after `host.stop`), up to `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        let child = self.child.as_mut().context("already ended")?;
        loop {
            if let Some(status) = child.try_wait()? {
                self.child = None;
                return Ok(status);
            }
            if std::time::Instant::now() > deadline {
                bail!("real-host did not exit within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().and_then(|c| c.wait().ok())
    }
}

impl Drop for RealHost {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets the host shut down; SIGKILL if it does not within a few seconds.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            for _ in 0..100 {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
