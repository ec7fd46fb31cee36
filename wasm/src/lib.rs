//! wasm-bindgen binding of ironlung-core, with the same functions as the napi-rs binding.
//!
//! Boring on purpose: each function calls the function of the same name in `ironlung-abi`
//! (which the napi-rs addon calls too) and returns its error as a JS error whose message
//! starts with the stable code; `js/errors.mjs` turns that prefix into `error.code`. wasm32 aborts on panic, which
//! surfaces in JS as a `WebAssembly.RuntimeError`; the panic hook below keeps the panic's
//! message so the JS layer can report it as `ERR_INTERNAL`. File reading is not here:
//! js/fsread.mjs reads files, asking `text::read_cap` and `text::check_read` how much, and
//! hands the bytes to `text::file_text`.
//!
//! The features pick the parts (wasm/Cargo.toml): `tokens` (the tokenizer and text),
//! `zstd-api` and `log`. What is here serves every part: the panic hook, the allocator's
//! record, and the test suite's deliberate trap and panic.

use ironlung_abi::JsError as AbiError;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

mod alloc;
#[cfg(feature = "log")]
mod log;
#[cfg(feature = "zstd-api")]
mod stream;
#[cfg(feature = "tokens")]
mod text;
#[cfg(feature = "tokens")]
mod tokens;
#[cfg(feature = "zstd-api")]
mod zstd;

#[global_allocator]
static ALLOCATOR: alloc::Recording = alloc::Recording;

pub(crate) type JsResult<T> = Result<T, JsError>;

#[cold]
#[inline(never)]
pub(crate) fn js_err(e: AbiError) -> JsError {
    JsError::new(&e.to_string())
}

thread_local! {
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = msg);
    }));
}

/// The message of the last panic (the instance traps right after recording it).
#[wasm_bindgen(js_name = lastPanicMessage)]
pub fn last_panic_message() -> String {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// The size of the last allocation that failed (the instance traps right after), 0 if none.
#[wasm_bindgen(js_name = lastAllocFailure)]
pub fn last_alloc_failure() -> f64 {
    alloc::last_failure() as f64
}

/// Runs out of memory on purpose, for real: takes wasm memory 256 MiB at a time until
/// wasm32's 4 GiB can give no more, which traps. The test suite proves the trap becomes
/// `ERR_OUT_OF_MEMORY` and that no memory or state of the call survives it.
#[wasm_bindgen(js_name = oomForTest)]
pub fn oom_for_test() {
    let mut held: Vec<Vec<u8>> = Vec::new();
    loop {
        held.push(Vec::with_capacity(256 << 20));
        std::hint::black_box(&held);
    }
}

/// Panics on purpose, so the test suite can prove a panic becomes `ERR_INTERNAL`.
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test() {
    panic!("deliberate test panic");
}
