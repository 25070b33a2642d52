//! `mock_host`: an in-memory wasmCloud host on a real NATS server, answering every control
//! interface operation and publishing the matching lattice events, until interrupted.
//!
//! ```sh
//! cargo run -p workspace-tests --bin mock_host -- --nats-url nats://127.0.0.1:4222 \
//!     --lattice default --host-id NAU2...CO3N [--ctl-prefix acme.ctl] [--heartbeat-secs 30] \
//!     [--creds host.creds | --user U --password P | --token T]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use wasmcloud_protocol::runtime::nats::async_nats;
use wasmcloud_protocol::runtime::SubjectPrefix;
use workspace_tests::mock_host::{run, MockHostConfig};

/// An in-memory wasmCloud host on a NATS server, until interrupted.
///
/// It logs in as any NATS tool does: a user and password (in the URL too, as
/// nats://user:password@host:port), a token, or a creds file (a user JWT and its seed).
#[derive(Parser)]
#[command(name = "mock_host")]
struct Args {
    /// The server, or several separated by commas; credentials in it are used as the flags'.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    nats_url: String,
    /// A creds file: the user JWT and the seed that signs its nonce.
    #[arg(long, env = "NATS_CREDS", value_name = "FILE", conflicts_with_all = ["user", "token"])]
    creds: Option<PathBuf>,
    /// The user name (with --password).
    #[arg(
        long,
        env = "NATS_USER",
        requires = "password",
        conflicts_with = "token"
    )]
    user: Option<String>,
    /// The user's password (with --user).
    #[arg(long, env = "NATS_PASSWORD", requires = "user")]
    password: Option<String>,
    /// An authentication token.
    #[arg(long, env = "NATS_TOKEN")]
    token: Option<String>,
    /// The lattice to serve.
    #[arg(long, default_value = "default")]
    lattice: String,
    /// The host's id (a server nkey's public key).
    #[arg(
        long,
        default_value = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N"
    )]
    host_id: String,
    /// The control interface's subject root instead of `wasmbus.ctl`.
    #[arg(long, value_name = "PREFIX")]
    ctl_prefix: Option<String>,
    /// Seconds between heartbeats; 0 for none.
    #[arg(long, value_name = "N", default_value_t = 30)]
    heartbeat_secs: u64,
}

impl Args {
    /// The servers of --nats-url, and how to log in: with the flags, or with what a URL holds
    /// (`nats://user:password@host`, `nats://token@host`), which async-nats does not read itself.
    async fn connect_options(
        &self,
    ) -> Result<(Vec<async_nats::ServerAddr>, async_nats::ConnectOptions), String> {
        let servers = self
            .nats_url
            .split(',')
            .map(|url| {
                url.trim()
                    .parse::<async_nats::ServerAddr>()
                    .map_err(|e| format!("--nats-url {url}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .map(|t| t.into_owned())
                .map_err(|e| format!("--nats-url: {e}"))
        };
        let mut in_url = None;
        for server in &servers {
            if let Some(user) = server.username() {
                let login = (decode(user)?, server.password().map(decode).transpose()?);
                if in_url.as_ref().is_some_and(|seen| seen != &login) {
                    return Err("--nats-url: the servers' URLs hold different credentials".into());
                }
                in_url = Some(login);
            }
        }
        let flags = self.creds.is_some() || self.user.is_some() || self.token.is_some();
        if in_url.is_some() && flags {
            return Err("credentials given twice: in --nats-url and as flags".into());
        }
        let options = async_nats::ConnectOptions::new();
        let options = if let Some(creds) = &self.creds {
            options
                .credentials_file(creds)
                .await
                .map_err(|e| format!("{}: {e}", creds.display()))?
        } else if let (Some(user), Some(password)) = (&self.user, &self.password) {
            options.user_and_password(user.clone(), password.clone())
        } else if let Some(token) = &self.token {
            options.token(token.clone())
        } else {
            match in_url {
                Some((user, Some(password))) => options.user_and_password(user, password),
                Some((token, None)) => options.token(token),
                None => options,
            }
        };
        Ok((servers, options))
    }

    fn config(&self) -> Result<MockHostConfig, String> {
        let mut config = MockHostConfig::new(&self.lattice, &self.host_id);
        if let Some(root) = &self.ctl_prefix {
            config.prefix = SubjectPrefix::new()
                .with_root(root)
                .map_err(|e| format!("--ctl-prefix: {e}"))?;
        }
        Ok(config)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (config, (servers, options)) = match (args.config(), args.connect_options().await) {
        (Ok(config), Ok(connect)) => (config, connect),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("mock_host: {e}");
            return ExitCode::from(2);
        }
    };
    let heartbeat = (args.heartbeat_secs > 0).then(|| Duration::from_secs(args.heartbeat_secs));
    eprintln!(
        "mock_host {} serving lattice {} on {}",
        config.host_id,
        config.lattice,
        servers
            .iter()
            .map(|s| format!("{}:{}", s.host(), s.port()))
            .collect::<Vec<_>>()
            .join(",")
    );
    tokio::select! {
        result = run(servers, options, config, heartbeat) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mock_host: {e}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
