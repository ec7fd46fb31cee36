//! A string argument as UTF-8, without an allocation per call.
//!
//! napi-rs's `String` asks V8 for the UTF-8 length (one pass over the string), allocates a
//! zeroed buffer and copies (a second pass), and V8 converts to UTF-8 a character at a
//! time. [`Text`] takes the UTF-16 length (O(1)) and has V8 copy the string out as UTF-16
//! (a plain copy), which [`utf16_to_utf8`] converts 16 ASCII units per step, on long
//! strings and short ones alike. A short string (the common call) goes through stack
//! buffers, which spares the thread-local look-ups of the recycled per-thread buffers that
//! a long one uses.

use ironlung_abi::{utf16_to_utf8, utf16_to_utf8_raw, MAX_UTF8_PER_UNIT};
use napi::bindgen_prelude::*;
use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::thread::LocalKey;

/// Buffers larger than this are freed rather than kept for the next call.
const KEEP: usize = 1 << 20;
/// Strings of up to this many UTF-16 units are converted on the stack.
const INLINE: usize = 256;

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
pub struct Text(Buf);

// A `Text` lives on the stack for one call, and not allocating for short strings is the
// point of the inline variant: its size is intended.
#[allow(clippy::large_enum_variant)]
enum Buf {
    /// The first `len` bytes are initialised.
    Inline { len: usize, bytes: [MaybeUninit<u8>; INLINE * MAX_UTF8_PER_UNIT] },
    /// A recycled per-thread buffer, given back on drop.
    Pooled(Vec<u8>),
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        let bytes = match &self.0 {
            // SAFETY: the first `len` bytes were written by `utf16_to_utf8_raw`.
            Buf::Inline { len, bytes } => unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<u8>(), *len) },
            Buf::Pooled(v) => v,
        };
        // SAFETY: both buffers hold the output of the UTF-16 converter, which writes valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if let Buf::Pooled(v) = &mut self.0 {
            give_back(&POOL, std::mem::take(v));
        }
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

/// `napi_get_value_string_utf16`: copies the string into `dst` (room for `cap` units, the
/// NUL V8 writes included) and returns the units copied; with a null `dst`, returns the
/// string's length.
///
/// # Safety
/// `env` and `value` must be the running callback's; `dst` is null or valid for `cap` units.
unsafe fn utf16_units(env: sys::napi_env, value: sys::napi_value, dst: *mut u16, cap: usize) -> napi::Result<usize> {
    let mut units = 0usize;
    // SAFETY: `env` and `value` are the running callback's and `dst` is null or has room for
    // `cap` units (our caller's obligations); `units` is a live out-pointer.
    let status = unsafe { sys::napi_get_value_string_utf16(env, value, dst, cap, &mut units) };
    if status != sys::Status::napi_ok {
        return Err(not_a_string());
    }
    Ok(units)
}

impl FromNapiValue for Text {
    /// # Safety
    /// [`FromNapiValue::from_napi_value`]'s: `env` is a valid Node-API env and `value` a live
    /// value of it.
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: `env` and `value` are valid (this trait's contract; napi-rs converts a
        // `#[napi]` argument inside that call's callback); a null `dst` asks for the length only.
        let units = unsafe { utf16_units(env, value, std::ptr::null_mut(), 0) }?;
        if units <= INLINE {
            let mut bytes = [MaybeUninit::<u8>::uninit(); INLINE * MAX_UTF8_PER_UNIT];
            // SAFETY: as above.
            let len = unsafe { inline_utf8(env, value, &mut bytes) }?;
            return Ok(Text(Buf::Inline { len, bytes }));
        }
        // SAFETY: as above.
        unsafe { pooled_utf8(env, value, units) }
    }
}

/// Calls `f` with the string `value` as UTF-8, like [`Text`], but a short string stays in
/// this function's frame, which `f` borrows: a `Text` returned by value copies its whole
/// inline buffer, 768 bytes, on every call.
///
/// # Safety
/// `env` and `value` must be the running callback's.
pub unsafe fn with_str<R>(env: sys::napi_env, value: sys::napi_value, f: impl FnOnce(&str) -> R) -> napi::Result<R> {
    // SAFETY: `env` and `value` are the running callback's (our caller's obligation); a null
    // `dst` asks for the length only.
    let units = unsafe { utf16_units(env, value, std::ptr::null_mut(), 0) }?;
    if units <= INLINE {
        let mut bytes = [MaybeUninit::<u8>::uninit(); INLINE * MAX_UTF8_PER_UNIT];
        // SAFETY: as above.
        let len = unsafe { inline_utf8(env, value, &mut bytes) }?;
        // SAFETY: the first `len` bytes are the converter's output, which is valid UTF-8.
        return Ok(f(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(bytes.as_ptr().cast(), len)) }));
    }
    // SAFETY: as above.
    let text = unsafe { pooled_utf8(env, value, units) }?;
    Ok(f(&text))
}

/// Converts a string of at most [`INLINE`] units into `bytes`; returns the bytes written.
///
/// # Safety
/// `env` and `value` must be the running callback's.
#[inline(always)]
unsafe fn inline_utf8(
    env: sys::napi_env,
    value: sys::napi_value,
    bytes: &mut [MaybeUninit<u8>; INLINE * MAX_UTF8_PER_UNIT],
) -> napi::Result<usize> {
    let mut utf16 = [MaybeUninit::<u16>::uninit(); INLINE + 1];
    // +1 for the NUL V8 writes.
    // SAFETY: `env` and `value` are the running callback's (our caller's obligation), and
    // `utf16` has room for the `INLINE + 1` units passed as the capacity.
    let copied = unsafe { utf16_units(env, value, utf16.as_mut_ptr().cast(), INLINE + 1) }?;
    // SAFETY: V8 wrote (initialised) the first `copied` units, at most `INLINE` of them as
    // the capacity passed holds the NUL too; the `min` keeps the slice in `utf16` regardless.
    let utf16 = unsafe { std::slice::from_raw_parts(utf16.as_ptr().cast::<u16>(), copied.min(INLINE)) };
    // SAFETY: `bytes` has room for MAX_UTF8_PER_UNIT bytes per unit of `utf16`.
    Ok(unsafe { utf16_to_utf8_raw(utf16, bytes.as_mut_ptr().cast()) })
}

/// Converts a string of `units` units through this thread's recycled buffers.
///
/// # Safety
/// `env` and `value` must be the running callback's.
unsafe fn pooled_utf8(env: sys::napi_env, value: sys::napi_value, units: usize) -> napi::Result<Text> {
    let mut buf = take(&POOL);
    buf.clear();
    let mut utf16 = take(&UNITS);
    utf16.clear();
    // +1 for the NUL V8 writes.
    utf16.reserve(units + 1);
    // SAFETY: `env` and `value` are the running callback's (our caller's obligation), and
    // `utf16` (empty) has capacity for the `units + 1` units passed, reserved just above.
    let copied = unsafe { utf16_units(env, value, utf16.as_mut_ptr(), units + 1) }?;
    // SAFETY: V8 wrote the first `copied` units (it reports the units it copied, the NUL not
    // counted), and `copied <= units` is within the capacity.
    unsafe { utf16.set_len(copied) };
    utf16_to_utf8(&utf16, &mut buf);
    give_back(&UNITS, utf16);
    Ok(Text(Buf::Pooled(buf)))
}
