//! Our generated types against the official client crate (`wasmcloud-control-interface` 3.0.1),
//! for every type that crosses the wire, in both directions:
//!
//! - official → ours → official: a realistic value built with the official builders is
//!   serialized, decoded into our type, encoded again and decoded by the official crate; the two
//!   official values must be equal;
//! - ours → official → ours: the same from our side.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasmcloud_control_interface as official;
use wasmcloud_protocol::control_interface::types as ours;

const HOST: &str = "NAU2KX5RMQAUL35EROZUYD77GVKISUV2GKTUVEZDJMYCGGK2SO7UCO3N";
const COMPONENT_REF: &str = "ghcr.io/wasmcloud/components/http-hello-world-rust:0.1.0";
const PROVIDER_REF: &str = "ghcr.io/wasmcloud/http-server:0.22.0";

/// official → JSON → ours → JSON → official, and the two official values compare equal (by their
/// own serialization, which also covers `CtlResponse`, which has no `PartialEq`).
fn from_official<O, T>(value: &O) -> T
where
    O: Serialize + DeserializeOwned + Debug,
    T: Serialize + DeserializeOwned + Debug,
{
    let wire = serde_json::to_vec(value).unwrap();
    let ours: T = serde_json::from_slice(&wire).unwrap_or_else(|e| {
        panic!(
            "ours cannot decode the official {}: {e}\n{}",
            std::any::type_name::<O>(),
            String::from_utf8_lossy(&wire)
        )
    });
    let back = serde_json::to_vec(&ours).unwrap();
    let again: O = serde_json::from_slice(&back).unwrap_or_else(|e| {
        panic!(
            "the official crate cannot decode our {}: {e}\n{}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&back)
        )
    });
    assert_eq!(
        serde_json::to_value(value).unwrap(),
        serde_json::to_value(&again).unwrap(),
        "{} changed on its way through {}",
        std::any::type_name::<O>(),
        std::any::type_name::<T>()
    );
    ours
}

