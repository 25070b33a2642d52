//! A NATS service written in AsyncAPI 3.0 (`codegen/tests/fixtures/nats-3.0/spec.yaml`),
//! generated like every fixture and run over a real nats-server: a request whose `reply` goes to
//! the requester's inbox (a reply channel with `address: null`), answered by one member of the
//! operation's queue group; a `receive` operation with two messages; and a typed subscription to
//! what the service `send`s.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asyncapi_runtime::nats::{async_nats, Reject, RequestErrorKind, RequestOptions, ServeOptions};
use futures::StreamExt;
use tokio::sync::mpsc;
use workspace_tests::fixtures::fixture_nats_3_0::app::{self, serve, Responder};
use workspace_tests::fixtures::fixture_nats_3_0::messages::Mode;
use workspace_tests::fixtures::fixture_nats_3_0::peer::Client;
use workspace_tests::fixtures::fixture_nats_3_0::subjects::{ModeSubject, SetpointSubject};
use workspace_tests::fixtures::fixture_nats_3_0::types::{
    BoostPayload, EcoPayload, ReadingPayload, SetTemperature, SetpointAccepted,
};
use workspace_tests::nats_server::NatsServer;

use crate::nats::within;

/// One thermostat of the queue group: answers setpoints with its own name, and passes on the
/// modes it is told.
struct Thermostat {
    name: String,
    answered: Arc<AtomicUsize>,
    modes: mpsc::UnboundedSender<(String, String, Mode)>,
}

impl Responder for Thermostat {
    async fn set_temperature(
        &self,
        subject: SetpointSubject<'_>,
        request: SetTemperature,
    ) -> Result<SetpointAccepted, Reject> {
        if subject.room() == "office" && request.celsius > 25.0 {
            return Err(Reject::refuse("the office is kept at 25 °C at most"));
        }
        self.answered.fetch_add(1, Ordering::SeqCst);
        Ok(SetpointAccepted {
            celsius: request.celsius,
            thermostat: self.name.clone(),
        })
    }

    async fn change_mode(&self, subject: ModeSubject<'_>, request: Mode) {
        let _ = self.modes.send((
            subject.site().to_owned(),
            subject.room().to_owned(),
            request,
        ));
    }
}

#[tokio::test]
async fn a_3_0_service_answers_on_the_inbox_in_its_queue_group_and_its_messages_are_typed() {
    let server = NatsServer::start();
    let connect = || async { async_nats::connect(server.url()).await.expect("connects") };
    let (modes_tx, mut modes) = mpsc::unbounded_channel();
    let counts: Vec<Arc<AtomicUsize>> = (0..2).map(|_| Arc::default()).collect();
    let mut servers = Vec::new();
    for (i, answered) in counts.iter().enumerate() {
        let thermostat = Thermostat {
            name: format!("thermostat-{i}"),
            answered: answered.clone(),
            modes: modes_tx.clone(),
        };
        servers.push(
            serve(connect().await, thermostat, ServeOptions::new())
                .await
                .expect("serves"),
        );
    }
    let nats = connect().await;
    let kitchen = Client::new(nats.clone(), "home1", "kitchen").unwrap();

    // Request/reply: the typed reply, from one member of the queue group each time.
    const REQUESTS: usize = 20;
    for n in 0..REQUESTS {
        let celsius = 18.0 + n as f64 / 10.0;
        let reply = within(
            "setTemperature",
            kitchen.set_temperature(&SetTemperature { celsius }),
        )
        .await
        .expect("a reply")
        .into_inner();
        assert_eq!(reply.celsius, celsius);
        assert!(reply.thermostat.starts_with("thermostat-"));
    }
    let answered: Vec<usize> = counts.iter().map(|c| c.load(Ordering::SeqCst)).collect();
    assert_eq!(
        answered.iter().sum::<usize>(),
        REQUESTS,
        "each request is answered once, by one member of the queue group: {answered:?}"
    );

    // The spec has no reply status to carry a refusal in, so a refused request is not answered.
    let office = Client::with_options(
        nats.clone(),
        "home1",
        "office",
        RequestOptions::new().timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let refused = within(
        "refused",
        office.set_temperature(&SetTemperature { celsius: 28.0 }),
    )
    .await
    .expect_err("refused");
    assert_eq!(refused.kind(), RequestErrorKind::Timeout, "{refused}");
    // An accepted request, with the default timeout: the short one is for the refusal only.
    let patient = Client::new(nats.clone(), "home1", "office").unwrap();
    let answered_by_office = within(
        "accepted",
        patient.set_temperature(&SetTemperature { celsius: 21.0 }),
    )
    .await
    .expect("a reply")
    .into_inner();
    assert_eq!(answered_by_office.celsius, 21.0);

    // The receive operation with two messages: each arrives as its own variant, on its subject,
    // at both thermostats, since this operation has no queue group.
    // `mode` is a const: its one value is its default.
    let boost = Mode::Boost(BoostPayload {
        minutes: 30.try_into().unwrap(),
        mode: Default::default(),
    });
    let eco = Mode::Eco(EcoPayload::default());
    assert_eq!(
        serde_json::to_value(&eco).unwrap(),
        serde_json::json!({"mode": "eco"})
    );
    kitchen.change_mode(&boost).await.unwrap();
    office.change_mode(&eco).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(within("a mode", modes.recv()).await.unwrap());
    }
    got.sort_by(|a, b| a.1.cmp(&b.1));
    let kitchen_boost = ("home1".to_owned(), "kitchen".to_owned(), boost);
    let office_eco = ("home1".to_owned(), "office".to_owned(), eco);
    assert_eq!(
        got,
        [
            kitchen_boost.clone(),
            kitchen_boost,
            office_eco.clone(),
            office_eco
        ]
    );

    // The send operation: the thermostats publish (the application's client), and the peer has a
    // typed subscription to this room's readings, not another's.
    let mut readings = kitchen.subscribe_report_reading().await.unwrap();
    let thermostat = |room| app::Client::new(nats.clone(), "home1", room).unwrap();
    thermostat("office")
        .publish_report_reading(&ReadingPayload { celsius: 19.0 })
        .await
        .unwrap();
    thermostat("kitchen")
        .publish_report_reading(&ReadingPayload { celsius: 20.5 })
        .await
        .unwrap();
    let reading = within("a reading", readings.next())
        .await
        .expect("the stream goes on")
        .expect("decodes");
    assert_eq!(reading.subject, "home.home1.kitchen.readings");
    assert_eq!(reading.message, ReadingPayload { celsius: 20.5 });

    // Parameters keep to their rules before anything is sent: `room` is an enum, `site` a pattern.
    assert!(Client::new(nats.clone(), "home1", "garage").is_err());
    assert!(Client::new(nats.clone(), "Home 1", "kitchen").is_err());
    drop(servers);
}
