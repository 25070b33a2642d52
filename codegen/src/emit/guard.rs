//! Runs code that may panic (typify on unusual schemas) and turns the panic into an error message,
//! without the default hook printing a backtrace notice for a panic that is handled.
//!
//! Why a panic hook, process-wide: typify 0.8 (the newest release our compiler builds) reports
//! some schemas it cannot convert by panicking (a `$ref` it cannot find, for one). The lint and
//! `schema.rs` take out what is known to panic; this catches the rest, and the search for the
//! smallest failing set of definitions may panic many times over. `catch_unwind` stops the unwind
//! but not the message: only a panic hook decides what a panic prints, and Rust has one hook per
//! process. So the hook is installed once, keeps the hook it replaced, and hands it every panic
//! except those inside [`contain`] on the thread that called it. The other way out, typify in a
//! child process, would cost every generation a process and the library its freedom from I/O.

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
