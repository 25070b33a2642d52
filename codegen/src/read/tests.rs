//! The reader, object by object, in both versions.

use std::path::Path;

use crate::error::ErrorKind;
use crate::model::{Direction, ReplyPattern, Spec};
use crate::{read_spec, Error, MemoryLoader};

fn read(text: &str) -> Result<Spec, Error> {
    let mut loader = MemoryLoader::new();
    loader.insert("spec.yaml", text);
    read_spec(&loader, Path::new("spec.yaml"))
}

fn refused(text: &str, pointer: &str, says: &str) -> Error {
    let e = read(text).expect_err("the document is refused");
    assert_eq!(e.pointer(), pointer, "{e}");
    assert!(e.to_string().contains(says), "{e} does not say {says:?}");
    e
}

const V3: &str = "asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\n";

/// A 3.0 NATS service: a request with a reply on the requester's inbox, in a queue group, and an
/// event with two messages.
const SERVICE: &str = r#"
channels:
  setpoint:
    address: 'home.{site}.{room}.setpoint'
    parameters:
      site: {description: The site., x-pattern: '^[a-z]+$', default: main, examples: [main], location: '$message.payload#/site'}
      room: {$ref: '#/components/parameters/room'}
    messages:
      Set: {$ref: '#/components/messages/Set'}
  readings:
    address: 'home.{site}.{room}.readings'
    parameters:
      site: {x-pattern: '^[a-z]+$'}
      room: {$ref: '#/components/parameters/room'}
    messages:
      Reading: {$ref: '#/components/messages/Reading'}
      Alarm: {name: Alarm, payload: {type: object, required: [kind], properties: {kind: {const: alarm}}}}
  inbox:
    address: null
    messages:
      Ack: {$ref: '#/components/messages/Ack'}
operations:
  report:
    action: send
    channel: {$ref: '#/channels/readings'}
  setTemperature:
    action: receive
    channel: {$ref: '#/channels/setpoint'}
    summary: Set a room's temperature.
    messages: [{$ref: '#/channels/setpoint/messages/Set'}]
    reply:
      channel: {$ref: '#/channels/inbox'}
      messages: [{$ref: '#/channels/inbox/messages/Ack'}]
      x-operation-id: setTemperatureAck
    bindings: {nats: {queue: thermostats}}
components:
  parameters:
    room: {enum: [kitchen, office]}
  messages:
    Set: {payload: {type: object, properties: {celsius: {type: number}}}}
    Ack: {payload: {type: object, properties: {ok: {type: boolean}}}}
    Reading: {payload: {type: object, required: [kind], properties: {kind: {const: reading}}}}
"#;

#[test]
fn a_3_0_service_reads_into_the_model() {
    let spec = read(&format!("{V3}{SERVICE}")).unwrap();
    assert_eq!(spec.asyncapi, "3.0.0");
    // Channels with an address, in address order; the inbox is not one of them.
    let names: Vec<&str> = spec.channels.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["home.{site}.{room}.readings", "home.{site}.{room}.setpoint"]
    );
    let setpoint = &spec.channels[1];
    assert_eq!(setpoint.pointer, "/channels/setpoint");
    assert_eq!(setpoint.file, Path::new("spec.yaml"));
    let site = &setpoint.parameters[0];
    assert_eq!(site.name, "site");
    assert_eq!(site.description.as_deref(), Some("The site."));
    assert_eq!(site.rule.pattern.as_deref(), Some("^[a-z]+$"));
    let room = &setpoint.parameters[1];
    assert_eq!(
        room.rule.allowed,
        Some(vec!["kitchen".to_owned(), "office".to_owned()])
    );

    // Operations by channel; ids are the keys; receive is 2.x's publish.
    let set = &spec.operations[setpoint.operations[0]];
    assert_eq!(
        (set.id.as_str(), set.ident.as_str()),
        ("setTemperature", "set_temperature")
    );
    assert_eq!(set.direction, Direction::Publish);
    assert_eq!(set.summary.as_deref(), Some("Set a room's temperature."));
    assert_eq!(set.queue.as_deref(), Some("thermostats"));
    assert_eq!(set.pointer, "/operations/setTemperature");
    let reply = set.reply.as_ref().expect("a reply");
    assert_eq!(reply.pattern, ReplyPattern::Single);
    assert_eq!(reply.operation_id.as_deref(), Some("setTemperatureAck"));
    assert!(!reply.optional);
    assert_eq!(spec.messages[reply.messages[0]].name, "Ack");
    assert_eq!(spec.messages[set.messages[0]].name, "Set");

    // No `messages`: every message of the channel, which a property tells apart.
    let report = &spec.operations[spec.channels[0].operations[0]];
    assert_eq!(report.direction, Direction::Subscribe);
    let names: Vec<&str> = report
        .messages
        .iter()
        .map(|&m| spec.messages[m].name.as_str())
        .collect();
    assert_eq!(names, ["Alarm", "Reading"]);
    assert_eq!(
        report.dispatch.as_ref().map(|d| d.tag.as_str()),
        Some("kind")
    );
}

