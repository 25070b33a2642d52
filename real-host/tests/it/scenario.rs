//! One scenario over every control-interface operation, run on the real host and on the mock
//! host: each step's reply and the events it caused make a transcript, and the two transcripts
//! must be the same (events by type and data; ids, times, the host's random name and uptime
//! left out), except where the real host has a documented bug.

use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};
use wasmcloud_protocol::control_interface::types as ctl;
use wasmcloud_protocol::runtime::nats::{GatherOptions, Reply, RequestError, RequestErrorKind};

use crate::harness::Lattice;

/// One step: what was asked, what came back, and the events it caused.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub reply: Value,
    pub events: Vec<Value>,
}

/// The transcript of a run, normalised for comparison.
pub type Transcript = Vec<Step>;

fn command<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid command")
}

/// A reply as data: the typed reply, or the refusal.
fn outcome<T: Serialize>(result: Result<Reply<T>, RequestError>) -> Value {
    match result {
        Ok(reply) => serde_json::to_value(reply.into_inner()).unwrap(),
        Err(e) if e.kind() == RequestErrorKind::Refused => json!({ "refused": e.refusal() }),
        Err(other) => json!({ "error": other.to_string() }),
    }
}

/// What differs between two runs and is replaced by a placeholder in transcripts.
struct Placeholders<'a> {
    host_id: &'a str,
    files: &'a str,
    nats_url: &'a str,
}

/// Replaces what differs between runs (the host id, the scratch folder, the server's address)
/// with placeholders and drops what differs between hosts by nature (a random friendly name,
/// uptimes).
fn normalise(value: &mut Value, p: &Placeholders<'_>) {
    match value {
        Value::String(s) => {
            for (real, placeholder) in [
                (p.host_id, "<host>"),
                (p.files, "<files>"),
                (p.nats_url, "<nats>"),
            ] {
                if s.contains(real) {
                    *s = s.replace(real, placeholder);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| normalise(v, p)),
        Value::Object(map) => {
            for key in ["friendly_name", "uptime_seconds", "uptime_human"] {
                map.remove(key);
            }
            // Why a component failed is the runtime's long story; what failed is its first part.
            if let Some(Value::String(error)) = map.get_mut("error") {
                if let Some((what, _)) = error.split_once(": ") {
                    *error = what.to_owned();
                }
            }
            map.values_mut().for_each(|v| normalise(v, p));
        }
        _ => {}
    }
}

struct Recorder<'a> {
    lattice: &'a Lattice,
    steps: Transcript,
    files: String,
}

impl Recorder<'_> {
    /// Records one step: `reply` is what the operation returned; the events are those that
    /// arrived from just before it until the lattice was quiet again.
    async fn step(&mut self, name: &'static str, before: usize, reply: Value) {
        self.step_causing(name, before, reply, 0).await;
    }

    /// [`Self::step`] for an operation that causes `events` events, which may come well after
    /// its reply: the quiet period starts once they have come.
    async fn step_causing(
        &mut self,
        name: &'static str,
        before: usize,
        reply: Value,
        events: usize,
    ) {
        let quiet = Duration::from_millis(750);
        let events = self
            .lattice
            .settle(before, events, quiet, Duration::from_secs(20))
            .await
            .into_iter()
            .map(|seen| json!({ "type": seen.json["type"], "data": seen.json["data"] }))
            .collect();
        let mut step = Step {
            name,
            reply,
            events,
        };
        let url = self.lattice.nats_url();
        let placeholders = Placeholders {
            host_id: &self.lattice.host_id,
            files: &self.files,
            nats_url: &url,
        };
        normalise(&mut step.reply, &placeholders);
        for e in &mut step.events {
            normalise(e, &placeholders);
        }
        self.steps.push(step);
    }

    fn mark(&self) -> usize {
        self.lattice.events().len()
    }
}