/// ours → JSON → official → JSON → ours, and the two values of ours are equal.
fn from_ours<T, O>(value: &T) -> O
where
    T: Serialize + DeserializeOwned + Debug + PartialEq,
    O: Serialize + DeserializeOwned + Debug,
{
    let wire = serde_json::to_vec(value).unwrap();
    let theirs: O = serde_json::from_slice(&wire).unwrap_or_else(|e| {
        panic!(
            "the official crate cannot decode our {}: {e}\n{}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&wire)
        )
    });
    let back = serde_json::to_vec(&theirs).unwrap();
    let again: T = serde_json::from_slice(&back).unwrap_or_else(|e| {
        panic!(
            "ours cannot decode the official {}: {e}\n{}",
            std::any::type_name::<O>(),
            String::from_utf8_lossy(&back)
        )
    });
    assert_eq!(
        value,
        &again,
        "{} changed on its way through the official crate",
        std::any::type_name::<T>()
    );
    theirs
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn hash(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn wadm() -> BTreeMap<String, String> {
    map(&[
        ("wasmcloud.dev/managed-by", "wadm"),
        ("wasmcloud.dev/appspec", "hello"),
    ])
}

// ---------------------------------------------------------------- official → ours → official

fn official_component() -> official::ComponentDescription {
    official::ComponentDescription::builder()
        .id("hello".into())
        .image_ref(COMPONENT_REF.into())
        .name("http-hello-world".into())
        .revision(2)
        .max_instances(100)
        .limits(Some(hash(&[
            ("max_memory_limit", "67108864"),
            ("max_execution_time", "2000"),
        ])))
        .annotations(wadm())
        .build()
        .unwrap()
}

fn official_provider() -> official::ProviderDescription {
    official::ProviderDescription::builder()
        .id("http-server")
        .image_ref(PROVIDER_REF)
        .name("HTTP Server")
        .revision(1)
        .annotations(wadm())
        .build()
        .unwrap()
}

fn official_host() -> official::Host {
    official::Host::builder()
        .id(HOST.into())
        .friendly_name("summer-timber-8052".into())
        .labels(map(&[
            ("hostcore.arch", "x86_64"),
            ("hostcore.os", "linux"),
            ("zone", "eu"),
        ]))
        .lattice("default".into())
        .uptime_seconds(141)
        .uptime_human("2m 21s".into())
        .version("1.9.2".into())
        .ctl_host("nats://127.0.0.1:4222".into())
        .rpc_host("nats://127.0.0.1:4222".into())
        .js_domain("core".into())
        .build()
        .unwrap()
}

fn official_inventory() -> official::HostInventory {
    official::HostInventory::builder()
        .host_id(HOST.into())
        .friendly_name("summer-timber-8052".into())
        .labels(map(&[("hostcore.os", "linux")]))
        .version("1.9.2".into())
        .uptime_human("1h 3m 7s".into())
        .uptime_seconds(3787)
        .components(vec![
            official_component(),
            official::ComponentDescription::builder()
                .id("echo".into())
                .image_ref("wasmcloud.azurecr.io/echo:0.3.4".into())
                .max_instances(u32::MAX)
                .build()
                .unwrap(),
        ])
        .providers(vec![official_provider()])
        .build()
        .unwrap()
}

fn official_link() -> official::Link {
    official::Link::builder()
        .source_id("http-server")
        .target("hello")
        .name("default")
        .wit_namespace("wasi")
        .wit_package("http")
        .interfaces(strings(&["incoming-handler"]))
        .source_config(strings(&["hello-http-address"]))
        .target_config(vec![])
        .build()
        .unwrap()
}

#[test]
fn commands_from_the_official_crate() {
    let scale = official::ScaleComponentCommand::builder()
        .component_ref(COMPONENT_REF)
        .component_id("hello")
        .host_id(HOST)
        .max_instances(5)
        .annotations(wadm())
        .component_limits(Some(hash(&[("max_memory_limit", "67108864")])))
        .config(strings(&["hello-config"]))
        .allow_update(true)
        .build()
        .unwrap();
    let ours: ours::ScaleComponentCommand = from_official(&scale);
    assert_eq!(ours.count, 5, "the wire key is count");
    let minimal = official::ScaleComponentCommand::builder()
        .component_ref(COMPONENT_REF)
        .component_id("hello")
        .host_id(HOST)
        .build()
        .unwrap();
    let ours: ours::ScaleComponentCommand = from_official(&minimal);
    assert_eq!(ours.count, 0);

    let start = official::StartProviderCommand::builder()
        .provider_id("http-server")
        .provider_ref(PROVIDER_REF)
        .host_id(HOST)
        .annotations(wadm())
        .config(strings(&["http-defaults"]))
        .build()
        .unwrap();
    let _: ours::StartProviderCommand = from_official(&start);

    let stop = official::StopProviderCommand::builder()
        .host_id(HOST)
        .provider_id("http-server")
        .build()
        .unwrap();
    let _: ours::StopProviderCommand = from_official(&stop);

    let stop_host = official::StopHostCommand::builder()
        .host_id(HOST)
        .timeout(10_000)
        .build()
        .unwrap();
    let ours: ours::StopHostCommand = from_official(&stop_host);
    assert_eq!(ours.timeout, Some(10_000));
    let stop_now = official::StopHostCommand::builder()
        .host_id(HOST)
        .build()
        .unwrap();
    let _: ours::StopHostCommand = from_official(&stop_now);

    let update = official::UpdateComponentCommand::builder()
        .component_id("hello")
        .host_id(HOST)
        .new_component_ref("ghcr.io/wasmcloud/components/http-hello-world-rust:0.2.0")
        .annotations(wadm())
        .build()
        .unwrap();
    let _: ours::UpdateComponentCommand = from_official(&update);
}

#[test]
fn links_from_the_official_crate() {
    let ours: ours::LinkDefinition = from_official(&official_link());
    assert_eq!(ours.interfaces, strings(&["incoming-handler"]));
    let delete = official::DeleteInterfaceLinkDefinitionRequest::builder()
        .source_id("http-server".into())
        .name("default".into())
        .wit_namespace("wasi".into())
        .wit_package("http".into())
        .build()
        .unwrap();
    let _: ours::DeleteLinkCommand = from_official(&delete);
}

#[test]
fn hosts_and_inventories_from_the_official_crate() {
    let _: ours::HostSummary = from_official(&official_host());
    // The official builder insists on a friendly name, but on the wire every Host field defaults.
    let minimal: official::Host = serde_json::from_value(serde_json::json!({"id": HOST})).unwrap();
    let _: ours::HostSummary = from_official(&minimal);
    let inventory: ours::HostInventory = from_official(&official_inventory());
    assert_eq!(inventory.components[1].limits, None);
    let _: ours::ComponentDescription = from_official(&official_component());
    let _: ours::ProviderDescription = from_official(&official_provider());
}

#[test]
fn auctions_from_the_official_crate() {
    let constraints = map(&[("hostcore.os", "linux"), ("zone", "eu")]);
    let request = official::ComponentAuctionRequest::builder()
        .component_ref(COMPONENT_REF.into())
        .component_id("hello".into())
        .constraints(constraints.clone())
        .build()
        .unwrap();
    let _: ours::ComponentAuctionRequest = from_official(&request);
    let ack = official::ComponentAuctionAck::builder()
        .component_ref(COMPONENT_REF.into())
        .component_id("hello".into())
        .host_id(HOST.into())
        .constraints(constraints.clone())
        .build()
        .unwrap();
    let _: ours::ComponentAuctionAck = from_official(&ack);
    let request = official::ProviderAuctionRequest::builder()
        .provider_ref(PROVIDER_REF.into())
        .provider_id("http-server".into())
        .constraints(constraints.clone())
        .build()
        .unwrap();
    let _: ours::ProviderAuctionRequest = from_official(&request);
    let ack = official::ProviderAuctionAck::builder()
        .provider_ref(PROVIDER_REF.into())
        .provider_id("http-server".into())
        .host_id(HOST.into())
        .constraints(constraints)
        .build()
        .unwrap();
    let _: ours::ProviderAuctionAck = from_official(&ack);
}

#[test]
fn labels_and_registries_from_the_official_crate() {
    let _: ours::HostLabel = from_official(&official::HostLabel::from_kv("zone", "eu-west-1"));
    let _: ours::HostLabelIdentifier =
        from_official(&official::HostLabelIdentifier::from_key("zone"));
    let basic = official::RegistryCredential::from_username_password("ci-bot", "s3cr3t", "oci");
    let token = official::RegistryCredential::from_token("ghp_abc123", "oci");
    let _: ours::RegistryCredential = from_official(&basic);
    let registries: HashMap<String, official::RegistryCredential> = [
        ("ghcr.io".to_string(), basic),
        ("registry.example.com:5000".to_string(), token),
    ]
    .into();
    let ours: ours::RegistryCredentialMap = from_official(&registries);
    assert_eq!(ours.0["ghcr.io"].registry_type, "oci");
}

#[test]
fn replies_from_the_official_crate() {
    let _: ours::HostSummaryResponse = from_official(&official::CtlResponse::ok(official_host()));
    let _: ours::HostInventoryResponse =
        from_official(&official::CtlResponse::ok(official_inventory()));
    let ack = official::ComponentAuctionAck::builder()
        .component_ref(COMPONENT_REF.into())
        .component_id("hello".into())
        .host_id(HOST.into())
        .build()
        .unwrap();
    let _: ours::ComponentAuctionResponse = from_official(&official::CtlResponse::ok(ack));
    let ack = official::ProviderAuctionAck::builder()
        .provider_ref(PROVIDER_REF.into())
        .provider_id("http-server".into())
        .host_id(HOST.into())
        .build()
        .unwrap();
    let _: ours::ProviderAuctionResponse = from_official(&official::CtlResponse::ok(ack));
    let _: ours::LinksResponse = from_official(&official::CtlResponse::ok(vec![official_link()]));
    let claims = vec![hash(&[
        (
            "iss",
            "ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BEJWGVAOOQHZMCW",
        ),
        (
            "issuer",
            "ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BEJWGVAOOQHZMCW",
        ),
        (
            "sub",
            "MBCFOPM6JW2APJLXJD3Z5O4CN7CPYJ2B4FTKLJUR5YR5MITIU7HD3WD5",
        ),
        ("name", "Echo"),
        ("tags", "wasmcloud.com/experimental,demo"),
    ])];
    let _: ours::ClaimsResponse = from_official(&official::CtlResponse::ok(claims));
    let config = official::CtlResponse::ok(hash(&[("address", "0.0.0.0:8080")]));
    let ours: ours::ConfigResponse = from_official(&config);
    assert_eq!(ours.response.unwrap().0["address"], "0.0.0.0:8080");
    let _: ours::CtlResponse = from_official(&official::CtlResponse::<()>::success(
        "successfully started provider".into(),
    ));
    let refused: ours::CtlResponse = from_official(&official::CtlResponse::<()>::error(
        "provider with that ID is not running",
    ));
    assert!(!refused.success);
}

// ---------------------------------------------------------------- ours → official → ours

fn our_component() -> ours::ComponentDescription {
    ours::ComponentDescription {
        id: "hello".into(),
        image_ref: COMPONENT_REF.into(),
        name: Some("http-hello-world".into()),
        annotations: Some(wadm()),
        revision: 2,
        max_instances: 100,
        limits: Some(map(&[("max_memory_limit", "67108864")])),
    }
}

fn our_provider() -> ours::ProviderDescription {
    ours::ProviderDescription {
        id: "http-server".into(),
        image_ref: Some(PROVIDER_REF.into()),
        name: Some("HTTP Server".into()),
        revision: 1,
        annotations: Some(BTreeMap::new()),
    }
}

fn our_host() -> ours::HostSummary {
    ours::HostSummary {
        id: HOST.into(),
        friendly_name: "summer-timber-8052".into(),
        labels: map(&[("hostcore.arch", "x86_64"), ("hostcore.os", "linux")]),
        lattice: "default".into(),
        uptime_seconds: 141,
        uptime_human: Some("2m 21s".into()),
        version: Some("1.9.2".into()),
        ctl_host: Some("nats://127.0.0.1:4222".into()),
        rpc_host: Some("nats://127.0.0.1:4222".into()),
        js_domain: None,
    }
}

fn our_inventory() -> ours::HostInventory {
    ours::HostInventory {
        host_id: HOST.into(),
        friendly_name: "summer-timber-8052".into(),
        labels: map(&[("hostcore.os", "linux")]),
        version: "1.9.2".into(),
        uptime_human: "1h 3m 7s".into(),
        uptime_seconds: 3787,
        components: vec![our_component()],
        providers: vec![our_provider()],
    }
}

fn our_link() -> ours::LinkDefinition {
    ours::LinkDefinition {
        source_id: "http-server".into(),
        target: "hello".into(),
        name: "default".into(),
        wit_namespace: "wasi".into(),
        wit_package: "http".into(),
        interfaces: strings(&["incoming-handler"]),
        source_config: strings(&["hello-http-address"]),
        target_config: vec![],
    }
}

fn ack(success: bool, message: &str) -> ours::CtlResponse {
    ours::CtlResponse {
        success,
        message: message.into(),
        error: None,
    }
}

#[test]
fn commands_to_the_official_crate() {
    let scale = ours::ScaleComponentCommand {
        component_ref: COMPONENT_REF.into(),
        component_id: "hello".into(),
        count: 5,
        host_id: HOST.into(),
        annotations: Some(wadm()),
        component_limits: Some(map(&[("max_execution_time", "2000")])),
        config: strings(&["hello-config"]),
        allow_update: false,
    };
    let theirs: official::ScaleComponentCommand = from_ours(&scale);
    assert_eq!(theirs.max_instances(), 5, "hosts read our count");
    let start = ours::StartProviderCommand {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "http-server".into(),
        host_id: HOST.into(),
        annotations: None,
        config: vec![],
    };
    let _: official::StartProviderCommand = from_ours(&start);
    let stop = ours::StopProviderCommand {
        provider_id: "http-server".into(),
        host_id: HOST.into(),
    };
    let _: official::StopProviderCommand = from_ours(&stop);
    let stop_host = ours::StopHostCommand {
        host_id: HOST.into(),
        timeout: Some(5000),
    };
    let _: official::StopHostCommand = from_ours(&stop_host);
    let update = ours::UpdateComponentCommand {
        component_id: "hello".into(),
        host_id: HOST.into(),
        new_component_ref: "ghcr.io/wasmcloud/components/http-hello-world-rust:0.2.0".into(),
        annotations: Some(wadm()),
    };
    let _: official::UpdateComponentCommand = from_ours(&update);
}

#[test]
fn links_labels_registries_and_auctions_to_the_official_crate() {
    let _: official::Link = from_ours(&our_link());
    let delete = ours::DeleteLinkCommand {
        source_id: "http-server".into(),
        name: "default".into(),
        wit_namespace: "wasi".into(),
        wit_package: "http".into(),
    };
    let _: official::DeleteInterfaceLinkDefinitionRequest = from_ours(&delete);
    let _: official::HostLabel = from_ours(&ours::HostLabel {
        key: "zone".into(),
        value: "eu".into(),
    });
    let _: official::HostLabelIdentifier =
        from_ours(&ours::HostLabelIdentifier { key: "zone".into() });
    let credential = ours::RegistryCredential {
        username: Some("ci-bot".into()),
        password: Some("s3cr3t".into()),
        token: None,
        registry_type: "oci".into(),
    };
    let _: official::RegistryCredential = from_ours(&credential);
    let registries = ours::RegistryCredentialMap([("ghcr.io".to_string(), credential)].into());
    let _: HashMap<String, official::RegistryCredential> = from_ours(&registries);

    let constraints = map(&[("hostcore.os", "linux")]);
    let _: official::ComponentAuctionRequest = from_ours(&ours::ComponentAuctionRequest {
        component_ref: COMPONENT_REF.into(),
        component_id: "hello".into(),
        constraints: constraints.clone(),
    });
    let _: official::ComponentAuctionAck = from_ours(&ours::ComponentAuctionAck {
        component_ref: COMPONENT_REF.into(),
        component_id: "hello".into(),
        host_id: HOST.into(),
        constraints: constraints.clone(),
    });
    let _: official::ProviderAuctionRequest = from_ours(&ours::ProviderAuctionRequest {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "http-server".into(),
        constraints: constraints.clone(),
    });
    let _: official::ProviderAuctionAck = from_ours(&ours::ProviderAuctionAck {
        provider_ref: PROVIDER_REF.into(),
        provider_id: "http-server".into(),
        host_id: HOST.into(),
        constraints,
    });
}

#[test]
fn hosts_and_replies_to_the_official_crate() {
    let _: official::Host = from_ours(&our_host());
    let _: official::HostInventory = from_ours(&our_inventory());
    let _: official::ComponentDescription = from_ours(&our_component());
    let _: official::ProviderDescription = from_ours(&our_provider());

    let reply = ours::HostSummaryResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(our_host()),
    };
    let theirs: official::CtlResponse<official::Host> = from_ours(&reply);
    assert_eq!(theirs.data().unwrap().friendly_name(), "summer-timber-8052");
    let reply = ours::HostInventoryResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(our_inventory()),
    };
    let _: official::CtlResponse<official::HostInventory> = from_ours(&reply);
    let reply = ours::LinksResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(vec![our_link()]),
    };
    let _: official::CtlResponse<Vec<official::Link>> = from_ours(&reply);
    let claims = vec![map(&[("name", "Echo"), ("rev", "4")])];
    let reply = ours::ClaimsResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(claims),
    };
    let _: official::CtlResponse<Vec<HashMap<String, String>>> = from_ours(&reply);
    let found = ours::ConfigResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(ours::ConfigValues(map(&[("address", "0.0.0.0:8080")]))),
    };
    let _: official::CtlResponse<HashMap<String, String>> = from_ours(&found);
    let missing = ours::ConfigResponse {
        success: true,
        message: "Configuration not found".into(),
        error: None,
        response: None,
    };
    let theirs: official::CtlResponse<HashMap<String, String>> = from_ours(&missing);
    assert!(theirs.data().is_none());
    let reply = ours::ComponentAuctionResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(ours::ComponentAuctionAck {
            component_ref: COMPONENT_REF.into(),
            component_id: "hello".into(),
            host_id: HOST.into(),
            constraints: BTreeMap::new(),
        }),
    };
    let _: official::CtlResponse<official::ComponentAuctionAck> = from_ours(&reply);
    let reply = ours::ProviderAuctionResponse {
        success: true,
        message: String::new(),
        error: None,
        response: Some(ours::ProviderAuctionAck {
            provider_ref: PROVIDER_REF.into(),
            provider_id: "http-server".into(),
            host_id: HOST.into(),
            constraints: BTreeMap::new(),
        }),
    };
    let _: official::CtlResponse<official::ProviderAuctionAck> = from_ours(&reply);
    let theirs: official::CtlResponse<()> = from_ours(&ack(true, "successfully set link"));
    assert!(theirs.succeeded());
    let theirs: official::CtlResponse<()> = from_ours(&ack(false, "component hello not found"));
    assert_eq!(theirs.message(), "component hello not found");
}

