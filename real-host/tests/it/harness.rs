//! A lattice for one test: a JetStream `nats-server`, one host (the real one or the mock host),
//! our generated client, a wiretap that keeps every message on the server, and the lattice's
//! events through our typed event stream.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::lattice_events::peer::Client as Events;
use wasmcloud_protocol::runtime::creds::UserOptions;
use wasmcloud_protocol::runtime::nats::{async_nats, GatherOptions, RequestOptions};
use wasmcloud_protocol::runtime::permissions::{PermissionOptions, Permissions, Role};
use wasmcloud_protocol::runtime::validate::Side;
use wasmcloud_protocol::runtime::SubjectPrefix;
use wasmcloud_real_host::{HostOptions, RealHost, Scratch};
use workspace_tests::mock_host::{LatticeStore, MockHost, MockHostConfig};
use workspace_tests::nats_server::NatsServer;
use workspace_tests::operator::Operator;

/// Which host answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Real,
    Mock,
}

/// The version both hosts report, so that it never tells them apart.
pub const VERSION: &str = "1.9.0";

/// One message as the server carried it.
#[derive(Debug, Clone)]
pub struct Wire {
    pub subject: String,
    pub reply: Option<String>,
    pub payload: Vec<u8>,
}

/// Every message on the server, in order.
#[derive(Debug, Clone, Default)]
pub struct Tap(Arc<Mutex<Vec<Wire>>>);

impl Tap {
    pub fn messages(&self) -> Vec<Wire> {
        self.0.lock().unwrap().clone()
    }
}

/// A lattice event as received, decoded by our typed stream, with its raw JSON.
#[derive(Debug, Clone)]
pub struct Seen {
    pub event: LatticeEvent,
    pub json: Value,
}

enum Host {
    Real(RealHost),
    /// The mock host answers as long as its server lives.
    Mock {
        _server: wasmcloud_protocol::runtime::nats::Server,
    },
}

pub struct Lattice {
    pub name: String,
    pub host_id: String,
    pub client: Client,
    pub nats: async_nats::Client,
    pub files: Scratch,
    tap: Tap,
    events: Arc<Mutex<Vec<Seen>>>,
    malformed: Arc<Mutex<Vec<String>>>,
    host: Option<Host>,
    // Last, so the server outlives everything that talks to it.
    server: NatsServer,
}

/// Who may do what on the lattice's server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No users: everyone may do everything.
    Open,
    /// Operator mode, as production NATS runs: an operator and an account of the test's own,
    /// and a user per role, each logging in with its `.creds` file, whose JWT carries the
    /// permissions generated for it: `host` (with what a real host needs beyond the specs, for
    /// its control and RPC connections), `client` (our client and event stream), and `tap`,
    /// who may do everything, to watch the wire.
    LeastPrivilege,
}

/// The server of [`Access::LeastPrivilege`] on `lattice`, and the creds files of its users.
struct Users {
    config: String,
    host: PathBuf,
    client: PathBuf,
    tap: PathBuf,
}

fn least_privilege(lattice: &str) -> Users {
    let options = PermissionOptions::new().value("lattice", lattice);
    let host = wasmcloud_protocol::permissions(
        Role::Application,
        &wasmcloud_protocol::real_host_needs(options.clone().without_probe()).unwrap(),
    )
    .unwrap();
    let client = wasmcloud_protocol::permissions(Role::Client, &options).unwrap();
    let operator = Operator::new();
    Users {
        config: operator.config(),
        host: operator.user("host", &host, UserOptions::new()),
        client: operator.user("client", &client, UserOptions::new()),
        // A JWT without permissions may do everything.
        tap: operator.user("tap", &Permissions::default(), UserOptions::new()),
    }
}

/// The `real-host` binary this suite built.
fn real_host_binary() -> std::path::PathBuf {
    env!("CARGO_BIN_EXE_real-host").into()
}

impl Lattice {
    /// Starts a server, the tap, the event stream and a host of `kind`, and waits until the
    /// host answers a ping.
    pub async fn start(kind: Kind, heartbeat: Duration) -> Self {
        Self::start_with(kind, heartbeat, Access::Open).await
    }

