//! A `nats-server` of a test's own, on a free loopback port, that the test can kill and restart.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmcloud_protocol::runtime::nats::async_nats;
use wasmcloud_protocol::runtime::permissions::Permissions;

/// A running `nats-server`; killed when dropped (with its JetStream store, if it has one).
#[derive(Debug)]
pub struct NatsServer {
    port: u16,
    child: Option<Child>,
    /// The JetStream store folder, when JetStream is on.
    store: Option<PathBuf>,
    /// The configuration file, when the server has one.
    config: Option<PathBuf>,
    /// Where the server logs (errors such as permissions violations included).
    log: PathBuf,
    /// Cluster options, for a node of a cluster.
    args: Vec<String>,
}

/// A loopback port free now, that no other test of this process is given.
pub fn free_port() -> u16 {
    free_ports(1)[0]
}

/// `n` distinct loopback ports free now, that no other test of this process is given.
///
/// They are taken below the range the kernel hands out for `bind(0)` and for the local end of
/// outgoing connections, in turn from a place this process's id picks. A port the kernel handed
/// out could be handed out again to the test running beside this one, which would then take it
/// while this test's server is down for a restart, or before it binds the port; so once in CI two
/// tests met on one server. Found free by binding each (all held at once while they are found).
fn free_ports(n: usize) -> Vec<u16> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static TAKEN: AtomicUsize = AtomicUsize::new(0);
    let Some(pool) = below_ephemeral_ports() else {
        return ephemeral_ports(n);
    };
    let offset = std::process::id() as usize * 97;
    let mut listeners = Vec::new();
    for _ in 0..pool.len() {
        if listeners.len() == n {
            break;
        }
        let i = TAKEN.fetch_add(1, Ordering::Relaxed);
        let port = (pool.start + (offset + i) % pool.len()) as u16;
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            listeners.push(listener);
        }
    }
    assert_eq!(listeners.len(), n, "{n} free ports in {pool:?}");
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound address").port())
        .collect()
}

/// The ports from 10,000 up to the kernel's range for `bind(0)`, when there are enough of them.
fn below_ephemeral_ports() -> Option<std::ops::Range<usize>> {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let low: usize = range.split_whitespace().next()?.parse().ok()?;
    (low >= 12_000).then_some(10_000..low)
}

/// `n` distinct ports the kernel hands out, where it does not say which range it uses.
fn ephemeral_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free loopback port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound address").port())
        .collect()
}

/// Starts what `start` starts, on ports found free; five times over at most, as another process
/// may take a port between its being found free and the server binding it.
fn on_free_ports<T>(what: &str, start: impl Fn() -> Result<T, String>) -> T {
    let mut failures = Vec::new();
    for _ in 0..5 {
        match start() {
            Ok(started) => return started,
            Err(e) => failures.push(e),
        }
    }
    panic!("{what} did not start: {failures:#?}");
}

