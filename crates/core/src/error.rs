//! The one error type of ironlung.
//!
//! Each failure is a variant of [`Error`] whose fields name the value and the limit at
//! fault, so a caller can act on them without parsing text. Every variant also has a stable
//! [`Code`] (the same string a binding exposes as `error.code`), and its
//! [`Display`](fmt::Display) is a message for people, worded with this crate's own names.

use crate::tokenizer::EncodingName;
use std::fmt;

/// A stable error code. The string form never changes between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Input over the caller's byte limit, or over what ironlung reads from one file.
    FileTooLarge,
    /// A file or buffer looks binary (NUL bytes in UTF-8 / unknown encoding).
    BinaryFile,
    /// The path exists but is not a regular file (FIFO, device, socket).
    NotRegularFile,
    /// An encoding name that is not one of [`tokenizer::list_encodings`](crate::tokenizer::list_encodings).
    UnknownEncoding,
    /// A model name that no known model family matches.
    UnknownModel,
    /// A token id that is not in the encoding.
    InvalidToken,
    /// Text contains a special token the caller did not allow.
    DisallowedSpecial,
    /// zstd data or a rank table is invalid, truncated or has trailing garbage.
    CorruptData,
    /// Decompressed output would exceed the caller's cap.
    OutputTooLarge,
    /// A zstd frame names a dictionary other than the one given (or one when none is).
    DictionaryMismatch,
    /// An argument is out of range or of the wrong shape.
    InvalidArg,
    /// A session log's bytes are damaged where they cannot be a torn last write.
    CorruptLog,
    /// An encoding's rank table must be installed first.
    NotInitialized,
    /// A bug in ironlung, or in what it links.
    Internal,
    /// An operating-system error, named as Node names it (`ENOENT`, `EISDIR`, ...).
    Os(&'static str),
}

impl Code {
    /// The code's string, e.g. `"ERR_FILE_TOO_LARGE"` or `"ENOENT"`.
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
            Code::DictionaryMismatch => "ERR_DICTIONARY_MISMATCH",
            Code::InvalidArg => "ERR_INVALID_ARG",
            Code::CorruptLog => "ERR_CORRUPT_LOG",
            Code::NotInitialized => "ERR_NOT_INITIALIZED",
            Code::Internal => "ERR_INTERNAL",
            Code::Os(name) => name,
        }
    }
}

/// What an error about input bytes is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Bytes handed over in memory.
    Input,
    /// The file at this path.
    File(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Input => f.write_str("input"),
            Subject::File(path) => write!(f, "'{path}'"),
        }
    }
}

/// How the size in an [`Error::TooLarge`] was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measured {
    /// The file's size as the file system reports it, before reading.
    Stat,
    /// The bytes read: at most one more than the limit is ever read.
    Read,
}

/// What kind of file an [`Error::NotRegularFile`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A named pipe.
    Fifo,
    /// A character device, such as `/dev/zero`.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A Unix socket.
    Socket,
    /// Anything else that is neither a regular file nor a directory.
    Other,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Fifo => "a FIFO",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Other => "of an unknown type",
        })
    }
}

/// Which special-token list of an encode call an [`Error::NotASpecialToken`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialList {
    /// The specials encoded as special tokens.
    Allowed,
    /// The specials refused.
    Disallowed,
}

/// How the size in an [`Error::OutputTooLarge`] is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputSize {
    /// Every frame declares its size, and they add up to `size`.
    Declared,
    /// The frames that declare a size add up to `size`; others come on top.
    AtLeast,
    /// No size was declared; decoding stopped once `size` bytes were produced.
    Decoded,
}

