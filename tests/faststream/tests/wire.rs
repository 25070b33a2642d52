//! Our generated code and a real FastStream service (`orders.py`) on a real nats-server, for
//! both documents FastStream exports (3.0 and 2.6):
//!
//! - every request through our client gets the typed reply FastStream computed, each command
//!   once across two FastStream workers (the queue group of its export), and what our client
//!   publishes reaches FastStream's subscriber, which says so with an event we receive typed;
//! - our responders answer FastStream's `broker.request`, each request once across two of them,
//!   and the events our side publishes are parsed by pydantic on theirs;
//! - our validators and pydantic give the same verdict on valid and invalid payloads of each
//!   message.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use asyncapi_runtime::nats::async_nats;
use nats_server::NatsServer;
use serde_json::{json, Value};

/// This crate's folder, where `orders.py` is.
fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A program of the virtual environment `cargo xtask setup` installs.
fn venv(program: &str) -> PathBuf {
    let path = here().join("../tools/.venv/bin").join(program);
    assert!(
        path.is_file(),
        "{} is not installed: run `cargo xtask setup` once",
        path.display()
    );
    path
}

/// Fails the test instead of hanging it.
async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"))
}

/// A process, killed when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[path = "../../support/nats_server.rs"]
mod nats_server;

/// A FastStream worker of the order service, named `worker`.
fn faststream_worker(server: &NatsServer, worker: &str) -> Process {
    let child = Command::new(venv("faststream"))
        .args(["run", "orders:app"])
        .current_dir(here())
        .env("NATS_URL", &server.url)
        .env("WORKER", worker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("faststream runs");
    Process(child)
}

/// Runs `orders.py` with these arguments and `input` on stdin; the JSON on its last line.
fn orders_py(args: &[&str], input: &str) -> Value {
    let mut child = Command::new(venv("python"))
        .arg("orders.py")
        .args(args)
        .current_dir(here())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "orders.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("orders.py {args:?}: its last line is not JSON ({e}): {stdout}"))
}

/// The valid and invalid payloads tried on each message, and whether each is valid.
fn cases() -> Vec<(&'static str, Value, bool)> {
    let address = json!({"street": "1 Main", "city": "Gent"});
    vec![
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 2, "address": address}),
            true,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 100, "address": address, "note": null, "tags": ["a"]}),
            true,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 1, "address": address, "note": "ring twice"}),
            true,
        ),
        (
            "PlaceOrder",
            json!({"sku": "abc-1", "quantity": 2, "address": address}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 0, "address": address}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 101, "address": address}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 2.5, "address": address}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": "2", "address": address}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "address": address}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 2, "address": {"street": "x", "city": ""}}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 2, "address": address, "note": 5}),
            false,
        ),
        (
            "PlaceOrder",
            json!({"sku": "ABC-1", "quantity": 2, "address": address, "tags": [1]}),
            false,
        ),
        (
            "OrderPlaced",
            json!({"order_id": "o-1", "status": "placed", "total": 1.5, "worker": "w"}),
            true,
        ),
        (
            "OrderPlaced",
            json!({"order_id": "o-1", "status": "cancelled", "total": 3, "worker": "w"}),
            true,
        ),
        (
            "OrderPlaced",
            json!({"order_id": "o-1", "status": "lost", "total": 1.5, "worker": "w"}),
            false,
        ),
        (
            "OrderPlaced",
            json!({"order_id": "o-1", "status": "placed", "total": 0, "worker": "w"}),
            false,
        ),
        (
            "OrderPlaced",
            json!({"order_id": "o-1", "status": "placed", "total": -1.5, "worker": "w"}),
            false,
        ),
        (
            "OrderPlaced",
            json!({"status": "placed", "total": 1.5, "worker": "w"}),
            false,
        ),
        ("CancelOrder", json!({"order_id": "o-1"}), true),
        (
            "CancelOrder",
            json!({"order_id": "o-1", "reason": null}),
            true,
        ),
        (
            "CancelOrder",
            json!({"order_id": "o-1", "reason": "too late"}),
            true,
        ),
        (
            "CancelOrder",
            json!({"order_id": "o-1", "reason": "x".repeat(41)}),
            false,
        ),
        (
            "CancelOrder",
            json!({"order_id": "o-1", "refund": "V-7"}),
            true,
        ),
        (
            "CancelOrder",
            json!({"order_id": "o-1", "refund": [500]}),
            false,
        ),
        ("CancelOrder", json!({"order_id": 7}), false),
        ("CancelOrder", json!({"reason": "too late"}), false),
        (
            "OrderCancelled",
            json!({"order_id": "o-1", "region": "eu"}),
            true,
        ),
        (
            "OrderCancelled",
            json!({"order_id": "o-1", "region": "eu", "reason": null}),
            true,
        ),
        (
            "OrderCancelled",
            json!({"order_id": "o-1", "region": "eu", "refund": 500}),
            true,
        ),
        (
            "OrderCancelled",
            json!({"order_id": "o-1", "region": "eu", "refund": "V-7"}),
            true,
        ),
        (
            "OrderCancelled",
            json!({"order_id": "o-1", "region": "eu", "refund": 2.5}),
            false,
        ),
        (
            "OrderCancelled",
            json!({"order_id": "o-1", "region": "eu", "refund": true}),
            false,
        ),
        ("OrderCancelled", json!({"order_id": "o-1"}), false),
        ("GetOrder", json!("o-1"), true),
        ("GetOrder", json!(7), false),
        ("GetOrder", json!({"order_id": "o-1"}), false),
    ]
}

