//! `permissions`: a role's least NATS permissions.

use clap::ValueEnum;
use wasmcloud_protocol::runtime::creds::{leaf_node_config, KeyPair, UserOptions};
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
    for inbox in &args.answer_across_leaf {
        options = options.answering_across_leaf_node(inbox)?;
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
    if let (Some(hub), Some(creds)) = (&args.leaf, &args.leaf_creds) {
        if !(hub.starts_with("nats-leaf://") || hub.starts_with("tls://")) {
            return Err(Usage(format!(
                "--leaf {hub}: a hub's leaf node URL starts with nats-leaf:// (or tls://)"
            )));
        }
        print(&leaf_node_config(hub, creds, &args.leaf_listen));
        return Ok(Outcome::Ok);
    }
    if let Some(seed) = &args.account_seed {
        if !(args.creds || args.jwt) {
            return Err(Usage("--account-seed goes with --creds or --jwt".into()));
        }
        let text = std::fs::read_to_string(seed)
            .map_err(|e| Usage(format!("--account-seed {}: {e}", seed.display())))?;
        let account = KeyPair::from_seed(text.trim()).map_err(|e| {
            Usage(format!(
                "--account-seed {}: not a seed: {e}",
                seed.display()
            ))
        })?;
        let mut user = UserOptions::new();
        if let Some(name) = &args.name {
            user = user.name(name);
        }
        if let Some(after) = args.expires {
            if after.is_zero() {
                return Err(Usage(
                    "--expires: a JWT that expires at once is no use".into(),
                ));
            }
            user = user.expires_in(after);
        }
        let creds = permissions
            .new_user(&account, &user)
            .map_err(|e| Usage(format!("--account-seed {}: {e}", seed.display())))?;
        if args.jwt {
            println(creds.jwt());
        } else {
            print(&creds.to_creds_file());
        }
    } else if args.json {
        let json = serde_json::to_string_pretty(&permissions).expect("permissions serialize");
        println(&json);
    } else {
        print(&permissions.to_string());
    }
    Ok(Outcome::Ok)
}
