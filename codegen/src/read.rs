//! Reads an AsyncAPI 2.x document into the protocol model, linting as it goes.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::error::{ErrorKind, Result};
use crate::model::{
    Channel, Direction, Message, Operation, ParamRule, Parameter, Reply, ReplyPattern, ReplyStatus,
    Spec, SubjectRoot,
};
use crate::naming::{pascal, snake, Namer};
use crate::refs::{Loc, Store};
use crate::schema::Definitions;
use crate::template::{Template, Token};

/// The fields AsyncAPI 2.x allows on each object (besides `x-` extensions); anything else is a
/// structural error, as the official meta-schema says.
const ROOT_KEYS: &[&str] = &[
    "asyncapi",
    "id",
    "info",
    "servers",
    "defaultContentType",
    "channels",
    "components",
    "tags",
    "externalDocs",
];
const INFO_KEYS: &[&str] = &[
    "title",
    "version",
    "description",
    "termsOfService",
    "contact",
    "license",
];
const COMPONENTS_KEYS: &[&str] = &[
    "schemas",
    "servers",
    "serverVariables",
    "channels",
    "messages",
    "securitySchemes",
    "parameters",
    "correlationIds",
    "operationTraits",
    "messageTraits",
    "serverBindings",
    "channelBindings",
    "operationBindings",
    "messageBindings",
];
const CHANNEL_KEYS: &[&str] = &[
    "$ref",
    "description",
    "servers",
    "subscribe",
    "publish",
    "parameters",
    "bindings",
];
const OPERATION_KEYS: &[&str] = &[
    "traits",
    "summary",
    "description",
    "security",
    "tags",
    "externalDocs",
    "operationId",
    "bindings",
    "message",
];
const OPERATION_TRAIT_KEYS: &[&str] = &[
    "summary",
    "description",
    "tags",
    "externalDocs",
    "operationId",
    "security",
    "bindings",
];
const MESSAGE_KEYS: &[&str] = &[
    "schemaFormat",
    "contentType",
    "headers",
    "messageId",
    "payload",
    "correlationId",
    "tags",
    "summary",
    "name",
    "title",
    "description",
    "externalDocs",
    "deprecated",
    "examples",
    "bindings",
    "traits",
];
const MESSAGE_TRAIT_KEYS: &[&str] = &[
    "schemaFormat",
    "contentType",
    "headers",
    "messageId",
    "correlationId",
    "tags",
    "summary",
    "name",
    "title",
    "description",
    "externalDocs",
    "deprecated",
    "examples",
    "bindings",
];
const EXAMPLE_KEYS: &[&str] = &["headers", "payload", "name", "summary"];
const PARAMETER_KEYS: &[&str] = &["description", "schema", "location", "$ref"];

/// Schema formats whose payloads are JSON Schema (AsyncAPI 2 schemas are a draft-07 superset).
fn is_json_schema_format(format: &str) -> bool {
    let f = format.trim().to_ascii_lowercase();
    f.starts_with("application/vnd.aai.asyncapi")
        || f.starts_with("application/schema+json")
        || f.starts_with("application/schema+yaml")
}

