//! On a cluster of three `nats-server`s routed to each other on loopback, the client on one
//! server and mock hosts on the others: every operation, queue groups answered once, scatter-
//! gather and events across servers, and a host whose server dies moving to another.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::StreamExt;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::control_interface::types as ctl;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::lattice_events::peer::Client as Events;
use wasmcloud_protocol::runtime::nats::{round_trip, Finish, GatherOptions, RequestOptions};
use wasmcloud_protocol::runtime::SubjectPrefix;
use workspace_tests::mock_host::MockHostConfig;
use workspace_tests::nats_server::{Login, NatsServer};

use crate::nats::{
    every_operation_across, hosts_on, next_event, until_a_heartbeat_arrives, within, HOSTS,
};

fn zone_eu() -> ctl::HostLabel {
    ctl::HostLabel {
        key: "zone".into(),
        value: "eu".into(),
    }
}

fn default_lattice(id: &str) -> MockHostConfig {
    MockHostConfig::new("default", id)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_with_the_host_on_another_server() {
    let nodes = NatsServer::start_cluster(3);
    every_operation_across(
        &[&nodes[1]],
        &nodes[0],
        &Login::anyone(),
        &Login::anyone(),
        &SubjectPrefix::new(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_groups_answer_once_and_scatter_gather_reaches_every_server() {
    let nodes = NatsServer::start_cluster(3);
    let (_hosts, servers, _connections) = hosts_on(
        &[&nodes[1], &nodes[2]],
        &Login::anyone(),
        default_lattice,
        2,
    )
    .await;
    let nats = Login::anyone().connect(&nodes[0]).await.nats;
    let client = Client::new(nats, "default").unwrap();
    for host in &HOSTS[..2] {
        within(
            "a host answers",
            client.wait_for_host(Some(host), Duration::from_secs(10)),
        )
        .await
        .unwrap();
    }

    // Scatter-gather from the first server collects the hosts of the other two. A host counts a
    // ping when it takes it, and the waits above may leave one of theirs on its way to the host
    // that answered second: once both have answered one more, each has counted every earlier one.
    let both = within(
        "both hosts answer a ping",
        client.get_hosts_with(&GatherOptions::new().without_quiet().expected(2)),
    )
    .await
    .unwrap();
    assert_eq!(both.finish, Finish::Expected, "{both:?}");
    let pinged: Vec<u64> = servers.iter().map(|s| s.received("getHosts")).collect();
    // A quiet period long enough that a loaded machine does not end it between the two hosts'
    // replies, which come through different servers.
    let quietly = GatherOptions::new()
        .quiet(Duration::from_secs(2))
        .deadline(Duration::from_secs(15));
    let found = within("getHosts", client.get_hosts_with(&quietly))
        .await
        .unwrap();
    let ids: BTreeSet<String> = found
        .replies
        .iter()
        .map(|r| r.response.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(ids, HOSTS[..2].iter().map(|h| h.to_string()).collect());
    assert_eq!(found.finish, Finish::Quiet);
    for (server, before) in servers.iter().zip(pinged) {
        assert_eq!(server.received("getHosts"), before + 1);
    }

    // Each request of a queue group reaches one host, whichever server it is on.
    const REQUESTS: u64 = 60;
    for _ in 0..REQUESTS {
        within("getLinks", client.get_links()).await.unwrap();
        within("getClaims", client.get_claims()).await.unwrap();
        within("getConfig", client.get_config("absent"))
            .await
            .unwrap();
    }
    for op in ["getLinks", "getClaims", "getConfig"] {
        let per_host: Vec<u64> = servers.iter().map(|s| s.received(op)).collect();
        assert_eq!(per_host.iter().sum::<u64>(), REQUESTS, "{op}: {per_host:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn events_reach_subscribers_on_every_server() {
    let nodes = NatsServer::start_cluster(3);
    let mut streams = Vec::new();
    for node in &nodes {
        let nats = Login::anyone().connect(node).await.nats;
        let events = Events::new(nats, "default").unwrap();
        streams.push(events.subscribe_lattice_event().await.unwrap());
    }
    let (hosts, _servers, _connections) =
        hosts_on(&[&nodes[1]], &Login::anyone(), default_lattice, 1).await;
    let client = Client::new(Login::anyone().connect(&nodes[2]).await.nats, "default").unwrap();
    within(
        "the host answers",
        client.wait_for_host(Some(HOSTS[0]), Duration::from_secs(10)),
    )
    .await
    .unwrap();
    // Each stream's interest reaches the host's server over its own route: heartbeats until
    // every stream has one show that it has.
    for stream in &mut streams {
        until_a_heartbeat_arrives(&hosts[0], stream).await;
    }
    let put = within("putLabel", client.put_label(HOSTS[0], &zone_eu()))
        .await
        .unwrap();
    assert!(put.success);
    for (i, stream) in streams.iter_mut().enumerate() {
        assert!(
            matches!(next_event(stream).await, LatticeEvent::LabelsChanged(_)),
            "server {i}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_whose_server_dies_moves_to_another_and_answers_again() {
    let mut nodes = NatsServer::start_cluster(3);
    // The host and one event subscriber on the second server, each knowing every server; the
    // client on the first.
    let (_hosts, _servers, connections) = hosts_on(
        &[&nodes[1], &nodes[2], &nodes[0]],
        &Login::anyone(),
        default_lattice,
        1,
    )
    .await;
    let watcher = Login::anyone()
        .connect_to(&[&nodes[1], &nodes[2], &nodes[0]])
        .await
        .nats;
    let mut events = Events::new(watcher.clone(), "default")
        .unwrap()
        .subscribe_lattice_event()
        .await
        .unwrap();
    let client = Client::with_options(
        Login::anyone().connect(&nodes[0]).await.nats,
        "default",
        RequestOptions::new().timeout(Duration::from_millis(500)),
    )
    .unwrap();
    within(
        "the host answers",
        client.wait_for_host(Some(HOSTS[0]), Duration::from_secs(10)),
    )
    .await
    .unwrap();

    // Requests keep going while the host's server dies: each ends in a reply or a typed error.
    let asking = client.clone();
    let (answered, first_answer) = tokio::sync::oneshot::channel();
    let in_flight = tokio::spawn(async move {
        let mut outcomes = Vec::new();
        let mut answered = Some(answered);
        for _ in 0..40 {
            let outcome = asking.get_host_inventory(HOSTS[0]).await;
            if outcome.is_ok() {
                if let Some(answered) = answered.take() {
                    let _ = answered.send(());
                }
            }
            outcomes.push(outcome.map(|_| ()).map_err(|e| e.kind()));
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        outcomes
    });
    // The server dies once a request has been answered, however slow the machine.
    within("a first answer", first_answer).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let dead = nodes[1].port();
    assert_eq!(connections[0].nats.server_info().port, dead);
    nodes[1].kill();
    let outcomes = within("the requests in flight", in_flight).await.unwrap();
    assert_eq!(outcomes.len(), 40);
    assert!(outcomes.iter().any(Result::is_ok), "{outcomes:?}");
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.err()).collect();
    eprintln!("in flight: {} replies, then {failed:?}", 40 - failed.len());

    // The host reconnects to another server and answers again, and the event stream resumes.
    within(
        "the host answers again",
        client.wait_for_host(Some(HOSTS[0]), Duration::from_secs(15)),
    )
    .await
    .unwrap();
    assert_ne!(connections[0].nats.server_info().port, dead);
    // The watcher reconnects on its own time: a round trip on its connection returns once it
    // has resubscribed (async-nats sends its subscriptions again before anything else), so the
    // event below cannot come before it listens again. The label is put with the default
    // timeout: the host has only just come back.
    within("the watcher is back", round_trip(&watcher))
        .await
        .unwrap();
    let patient = Client::new(Login::anyone().connect(&nodes[0]).await.nats, "default").unwrap();
    let put = within("putLabel", patient.put_label(HOSTS[0], &zone_eu()))
        .await
        .unwrap();
    assert!(put.success);
    assert!(matches!(
        next_event(&mut events).await,
        LatticeEvent::LabelsChanged(_)
    ));
    // A scatter-gather through the stream sees it too.
    let mut replies = client
        .get_hosts_stream(&GatherOptions::new().expected(1))
        .await
        .unwrap();
    let first = within("a streamed reply", replies.next())
        .await
        .expect("one reply")
        .expect("decodable");
    assert_eq!(first.response.as_ref().unwrap().id, HOSTS[0]);
    assert!(replies.next().await.is_none());
    assert_eq!(replies.finish(), Some(Finish::Expected));
}
