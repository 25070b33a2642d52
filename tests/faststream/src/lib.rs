//! The order service of `orders.py`, generated at build time from FastStream's own exports of it:
//! `orders_v3` from its AsyncAPI 3.0 document, `orders_v26` from its 2.6 one, each with its
//! overlay (`overlay-*.yaml`: the replies FastStream's export does not state).

include!(concat!(env!("OUT_DIR"), "/orders_v3.rs"));
include!(concat!(env!("OUT_DIR"), "/orders_v26.rs"));
