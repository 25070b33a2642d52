//! What a document may leave out, or say to no purpose, generates with a warning that names it:
//! parameters a channel uses without declaring them (read as string tokens), and parameters it
//! declares without using them (left out). `tests/lenient/` holds such documents (one is written
//! as FastStream writes its 2.6 exports); they generate, with the warnings, into Rust that parses.

use asyncapi_codegen::{generate, Settings};

use crate::CrateLoader;

#[test]
fn parameters_left_undeclared_or_unused_are_warnings() {
    let path = "tests/lenient/undeclared-parameters.yaml";
    let out = generate(&CrateLoader, path.as_ref(), &Settings::default()).unwrap();
    let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            format!("{path}:23: /channels/orders.all/parameters/orderId: parameter \"orderId\" is declared but the channel does not use {{orderId}}; it is left out"),
            format!("{path}:12: /channels/orders.{{region}}.cancel.{{orderId}}: channel parameter {{region}} is not declared in `parameters`; it is read as one string token: declare it to describe it and give it a rule"),
            format!("{path}:12: /channels/orders.{{region}}.cancel.{{orderId}}: channel parameter {{orderId}} is not declared in `parameters`; it is read as one string token: declare it to describe it and give it a rule"),
        ]
    );
    let channel = |name: &str| out.spec.channels.iter().find(|c| c.name == name).unwrap();
    let cancel = channel("orders.{region}.cancel.{orderId}");
    let names: Vec<&str> = cancel.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["region", "orderId"]);
    assert!(channel("orders.all").parameters.is_empty());
    let parsed = syn::parse_file(&out.code).map(drop);
    assert!(parsed.is_ok(), "the module parses as Rust: {parsed:?}");
}

/// What a document cannot say is said beside it: an overlay (a JSON Merge Patch) adds a reply,
/// and removes what `null` names.
#[test]
fn an_overlay_patches_the_document_before_it_is_read() {
    let mut files = asyncapi_codegen::MemoryLoader::new();
    files.insert(
        "export.yaml",
        "asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\nchannels:\n  get: {address: orders.get, messages: {Get: {payload: {type: string}}}}\noperations:\n  get:OrderSubscribe: {action: receive, channel: {$ref: '#/channels/get'}, messages: [{$ref: '#/channels/get/messages/Get'}], description: gone}\n",
    );
    files.insert(
        "overlay.yaml",
        "channels:\n  inbox: {messages: {Order: {payload: {type: object}}}}\noperations:\n  get:OrderSubscribe:\n    description: null\n    reply: {channel: {$ref: '#/channels/inbox'}, messages: [{$ref: '#/channels/inbox/messages/Order'}]}\n",
    );
    let settings = Settings::default().with_overlay("overlay.yaml");
    let out = generate(&files, "export.yaml".as_ref(), &settings).unwrap();
    let op = &out.spec.operations[0];
    assert!(op.reply.is_some(), "the reply came from the overlay");
    assert_eq!(op.description, None);
    assert!(out.code.contains("pub async fn order("), "{}", out.code);
    // An overlay that is no object is refused, naming it.
    files.insert("bad.yaml", "[1, 2]\n");
    let err = generate(
        &files,
        "export.yaml".as_ref(),
        &Settings::default().with_overlay("bad.yaml"),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("bad.yaml"), "{err}");
}
