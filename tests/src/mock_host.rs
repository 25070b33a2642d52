//! A wasmCloud host in memory: it answers every control interface operation through the generated
//! [`Responder`] and publishes the lattice events a real 1.x host would.
//!
//! Components, providers and labels belong to the host; links, configs and component specs belong
//! to the lattice (real hosts keep them in NATS KV), so hosts of one process can share a
//! [`LatticeStore`].
//!
//! It answers and emits what a real host (wasmcloud-host 0.27.1) does, as `real-host/` checks by
//! running one scenario on both, with one exception: a real host bids in a component auction for a
//! component it already runs (a host bug the spec describes); this one stays silent.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmcloud_protocol::control_interface::app::{serve, Responder};
use wasmcloud_protocol::control_interface::{subjects, types as ctl};
use wasmcloud_protocol::lattice_events::app::Client as Events;
use wasmcloud_protocol::lattice_events::types as evt;
use wasmcloud_protocol::runtime::nats::{
    async_nats, Reject, RequestOptions, ServeError, ServeOptions, Server,
};
use wasmcloud_protocol::runtime::SubjectPrefix;

/// What a lattice shares between its hosts: links and named configs.
#[derive(Debug, Default)]
pub struct LatticeStore {
    links: Mutex<Vec<ctl::LinkDefinition>>,
    configs: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
    /// Ids with a component specification (hosts write one when a component is scaled up or a
    /// link from it is put); deleting a link from an id without one changes nothing.
    specs: Mutex<std::collections::BTreeSet<String>>,
}

/// How a mock host is set up.
#[derive(Debug, Clone)]
pub struct MockHostConfig {
    pub lattice: String,
    pub host_id: String,
    pub friendly_name: String,
    pub labels: BTreeMap<String, String>,
    pub prefix: SubjectPrefix,
    pub version: String,
    /// The NATS server the host says it is connected to (`ctl_host`, `rpc_host`).
    pub nats_url: String,
}

impl MockHostConfig {
    /// A host with `hostcore.*` labels for this machine.
    pub fn new(lattice: &str, host_id: &str) -> Self {
        let labels = [
            ("hostcore.arch", std::env::consts::ARCH),
            ("hostcore.os", std::env::consts::OS),
            ("hostcore.osfamily", std::env::consts::FAMILY),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        Self {
            lattice: lattice.to_owned(),
            host_id: host_id.to_owned(),
            friendly_name: format!(
                "mock-{}",
                &host_id[host_id.len().saturating_sub(4)..].to_ascii_lowercase()
            ),
            labels,
            prefix: SubjectPrefix::new(),
            version: "1.9.2".to_owned(),
            nats_url: "nats://127.0.0.1:4222".to_owned(),
        }
    }
}

struct State {
    components: BTreeMap<String, ctl::ComponentDescription>,
    providers: BTreeMap<String, ctl::ProviderDescription>,
    labels: BTreeMap<String, String>,
    registries: HashMap<String, ctl::RegistryCredential>,
    stopped: bool,
}

/// The host; clone it freely (clones share the host).
#[derive(Clone)]
pub struct MockHost {
    config: Arc<MockHostConfig>,
    state: Arc<Mutex<State>>,
    store: Arc<LatticeStore>,
    events: Events,
    started: Instant,
}

impl std::fmt::Debug for MockHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockHost")
            .field("host_id", &self.config.host_id)
            .finish()
    }
}

fn ack(message: &str) -> ctl::CtlResponse {
    ctl::CtlResponse {
        success: true,
        message: message.to_owned(),
        error: None,
    }
}

impl MockHost {
    /// A host on `nats`, sharing `store` with the lattice's other mock hosts.
    pub fn new(
        nats: async_nats::Client,
        config: MockHostConfig,
        store: Arc<LatticeStore>,
    ) -> Result<Self, String> {
        subjects::SpecFilter::default()
            .lattice(&config.lattice)
            .map_err(|e| e.to_string())?;
        // Events carry the account token too (the events' root is not replaceable).
        let events = Events::with_options(
            nats,
            &config.lattice,
            RequestOptions::new().prefix(config.prefix.clone()),
        )
        .map_err(|e| e.to_string())?;
        Ok(Self {
            state: Arc::new(Mutex::new(State {
                components: BTreeMap::new(),
                providers: BTreeMap::new(),
                labels: config.labels.clone(),
                registries: HashMap::new(),
                stopped: false,
            })),
            config: Arc::new(config),
            store,
            events,
            started: Instant::now(),
        })
    }

