//! The command line: commands, arguments and their help.

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes: 0 success, 1 no match or an invalid payload, 2 usage error (unknown subject or message,
unreadable file, input that is not JSON or is over 1 MiB, invalid value).";

/// The wasmCloud lattice protocol from the shell: subjects, matching, validation, schemas.
#[derive(Parser)]
#[command(name = "wasmcloud-protocol", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Every channel with its operations and messages.
    Subjects(Subjects),
    /// The channel and operations of a subject, as JSON.
    ///
    /// Prints {"spec", "channel", "operations", "params"} and exits 0, or exits 1 when no channel
    /// matches.
    Match(Match),
    /// The subject of an operation.
    ///
    /// Exits 2 naming the parameter when a value is missing or not allowed.
    Subject(Subject),
    /// Check payloads against a message's schema (stdin when no FILE).
    ///
    /// The message is the one a subject carries (--subject) or one named (--message). Every
    /// violation is printed as `<file>: <JSON pointer>: <message>` (with --json, a report). Exits
    /// 0 when every payload is valid, 1 when any is invalid, 2 when any cannot be judged
    /// (unreadable, not JSON, over 1 MiB).
    Validate(Validate),
    /// The message's standalone JSON Schema (2020-12).
    Schema(Schema),
    /// The least NATS permissions of a role, for a nats-server `users` entry.
    ///
    /// Derived from the specs' operations: a host subscribes to the requests it serves (in their
    /// queue groups), answers them (allow_responses) and publishes events; a client publishes
    /// requests, reads replies on its inbox and follows the events; an observer only follows the
    /// events. Prints the `permissions` block of a server configuration (with --json, the same
    /// object as JSON). What the specs do not cover, such as a real host's JetStream key-value
    /// buckets, can be added with --publish and --subscribe.
    Permissions(Permissions),
}

// Each command lets a repeated option's last value win, as scripts that append flags expect.

#[derive(Args)]
#[command(args_override_self = true)]
pub struct Subjects {
    /// Print JSON: one object per channel with its spec, parameters and operations.
    #[arg(long)]
    pub json: bool,
}

// Where the control interface's subjects start when a deployment changed them. (Not a doc
// comment: clap would take it for the help of every command that flattens this.)
#[derive(Args)]
pub struct Prefix {
    /// The root that replaces `wasmbus.ctl` (e.g. acme.ctl).
    #[arg(long, value_name = "P")]
    pub ctl_prefix: Option<String>,
    /// The account token before the root.
    #[arg(long, value_name = "A")]
    pub account: Option<String>,
}

#[derive(Args)]
#[command(args_override_self = true)]
pub struct Match {
    /// The subject to route (e.g. wasmbus.ctl.v1.default.host.ping).
    pub subject: String,
    #[command(flatten)]
    pub prefix: Prefix,
}

#[derive(Args)]
#[command(args_override_self = true)]
pub struct Subject {
    /// The operation (e.g. getHostInventory; `wasmcloud-protocol subjects` lists them).
    #[arg(value_name = "OPERATION_ID")]
    pub operation: String,
    /// The channel's parameters (e.g. lattice=default; hostId, host_id and host-id are one name).
    #[arg(value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub prefix: Prefix,
}

#[derive(Args)]
#[command(args_override_self = true)]
#[group(id = "target", required = true, args = ["subject", "message"])]
pub struct Validate {
    /// Validate as the message this subject carries.
    #[arg(long, value_name = "SUBJECT")]
    pub subject: Option<String>,
    /// Validate as this message (e.g. control-interface/ScaleComponentCommand); --reply,
    /// --ctl-prefix and --account apply to --subject only.
    #[arg(
        long,
        value_name = "SPEC/MESSAGE",
        conflicts_with_all = ["subject", "reply", "ctl_prefix", "account"]
    )]
    pub message: Option<String>,
    /// The payloads are replies to the subject's request, not requests.
    #[arg(long)]
    pub reply: bool,
    #[command(flatten)]
    pub prefix: Prefix,
    /// Print a machine-readable report instead.
    #[arg(long)]
    pub json: bool,
    /// The payloads, each at most 1 MiB; `-` or none reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
}

