//! The `permissions` module: what each role does on NATS, from the operations' directions,
//! replies and queue groups.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::subjects::operation_markers;
use crate::model::{Direction, Spec};

/// What one role does, as indexes into [`Spec::operations`].
#[derive(Debug, Default, PartialEq, Eq)]
struct Grants {
    publish: Vec<usize>,
    /// With whether the role subscribes in the operation's queue group.
    subscribe: Vec<(usize, bool)>,
    responds: bool,
    inbox: bool,
}

/// The application, its client and an observer. Whoever receives an operation's messages
/// subscribes to its channel (in its queue group, if it has one) and answers it if it has a
/// reply; whoever sends them publishes there and reads the reply on its inbox. The observer
/// receives what the application sends that expects no answer.
fn roles(spec: &Spec) -> [Grants; 3] {
    let (mut application, mut client, mut observer) =
        (Grants::default(), Grants::default(), Grants::default());
    for (i, op) in spec.operations.iter().enumerate() {
        let replied = op.reply.is_some();
        let queue = op.queue.is_some();
        let (sender, receiver) = match op.direction {
            Direction::Publish => (&mut client, &mut application),
            Direction::Subscribe => (&mut application, &mut client),
        };
        sender.publish.push(i);
        sender.inbox |= replied;
        receiver.subscribe.push((i, queue));
        receiver.responds |= replied;
        if op.direction == Direction::Subscribe && !replied {
            observer.subscribe.push((i, queue));
        }
    }
    [application, client, observer]
}

pub(crate) fn emit(spec: &Spec, runtime: &TokenStream) -> TokenStream {
    let markers = operation_markers(spec);
    let docs = [
        (
            "APPLICATION",
            "Application",
            "The application the spec describes: it subscribes to the requests it serves (in their\nqueue groups), answers them, and publishes its events.",
        ),
        (
            "CLIENT",
            "Client",
            "Its client: it publishes requests, reads their replies on its inbox, and subscribes to the\napplication's events.",
        ),
        (
            "OBSERVER",
            "Observer",
            "An observer: it subscribes to the application's events and does nothing else.",
        ),
    ];
    let roles = roles(spec);
    let uses_grant = roles.iter().any(|g| !g.subscribe.is_empty());
    let uses_operation = roles
        .iter()
        .any(|g| !g.subscribe.is_empty() || !g.publish.is_empty());
    let [_, client, observer] = &roles;
    // An observer usually follows exactly what a client follows: said once.
    let follows_client = !observer.subscribe.is_empty() && observer.subscribe == client.subscribe;
    let consts = docs.iter().zip(&roles).map(|((name, role, doc), grants)| {
        let says_client = std::ptr::eq(grants, observer) && follows_client;
        let name = format_ident!("{name}");
        let role = format_ident!("{role}");
        let doc = super::plain_doc(doc);
        let publish = grants.publish.iter().map(|&i| {
            let marker = &markers[i];
            quote!(&op::#marker::INFO)
        });
        let subscribe = grants.subscribe.iter().map(|&(i, queue)| {
            let marker = &markers[i];
            match queue {
                true => quote!(Grant::queue_group(&op::#marker::INFO)),
                false => quote!(Grant::channel(&op::#marker::INFO)),
            }
        });
        let subscribe = if says_client {
            quote!(CLIENT.subscribe)
        } else {
            quote!(&[#(#subscribe),*])
        };
        let (responds, inbox) = (grants.responds, grants.inbox);
        quote! {
            #doc
            pub const #name: RoleGrants = RoleGrants {
                role: Role::#role,
                publish: &[#(#publish),*],
                subscribe: #subscribe,
                responds: #responds,
                inbox: #inbox,
            };
        }
    });
    let grant = uses_grant.then(|| quote!(Grant,));
    let operation = uses_operation.then(|| {
        quote! {
            use #runtime::Operation;

            use super::operations as op;
        }
    });
    let module_doc = super::plain_doc(&format!(
        "What each role does on NATS, from the operations: which channels it publishes to and\nsubscribes to, whether it answers requests and reads replies.\n[`Permissions::for_role`]({}::permissions::Permissions::for_role) renders them as the\npermissions of a nats-server user.",
        runtime.to_string().replace(' ', "")
    ));
    quote! {
        #module_doc
        pub mod permissions {
            use #runtime::permissions::{#grant Role, RoleGrants};
            #operation

            #(#consts)*

            /// Every role.
            pub const ALL: &[RoleGrants] = &[APPLICATION, CLIENT, OBSERVER];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_publish_receivers_subscribe_and_observers_only_watch() {
        let mut files = crate::MemoryLoader::new();
        files.insert(
            "s.yaml",
            "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  req:\n    publish:\n      operationId: ask\n      x-reply: {pattern: single, message: {payload: {type: string}}}\n      message: {payload: {type: string}}\n      bindings: {nats: {queue: q}}\n  evt:\n    subscribe:\n      operationId: tell\n      message: {payload: {type: string}}\n",
        );
        let spec = crate::read_spec(&files, std::path::Path::new("s.yaml")).unwrap();
        let ask = spec.operations.iter().position(|o| o.id == "ask").unwrap();
        let tell = spec.operations.iter().position(|o| o.id == "tell").unwrap();
        let [application, client, observer] = roles(&spec);
        assert_eq!(
            application,
            Grants {
                publish: vec![tell],
                subscribe: vec![(ask, true)],
                responds: true,
                inbox: false
            }
        );
        assert_eq!(
            client,
            Grants {
                publish: vec![ask],
                subscribe: vec![(tell, false)],
                responds: false,
                inbox: true
            }
        );
        assert_eq!(
            observer,
            Grants {
                subscribe: vec![(tell, false)],
                ..Grants::default()
            }
        );
    }
}
