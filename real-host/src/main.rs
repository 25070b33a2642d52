//! `real-host`: one real wasmCloud host, as the `wasmcloud` 1.9 binary runs it
//! (`wasmcloud_host::wasmbus::Host::new`), on a NATS server with JetStream.
//!
//! It prints one line, `ready <host id>`, once the host answers the control interface, and runs
//! until a `host.stop` request or SIGINT/SIGTERM; then it shuts the host down (which publishes
//! `host_stopped`) and exits. The process is ended explicitly: the host's blocking tasks would
//! keep it alive after the shutdown future resolves.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use wasmcloud_host::url::Url;
use wasmcloud_host::WasmbusHostConfig;

#[derive(Parser)]
#[command(about = "A real wasmCloud host (wasmcloud-host 0.27.1) for the interop suite")]
struct Args {
    /// The NATS server (with JetStream) for the control interface, events and RPC.
    #[arg(long, default_value = "nats://127.0.0.1:4222")]
    nats_url: Url,
    #[arg(long, default_value = "default")]
    lattice: String,
    /// The host's server nkey seed (`SN…`); a new key when absent.
    #[arg(long)]
    host_seed: Option<String>,
    /// The control interface's subject root.
    #[arg(long, default_value = "wasmbus.ctl")]
    ctl_prefix: String,
    /// A label, `key=value`; repeatable.
    #[arg(long = "label", value_name = "KEY=VALUE")]
    labels: Vec<String>,
    /// The version the host reports (the library's own when absent).
    #[arg(long)]
    host_version: Option<String>,
    /// Time between heartbeats.
    #[arg(long, default_value_t = 30_000)]
    heartbeat_ms: u64,
    /// A `.creds` file (a user JWT and its seed) for a server in operator mode: the host's
    /// control-interface and RPC connections both log in with it, as `ctl_jwt`/`ctl_seed` and
    /// `rpc_jwt`/`rpc_seed` would have them.
    #[arg(long, value_name = "FILE")]
    creds: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let host_key = match &args.host_seed {
        Some(seed) => nkeys::KeyPair::from_seed(seed).context("--host-seed")?,
        None => nkeys::KeyPair::new_server(),
    };
    let mut labels = HashMap::new();
    for label in &args.labels {
        let Some((key, value)) = label.split_once('=') else {
            bail!("--label {label:?}: expected KEY=VALUE");
        };
        labels.insert(key.to_owned(), value.to_owned());
    }
    let host_id = host_key.public_key();
    let (jwt, user_key) = match &args.creds {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("--creds {}", file.display()))?;
            let (jwt, seed) = wasmcloud_real_host::read_creds(&text)
                .with_context(|| format!("--creds {}", file.display()))?;
            let key = nkeys::KeyPair::from_seed(&seed).context("--creds: the user seed")?;
            (Some(jwt), Some(Arc::new(key)))
        }
        None => (None, None),
    };
    let defaults = WasmbusHostConfig::default();
    let config = WasmbusHostConfig {
        ctl_nats_url: args.nats_url.clone(),
        rpc_nats_url: args.nats_url,
        lattice: args.lattice.into(),
        ctl_topic_prefix: args.ctl_prefix,
        ctl_jwt: jwt.clone(),
        ctl_key: user_key.clone(),
        rpc_jwt: jwt,
        rpc_key: user_key,
        host_key: Some(Arc::new(host_key)),
        labels,
        version: args.host_version.unwrap_or(defaults.version.clone()),
        heartbeat_interval: Some(Duration::from_millis(args.heartbeat_ms)),
        // What the `wasmcloud` binary sets: without it, stopping a provider that subscribes to
        // its shutdown subject but never answers would wait for ever.
        provider_shutdown_delay: Some(Duration::from_millis(300)),
        // The tests answer a provider's health checks in turn; the default 2 s would let a
        // loaded machine drop a check the test has already answered, and then the test's later
        // answers fall on the wrong checks.
        rpc_timeout: Duration::from_secs(10),
        // Components and providers come from files the tests write.
        allow_file_load: true,
        ..defaults
    };
    let (host, shutdown) = wasmcloud_host::wasmbus::Host::new(config)
        .await
        .context("starting the host")?;
    println!("ready {host_id}");

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        stopped = host.stopped() => { stopped.context("the host stopped with an error")?; }
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    let result = shutdown.await;
    if let Err(e) = &result {
        eprintln!("shutdown: {e:#}");
    }
    std::process::exit(i32::from(result.is_err()));
}
