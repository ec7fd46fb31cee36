//! A string argument read into a reused per-thread buffer.
//!
//! napi-rs's `String` asks V8 for the UTF-8 length (one pass over the string), allocates a
//! zeroed buffer and copies (a second pass), and V8 converts to UTF-8 a character at a
//! time. [`Text`] takes the UTF-16 length (O(1)); a long string is copied out as UTF-16
//! into a recycled buffer (a plain copy) and converted with [`utf16_to_utf8`], 16 ASCII
//! units per step, into another recycled buffer; a short one is written by V8 straight
//! into the recycled UTF-8 buffer, sized for the worst case.

use ironlung_core::text::{utf16_to_utf8, MAX_UTF8_PER_UNIT};
use napi::bindgen_prelude::*;
use std::cell::RefCell;
use std::ops::Deref;
use std::thread::LocalKey;

/// Buffers larger than this are freed rather than kept for the next call.
const KEEP: usize = 1 << 20;
/// Strings shorter than this (in UTF-16 units) are converted by V8 directly: one copy beats
/// two when there is little to convert.
const SHORT: usize = 512;

thread_local! {
    static POOL: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static UNITS: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
}

/// This thread's pooled buffer (empty if it is in use or was never filled).
fn take<T>(pool: &'static LocalKey<RefCell<Vec<T>>>) -> Vec<T> {
    pool.with(|p| p.try_borrow_mut().map(|mut p| std::mem::take(&mut *p)).unwrap_or_default())
}

/// Returns `buf` to the pool for the next call, unless it is too large to keep or the pool
/// already holds a larger one.
fn give_back<T>(pool: &'static LocalKey<RefCell<Vec<T>>>, buf: Vec<T>) {
    if buf.capacity() <= KEEP {
        pool.with(|p| {
            if let Ok(mut p) = p.try_borrow_mut() {
                if p.capacity() < buf.capacity() {
                    *p = buf;
                }
            }
        });
    }
}

fn not_a_string() -> napi::Error {
    napi::Error::new(Status::StringExpected, "ERR_INVALID_ARG: expected a string")
}

/// A JS string argument as UTF-8 (lone surrogates become U+FFFD, as V8 writes them).
pub struct Text(Vec<u8>);

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        // V8 writes valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        give_back(&POOL, std::mem::take(&mut self.0));
    }
}

impl TypeName for Text {
    fn type_name() -> &'static str {
        "String"
    }
    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl FromNapiValue for Text {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut units = 0usize;
        let status = unsafe { sys::napi_get_value_string_utf16(env, value, std::ptr::null_mut(), 0, &mut units) };
        if status != sys::Status::napi_ok {
            return Err(not_a_string());
        }
        let mut buf = take(&POOL);
        buf.clear();
        if units < SHORT {
            // +1 for the NUL V8 writes.
            let need = units * MAX_UTF8_PER_UNIT + 1;
            buf.reserve(need);
            let mut written = 0usize;
            let status = unsafe {
                sys::napi_get_value_string_utf8(env, value, buf.as_mut_ptr().cast(), need, &mut written)
            };
            if status != sys::Status::napi_ok {
                return Err(not_a_string());
            }
            unsafe { buf.set_len(written) };
            return Ok(Text(buf));
        }
        let mut utf16 = take(&UNITS);
        utf16.clear();
        // +1 for the NUL V8 writes.
        utf16.reserve(units + 1);
        let mut copied = 0usize;
        let status = unsafe { sys::napi_get_value_string_utf16(env, value, utf16.as_mut_ptr(), units + 1, &mut copied) };
        if status != sys::Status::napi_ok {
            return Err(not_a_string());
        }
        unsafe { utf16.set_len(copied) };
        utf16_to_utf8(&utf16, &mut buf);
        give_back(&UNITS, utf16);
        Ok(Text(buf))
    }
}
