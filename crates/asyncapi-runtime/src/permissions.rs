//! Least-privilege NATS permissions for the roles of a spec.
//!
//! Generated code says, per spec and per [`Role`], which operations' subjects the role publishes
//! to and subscribes to ([`RoleGrants`]); [`Permissions::for_role`] renders them for one
//! deployment (parameter values such as the lattice, a [`SubjectPrefix`], an inbox prefix) as
//! the `permissions` of a nats-server user: the configuration block (`Display`) or JSON with
//! the keys nats-server reads (`Serialize`).

use std::fmt;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::operation::OperationInfo;
use super::subject::{token_problem, SubjectError, SubjectPrefix};
use super::SpecInfo;

/// The subjects [`round_trip`](crate::nats::round_trip) sends its probe on: it publishes to one
/// of them and subscribes to it, so every role that subscribes through this runtime needs both.
pub const PROBE_SUBJECTS: &str = "_PROBE.>";

/// The inbox prefix NATS clients use unless told otherwise.
pub const DEFAULT_INBOX_PREFIX: &str = "_INBOX";

/// Who takes part in a spec's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The application the spec describes: it receives the messages of the `publish` operations
    /// (serving requests, and answering them) and sends those of the `subscribe` operations
    /// (its events).
    Application,
    /// Its peer: sends the `publish` operations' messages (requests), reads their replies, and
    /// receives the application's messages (the events its requests cause).
    Client,
    /// Receives the application's messages that expect no answer (events), and nothing else.
    Observer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Application, Role::Client, Role::Observer];
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Application => "application",
            Role::Client => "client",
            Role::Observer => "observer",
        })
    }
}

/// A subscription a role needs: an operation's channel, in its queue group or not.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    /// The operation whose channel is subscribed to.
    pub operation: &'static OperationInfo,
    /// Whether the role subscribes in the operation's queue group (and may not outside it).
    pub queue: bool,
}

impl Grant {
    /// Subscribes to the operation's channel.
    pub const fn channel(operation: &'static OperationInfo) -> Self {
        Self {
            operation,
            queue: false,
        }
    }

    /// Subscribes to the operation's channel in its queue group only.
    pub const fn queue_group(operation: &'static OperationInfo) -> Self {
        Self {
            operation,
            queue: true,
        }
    }
}

/// What one role of one spec does on NATS, as generated from the spec's operations.
#[derive(Debug, Clone, Copy)]
pub struct RoleGrants {
    /// The role.
    pub role: Role,
    /// The operations whose channels the role publishes to.
    pub publish: &'static [&'static OperationInfo],
    /// The operations whose channels the role subscribes to.
    pub subscribe: &'static [Grant],
    /// Whether the role answers requests it receives (nats-server's `allow_responses`).
    pub responds: bool,
    /// Whether the role reads replies on its own inbox.
    pub inbox: bool,
}

/// How one deployment names its subjects, for [`Permissions::for_role`].
#[derive(Debug, Clone)]
pub struct PermissionOptions {
    values: Vec<(String, String)>,
    prefix: SubjectPrefix,
    inbox_prefix: Option<String>,
    probe: bool,
    /// Extra subjects, each with why (and, to subscribe, the queue group it is limited to).
    publish: Vec<(String, String)>,
    subscribe: Vec<(String, Option<String>, String)>,
    /// The inbox prefixes of the requesters a responder answers across a leaf node.
    leaf_inboxes: Vec<String>,
}

impl Default for PermissionOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl PermissionOptions {
    /// Every parameter open (`*`), the specs' own roots, the default inbox, the probe allowed.
    pub fn new() -> Self {
        Self {
            values: Vec::new(),
            prefix: SubjectPrefix::new(),
            inbox_prefix: None,
            probe: true,
            publish: Vec::new(),
            subscribe: Vec::new(),
            leaf_inboxes: Vec::new(),
        }
    }