macro_rules! wire_tests {
    ($module:ident) => {
        mod $module {
            use super::*;
            use faststream_interop::$module::{app, messages, peer, subjects, types};
            use futures::StreamExt;

            async fn connect(server: &NatsServer) -> async_nats::Client {
                async_nats::connect(&server.url).await.expect("connects")
            }

            fn place(quantity: u64) -> types::PlaceOrder {
                types::PlaceOrder {
                    sku: "ABC-1".parse().unwrap(),
                    quantity: std::num::NonZeroU64::new(quantity).unwrap(),
                    note: Some("ring twice".into()),
                    address: types::Address {
                        street: "1 Main".into(),
                        city: "Gent".parse().unwrap(),
                    },
                    tags: vec!["gift".into()],
                }
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn our_client_against_two_faststream_workers() {
                let server = NatsServer::start();
                let _workers = [
                    faststream_worker(&server, "w1"),
                    faststream_worker(&server, "w2"),
                ];
                let nats = connect(&server).await;
                let client = peer::Client::new(nats.clone()).unwrap();
                let mut created = client.subscribe_order_created().await.unwrap();
                let mut cancelled = client.subscribe_order_cancelled().await.unwrap();
                let mut cancelled_views = client.subscribe_order_cancelled().await.unwrap().views();
                // Both workers are up once each has answered a request with its name.
                within("both workers answering", async {
                    let mut seen = std::collections::BTreeSet::new();
                    while seen.len() < 2 {
                        if let Ok(reply) = client.get_order(&types::GetOrderMessagePayload("probe".into())).await {
                            seen.insert(reply.worker.clone());
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                })
                .await;

                // Requests: the typed reply FastStream computed; each handled by one worker.
                let n = 10;
                for q in 1..=n {
                    let reply = within("place_order", client.place_order(&place(q))).await.unwrap();
                    assert_eq!(reply.status, types::Status::Placed);
                    assert_eq!(reply.total, q as f64 * 1.5);
                    assert!(["w1", "w2"].contains(&reply.worker.as_str()), "{:?}", reply.worker);
                }
                let mut ids = std::collections::BTreeSet::new();
                for _ in 0..n {
                    let event = within("orders.created", created.next()).await.unwrap().unwrap();
                    ids.insert(event.message.order_id.clone());
                }
                assert_eq!(ids.len(), n as usize, "{ids:?}");
                let more = tokio::time::timeout(Duration::from_millis(500), created.next()).await;
                assert!(more.is_err(), "each order was placed once: {more:?}");
                let got = within("get_order", client.get_order(&types::GetOrderMessagePayload("o-7".into())))
                    .await
                    .unwrap();
                assert_eq!(got.order_id, "o-7");

                // A publish FastStream's subscriber takes, and answers with an event.
                client
                    .cancel_order("eu", &types::CancelOrder {
                        order_id: "o-3".into(),
                        reason: Some("too late".parse().unwrap()),
                        refund: types::Refund::Integer(500),
                    })
                    .await
                    .unwrap();
                let event = within("orders.cancelled", cancelled.next()).await.unwrap().unwrap();
                assert_eq!(event.subject, "orders.cancelled");
                assert_eq!(
                    event.message,
                    types::OrderCancelled {
                        order_id: "o-3".into(),
                        region: "eu".into(),
                        reason: Some("too late".into()),
                        refund: types::Refund::Integer(500),
                    }
                );
                // The same event as a view, read in one pass: its union (pydantic's
                // `Union[int, str, None]`) is the text of the integer or string, checked.
                const {
                    assert!(<messages::OrderCancelled as asyncapi_runtime::view::MessageView>::IN_ONE_PASS)
                };
                let arrived = within("orders.cancelled", cancelled_views.next()).await.unwrap();
                let view = arrived.view().unwrap();
                assert_eq!(
                    serde_json::to_value(&view).unwrap(),
                    json!({"order_id": "o-3", "region": "eu", "reason": "too late", "refund": 500})
                );
                assert_eq!(view.order_id, "o-3");
                assert_eq!(view.refund.flatten().map(|refund| refund.get()), Some("500"));
            }

            /// One of our order services: answers orders, publishing each as FastStream's does.
            struct Service {
                worker: &'static str,
                events: app::Client,
                placed: Arc<AtomicUsize>,
            }

            impl app::Responder for Service {
                async fn place_order(
                    &self,
                    _: subjects::PlaceSubject,
                    order: types::PlaceOrder,
                ) -> Result<types::OrderPlaced, asyncapi_runtime::nats::Reject> {
                    let n = self.placed.fetch_add(1, Ordering::SeqCst) + 1;
                    let placed = types::OrderPlaced {
                        order_id: format!("{}-{n}", self.worker),
                        status: types::Status::Placed,
                        total: order.quantity.get() as f64 * 1.5,
                        worker: self.worker.into(),
                    };
                    self.events
                        .publish_order_created(&placed)
                        .await
                        .map_err(|e| asyncapi_runtime::nats::Reject::refuse(e.to_string()))?;
                    Ok(placed)
                }
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn faststream_against_two_of_our_responders() {
                let server = NatsServer::start();
                let placed = Arc::new(AtomicUsize::new(0));
                let mut servers = Vec::new();
                for worker in ["r1", "r2"] {
                    let nats = connect(&server).await;
                    let service = Service {
                        worker,
                        events: app::Client::new(nats.clone()).unwrap(),
                        placed: placed.clone(),
                    };
                    let options = asyncapi_runtime::nats::ServeOptions::new();
                    servers.push(app::serve(nats, service, options).await.unwrap());
                }
                let n = 6;
                let url = server.url.clone();
                let got = tokio::task::spawn_blocking(move || orders_py(&["peer", &url, &n.to_string()], ""))
                    .await
                    .unwrap();
                let replies = got["replies"].as_array().unwrap();
                assert_eq!(replies.len(), n);
                for (i, reply) in replies.iter().enumerate() {
                    assert_eq!(reply["status"], "placed");
                    assert_eq!(reply["total"], (i + 1) as f64 * 1.5);
                }
                // pydantic parsed every event our side published, and each order was placed once.
                assert_eq!(got["created"].as_array().unwrap().len(), n);
                assert_eq!(placed.load(Ordering::SeqCst), n);
            }

            #[test]
            fn every_method_name_keeps_the_generators_rules() {
                let problems = include_str!(concat!(env!("OUT_DIR"), "/", stringify!($module), ".name-problems"));
                assert!(problems.is_empty(), "{problems}");
            }

            #[test]
            fn our_validators_and_pydantic_agree() {
                let cases = cases();
                let input: Vec<Value> = cases
                    .iter()
                    .map(|(message, payload, _)| json!({"message": message, "payload": payload}))
                    .collect();
                let theirs = orders_py(&["validate"], &Value::Array(input).to_string());
                let info = |name: &str| match name {
                    "PlaceOrder" => <messages::PlaceOrder as asyncapi_runtime::Message>::INFO,
                    "OrderPlaced" => <messages::OrderPlaced as asyncapi_runtime::Message>::INFO,
                    "CancelOrder" => <messages::CancelOrder as asyncapi_runtime::Message>::INFO,
                    "OrderCancelled" => <messages::OrderCancelled as asyncapi_runtime::Message>::INFO,
                    "GetOrder" => <messages::GetOrder as asyncapi_runtime::Message>::INFO,
                    other => panic!("no message {other}"),
                };
                let mut disagreements = Vec::new();
                for ((message, payload, valid), pydantic) in cases.iter().zip(theirs.as_array().unwrap()) {
                    let body = serde_json::to_vec(payload).unwrap();
                    let ours = asyncapi_runtime::validate::validate_bytes(&info(message), &body).is_ok();
                    let pydantic = pydantic.as_bool().unwrap();
                    if ours != *valid || pydantic != *valid {
                        disagreements.push(format!("{message} {payload}: meant {valid}, ours {ours}, pydantic {pydantic}"));
                    }
                }
                assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
            }
        }
    };
}

wire_tests!(orders_v3);
wire_tests!(orders_v26);
