//! Exports registered as plain Node-API callbacks, without napi-rs's per-call machinery.
//!
//! A `#[napi]` function pays for napi-rs's native-borrow bookkeeping on every call: several
//! thread-local accesses (each a `__tls_get_addr` call in a `dlopen`ed library) and a
//! `Vec` push and pop, several times what Node-API alone costs. Agents count many short
//! strings, where that overhead is a sizeable part of the call, so `count` and
//! `countWithin` (behind `isWithinLimit`, asked of every message) are registered here by
//! hand. They convert and report errors exactly as the `#[napi]` exports do: [`with_str`]
//! for the string (what `Text` does, without moving the buffer), [`guard`] for core errors
//! and panics, and napi-rs's `JsError` to throw. `panicForTest` lives here too, so that the
//! test suite's panic tests go through this path.

use crate::owned::Bytes;
use crate::text_arg::with_str;
use crate::{guard, panic_err, Dictionary};
use ironlung_abi as abi;
use napi::bindgen_prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

/// Adds the hand-registered functions to the module's exports.
pub fn register(env: sys::napi_env, exports: sys::napi_value) -> napi::Result<()> {
    export(env, exports, c"count", count)?;
    export(env, exports, c"countWithin", count_within)?;
    export(env, exports, c"compress", compress)?;
    export(env, exports, c"compressWith", compress_with)?;
    export(env, exports, c"decompress", decompress)?;
    export(env, exports, c"decompressWith", decompress_with)?;
    export(env, exports, c"panicForTest", panic_for_test)
}

fn export(
    env: sys::napi_env,
    exports: sys::napi_value,
    name: &std::ffi::CStr,
    f: unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value,
) -> napi::Result<()> {
    let mut func = ptr::null_mut();
    // SAFETY: `env` and `exports` come from Node-API's module initialisation (the only
    // caller is `register`, called from the `#[napi(module_exports)]` hook); the name is
    // NUL-terminated, `f` has the callback signature and `func` is a live out-pointer.
    unsafe {
        check_status!(sys::napi_create_function(
            env,
            name.as_ptr(),
            name.count_bytes() as isize,
            Some(f),
            ptr::null_mut(),
            &mut func
        ))?;
        check_status!(sys::napi_set_named_property(env, exports, name.as_ptr(), func))
    }
}

/// The arguments of the current call (missing ones are `undefined`).
///
/// # Safety
/// `env` and `info` must be those Node-API passed to the running callback.
unsafe fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> napi::Result<[sys::napi_value; N]> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    // SAFETY: `env` and `info` are the running callback's (our caller's obligation); `argv`
    // has room for the `argc = N` values Node-API writes, and the two null out-pointers
    // (`this`, `data`) are optional.
    check_status!(unsafe {
        sys::napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), ptr::null_mut(), ptr::null_mut())
    })?;
    Ok(argv)
}

/// Runs a callback body: its value is returned to JS, its error thrown, and a panic
/// anywhere in it (argument conversion included) becomes an `ERR_INTERNAL` error.
///
/// # Safety
/// `env` must be the running callback's.
unsafe fn finish(env: sys::napi_env, body: impl FnOnce() -> napi::Result<sys::napi_value>) -> sys::napi_value {
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| Err(panic_err(p)));
    result.unwrap_or_else(|e| {
        // SAFETY: `env` is the running callback's (our caller's obligation), so an exception
        // can be thrown into it; the callback then returns null, which Node-API allows.
        unsafe { JsError::from(e).throw_into(env) };
        ptr::null_mut()
    })
}

/// `count(id: number, text: string): number`, as [`ironlung_core::tokenizer::Encoding::count_parallel`].
///
/// # Safety
/// Only Node-API calls it, as the callback [`export`] registered, with that call's `env`
/// and `info`.
unsafe extern "C" fn count(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own `env` and `info`, and every value
    // converted below comes from `args` of this call, so it is live until we return.
    unsafe {
        finish(env, || {
            let [id, text] = args::<2>(env, info)?;
            let id = u32::from_napi_value(env, id)?;
            let n = with_str(env, text, |text| guard(|| abi::count(id, text)))??;
            u32::to_napi_value(env, n)
        })
    }
}

/// `countWithin(id: number, text: string, limit: number, complete: boolean): number`: the
/// count if it is at most `limit`; -1 if it exceeds; -2 if `text` is an incomplete prefix
/// whose stable part fits (the JS layer then passes a longer prefix). See
/// [`ironlung_core::tokenizer::Encoding::count_within`].
///
/// # Safety
/// As [`count`].
unsafe extern "C" fn count_within(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own `env` and `info`, and every value
    // converted below comes from `args` of this call, so it is live until we return.
    unsafe {
        finish(env, || {
            let [id, text, limit, complete] = args::<4>(env, info)?;
            let id = u32::from_napi_value(env, id)?;
            let limit = f64::from_napi_value(env, limit)?;
            let complete = bool::from_napi_value(env, complete)?;
            let n = with_str(env, text, |text| guard(|| abi::count_within(id, text, limit, complete)))??;
            f64::to_napi_value(env, n)
        })
    }
}

/// `compress(data: Uint8Array, level: number): Uint8Array`, as [`abi::compress`]. The
/// output is copied into memory V8 owns ([`Bytes`]): compressing into it directly would
/// leave each result holding zstd's worst-case bound.
///
/// # Safety
/// As [`count`].
unsafe extern "C" fn compress(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own `env` and `info`, and every value
    // converted below comes from `args` of this call, so it is live until we return.
    unsafe {
        finish(env, || {
            let [data, level] = args::<2>(env, info)?;
            let data = Uint8Array::from_napi_value(env, data)?;
            let level = i32::from_napi_value(env, level)?;
            Bytes::to_napi_value(env, Bytes(guard(|| abi::compress(&data, level))?))
        })
    }
}

