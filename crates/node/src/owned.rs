//! Typed arrays whose memory V8 owns, for every result that is bytes or token ids.
//!
//! napi-rs's `Uint8Array::new(vec)` hands the Vec to JS as an external ArrayBuffer, which
//! is released by a finalizer that Node runs only when the event loop turns. A synchronous
//! loop of calls therefore holds every result it ever made. Copying the result into an
//! ArrayBuffer that V8 allocates lets the garbage collector free it like any JS object; the
//! copy costs one `memcpy` of the result.

use napi::bindgen_prelude::*;
use napi::sys;

/// Bytes, returned to JS as a `Uint8Array` over memory V8 owns.
pub struct Bytes(pub Vec<u8>);

/// Token ids or counts, returned to JS as a `Uint32Array` over memory V8 owns.
pub struct U32s(pub Vec<u32>);

/// Numbers, returned to JS as a `Float64Array` over memory V8 owns: one copy, where a
/// `Vec<f64>` becomes an `Array` set element by element (a log scan's five numbers a record).
pub struct F64s(pub Vec<f64>);

impl TypeName for Bytes {
    fn type_name() -> &'static str {
        "Uint8Array"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl TypeName for U32s {
    fn type_name() -> &'static str {
        "Uint32Array"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl TypeName for F64s {
    fn type_name() -> &'static str {
        "Float64Array"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for F64s {
    /// # Safety
    /// [`ToNapiValue::to_napi_value`]'s: `env` is a valid Node-API env.
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let slice = Float64ArraySlice::copy_from(&Env::from_raw(env), val.0)?;
        // SAFETY: as above.
        unsafe { Float64ArraySlice::to_napi_value(env, slice) }
    }
}

impl ToNapiValue for Bytes {
    /// # Safety
    /// [`ToNapiValue::to_napi_value`]'s: `env` is a valid Node-API env.
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let slice = Uint8ArraySlice::copy_from(&Env::from_raw(env), val.0)?;
        // SAFETY: `env` is the caller's valid env, as this trait requires of it.
        unsafe { Uint8ArraySlice::to_napi_value(env, slice) }
    }
}

impl ToNapiValue for U32s {
    /// # Safety
    /// [`ToNapiValue::to_napi_value`]'s: `env` is a valid Node-API env.
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let slice = Uint32ArraySlice::copy_from(&Env::from_raw(env), val.0)?;
        // SAFETY: as above.
        unsafe { Uint32ArraySlice::to_napi_value(env, slice) }
    }
}
