//! Options as the JS API spells them.

use crate::JsError;
use ironlung_core::tokenizer::{Boundary, Cut, SpecialSet};

fn invalid(message: String) -> JsError {
    JsError { code: "ERR_INVALID_ARG", message }
}

/// `from`: `'end'`, `'start'` or `'middle'`.
pub fn cut(from: &str) -> Result<Cut, JsError> {
    match from {
        "end" => Ok(Cut::End),
        "start" => Ok(Cut::Start),
        "middle" => Ok(Cut::Middle),
        _ => Err(invalid(format!("from must be 'end', 'start' or 'middle', got {from:?}"))),
    }
}

/// `boundary`: `'token'`, `'line'` or `'paragraph'`.
pub fn boundary(boundary: &str) -> Result<Boundary, JsError> {
    match boundary {
        "token" => Ok(Boundary::Token),
        "line" => Ok(Boundary::Line),
        "paragraph" => Ok(Boundary::Paragraph),
        _ => Err(invalid(format!("boundary must be 'token', 'line' or 'paragraph', got {boundary:?}"))),
    }
}

/// `allowedSpecial` or `disallowedSpecial`: `'all'` (passed as the flag) or a list of names.
pub fn special_set(all: bool, names: Vec<String>) -> SpecialSet {
    if all {
        SpecialSet::All
    } else {
        SpecialSet::Only(names)
    }
}