#[test]
fn reply_extensions_say_what_3_x_has_no_keyword_for() {
    let text = format!("{V3}{SERVICE}").replace(
        "x-operation-id: setTemperatureAck",
        "{x-pattern: scatter-gather, x-optional: true}",
    );
    let text = text.replace(
        "      {x-pattern: scatter-gather, x-optional: true}",
        "      x-pattern: scatter-gather\n      x-optional: true",
    );
    let spec = read(&text).unwrap();
    let reply = spec
        .operations
        .iter()
        .find_map(|o| o.reply.as_ref())
        .unwrap();
    assert_eq!(reply.pattern, ReplyPattern::ScatterGather);
    assert!(reply.optional);
    assert_eq!(reply.operation_id, None);
    refused(
        &text.replace("x-pattern: scatter-gather", "x-pattern: fan-out"),
        "/operations/setTemperature/reply/x-pattern",
        "\"fan-out\" is not one of",
    );
}

#[test]
fn replies_that_are_not_on_the_requesters_inbox_are_refused_where_they_are_written() {
    let service = format!("{V3}{SERVICE}");
    refused(
        &service.replace(
            "      channel: {$ref: '#/channels/inbox'}\n",
            "      address: {location: '$message.header#/replyTo'}\n",
        ),
        "/operations/setTemperature/reply/address",
        "a reply address taken from \"$message.header#/replyTo\"",
    );
    refused(
        &service.replace("    address: null\n", "    address: replies\n"),
        "/operations/setTemperature/reply/channel",
        "a reply on the fixed address \"replies\"",
    );
    refused(
        &service.replace(
            "      channel: {$ref: '#/channels/inbox'}\n      messages: [{$ref: '#/channels/inbox/messages/Ack'}]\n",
            "",
        ),
        "/operations/setTemperature/reply",
        "a reply needs `messages` or a `channel`",
    );
    // Without a channel, the listed messages are the reply.
    let spec = read(&service.replace("      channel: {$ref: '#/channels/inbox'}\n", "")).unwrap();
    let reply = spec
        .operations
        .iter()
        .find_map(|o| o.reply.as_ref())
        .unwrap();
    assert_eq!(spec.messages[reply.messages[0]].name, "Ack");
}

#[test]
fn operations_keep_to_their_channels() {
    let service = format!("{V3}{SERVICE}");
    refused(
        &service.replace(
            "channel: {$ref: '#/channels/readings'}",
            "channel: {$ref: '#/channels/inbox'}",
        ),
        "/operations/report/channel",
        "which has no address",
    );
    refused(
        &service.replace(
            "messages: [{$ref: '#/channels/setpoint/messages/Set'}]",
            "messages: [{$ref: '#/components/messages/Reading'}]",
        ),
        "/operations/setTemperature/messages/0",
        "not one of the messages of channel \"setpoint\"",
    );
    refused(
        &service.replace(
            "channel: {$ref: '#/channels/readings'}",
            "channel: {$ref: '#/components/messages/Ack'}",
        ),
        "/operations/report/channel",
        "must be a `$ref` to a channel of `channels`",
    );
    refused(
        &service.replace("action: send", "action: publish"),
        "/operations/report/action",
        "unknown variant `publish`, expected `receive` or `send`",
    );
}

