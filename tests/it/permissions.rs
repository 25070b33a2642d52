//! The permissions generated for each role, on a real nats-server with authorization: every
//! operation works under them (our client and responder, the official client, our event stream
//! as an observer), and what a role has no business doing is refused by the server. Each test
//! runs twice: with the users of a configuration file (passwords), and in operator mode, each
//! user connecting with a `.creds` file whose JWT carries its role's permissions.

use std::time::Duration;

use futures::StreamExt;
use wasmcloud_protocol::control_interface as ctl_spec;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::lattice_events::peer::Client as Events;
use wasmcloud_protocol::runtime::creds::UserOptions;
use wasmcloud_protocol::runtime::nats::{GatherOptions, RequestOptions};
use wasmcloud_protocol::runtime::permissions::{PermissionOptions, Permissions, Role};
use wasmcloud_protocol::runtime::SubjectPrefix;
use workspace_tests::mock_host::MockHostConfig;
use workspace_tests::nats_server::{authorization, Connection, Login, NatsServer, Written};
use workspace_tests::operator::Operator;

use crate::nats::{
    assert_no_server_errors, every_operation, every_operation_across, hosts_as,
    official_client_against_our_responder, HOSTS,
};

/// How the server knows the lattice's users.
#[derive(Debug, Clone, Copy)]
enum Auth {
    /// The users of its configuration, with passwords and permissions blocks (or JSON).
    Users,
    /// Operator mode: each user's JWT, in the `.creds` file it connects with, carries the
    /// permissions.
    Operator,
}

/// A server with the users of a lattice: `host`, `client` (default inbox), `alice` and `bob`
/// (clients with inboxes of their own) and `observer`, each with the permissions generated for
/// its role. With [`Auth::Users`] some are written as the configuration block, some as JSON:
/// nats-server must take both.
struct Lattice {
    server: NatsServer,
    logins: Vec<(&'static str, Login)>,
}

impl Lattice {
    fn start(auth: Auth, options: &PermissionOptions) -> Self {
        let with_inbox = |user: &str| {
            options
                .clone()
                .inbox_prefix(format!("_INBOX_{user}"))
                .unwrap()
        };
        let users = [
            ("host", Role::Application, options.clone(), Written::Block),
            ("client", Role::Client, options.clone(), Written::Json),
            ("alice", Role::Client, with_inbox("alice"), Written::Block),
            ("bob", Role::Client, with_inbox("bob"), Written::Json),
            ("observer", Role::Observer, options.clone(), Written::Json),
        ];
        let permissions: Vec<Permissions> = users
            .iter()
            .map(|(_, role, options, _)| wasmcloud_protocol::permissions(*role, options).unwrap())
            .collect();
        let inbox = |user: &str, login: Login| match user {
            "alice" | "bob" => login.inbox_prefix(&format!("_INBOX_{user}")),
            _ => login,
        };
        match auth {
            Auth::Users => {
                let entries: Vec<(&str, Option<&Permissions>, Written)> = users
                    .iter()
                    .zip(&permissions)
                    .map(|((user, _, _, written), p)| (*user, Some(p), *written))
                    .collect();
                Self {
                    server: NatsServer::start_with_config(&authorization(&entries)),
                    logins: users
                        .iter()
                        .map(|(user, ..)| (*user, inbox(user, Login::user(user))))
                        .collect(),
                }
            }
            Auth::Operator => {
                let operator = Operator::new();
                let logins = users
                    .iter()
                    .zip(&permissions)
                    .map(|((user, ..), p)| {
                        let creds = operator.user(user, p, UserOptions::new());
                        (*user, inbox(user, Login::creds(creds)))
                    })
                    .collect();
                Self {
                    server: NatsServer::start_with_config(&operator.config()),
                    logins,
                }
            }
        }
    }