pub(crate) fn read(store: &mut Store<'_>, doc: usize, id: &str) -> Result<Spec> {
    let root = Loc {
        doc,
        pointer: String::new(),
    };
    let mut r = Reader {
        store,
        root: root.clone(),
        defs: Definitions::new(),
        messages: Vec::new(),
        message_by_loc: HashMap::new(),
        message_names: Namer::new(),
        op_docs: Vec::new(),
        default_content_type: "application/json".into(),
    };
    let top = r.object(&root, "the document")?;
    let asyncapi = r.version(&top)?;
    r.check_keys(&root, &top, ROOT_KEYS, "the document")?;
    let info_loc = root.child("info");
    let info = r.object(&info_loc, "`info`")?;
    r.check_keys(&info_loc, &info, INFO_KEYS, "`info`")?;
    if let Some(Value::Object(components)) = top.get("components") {
        r.check_keys(
            &root.child("components"),
            components,
            COMPONENTS_KEYS,
            "`components`",
        )?;
    }
    let title = r.required_string(&info, &info_loc, "title")?;
    let version = r.required_string(&info, &info_loc, "version")?;
    let description = r.optional_string(&info, &info_loc, "description")?;
    if let Some(ct) = r.optional_string(&top, &root, "defaultContentType")? {
        r.default_content_type = ct;
    }
    let subject_root = r.subject_root(&top)?;
    let account_prefix = r.account_prefix(&top)?;
    let reply_status = r.reply_status(&top)?;

    // Component schemas are named first so they keep their own names.
    let schemas_loc = root.child("components").child("schemas");
    if let Some(Value::Object(schemas)) = r.store.get(&schemas_loc).cloned() {
        for key in schemas.keys() {
            r.defs.intern(&schemas_loc.child(key), key);
        }
    }

    let channels_loc = root.child("channels");
    let channels = r.object(&channels_loc, "`channels`")?;
    let mut spec_channels = Vec::new();
    let mut operations = Vec::new();
    for name in channels.keys() {
        let (channel, ops) = r.channel(
            &channels_loc.child(name),
            name,
            operations.len(),
            spec_channels.len(),
        )?;
        spec_channels.push(channel);
        r.op_docs.extend(ops.iter().map(|(_, doc)| *doc));
        operations.extend(ops.into_iter().map(|(op, _)| op));
    }

    // Messages declared but used by no operation still get types.
    let messages_loc = root.child("components").child("messages");
    if let Some(Value::Object(messages)) = r.store.get(&messages_loc).cloned() {
        for key in messages.keys() {
            r.message(&messages_loc.child(key), key)?;
        }
    }

    if let Some(root_prefix) = &subject_root {
        for ch in &spec_channels {
            if !(ch.name == root_prefix.default
                || ch.name.starts_with(&format!("{}.", root_prefix.default)))
            {
                return Err(r.store.error(
                    &channels_loc.child(&ch.name),
                    ErrorKind::Lint(format!(
                        "channel does not start with the subject root {:?} declared by x-subject-root",
                        root_prefix.default
                    )),
                ));
            }
        }
    }

    lint_operation_ids(r.store, &r.op_docs, &operations)?;
    name_channels(&mut spec_channels);
    name_operations(&mut operations);

    r.defs.process(r.store)?;
    r.defs.check_each(
        r.store,
        |store, loc, schema| match jsonschema::draft7::meta::validate(schema) {
            Ok(()) => Ok(()),
            Err(e) => {
                let at = Loc {
                    doc: loc.doc,
                    pointer: format!("{}{}", loc.pointer, e.instance_path().as_str()),
                };
                Err(store.error(
                    &at,
                    ErrorKind::Structure(format!("not a valid JSON Schema: {e}")),
                ))
            }
        },
    )?;
    let Reader {
        store,
        defs,
        messages,
        ..
    } = r;
    let mut spec = Spec {
        id: id.to_owned(),
        module: snake(id),
        path: store.path(doc).to_path_buf(),
        asyncapi,
        title,
        version,
        description,
        subject_root,
        account_prefix,
        reply_status,
        channels: spec_channels,
        operations,
        messages,
        definitions: defs.into_model(store),
    };
    crate::dispatch::analyze(&mut spec);
    Ok(spec)
}

struct Reader<'s, 'l> {
    store: &'s mut Store<'l>,
    root: Loc,
    defs: Definitions,
    messages: Vec<Message>,
    message_by_loc: HashMap<Loc, usize>,
    message_names: Namer,
    /// The document each operation is written in, by operation index.
    op_docs: Vec<usize>,
    default_content_type: String,
}

impl Reader<'_, '_> {
    fn structure(&self, loc: &Loc, msg: String) -> crate::Error {
        self.store.error(loc, ErrorKind::Structure(msg))
    }

    /// Refuses fields AsyncAPI 2.x does not define on this object.
    fn check_keys(
        &self,
        loc: &Loc,
        map: &Map<String, Value>,
        allowed: &[&str],
        what: &str,
    ) -> Result<()> {
        match map
            .keys()
            .find(|k| !k.starts_with("x-") && !allowed.contains(&k.as_str()))
        {
            None => Ok(()),
            Some(key) => Err(self.structure(
                &loc.child(key),
                format!("`{key}` is not a field of {what} in AsyncAPI 2.x"),
            )),
        }
    }

    /// Checks a schema against the JSON Schema draft-07 meta-schema (AsyncAPI 2 schemas are a
    /// superset of draft-07).
    fn check_schema(&self, loc: &Loc, schema: &Value) -> Result<()> {
        match jsonschema::draft7::meta::validate(schema) {
            Ok(()) => Ok(()),
            Err(e) => {
                let inner = e.instance_path().as_str().to_owned();
                let at = Loc {
                    doc: loc.doc,
                    pointer: format!("{}{inner}", loc.pointer),
                };
                Err(self.structure(&at, format!("not a valid JSON Schema: {e}")))
            }
        }
    }

