//! At lattice scale, over one real loopback `nats-server`, in one run:
//!
//! - `get_hosts` with N = 10, 100 and 1,000 simulated hosts (subscriptions on 20 connections at
//!   most, each answering the ping with a summary of its own): when the last reply arrives
//!   (through `get_hosts_stream`), and the wall time of `get_hosts` finishing at the expected
//!   count, and with the default options (a quiet period after the last reply);
//! - the event stream's intake on one core, for the golden heartbeat as indented in its file and
//!   compact as hosts write it: 20,000 `host_heartbeat` events buffered on the
//!   subscription, then taken in raw (async-nats), typed, typed and validated, and as validated
//!   views (`subscribe_lattice_event().await?.views()`, each read with `Arrived::view`); and the
//!   typed decode, the validated decode and the view read of the same bytes alone, without NATS;
//! - request/reply on loopback, one request at a time, interleaved: raw async-nats against the
//!   typed `get_host_inventory`, validated and not, `get_host_inventory_in_place` with its
//!   reply's view read (validated), and the same with its reply not read at all (what the typed
//!   client costs beside the decode), answered by one raw responder with the same bytes.
//!
//! Each figure is the median of 7 rounds; the receivers of the intake take turns, round by
//! round, and the ratios the intake is judged by follow its table.
//! `cargo bench -p workspace-tests --bench scale` (`-- 10 100` for other sizes, `-- requests`
//! for request/reply alone).
//!
//! `-- instructions` counts in instructions instead (valgrind's callgrind), each requester and
//! each receiver in a process of its own, the whole process counted (async-nats and tokio
//! included): per request, and per event of the intake. Timings on these machines swing from run
//! to run; the counts hardly move. With `SCALE_CALLGRIND_DIR=DIR` each process's profile is kept
//! there, for `callgrind_annotate`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;
use wasmcloud_protocol::control_interface::peer::Client;
use wasmcloud_protocol::lattice_events::messages::LatticeEvent;
use wasmcloud_protocol::lattice_events::peer::Client as Events;
use wasmcloud_protocol::lattice_events::views::LatticeEvent as LatticeEventView;
use wasmcloud_protocol::runtime::nats::{
    async_nats, round_trip, GatherOptions, RequestOptions, DEFAULT_QUIET,
};
use workspace_tests::callgrind;
use workspace_tests::nats_server::NatsServer;

const ROUNDS: usize = 7;
const EVENTS: usize = 20_000;

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN among timings"));
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// A runtime on the calling thread, as each requester and receiver has its own.
fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// This bench run again under callgrind with `args`, counting instructions only.
fn under_callgrind(args: &[&str]) -> std::process::Command {
    // Profiles are kept only when asked for: `SCALE_CALLGRIND_DIR=DIR`, one file per child,
    // named by who it is, how many it took and its process id, for `callgrind_annotate`.
    let out = match std::env::var_os("SCALE_CALLGRIND_DIR") {
        Some(dir) => {
            let who = &args[args.len().saturating_sub(2)..];
            std::path::Path::new(&dir).join(format!("callgrind.{}.%p.out", who.join("-")))
        }
        None => "/dev/null".into(),
    };
    callgrind::command(args, &out)
}

/// Prints instruction counts of each of `who` per unit (`per`: request, event) as a table, each
/// row's ratio to the first's.
fn print_counts(who: &str, per: &str, rows: impl IntoIterator<Item = (String, u64)>) {
    println!("| {who} | instructions per {per} | ratio to raw |");
    println!("|---|---:|---:|");
    let mut raw = None;
    for (name, count) in rows {
        let base = *raw.get_or_insert(count);
        println!(
            "| {name} | {count} | {:.2}× |",
            count as f64 / base.max(1) as f64
        );
    }
}