    fn login(&self, user: &str) -> Login {
        self.logins
            .iter()
            .find(|(u, _)| *u == user)
            .map(|(_, login)| login.clone())
            .unwrap_or_else(|| panic!("no user {user}"))
    }
}

fn default_lattice() -> PermissionOptions {
    PermissionOptions::new().value("lattice", "default")
}

/// Waits for the server to refuse what `connection` just did, naming `subject`.
async fn refused(connection: &Connection, what: &str, subject: &str) {
    let error = connection
        .next_error()
        .await
        .unwrap_or_else(|| panic!("{what}: the server did not refuse it"));
    assert!(
        error.contains("Permissions Violation") && error.contains(subject),
        "{what}: the server said {error:?}"
    );
    // The server's answer, for `--nocapture` readers.
    eprintln!("{what}: {error}");
}

async fn publish(connection: &Connection, subject: &str) {
    connection
        .nats
        .publish(subject.to_owned(), "{}".into())
        .await
        .unwrap();
    connection.nats.flush().await.unwrap();
}

/// A subject of the operation's channel, with the lattice and root of `prefix`.
fn subject_of(op: &wasmcloud_protocol::runtime::OperationInfo, prefix: &SubjectPrefix) -> String {
    let filter = op
        .channel
        .filter(&[("lattice", "default")], prefix)
        .unwrap();
    filter
        .split('.')
        .map(|t| if t == "*" || t == ">" { HOSTS[1] } else { t })
        .collect::<Vec<_>>()
        .join(".")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_works_under_the_generated_permissions() {
    every_operation_under_least_privilege(Auth::Users, SubjectPrefix::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_works_with_a_custom_ctl_prefix_and_an_account() {
    every_operation_under_least_privilege(Auth::Users, acme()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_works_in_operator_mode_with_each_roles_creds() {
    every_operation_under_least_privilege(Auth::Operator, SubjectPrefix::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_works_in_operator_mode_with_a_custom_ctl_prefix_and_an_account() {
    every_operation_under_least_privilege(Auth::Operator, acme()).await;
}

/// The observer follows the events while a client with an inbox of its own drives every
/// operation against a host, all on subjects with `prefix`.
async fn every_operation_under_least_privilege(auth: Auth, prefix: SubjectPrefix) {
    let options = default_lattice().prefix(prefix.clone());
    let lattice = Lattice::start(auth, &options);
    let server = &lattice.server;
    let login = |user: &str| lattice.login(user);
    let observer = login("observer").connect(server).await;
    let with_prefix = RequestOptions::new().prefix(prefix.clone());
    let observed = Events::with_options(observer.nats.clone(), "default", with_prefix).unwrap();
    let mut events = observed.subscribe_lattice_event().await.unwrap();
    every_operation(server, &login("host"), &login("alice"), &prefix).await;
    let mut seen = std::collections::BTreeSet::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(1), events.next()).await {
        let event = event.expect("hosts publish valid events");
        assert!(event
            .subject
            .starts_with(&format!("{}wasmbus.evt.default.", account(&prefix))));
        let event = event.message;
        seen.insert(format!("{:?}", std::mem::discriminant(&event)));
        if matches!(event, LatticeEvent::HostStopped(_)) {
            break;
        }
    }
    assert!(seen.len() >= 5, "the observer saw too few kinds: {seen:?}");
    assert_no_server_errors(&[&observer]);
    assert_eq!(server.violations(), Vec::<String>::new());
}

/// `ACME.` for a prefix with that account, or nothing.
fn account(prefix: &SubjectPrefix) -> String {
    prefix
        .account()
        .map(|a| format!("{a}."))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_client_works_under_the_client_role() {
    for auth in [Auth::Users, Auth::Operator] {
        let lattice = Lattice::start(auth, &default_lattice());
        let (host, client) = (lattice.login("host"), lattice.login("client"));
        official_client_against_our_responder(&lattice.server, &host, &client).await;
        assert_eq!(
            lattice.server.violations(),
            Vec::<String>::new(),
            "{auth:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_role_may_not_do_is_refused_by_the_server() {
    forbidden_actions_are_refused(Auth::Users, SubjectPrefix::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_role_may_not_do_is_refused_with_a_custom_ctl_prefix_and_an_account() {
    forbidden_actions_are_refused(Auth::Users, acme()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_role_may_not_do_is_refused_in_operator_mode() {
    forbidden_actions_are_refused(Auth::Operator, SubjectPrefix::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_role_may_not_do_is_refused_in_operator_mode_with_a_custom_ctl_prefix_and_an_account(
) {
    forbidden_actions_are_refused(Auth::Operator, acme()).await;
}

/// The deployment of the prefix tests: root `acme.ctl`, account `ACME`.
fn acme() -> SubjectPrefix {
    SubjectPrefix::new()
        .with_root("acme.ctl")
        .unwrap()
        .with_account("ACME")
        .unwrap()
}

/// Every action the issue of least privilege names, tried by the role that may not, on a lattice
/// whose subjects carry `prefix`: each is refused by the server as a permissions violation.
async fn forbidden_actions_are_refused(auth: Auth, prefix: SubjectPrefix) {
    let options = default_lattice().prefix(prefix.clone());
    let lattice = Lattice::start(auth, &options);
    let server = &lattice.server;
    let login = |user: &str| lattice.login(user);
    let config = |id: &str| {
        let mut c = MockHostConfig::new("default", id);
        c.prefix = prefix.clone();
        c
    };
    let (_hosts, _servers, host_connections) = hosts_as(server, &login("host"), config, 1).await;
    let host = &host_connections[0];
    let client = login("client").connect(server).await;
    let alice = login("alice").connect(server).await;
    let bob = login("bob").connect(server).await;
    let observer = login("observer").connect(server).await;
    let with_prefix = RequestOptions::new().prefix(prefix.clone());
    let watched =
        Events::with_options(observer.nats.clone(), "default", with_prefix.clone()).unwrap();
    let mut events = watched.subscribe_lattice_event().await.unwrap();
    let ctl_op = |id: &str| subject_of(ctl_spec::INFO.operation(id).unwrap(), &prefix);
    let evt_op = |id: &str| {
        let events = wasmcloud_protocol::lattice_events::INFO;
        subject_of(events.operation(id).unwrap(), &prefix)
    };

    // A control client publishes an event: refused, and no one receives it.
    let event = evt_op("receiveHostStarted");
    publish(&client, &event).await;
    refused(&client, "a client publishing an event", &event).await;
    let forged = tokio::time::timeout(Duration::from_millis(300), events.next()).await;
    assert!(forged.is_err(), "the forged event arrived: {forged:?}");

    // ...subscribes to the requests hosts serve, or answers a request.
    for op in ctl_spec::INFO.operations {
        let subject = subject_of(op, &prefix);
        let _ = client.nats.subscribe(subject.clone()).await.unwrap();
        refused(&client, "a client subscribing to requests", &subject).await;
    }
    publish(&client, "_INBOX.someone.1").await;
    refused(&client, "a client answering a request", "_INBOX.someone.1").await;

    // An observer sends any command.
    for op in ctl_spec::INFO.operations {
        let subject = subject_of(op, &prefix);
        publish(&observer, &subject).await;
        refused(&observer, "an observer sending a command", &subject).await;
    }

    // A host sends a command to another host, or asks the lattice anything.
    for subject in [ctl_op("scaleComponent"), ctl_op("getHosts")] {
        assert!(subject.contains("v1.default."), "{subject}");
        publish(host, &subject).await;
        refused(host, "a host sending a command", &subject).await;
    }

    // A client with an inbox of its own reads another's replies, or every inbox.
    for inboxes in ["_INBOX_bob.>", "_INBOX.>"] {
        let _ = alice.nats.subscribe(inboxes).await.unwrap();
        refused(&alice, "alice reading others' replies", inboxes).await;
    }
    // ...while bob's own requests still get their replies.
    let bobs = Client::with_options(
        bob.nats.clone(),
        "default",
        with_prefix.gather(GatherOptions::new().expected(1)),
    )
    .unwrap();
    let hosts = bobs.get_hosts().await.unwrap();
    assert_eq!(hosts.replies.len(), 1);
    assert_no_server_errors(&[&bob]);
    // The server logged each refusal, and nothing else. It tells the client of a refusal before
    // it logs it, so the last line may come a moment after the last refusal.
    let expected = 2 * ctl_spec::INFO.operations.len() + 6;
    crate::nats::within("every refusal logged", async {
        while server.violations().len() < expected {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(
        server.violations().len(),
        expected,
        "{:#?}",
        server.violations()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_with_an_account_and_root_may_not_leave_them() {
    let prefix = acme();
    let options = default_lattice().prefix(prefix.clone());
    let lattice = Lattice::start(Auth::Users, &options);
    let client = lattice.login("alice").connect(&lattice.server).await;
    for subject in [
        "wasmbus.ctl.v1.default.host.ping",
        "ACME.wasmbus.ctl.v1.default.host.ping",
        "acme.ctl.v1.default.host.ping",
        "OTHER.acme.ctl.v1.default.host.ping",
    ] {
        publish(&client, subject).await;
        refused(&client, "a client outside its account and root", subject).await;
    }
    for subject in ["wasmbus.evt.default.>", "OTHER.wasmbus.evt.default.>"] {
        let _ = client.nats.subscribe(subject).await.unwrap();
        refused(&client, "a client following another account", subject).await;
    }
}

#[test]
fn each_role_gets_what_its_operations_need_and_nothing_else() {
    let options = default_lattice();
    let host = wasmcloud_protocol::permissions(Role::Application, &options).unwrap();
    let client = wasmcloud_protocol::permissions(Role::Client, &options).unwrap();
    let observer = wasmcloud_protocol::permissions(Role::Observer, &options).unwrap();
    let prefix = SubjectPrefix::new();
    for op in ctl_spec::INFO.operations {
        let subject = subject_of(op, &prefix);
        assert!(client.publish.allows(&subject), "{subject}");
        assert!(!client.subscribe.allows(&subject), "{subject}");
        assert!(!host.publish.allows(&subject), "{subject}");
        // Queue operations are served in their queue group only.
        assert_eq!(
            host.subscribe.allows(&subject),
            op.queue.is_none(),
            "{subject}"
        );
        assert!(!observer.publish.allows(&subject), "{subject}");
        assert!(!observer.subscribe.allows(&subject), "{subject}");
    }
    for op in wasmcloud_protocol::lattice_events::INFO.operations {
        let subject = subject_of(op, &prefix);
        assert!(host.publish.allows(&subject), "{subject}");
        assert!(client.subscribe.allows(&subject), "{subject}");
        assert!(observer.subscribe.allows(&subject), "{subject}");
        assert!(!client.publish.allows(&subject), "{subject}");
        assert!(!observer.publish.allows(&subject), "{subject}");
    }
    assert!(host.allow_responses);
    assert!(!client.allow_responses && !observer.allow_responses);
    assert!(client.subscribe.allows("_INBOX.x.y"));
    assert!(!host.subscribe.allows("_INBOX.x.y") && !observer.subscribe.allows("_INBOX.x.y"));
    assert!(!observer.publish.allows("_INBOX.x.y") && !host.publish.allows("_INBOX.x.y"));
    // Another lattice is nobody's.
    assert!(!client.publish.allows("wasmbus.ctl.v1.other.host.ping"));
    assert!(!observer.subscribe.allows("wasmbus.evt.other.host_started"));
    // Bad values are refused, not rendered.
    for (param, value) in [("lattice", "a.b"), ("lattice", "*"), ("lattize", "default")] {
        let bad = PermissionOptions::new().value(param, value);
        assert!(
            Permissions::for_role(wasmcloud_protocol::SPECS, Role::Client, &bad).is_err(),
            "{param}={value}"
        );
    }
}

/// In operator mode the server takes a user only with a JWT its account signed and that has not
/// expired: a JWT past its expiry is refused, and so is one signed by an account the operator
/// does not know, whatever permissions they carry.
#[tokio::test(flavor = "multi_thread")]
async fn operator_mode_refuses_an_expired_jwt_and_one_another_account_signed() {
    let operator = Operator::new();
    let server = NatsServer::start_with_config(&operator.config());
    let client = wasmcloud_protocol::permissions(Role::Client, &default_lattice()).unwrap();
    let connects = |creds: std::path::PathBuf| {
        let url = server.url();
        async move {
            let options = wasmcloud_protocol::runtime::nats::async_nats::ConnectOptions::new()
                .credentials_file(&creds)
                .await
                .unwrap();
            options.connect(url).await
        }
    };
    let good = operator.user(
        "client",
        &client,
        UserOptions::new().expires_in(Duration::from_secs(3600)),
    );
    assert!(connects(good).await.is_ok(), "a good JWT connects");
    let past = std::time::SystemTime::now() - Duration::from_secs(60);
    let expired = operator.user("client", &client, UserOptions::new().expires_at(past));
    let refused = connects(expired)
        .await
        .expect_err("an expired JWT is refused");
    assert!(refused.to_string().contains("authorization"), "{refused}");
    let stranger = Operator::new();
    let foreign = stranger.user("client", &client, UserOptions::new());
    let refused = connects(foreign)
        .await
        .expect_err("a JWT of another account is refused");
    assert!(refused.to_string().contains("authorization"), "{refused}");
    // The server logs each refusal; of the stranger's, that it knows no such account.
    let log = server.log();
    assert_eq!(log.matches("authentication error").count(), 2, "{log}");
    assert!(log.contains("account missing"), "{log}");
}

/// The sidecar layout: a leaf node beside the host, which connects to it on localhost without
/// credentials, while the leaf connects to the hub (in operator mode) with the host role's creds.
/// Every operation works for a client on the hub; what the host may not do is refused at the hub,
/// though the leaf lets anyone beside it do anything: a command sent beside the host stays on the
/// leaf, no event reaches a subscriber beside it, and the hub refuses (and logs) the leaf's
/// interest in what the role may not subscribe to.
#[tokio::test(flavor = "multi_thread")]
async fn the_host_on_a_leaf_node_works_and_is_held_to_its_role_at_the_hub() {
    use wasmcloud_protocol::runtime::creds::leaf_node_config;
    let operator = Operator::new();
    let leaf_port = workspace_tests::nats_server::free_port();
    // At debug level the hub logs the interest from the leaf it refuses.
    let hub = NatsServer::start_with_config(&format!(
        "debug: true\n{}leafnodes {{ listen: \"127.0.0.1:{leaf_port}\" }}\n",
        operator.config()
    ));
    let options = default_lattice();
    let role = |role| wasmcloud_protocol::permissions(role, &options).unwrap();
    // The leaf's connection answers the client's requests across it: the inbox rights nats-server
    // needs there instead of `allow_responses`.
    let host_options = options
        .clone()
        .answering_across_leaf_node("_INBOX")
        .unwrap();
    let host = wasmcloud_protocol::permissions(Role::Application, &host_options).unwrap();
    let host_creds = operator.user("host", &host, UserOptions::new());
    let client_creds = operator.user("client", &role(Role::Client), UserOptions::new());
    let leaf = NatsServer::start_with_config(&leaf_node_config(
        &format!("nats-leaf://127.0.0.1:{leaf_port}"),
        &host_creds,
        "127.0.0.1:4222",
    ));
    crate::nats::within("the leaf connecting to the hub", async {
        while !hub.log().contains("Leafnode connection created") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // The leaf asks for JetStream's API for those beside it, which the host role (without a real
    // host's needs) may not subscribe to: the hub refuses it, and says so.
    let refusal = "Not permitted to subscribe to \"$JS.API.>\"";
    crate::nats::within("the hub refusing the leaf's interest", async {
        while !hub.log().contains(refusal) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let client = Login::creds(client_creds);
    every_operation_across(
        &[&leaf],
        &hub,
        &Login::anyone(),
        &client,
        &SubjectPrefix::new(),
    )
    .await;
    assert_eq!(hub.violations(), Vec::<String>::new());

    // Beside the host, anyone may publish anything on the leaf; the hub takes from the leaf only
    // what the host role may publish: it tells the leaf of no other interest, so a command stays
    // on the leaf (nats-server logs nothing of it), while an event crosses.
    let beside = Login::anyone().connect(&leaf).await;
    let spy = Login::anyone().connect(&leaf).await;
    let command = format!("wasmbus.ctl.v1.default.component.scale.{}", HOSTS[1]);
    let event = "wasmbus.evt.default.host_started";
    let watcher = operator.user("watcher", &role(Role::Application), UserOptions::new());
    let watcher = Login::creds(watcher).connect(&hub).await;
    let mut commands = watcher.nats.subscribe(command.clone()).await.unwrap();
    let observer = operator.user("observer", &role(Role::Observer), UserOptions::new());
    let observer = Login::creds(observer).connect(&hub).await;
    let mut events = observer.nats.subscribe(event).await.unwrap();
    for nats in [&watcher.nats, &observer.nats] {
        wasmcloud_protocol::runtime::nats::round_trip(nats)
            .await
            .unwrap();
    }
    let mut local = spy.nats.subscribe(command.clone()).await.unwrap();
    wasmcloud_protocol::runtime::nats::round_trip(&spy.nats)
        .await
        .unwrap();
    // The leaf learns of the observer's interest in events in its own time.
    crate::nats::within("an event crossing to the hub", async {
        loop {
            publish(&beside, event).await;
            if tokio::time::timeout(Duration::from_millis(200), events.next())
                .await
                .is_ok()
            {
                break;
            }
        }
    })
    .await;
    publish(&beside, &command).await;
    assert!(
        crate::nats::within("the local subscriber", local.next())
            .await
            .is_some(),
        "the leaf delivers locally"
    );
    let crossed = tokio::time::timeout(Duration::from_millis(500), commands.next()).await;
    assert!(
        crossed.is_err(),
        "the command crossed to the hub: {crossed:?}"
    );

    // The host role may not follow the events: a subscriber beside it gets none from the hub
    // (the leaf, holding the hub's word on the role, keeps the interest to itself).
    let stopped = "wasmbus.evt.default.host_stopped";
    let mut eavesdropped = spy.nats.subscribe(stopped).await.unwrap();
    wasmcloud_protocol::runtime::nats::round_trip(&spy.nats)
        .await
        .unwrap();
    publish(&watcher, stopped).await;
    let heard = tokio::time::timeout(Duration::from_millis(500), eavesdropped.next()).await;
    assert!(heard.is_err(), "an event reached the leaf: {heard:?}");
    assert_no_server_errors(&[&watcher, &observer]);
}
