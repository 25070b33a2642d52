//! Rules over the whole model, whichever version it was read from.

use std::collections::HashMap;

use crate::error::{ErrorKind, Result};
use crate::model::{Channel, Operation, SubjectRoot};
use crate::refs::Store;

/// Every channel starts with the subject root the document declares.
pub(super) fn subject_root(
    store: &Store<'_>,
    channels: &[Channel],
    root: Option<&SubjectRoot>,
) -> Result<()> {
    let Some(root) = root else {
        return Ok(());
    };
    match channels
        .iter()
        .find(|ch| !(ch.name == root.default || ch.name.starts_with(&format!("{}.", root.default))))
    {
        None => Ok(()),
        Some(ch) => Err(store.error_in(
            &ch.file,
            &ch.pointer,
            ErrorKind::Lint(format!(
                "channel does not start with the subject root {:?} declared by x-subject-root",
                root.default
            )),
        )),
    }
}

/// operationIds, and the reply operation names that share their namespace, are unique.
pub(super) fn operation_ids(store: &Store<'_>, ops: &[Operation]) -> Result<()> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for op in ops {
        let mut ids = vec![(op.id.as_str(), format!("{}/operationId", op.pointer))];
        if let Some(reply) = op.reply.as_ref().and_then(|r| r.operation_id.as_deref()) {
            ids.push((reply, format!("{}/x-reply/operationId", op.pointer)));
        }
        for (id, pointer) in ids {
            if let Some(first) = seen.get(id) {
                return Err(store.error_in(
                    &op.file,
                    &pointer,
                    ErrorKind::Lint(format!("operationId {id:?} is also used at {first}")),
                ));
            }
            seen.insert(id, pointer);
        }
    }
    Ok(())
}