    /// Answers the control interface on `nats` and announces the host (`host_started`).
    pub async fn serve(self, nats: async_nats::Client) -> Result<Server, ServeError> {
        let options = ServeOptions::new()
            .prefix(self.config.prefix.clone())
            .fix("lattice", self.config.lattice.clone())
            .fix("hostId", self.config.host_id.clone());
        let started = evt::HostStartedPayload::new(
            self.config.host_id.as_str(),
            evt::HostStartedData {
                friendly_name: self.config.friendly_name.clone(),
                labels: self.labels(),
                uptime_seconds: 0,
                version: self.config.version.clone(),
            },
        );
        let server = serve(nats, self.clone(), options).await?;
        let _ = self.events.publish_host_started(&started).await;
        Ok(server)
    }

    /// The host id.
    pub fn host_id(&self) -> &str {
        &self.config.host_id
    }

    /// Whether a `host.stop` was handled.
    pub fn stopped(&self) -> bool {
        self.lock().stopped
    }

    /// The registry credentials received through `registry.put`.
    pub fn registries(&self) -> HashMap<String, ctl::RegistryCredential> {
        self.lock().registries.clone()
    }

    /// Publishes a heartbeat (the host's inventory) now.
    pub async fn heartbeat(&self) {
        let inventory = self.inventory();
        let hb = evt::HostHeartbeatPayload::new(
            self.config.host_id.as_str(),
            evt::HostInventory {
                components: inventory
                    .components
                    .iter()
                    .map(|c| evt::ComponentDescription {
                        id: c.id.clone(),
                        image_ref: c.image_ref.clone(),
                        name: c.name.clone(),
                        annotations: c.annotations.clone(),
                        revision: c.revision,
                        max_instances: c.max_instances,
                        limits: c.limits.clone(),
                    })
                    .collect(),
                providers: inventory
                    .providers
                    .iter()
                    .map(|p| evt::ProviderDescription {
                        id: p.id.clone(),
                        image_ref: p.image_ref.clone(),
                        name: p.name.clone(),
                        revision: p.revision,
                        annotations: p.annotations.clone(),
                    })
                    .collect(),
                host_id: inventory.host_id,
                friendly_name: inventory.friendly_name,
                labels: inventory.labels,
                version: inventory.version,
                uptime_human: inventory.uptime_human,
                uptime_seconds: inventory.uptime_seconds,
            },
        );
        let _ = self.events.publish_host_heartbeat(&hb).await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn labels(&self) -> BTreeMap<String, String> {
        self.lock().labels.clone()
    }

    fn uptime(&self) -> (u64, String) {
        let secs = self.started.elapsed().as_secs();
        (secs, format!("{}m {}s", secs / 60, secs % 60))
    }

    fn inventory(&self) -> ctl::HostInventory {
        let (uptime_seconds, uptime_human) = self.uptime();
        let state = self.lock();
        ctl::HostInventory {
            host_id: self.config.host_id.clone(),
            friendly_name: self.config.friendly_name.clone(),
            labels: state.labels.clone(),
            version: self.config.version.clone(),
            uptime_human,
            uptime_seconds,
            components: state.components.values().cloned().collect(),
            providers: state.providers.values().cloned().collect(),
        }
    }

    fn satisfies(&self, constraints: &BTreeMap<String, String>) -> bool {
        let state = self.lock();
        constraints
            .iter()
            .all(|(k, v)| state.labels.get(k) == Some(v))
    }

    async fn scaled(
        &self,
        component_id: &str,
        image_ref: &str,
        host_id: &str,
        count: u32,
        annotations: BTreeMap<String, String>,
    ) {
        let e = evt::ComponentScaledPayload::new(
            self.config.host_id.as_str(),
            evt::ComponentScaledData {
                annotations,
                claims: None,
                component_id: component_id.to_owned(),
                host_id: host_id.to_owned(),
                image_ref: image_ref.to_owned(),
                max_instances: count.into(),
                public_key: None,
            },
        );
        let _ = self.events.publish_component_scaled(&e).await;
    }

    /// Notes that `id` has a component specification in the lattice.
    fn spec(&self, id: &str) {
        self.store
            .specs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned());
    }