    fn object(&mut self, loc: &Loc, what: &str) -> Result<Map<String, Value>> {
        match self.store.get(loc) {
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(_) => Err(self.structure(loc, format!("{what} must be an object"))),
            None => Err(self.structure(&parent(loc), format!("{what} is required"))),
        }
    }

    fn optional_string(
        &self,
        map: &Map<String, Value>,
        loc: &Loc,
        key: &str,
    ) -> Result<Option<String>> {
        match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.structure(&loc.child(key), format!("`{key}` must be a string"))),
        }
    }

    fn required_string(&self, map: &Map<String, Value>, loc: &Loc, key: &str) -> Result<String> {
        self.optional_string(map, loc, key)?
            .ok_or_else(|| self.structure(loc, format!("`{key}` is required")))
    }

    fn version(&self, top: &Map<String, Value>) -> Result<String> {
        let loc = self.root.child("asyncapi");
        let v = match top.get("asyncapi") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(self
                    .store
                    .error(&loc, ErrorKind::UnsupportedVersion(other.to_string())))
            }
            None => {
                return Err(self.structure(
                    &self.root,
                    "`asyncapi` (the AsyncAPI version) is required".into(),
                ))
            }
        };
        let mut parts = v.splitn(3, '.');
        let ok = parts.next() == Some("2")
            && parts
                .next()
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| m <= 6)
            && parts.next().is_some_and(|p| {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                !digits.is_empty()
                    && (digits.len() == p.len() || p[digits.len()..].starts_with('-'))
            });
        if ok {
            Ok(v)
        } else {
            Err(self.store.error(&loc, ErrorKind::UnsupportedVersion(v)))
        }
    }

    fn subject_root(&self, top: &Map<String, Value>) -> Result<Option<SubjectRoot>> {
        let loc = self.root.child("x-subject-root");
        let Some(value) = top.get("x-subject-root") else {
            return Ok(None);
        };
        let Value::Object(map) = value else {
            return Err(self.structure(&loc, "x-subject-root must be an object".into()));
        };
        let default = self.required_string(map, &loc, "default")?;
        Template::parse(&default)
            .ok()
            .filter(|t| t.tokens.iter().all(|t| matches!(t, Token::Literal(_))))
            .ok_or_else(|| {
                self.store.error(
                    &loc.child("default"),
                    ErrorKind::Lint(format!(
                        "x-subject-root default {default:?} must be literal subject tokens"
                    )),
                )
            })?;
        let replaceable = match map.get("replaceable") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(self.structure(
                    &loc.child("replaceable"),
                    "`replaceable` must be a boolean".into(),
                ))
            }
        };
        Ok(Some(SubjectRoot {
            default,
            replaceable,
            description: self.optional_string(map, &loc, "description")?,
        }))
    }

    fn reply_status(&self, top: &Map<String, Value>) -> Result<Option<ReplyStatus>> {
        let loc = self.root.child("x-reply-status");
        let Some(value) = top.get("x-reply-status") else {
            return Ok(None);
        };
        let Value::Object(map) = value else {
            return Err(self.structure(&loc, "x-reply-status must be an object".into()));
        };
        let success = self.required_string(map, &loc, "success")?;
        let message = match map.get("message") {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(_) => {
                return Err(self.structure(
                    &loc.child("message"),
                    "`message` must be a property name or a list of them".into(),
                ))
            }
        };
        Ok(Some(ReplyStatus { success, message }))
    }

    fn account_prefix(&self, top: &Map<String, Value>) -> Result<bool> {
        let loc = self.root.child("x-subject-account-prefix");
        match top.get("x-subject-account-prefix") {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Object(map)) => match map.get("optional") {
                Some(Value::Bool(b)) => Ok(*b),
                _ => Err(self.structure(
                    &loc,
                    "x-subject-account-prefix must be a boolean or an object with `optional: true`"
                        .into(),
                )),
            },
            Some(_) => Err(self.structure(
                &loc,
                "x-subject-account-prefix must be a boolean or an object".into(),
            )),
        }
    }

    fn channel(
        &mut self,
        loc: &Loc,
        name: &str,
        first_op: usize,
        index: usize,
    ) -> Result<(Channel, Vec<(Operation, usize)>)> {
        let template = Template::parse(name).map_err(|m| {
            self.store.error(
                loc,
                ErrorKind::Lint(format!("channel name is not usable as a NATS subject: {m}")),
            )
        })?;
        let (item_loc, _) = self.store.fetch(loc)?;
        let item = self.object(&item_loc, "a channel")?;
        self.check_keys(&item_loc, &item, CHANNEL_KEYS, "a channel")?;
        let description = self.optional_string(&item, &item_loc, "description")?;

        let mut declared: BTreeMap<String, (Loc, Map<String, Value>)> = BTreeMap::new();
        if item.contains_key("parameters") {
            let params_loc = item_loc.child("parameters");
            let params = self.object(&params_loc, "`parameters`")?;
            for key in params.keys() {
                let (ploc, pvalue) = self.store.fetch(&params_loc.child(key))?;
                let Value::Object(p) = pvalue else {
                    return Err(self.structure(&ploc, "a parameter must be an object".into()));
                };
                self.check_keys(&ploc, &p, PARAMETER_KEYS, "a parameter")?;
                declared.insert(key.clone(), (ploc, p));
            }
        }
        let used = template.params();
        for p in &used {
            if !declared.contains_key(*p) {
                return Err(self.store.error(
                    loc,
                    ErrorKind::Lint(format!(
                        "channel parameter {{{p}}} is not declared in `parameters`"
                    )),
                ));
            }
        }
        let mut field_names = Namer::new();
        let mut parameters = Vec::new();
        for p in &used {
            let (ploc, map) = &declared[*p];
            parameters.push(Parameter {
                name: (*p).to_owned(),
                ident: field_names.unique(snake(p)),
                description: self.optional_string(map, ploc, "description")?,
                rule: self.param_rule(ploc, map)?,
                payload_field: self.optional_string(map, ploc, "x-payload-field")?,
            });
        }
        if let Some((unused, (ploc, _))) =
            declared.iter().find(|(k, _)| !used.contains(&k.as_str()))
        {
            return Err(self.store.error(
                ploc,
                ErrorKind::Lint(format!(
                    "parameter {unused:?} is declared but the channel name does not use {{{unused}}}"
                )),
            ));
        }

        let mut ops = Vec::new();
        for (key, direction) in [
            ("publish", Direction::Publish),
            ("subscribe", Direction::Subscribe),
        ] {
            if item.contains_key(key) {
                let op = self.operation(&item_loc.child(key), direction, index, name)?;
                let doc = self.store.deref(&item_loc.child(key))?.doc;
                ops.push((op, doc));
            }
        }
        let channel = Channel {
            name: name.to_owned(),
            ident: String::new(),
            description,
            template,
            parameters,
            operations: (first_op..first_op + ops.len()).collect(),
            pointer: loc.pointer.clone(),
        };
        Ok((channel, ops))
    }

    fn param_rule(&mut self, ploc: &Loc, map: &Map<String, Value>) -> Result<ParamRule> {
        let mut rule = ParamRule::default();
        if !map.contains_key("schema") {
            return Ok(rule);
        }
        let (sloc, schema) = self.store.fetch(&ploc.child("schema"))?;
        self.check_schema(&sloc, &schema)?;
        let Value::Object(schema) = schema else {
            return Ok(rule);
        };
        match schema.get("type").and_then(Value::as_str) {
            Some("integer" | "number") => rule.numeric = true,
            Some("string") | None => {}
            Some(other) => {
                return Err(self.store.error(
                    &sloc.child("type"),
                    ErrorKind::Unsupported(format!(
                    "a channel parameter of type {other:?}; subject tokens are strings or numbers"
                )),
                ))
            }
        }
        rule.pattern = self.optional_string(&schema, &sloc, "pattern")?;
        if let Some(values) = schema
            .get("enum")
            .or(schema.get("const").map(|_| &Value::Null))
        {
            let values = if values.is_null() {
                vec![schema["const"].clone()]
            } else {
                values.as_array().cloned().unwrap_or_default()
            };
            rule.allowed = Some(
                values
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            );
        }
        rule.min_length = schema.get("minLength").and_then(Value::as_u64);
        rule.max_length = schema.get("maxLength").and_then(Value::as_u64);
        Ok(rule)
    }

    fn operation(
        &mut self,
        loc: &Loc,
        direction: Direction,
        channel: usize,
        channel_name: &str,
    ) -> Result<Operation> {
        let (oloc, _) = self.store.fetch(loc)?;
        let op = self.object(&oloc, "an operation")?;
        self.check_keys(&oloc, &op, OPERATION_KEYS, "an operation")?;
        if let Some(Value::Array(traits)) = op.get("traits") {
            for i in 0..traits.len() {
                let (tloc, t) = self
                    .store
                    .fetch(&oloc.child("traits").child(&i.to_string()))?;
                let Value::Object(t) = t else {
                    return Err(
                        self.structure(&tloc, "an operation trait must be an object".into())
                    );
                };
                self.check_keys(&tloc, &t, OPERATION_TRAIT_KEYS, "an operation trait")?;
            }
        }
        let explicit_id = self.optional_string(&op, &oloc, "operationId")?;
        let id = explicit_id.clone().unwrap_or_else(|| {
            let verb = match direction {
                Direction::Publish => "publish",
                Direction::Subscribe => "subscribe",
            };
            format!("{verb} {channel_name}")
        });
        let messages = match op.get("message") {
            Some(_) => self.message_set(&oloc.child("message"), &id)?,
            None => Vec::new(),
        };
        let reply = match op.get("x-reply") {
            None => None,
            Some(_) => Some(self.reply(&oloc.child("x-reply"), &id)?),
        };
        let queue = match self
            .store
            .get(&oloc.child("bindings").child("nats").child("queue"))
        {
            None => None,
            Some(Value::String(q)) => Some(q.clone()),
            Some(_) => {
                return Err(self.structure(
                    &oloc.child("bindings").child("nats").child("queue"),
                    "the NATS binding's `queue` must be a string".into(),
                ))
            }
        };
        Ok(Operation {
            id,
            ident: String::new(),
            direction,
            channel,
            summary: self.optional_string(&op, &oloc, "summary")?,
            description: self.optional_string(&op, &oloc, "description")?,
            messages,
            reply,
            queue,
            dispatch: None,
            pointer: oloc.pointer.clone(),
        })
    }

    fn reply(&mut self, loc: &Loc, op_id: &str) -> Result<Reply> {
        let map = self.object(loc, "x-reply")?;
        let pattern = match map.get("pattern").and_then(Value::as_str) {
            None | Some("single") => ReplyPattern::Single,
            Some("scatter-gather") => ReplyPattern::ScatterGather,
            Some(other) => {
                return Err(self.structure(
                    &loc.child("pattern"),
                    format!(
                        "x-reply pattern {other:?} is not one of \"single\", \"scatter-gather\""
                    ),
                ))
            }
        };
        let operation_id = self.optional_string(&map, loc, "operationId")?;
        let optional = match map.get("optional") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(self.structure(
                    &loc.child("optional"),
                    "x-reply optional must be a boolean".into(),
                ))
            }
        };
        if !map.contains_key("message") {
            return Err(self.structure(loc, "x-reply needs a `message`".into()));
        }
        let hint = operation_id
            .clone()
            .unwrap_or_else(|| format!("{op_id} reply"));
        let messages = self.message_set(&loc.child("message"), &hint)?;
        Ok(Reply {
            operation_id,
            pattern,
            optional,
            messages,
        })
    }

    /// A `message` field: one message, or `oneOf` several.
    fn message_set(&mut self, loc: &Loc, hint: &str) -> Result<Vec<usize>> {
        let (mloc, value) = self.store.fetch(loc)?;
        if let (Some(_), Some(map)) = (value.get("oneOf"), value.as_object()) {
            if let Some(other) = map.keys().find(|k| *k != "oneOf") {
                return Err(self.structure(
                    &mloc.child(other),
                    "a message `oneOf` stands alone: other fields go on the messages it lists"
                        .into(),
                ));
            }
        }
        match value.get("oneOf") {
            Some(Value::Array(items)) if value.get("payload").is_none() => {
                let mut out = Vec::new();
                for i in 0..items.len() {
                    let h = format!("{hint} message {i}");
                    let m = self.message(&mloc.child("oneOf").child(&i.to_string()), &h)?;
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
                Ok(out)
            }
            Some(Value::Array(_)) | None => {
                Ok(vec![self.message(&mloc, &format!("{hint} message"))?])
            }
            Some(_) => Err(self.structure(&mloc.child("oneOf"), "`oneOf` must be an array".into())),
        }
    }

    fn message(&mut self, loc: &Loc, hint: &str) -> Result<usize> {
        let (mloc, value) = self.store.fetch(loc)?;
        if let Some(&i) = self.message_by_loc.get(&mloc) {
            return Ok(i);
        }
        let Value::Object(mut msg) = value else {
            return Err(self.structure(&mloc, "a message must be an object".into()));
        };
        self.check_keys(&mloc, &msg, MESSAGE_KEYS, "a message")?;
        if msg.contains_key("headers") {
            let (hloc, headers) = self.store.fetch(&mloc.child("headers"))?;
            self.check_schema(&hloc, &headers)?;
        }
        self.apply_traits(&mloc, &mut msg)?;
        let component_key = component_key(&mloc.pointer, "messages");
        let explicit_id = matches!(msg.get("messageId"), Some(Value::String(_)));
        let mut name = match (msg.get("messageId"), msg.get("name")) {
            (Some(Value::String(id)), _) => id.clone(),
            (_, Some(Value::String(n))) => n.clone(),
            _ => component_key.clone().unwrap_or_else(|| hint.to_owned()),
        };
        if let Some(existing) = self.messages.iter().find(|m| m.name == name) {
            // messageId is the identifier AsyncAPI requires to be unique, and reusable messages
            // are found by name; an inline message's `name` is only a label, which real specs
            // reuse for different messages, so it is numbered instead.
            if explicit_id || component_key.is_some() {
                return Err(self.store.error(
                    &mloc,
                    ErrorKind::Lint(format!(
                        "message name {name:?} is already used by the message at {}",
                        existing.pointer
                    )),
                ));
            }
            let base = name.clone();
            name = (2..)
                .map(|n| format!("{base}_{n}"))
                .find(|candidate| !self.messages.iter().any(|m| &m.name == candidate))
                .expect("an unbounded range has a free name");
        }
        if let Some(format) = msg.get("schemaFormat").and_then(Value::as_str) {
            if !is_json_schema_format(format) {
                return Err(self.store.error(
                    &mloc.child("schemaFormat"),
                    ErrorKind::Unsupported(format!(
                        "payload schema format {format:?}; only AsyncAPI and JSON Schema payloads become Rust types"
                    )),
                ));
            }
        }
        let ident = self.message_names.unique(pascal(&name));
        let payload = if msg.contains_key("payload") {
            let (ploc, _) = self.store.fetch(&mloc.child("payload"))?;
            let hint = if ploc.pointer.ends_with("/payload") && ploc.doc == mloc.doc {
                format!("{ident} payload")
            } else {
                crate::schema::hint_for(&ploc.pointer, self.store)
            };
            Some(self.defs.intern(&ploc, &hint))
        } else {
            None
        };
        let content_type = self
            .optional_string(&msg, &mloc, "contentType")?
            .unwrap_or_else(|| self.default_content_type.clone());
        let examples = self.examples(&mloc, &msg)?;
        let message = Message {
            name,
            ident,
            title: self.optional_string(&msg, &mloc, "title")?,
            summary: self.optional_string(&msg, &mloc, "summary")?,
            description: self.optional_string(&msg, &mloc, "description")?,
            content_type,
            payload,
            examples,
            pointer: mloc.pointer.clone(),
            file: self.store.path(mloc.doc).to_path_buf(),
        };
        self.messages.push(message);
        let index = self.messages.len() - 1;
        self.message_by_loc.insert(mloc, index);
        Ok(index)
    }

    /// Message traits are merged into the message; the message's own fields win.
    fn apply_traits(&mut self, mloc: &Loc, msg: &mut Map<String, Value>) -> Result<()> {
        let Some(Value::Array(traits)) = msg.get("traits").cloned() else {
            return Ok(());
        };
        for i in 0..traits.len() {
            let (tloc, value) = self
                .store
                .fetch(&mloc.child("traits").child(&i.to_string()))?;
            let Value::Object(t) = value else {
                return Err(self.structure(&tloc, "a message trait must be an object".into()));
            };
            self.check_keys(&tloc, &t, MESSAGE_TRAIT_KEYS, "a message trait")?;
            if t.contains_key("headers") {
                let (hloc, headers) = self.store.fetch(&tloc.child("headers"))?;
                self.check_schema(&hloc, &headers)?;
            }
            if t.get("examples").is_some_and(|e| !e.is_array()) {
                return Err(self.structure(
                    &tloc.child("examples"),
                    "`examples` must be an array".into(),
                ));
            }
            for (k, v) in t {
                msg.entry(k).or_insert(v);
            }
        }
        Ok(())
    }

    fn examples(&mut self, mloc: &Loc, msg: &Map<String, Value>) -> Result<Vec<(String, Value)>> {
        let Some(examples) = msg.get("examples") else {
            return Ok(Vec::new());
        };
        let Value::Array(items) = examples else {
            return Err(self.structure(
                &mloc.child("examples"),
                "`examples` must be an array".into(),
            ));
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let eloc = mloc.child("examples").child(&i.to_string());
            match item {
                Value::Object(e) => {
                    self.check_keys(&eloc, e, EXAMPLE_KEYS, "a message example")?;
                    if let Some(p) = e.get("payload") {
                        out.push((eloc.child("payload").pointer, p.clone()));
                    }
                }
                _ => {
                    return Err(self.structure(&eloc, "a message example must be an object".into()))
                }
            }
        }
        Ok(out)
    }
}