#[derive(Args)]
#[command(args_override_self = true)]
pub struct Schema {
    /// The message (e.g. lattice-events/HostHeartbeat).
    #[arg(value_name = "SPEC/MESSAGE")]
    pub message: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Role {
    /// A wasmCloud host: serves the control interface and publishes events.
    Host,
    /// A control client (wash, wadm): sends commands and follows events.
    Client,
    /// Follows events only (a dashboard).
    Observer,
}

#[derive(Args)]
#[command(args_override_self = true)]
pub struct Permissions {
    /// The role.
    #[arg(long)]
    pub role: Role,
    /// The lattice; every lattice (`*`) when not given.
    #[arg(long, value_name = "L")]
    pub lattice: Option<String>,
    #[command(flatten)]
    pub prefix: Prefix,
    /// The user's own inbox prefix (async-nats custom_inbox_prefix), so it reads no other
    /// user's replies; `_INBOX` when not given. Only for a role whose permissions depend on it (client).
    #[arg(long, value_name = "X")]
    pub inbox_prefix: Option<String>,
    /// Leave out `_PROBE.>`, which only programs built on this crate's runtime need (it waits
    /// on it for its subscriptions to be in place).
    #[arg(long)]
    pub no_probe: bool,
    /// With --role host: add what a real wasmCloud 1.x host needs beyond the specs (its wider
    /// control-interface subscriptions, JetStream and its key-value buckets, replies on
    /// _INBOX.>, provider RPC and wRPC subjects).
    #[arg(long)]
    pub real_host: bool,
    /// Also allow publishing to this subject (wildcards allowed; repeatable).
    #[arg(long = "publish", value_name = "SUBJECT", action = clap::ArgAction::Append)]
    pub publish: Vec<String>,
    /// Also allow subscribing to this subject (`SUBJECT QUEUE` for a queue group; repeatable).
    #[arg(long = "subscribe", value_name = "SUBJECT", action = clap::ArgAction::Append)]
    pub subscribe: Vec<String>,
    /// Print the permissions as JSON, with the keys nats-server reads.
    #[arg(long, conflicts_with_all = ["creds", "jwt"])]
    pub json: bool,
    /// Print a `.creds` file for a server in operator mode: a new user's JWT carrying the
    /// permissions, signed by the account key of --account-seed, and the user's seed.
    #[arg(long, requires = "account_seed", conflicts_with = "jwt")]
    pub creds: bool,
    /// Print only the user JWT (of a new user key) instead of a `.creds` file.
    #[arg(long, requires = "account_seed")]
    pub jwt: bool,
    /// The file holding the account's seed (`SA…`), which signs the user JWT.
    #[arg(long, value_name = "FILE")]
    pub account_seed: Option<std::path::PathBuf>,
    /// The user's name in the JWT [default: its public key].
    #[arg(long, value_name = "N", requires = "account_seed")]
    pub name: Option<String>,
    /// The permissions of a leaf node's connection for the role (the sidecar layout), answering
    /// requesters whose inboxes start with this prefix (`_INBOX`, or a client's own; repeatable):
    /// nats-server tracks no responses on a leaf connection, so a role that answers gets to
    /// publish to those inboxes and to receive the interest in them.
    #[arg(long, value_name = "INBOX_PREFIX", action = clap::ArgAction::Append)]
    pub answer_across_leaf: Vec<String>,
    /// Print the configuration of a leaf node beside a process of the role instead (the sidecar
    /// layout): it listens on --leaf-listen for the process and connects to the hub at this URL
    /// (`nats-leaf://hub:7422`) with the role's creds file --leaf-creds (made with --creds).
    #[arg(long, value_name = "HUB_URL", requires = "leaf_creds", conflicts_with_all = ["json", "creds", "jwt"])]
    pub leaf: Option<String>,
    /// The role's `.creds` file the leaf node connects to the hub with.
    #[arg(long, value_name = "FILE", requires = "leaf")]
    pub leaf_creds: Option<std::path::PathBuf>,
    /// Where the leaf node listens for the process beside it.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:4222",
        requires = "leaf"
    )]
    pub leaf_listen: String,
    /// How long the JWT is good for (`12h`, `30d`) [default: it does not expire].
    #[arg(long, value_name = "DURATION", requires = "account_seed", value_parser = humantime::parse_duration)]
    pub expires: Option<std::time::Duration>,
}
