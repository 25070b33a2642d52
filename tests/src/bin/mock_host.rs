//! `mock_host`: an in-memory wasmCloud host on a real NATS server, answering every control
//! interface operation and publishing the matching lattice events, until interrupted.
//!
//! ```sh
//! cargo run -p workspace-tests --bin mock_host -- --nats-url nats://127.0.0.1:4222 \
//!     --lattice default --host-id NAU2...CO3N [--ctl-prefix acme.ctl] [--heartbeat-secs 30]
//! ```

use std::process::ExitCode;
use std::time::Duration;

use wasmcloud_protocol::runtime::SubjectPrefix;
use workspace_tests::mock_host::{run, MockHostConfig};

const USAGE: &str = "usage: mock_host [--nats-url URL] [--lattice ID] [--host-id NKEY] [--ctl-prefix P] [--heartbeat-secs N]";

fn parse(args: &[String]) -> Result<(String, MockHostConfig, Option<Duration>), String> {
    let mut url = "nats://127.0.0.1:4222".to_owned();
    let mut lattice = "default".to_owned();
    let mut host_id = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N".to_owned();
    let mut prefix = None;
    let mut heartbeat = Some(Duration::from_secs(30));
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--nats-url" => url = value()?,
            "--lattice" => lattice = value()?,
            "--host-id" => host_id = value()?,
            "--ctl-prefix" => prefix = Some(value()?),
            "--heartbeat-secs" => {
                let secs: u64 = value()?
                    .parse()
                    .map_err(|e| format!("--heartbeat-secs: {e}"))?;
                heartbeat = (secs > 0).then(|| Duration::from_secs(secs));
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let mut config = MockHostConfig::new(&lattice, &host_id);
    if let Some(root) = prefix {
        config.prefix = SubjectPrefix::new()
            .with_root(root)
            .map_err(|e| e.to_string())?;
    }
    Ok((url, config, heartbeat))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, config, heartbeat) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "mock_host {} serving lattice {} on {url}",
        config.host_id, config.lattice
    );
    tokio::select! {
        result = run(&url, config, heartbeat) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mock_host: {e}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