    async fn scale_failed(
        &self,
        cmd: &ctl::ScaleComponentCommand,
        annotations: BTreeMap<String, String>,
        error: String,
    ) {
        let e = evt::ComponentScaleFailedPayload::new(
            self.config.host_id.as_str(),
            evt::ComponentScaleFailedData {
                annotations,
                component_id: cmd.component_id.clone(),
                error,
                host_id: cmd.host_id.clone(),
                image_ref: cmd.component_ref.clone(),
                max_instances: cmd.count.into(),
                public_key: None,
            },
        );
        let _ = self.events.publish_component_scale_failed(&e).await;
    }

    /// A live update, as a real 1.9 host does it: the component runs the new image, with the
    /// command's annotations (none when it has none), and both events carry the new reference,
    /// the second with `max_instances` 0.
    async fn update(&self, cmd: &ctl::UpdateComponentCommand) {
        let annotations = cmd.annotations.clone().unwrap_or_default();
        let count = {
            let mut state = self.lock();
            let Some(c) = state.components.get_mut(&cmd.component_id) else {
                return;
            };
            c.image_ref = cmd.new_component_ref.clone();
            c.annotations = Some(annotations.clone());
            c.max_instances
        };
        for max in [count, 0] {
            self.scaled(
                &cmd.component_id,
                &cmd.new_component_ref,
                &cmd.host_id,
                max,
                annotations.clone(),
            )
            .await;
        }
    }

    async fn labels_changed(&self) {
        let e = evt::LabelsChangedPayload::new(
            self.config.host_id.as_str(),
            evt::LabelsChangedData {
                host_id: self.config.host_id.clone(),
                labels: self.labels(),
            },
        );
        let _ = self.events.publish_labels_changed(&e).await;
    }
}

impl MockHost {
    async fn link_failed(&self, link: &ctl::LinkDefinition, reason: &str) {
        let d = link_data(link);
        let e = evt::LinkdefSetFailedPayload::new(
            self.config.host_id.as_str(),
            evt::LinkdefSetFailedData {
                source_id: d.source_id,
                target: d.target,
                name: d.name,
                wit_namespace: d.wit_namespace,
                wit_package: d.wit_package,
                interfaces: d.interfaces,
                source_config: d.source_config,
                target_config: d.target_config,
                error: reason.into(),
            },
        );
        let _ = self.events.publish_linkdef_set_failed(&e).await;
    }
}

/// What a real host checks of a component before it runs it: `file://` references are read and
/// must hold WebAssembly (other references are taken as fetched).
fn fetch(component_ref: &str) -> Result<(), String> {
    let Some(path) = component_ref.strip_prefix("file://") else {
        return Ok(());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("failed to read {path}: {e}"))?;
    if bytes.starts_with(b"\0asm") {
        Ok(())
    } else {
        Err("failed to extract module claims: not a WebAssembly file".into())
    }
}

/// What a real host checks of a provider before it starts it: `file://` references are read and
/// must hold a provider archive (a tar file, usually gzipped).
fn fetch_provider(provider_ref: &str) -> Result<(), String> {
    let Some(path) = provider_ref.strip_prefix("file://") else {
        return Ok(());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("failed to fetch provider: {e}"))?;
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    let tar = bytes.get(257..262) == Some(&b"ustar"[..]);
    if gzip || tar {
        Ok(())
    } else {
        Err("failed to fetch provider: not a provider archive".into())
    }
}

fn link_data(l: &ctl::LinkDefinition) -> evt::LinkdefSetData {
    evt::LinkdefSetData {
        source_id: l.source_id.clone(),
        target: l.target.clone(),
        name: l.name.clone(),
        wit_namespace: l.wit_namespace.clone(),
        wit_package: l.wit_package.clone(),
        interfaces: l.interfaces.clone(),
        source_config: l.source_config.clone(),
        target_config: l.target_config.clone(),
    }
}

impl Responder for MockHost {
    async fn get_hosts(
        &self,
        _: subjects::HostPingSubject<'_>,
    ) -> Result<ctl::HostSummaryResponse, Reject> {
        let (uptime_seconds, uptime_human) = self.uptime();
        Ok(ctl::HostSummaryResponse {
            success: true,
            message: String::new(),
            error: None,
            response: Some(ctl::HostSummary {
                id: self.config.host_id.clone(),
                friendly_name: self.config.friendly_name.clone(),
                labels: self.labels(),
                lattice: self.config.lattice.clone(),
                uptime_seconds,
                uptime_human: Some(uptime_human),
                version: Some(self.config.version.clone()),
                ctl_host: Some(self.config.nats_url.clone()),
                rpc_host: Some(self.config.nats_url.clone()),
                js_domain: None,
            }),
        })
    }

