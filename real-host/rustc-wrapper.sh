#!/usr/bin/env bash
# rustc 1.95 needs more query depth than the default recursion limit (128) to lay out the deeply
# nested async blocks of wasmcloud-host 0.27.1 (`queries overflow the depth limit!` at
# src/wasmbus/ctl.rs, rust-lang/rust#159427). A crate attribute cannot be changed from outside the
# crate, so this wrapper gives that one crate a higher limit (`-Z crate-attr`, which stable rustc
# accepts under RUSTC_BOOTSTRAP) and runs every other rustc invocation unchanged. It is a bash
# script because dash drops environment variables whose names are not shell names, such as
# cargo's CARGO_BIN_EXE_real-host.
rustc="$1"
shift
case " $* " in
*" --crate-name wasmcloud_host "*)
    RUSTC_BOOTSTRAP=1 exec "$rustc" "$@" '-Zcrate-attr=recursion_limit="256"'
    ;;
esac
exec "$rustc" "$@"
