//! Options as the JS API spells them.

use crate::JsError;
use ironlung_core::tokenizer::{Boundary, Cut, SpecialSet};

/// `from`: `'end'`, `'start'` or `'middle'`.
pub fn cut(from: &str) -> Result<Cut, JsError> {
    match from {
        "end" => Ok(Cut::End),
        "start" => Ok(Cut::Start),
        "middle" => Ok(Cut::Middle),
        _ => Err(JsError::invalid_arg(format!("from must be 'end', 'start' or 'middle', got {from:?}"))),
    }
}

/// `boundary`: `'token'`, `'line'` or `'paragraph'`.
pub fn boundary(boundary: &str) -> Result<Boundary, JsError> {
    match boundary {
        "token" => Ok(Boundary::Token),
        "line" => Ok(Boundary::Line),
        "paragraph" => Ok(Boundary::Paragraph),
        _ => Err(JsError::invalid_arg(format!("boundary must be 'token', 'line' or 'paragraph', got {boundary:?}"))),
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