/// Runs the scenario on `lattice` (whose host is fresh) and returns its transcript. The
/// component files are written into the lattice's scratch folder.
pub async fn run(lattice: &Lattice) -> Transcript {
    let files = lattice.files.path().display().to_string();
    let component_a = lattice
        .files
        .write("echo-a.wasm", &wasmcloud_real_host::idle_component())
        .unwrap();
    let component_b = lattice
        .files
        .write("echo-b.wasm", &wasmcloud_real_host::idle_component())
        .unwrap();
    let component_c = lattice
        .files
        .write("echo-c.wasm", &wasmcloud_real_host::idle_component())
        .unwrap();
    let broken = lattice
        .files
        .write("broken.wasm", b"not a component")
        .unwrap();
    let ref_a = wasmcloud_real_host::file_ref(&component_a);
    let ref_b = wasmcloud_real_host::file_ref(&component_b);
    let ref_c = wasmcloud_real_host::file_ref(&component_c);
    let ref_broken = wasmcloud_real_host::file_ref(&broken);
    let host = lattice.host_id.clone();
    let c = lattice.client.clone();
    let mut r = Recorder {
        lattice,
        steps: Vec::new(),
        files,
    };
    // The one host answers at once or not at all: half a second after its reply, or 2 s
    // without one, the step is over. A step a real host answers waits longer for the first reply,
    // as a loaded machine may be slow to give it (the mock host leaves a running component's
    // auction unanswered, so that step costs it the 10 s).
    let gather = GatherOptions::new()
        .deadline(Duration::from_secs(2))
        .quiet(Duration::from_millis(500));
    let answered = gather.deadline(Duration::from_secs(10));

    let m = r.mark();
    let hosts = c.get_hosts_with(&answered).await.unwrap();
    r.step(
        "host.ping",
        m,
        serde_json::to_value(&hosts.replies).unwrap(),
    )
    .await;

    let m = r.mark();
    r.step("host.get", m, outcome(c.get_host_inventory(&host).await))
        .await;

    let m = r.mark();
    let label = command(json!({"key": "team", "value": "blue"}));
    r.step_causing("label.put", m, outcome(c.put_label(&host, &label).await), 1)
        .await;

    let m = r.mark();
    let label = command(json!({"key": "hostcore.os", "value": "plan9"}));
    r.step(
        "label.put hostcore.*",
        m,
        outcome(c.put_label(&host, &label).await),
    )
    .await;

    let m = r.mark();
    let key = command(json!({"key": "team"}));
    r.step_causing(
        "label.del",
        m,
        outcome(c.delete_label(&host, &key).await),
        1,
    )
    .await;

    let m = r.mark();
    let key = command(json!({"key": "nope"}));
    r.step(
        "label.del missing",
        m,
        outcome(c.delete_label(&host, &key).await),
    )
    .await;

    let m = r.mark();
    let values = command(json!({"lang": "en"}));
    r.step_causing(
        "config.put",
        m,
        outcome(c.put_config("greeting", &values).await),
        1,
    )
    .await;

    let m = r.mark();
    r.step("config.get", m, outcome(c.get_config("greeting").await))
        .await;

    let m = r.mark();
    r.step(
        "config.get missing",
        m,
        outcome(c.get_config("missing").await),
    )
    .await;

    let m = r.mark();
    let scale: ctl::ScaleComponentCommand = command(json!({
        "component_ref": ref_a, "component_id": "echo", "host_id": host, "count": 1,
        "config": ["greeting"], "annotations": {"app": "interop"}
    }));
    r.step_causing(
        "component.scale start",
        m,
        outcome(c.scale_component(&host, &scale).await),
        2,
    )
    .await;

    let m = r.mark();
    r.step(
        "host.get after start",
        m,
        outcome(c.get_host_inventory(&host).await),
    )
    .await;

    let m = r.mark();
    let scale: ctl::ScaleComponentCommand = command(json!({
        "component_ref": ref_b, "component_id": "echo", "host_id": host, "count": 2,
        "config": ["greeting"], "annotations": {"app": "interop"}, "allow_update": false
    }));
    r.step_causing(
        "component.scale another image",
        m,
        outcome(c.scale_component(&host, &scale).await),
        1,
    )
    .await;

    let m = r.mark();
    r.step(
        "host.get after scale",
        m,
        outcome(c.get_host_inventory(&host).await),
    )
    .await;

    let m = r.mark();
    let update: ctl::UpdateComponentCommand = command(json!({
        "component_id": "echo", "new_component_ref": ref_c, "host_id": host
    }));
    r.step_causing(
        "component.update",
        m,
        outcome(c.update_component(&host, &update).await),
        2,
    )
    .await;

    let m = r.mark();
    r.step(
        "host.get after update",
        m,
        outcome(c.get_host_inventory(&host).await),
    )
    .await;

    let m = r.mark();
    let auction: ctl::ComponentAuctionRequest = command(json!({
        "component_ref": ref_c, "component_id": "echo", "constraints": {"zone": "test"}
    }));
    let bids = c
        .perform_component_auction_with(&auction, &answered)
        .await
        .unwrap();
    r.step(
        "component.auction running",
        m,
        serde_json::to_value(&bids.replies).unwrap(),
    )
    .await;

    let m = r.mark();
    let auction: ctl::ComponentAuctionRequest = command(json!({
        "component_ref": ref_a, "component_id": "other", "constraints": {"zone": "test"}
    }));
    let bids = c
        .perform_component_auction_with(&auction, &answered)
        .await
        .unwrap();
    r.step(
        "component.auction new",
        m,
        serde_json::to_value(&bids.replies).unwrap(),
    )
    .await;

    let m = r.mark();
    let auction: ctl::ComponentAuctionRequest = command(json!({
        "component_ref": ref_a, "component_id": "other", "constraints": {"zone": "elsewhere"}
    }));
    let bids = c
        .perform_component_auction_with(&auction, &gather)
        .await
        .unwrap();
    r.step(
        "component.auction unmet constraints",
        m,
        serde_json::to_value(&bids.replies).unwrap(),
    )
    .await;

    let m = r.mark();
    let link: ctl::LinkDefinition = command(json!({
        "source_id": "echo", "target": "kvstore", "name": "default",
        "wit_namespace": "wasi", "wit_package": "keyvalue", "interfaces": ["store"],
        "source_config": ["greeting"], "target_config": []
    }));
    r.step_causing("link.put", m, outcome(c.put_link(&link).await), 1)
        .await;

    let m = r.mark();
    let link: ctl::LinkDefinition = command(json!({
        "source_id": "echo", "target": "blobstore", "name": "other",
        "wit_namespace": "wasi", "wit_package": "blobstore", "interfaces": ["blobstore"],
        "source_config": ["nowhere"], "target_config": []
    }));
    r.step_causing(
        "link.put missing config",
        m,
        outcome(c.put_link(&link).await),
        1,
    )
    .await;

    let m = r.mark();
    // A real host reads links from a key-value watch, which may lag behind the put: ask until
    // the link is there (10 s at most; the step's check says if it never came).
    let mut links = c.get_links().await;
    let asked = std::time::Instant::now();
    while !links
        .as_ref()
        .is_ok_and(|l| l.response.as_ref().is_some_and(|l| !l.is_empty()))
        && asked.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        links = c.get_links().await;
    }
    r.step("link.get", m, outcome(links)).await;

    let m = r.mark();
    let del: ctl::DeleteLinkCommand = command(json!({
        "source_id": "echo", "name": "default", "wit_namespace": "wasi", "wit_package": "keyvalue"
    }));
    r.step_causing("link.del", m, outcome(c.delete_link(&del).await), 1)
        .await;

    let m = r.mark();
    let del: ctl::DeleteLinkCommand = command(json!({
        "source_id": "nobody", "name": "default", "wit_namespace": "wasi", "wit_package": "keyvalue"
    }));
    r.step(
        "link.del unknown source",
        m,
        outcome(c.delete_link(&del).await),
    )
    .await;

    let m = r.mark();
    let scale: ctl::ScaleComponentCommand = command(json!({
        "component_ref": ref_c, "component_id": "echo", "host_id": host, "count": 0
    }));
    r.step_causing(
        "component.scale to zero",
        m,
        outcome(c.scale_component(&host, &scale).await),
        1,
    )
    .await;

    let m = r.mark();
    let scale: ctl::ScaleComponentCommand = command(json!({
        "component_ref": ref_broken, "component_id": "broken", "host_id": host, "count": 1
    }));
    r.step_causing(
        "component.scale broken",
        m,
        outcome(c.scale_component(&host, &scale).await),
        1,
    )
    .await;

    let m = r.mark();
    let auction: ctl::ProviderAuctionRequest = command(json!({
        "provider_ref": "file:///nowhere/provider.par.gz", "provider_id": "kvstore",
        "constraints": {"zone": "test"}
    }));
    let bids = c
        .perform_provider_auction_with(&auction, &answered)
        .await
        .unwrap();
    r.step(
        "provider.auction",
        m,
        serde_json::to_value(&bids.replies).unwrap(),
    )
    .await;

    let m = r.mark();
    r.step("claims.get", m, outcome(c.get_claims().await)).await;

    let m = r.mark();
    let start: ctl::StartProviderCommand = command(json!({
        "provider_ref": ref_broken, "provider_id": "kvstore", "host_id": host
    }));
    r.step_causing(
        "provider.start not an archive",
        m,
        outcome(c.start_provider(&host, &start).await),
        1,
    )
    .await;

    let m = r.mark();
    let stop: ctl::StopProviderCommand =
        command(json!({"provider_id": "kvstore", "host_id": host}));
    r.step(
        "provider.stop not running",
        m,
        outcome(c.stop_provider(&host, &stop).await),
    )
    .await;

    let m = r.mark();
    let registries =
        command(json!({"ghcr.io": {"registryType": "oci", "username": "u", "password": "p"}}));
    c.put_registries(&registries).await.unwrap();
    r.step("registry.put", m, Value::Null).await;

    let m = r.mark();
    let confirmed = c.put_registries_with(&registries, &answered).await.unwrap();
    r.step(
        "registry.put asking for replies",
        m,
        serde_json::to_value(&confirmed.replies).unwrap(),
    )
    .await;

    let m = r.mark();
    r.step_causing(
        "config.del",
        m,
        outcome(c.delete_config("greeting").await),
        1,
    )
    .await;

    let m = r.mark();
    let stop: ctl::StopHostCommand = command(json!({"host_id": host, "timeout": 500}));
    r.step_causing("host.stop", m, outcome(c.stop_host(&host, &stop).await), 1)
        .await;

    r.steps
}