/// An ironlung error. See each variant for the fields it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `subject` is `size` bytes, more than `max_bytes`.
    TooLarge {
        /// The input.
        subject: Subject,
        /// Its size, or the bytes read of it (see `measured`).
        size: u64,
        /// The caller's limit.
        max_bytes: usize,
        /// Where `size` comes from.
        measured: Measured,
    },
    /// The file is `size` bytes, more than [`MAX_READ_BYTES`](crate::text::MAX_READ_BYTES),
    /// which is the most read from one file whatever the caller's limit.
    OverReadLimit {
        /// The file.
        path: String,
        /// Its size, or the bytes read of it.
        size: u64,
    },
    /// `subject` holds a NUL byte at `offset` outside UTF-16 text: it is binary.
    Binary {
        /// The input.
        subject: Subject,
        /// The byte offset of the first NUL.
        offset: usize,
    },
    /// The path names a FIFO, a device or a socket.
    NotRegularFile {
        /// The path.
        path: String,
        /// What it is.
        kind: FileKind,
    },
    /// A path with a NUL byte, which no system call takes.
    NulInPath {
        /// The path, with each NUL shown as `\x00`.
        path: String,
    },
    /// The operating system refused: `name` is the errno's name as Node gives it.
    Os {
        /// `ENOENT`, `EACCES`, ..., or `EUNKNOWN`.
        name: &'static str,
        /// Node's (libuv's) description of it, or the system's own text for `EUNKNOWN`.
        description: String,
        /// The call that failed: `open`, `read`, `fstat`.
        syscall: &'static str,
        /// The path it was called on.
        path: String,
    },
    /// Memory for `what` could not be allocated (code `ENOMEM`).
    NoMemory {
        /// What was being allocated, e.g. `"a zstd decoder"`.
        what: String,
    },
    /// `name` is not an encoding.
    UnknownEncoding {
        /// The name asked for.
        name: String,
    },
    /// `model` matches no known model family.
    UnknownModel {
        /// The model name asked for.
        model: String,
    },
    /// `table` is not one of [`RANK_TABLES`](crate::tokenizer::RANK_TABLES).
    UnknownRankTable {
        /// The table name given.
        table: String,
    },
    /// Bytes given as a rank table are not the table this build was made with.
    CorruptRanks {
        /// The table they were given as.
        table: String,
        /// What is wrong with them.
        reason: String,
    },
    /// The rank table `table` of `encoding` has not been installed.
    RanksNotLoaded {
        /// The encoding asked for.
        encoding: EncodingName,
        /// The rank table it needs.
        table: &'static str,
    },
    /// `tokens[index]` is `token`, which is not an id of `encoding`.
    InvalidToken {
        /// The id.
        token: u32,
        /// Its index in the list decoded.
        index: usize,
        /// The encoding.
        encoding: EncodingName,
        /// The number of ids of the encoding (valid ids are below it).
        n_vocab: u32,
    },
    /// The text holds the special token `token` at byte `offset`, and it is disallowed.
    DisallowedSpecial {
        /// The special token's text.
        token: String,
        /// Its byte offset in the text.
        offset: usize,
    },
    /// A special-token list holds `name`, which is not a special token of `encoding`.
    NotASpecialToken {
        /// The list.
        list: SpecialList,
        /// The name.
        name: String,
        /// The encoding.
        encoding: EncodingName,
        /// Its special tokens, summarised.
        specials: String,
    },
    /// A chunk size of 0 tokens.
    ZeroMaxTokens,
    /// A chunk overlap of `overlap` tokens, not smaller than `max_tokens`.
    OverlapTooLarge {
        /// The overlap asked for.
        overlap: usize,
        /// The chunk size.
        max_tokens: usize,
    },
    /// The character at byte `offset` counts `tokens` tokens alone, more than `max_tokens`.
    CharTooLarge {
        /// The character.
        character: char,
        /// Its byte offset in the text.
        offset: usize,
        /// The tokens it counts on its own.
        tokens: usize,
        /// The chunk size.
        max_tokens: usize,
    },
    /// A truncation marker that counts `tokens`, more than the whole budget.
    MarkerTooLong {
        /// The marker, with `{omitted}` as given.
        marker: String,
        /// The tokens it counts.
        tokens: usize,
        /// The budget.
        max_tokens: usize,
    },
    /// A zstd level outside `min..=max`.
    LevelOutOfRange {
        /// The level asked for.
        level: i32,
        /// The lowest level zstd accepts.
        min: i32,
        /// The highest.
        max: i32,
    },
    /// zstd data decompresses to `size` bytes, more than `max_output_bytes`.
    OutputTooLarge {
        /// The output's size, as far as it is known (see `known`).
        size: u64,
        /// The caller's cap.
        max_output_bytes: u64,
        /// How `size` is known.
        known: OutputSize,
    },
    /// A zstd frame needs a decoding window over `limit` bytes. `max_output_bytes` is the cap
    /// that set the limit, or `None` if the limit is the most ironlung allows (1 GiB).
    WindowTooLarge {
        /// The window the frame asks for, when its header was read.
        window: Option<u64>,
        /// The largest window allowed.
        limit: u64,
        /// The caller's cap, when it is what set `limit`.
        max_output_bytes: Option<usize>,
    },
    /// The zstd frame at byte `offset` was compressed with dictionary `frame`, and `given`
    /// is the id of the dictionary given to decode it (`None`: none was).
    DictionaryMismatch {
        /// The frame's byte offset in the input.
        offset: u64,
        /// The id the frame names.
        frame: u32,
        /// The id of the dictionary given (0 for a raw-content one), if any.
        given: Option<u32>,
    },
    /// A dictionary of no bytes.
    EmptyDictionary,
    /// A dictionary size of `max_bytes`, under the `min` zstd's trainer writes.
    DictionarySize {
        /// The size asked for.
        max_bytes: u64,
        /// The smallest zstd writes.
        min: usize,
        /// The largest the zstd CLI loads.
        max: usize,
    },
    /// A compressed stream's input did not come to the size promised for its frame.
    SizeNotAsPledged {
        /// The size promised.
        pledged: u64,
        /// The input's size: so far, when `more` (it already passed the promise).
        given: u64,
        /// Whether the input passed the promise (else it ended short of it).
        more: bool,
    },
    /// zstd's trainer could not make a dictionary of `samples` samples holding `total_bytes`.
    TrainingFailed {
        /// The number of samples.
        samples: usize,
        /// Their bytes, in all.
        total_bytes: u64,
        /// zstd's reason, in ironlung's words.
        reason: String,
    },
    /// Data that is not valid zstd, or is truncated.
    Corrupt {
        /// What is wrong, and where.
        reason: String,
    },
    /// A session log is damaged at byte `offset`.
    CorruptLog {
        /// The file offset of the damage (of the frame that fails its checks).
        offset: u64,
        /// What is wrong there.
        reason: String,
    },
    /// A session log option or call that cannot be honoured, and why.
    LogOption {
        /// What is wrong.
        reason: String,
    },
    /// A frame of a session log would hold `size` bytes, more than the 1 GiB a frame holds.
    LogFrameTooLarge {
        /// The payload's size.
        size: u64,
    },
    /// A failure that is a bug: `reason` says what failed.
    Internal {
        /// What failed.
        reason: String,
    },
}