    /// Fixes a channel parameter (`lattice`) to one value; checked against the parameter's rules
    /// when rendered.
    pub fn value(mut self, param: impl Into<String>, value: impl Into<String>) -> Self {
        let param = param.into();
        self.values.retain(|(p, _)| *p != param);
        self.values.push((param, value.into()));
        self
    }

    /// The value fixed for a parameter, if any.
    pub fn value_of(&self, param: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(p, _)| p == param)
            .map(|(_, v)| v.as_str())
    }

    /// The account token and root replacement in effect.
    pub fn subject_prefix(&self) -> &SubjectPrefix {
        &self.prefix
    }

    /// The account token and root replacement the deployment's subjects carry.
    pub fn prefix(mut self, prefix: SubjectPrefix) -> Self {
        self.prefix = prefix;
        self
    }

    /// The inbox prefix the user's connection is given (async-nats' `custom_inbox_prefix`), so
    /// that the user may read its own replies and no one else's. One or more tokens, no wildcard.
    pub fn inbox_prefix(mut self, prefix: impl Into<String>) -> Result<Self, SubjectError> {
        let prefix = checked_inbox_prefix(prefix.into())?;
        self.inbox_prefix = Some(prefix);
        Ok(self)
    }

    /// The permissions of a leaf node's connection to the hub, for a process of the role beside
    /// the leaf (the sidecar layout), answering requesters whose inboxes are under `prefix`
    /// (`_INBOX`, or a client's own). nats-server 2.15 checks a leaf connection's rights less
    /// finely than a client's, so they are wider than a direct connection's: it tracks no
    /// responses there (`allow_responses` lets nothing back across it), so a role that answers
    /// requests gets to publish to those inboxes and to receive the interest in them; and it
    /// checks the interest the leaf sends without its queue group, so a queue-group grant is
    /// given for the subject. Repeatable, one call per requesters' inbox prefix.
    pub fn answering_across_leaf_node(
        mut self,
        prefix: impl Into<String>,
    ) -> Result<Self, SubjectError> {
        let prefix = checked_inbox_prefix(prefix.into())?;
        self.leaf_inboxes.push(prefix);
        Ok(self)
    }

    /// Leaves out [`PROBE_SUBJECTS`], for users that do not subscribe through this runtime
    /// (another language's client, a host written elsewhere).
    pub fn without_probe(mut self) -> Self {
        self.probe = false;
        self
    }

    /// Lets the user publish to `subject` too (wildcards allowed), for what the specs do not
    /// cover.
    pub fn allow_publish(self, subject: impl Into<String>) -> Result<Self, SubjectError> {
        self.allow_publish_for(subject, "added")
    }

    /// [`Self::allow_publish`], saying why (the comment of the entry in the configuration).
    pub fn allow_publish_for(
        mut self,
        subject: impl Into<String>,
        reason: &str,
    ) -> Result<Self, SubjectError> {
        self.publish
            .push((checked_filter(subject.into())?, reason.to_owned()));
        Ok(self)
    }

    /// Lets the user subscribe to `subject` too (wildcards allowed; `subject queue` for a queue
    /// group only).
    pub fn allow_subscribe(self, subject: impl Into<String>) -> Result<Self, SubjectError> {
        self.allow_subscribe_for(subject, "added")
    }

    /// [`Self::allow_subscribe`], saying why.
    pub fn allow_subscribe_for(
        mut self,
        subject: impl Into<String>,
        reason: &str,
    ) -> Result<Self, SubjectError> {
        let entry = subject.into();
        let (subject, queue) = match entry.split_once(' ') {
            Some((subject, queue)) => (subject.to_owned(), Some(queue.to_owned())),
            None => (entry, None),
        };
        let queue = queue.map(checked_filter).transpose()?;
        self.subscribe
            .push((checked_filter(subject)?, queue, reason.to_owned()));
        Ok(self)
    }
}

