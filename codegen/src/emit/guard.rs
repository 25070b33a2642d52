//! Runs code that may panic (typify on unusual schemas) and turns the panic into an error message,
//! without the default hook printing a backtrace notice for a panic that is handled.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Calls `f`; a panic inside it becomes `Err` with the panic message.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic with a non-text payload".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors_and_values_pass_through() {
        assert_eq!(contain(|| 3), Ok(3));
        assert_eq!(
            contain(|| -> i32 { panic!("boom {}", 1) }),
            Err("boom 1".to_owned())
        );
        assert_eq!(
            contain(|| -> i32 { panic!("static") }),
            Err("static".to_owned())
        );
    }
}