impl Error {
    /// The stable code of this error.
    pub fn kind(&self) -> Code {
        match self {
            Error::TooLarge { .. } | Error::OverReadLimit { .. } => Code::FileTooLarge,
            Error::Binary { .. } => Code::BinaryFile,
            Error::NotRegularFile { .. } => Code::NotRegularFile,
            Error::Os { name, .. } => Code::Os(name),
            Error::NoMemory { .. } => Code::Os("ENOMEM"),
            Error::UnknownEncoding { .. } => Code::UnknownEncoding,
            Error::UnknownModel { .. } => Code::UnknownModel,
            Error::CorruptRanks { .. } | Error::WindowTooLarge { .. } | Error::Corrupt { .. } => Code::CorruptData,
            Error::RanksNotLoaded { .. } => Code::NotInitialized,
            Error::InvalidToken { .. } => Code::InvalidToken,
            Error::DisallowedSpecial { .. } => Code::DisallowedSpecial,
            Error::OutputTooLarge { .. } => Code::OutputTooLarge,
            Error::DictionaryMismatch { .. } => Code::DictionaryMismatch,
            Error::Internal { .. } => Code::Internal,
            Error::CorruptLog { .. } => Code::CorruptLog,
            Error::LogOption { .. } | Error::LogFrameTooLarge { .. } => Code::InvalidArg,
            Error::NulInPath { .. }
            | Error::UnknownRankTable { .. }
            | Error::NotASpecialToken { .. }
            | Error::ZeroMaxTokens
            | Error::OverlapTooLarge { .. }
            | Error::CharTooLarge { .. }
            | Error::MarkerTooLong { .. }
            | Error::LevelOutOfRange { .. }
            | Error::EmptyDictionary
            | Error::DictionarySize { .. }
            | Error::SizeNotAsPledged { .. }
            | Error::TrainingFailed { .. } => Code::InvalidArg,
        }
    }