/// `n` hosts answering pings, spread over connections; they answer until the tasks end.
async fn simulated_hosts(url: &str, n: usize) -> Vec<tokio::task::JoinHandle<()>> {
    let connections = n.min(20);
    let mut clients = Vec::new();
    for _ in 0..connections {
        clients.push(async_nats::connect(url).await.unwrap());
    }
    let mut tasks = Vec::new();
    for i in 0..n {
        let nats = clients[i % connections].clone();
        let summary = json!({
            "id": format!("N{i:055}"),
            "friendly_name": format!("host-{i}"),
            "lattice": "default",
            "labels": {"hostcore.os": "linux", "zone": "eu"},
            "uptime_seconds": 42,
            "uptime_human": "42s",
            "version": "1.9.2"
        });
        // The envelope in the order a host writes it (see `responder`).
        let body = format!(r#"{{"success":true,"message":"","response":{summary}}}"#);
        let body = bytes::Bytes::from(body);
        let mut pings = nats
            .subscribe("wasmbus.ctl.v1.default.host.ping")
            .await
            .unwrap();
        tasks.push(tokio::spawn(async move {
            while let Some(ping) = pings.next().await {
                if let Some(reply) = ping.reply {
                    let _ = nats.publish(reply, body.clone()).await;
                }
            }
        }));
    }
    for nats in &clients {
        round_trip(nats).await.unwrap();
    }
    tasks
}

fn scatter_gather(rt: &tokio::runtime::Runtime, url: &str, sizes: &[usize]) {
    println!("get_hosts, median of {ROUNDS} rounds (quiet period {DEFAULT_QUIET:?}):\n");
    println!("| N | last reply arrives | get_hosts, expected N | ratio | get_hosts, defaults | stream ends, expected N |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for &n in sizes {
        let hosts = rt.block_on(simulated_hosts(url, n));
        let client = rt.block_on(async {
            let nats = async_nats::connect(url).await.unwrap();
            Client::with_options(nats, "default", RequestOptions::new()).unwrap()
        });
        let expected = GatherOptions::new()
            .expected(n)
            .deadline(Duration::from_secs(30));
        // One round to warm up connections and interest.
        rt.block_on(client.get_hosts_with(&expected)).unwrap();
        let (mut last, mut ended, mut collected, mut quiet) = (vec![], vec![], vec![], vec![]);
        for _ in 0..ROUNDS {
            rt.block_on(async {
                let start = Instant::now();
                let mut stream = client.get_hosts_stream(&expected).await.unwrap();
                let mut got = 0;
                while let Some(reply) = stream.next().await {
                    reply.unwrap();
                    got += 1;
                    if got == n {
                        last.push(start.elapsed());
                    }
                }
                ended.push(start.elapsed());
                assert_eq!(got, n);

                let start = Instant::now();
                let all = client.get_hosts_with(&expected).await.unwrap();
                collected.push(start.elapsed());
                assert_eq!(all.replies.len(), n);

                let start = Instant::now();
                let all = client.get_hosts().await.unwrap();
                quiet.push(start.elapsed());
                assert_eq!(all.replies.len(), n);
            });
        }
        let (last, collected) = (median(last), median(collected));
        println!(
            "| {n} | {} | {} | {:.2}× | {} | {} |",
            ms(last),
            ms(collected),
            collected.as_secs_f64() / last.as_secs_f64(),
            ms(median(quiet)),
            ms(median(ended)),
        );
        for task in hosts {
            task.abort();
        }
    }
}

/// How a receiver takes events in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Intake {
    Raw,
    /// Raw, and every byte of each payload read once (its UTF-8 checked): what touching the
    /// payloads costs any receiver that reads them, the floor under the others.
    RawRead,
    Typed,
    Validated,
    Views,
}

impl Intake {
    const ALL: [Intake; 5] = [
        Intake::Raw,
        Intake::RawRead,
        Intake::Typed,
        Intake::Validated,
        Intake::Views,
    ];

    fn named(name: &str) -> Option<Intake> {
        Self::ALL.into_iter().find(|how| format!("{how:?}") == name)
    }
}

