//! `cargo run -p orders-example -- [NATS_URL]`: the order service of `orders.yaml` and a customer
//! of it, talking over the NATS server at NATS_URL (`nats://127.0.0.1:4222` by default).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let nats = match asyncapi_runtime::nats::async_nats::connect(&url).await {
        Ok(nats) => nats,
        Err(e) => {
            eprintln!("orders-example: {url}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match orders_example::run(nats).await {
        Ok(seen) => {
            println!("receipt:   {:?}", seen.receipt);
            println!("announced: {:?}", seen.announced);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("orders-example: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
