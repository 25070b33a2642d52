//! A nats-server on a port it picks itself, for the test crates that stand apart from
//! `workspace-tests` (the FastStream crate, the crate generated at build time): each includes
//! this file (`#[path]`), having no dependency to share it through.
//!
//! The server picks its port (`-p -1`) and names it in its own log. A port found free
//! beforehand may be taken by a test running beside this one, whose server then answers on it
//! while ours fails to bind: once in CI a test's client and FastStream workers met another
//! test's on one server.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A running nats-server, killed when dropped.
pub struct NatsServer {
    child: Child,
    log: PathBuf,
    /// `nats://127.0.0.1:<port>`.
    pub url: String,
}

impl NatsServer {
    /// Starts the pinned nats-server and waits until it says it is ready: the one
    /// `cargo xtask test` names in `NATS_SERVER`, else the one `cargo xtask setup` installed
    /// (beside the including crate, in `tests/`), never one on the PATH.
    pub fn start() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let binary = std::env::var_os("NATS_SERVER").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/.venv/bin/nats-server"),
            PathBuf::from,
        );
        let log = std::env::temp_dir().join(format!(
            "nats-server-{}-{}.log",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_file(&log);
        let child = Command::new(&binary)
            .args(["-a", "127.0.0.1", "-p", "-1", "-l"])
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e}: run `cargo xtask setup` once (`cargo xtask test` does it too)",
                    binary.display()
                )
            });
        let mut server = Self {
            child,
            log,
            url: String::new(),
        };
        let started = Instant::now();
        loop {
            let said = std::fs::read_to_string(&server.log).unwrap_or_default();
            if said.contains("Server is ready") {
                let port = said
                    .lines()
                    .find_map(|line| {
                        line.split("Listening for client connections on 127.0.0.1:")
                            .nth(1)
                    })
                    .and_then(|port| port.trim().parse::<u16>().ok())
                    .unwrap_or_else(|| panic!("nats-server names no client port: {said}"));
                server.url = format!("nats://127.0.0.1:{port}");
                return server;
            }
            assert!(
                matches!(server.child.try_wait(), Ok(None))
                    && started.elapsed() < Duration::from_secs(10),
                "nats-server did not start: {said}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