fn parent(loc: &Loc) -> Loc {
    let pointer = match loc.pointer.rfind('/') {
        Some(i) => loc.pointer[..i].to_owned(),
        None => String::new(),
    };
    Loc {
        doc: loc.doc,
        pointer,
    }
}

/// `Key` when `pointer` is `/components/<section>/Key`.
fn component_key(pointer: &str, section: &str) -> Option<String> {
    let tokens = crate::error::pointer_tokens(pointer);
    match tokens.as_slice() {
        [c, s, key] if c == "components" && s == section => Some(key.clone()),
        _ => None,
    }
}

/// `docs[i]` is the document operation `i` is written in.
fn lint_operation_ids(store: &Store<'_>, docs: &[usize], ops: &[Operation]) -> Result<()> {
    // Reply operation names share the namespace of operationIds.
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (op, &doc) in ops.iter().zip(docs) {
        let mut ids = vec![(op.id.as_str(), format!("{}/operationId", op.pointer))];
        if let Some(reply) = op.reply.as_ref().and_then(|r| r.operation_id.as_deref()) {
            ids.push((reply, format!("{}/x-reply/operationId", op.pointer)));
        }
        for (id, pointer) in ids {
            if let Some(first) = seen.get(id) {
                let loc = Loc { doc, pointer };
                return Err(store.error(
                    &loc,
                    ErrorKind::Lint(format!("operationId {id:?} is also used at {first}")),
                ));
            }
            seen.insert(id, pointer);
        }
    }
    Ok(())
}