    /// The stable code string, e.g. `"ERR_FILE_TOO_LARGE"` or `"ENOENT"`.
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The same error about the file at `path`, where it was about bytes in memory: for
    /// bytes read from a file by other means and then checked here.
    pub fn in_file(self, path: &str) -> Error {
        match self {
            Error::TooLarge { subject: Subject::Input, size, max_bytes, measured } => {
                Error::TooLarge { subject: Subject::File(path.to_string()), size, max_bytes, measured }
            }
            Error::Binary { subject: Subject::Input, offset } => {
                Error::Binary { subject: Subject::File(path.to_string()), offset }
            }
            other => other,
        }
    }

    pub(crate) fn corrupt(reason: String) -> Error {
        Error::Corrupt { reason }
    }

    pub(crate) fn no_memory(what: impl Into<String>) -> Error {
        Error::NoMemory { what: what.into() }
    }
}

/// The words of [`Error::DictionarySize`], with the size option named as the caller knows it.
pub fn dictionary_size(f: &mut impl fmt::Write, name: &str, max_bytes: u64, min: usize, max: usize) -> fmt::Result {
    if max_bytes < min as u64 {
        write!(f, "{name} {max_bytes} is too small for a dictionary; zstd writes at least {min} bytes")
    } else {
        write!(f, "{name} {max_bytes} is larger than the {max} bytes (32 MiB) a dictionary may be; the zstd CLI loads none larger")
    }
}

