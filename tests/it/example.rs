//! The example crate (`examples/orders`: a document, a build script, both sides talking) works as
//! its README says: the customer gets its receipt and the announcement that follows.

use workspace_tests::nats_server::NatsServer;

#[tokio::test(flavor = "multi_thread")]
async fn the_orders_example_runs_both_sides_over_nats() {
    let server = NatsServer::start();
    let nats = asyncapi_runtime::nats::async_nats::connect(server.url())
        .await
        .unwrap();
    let seen = crate::nats::within("the example", orders_example::run(nats))
        .await
        .unwrap();
    assert_eq!(seen.receipt.order_id, "eu-ABC-1");
    assert_eq!(seen.announced.order_id, "eu-ABC-1");
    assert_eq!(seen.announced.total, 7.5);
}
