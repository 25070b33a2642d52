//! `permissions`: a role's least NATS permissions.

use wasmcloud_protocol::runtime::permissions::{PermissionOptions, Role, DEFAULT_INBOX_PREFIX};

use crate::cli::{self, Permissions};
use crate::output::{print, println};
use crate::subjects::prefix;
use crate::{Outcome, Usage};

pub fn run(args: &Permissions) -> Result<Outcome, Usage> {
    let role = match args.role {
        cli::Role::Host => Role::Application,
        cli::Role::Client => Role::Client,
        cli::Role::Observer => Role::Observer,
    };
    let mut options = PermissionOptions::new().prefix(prefix(&args.prefix)?);
    if let Some(lattice) = &args.lattice {
        options = options.value("lattice", lattice);
    }
    if let Some(inbox) = &args.inbox_prefix {
        options = options.inbox_prefix(inbox)?;
    }
    if args.no_probe {
        options = options.without_probe();
    }
    if args.real_host {
        if !matches!(args.role, cli::Role::Host) {
            return Err(Usage("--real-host goes with --role host".into()));
        }
        options = wasmcloud_protocol::real_host_needs(options)?;
    }
    for subject in &args.publish {
        options = options.allow_publish(subject)?;
    }
    for subject in &args.subscribe {
        options = options.allow_subscribe(subject)?;
    }
    let permissions = wasmcloud_protocol::permissions(role, &options)?;
    if let Some(inbox) = &args.inbox_prefix {
        // An option that changes nothing is a misunderstanding to point out, not to ignore.
        let default = options.clone().inbox_prefix(DEFAULT_INBOX_PREFIX)?;
        if wasmcloud_protocol::permissions(role, &default)?.to_string() == permissions.to_string()
            && inbox != DEFAULT_INBOX_PREFIX
        {
            return Err(Usage(format!(
                "--inbox-prefix changes nothing for --role {}: its permissions do not depend on it",
                role_name(args.role)
            )));
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&permissions).expect("permissions serialize");
        println(&json);
    } else {
        print(&permissions.to_string());
    }
    Ok(Outcome::Ok)
}

fn role_name(role: cli::Role) -> &'static str {
    match role {
        cli::Role::Host => "host",
        cli::Role::Client => "client",
        cli::Role::Observer => "observer",
    }
}