/// Channel type names: the literal tokens that tell channels apart, after the tokens every channel
/// shares.
fn name_channels(channels: &mut [Channel]) {
    let literal_words = |t: &Token| match t {
        Token::Literal(l) => Some(l.clone()),
        Token::Mixed(pieces) => Some(
            pieces
                .iter()
                .filter_map(|p| match p {
                    crate::template::Piece::Literal(l) => Some(l.clone()),
                    crate::template::Piece::Param(_) => None,
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Token::Rest => Some("all".into()),
        Token::Star => Some("any".into()),
        Token::Param(_) => None,
    };
    let shared = if channels.len() > 1 {
        let first = &channels[0].template.tokens;
        (0..first.len())
            .take_while(|&i| {
                channels.iter().all(|c| {
                    c.template.tokens.get(i) == Some(&first[i]) && c.template.tokens.len() > i + 1
                })
            })
            .count()
    } else {
        0
    };
    let mut names = Namer::new();
    // Channel `X` becomes `XSubject`, `XFilter` and the constant `X`: these would collide with
    // the items every `subjects` module has.
    for reserved in ["Channel", "Any", "Spec", "Root", "Channels"] {
        names.reserve(reserved);
    }
    for ch in channels.iter_mut() {
        let words: Vec<String> = ch.template.tokens[shared..]
            .iter()
            .filter_map(literal_words)
            .collect();
        let words = if words.iter().all(|w| w.trim().is_empty()) {
            ch.template
                .tokens
                .iter()
                .filter_map(literal_words)
                .collect()
        } else {
            words
        };
        let stem = pascal(&words.join(" "));
        let stem = if stem == "Type" {
            "Channel".to_owned()
        } else {
            stem
        };
        ch.ident = names.unique(stem);
    }
}

fn name_operations(ops: &mut [Operation]) {
    let mut names = Namer::new();
    for op in ops {
        op.ident = names.unique(snake(&op.id));
    }
}