/// The number of other servers a server has routes to, by its monitoring endpoint (`/routez`).
/// Servers since 2.10 pool several routes to each peer, so routes are counted by the peer's id.
fn routed_peers(monitor: u16) -> Option<usize> {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(("127.0.0.1", monitor)).ok()?;
    stream
        .write_all(b"GET /routez HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let body = &response[response.find("\r\n\r\n")? + 4..];
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let peers: std::collections::BTreeSet<&str> = json["routes"]
        .as_array()?
        .iter()
        .filter_map(|route| route["remote_id"].as_str())
        .collect();
    Some(peers.len())
}

/// A file or folder name of this process's own in the temporary folder, fresh for each call.
fn scratch_path(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let path = std::env::temp_dir().join(format!("{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let _ = std::fs::remove_file(&path);
    path
}

impl NatsServer {
    /// Starts a server on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        Self::start_with(false, None)
    }

    /// Starts a server with this configuration (users and their permissions, say); the address
    /// and port are the test's own, whatever the configuration says. A configuration the server
    /// refuses fails the test with the server's complaint.
    pub fn start_with_config(config: &str) -> Self {
        Self::start_with(false, Some(config))
    }

    /// Starts a server with JetStream on, storing in a fresh folder of its own (a wasmCloud host
    /// needs JetStream for its key-value buckets, and must not see an earlier run's data).
    pub fn start_with_jetstream() -> Self {
        Self::start_with(true, None)
    }

    /// Starts a server with JetStream on (see [`Self::start_with_jetstream`]) and this
    /// configuration (see [`Self::start_with_config`]).
    pub fn start_with_jetstream_and_config(config: &str) -> Self {
        Self::start_with(true, Some(config))
    }

    /// Starts a server; a few times over on other ports should one be taken meanwhile.
    fn start_with(jetstream: bool, config: Option<&str>) -> Self {
        on_free_ports("nats-server", || Self::try_start(jetstream, config))
    }

    fn try_start(jetstream: bool, config: Option<&str>) -> Result<Self, String> {
        Self::try_start_on(free_port(), jetstream, config)
    }

    /// Starts a server on `port`, once: an error, with the server's log, if it cannot listen
    /// there.
    pub fn start_on(port: u16) -> Result<Self, String> {
        Self::try_start_on(port, false, None)
    }

    fn try_start_on(port: u16, jetstream: bool, config: Option<&str>) -> Result<Self, String> {
        let config = config.map(|config| {
            let file = scratch_path(&format!("nats-{port}.conf"));
            std::fs::write(&file, config).expect("the configuration is written");
            let checked = Command::new(crate::tools::nats_server())
                .arg("-t")
                .arg("-c")
                .arg(&file)
                .output()
                .expect("nats-server runs");
            assert!(
                checked.status.success(),
                "nats-server refuses the configuration: {}{}\n{config}",
                String::from_utf8_lossy(&checked.stdout),
                String::from_utf8_lossy(&checked.stderr)
            );
            file
        });
        let mut server = Self {
            port,
            child: None,
            store: jetstream.then(|| scratch_path(&format!("nats-js-{port}"))),
            config,
            log: scratch_path(&format!("nats-{port}.log")),
            args: Vec::new(),
        };
        server.spawn()?;
        Ok(server)
    }

    /// Starts `n` servers routed to each other as one cluster, each on its own free ports, and
    /// waits until every one has a route to every other (so interest on one reaches them all).
    pub fn start_cluster(n: usize) -> Vec<Self> {
        on_free_ports("the cluster", || Self::try_start_cluster(n))
    }

    fn try_start_cluster(n: usize) -> Result<Vec<Self>, String> {
        let ports = free_ports(3 * n);
        let (ports, rest) = ports.split_at(n);
        let (cluster_ports, monitor_ports) = rest.split_at(n);
        // A name of this cluster's own: a node of another test's cluster that reached one of these
        // ports is refused, not routed to.
        let name = format!("test-{}-{}", std::process::id(), ports[0]);
        let mut nodes = Vec::new();
        for (i, cluster_port) in cluster_ports.iter().enumerate() {
            let routes: Vec<String> = cluster_ports
                .iter()
                .filter(|p| *p != cluster_port)
                .map(|p| format!("nats://127.0.0.1:{p}"))
                .collect();
            let port = ports[i];
            let mut node = Self {
                port,
                child: None,
                store: None,
                config: None,
                log: scratch_path(&format!("nats-{port}.log")),
                args: vec![
                    "--cluster_name".into(),
                    name.clone(),
                    "--cluster".into(),
                    format!("nats://127.0.0.1:{cluster_port}"),
                    "--routes".into(),
                    routes.join(","),
                    "-m".into(),
                    monitor_ports[i].to_string(),
                ],
            };
            node.spawn()?;
            nodes.push(node);
        }
        for (node, monitor) in nodes.iter_mut().zip(monitor_ports) {
            node.wait_for_routes(*monitor, n - 1)?;
        }
        Ok(nodes)
    }

    /// Waits (up to 10 s) until the server's monitoring port shows routes to `peers` servers.
    fn wait_for_routes(&mut self, monitor: u16, peers: usize) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.has_exited() {
                return Err(format!("server {} exited: {}", self.port, self.log()));
            }
            let now = routed_peers(monitor).unwrap_or(0);
            if now >= peers {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "server {} has routes to {now} servers of {peers}: {}",
                    self.port,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The permissions violations the server has logged so far, one line each.
    pub fn violations(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains("Violation"))
            .map(str::to_owned)
            .collect()
    }

    /// Starts the process and waits until it says it is ready; an error if it exits first
    /// (another process took one of its ports since they were found free) or is not ready in
    /// 10 s.
    ///
    /// Readiness is read from the server's own log, not from a connection to its port: another
    /// process may listen on the port for a moment (a test looking for free ports binds them),
    /// and a probe it accepts says nothing of this server, which then fails to bind and exits
    /// (once in CI a test's first connection was refused right after such a probe succeeded).
    fn spawn(&mut self) -> Result<(), String> {
        // The log is appended to across restarts: only what this start adds counts.
        let logged = std::fs::metadata(&self.log).map_or(0, |m| m.len() as usize);
        let mut command = Command::new(crate::tools::nats_server());
        if let Some(config) = &self.config {
            command.arg("-c").arg(config);
        }
        command.args(["-a", "127.0.0.1", "-p", &self.port.to_string()]);
        command.arg("-l").arg(&self.log).args(&self.args);
        if let Some(store) = &self.store {
            command.arg("-js").arg("-sd").arg(store);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.ready_since(logged) {
            let child = self.child.as_mut().expect("just started");
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return Err(format!("nats-server exited ({status}): {}", self.log()));
            }
            if Instant::now() > deadline {
                self.kill();
                return Err(format!(
                    "nats-server on {} was not ready in 10 s: {}",
                    self.port,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Whether the process has ended (a node whose route port was taken after it was ready).
    fn has_exited(&mut self) -> bool {
        !matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// Whether the server has logged that it is ready past the first `offset` bytes of its log
    /// (anywhere in it, should the log have been started afresh).
    fn ready_since(&self, offset: usize) -> bool {
        const READY: &[u8] = b"Server is ready";
        let log = std::fs::read(&self.log).unwrap_or_default();
        let new = log.get(offset..).unwrap_or(&log);
        new.windows(READY.len()).any(|w| w == READY)
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (clients see the connection drop).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port; a few times over, as a process looking for a
    /// free port may hold this one for a moment while it was free.
    pub fn restart(&mut self) {
        self.kill();
        let mut failures = Vec::new();
        for _ in 0..10 {
            match self.spawn() {
                Ok(()) => return,
                Err(e) => failures.push(e),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "nats-server did not start again on {}: {failures:#?}",
            self.port
        );
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
        if let Some(store) = &self.store {
            let _ = std::fs::remove_dir_all(store);
        }
        if let Some(config) = &self.config {
            let _ = std::fs::remove_file(config);
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// How a user's permissions are written in a server configuration: nats-server reads both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The `permissions` block of the configuration language.
    Block,
    /// JSON.
    Json,
}

/// The `authorization` block of a server configuration: each user with its name as password and
/// its permissions (none: it may do everything).
pub fn authorization(users: &[(&str, Option<&Permissions>, Written)]) -> String {
    let entries: Vec<String> = users
        .iter()
        .map(|(user, permissions, written)| match (permissions, written) {
            (None, _) => format!("{{user: {user}, password: {user}}}"),
            (Some(permissions), Written::Json) => {
                let json = serde_json::to_string(permissions).expect("permissions serialize");
                format!("{{\"user\": \"{user}\", \"password\": \"{user}\", \"permissions\": {json}}}")
            }
            (Some(permissions), Written::Block) => {
                format!("{{\nuser: {user}\npassword: {user}\n{permissions}}}")
            }
        })
        .collect();
    format!(
        "authorization {{\n  users = [\n{}\n  ]\n}}\n",
        entries.join("\n")
    )
}

/// The body of [`Login::connect_to`], for either async-nats: the two share no types.
macro_rules! connect {
    ($nats:ident, $login:expr, $servers:expr) => {{
        let errors = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let seen = errors.clone();
        let mut options = $nats::ConnectOptions::new().event_callback(move |event| {
            let seen = seen.clone();
            let tx = tx.clone();
            async move {
                if let $nats::Event::ServerError(e) = event {
                    seen.lock().expect("not poisoned").push(e.to_string());
                    let _ = tx.send(e.to_string());
                }
            }
        });
        if let Some(user) = &$login.user {
            options = options.user_and_password(user.clone(), user.clone());
        }
        if let Some(creds) = &$login.creds {
            options = options
                .credentials_file(creds)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", creds.display()));
        }
        if let Some(prefix) = &$login.inbox_prefix {
            options = options.custom_inbox_prefix(prefix.clone());
        }
        let addresses: Vec<$nats::ServerAddr> = $servers
            .iter()
            .map(|s| s.url().parse().expect("a server address"))
            .collect();
        let nats = options
            .retain_servers_order()
            .connect(addresses)
            .await
            .expect("connects");
        Connection {
            nats,
            errors,
            next: Arc::new(tokio::sync::Mutex::new(rx)),
        }
    }};
}

/// Who a test connects as: anyone (a server without users), or a user whose password is its
/// name, with the inbox prefix its permissions may require.
#[derive(Debug, Clone, Default)]
pub struct Login {
    user: Option<String>,
    /// A `.creds` file, for a server in operator mode.
    creds: Option<PathBuf>,
    inbox_prefix: Option<String>,
}

impl Login {
    /// No user: for servers without authorization.
    pub fn anyone() -> Self {
        Self::default()
    }

    /// The user `name`, with password `name`.
    pub fn user(name: &str) -> Self {
        Self {
            user: Some(name.to_owned()),
            ..Self::default()
        }
    }

    /// The user of a `.creds` file (a user JWT and its seed), for a server in operator mode.
    pub fn creds(file: PathBuf) -> Self {
        Self {
            creds: Some(file),
            ..Self::default()
        }
    }

    /// Replies come to inboxes under `prefix` (async-nats' `custom_inbox_prefix`).
    pub fn inbox_prefix(mut self, prefix: &str) -> Self {
        self.inbox_prefix = Some(prefix.to_owned());
        self
    }

    /// Connects, keeping every error the server reports on the connection (`-ERR`, such as a
    /// permissions violation), which async-nats otherwise only logs.
    pub async fn connect(&self, server: &NatsServer) -> Connection {
        self.connect_to(&[server]).await
    }

    /// Connects to the first of `servers` that answers, knowing them all, so that the
    /// connection moves to another when its server dies.
    pub async fn connect_to(&self, servers: &[&NatsServer]) -> Connection {
        connect!(async_nats, self, servers)
    }

    /// Connects as [`Self::connect`] does, on the async-nats the official client crate is built
    /// on (0.39), for that client.
    pub async fn connect_official(&self, server: &NatsServer) -> Connection<official_nats::Client> {
        connect!(official_nats, self, &[server])
    }
}

/// A connection made by a [`Login`], with the errors the server reported on it: on the runtime's
/// async-nats, or on the official client's (`Connection<official_nats::Client>`).
#[derive(Debug, Clone)]
pub struct Connection<C = async_nats::Client> {
    /// The connection.
    pub nats: C,
    errors: Arc<Mutex<Vec<String>>>,
    next: Arc<tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<String>>>,
}

impl<C> Connection<C> {
    /// Every error the server has reported so far.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().expect("not poisoned").clone()
    }

    /// The next error the server reports, if one comes within 5 s.
    pub async fn next_error(&self) -> Option<String> {
        let mut next = self.next.lock().await;
        tokio::time::timeout(Duration::from_secs(5), next.recv())
            .await
            .ok()
            .flatten()
    }
}