    async fn get_host_inventory(
        &self,
        _: subjects::HostGetSubject<'_>,
    ) -> Result<ctl::HostInventoryResponse, Reject> {
        Ok(ctl::HostInventoryResponse {
            success: true,
            message: String::new(),
            error: None,
            response: Some(self.inventory()),
        })
    }

    async fn stop_host(
        &self,
        _: subjects::HostStopSubject<'_>,
        _: ctl::StopHostCommand,
    ) -> Result<ctl::CtlResponse, Reject> {
        self.lock().stopped = true;
        let e = evt::HostStoppedPayload::new(
            self.config.host_id.as_str(),
            evt::HostStoppedData {
                labels: self.labels(),
            },
        );
        let _ = self.events.publish_host_stopped(&e).await;
        Ok(ack("successfully handled stop host"))
    }

    async fn scale_component(
        &self,
        _: subjects::ComponentScaleSubject<'_>,
        cmd: ctl::ScaleComponentCommand,
    ) -> Result<ctl::CtlResponse, Reject> {
        let annotations = cmd.annotations.clone().unwrap_or_default();
        let running = self.lock().components.get(&cmd.component_id).cloned();
        // Like a real host: acknowledged first, the outcome is an event.
        let mut message = String::new();
        match running {
            None if cmd.count == 0 => {
                self.scaled(
                    &cmd.component_id,
                    &cmd.component_ref,
                    &cmd.host_id,
                    0,
                    annotations,
                )
                .await;
            }
            None => {
                if let Err(error) = fetch(&cmd.component_ref) {
                    self.scale_failed(&cmd, annotations, error).await;
                    return Ok(ack(""));
                }
                self.lock().components.insert(
                    cmd.component_id.clone(),
                    ctl::ComponentDescription {
                        id: cmd.component_id.clone(),
                        image_ref: cmd.component_ref.clone(),
                        name: None,
                        annotations: Some(annotations.clone()),
                        revision: 0,
                        max_instances: cmd.count,
                        limits: cmd.component_limits.clone(),
                    },
                );
                self.spec(&cmd.component_id);
                // A real host reports a start twice: when the component starts (with its own
                // id) and when the command is done (with the command's host_id).
                let own_id = self.config.host_id.clone();
                for host_id in [own_id.as_str(), cmd.host_id.as_str()] {
                    self.scaled(
                        &cmd.component_id,
                        &cmd.component_ref,
                        host_id,
                        cmd.count,
                        annotations.clone(),
                    )
                    .await;
                }
            }
            Some(component) => {
                let old_annotations = component.annotations.clone().unwrap_or_default();
                if cmd.count == 0 {
                    self.lock().components.remove(&cmd.component_id);
                } else if component.max_instances != cmd.count {
                    // Scaling instantiates the component again from the command: its image
                    // reference and annotations are what the inventory shows from then on.
                    self.lock().components.insert(
                        cmd.component_id.clone(),
                        ctl::ComponentDescription {
                            image_ref: cmd.component_ref.clone(),
                            annotations: Some(annotations.clone()),
                            max_instances: cmd.count,
                            limits: cmd.component_limits.clone(),
                            ..component.clone()
                        },
                    );
                }
                if component.image_ref != cmd.component_ref {
                    message = if cmd.allow_update {
                        format!(
                            "Requested to scale existing component, with a changed image reference: {} != {}. The component will be scaled, and the image reference will be updated afterwards.",
                            component.image_ref, cmd.component_ref
                        )
                    } else {
                        format!(
                            "Requested to scale existing component to a different image reference: {} != {}. The component will be scaled but the image reference will not be updated. If you meant to update this component to a new image ref, use the update command.",
                            component.image_ref, cmd.component_ref
                        )
                    };
                }
                // The event describes the component that was running.
                self.scaled(
                    &cmd.component_id,
                    &component.image_ref,
                    &cmd.host_id,
                    cmd.count,
                    old_annotations,
                )
                .await;
                if cmd.allow_update && cmd.count > 0 && component.image_ref != cmd.component_ref {
                    let update = ctl::UpdateComponentCommand {
                        annotations: cmd.annotations.clone(),
                        component_id: cmd.component_id.clone(),
                        host_id: cmd.host_id.clone(),
                        new_component_ref: cmd.component_ref.clone(),
                    };
                    self.update(&update).await;
                }
            }
        }
        Ok(ack(&message))
    }