/// Subscribes as `how` says, calls `ready` once the subscription is in place, waits until the
/// events have all arrived (a last message on another subject, delivered after them on the same
/// connection, says they have) and then takes `n` of them in as fast as it can: the time that
/// took.
async fn take_in(url: &str, how: Intake, n: usize, ready: impl FnOnce()) -> Duration {
    let nats = async_nats::connect(url).await.unwrap();
    let options = RequestOptions::new().validate_messages(matches!(how, Intake::Validated));
    let events = Events::with_options(nats.clone(), "default", options).unwrap();
    let mut done = nats.subscribe("bench.done").await.unwrap();
    let (mut raw, mut typed, mut views) = (None, None, None);
    match how {
        Intake::Raw | Intake::RawRead => {
            raw = Some(nats.subscribe("wasmbus.evt.default.>").await.unwrap())
        }
        Intake::Views => views = Some(events.subscribe_lattice_event().await.unwrap().views()),
        _ => typed = Some(events.subscribe_lattice_event().await.unwrap()),
    }
    round_trip(&nats).await.unwrap();
    ready();
    done.next().await.unwrap();
    let start = Instant::now();
    if let Some(raw) = raw.as_mut() {
        for _ in 0..n {
            let message = raw.next().await.unwrap();
            if matches!(how, Intake::RawRead) {
                std::hint::black_box(std::str::from_utf8(&message.payload).is_ok());
            }
        }
    }
    if let Some(typed) = typed.as_mut() {
        for _ in 0..n {
            typed.next().await.unwrap().unwrap();
        }
    }
    if let Some(views) = views.as_mut() {
        for _ in 0..n {
            let arrived = views.next().await.unwrap();
            std::hint::black_box(arrived.view().unwrap());
        }
    }
    start.elapsed()
}

/// Publishes `n` copies of `heartbeat`, then the message that says they have all been sent.
fn publish(url: &str, heartbeat: &bytes::Bytes, n: usize) {
    let rt = current_thread();
    rt.block_on(async {
        let nats = async_nats::connect(url).await.unwrap();
        for _ in 0..n {
            nats.publish("wasmbus.evt.default.host_heartbeat", heartbeat.clone())
                .await
                .unwrap();
        }
        nats.publish("bench.done", bytes::Bytes::new())
            .await
            .unwrap();
        nats.flush().await.unwrap();
    });
}

/// Events per second one core takes in: the events are published and buffered on the
/// subscription first, then taken in as fast as the receiver can.
fn intake(url: &str, how: Intake, heartbeat: &bytes::Bytes) -> f64 {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let url_owned = url.to_owned();
    let receiver = std::thread::spawn(move || {
        let rt = current_thread();
        rt.block_on(take_in(&url_owned, how, EVENTS, || {
            ready_tx.send(()).unwrap()
        }))
    });
    ready_rx.recv().unwrap();
    publish(url, heartbeat, EVENTS);
    let took = receiver.join().unwrap();
    EVENTS as f64 / took.as_secs_f64()
}

/// The receiver of [`stream_instructions`], in a process of its own: `--intake-child URL HOW N`.
/// It says `ready` on its standard output once subscribed.
fn intake_child(url: &str, how: Intake, n: usize) {
    let rt = current_thread();
    rt.block_on(take_in(url, how, n, || {
        use std::io::Write;
        let mut out = std::io::stdout();
        writeln!(out, "ready").unwrap();
        out.flush().unwrap();
    }));
}

/// Instructions callgrind counts for a receiver taking in `n` events, the whole process: its
/// start, connecting and subscribing included.
fn receiver_instructions(url: &str, how: Intake, heartbeat: &bytes::Bytes, n: usize) -> u64 {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = under_callgrind(&["--intake-child", url, &format!("{how:?}"), &n.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("valgrind (is it installed?)");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        "ready",
        "the receiver under valgrind did not start"
    );
    publish(url, heartbeat, n);
    instruction_count(&child.wait_with_output().unwrap())
}

/// Instructions per event of each receiver, whole streams counted by callgrind: the difference
/// between taking in 3,000 and 1,000 events, over 2,000, so that starting, connecting and
/// subscribing drop out. Unlike the timings, the counts hardly move from run to run.
fn stream_instructions(url: &str, compact: bool) {
    let heartbeat = heartbeat(compact);
    println!(
        "\nEvent intake in instructions per event (callgrind; host_heartbeat of {} bytes, {}):\n",
        heartbeat.len(),
        if compact { "compact" } else { "indented" },
    );
    let rows = Intake::ALL.map(|how| {
        let few = receiver_instructions(url, how, &heartbeat, 1_000);
        let many = receiver_instructions(url, how, &heartbeat, 3_000);
        (format!("{how:?}"), many.saturating_sub(few) / 2_000)
    });
    print_counts("receiver", "event", rows);
}

/// The golden heartbeat, indented as in its file, or compact and in the order a host writes.
fn heartbeat(compact: bool) -> bytes::Bytes {
    let golden = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/golden/events/host_heartbeat.json"
    ))
    .unwrap();
    // Hosts write events compact (serde_json::to_vec); the golden file is indented.
    bytes::Bytes::from(if compact {
        let value: serde_json::Value = serde_json::from_slice(&golden).unwrap();
        let compact = serde_json::to_vec(&value).unwrap();
        // Compact, and in the order a host writes: `type` third, `data` last.
        let order = [
            "specversion",
            "id",
            "type",
            "source",
            "datacontenttype",
            "time",
            "data",
        ];
        let mut text = String::from("{");
        for (i, key) in order.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            text.push_str(&format!("{sep}\"{key}\":{}", value[key]));
        }
        text.push('}');
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::from_slice::<serde_json::Value>(&compact).unwrap()
        );
        text.into_bytes()
    } else {
        golden
    })
}

