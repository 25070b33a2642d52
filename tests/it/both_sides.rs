//! Both sides of every operation, generated from one document and talking over a real
//! nats-server: the fleet backend the document describes (`app`) and its vehicles (`peer`), from
//! `codegen/tests/fixtures/fleet/spec.yaml`.
//!
//! | operation | backend | vehicles |
//! |---|---|---|
//! | `sendCommand` (send, reply, queue group) | `app::Client::request_command` | `peer::Responder::handle_command` |
//! | `rollCall` (send, scatter-gather) | `app::Client::roll_call` | `peer::Responder::roll_call` |
//! | `announceMaintenance` (send) | `app::Client::publish_announce_maintenance` | `peer::Client::subscribe_announce_maintenance` |
//! | `getRoute` (receive, reply) | `app::Responder::get_route` | `peer::Client::get_route` |
//! | `receiveEvents` (receive) | `app::Responder::handle_events` | `peer::Client::publish_events` |

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asyncapi_runtime::nats::{
    async_nats, round_trip, GatherOptions, Reject, RequestErrorKind, ServeOptions,
};
use futures::StreamExt;
use tokio::sync::mpsc;
use workspace_tests::fixtures::fixture_fleet::subjects::{
    CommandSubject, EventsSubject, RollSubject, RouteSubject,
};
use workspace_tests::fixtures::fixture_fleet::types::{
    Ack, CommandPayload, CommandPayloadAction, MaintenancePayload, Report, RollCallPayload, Route,
    RouteRequestPayload, VehicleEventPayload, VehicleEventPayloadKind,
};
use workspace_tests::fixtures::fixture_fleet::{app, peer};
use workspace_tests::nats_server::NatsServer;

use crate::nats::within;

/// A vehicle: answers the backend's commands (refusing to honk) and roll calls, counting the
/// commands it answers.
struct Vehicle {
    id: &'static str,
    worker: &'static str,
    commands: Arc<AtomicUsize>,
}

impl peer::Responder for Vehicle {
    async fn handle_command(
        &self,
        subject: CommandSubject<'_>,
        command: CommandPayload,
    ) -> Result<Ack, Reject> {
        assert_eq!(subject.vehicle(), self.id);
        self.commands.fetch_add(1, Ordering::SeqCst);
        if command.action == CommandPayloadAction::Honk {
            return Err(Reject::refuse("no honking at night"));
        }
        Ok(Ack {
            success: true,
            message: self.worker.to_owned(),
            vehicle: Some(self.id.to_owned()),
        })
    }

    async fn roll_call(&self, _: RollSubject, _: RollCallPayload) -> Result<Report, Reject> {
        Ok(Report {
            success: true,
            message: String::new(),
            vehicle: Some(format!("{}/{}", self.id, self.worker)),
            odometer: Some(1200),
        })
    }
}

/// The backend: gives routes and passes on the events it is told.
struct Backend {
    events: mpsc::UnboundedSender<(String, VehicleEventPayload)>,
}

impl app::Responder for Backend {
    async fn get_route(
        &self,
        subject: RouteSubject<'_>,
        request: RouteRequestPayload,
    ) -> Result<Route, Reject> {
        if subject.vehicle() == "ghost" {
            return Err(Reject::refuse("no such vehicle"));
        }
        Ok(Route {
            success: true,
            message: String::new(),
            stops: Some(vec![request.from, format!("{}-market", subject.vehicle())]),
        })
    }

    async fn handle_events(&self, subject: EventsSubject<'_>, event: VehicleEventPayload) {
        let _ = self.events.send((subject.vehicle().to_owned(), event));
    }
}

async fn connect(server: &NatsServer) -> async_nats::Client {
    async_nats::connect(server.url()).await.expect("connects")
}

