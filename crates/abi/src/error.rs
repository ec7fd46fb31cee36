//! Errors as the JS side receives them.

use ironlung_core::Error;
use std::fmt;

/// An error for JS: ironlung's stable code and a message that names the value and the limit
/// at fault. A binding throws it as an error whose message is `"CODE: message"` (its
/// [`Display`](fmt::Display)); `js/errors.mjs` turns the prefix into `error.code`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsError {
    pub code: &'static str,
    pub message: String,
}

impl From<Error> for JsError {
    // Out of line: every export converts errors, and one copy of this keeps the wasm small.
    #[cold]
    #[inline(never)]
    fn from(e: Error) -> Self {
        JsError { code: e.code(), message: e.message().to_string() }
    }
}

impl fmt::Display for JsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for JsError {}