#[test]
fn parameters_and_addresses_are_linted_as_in_2_x() {
    let service = format!("{V3}{SERVICE}");
    // A parameter the address uses without declaring it is one string token, with a warning;
    // one declared and not used is left out, with a warning.
    let mut loader = MemoryLoader::new();
    loader.insert(
        "spec.yaml",
        service.replace(
            "address: 'home.{site}.{room}.readings'",
            "address: 'home.{site}.{rom}.readings'",
        ),
    );
    let out = crate::generate(&loader, Path::new("spec.yaml"), &crate::Settings::default())
        .expect("generated");
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[1].contains("/components/parameters/room: parameter \"room\" is declared but the channel does not use {room}"), "{warnings:#?}");
    assert!(warnings[0].contains("/channels/readings/address: channel parameter {rom} is not declared in `parameters`; it is read as one string token"), "{warnings:#?}");
    let readings = out
        .spec
        .channels
        .iter()
        .find(|c| c.name.contains("{rom}"))
        .unwrap();
    let names: Vec<&str> = readings
        .parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["site", "rom"]);
    assert_eq!(readings.parameters[1].rule, Default::default());
    refused(
        &service.replace(
            "address: 'home.{site}.{room}.readings'",
            "address: 'home.{site}.{room}.{room}'",
        ),
        "/channels/readings/address",
        "parameter {room} appears more than once",
    );
    refused(
        &service.replace(
            "address: 'home.{site}.{room}.readings'",
            "address: 'home.{site}..readings'",
        ),
        "/channels/readings/address",
        "not usable as a NATS subject",
    );
    refused(
        &service.replace(
            "x-pattern: '^[a-z]+$', default",
            "x-pattern: '^[a-z+$', default",
        ),
        "/channels/setpoint/parameters/site",
        "parameter pattern \"^[a-z+$\"",
    );
    refused(
        &service.replace(
            "room: {enum: [kitchen, office]}",
            "room: {schema: {type: string}}",
        ),
        "/components/parameters/room/schema",
        "`schema` is not a field of a parameter in AsyncAPI 3.x",
    );
}

#[test]
fn traits_formats_and_extensions_of_3_x_objects() {
    let doc = format!(
        r#"{V3}x-subject-root: {{default: home}}
channels:
  a:
    address: home.a
    x-note: fine
    messages:
      M:
        name: M
        x-note: fine
        payload:
          schemaFormat: application/schema+json;version=draft-07
          schema: {{type: object, properties: {{n: {{type: integer}}}}}}
        examples: [{{payload: {{n: 1}}, x-note: fine}}]
        traits: [{{summary: From a trait.}}]
operations:
  a:
    action: receive
    channel: {{$ref: '#/channels/a'}}
    traits: [{{$ref: '#/components/operationTraits/queued'}}]
    x-note: fine
components:
  operationTraits:
    queued: {{description: In a group., bindings: {{nats: {{queue: workers}}}}}}
"#
    );
    let spec = read(&doc).unwrap();
    let op = &spec.operations[0];
    assert_eq!(op.queue.as_deref(), Some("workers"));
    assert_eq!(op.description.as_deref(), Some("In a group."));
    let m = &spec.messages[op.messages[0]];
    assert_eq!(m.summary.as_deref(), Some("From a trait."));
    assert_eq!(m.examples.len(), 1);
    let payload = m.payload.as_deref().expect("a payload type");
    assert_eq!(
        spec.definitions[payload].pointer,
        "/channels/a/messages/M/payload/schema"
    );
    refused(
        &doc.replace(
            "application/schema+json;version=draft-07",
            "application/vnd.apache.avro;version=1.9.0",
        ),
        "/channels/a/messages/M/payload/schemaFormat",
        "payload schema format",
    );
    refused(
        &doc.replace("        name: M\n", "        messageId: M\n"),
        "/channels/a/messages/M/messageId",
        "`messageId` is not a field of a message in AsyncAPI 3.x",
    );
    refused(
        &doc.replace(
            "    x-note: fine\n    messages",
            "    note: no\n    messages",
        ),
        "/channels/a/note",
        "`note` is not a field of a channel in AsyncAPI 3.x",
    );
    refused(
        &doc.replace("address: home.a", "address: elsewhere.a"),
        "/channels/a",
        "does not start with the subject root",
    );
}

