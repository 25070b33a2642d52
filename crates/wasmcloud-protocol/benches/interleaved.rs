//! Validated against typed decoding in time, as ratios that survive a noisy machine: the modes
//! take turns, a short batch each, for 21 rounds, and each round's ratio to the typed decode of
//! that same round is kept; the table gives the median ratio (and the median time per call). A
//! slow spell of the machine then slows every mode of a round alike, where criterion, timing one
//! mode after the other for seconds, puts it into one mode's figure.
//!
//! `cargo bench -p wasmcloud-protocol --features validate --bench interleaved [-- FILTER]`. The
//! modes are those of the `instructions` bench but `invalid`.
//!
//! With `--once`, one short round and no table: each message's nanoseconds per call, one line per
//! message and mode, for `benches/validation-vs-ajv`, which takes turns between this and ajv the
//! same way.

mod payloads;

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use wasmcloud_protocol::runtime::validate;
use wasmcloud_protocol::runtime::view::MessageView;

use payloads::{for_message, MESSAGES};

const MODES: [&str; 5] = ["typed", "typed-str", "validated", "checked", "view"];
const ROUNDS: usize = 21;
/// About how long one mode runs in one round.
const BATCH: Duration = Duration::from_millis(20);

/// Nanoseconds per call of `mode`, over `n` calls.
fn time<M: MessageView>(mode: &str, valid: &[u8], n: u32) -> f64
where
    M::Payload: DeserializeOwned,
{
    let call = payloads::mode::<M>(mode);
    let start = Instant::now();
    for _ in 0..n {
        call(valid, &[]);
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn measure<M: MessageView>(name: &str, valid: &[u8])
where
    M::Payload: DeserializeOwned,
{
    validate::validator(&M::INFO).expect("compiles");
    // Calls per batch, from the slowest mode's warm-up.
    let slowest = MODES
        .iter()
        .map(|mode| time::<M>(mode, valid, 200))
        .fold(0.0, f64::max);
    let n = ((BATCH.as_nanos() as f64 / slowest) as u32).max(1);
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    for round in 0..ROUNDS {
        // Each round in another order, so no mode always runs first.
        let round_times: Vec<f64> = (0..MODES.len())
            .map(|i| (i + round) % MODES.len())
            .map(|m| (m, time::<M>(MODES[m], valid, n)))
            .fold(vec![0.0; MODES.len()], |mut acc, (m, t)| {
                acc[m] = t;
                acc
            });
        for (m, t) in round_times.iter().enumerate() {
            times[m].push(*t);
            ratios[m].push(t / round_times[0]);
        }
    }
    let cells: Vec<String> = (0..MODES.len())
        .map(|m| {
            format!(
                "{:>8.2} µs {:>6.2}×",
                median(times[m].clone()) / 1000.0,
                median(ratios[m].clone())
            )
        })
        .collect();
    println!("{name:<22} {}", cells.join("   "));
}

/// One round of every message and mode, printed as `MESSAGE MODE NANOSECONDS` lines.
fn once<M: MessageView>(name: &str, valid: &[u8])
where
    M::Payload: DeserializeOwned,
{
    validate::validator(&M::INFO).expect("compiles");
    for mode in MODES {
        let n = ((BATCH.as_nanos() as f64 / time::<M>(mode, valid, 200)) as u32).max(1);
        println!("{name} {mode} {:.1}", time::<M>(mode, valid, n));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter keeps to matching messages.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--once") {
        for payloads in MESSAGES {
            let (valid, _) = payloads.read();
            for_message!(payloads.name, once(payloads.name, &valid));
        }
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with("--"));
    println!(
        "{:<22} {}",
        "message",
        MODES.map(|m| format!("{m:>19}")).join("   ")
    );
    println!(
        "{:<22} (median time per call, median ratio to typed in the same round; {ROUNDS} rounds)",
        ""
    );
    for payloads in MESSAGES {
        if filter.is_some_and(|f| !payloads.name.contains(f.as_str())) {
            continue;
        }
        let (valid, _) = payloads.read();
        for_message!(payloads.name, measure(payloads.name, &valid));
    }
}
