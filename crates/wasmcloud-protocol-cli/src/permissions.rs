//! `permissions`: a role's least NATS permissions.

use clap::ValueEnum;
use wasmcloud_protocol::runtime::permissions::{PermissionOptions, Role, DEFAULT_INBOX_PREFIX};
use wasmcloud_protocol::SPECS;

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
    // An option that changes nothing is a misunderstanding to point out, not to ignore: only a
    // role that reads replies on an inbox of its own has the inbox in its permissions.
    let reads_replies = SPECS
        .iter()
        .flat_map(|s| s.roles)
        .any(|grants| grants.role == role && grants.inbox);
    if args
        .inbox_prefix
        .as_ref()
        .is_some_and(|inbox| inbox != DEFAULT_INBOX_PREFIX && !reads_replies)
    {
        let name = args.role.to_possible_value().expect("no role is skipped");
        return Err(Usage(format!(
            "--inbox-prefix changes nothing for --role {}: its permissions do not depend on it",
            name.get_name()
        )));
    }
    if args.json {
        let json = serde_json::to_string_pretty(&permissions).expect("permissions serialize");
        println(&json);
    } else {
        print(&permissions.to_string());
    }
    Ok(Outcome::Ok)
}
