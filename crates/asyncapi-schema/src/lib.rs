//! The JSON Schema layer that [`asyncapi-codegen`] and [`asyncapi-runtime`] share, so that the
//! generator and the code it generates read a schema the same way.
//!
//! - [`keyword`]: the one table of the keywords that hold subschemas, and the walkers over them.
//! - [`DefinitionRef`]: a `$ref` to one of a document's own definitions, in either dialect the
//!   toolkit writes (`#/definitions/Name` as the generator collects schemas, `#/$defs/Name` in
//!   the standalone 2020-12 schemas it exports).
//! - [`reference`](mod@reference): the reference validator (the `jsonschema` crate, 2020-12, formats asserted)
//!   that every faster check is held to.
//! - [`program`]: a standalone schema compiled into the nodes the runtime's fast path checks
//!   while decoding and from which the generator writes views. [`program::KEYWORDS`] lists the
//!   keywords a program checks.
//! - [`quick`]: a quick yes for the strings of a simple shape that a `format` or `pattern`
//!   surely accepts, the reference validator asked about every other.
//!
//! ```
//! use asyncapi_schema::{keyword, program, DefinitionRef};
//! use serde_json::json;
//!
//! let schema = json!({
//!     "$defs": {"Name": {"type": "string", "minLength": 1}},
//!     "type": "object",
//!     "properties": {"name": {"$ref": "#/$defs/Name"}},
//!     "required": ["name"],
//! });
//! let mut refs = Vec::new();
//! keyword::walk(&schema, &mut |s| refs.extend(DefinitionRef::of(s)));
//! assert_eq!(refs, [DefinitionRef::defs("Name")]);
//!
//! let program = program::compile(&schema).unwrap();
//! let root = &program.nodes[program.root as usize];
//! assert_eq!(root.types, program::types::OBJECT);
//! assert_eq!(&*root.properties[0].name, "name");
//! ```
//!
//! [`asyncapi-codegen`]: https://docs.rs/asyncapi-codegen
//! [`asyncapi-runtime`]: https://docs.rs/asyncapi-runtime

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

mod definition;
mod key;
pub mod keyword;
pub mod program;
pub mod quick;
pub mod reference;

pub use definition::{DefinitionRef, Dialect};
pub use key::Key;