/// An inbox prefix: one or more tokens, no wildcard.
fn checked_inbox_prefix(prefix: String) -> Result<String, SubjectError> {
    match prefix.split('.').find_map(token_problem) {
        Some(rule) => Err(SubjectError::InvalidPrefix {
            part: "inbox",
            value: prefix,
            rule: rule.into(),
        }),
        None => Ok(prefix),
    }
}

/// A subject with wildcards as nats-server reads one in a permission.
fn checked_filter(subject: String) -> Result<String, SubjectError> {
    let tokens: Vec<&str> = subject.split('.').collect();
    let problem = tokens
        .iter()
        .enumerate()
        .find_map(|(i, token)| match *token {
            "*" => None,
            ">" if i + 1 == tokens.len() => None,
            ">" => Some("'>' may only be the last token"),
            token => token_problem(token),
        });
    match problem {
        Some(rule) => Err(SubjectError::InvalidFilter {
            filter: subject,
            rule: rule.into(),
        }),
        None => Ok(subject),
    }
}

/// One subject of an allow or deny list, with why it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The subject, wildcards and all.
    pub subject: String,
    /// The queue group the entry is limited to.
    pub queue: Option<String>,
    /// The operationIds (or other reasons) that need it.
    pub reasons: Vec<String>,
}

impl Entry {
    /// Adds a reason the entry does not give yet.
    fn because(&mut self, reason: &str) {
        if !self.reasons.iter().any(|r| r == reason) {
            self.reasons.push(reason.to_owned());
        }
    }

    /// The entry as nats-server reads it: `subject` or `subject queue`.
    pub fn to_nats(&self) -> String {
        match &self.queue {
            Some(queue) => format!("{} {queue}", self.subject),
            None => self.subject.clone(),
        }
    }
}

/// The allow and deny lists of one direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Subjects allowed; nothing else is.
    pub allow: Vec<Entry>,
    /// Subjects refused even where allowed.
    pub deny: Vec<Entry>,
}

impl Rules {
    fn add(&mut self, subject: String, queue: Option<String>, reason: &str) {
        match self
            .allow
            .iter_mut()
            .find(|e| e.subject == subject && e.queue == queue)
        {
            Some(entry) => entry.because(reason),
            None => self.allow.push(Entry {
                subject,
                queue,
                reasons: vec![reason.to_owned()],
            }),
        }
    }

    /// Drops each entry another one covers (same queue group, wider subject), its reasons going
    /// to the wider one; then, as nats-server allows everything in a direction without an allow
    /// list, a role with nothing to do there is denied everything instead.
    fn close(&mut self) {
        let mut i = 0;
        while i < self.allow.len() {
            let narrow = &self.allow[i];
            let wider = self.allow.iter().position(|e| {
                e.queue == narrow.queue
                    && e.subject != narrow.subject
                    && filter_covers(&e.subject, &narrow.subject)
            });
            match wider {
                Some(w) => {
                    let narrow = self.allow.remove(i);
                    let w = if w > i { w - 1 } else { w };
                    for reason in &narrow.reasons {
                        self.allow[w].because(reason);
                    }
                    i = 0;
                }
                None => i += 1,
            }
        }
        if self.allow.is_empty() && self.deny.is_empty() {
            self.deny.push(Entry {
                subject: ">".into(),
                queue: None,
                reasons: vec!["nothing else".into()],
            });
        }
    }

    /// Whether a subject (without wildcards) may be published to, or subscribed to outside any
    /// queue group, by these rules, as nats-server decides.
    pub fn allows(&self, subject: &str) -> bool {
        let matching = |entries: &[Entry]| {
            entries
                .iter()
                .any(|e| e.queue.is_none() && filter_covers(&e.subject, subject))
        };
        (self.allow.is_empty() || matching(&self.allow)) && !matching(&self.deny)
    }
}

