//! The permissions generated for each role, on a real nats-server with authorization: every
//! operation works under them (our client and responder, the official client, our event stream
//! as an observer), and what a role has no business doing is refused by the server.

use std::time::Duration;

use futures::StreamExt;
use wasmcloud_protocol::control_interface as ctl_spec;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::lattice_events::peer::Client as Events;
use wasmcloud_protocol::runtime::nats::{GatherOptions, RequestOptions};
use wasmcloud_protocol::runtime::permissions::{PermissionOptions, Permissions, Role};
use wasmcloud_protocol::runtime::SubjectPrefix;
use workspace_tests::mock_host::MockHostConfig;
use workspace_tests::nats_server::{authorization, Connection, Login, NatsServer, Written};

use crate::nats::{
    assert_no_server_errors, every_operation, hosts_as, official_client_against_our_responder,
    HOSTS,
};

/// The users of a lattice: `host`, `client` (default inbox), `alice` and `bob` (clients with
/// inboxes of their own) and `observer`, each with the permissions generated for its role.
/// Some are written as the configuration block, some as JSON: nats-server must take both.
fn lattice_config(options: &PermissionOptions) -> String {
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
    let entries: Vec<(&str, Option<&Permissions>, Written)> = users
        .iter()
        .zip(&permissions)
        .map(|((user, _, _, written), p)| (*user, Some(p), *written))
        .collect();
    authorization(&entries)
}

fn default_lattice() -> PermissionOptions {
    PermissionOptions::new().value("lattice", "default")
}

fn login(user: &str) -> Login {
    match user {
        "alice" | "bob" => Login::user(user).inbox_prefix(&format!("_INBOX_{user}")),
        _ => Login::user(user),
    }
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
    every_operation_under_least_privilege(SubjectPrefix::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_works_with_a_custom_ctl_prefix_and_an_account() {
    every_operation_under_least_privilege(acme()).await;
}

/// The observer follows the events while a client with an inbox of its own drives every
/// operation against a host, all on subjects with `prefix`.
async fn every_operation_under_least_privilege(prefix: SubjectPrefix) {
    let options = default_lattice().prefix(prefix.clone());
    let server = NatsServer::start_with_config(&lattice_config(&options));
    let observer = login("observer").connect(&server).await;
    let with_prefix = RequestOptions::new().prefix(prefix.clone());
    let observed = Events::with_options(observer.nats.clone(), "default", with_prefix).unwrap();
    let mut events = observed.subscribe_lattice_event().await.unwrap();
    every_operation(&server, &login("host"), &login("alice"), &prefix).await;
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
    let server = NatsServer::start_with_config(&lattice_config(&default_lattice()));
    official_client_against_our_responder(&server, &login("host"), &login("client")).await;
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_role_may_not_do_is_refused_by_the_server() {
    forbidden_actions_are_refused(SubjectPrefix::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_role_may_not_do_is_refused_with_a_custom_ctl_prefix_and_an_account() {
    forbidden_actions_are_refused(acme()).await;
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
async fn forbidden_actions_are_refused(prefix: SubjectPrefix) {
    let options = default_lattice().prefix(prefix.clone());
    let server = NatsServer::start_with_config(&lattice_config(&options));
    let config = |id: &str| {
        let mut c = MockHostConfig::new("default", id);
        c.prefix = prefix.clone();
        c
    };
    let (_hosts, _servers, host_connections) = hosts_as(&server, &login("host"), config, 1).await;
    let host = &host_connections[0];
    let client = login("client").connect(&server).await;
    let alice = login("alice").connect(&server).await;
    let bob = login("bob").connect(&server).await;
    let observer = login("observer").connect(&server).await;
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
    // The server logged each refusal, and nothing else.
    let expected = 2 * ctl_spec::INFO.operations.len() + 6;
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
    let server = NatsServer::start_with_config(&lattice_config(&options));
    let client = login("alice").connect(&server).await;
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