    async fn update_component(
        &self,
        _: subjects::ComponentUpdateSubject<'_>,
        cmd: ctl::UpdateComponentCommand,
    ) -> Result<ctl::CtlResponse, Reject> {
        let Some(running) = self.lock().components.get(&cmd.component_id).cloned() else {
            return Err(Reject::refuse(format!(
                "component {} not found",
                cmd.component_id
            )));
        };
        if running.image_ref == cmd.new_component_ref {
            return Ok(ack(&format!(
                "component {} already updated to {}",
                cmd.component_id, cmd.new_component_ref
            )));
        }
        self.update(&cmd).await;
        Ok(ack(&format!(
            "component {} updating from {} to {}",
            cmd.component_id, running.image_ref, cmd.new_component_ref
        )))
    }

    async fn perform_component_auction(
        &self,
        _: subjects::ComponentAuctionSubject<'_>,
        req: ctl::ComponentAuctionRequest,
    ) -> Result<ctl::ComponentAuctionResponse, Reject> {
        let running = self.lock().components.contains_key(&req.component_id);
        if running || !self.satisfies(&req.constraints) {
            return Err(Reject::silently());
        }
        Ok(ctl::ComponentAuctionResponse {
            success: true,
            message: String::new(),
            error: None,
            // A real host puts the requested component_ref here (see the spec).
            response: Some(ctl::ComponentAuctionAck {
                component_id: req.component_ref.clone(),
                component_ref: req.component_ref,
                host_id: self.config.host_id.clone(),
                constraints: req.constraints,
            }),
        })
    }

    async fn start_provider(
        &self,
        _: subjects::ProviderStartSubject<'_>,
        cmd: ctl::StartProviderCommand,
    ) -> Result<ctl::CtlResponse, Reject> {
        let annotations = cmd.annotations.clone().unwrap_or_default();
        if self.lock().providers.contains_key(&cmd.provider_id) {
            return Err(Reject::refuse("provider with that ID is already running"));
        }
        // Like a real host: acknowledged first; a provider it cannot fetch fails by event.
        if let Err(error) = fetch_provider(&cmd.provider_ref) {
            let e = evt::ProviderStartFailedPayload::new(
                self.config.host_id.as_str(),
                evt::ProviderStartFailedData {
                    error,
                    host_id: Some(cmd.host_id.clone()),
                    link_name: Some("default".into()),
                    provider_id: cmd.provider_id.clone(),
                    provider_ref: cmd.provider_ref.clone(),
                },
            );
            let _ = self.events.publish_provider_start_failed(&e).await;
            return Ok(ack("successfully started provider"));
        }
        {
            let mut state = self.lock();
            state.providers.insert(
                cmd.provider_id.clone(),
                ctl::ProviderDescription {
                    id: cmd.provider_id.clone(),
                    image_ref: Some(cmd.provider_ref.clone()),
                    name: None,
                    revision: 0,
                    annotations: Some(annotations.clone()),
                },
            );
        }
        self.spec(&cmd.provider_id);
        let e = evt::ProviderStartedPayload::new(
            self.config.host_id.as_str(),
            evt::ProviderStartedData {
                annotations,
                claims: None,
                host_id: cmd.host_id.clone(),
                image_ref: cmd.provider_ref.clone(),
                instance_id: None,
                link_name: None,
                provider_id: cmd.provider_id.clone(),
                public_key: None,
            },
        );
        let _ = self.events.publish_provider_started(&e).await;
        Ok(ack("successfully started provider"))
    }