/// Whether every subject `narrow` matches, `wide` matches too (both may have wildcards; a
/// literal `narrow` is one subject).
fn filter_covers(wide: &str, narrow: &str) -> bool {
    let mut narrow_tokens = narrow.split('.');
    for w in wide.split('.') {
        match (w, narrow_tokens.next()) {
            (">", Some(_)) => return true,
            ("*", Some(n)) if n != ">" => {}
            (w, Some(n)) if w == n => {}
            _ => return false,
        }
    }
    narrow_tokens.next().is_none()
}

/// The `permissions` of a nats-server user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    /// What the user may publish to.
    pub publish: Rules,
    /// What the user may subscribe to.
    pub subscribe: Rules,
    /// Whether the user may answer the requests it receives, once each (`allow_responses`).
    pub allow_responses: bool,
}

impl Permissions {
    /// The least permissions that let `role` do its part of every spec in `specs`, rendered
    /// with `options`. A value for a parameter no channel has is an error, as is a value its
    /// parameter's rules refuse.
    pub fn for_role(
        specs: &[SpecInfo],
        role: Role,
        options: &PermissionOptions,
    ) -> Result<Self, SubjectError> {
        let values: Vec<(&str, &str)> = options
            .values
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_str()))
            .collect();
        if let Some((unknown, _)) = values.iter().find(|(param, _)| {
            !specs
                .iter()
                .flat_map(|s| s.channels)
                .any(|c| c.param_names().any(|p| p == *param))
        }) {
            return Err(SubjectError::UnknownParameter {
                param: (*unknown).to_owned(),
            });
        }
        let prefix = &options.prefix;
        let mut out = Permissions::default();
        let mut subscribes = false;
        for grants in specs
            .iter()
            .flat_map(|s| s.roles)
            .filter(|g| g.role == role)
        {
            for op in grants.publish {
                let subject = op.channel.filter(&values, prefix)?;
                out.publish.add(subject, None, op.id);
            }
            for grant in grants.subscribe {
                let op = grant.operation;
                let subject = op.channel.filter(&values, prefix)?;
                let queue = match grant.queue && options.leaf_inboxes.is_empty() {
                    true => op.queue_filter(&values, prefix)?,
                    false => None,
                };
                out.subscribe.add(subject, queue, op.id);
                subscribes = true;
            }
            if grants.inbox {
                let inbox = options
                    .inbox_prefix
                    .as_deref()
                    .unwrap_or(DEFAULT_INBOX_PREFIX);
                out.subscribe
                    .add(format!("{inbox}.>"), None, "replies to its requests");
            }
            out.allow_responses |= grants.responds;
        }
        if options.probe && subscribes {
            let reason = "readiness probe of asyncapi-runtime";
            out.publish.add(PROBE_SUBJECTS.into(), None, reason);
            out.subscribe.add(PROBE_SUBJECTS.into(), None, reason);
        }
        if out.allow_responses {
            let reason = "replies across a leaf node";
            for prefix in &options.leaf_inboxes {
                out.publish.add(format!("{prefix}.>"), None, reason);
                out.subscribe.add(format!("{prefix}.>"), None, reason);
            }
        }
        for (subject, reason) in &options.publish {
            out.publish.add(subject.clone(), None, reason);
        }
        for (subject, queue, reason) in &options.subscribe {
            out.subscribe.add(subject.clone(), queue.clone(), reason);
        }
        out.publish.close();
        out.subscribe.close();
        Ok(out)
    }
}

/// The `permissions` block of a nats-server configuration, each entry with a comment saying
/// why it is there.
impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "permissions: {{")?;
        for (name, rules) in [("publish", &self.publish), ("subscribe", &self.subscribe)] {
            writeln!(f, "  {name}: {{")?;
            for (list, entries) in [("allow", &rules.allow), ("deny", &rules.deny)] {
                if entries.is_empty() {
                    continue;
                }
                writeln!(f, "    {list}: [")?;
                let width = entries
                    .iter()
                    .map(|e| quoted(&e.to_nats()).len())
                    .max()
                    .unwrap_or(0);
                for entry in entries {
                    let value = quoted(&entry.to_nats());
                    let why = match entry.reasons.as_slice() {
                        [first, second, third, more @ ..] if more.len() > 1 => {
                            format!("{first}, {second}, {third} and {} more", more.len())
                        }
                        reasons => reasons.join(", "),
                    };
                    writeln!(f, "      {value:width$}  # {why}")?;
                }
                writeln!(f, "    ]")?;
            }
            writeln!(f, "  }}")?;
        }
        if self.allow_responses {
            writeln!(f, "  allow_responses: true")?;
        }
        writeln!(f, "}}")
    }
}