    /// [`Self::start`] on a server whose users have the given access.
    pub async fn start_with(kind: Kind, heartbeat: Duration, access: Access) -> Self {
        let name = "interop".to_owned();
        let users = match access {
            Access::Open => None,
            Access::LeastPrivilege => Some(least_privilege(&name)),
        };
        let server = match &users {
            None => NatsServer::start_with_jetstream(),
            Some(users) => NatsServer::start_with_jetstream_and_config(&users.config),
        };
        let seed = nkeys::KeyPair::new_server();
        let host_id = seed.public_key();
        let connect = |creds: Option<&PathBuf>| {
            let url = server.url();
            let creds = creds.cloned();
            async move {
                let mut options = async_nats::ConnectOptions::new();
                if let Some(creds) = creds {
                    options = options.credentials_file(&creds).await.unwrap();
                }
                options.connect(url).await
            }
        };

        let tap = Tap::default();
        let tap_conn = connect(users.as_ref().map(|u| &u.tap)).await.unwrap();
        let mut everything = tap_conn.subscribe(">").await.unwrap();
        tap_conn.flush().await.unwrap();
        let sink = tap.clone();
        tokio::spawn(async move {
            let _keep = tap_conn;
            while let Some(m) = everything.next().await {
                sink.0.lock().unwrap().push(Wire {
                    subject: m.subject.to_string(),
                    reply: m.reply.map(|r| r.to_string()),
                    payload: m.payload.to_vec(),
                });
            }
        });

        let nats = connect(users.as_ref().map(|u| &u.client)).await.unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let malformed = Arc::new(Mutex::new(Vec::new()));
        let mut stream = Events::new(nats.clone(), &name)
            .unwrap()
            .subscribe_lattice_event()
            .await
            .unwrap();
        nats.flush().await.unwrap();
        let (seen, bad) = (events.clone(), malformed.clone());
        tokio::spawn(async move {
            while let Some(item) = stream.next().await {
                match item {
                    Ok(received) => {
                        let json = serde_json::to_value(&received.message).unwrap();
                        seen.lock().unwrap().push(Seen {
                            event: received.message,
                            json,
                        });
                    }
                    Err(malformed) => bad.lock().unwrap().push(malformed.to_string()),
                }
            }
        });

        let labels = vec![("zone".to_owned(), "test".to_owned())];
        let host = match kind {
            Kind::Real => {
                let options = HostOptions {
                    nats_url: server.url(),
                    lattice: name.clone(),
                    seed: seed.seed().unwrap(),
                    ctl_prefix: None,
                    labels,
                    version: VERSION.to_owned(),
                    heartbeat,
                    creds: users.as_ref().map(|u| u.host.clone()),
                };
                let binary = real_host_binary();
                let host = tokio::task::spawn_blocking(move || RealHost::start(&binary, &options))
                    .await
                    .unwrap()
                    .unwrap_or_else(|e| {
                        panic!("{e:#}; the server refused {:#?}", server.violations())
                    });
                assert_eq!(host.host_id(), host_id);
                Host::Real(host)
            }
            Kind::Mock => {
                assert_eq!(
                    access,
                    Access::Open,
                    "the mock host shares the client's connection"
                );
                let mut config = MockHostConfig::new(&name, &host_id);
                config.version = VERSION.to_owned();
                config.nats_url = server.url();
                config.labels.extend(labels);
                let mock =
                    MockHost::new(nats.clone(), config, Arc::new(LatticeStore::default())).unwrap();
                let beat = mock.clone();
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(heartbeat).await;
                        beat.heartbeat().await;
                    }
                });
                Host::Mock {
                    _server: mock.serve(nats.clone()).await.unwrap(),
                }
            }
        };
        let client = Client::with_options(
            nats.clone(),
            &name,
            RequestOptions::new()
                .prefix(SubjectPrefix::new())
                .timeout(Duration::from_secs(10)),
        )
        .unwrap();
        let lattice = Self {
            name,
            host_id,
            client,
            nats,
            files: Scratch::new("files").unwrap(),
            tap,
            events,
            malformed,
            host: Some(host),
            server,
        };
        lattice.wait_for_host().await;
        // A real host may answer pings before it announces itself: a step that began before
        // `host_started` arrived would count it among its own events.
        let started = lattice
            .wait_for(Duration::from_secs(30), |s| {
                matches!(s.event, LatticeEvent::HostStarted(_))
            })
            .await;
        assert!(started.is_some(), "the host never announced itself");
        lattice
    }

    /// Pings until the host answers (a real host takes a moment to subscribe).
    async fn wait_for_host(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let hosts = self
                .client
                .get_hosts_with(
                    &GatherOptions::new()
                        .expected(1)
                        .deadline(Duration::from_millis(500)),
                )
                .await
                .unwrap();
            if hosts
                .replies
                .iter()
                .any(|r| r.response.as_ref().is_some_and(|h| h.id == self.host_id))
            {
                return;
            }
            assert!(Instant::now() < deadline, "the host never answered a ping");
        }
    }

    /// The permissions violations the server has logged.
    pub fn violations(&self) -> Vec<String> {
        self.server.violations()
    }

    /// The server's address.
    pub fn nats_url(&self) -> String {
        self.server.url()
    }

    /// The events received so far.
    pub fn events(&self) -> Vec<Seen> {
        self.events.lock().unwrap().clone()
    }

    /// Waits until `at_least` events have arrived after the first `from`, then until none has
    /// arrived for `quiet` (at most `limit` in all), and returns the events that arrived after the
    /// first `from`. Heartbeats are left out: they come on a clock, not from a command.
    pub async fn settle(
        &self,
        from: usize,
        at_least: usize,
        quiet: Duration,
        limit: Duration,
    ) -> Vec<Seen> {
        let deadline = Instant::now() + limit;
        let caused = |s: &&Seen| !matches!(s.event, LatticeEvent::HostHeartbeat(_));
        // A host may reply first and do the work after (a component is compiled before it is
        // reported scaled): the quiet period counts only once the events the step causes are in.
        while self.events.lock().unwrap()[from..]
            .iter()
            .filter(caused)
            .count()
            < at_least
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let mut count = self.events.lock().unwrap().len();
        let mut last_change = Instant::now();
        while Instant::now() < deadline && last_change.elapsed() < quiet {
            tokio::time::sleep(Duration::from_millis(25)).await;
            let now = self.events.lock().unwrap().len();
            if now != count {
                count = now;
                last_change = Instant::now();
            }
        }
        self.events.lock().unwrap()[from..]
            .iter()
            .filter(caused)
            .cloned()
            .collect()
    }

    /// Waits (up to `limit`) for an event that `pred` accepts, among all received so far.
    pub async fn wait_for(&self, limit: Duration, pred: impl Fn(&Seen) -> bool) -> Option<Seen> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(s) = self.events().into_iter().find(|s| pred(s)) {
                return Some(s);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// For the real host: waits for its process to end by itself.
    pub fn wait_exit(&mut self, timeout: Duration) {
        if let Some(Host::Real(host)) = &mut self.host {
            let status = host.wait_exit(timeout).unwrap();
            assert!(status.success(), "real-host exited with {status}");
        }
    }

    /// Every message that crossed the server so far.
    pub fn wire(&self) -> Vec<Wire> {
        self.tap.messages()
    }

    /// Every message of our specs that crossed the server, checked: each request and event
    /// against its schema, each reply against the reply schema of the request it answers, and
    /// none that our typed event stream could not decode. Returns how many of each were checked.
    pub fn check_wire(&self) -> WireReport {
        let messages = self.tap.messages();
        let prefix = SubjectPrefix::new();
        let mut report = WireReport::default();
        let mut failures = Vec::new();
        for m in &messages {
            let is_ctl = m.subject.starts_with("wasmbus.ctl.");
            let is_evt = m.subject.starts_with("wasmbus.evt.");
            if !is_ctl && !is_evt {
                continue;
            }
            match wasmcloud_protocol::validate_subject(
                &m.subject,
                &prefix,
                Side::Request,
                &m.payload,
            ) {
                Ok(_) if is_evt => report.events += 1,
                Ok(_) => report.requests += 1,
                Err(e) => failures.push(format!("{}: {e}: {}", m.subject, text(&m.payload))),
            }
            let Some(inbox) = &m.reply else { continue };
            // An empty message on the inbox is the server's "no responders" status, not a reply.
            for r in messages
                .iter()
                .filter(|r| &r.subject == inbox && !r.payload.is_empty())
            {
                match wasmcloud_protocol::validate_subject(
                    &m.subject,
                    &prefix,
                    Side::Reply,
                    &r.payload,
                ) {
                    Ok(_) => report.replies += 1,
                    Err(e) => {
                        failures.push(format!("reply to {}: {e}: {}", m.subject, text(&r.payload)))
                    }
                }
            }
        }
        failures.extend(self.malformed.lock().unwrap().iter().cloned());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        report
    }
}

/// How many messages of each kind [`Lattice::check_wire`] checked.
#[derive(Debug, Default, Clone, Copy)]
pub struct WireReport {
    pub requests: usize,
    pub replies: usize,
    pub events: usize,
}

fn text(payload: &[u8]) -> String {
    String::from_utf8_lossy(payload).chars().take(600).collect()
}
