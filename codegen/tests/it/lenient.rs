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