/// A string as the configuration reads it, quoted.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// The object a nats-server `users` entry takes as `permissions`.
impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("publish", &self.publish)?;
        map.serialize_entry("subscribe", &self.subscribe)?;
        if self.allow_responses {
            map.serialize_entry("allow_responses", &true)?;
        }
        map.end()
    }
}

impl Serialize for Rules {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct List<'a>(&'a [Entry]);
        impl Serialize for List<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for entry in self.0 {
                    seq.serialize_element(&entry.to_nats())?;
                }
                seq.end()
            }
        }
        let mut map = serializer.serialize_map(None)?;
        if !self.allow.is_empty() {
            map.serialize_entry("allow", &List(&self.allow))?;
        }
        if !self.deny.is_empty() {
            map.serialize_entry("deny", &List(&self.deny))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_as_nats_server_matches_them() {
        assert!(filter_covers("a.*.c", "a.b.c"));
        assert!(filter_covers("a.>", "a.b.c"));
        assert!(!filter_covers("a.>", "a"));
        assert!(!filter_covers("a.*", "a.b.c"));
        assert!(!filter_covers("a.b", "a.b.c"));
        assert!(filter_covers(">", "x"));
    }

    #[test]
    fn wider_filters_cover_narrower_ones() {
        assert!(filter_covers("a.>", "a.b.*"));
        assert!(filter_covers("a.*.c", "a.b.c"));
        assert!(filter_covers("a.*", "a.*"));
        assert!(!filter_covers("a.*", "a.>"));
        assert!(!filter_covers("a.b", "a.*"));
        assert!(!filter_covers("a.>", "a"));
        let mut rules = Rules::default();
        rules.add("e.x.one".into(), None, "one");
        rules.add("e.x.>".into(), None, "all");
        rules.add("e.x.two".into(), Some("q".into()), "queued");
        rules.close();
        let kept: Vec<String> = rules.allow.iter().map(Entry::to_nats).collect();
        assert_eq!(kept, ["e.x.>", "e.x.two q"]);
        assert_eq!(rules.allow[0].reasons, ["all", "one"]);
    }

    #[test]
    fn extra_subjects_are_checked() {
        let ok = PermissionOptions::new()
            .allow_publish("$JS.API.>")
            .and_then(|o| o.allow_subscribe("a.*.b queue.*"));
        assert!(ok.is_ok());
        for bad in ["a..b", "a.>.b", "a b.c", ""] {
            assert!(
                PermissionOptions::new().allow_publish(bad).is_err(),
                "{bad:?}"
            );
        }
        assert!(PermissionOptions::new().inbox_prefix("_INBOX.*").is_err());
        assert!(PermissionOptions::new()
            .inbox_prefix("_INBOX.alice")
            .is_ok());
    }

    #[test]
    fn an_empty_direction_is_denied_everything() {
        let mut rules = Rules::default();
        rules.close();
        assert!(!rules.allows("anything"));
        rules = Rules::default();
        rules.add("a.b".into(), None, "x");
        rules.add("a.b".into(), None, "y");
        rules.close();
        assert_eq!(rules.allow.len(), 1);
        assert_eq!(rules.allow[0].reasons, ["x", "y"]);
        assert!(rules.deny.is_empty());
        assert!(rules.allows("a.b") && !rules.allows("a.c"));
    }
}