fn events(url: &str, compact: bool) {
    let heartbeat = heartbeat(compact);
    println!(
        "\nEvent intake on one core ({EVENTS} host_heartbeat events of {} bytes, {}, median of {ROUNDS} rounds):\n",
        heartbeat.len(),
        if compact { "compact as hosts write them" } else { "indented as the golden file" },
    );
    println!("| receiver | events/s | time per event | ratio to raw |");
    println!("|---|---:|---:|---:|");
    // What reading alone costs, without NATS: the floor of each receiver.
    let alone = |read: &dyn Fn()| {
        let mut took: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..EVENTS {
                    read();
                }
                start.elapsed()
            })
            .collect();
        took.sort();
        EVENTS as f64 / took[ROUNDS / 2].as_secs_f64()
    };
    let decode = alone(&|| {
        std::hint::black_box(LatticeEvent::from_slice(&heartbeat).unwrap());
    });
    let validated = alone(&|| {
        std::hint::black_box(LatticeEvent::from_slice_validated(&heartbeat).unwrap());
    });
    let view = alone(&|| {
        std::hint::black_box(LatticeEventView::read(&heartbeat).unwrap());
    });
    // Round by round, every receiver in turn: a slow spell of the machine falls on all of them,
    // not on the rounds of one.
    let mut rounds = vec![Vec::with_capacity(ROUNDS); Intake::ALL.len()];
    for _ in 0..ROUNDS {
        for (rates, how) in rounds.iter_mut().zip(Intake::ALL) {
            rates.push(intake(url, how, &heartbeat));
        }
    }
    let rates: Vec<f64> = rounds.into_iter().map(median).collect();
    let rate_of = |how: Intake| rates[Intake::ALL.iter().position(|&h| h == how).unwrap()];
    let (raw, typed) = (rate_of(Intake::Raw), rate_of(Intake::Typed));
    for (how, rate) in Intake::ALL.into_iter().zip(&rates) {
        println!(
            "| {how:?} | {rate:.0} | {:.2} µs | {:.2}× |",
            1e6 / rate,
            raw / rate
        );
    }
    for (what, rate) in [
        ("LatticeEvent::from_slice alone, no NATS", decode),
        ("LatticeEvent::from_slice_validated alone", validated),
        ("views::LatticeEvent::read alone", view),
    ] {
        println!(
            "| ({what}) | {rate:.0} | {:.2} µs | {:.2}× |",
            1e6 / rate,
            raw / rate
        );
    }
    println!("\n(typed intake: {:.2} µs per event)", 1e6 / typed);
    let (validated, views) = (rate_of(Intake::Validated), rate_of(Intake::Views));
    println!(
        "views / raw: {:.2}×; validated typed / views: {:.2}×; owned validated / owned typed: {:.2}×",
        raw / views,
        views / validated,
        typed / validated
    );
}

/// One raw responder that answers every `get_host_inventory` of one host with the same reply
/// (the golden heartbeat's data, as a host's inventory).
struct Responder {
    reply: bytes::Bytes,
    host: String,
    answering: tokio::task::JoinHandle<()>,
}

/// The subject of `get_host_inventory` for `host`, in the lattice `default`.
fn inventory_subject(host: &str) -> String {
    format!("wasmbus.ctl.v1.default.host.get.{host}")
}