    async fn stop_provider(
        &self,
        _: subjects::ProviderStopSubject<'_>,
        cmd: ctl::StopProviderCommand,
    ) -> Result<ctl::CtlResponse, Reject> {
        let Some(provider) = self.lock().providers.remove(&cmd.provider_id) else {
            return Err(Reject::refuse("provider with that ID is not running"));
        };
        let e = evt::ProviderStoppedPayload::new(
            self.config.host_id.as_str(),
            evt::ProviderStoppedData {
                annotations: provider.annotations.unwrap_or_default(),
                host_id: cmd.host_id.clone(),
                instance_id: Some(cmd.provider_id.clone()),
                link_name: Some("default".into()),
                provider_id: cmd.provider_id.clone(),
                public_key: Some(cmd.provider_id.clone()),
                reason: "stop".into(),
            },
        );
        let _ = self.events.publish_provider_stopped(&e).await;
        Ok(ack("successfully stopped provider"))
    }

    async fn perform_provider_auction(
        &self,
        _: subjects::ProviderAuctionSubject<'_>,
        req: ctl::ProviderAuctionRequest,
    ) -> Result<ctl::ProviderAuctionResponse, Reject> {
        let running = self.lock().providers.contains_key(&req.provider_id);
        if running || !self.satisfies(&req.constraints) {
            return Err(Reject::silently());
        }
        Ok(ctl::ProviderAuctionResponse {
            success: true,
            message: String::new(),
            error: None,
            response: Some(ctl::ProviderAuctionAck {
                host_id: self.config.host_id.clone(),
                provider_ref: req.provider_ref,
                provider_id: req.provider_id,
                constraints: req.constraints,
            }),
        })
    }

    async fn put_link(
        &self,
        _: subjects::LinkPutSubject<'_>,
        link: ctl::LinkDefinition,
    ) -> Result<ctl::CtlResponse, Reject> {
        let missing = {
            let configs = self.store.configs.lock().unwrap_or_else(|e| e.into_inner());
            link.source_config
                .iter()
                .chain(&link.target_config)
                .find(|name| !configs.contains_key(*name))
                .cloned()
        };
        if let Some(name) = missing {
            let reason = format!(
                "Failed to validate configuration and secrets. Configuration {name} not found in config store. "
            );
            self.link_failed(&link, &reason).await;
            return Err(Reject::refuse(reason));
        }
        let conflict = {
            let mut links = self.store.links.lock().unwrap_or_else(|e| e.into_inner());
            let same = |l: &ctl::LinkDefinition| {
                (
                    l.source_id.as_str(),
                    l.wit_namespace.as_str(),
                    l.wit_package.as_str(),
                    l.name.as_str(),
                ) == (
                    link.source_id.as_str(),
                    link.wit_namespace.as_str(),
                    link.wit_package.as_str(),
                    link.name.as_str(),
                )
            };
            match links.iter().position(same) {
                Some(i) if links[i].target != link.target => true,
                Some(i) => {
                    links[i] = link.clone();
                    false
                }
                None => {
                    links.push(link.clone());
                    false
                }
            }
        };
        if conflict {
            let reason = "link already exists with different target, consider deleting the existing link or using a different link name";
            self.link_failed(&link, reason).await;
            return Err(Reject::refuse(reason));
        }
        self.spec(&link.source_id);
        let e = evt::LinkdefSetPayload::new(self.config.host_id.as_str(), link_data(&link));
        let _ = self.events.publish_linkdef_set(&e).await;
        Ok(ack("successfully set link"))
    }