/// `compressWith(data: Uint8Array, dictionary: Dictionary, level?: number): Uint8Array`, as
/// [`abi::compress_with`]; its output as [`compress`]'s.
///
/// # Safety
/// As [`count`].
unsafe extern "C" fn compress_with(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: as in `compress`; the dictionary is an argument of this call, so it lives
    // until we return.
    unsafe {
        finish(env, || {
            let [data, dictionary, level] = args::<3>(env, info)?;
            let data = Uint8Array::from_napi_value(env, data)?;
            let dictionary = prepared(env, dictionary)?;
            let level = Option::<i32>::from_napi_value(env, level)?;
            Bytes::to_napi_value(env, Bytes(guard(|| abi::compress_with(&data, dictionary, level))?))
        })
    }
}

/// `decompress(data: Uint8Array, maxOutputBytes: number): Uint8Array`: see [`decode`].
///
/// # Safety
/// As [`count`].
unsafe extern "C" fn decompress(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: as in `compress`.
    unsafe {
        finish(env, || {
            let [data, max] = args::<2>(env, info)?;
            decode(env, data, max, None)
        })
    }
}

/// `decompressWith(data: Uint8Array, maxOutputBytes: number, dictionary: Dictionary):
/// Uint8Array`: see [`decode`].
///
/// # Safety
/// As [`count`].
unsafe extern "C" fn decompress_with(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: as in `compress_with`.
    unsafe {
        finish(env, || {
            let [data, max, dictionary] = args::<3>(env, info)?;
            let dictionary = prepared(env, dictionary)?;
            decode(env, data, max, Some(dictionary))
        })
    }
}

/// The prepared dictionary a `Dictionary` object (`new Dictionary(bytes, level)`) holds,
/// checked by its type tag as napi-rs checks a `&Dictionary` argument.
///
/// # Safety
/// `env` and `value` must be the running callback's, which keeps the object, and so the
/// dictionary, alive until it returns. No `#[napi]` method takes the object `&mut`.
unsafe fn prepared<'a>(env: sys::napi_env, value: sys::napi_value) -> napi::Result<&'a abi::Dictionary> {
    let mut wrapped = ptr::null_mut();
    // SAFETY: `env` and `value` are the running callback's (our caller's obligation).
    unsafe {
        check_status!(sys::napi_unwrap(env, value, &mut wrapped), "dictionary is not a prepared Dictionary")?;
        validate_type_tag(env, value, &<Dictionary as TypeTag>::type_tag(), "Dictionary")?;
        // The type tag says napi-rs wrapped a `Dictionary` in this object.
        Ok(&(*wrapped.cast::<Dictionary>()).inner)
    }
}

/// Decompresses `data` with at most `max` bytes of output. When every frame declares its
/// size, the output is decoded straight into an ArrayBuffer that V8 allocates: no second
/// buffer, and no copy of the output. Otherwise as [`Bytes`] returns results.
///
/// # Safety
/// `env`, `data` and `max` must be the running callback's.
unsafe fn decode(
    env: sys::napi_env,
    data: sys::napi_value,
    max: sys::napi_value,
    dictionary: Option<&abi::Dictionary>,
) -> napi::Result<sys::napi_value> {
    // SAFETY: the values are the running callback's (our caller's obligation).
    unsafe {
        let data = Uint8Array::from_napi_value(env, data)?;
        let max = f64::from_napi_value(env, max)?;
        let Some(total) = guard(|| abi::declared_size(&data, max, dictionary))? else {
            let out = match dictionary {
                Some(d) => guard(|| abi::decompress_with(&data, max, d))?,
                None => guard(|| abi::decompress(&data, max))?,
            };
            return Bytes::to_napi_value(env, Bytes(out));
        };
        let (mut buffer, mut bytes) = (ptr::null_mut(), ptr::null_mut());
        if sys::napi_create_arraybuffer(env, total, &mut bytes, &mut buffer) != sys::Status::napi_ok {
            return Err(napi::Error::new(
                Status::GenericFailure,
                format!("ENOMEM: cannot allocate {total} bytes for decompressed output"),
            ));
        }
        // The ArrayBuffer's `total` bytes, which nothing else refers to yet. Frames that
        // declare no content are decoded too: their blocks and checksums are checked.
        let out: &mut [u8] =
            if total > 0 { std::slice::from_raw_parts_mut(bytes.cast::<u8>(), total) } else { &mut [] };
        guard(|| abi::decompress_into(&data, out, dictionary))?;
        let mut array = ptr::null_mut();
        check_status!(sys::napi_create_typedarray(
            env,
            sys::TypedarrayType::uint8_array,
            total,
            buffer,
            0,
            &mut array
        ))?;
        Ok(array)
    }
}

/// `panicForTest(): never`: panics on purpose, outside [`guard`], so the test suite proves
/// that [`finish`] turns a panic anywhere in a hand-registered callback into `ERR_INTERNAL`.
///
/// # Safety
/// As [`count`].
unsafe extern "C" fn panic_for_test(env: sys::napi_env, _info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: Node-API calls this with the callback's own `env`.
    unsafe { finish(env, || panic!("deliberate test panic")) }
}