fn responder(rt: &tokio::runtime::Runtime, url: &str) -> Responder {
    let heartbeat: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/golden/events/host_heartbeat.json"
        ))
        .unwrap(),
    )
    .unwrap();
    // In the order a host writes its `CtlResponse` (the struct's: `success`, `message`,
    // `response`), not a JSON value's sorted one.
    let reply = format!(
        r#"{{"success":true,"message":"","response":{}}}"#,
        heartbeat["data"]
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&reply).unwrap(),
        json!({"success": true, "message": "", "response": heartbeat["data"]})
    );
    let reply = bytes::Bytes::from(reply);
    let host = heartbeat["source"].as_str().unwrap().to_owned();
    let subject = inventory_subject(&host);
    // The responder on the shared runtime; the requester on a thread and runtime of its own, so
    // that both requesters meet the same scheduling.
    let (nats, mut requests) = rt.block_on(async {
        let nats = async_nats::connect(url).await.unwrap();
        let requests = nats.subscribe(subject.clone()).await.unwrap();
        round_trip(&nats).await.unwrap();
        (nats, requests)
    });
    let body = reply.clone();
    let answering = rt.spawn(async move {
        while let Some(request) = requests.next().await {
            if let Some(to) = request.reply {
                let _ = nats.publish(to, body.clone()).await;
            }
        }
    });
    Responder {
        reply,
        host,
        answering,
    }
}

/// The requesters of [`request_reply`], by the names `--request-child` takes.
const REQUESTERS: [&str; 5] = ["raw", "typed-validated", "typed", "in-place", "unread"];

/// One connection and the five ways of asking it for a host's inventory: raw async-nats, the
/// typed client validating its replies, the typed client alone, the reply read in place (its
/// view, validated in the pass that reads it), and the reply in place but not read: the typed
/// client's own cost (subject, status check), without any decode.
struct Requesters {
    nats: async_nats::Client,
    validated: Client,
    typed: Client,
    host: String,
    subject: String,
}

impl Requesters {
    async fn connect(url: &str, host: &str) -> Self {
        let nats = async_nats::connect(url).await.unwrap();
        round_trip(&nats).await.unwrap();
        let options = RequestOptions::new().validate_replies(true);
        Self {
            validated: Client::with_options(nats.clone(), "default", options).unwrap(),
            typed: Client::new(nats.clone(), "default").unwrap(),
            nats,
            host: host.to_owned(),
            subject: inventory_subject(host),
        }
    }

    /// One request by requester `which` (an index into [`REQUESTERS`]), its answer kept.
    async fn request(&self, which: usize) {
        match which {
            0 => {
                let answer = self
                    .nats
                    .request(self.subject.clone(), bytes::Bytes::new())
                    .await;
                std::hint::black_box(answer.unwrap());
            }
            1 => {
                let answer = self.validated.get_host_inventory(&self.host).await;
                std::hint::black_box(answer.unwrap());
            }
            2 => {
                let answer = self.typed.get_host_inventory(&self.host).await;
                std::hint::black_box(answer.unwrap());
            }
            3 => {
                let answer = self.typed.get_host_inventory_in_place(&self.host).await;
                let answer = answer.unwrap();
                std::hint::black_box(&answer.view().unwrap());
            }
            _ => {
                let answer = self.typed.get_host_inventory_in_place(&self.host).await;
                std::hint::black_box(answer.unwrap());
            }
        }
    }
}

/// The requester of [`request_instructions`], in a process of its own:
/// `--request-child URL HOST WHICH N`.
fn request_child(url: &str, host: &str, which: &str, n: usize) {
    let which = REQUESTERS
        .iter()
        .position(|name| *name == which)
        .unwrap_or_else(|| panic!("no requester {which}"));
    current_thread().block_on(async {
        let requesters = Requesters::connect(url, host).await;
        for _ in 0..n {
            requesters.request(which).await;
        }
    });
}