    async fn delete_link(
        &self,
        _: subjects::LinkDelSubject<'_>,
        del: ctl::DeleteLinkCommand,
    ) -> Result<ctl::CtlResponse, Reject> {
        let has_spec = self
            .store
            .specs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&del.source_id);
        if !has_spec {
            return Ok(ack("successfully deleted link (spec doesn't exist)"));
        }
        let removed = {
            let mut links = self.store.links.lock().unwrap_or_else(|e| e.into_inner());
            let i = links.iter().position(|l| {
                l.source_id == del.source_id
                    && l.name == del.name
                    && l.wit_namespace == del.wit_namespace
                    && l.wit_package == del.wit_package
            });
            i.map(|i| links.remove(i))
        };
        let e = evt::LinkdefDeletedPayload::new(
            self.config.host_id.as_str(),
            evt::LinkdefDeletedData {
                interfaces: removed.as_ref().map(|l| l.interfaces.clone()),
                name: del.name.clone(),
                source_id: del.source_id.clone(),
                target: removed.map(|l| l.target),
                wit_namespace: del.wit_namespace.clone(),
                wit_package: del.wit_package.clone(),
            },
        );
        let _ = self.events.publish_linkdef_deleted(&e).await;
        Ok(ack("successfully deleted link"))
    }

    async fn get_links(
        &self,
        _: subjects::LinkGetSubject<'_>,
    ) -> Result<ctl::LinksResponse, Reject> {
        let links = self
            .store
            .links
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Ok(ctl::LinksResponse {
            success: true,
            message: String::new(),
            error: None,
            response: Some(links),
        })
    }

    async fn get_claims(
        &self,
        _: subjects::ClaimsGetSubject<'_>,
    ) -> Result<ctl::ClaimsResponse, Reject> {
        Ok(ctl::ClaimsResponse {
            success: true,
            message: String::new(),
            error: None,
            response: Some(Vec::new()),
        })
    }

    async fn put_config(
        &self,
        subject: subjects::ConfigPutSubject<'_>,
        values: ctl::ConfigValues,
    ) -> Result<ctl::CtlResponse, Reject> {
        let name = subject.config_name().to_owned();
        self.store
            .configs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.clone(), values.0);
        let e = evt::ConfigSetPayload::new(
            self.config.host_id.as_str(),
            evt::ConfigEventData { config_name: name },
        );
        let _ = self.events.publish_config_set(&e).await;
        Ok(ack("successfully put config"))
    }

    async fn get_config(
        &self,
        subject: subjects::ConfigGetSubject<'_>,
    ) -> Result<ctl::ConfigResponse, Reject> {
        let found = self
            .store
            .configs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(subject.config_name())
            .cloned();
        Ok(match found {
            Some(values) => ctl::ConfigResponse {
                success: true,
                message: String::new(),
                error: None,
                response: Some(ctl::ConfigValues(values)),
            },
            None => ctl::ConfigResponse {
                success: true,
                message: "Configuration not found".into(),
                error: None,
                response: None,
            },
        })
    }

    async fn delete_config(
        &self,
        subject: subjects::ConfigDelSubject<'_>,
    ) -> Result<ctl::CtlResponse, Reject> {
        let name = subject.config_name().to_owned();
        self.store
            .configs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&name);
        let e = evt::ConfigDeletedPayload::new(
            self.config.host_id.as_str(),
            evt::ConfigEventData { config_name: name },
        );
        let _ = self.events.publish_config_deleted(&e).await;
        Ok(ack("successfully deleted config"))
    }

    async fn put_label(
        &self,
        _: subjects::LabelPutSubject<'_>,
        label: ctl::HostLabel,
    ) -> Result<ctl::CtlResponse, Reject> {
        if label.key.to_ascii_lowercase().starts_with("hostcore.") {
            return Err(Reject::refuse(
                "hostcore.* labels cannot be set dynamically",
            ));
        }
        self.lock().labels.insert(label.key, label.value);
        self.labels_changed().await;
        Ok(ack("successfully put label"))
    }

    async fn delete_label(
        &self,
        _: subjects::LabelDelSubject<'_>,
        label: ctl::HostLabelIdentifier,
    ) -> Result<ctl::CtlResponse, Reject> {
        if self.lock().labels.remove(&label.key).is_none() {
            return Ok(ack("successfully deleted label (no such label)"));
        }
        self.labels_changed().await;
        Ok(ack("successfully deleted label"))
    }

    async fn put_registries(
        &self,
        _: subjects::RegistryPutSubject<'_>,
        registries: ctl::RegistryCredentialMap,
    ) -> Result<ctl::CtlResponse, Reject> {
        self.lock().registries.extend(registries.0);
        Ok(ack("successfully put registries"))
    }
}

/// Connects to `servers` with `options` (credentials and the like), serves, and (with
/// `heartbeat`) publishes heartbeats until the connection ends.
pub async fn run(
    servers: Vec<async_nats::ServerAddr>,
    options: async_nats::ConnectOptions,
    config: MockHostConfig,
    heartbeat: Option<Duration>,
) -> Result<(), String> {
    let nats = options.connect(servers).await.map_err(|e| e.to_string())?;
    let host = MockHost::new(nats.clone(), config, Arc::default())?;
    let server = host.clone().serve(nats).await.map_err(|e| e.to_string())?;
    match heartbeat {
        Some(every) => loop {
            tokio::time::sleep(every).await;
            host.heartbeat().await;
        },
        None => {
            server.wait().await;
            Ok(())
        }
    }
}
