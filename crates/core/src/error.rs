//! The one error type of ironlung.
//!
//! Every failure carries a stable machine-readable [`Error::code`] (the same string the JS
//! API exposes as `error.code`) and a message that names the value and the limit at fault.

use std::fmt;

/// A stable error code. The string form never changes between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// A file exceeded the caller's `maxBytes`.
    FileTooLarge,
    /// A file or buffer looks binary (NUL bytes in UTF-8 / unknown encoding).
    BinaryFile,
    /// The path exists but is not a regular file (FIFO, device, socket).
    NotRegularFile,
    UnknownEncoding,
    UnknownModel,
    InvalidToken,
    DisallowedSpecial,
    /// zstd data is invalid, truncated or has trailing garbage.
    CorruptData,
    /// Decompressed output would exceed the caller's cap.
    OutputTooLarge,
    /// An argument is out of range or of the wrong shape.
    InvalidArg,
    UnsupportedRuntime,
    /// Something must be loaded first (the wasm module, or an encoding's rank data).
    NotInitialized,
    /// A bug in ironlung (a caught panic).
    Internal,
    /// An operating-system error, named as Node names it (`ENOENT`, `EISDIR`, ...).
    Os(&'static str),
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FileTooLarge => "ERR_FILE_TOO_LARGE",
            Code::BinaryFile => "ERR_BINARY_FILE",
            Code::NotRegularFile => "ERR_NOT_REGULAR_FILE",
            Code::UnknownEncoding => "ERR_UNKNOWN_ENCODING",
            Code::UnknownModel => "ERR_UNKNOWN_MODEL",
            Code::InvalidToken => "ERR_INVALID_TOKEN",
            Code::DisallowedSpecial => "ERR_DISALLOWED_SPECIAL",
            Code::CorruptData => "ERR_CORRUPT_DATA",
            Code::OutputTooLarge => "ERR_OUTPUT_TOO_LARGE",
            Code::InvalidArg => "ERR_INVALID_ARG",
            Code::UnsupportedRuntime => "ERR_UNSUPPORTED_RUNTIME",
            Code::NotInitialized => "ERR_NOT_INITIALIZED",
            Code::Internal => "ERR_INTERNAL",
            Code::Os(name) => name,
        }
    }
}

/// An ironlung error: a [`Code`] plus a human message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: Code,
    message: String,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }

    pub fn kind(&self) -> Code {
        self.code
    }

    /// The stable code string, e.g. `"ERR_FILE_TOO_LARGE"` or `"ENOENT"`.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn invalid_arg(message: impl Into<String>) -> Self {
        Error::new(Code::InvalidArg, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// The panic payload raised when the memory to merge one long pre-token piece cannot be
/// allocated (merging needs about 30 bytes per byte of the piece). It is a panic rather
/// than an abort, as a failed allocation would otherwise be, so that a caller can catch it
/// with `std::panic::catch_unwind` and report it: both bindings turn it into
/// `ERR_OUT_OF_MEMORY`. Nothing is left half-done: the memory of the call is freed as the
/// panic unwinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory {
    /// The size of the allocation that failed.
    pub bytes: usize,
    /// The length in bytes of the piece being merged.
    pub piece: usize,
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ironlung could not allocate {} bytes to merge one piece of {} bytes (a run of text with no \
             space or punctuation needs about 30 bytes of memory per byte)",
            self.bytes, self.piece
        )
    }
}
