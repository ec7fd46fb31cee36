//! Typed arrays whose memory V8 owns, for every result that is bytes or token ids.
//!
//! napi-rs's `Uint8Array::new(vec)` hands the Vec to JS as an external ArrayBuffer, which
//! is released by a finalizer that Node runs only when the event loop turns. A synchronous
//! loop of calls therefore holds every result it ever made. Copying the result into an
//! ArrayBuffer that V8 allocates lets the garbage collector free it like any JS object; the
//! copy costs one `memcpy` of the result.

use napi::bindgen_prelude::*;
use napi::sys;

/// A result type `$name(Vec<$elem>)`, returned to JS as a `$js` (napi-rs's `$slice`) over
/// memory V8 owns.
macro_rules! owned_array {
    ($(#[$doc:meta])* $name:ident, $elem:ty, $js:literal, $slice:ident) => {
        $(#[$doc])*
        pub struct $name(pub Vec<$elem>);

        impl TypeName for $name {
            fn type_name() -> &'static str {
                $js
            }
            fn value_type() -> ValueType {
                ValueType::Object
            }
        }

        impl ToNapiValue for $name {
            /// # Safety
            /// [`ToNapiValue::to_napi_value`]'s: `env` is a valid Node-API env.
            unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
                let slice = $slice::copy_from(&Env::from_raw(env), val.0)?;
                // SAFETY: `env` is the caller's valid env, as this trait requires of it.
                unsafe { $slice::to_napi_value(env, slice) }
            }
        }
    };
}

owned_array!(
    /// Bytes, returned to JS as a `Uint8Array` over memory V8 owns.
    Bytes, u8, "Uint8Array", Uint8ArraySlice
);
owned_array!(
    /// Token ids or counts, returned to JS as a `Uint32Array` over memory V8 owns.
    U32s, u32, "Uint32Array", Uint32ArraySlice
);
owned_array!(
    /// Numbers, returned to JS as a `Float64Array` over memory V8 owns: one copy, where a
    /// `Vec<f64>` becomes an `Array` set element by element (a log scan's five numbers a
    /// record).
    F64s, f64, "Float64Array", Float64ArraySlice
);
