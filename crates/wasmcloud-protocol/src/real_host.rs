//! What a real wasmCloud host does on NATS beyond the two specs.

use crate::control_interface::subjects::channels::ROOT;
use crate::runtime::permissions::PermissionOptions;
use crate::runtime::SubjectError;

/// Adds to `options` what a wasmCloud 1.x host (the `wasmcloud-host` 0.27 library of the 1.9
/// line) needs on NATS besides serving the control interface and publishing events, for the
/// lattice and subject prefix `options` already hold (every lattice when none):
///
/// - its control-interface subscriptions, which are wider than the spec's channels: one
///   `component.*.{hostId}` for `component.scale` and `component.update`, likewise for
///   `provider.*`, `label.*` and `host.*`, and `link.*` and `config.>` in their queue groups;
/// - JetStream: requests on `$JS.API.>`, writes to its key-value buckets
///   (`$KV.LATTICEDATA_{lattice}.>`, `$KV.CONFIGDATA_{lattice}.>`; every bucket, `$KV.*.>`,
///   with every lattice) and their replies and deliveries on `_INBOX.>`;
/// - the provider RPC subjects it publishes to (`wasmbus.rpc.{lattice}.>`: link definitions,
///   health checks, shutdown);
/// - wRPC: its components' exports on `{lattice}.{component}.wrpc.>` in the queue group
///   `{lattice}.{component}`, and the calls its components make.
///
/// The interop suite (`real-host/`) runs every operation against a real host connected under
/// these permissions and checks that the server refused nothing.
pub fn real_host_needs(options: PermissionOptions) -> Result<PermissionOptions, SubjectError> {
    const WHY: &str = "a real host";
    let lattice = options.value_of("lattice").unwrap_or("*").to_owned();
    let mut ctl = String::new();
    ROOT.write(options.subject_prefix(), &mut ctl);
    let ctl = format!("{ctl}v1.{lattice}");
    let mut publish = vec![
        "$JS.API.>".to_owned(),
        format!("wasmbus.rpc.{lattice}.>"),
        format!("{lattice}.*.wrpc.>"),
    ];
    // A bucket name holds the lattice inside a token: with every lattice, every bucket.
    match options.value_of("lattice") {
        Some(lattice) => publish.extend([
            format!("$KV.LATTICEDATA_{lattice}.>"),
            format!("$KV.CONFIGDATA_{lattice}.>"),
        ]),
        None => publish.push("$KV.*.>".to_owned()),
    }
    let subscribe = [
        format!("{ctl}.component.*.*"),
        format!("{ctl}.provider.*.*"),
        format!("{ctl}.label.*.*"),
        format!("{ctl}.host.*.*"),
        format!("{ctl}.link.* {ctl}.link"),
        format!("{ctl}.config.> {ctl}.config"),
        "_INBOX.>".to_owned(),
        format!("{lattice}.*.wrpc.> {lattice}.*"),
    ];
    let options = publish
        .into_iter()
        .try_fold(options, |o, s| o.allow_publish_for(s, WHY))?;
    subscribe
        .into_iter()
        .try_fold(options, |o, s| o.allow_subscribe_for(s, WHY))
}