impl fmt::Display for Error {
    // The wording a binding replaces with its own names is in `ironlung-abi`'s error.rs:
    // change both together.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooLarge { subject, size, max_bytes, measured: Measured::Stat } => {
                write!(f, "{subject} is {size} bytes, larger than max_bytes {max_bytes}")
            }
            Error::TooLarge { subject, size, max_bytes, measured: Measured::Read } => {
                write!(f, "{subject} is larger than max_bytes {max_bytes} (read {size} bytes)")
            }
            Error::OverReadLimit { path, size } => write!(
                f,
                "'{path}' is {size} bytes, more than the {} bytes (2 GiB - 1) ironlung reads from one file \
                 whatever max_bytes says; read it in parts",
                crate::text::MAX_READ_BYTES
            ),
            Error::Binary { subject, offset } => {
                write!(f, "{subject} looks binary (NUL byte at offset {offset}); ironlung only reads text")
            }
            Error::NotRegularFile { path, kind } => {
                write!(f, "'{path}' is not a regular file (it is {kind}); ironlung only reads regular files")
            }
            Error::NulInPath { path } => write!(f, "path must not contain NUL bytes; received '{path}'"),
            Error::Os { description, syscall, path, .. } => write!(f, "{description}, {syscall} '{path}'"),
            Error::NoMemory { what } => write!(f, "cannot allocate {what}"),
            Error::UnknownEncoding { name } => write!(
                f,
                "unknown encoding {name:?}; known encodings: {}",
                crate::tokenizer::list_encodings().join(", ")
            ),
            Error::UnknownModel { model } => write!(
                f,
                "unknown model {model:?}; known model families: {}; or pick an encoding with get_encoding()",
                crate::tokenizer::KNOWN_FAMILIES
            ),
            Error::UnknownRankTable { table } => write!(
                f,
                "unknown rank table {table:?}; known: {}",
                crate::tokenizer::RANK_TABLES.join(", ")
            ),
            Error::CorruptRanks { reason, .. } => f.write_str(reason),
            Error::RanksNotLoaded { encoding, table } => write!(
                f,
                "the rank data of {encoding} ({table}.wasm) is not loaded yet; install it with install_ranks({table:?}, ...) first"
            ),
            Error::InvalidToken { token, index, encoding, n_vocab } => write!(
                f,
                "token {token} at index {index} is not a token of {encoding} (ids run from 0 to {})",
                n_vocab - 1
            ),
            Error::DisallowedSpecial { token, offset } => write!(
                f,
                "text contains the special token {token:?} at byte {offset}, which is disallowed; \
                 allow it to encode it as a special token, or pass an empty disallowed list to encode it \
                 as ordinary text"
            ),
            Error::NotASpecialToken { list, name, encoding, specials } => {
                let list = match list {
                    SpecialList::Allowed => "the allowed list",
                    SpecialList::Disallowed => "the disallowed list",
                };
                write!(f, "{list} contains {name:?}, which is not a special token of {encoding}; its special tokens are {specials}")
            }
            Error::ZeroMaxTokens => f.write_str("max_tokens must be at least 1, got 0"),
            Error::OverlapTooLarge { overlap, max_tokens } => {
                write!(f, "overlap {overlap} must be smaller than max_tokens {max_tokens}")
            }
            Error::CharTooLarge { character, offset, tokens, max_tokens } => write!(
                f,
                "max_tokens {max_tokens} is too small: the character {character:?} at byte {offset} counts {tokens} tokens on its own"
            ),
            Error::MarkerTooLong { marker, tokens, max_tokens } => {
                write!(f, "the marker {marker:?} counts {tokens} tokens, more than max_tokens {max_tokens}")
            }
            Error::LevelOutOfRange { level, min, max } => write!(
                f,
                "compression level {level} is out of range; zstd levels run from {min} to {max} (default {})",
                crate::compress::DEFAULT_LEVEL
            ),
            Error::OutputTooLarge { size, max_output_bytes, known } => match known {
                OutputSize::Declared => {
                    write!(f, "decompressed size {size} bytes exceeds max_output_bytes {max_output_bytes}")
                }
                OutputSize::AtLeast => {
                    write!(f, "decompressed size at least {size} bytes exceeds max_output_bytes {max_output_bytes}")
                }
                OutputSize::Decoded => write!(
                    f,
                    "decompressed size exceeds max_output_bytes {max_output_bytes} (the data does not declare \
                     its size; stopped after decoding {size} bytes)"
                ),
            },
            Error::WindowTooLarge { window, limit, max_output_bytes: None } => write!(
                f,
                "zstd data needs a decoding window {}, the most ironlung allows on any backend",
                WindowNeed(*window, *limit)
            ),
            Error::WindowTooLarge { window, limit, max_output_bytes: Some(cap) } => write!(
                f,
                "zstd data needs a decoding window {}, the most allowed with max_output_bytes {cap}; a larger \
                 max_output_bytes allows up to 1 GiB",
                WindowNeed(*window, *limit)
            ),
            Error::DictionaryMismatch { offset, frame, given } => {
                write!(f, "the zstd frame at byte offset {offset} was compressed with dictionary {frame}, but ")?;
                match given {
                    None => write!(f, "no dictionary was given; pass that dictionary to decompress it"),
                    Some(0) => write!(f, "the dictionary given is raw content (id 0); pass dictionary {frame}"),
                    Some(id) => write!(f, "dictionary {id} was given; pass dictionary {frame}"),
                }
            }
            Error::EmptyDictionary => f.write_str("the dictionary is empty; give the bytes of a zstd dictionary"),
            Error::DictionarySize { max_bytes, min, max } => dictionary_size(f, "max_bytes", *max_bytes, *min, *max),
            Error::SizeNotAsPledged { pledged, given, more: true } => write!(
                f,
                "the stream's input reached {given} bytes, more than its pledgedSrcSize of {pledged} bytes"
            ),
            Error::SizeNotAsPledged { pledged, given, more: false } => write!(
                f,
                "the stream's input ended at {given} bytes, short of its pledgedSrcSize of {pledged} bytes"
            ),
            Error::TrainingFailed { samples, total_bytes, reason } => write!(
                f,
                "cannot train a dictionary from {samples} samples of {total_bytes} bytes in all: {reason}; \
                 give more samples (hundreds, about 100 times the dictionary size in all)"
            ),
            Error::CorruptLog { offset, reason } => write!(f, "the log is damaged at byte offset {offset}: {reason}"),
            Error::LogOption { reason } => f.write_str(reason),
            Error::LogFrameTooLarge { size } => write!(
                f,
                "a log frame of {size} bytes is larger than the {} bytes (1 GiB) one frame holds; append less at once",
                crate::log::layout::MAX_PAYLOAD
            ),
            Error::Corrupt { reason } | Error::Internal { reason } => f.write_str(reason),
        }
    }
}

impl std::error::Error for Error {}

/// The result of every fallible call of this crate.
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

/// "of W bytes, larger than L bytes" (or "larger than L bytes" when the frame's window is not
/// known): how a [`Error::WindowTooLarge`] message states the window against the limit.
#[doc(hidden)]
pub struct WindowNeed(pub Option<u64>, pub u64);

impl fmt::Display for WindowNeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(window) => write!(f, "of {window} bytes, larger than {} bytes", self.1),
            None => write!(f, "larger than {} bytes", self.1),
        }
    }
}