#[test]
fn one_message_in_two_channels_is_one_type() {
    let spec = read(&format!(
        r#"{V3}channels:
  a: {{address: a, messages: {{M: {{$ref: '#/components/messages/M'}}}}}}
  b: {{address: b, messages: {{M: {{$ref: '#/components/messages/M'}}}}}}
operations:
  getA: {{action: receive, channel: {{$ref: '#/channels/a'}}}}
  getB: {{action: receive, channel: {{$ref: '#/channels/b'}}}}
components:
  messages:
    M: {{payload: {{type: string}}}}
"#
    ))
    .unwrap();
    assert_eq!(spec.messages.len(), 1);
    assert_eq!(spec.operations[0].messages, spec.operations[1].messages);
    assert_eq!(spec.messages[0].name, "M");
}

#[test]
fn versions_2_0_to_2_6_3_0_and_3_1_are_read_and_no_other() {
    for version in ["2.0.0", "2.3.0", "2.6.0", "3.0.0", "3.1.0", "3.0.0-rc1"] {
        let channels = if version.starts_with('2') {
            "channels: {}\n"
        } else {
            ""
        };
        let spec = read(&format!(
            "asyncapi: {version}\ninfo: {{title: T, version: '1'}}\n{channels}"
        ))
        .unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(spec.asyncapi, version);
    }
    for version in ["1.2.0", "2.7.0", "3.2.0", "4.0.0", "3.0", "3.x.0", "'3'"] {
        let e = refused(
            &format!("asyncapi: {version}\ninfo: {{title: T, version: '1'}}\n"),
            "/asyncapi",
            version.trim_matches('\''),
        );
        assert!(matches!(e.kind(), ErrorKind::UnsupportedVersion(_)), "{e}");
    }
}

#[test]
fn extensions_are_allowed_on_every_2_x_object() {
    let spec = read(
        r#"asyncapi: 2.6.0
info: {title: T, version: '1', x-owner: me}
x-top: 1
channels:
  a:
    x-c: 1
    parameters: {}
    publish:
      x-o: 1
      operationId: getA
      traits: [{operationId: ignored, summary: From a trait., bindings: {nats: {queue: q}}}]
      message:
        x-m: 1
        payload: {type: string}
        examples: [{payload: a, x-e: 1}]
components:
  x-k: 1
  schemas: {}
"#,
    )
    .unwrap();
    let op = &spec.operations[0];
    assert_eq!(op.id, "getA");
    assert_eq!(op.summary.as_deref(), Some("From a trait."));
    assert_eq!(op.queue.as_deref(), Some("q"));
    refused(
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1', owner: me}\nchannels: {}\n",
        "/info/owner",
        "`owner` is not a field of `info` in AsyncAPI 2.x",
    );
}

#[test]
fn a_2_x_channel_reads_its_operations_parameters_and_reply() {
    let spec = read(
        r#"asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  a.{n}.{c}:
    description: A channel.
    parameters:
      n: {description: A number., schema: {type: integer, minLength: 1, maxLength: 3}}
      c: {schema: {const: x}}
    publish:
      operationId: ask
      bindings: {nats: {queue: 'q.{n}'}}
      message:
        oneOf:
          - {name: One, payload: {type: string}}
          - {$ref: '#/components/messages/Two'}
      x-reply:
        operationId: answer
        pattern: scatter-gather
        optional: true
        message: {$ref: '#/components/messages/Two'}
    subscribe:
      message:
        $ref: '#/components/messages/Two'
components:
  messages:
    Two:
      traits: [{summary: From a trait., name: Ignored}]
      name: Two
      payload: {type: integer}
"#,
    )
    .unwrap();
    let channel = &spec.channels[0];
    assert_eq!(channel.description.as_deref(), Some("A channel."));
    let n = &channel.parameters[0];
    assert!(n.rule.numeric);
    assert_eq!((n.rule.min_length, n.rule.max_length), (Some(1), Some(3)));
    assert_eq!(n.pointer, "/channels/a.{n}.{c}/parameters/n");
    assert_eq!(
        channel.parameters[1].rule.allowed,
        Some(vec!["x".to_owned()])
    );
    let [ask, watch] = [&spec.operations[0], &spec.operations[1]];
    assert_eq!(
        (ask.direction, watch.direction),
        (Direction::Publish, Direction::Subscribe)
    );
    assert_eq!(ask.queue.as_deref(), Some("q.{n}"));
    // An operation without operationId is named after its direction and channel.
    assert_eq!(watch.id, "subscribe a.{n}.{c}");
    assert_eq!(watch.ident, "subscribe_a_n_c");
    let names: Vec<&str> = ask
        .messages
        .iter()
        .map(|&m| spec.messages[m].name.as_str())
        .collect();
    assert_eq!(names, ["One", "Two"]);
    let reply = ask.reply.as_ref().unwrap();
    assert_eq!(reply.pattern, ReplyPattern::ScatterGather);
    assert!(reply.optional);
    assert_eq!(reply.operation_id.as_deref(), Some("answer"));
    let two = &spec.messages[reply.messages[0]];
    assert_eq!(two.summary.as_deref(), Some("From a trait."));
    assert_eq!(two.name, "Two");
    assert_eq!(watch.messages, reply.messages);
    refused(
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n    publish: {operationId: x, x-reply: {pattern: fan}}\n",
        "/channels/a/publish/x-reply/pattern",
        "reply pattern \"fan\" is not one of",
    );
    refused(
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n    publish: {operationId: x, x-reply: {}}\n",
        "/channels/a/publish/x-reply",
        "x-reply needs a `message`",
    );
    refused(
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n    publish: {operationId: x, message: {oneOf: [], name: n}}\n",
        "/channels/a/publish/message/name",
        "a message `oneOf` stands alone",
    );
    refused(
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n    publish: {operationId: x, message: {payload: {type: string}, schemaFormat: application/vnd.apache.avro}}\n",
        "/channels/a/publish/message/schemaFormat",
        "payload schema format",
    );
}