#[tokio::test(flavor = "multi_thread")]
async fn both_sides_of_every_operation_talk_over_nats() {
    let server = NatsServer::start();
    let nats = connect(&server).await;

    // The backend's side: its responder, and its client.
    let (tx, mut events) = mpsc::unbounded_channel();
    let _backend_server = app::serve(nats.clone(), Backend { events: tx }, ServeOptions::new())
        .await
        .unwrap();
    let backend = app::Client::new(nats.clone()).unwrap();

    // The vehicles' side: van-1 runs two workers in the command queue group, van-2 one; each
    // serves only its own commands.
    let (van1, van2) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut vehicle_servers = Vec::new();
    for (id, worker, count) in [
        ("van-1", "a", &van1),
        ("van-1", "b", &van1),
        ("van-2", "a", &van2),
    ] {
        let vehicle = Vehicle {
            id,
            worker,
            commands: count.clone(),
        };
        let options = ServeOptions::new().fix("vehicle", id);
        vehicle_servers.push(
            peer::serve(connect(&server).await, vehicle, options)
                .await
                .unwrap(),
        );
    }
    let vehicles = peer::Client::new(nats.clone()).unwrap();
    let mut announcements = vehicles.subscribe_announce_maintenance().await.unwrap();
    round_trip(&nats).await.unwrap();

    // sendCommand: the backend asks, one worker of the vehicle's queue group answers each
    // command, and only that vehicle's.
    let lock = CommandPayload {
        action: CommandPayloadAction::Lock,
    };
    for _ in 0..10 {
        let ack = within("a command", backend.request_command("van-1", &lock))
            .await
            .unwrap();
        assert!(ack.success);
        assert_eq!(ack.vehicle.as_deref(), Some("van-1"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(van1.load(Ordering::SeqCst), 10, "each command once");
    assert_eq!(van2.load(Ordering::SeqCst), 0);
    // A refusal comes back as one, with its reason.
    let honk = CommandPayload {
        action: CommandPayloadAction::Honk,
    };
    let refused = within("a refused command", backend.request_command("van-2", &honk))
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), RequestErrorKind::Refused, "{refused}");
    assert_eq!(refused.refusal(), Some("no honking at night"));
    // An undecodable command is answered with the reason, as a refusal.
    let raw = within(
        "a raw command",
        nats.request("fleet.van-2.command", "{\"action\": \"fly\"}".into()),
    )
    .await
    .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&raw.payload).unwrap();
    assert_eq!(answer["success"], false, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot decode the request"),
        "{answer}"
    );
    // No vehicle: no responders, said at once.
    let nobody = within("no vehicle", backend.request_command("van-9", &lock))
        .await
        .unwrap_err();
    assert_eq!(nobody.kind(), RequestErrorKind::NoResponders, "{nobody}");

    // rollCall: every worker of every vehicle reports.
    let reports = within(
        "a roll call",
        backend.roll_call_with(
            &RollCallPayload {
                reason: Some("inventory".into()),
            },
            &GatherOptions::new().expected(3),
        ),
    )
    .await
    .unwrap();
    let mut who: Vec<String> = reports
        .replies
        .iter()
        .filter_map(|r| r.vehicle.clone())
        .collect();
    who.sort();
    assert_eq!(who, ["van-1/a", "van-1/b", "van-2/a"]);

    // announceMaintenance: published by the backend, received by the vehicles.
    let window = MaintenancePayload {
        window: "sunday 02:00-04:00".into(),
    };
    backend.publish_announce_maintenance(&window).await.unwrap();
    let got = within("an announcement", announcements.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.message, window);

    // getRoute: a vehicle asks, the backend answers (or refuses).
    let route = within(
        "a route",
        vehicles.get_route(
            "van-2",
            &RouteRequestPayload {
                from: "depot".into(),
            },
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        route.stops.as_deref(),
        Some(&["depot".to_owned(), "van-2-market".to_owned()][..])
    );
    let ghost = within(
        "a refused route",
        vehicles.get_route(
            "ghost",
            &RouteRequestPayload {
                from: "depot".into(),
            },
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(ghost.refusal(), Some("no such vehicle"), "{ghost}");

    // receiveEvents: a vehicle publishes, the backend takes it.
    let fault = VehicleEventPayload {
        kind: VehicleEventPayloadKind::Fault,
        detail: Some("tyre pressure".into()),
    };
    vehicles.publish_events("van-1", &fault).await.unwrap();
    assert_eq!(
        within("an event", events.recv()).await.unwrap(),
        ("van-1".to_owned(), fault)
    );
}