/// Instructions per request of each requester, the whole requesting process counted by
/// callgrind (async-nats and tokio included): 600 requests less 200, over 400. The responder and
/// nats-server are not counted.
fn request_instructions(rt: &tokio::runtime::Runtime, url: &str) {
    let Responder {
        reply,
        host,
        answering,
    } = responder(rt, url);
    println!(
        "\nRequest/reply in instructions per request (callgrind; the requester only, reply of {} bytes):\n",
        reply.len()
    );
    let count = |which: &str, n: usize| {
        let out = under_callgrind(&["--request-child", url, &host, which, &n.to_string()])
            .output()
            .expect("valgrind (is it installed?)");
        instruction_count(&out)
    };
    let rows = REQUESTERS.map(|which| {
        let per = count(which, 600).saturating_sub(count(which, 200)) / 400;
        (which.to_owned(), per)
    });
    print_counts("requester", "request", rows);
    answering.abort();
}

/// The instruction count in valgrind's report on a finished process.
fn instruction_count(out: &std::process::Output) -> u64 {
    callgrind::instruction_count(out).unwrap_or_else(|e| panic!("{e}"))
}

/// Request/reply on loopback, one at a time: raw async-nats, the typed client validating and
/// not, and the reply read in place, against one raw responder that answers every request with
/// the same reply.
fn request_reply(rt: &tokio::runtime::Runtime, url: &str) {
    const REQUESTS: usize = 2_000;
    let Responder {
        reply,
        host,
        answering,
    } = responder(rt, url);
    let url = url.to_owned();
    let n = REQUESTERS.len();
    let medians = std::thread::spawn(move || {
        current_thread().block_on(async {
            let requesters = Requesters::connect(&url, &host).await;
            let mut rounds = vec![Vec::new(); n];
            // Interleaved request by request, so that drifts of the machine fall on all alike.
            for _ in 0..ROUNDS {
                let mut took = vec![Duration::ZERO; n];
                for i in 0..REQUESTS {
                    // Each takes each place in turn: what follows what costs all alike.
                    for turn in 0..n {
                        let which = (i + turn) % n;
                        let start = Instant::now();
                        requesters.request(which).await;
                        took[which] += start.elapsed();
                    }
                }
                for (round, took) in rounds.iter_mut().zip(took) {
                    round.push(took);
                }
            }
            rounds.into_iter().map(median).collect::<Vec<_>>()
        })
    })
    .join()
    .unwrap();
    let [raw, typed, plain, in_place, unread] = medians[..] else {
        unreachable!("one median per requester")
    };
    answering.abort();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / REQUESTS as f64;
    println!(
        "\nRequest/reply on loopback, one at a time ({REQUESTS} requests, reply of {} bytes, median of {ROUNDS} rounds):\n",
        reply.len()
    );
    println!("| requester | time per request | ratio to raw |");
    println!("|---|---:|---:|");
    println!("| raw async-nats | {:.1} µs | 1.00× |", per(raw));
    println!(
        "| typed, validated `get_host_inventory` | {:.1} µs | {:.3}× |",
        per(typed),
        per(typed) / per(raw)
    );
    println!(
        "| typed `get_host_inventory`, not validated | {:.1} µs | {:.3}× |",
        per(plain),
        per(plain) / per(raw)
    );
    println!(
        "| `get_host_inventory_in_place`, its view read (validated) | {:.1} µs | {:.3}× |",
        per(in_place),
        per(in_place) / per(raw)
    );
    println!(
        "| `get_host_inventory_in_place`, its reply not read | {:.1} µs | {:.3}× |",
        per(unread),
        per(unread) / per(raw)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, url, how, n] = args.as_slice() {
        if flag == "--intake-child" {
            let how = Intake::named(how).unwrap_or_else(|| panic!("no receiver {how}"));
            return intake_child(url, how, n.parse().unwrap());
        }
    }
    if let [flag, url, host, which, n] = args.as_slice() {
        if flag == "--request-child" {
            return request_child(url, host, which, n.parse().unwrap());
        }
    }
    let server = NatsServer::start();
    // The responders', publishers' and simulated hosts' runtime.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if args.iter().any(|a| a == "instructions") {
        request_instructions(&rt, &server.url());
        stream_instructions(&server.url(), false);
        stream_instructions(&server.url(), true);
        return;
    }
    if args.iter().any(|a| a == "requests") {
        request_reply(&rt, &server.url());
        return;
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1000]
    } else {
        sizes
    };
    scatter_gather(&rt, &server.url(), &sizes);
    request_reply(&rt, &server.url());
    events(&server.url(), false);
    events(&server.url(), true);
}