#[test]
fn a_scale_command_with_max_instances_is_refused_by_our_type() {
    // Hosts ignore `max_instances` and scale to 0; our command type does not let it through.
    let wrong = serde_json::json!({
        "component_ref": COMPONENT_REF, "component_id": "hello", "host_id": HOST, "max_instances": 5
    });
    let err = serde_json::from_value::<ours::ScaleComponentCommand>(wrong)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("max_instances") || err.contains("count"),
        "{err}"
    );
}

#[test]
fn an_empty_response_object_on_an_ack_is_accepted_and_the_error_fallback_is_readable() {
    // The docs show `"response": {}` on acks, which the official client refuses; we accept it.
    let docs: ours::CtlResponse =
        serde_json::from_value(serde_json::json!({"success": true, "message": "", "response": {}}))
            .unwrap();
    assert!(docs.success);
    assert!(serde_json::from_value::<official::CtlResponse<()>>(
        serde_json::json!({"success": true, "message": "", "response": {}})
    )
    .is_err());
    // The host's rare fallback reply has `error` and no `message`.
    let fallback: ours::CtlResponse =
        serde_json::from_value(serde_json::json!({"success": false, "error": "boom"})).unwrap();
    assert_eq!(
        (fallback.message.as_str(), fallback.error.as_deref()),
        ("", Some("boom"))
    );
}