#[test]
fn ids_traits_headers_and_examples_are_located_where_they_are_written() {
    let service = format!("{V3}{SERVICE}");
    // A reply's name shares the namespace of operation keys.
    let e = refused(
        &service.replace(
            "x-operation-id: setTemperatureAck",
            "x-operation-id: report",
        ),
        "/operations/setTemperature/reply/x-operation-id",
        "operationId \"report\" is also used at /operations/report",
    );
    assert!(e.line().is_some(), "{e}");
    // Later traits win over earlier ones; the object's own fields over both.
    let traits = format!(
        r#"{V3}channels:
  a:
    address: a
    messages:
      M:
        summary: Own.
        traits: [{{summary: First., title: First.}}, {{title: Second.}}]
        headers:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema: {{type: record, name: H, fields: []}}
        payload: {{type: string}}
        examples: [{{payload: x}}]
operations:
  a: {{action: receive, channel: {{$ref: '#/channels/a'}}, traits: [{{summary: One.}}, {{summary: Two.}}]}}
"#
    );
    refused(
        &traits,
        "/channels/a/messages/M/headers/schemaFormat",
        "headers schema format \"application/vnd.apache.avro;version=1.9.0\"",
    );
    let traits = traits.replace(
        "schemaFormat: application/vnd.apache.avro;version=1.9.0\n          schema: {type: record, name: H, fields: []}",
        "schemaFormat: application/schema+json;version=draft-07\n          schema: {type: object}",
    );
    let spec = read(&traits).unwrap();
    let m = &spec.messages[0];
    assert_eq!(m.summary.as_deref(), Some("Own."));
    assert_eq!(m.title.as_deref(), Some("Second."));
    assert_eq!(spec.operations[0].summary.as_deref(), Some("Two."));
    assert_eq!(
        m.examples[0].pointer,
        "/channels/a/messages/M/examples/0/payload"
    );
    refused(
        &traits.replace("{title: Second.}", "{title: Second., messageId: m}"),
        "/channels/a/messages/M/traits/1/messageId",
        "`messageId` is not a field of a message trait in AsyncAPI 3.x",
    );

    // Examples a trait brings from another file are located there.
    let mut loader = MemoryLoader::new();
    loader.insert(
        "spec.yaml",
        "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  a:\n    publish:\n      operationId: a\n      message:\n        payload: {type: integer}\n        traits: [{$ref: 'traits.yaml#/t'}]\n",
    );
    loader.insert(
        "traits.yaml",
        "t:\n  examples:\n    - payload: not a number\n",
    );
    let e = read_spec(&loader, Path::new("spec.yaml")).unwrap_err();
    assert_eq!(e.file(), Path::new("traits.yaml"), "{e}");
    assert_eq!(e.pointer(), "/t/examples/0/payload");
    assert_eq!(e.line(), Some(3));
}
